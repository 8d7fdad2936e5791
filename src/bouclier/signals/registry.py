"""The signal types Bouclier knows, as an explicit list checked at construction.

:data:`SIGNAL_TYPES` is the production list. Adding a signal type is one module and one line in
it; the database needs nothing (the ``signal_type`` columns hold any registered name, checked at
the door against the registry, not by a constraint that a migration would have to widen).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator

from bouclier.errors import InputError
from bouclier.signals.base import SignalType
from bouclier.signals.exact import MD5, SHA256
from bouclier.signals.orb import ORB
from bouclier.signals.pdq import PDQ
from bouclier.signals.vpdq import VPDQ

_NAME = re.compile(r"[a-z][a-z0-9_]{0,31}")
#: The type every call that names none means: StopNCII, HMA and NCMEC exchange PDQ.
DEFAULT = PDQ.name


class SignalTypes:
    """An ordered set of signal types by unique name; a bad or repeated name fails loudly."""

    def __init__(self, types: Iterable[SignalType]) -> None:
        self._by_name: dict[str, SignalType] = {}
        for kind in types:
            if not isinstance(kind, SignalType):
                raise TypeError(f"{kind!r} does not implement the SignalType protocol")
            if not _NAME.fullmatch(kind.name):
                raise ValueError(f"signal type name {kind.name!r}: lower-case, 1-32 characters")
            if kind.name in self._by_name:
                raise ValueError(f"two signal types are named {kind.name!r}")
            self._by_name[kind.name] = kind

    def __iter__(self) -> Iterator[SignalType]:
        return iter(self._by_name.values())

    def __len__(self) -> int:
        return len(self._by_name)

    def __contains__(self, name: object) -> bool:
        return name in self._by_name

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(self._by_name)

    def get(self, name: str | None) -> SignalType:
        """The type named ``name`` (PDQ for None), or InputError ``unknown_signal_type``."""
        if name is None:
            name = DEFAULT
        kind = self._by_name.get(name) if isinstance(name, str) else None
        if kind is None:
            shown = name[:40] if isinstance(name, str) else type(name).__name__
            raise InputError(
                f"unknown signal type {shown!r}; use one of {', '.join(self._by_name)}",
                code="unknown_signal_type",
            )
        return kind

    def validate(self, name: str | None, value: str) -> tuple[str, str]:
        """``(signal_type, canonical value)``, or InputError / InvalidHash saying what is wrong."""
        kind = self.get(name)
        return kind.name, kind.validate(value)


#: The production registry: one line per signal type.
SIGNAL_TYPES = SignalTypes([PDQ, SHA256, MD5, ORB, VPDQ])


def signal_types() -> SignalTypes:
    """The registry in use, read when called (so a test can put its own in place)."""
    return SIGNAL_TYPES


def server_only(kind: SignalType) -> bool:
    """Whether a type's values must never leave this instance (its ``server_only`` attribute;
    default no): ORB keypoints can be inverted to a recognisable picture, so they serve local
    matching only and are left out of exports, change-log pages and webhook bodies."""
    return bool(getattr(kind, "server_only", False))


def server_only_names(kinds: SignalTypes | None = None) -> frozenset[str]:
    """The names of the server-only types among ``kinds`` (the registry in use by default)."""
    return frozenset(k.name for k in (kinds or signal_types()) if server_only(k))
