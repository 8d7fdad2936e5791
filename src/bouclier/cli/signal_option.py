"""The ``--signal-type`` option of the bank and match commands, its choices read from the
registry of signal types (:mod:`bouclier.signals`) only when they are shown or checked, so that
``bouclier --help`` imports none of it."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, TypeVar, overload

import click

F = TypeVar("F", bound=Callable[..., Any])


class _SignalTypeNames(Sequence[str]):
    def _names(self) -> tuple[str, ...]:
        from bouclier.signals import signal_types

        return signal_types().names

    @overload
    def __getitem__(self, index: int) -> str: ...

    @overload
    def __getitem__(self, index: slice) -> Sequence[str]: ...

    def __getitem__(self, index: int | slice) -> str | Sequence[str]:
        return self._names()[index]

    def __len__(self) -> int:
        return len(self._names())


def signal_type_option(help_text: str) -> Callable[[F], F]:
    return click.option(
        "--signal-type",
        type=click.Choice(_SignalTypeNames()),
        default="pdq",
        show_default=True,
        help=help_text,
    )
