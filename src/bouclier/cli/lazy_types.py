"""Option types whose bounds are constants of heavy modules, read when click first needs them.

A command's options are built when its module is imported, and ``bouclier --help`` imports every
command module; a ``click.Choice(transfer.FORMATS)`` there would import the bank store (and
SQLAlchemy under it) only to print one line of help. These types name the constant instead
(``"package.module:NAME"``) and import its module the first time click reads it: to check a value,
or to show the choices in that command's own help. Behaviour and help text are click's own. The
vocabularies need none of this: ``bouclier.vocabulary`` imports nothing, so their options are plain
``click.Choice``.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

import click

if TYPE_CHECKING:
    _StrChoice = click.Choice[str]
else:  # click.Choice is generic only from click 8.2 on; pyproject allows 8.1
    _StrChoice = click.Choice


def constant(ref: str) -> Any:
    """The value that ``"package.module:NAME"`` names, importing its module."""
    module, _, name = ref.partition(":")
    return getattr(importlib.import_module(module), name)


class LazyChoice(_StrChoice):
    """``click.Choice`` over the constant ``ref`` (a sequence, or a mapping's keys), sorted if
    ``sort`` is set; the module is imported when the choices are first read."""

    def __init__(self, ref: str, *, sort: bool = False) -> None:
        # click.Choice.__init__ is not called: it would read the choices now
        self.ref = ref
        self.sort = sort
        self.case_sensitive = True
        self._choices: tuple[str, ...] | None = None

    @property
    def choices(self) -> tuple[str, ...]:
        if self._choices is None:
            values: Iterable[str] = constant(self.ref)
            self._choices = tuple(sorted(values) if self.sort else values)
        return self._choices

    @choices.setter
    def choices(self, values: tuple[str, ...]) -> None:
        self._choices = tuple(values)

    def to_info_dict(self) -> Any:
        return {**super().to_info_dict(), "param_type": "Choice"}  # as a plain click.Choice


class LazyIntRange(click.IntRange):
    """``click.IntRange(low, <the constant max_ref>)``; the module is imported when the maximum is
    first read."""

    def __init__(self, low: int, max_ref: str) -> None:
        self.max_ref = max_ref
        self._max: int | None = None  # not read yet
        super().__init__(low, None)

    @property
    def max(self) -> int | None:
        if self._max is None:
            self._max = int(constant(self.max_ref))
        return self._max

    @max.setter
    def max(self, value: int | None) -> None:
        self._max = value

    def to_info_dict(self) -> Any:
        return {**super().to_info_dict(), "param_type": "IntRange"}  # as a plain click.IntRange
