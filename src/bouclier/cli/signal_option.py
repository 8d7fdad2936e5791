"""The ``--signal-type`` option of the bank and match commands. Its choices are the registered
signal types (:mod:`bouclier.signals`), read each time click needs them (to check a value or show
a command's own help), never when ``bouclier --help`` lists the commands."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import click

from bouclier.cli.lazy_types import _StrChoice

F = TypeVar("F", bound=Callable[..., Any])


class SignalTypeChoice(_StrChoice):
    """The names in the signal-type registry in use, not cached: a registry put in place later
    (a test's, with its own type) is the one checked."""

    def __init__(self) -> None:
        # click.Choice.__init__ is not called: it would read the choices now
        self.case_sensitive = True

    @property
    def choices(self) -> tuple[str, ...]:
        from bouclier.signals import signal_types

        return signal_types().names

    @choices.setter
    def choices(self, values: tuple[str, ...]) -> None:
        raise AttributeError("the signal types are the registry's")

    def get_metavar(self, *args: Any, **kwargs: Any) -> str:
        # the help names no choice: listing them would import the registry (and numpy) into
        # ``bouclier match --help``; a wrong name is answered with the list
        return "TYPE"

    def to_info_dict(self) -> Any:
        return {**super().to_info_dict(), "param_type": "Choice"}  # as a plain click.Choice


def signal_type_option(help_text: str) -> Callable[[F], F]:
    return click.option(
        "--signal-type",
        type=SignalTypeChoice(),
        default="pdq",
        show_default=True,
        help=f"{help_text} A registered signal type: pdq, sha256, md5...",
    )
