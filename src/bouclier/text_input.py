"""Text from strangers: the characters never accepted in it, at any door (API, forms).

Control characters (C0 and C1, DEL), NUL first of all, and lone surrogates (which JSON can
carry as ``\\ud800`` but no UTF-8 can encode) have no place in a case reference, a name, a URL or
a note: they end in logs, notices and PDFs (a forged line in a log, a truncated field in C code),
or fail deep in a database driver. Fields that may hold several lines (a note, a contact, a
prompt) keep tab, line feed and carriage return.
"""

from __future__ import annotations

import re

_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\ud800-\udfff]")
_CONTROL_MULTILINE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")


def control_character(value: str, *, multiline: bool = False) -> str | None:
    """A description of the first character of ``value`` never accepted, or None."""
    found = (_CONTROL_MULTILINE if multiline else _CONTROL).search(value)
    if found is None:
        return None
    return f"U+{ord(found.group()):04X} at position {found.start()}"


def refuse_control(value: str, *, multiline: bool = False) -> str:
    """``value`` unchanged, or ValueError naming the first control character in it."""
    found = control_character(value, multiline=multiline)
    if found is not None:
        raise ValueError(f"control characters are not allowed in text (found {found})")
    return value
