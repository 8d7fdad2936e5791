"""The exit codes of the ``bouclier`` command, decided here and nowhere else.

====  ==================================================================================
code  meaning
====  ==================================================================================
0     success: every input was processed (matches found or not)
1     some inputs could not be processed; each has its own error line in the output
2     usage error: unknown option, missing argument (click's convention)
3     a named thing does not exist (bank, case, item)
4     conflict: a name already taken
5     invalid input: a bad hash string or import file; nothing was changed
6     configuration, database or model problem (bad BOUCLIER_* setting, database
      unreachable, model package missing)
7     verification failed: an evidence bundle or a custody log was altered, is incomplete
      or damaged, a bundle is signed by another key than the one expected, or unsigned
      (format 1) without --allow-unsigned (``bouclier evidence verify`` lists every problem)
8     a followed Bouclier (``bouclier bank follow``) is unreachable, refused the key, or sent
      a page whose signature does not verify; nothing of that page was applied
70    internal error: a bug in Bouclier; please report it with the command you ran
130   interrupted (Ctrl-C)
====  ==================================================================================
"""

from __future__ import annotations

from bouclier.errors import (
    BouclierError,
    ConfigError,
    Conflict,
    InputError,
    ModelUnavailable,
    NotFound,
    RemoteError,
)

OK = 0
INPUT_FAILED = 1
USAGE = 2
NOT_FOUND = 3
CONFLICT = 4
INVALID_INPUT = 5
CONFIG = 6
TAMPERED = 7
REMOTE = 8
INTERNAL = 70
INTERRUPTED = 130


def for_error(error: BouclierError) -> int:
    if isinstance(error, NotFound):
        return NOT_FOUND
    if isinstance(error, Conflict):
        return CONFLICT
    if isinstance(error, InputError):
        return INVALID_INPUT
    if isinstance(error, (ConfigError, ModelUnavailable)):
        return CONFIG
    if isinstance(error, RemoteError):
        return REMOTE
    return INTERNAL
