"""Case-insensitive patterns that first read a case-folded copy of the text, without IGNORECASE.

The guard's rules are long alternations of words in thirteen languages compiled with
``re.IGNORECASE``. Python's engine then tries every alternative at every position with a
case-insensitive compare (the fast paths for a literal first character are off under
IGNORECASE): about 40 % of ``check_many``'s time went to them, nearly all on texts they do not
match. :class:`Folded` keeps the exact pattern and adds a *quick* one, the same pattern compiled
without IGNORECASE over :func:`fold`'s copy of the text (each character mapped to one member of
its IGNORECASE class, so the copy has the same length and positions). The quick pattern drops
what could make it stricter than the exact one (``\\b``, ``^``, negative lookarounds), so it
matches wherever the exact one does; a text it does not match is answered "no match" at once,
and any other text by the exact pattern. Every answer is therefore the exact pattern's own: the
quick pattern only saves the search where it proves there is nothing to find. A pattern whose
quick form cannot be proved looser (a negated class or character, a back-reference, a large
range, a negated category) keeps no quick form and is searched as before.

tests/guard/test_folding.py checks :func:`fold` on every code point against the engine's own
case rules and the quick patterns against the exact ones on the corpora and their case variants.
"""

from __future__ import annotations

import _sre  # type: ignore[import-not-found]
import functools
import re
import sys
from collections.abc import Callable, Iterator
from re import _constants as sre  # type: ignore[attr-defined]
from re import _parser  # type: ignore[attr-defined]
from re._casefix import _EXTRA_CASES  # type: ignore[import-not-found]
from typing import Any

#: A range larger than this is not folded member by member: the pattern keeps no quick form.
_MAX_RANGE = 1024
#: Every cased character is below this code point (Adlam, U+1E900…, is the last cased script;
#: tests/guard/test_folding.py checks every code point above it folds to itself).
_CASED_BELOW = 0x1F000


def _class_of(lower: int) -> int:
    """The member of ``lower``'s IGNORECASE class that represents it: a letter or digit if the
    class has one (so ``\\w`` still matches the folded character), the smallest otherwise."""
    members: list[int] = sorted({lower, *_EXTRA_CASES.get(lower, ())})
    words = [m for m in members if chr(m).isalnum()]
    return (words or members)[0]


def _table() -> dict[int, int]:
    extra = {c for members in _EXTRA_CASES.values() for c in members} | set(_EXTRA_CASES)
    tolower = _sre.unicode_tolower
    table: dict[int, int] = {}
    for code in range(_CASED_BELOW):
        lower = tolower(code)
        if lower != code or code in extra:
            folded = _class_of(lower)
            if folded != code:
                table[code] = folded
    return table


_TABLE = _table()


@functools.lru_cache(maxsize=4096)
def fold(text: str) -> str:
    """``text`` with each character replaced by its IGNORECASE class's member (the engine's
    simple lowercase, then its extra equivalences: ı and i, ς and σ, ſ and s …); the same length,
    so positions carry over. Remembered: one text is searched by dozens of patterns."""
    return text.translate(_TABLE)


def _fold_code(code: int) -> int:
    return _TABLE.get(code, code)


class _NoQuickForm(Exception):
    """The pattern has a part whose folded form might match less than the original."""


def _loosened(items: Any) -> list[tuple[Any, Any]]:
    """The parsed ``items`` folded and loosened: every op that the quick form keeps, folded."""
    kept: list[tuple[Any, Any]] = []
    for op, av in items:
        if op is sre.LITERAL:
            kept.append((op, _fold_code(av)))
        elif op is sre.IN:
            kept.append((op, _folded_set(av)))
        elif op in (sre.AT, sre.ASSERT_NOT):
            continue  # an assertion dropped: the quick form matches more, never less
        elif op is sre.ANY:
            kept.append((op, av))
        elif op is sre.CATEGORY:
            kept.append((op, _category(av)))
        elif op is sre.BRANCH:
            kept.append((op, (av[0], [_subpattern(b) for b in av[1]])))
        elif op is sre.SUBPATTERN:
            group, add, remove, body = av
            if (add | remove) & sre.SRE_FLAG_IGNORECASE:
                raise _NoQuickForm("an inline case flag")
            kept.append((op, (group, add, remove, _subpattern(body))))
        elif op in (sre.MAX_REPEAT, sre.MIN_REPEAT, sre.POSSESSIVE_REPEAT):
            low, high, body = av
            kept.append((op, (low, high, _subpattern(body))))
        elif op is sre.ATOMIC_GROUP:
            kept.append((op, _subpattern(av)))
        elif op is sre.ASSERT:
            direction, body = av
            kept.append((op, (direction, _subpattern(body))))
        else:  # NOT_LITERAL, GROUPREF, GROUPREF_EXISTS, …
            raise _NoQuickForm(str(op))
    return kept


def _category(category: Any) -> Any:
    if category in (sre.CATEGORY_WORD, sre.CATEGORY_DIGIT, sre.CATEGORY_SPACE):
        return category
    raise _NoQuickForm(str(category))  # a negated category: folding could leave it


def _folded_set(items: Any) -> list[tuple[Any, Any]]:
    folded: list[tuple[Any, Any]] = []
    for op, av in items:
        if op is sre.LITERAL:
            folded.append((op, _fold_code(av)))
        elif op is sre.RANGE:
            low, high = av
            if high - low > _MAX_RANGE:
                raise _NoQuickForm("a large range")
            # a character matched under IGNORECASE has its lower or upper case in the range,
            # and both fold as it does (checked on every code point by the tests)
            members = {_fold_code(c) for c in range(low, high + 1)}
            folded += [(sre.LITERAL, c) for c in sorted(members)]
        elif op is sre.CATEGORY:
            folded.append((op, _category(av)))
        else:  # NEGATE, RANGE_UNI_IGNORE …
            raise _NoQuickForm(str(op))
    return folded


def _subpattern(parsed: Any) -> Any:
    copy = _parser.SubPattern(parsed.state)
    copy.data = _loosened(parsed.data)
    return copy


def quick_form(exact: re.Pattern[str]) -> re.Pattern[str] | None:
    """``exact`` (compiled with IGNORECASE) loosened and folded, compiled without IGNORECASE to
    search :func:`fold`'s copy of a text; None when it cannot be proved looser."""
    from re import _compiler  # type: ignore[attr-defined]

    parsed = _parser.parse(exact.pattern, exact.flags)
    try:
        loose = _subpattern(parsed)
    except _NoQuickForm:
        return None
    loose.state.flags = exact.flags & ~re.IGNORECASE
    return _compiler.compile(loose, loose.state.flags)  # type: ignore[no-any-return]


class Folded:
    """A pattern compiled with IGNORECASE whose searches first try its quick form on the folded
    text (module docstring). ``search``, ``finditer``, ``findall``, ``sub``, ``subn`` and
    ``split`` answer as the exact pattern does; the rest of re.Pattern's interface is the exact
    pattern's."""

    __slots__ = ("exact", "quick")

    def __init__(self, pattern: str, flags: int = 0) -> None:
        self.exact = re.compile(pattern, flags | re.IGNORECASE)
        self.quick = quick_form(self.exact)

    @property
    def pattern(self) -> str:
        return self.exact.pattern

    @property
    def flags(self) -> int:
        return self.exact.flags

    def _absent(self, string: str) -> bool:
        """Whether the quick form proves the exact pattern matches nowhere in ``string``."""
        return self.quick is not None and self.quick.search(fold(string)) is None

    def search(self, string: str, pos: int = 0, endpos: int = sys.maxsize) -> re.Match[str] | None:
        if self._absent(string):
            return None
        return self.exact.search(string, pos, endpos)

    def match(self, string: str, pos: int = 0, endpos: int = sys.maxsize) -> re.Match[str] | None:
        return self.exact.match(string, pos, endpos)

    def fullmatch(
        self, string: str, pos: int = 0, endpos: int = sys.maxsize
    ) -> re.Match[str] | None:
        return self.exact.fullmatch(string, pos, endpos)

    def finditer(
        self, string: str, pos: int = 0, endpos: int = sys.maxsize
    ) -> Iterator[re.Match[str]]:
        if self._absent(string):
            return iter(())
        return self.exact.finditer(string, pos, endpos)

    def findall(self, string: str, pos: int = 0, endpos: int = sys.maxsize) -> list[Any]:
        if self._absent(string):
            return []
        return self.exact.findall(string, pos, endpos)

    def sub(self, repl: str | Callable[[re.Match[str]], str], string: str, count: int = 0) -> str:
        if self._absent(string):
            return string
        return self.exact.sub(repl, string, count)

    def subn(
        self, repl: str | Callable[[re.Match[str]], str], string: str, count: int = 0
    ) -> tuple[str, int]:
        if self._absent(string):
            return string, 0
        return self.exact.subn(repl, string, count)

    def split(self, string: str, maxsplit: int = 0) -> list[str | Any]:
        if self._absent(string):
            return [string]
        return self.exact.split(string, maxsplit)

    def __repr__(self) -> str:
        return f"Folded({self.exact.pattern!r}, quick={self.quick is not None})"


def folded(pattern: str, flags: int = 0) -> Folded:
    """``re.compile(pattern, flags | re.IGNORECASE)``, searched through its quick form."""
    return Folded(pattern, flags)


#: What the guard's rules take as a pattern: a Folded one or one compiled as is.
Pattern = re.Pattern[str] | Folded
