"""Completeness: the docs say what the code does (settings, commands, exit codes)."""

from __future__ import annotations

from pathlib import Path

import click

from bouclier.cli import exit_codes
from bouclier.cli.docs import SETTINGS_DOC, render_settings
from bouclier.cli.main import cli

README = Path(__file__).resolve().parents[1] / "README.md"


def test_settings_doc_is_current() -> None:
    assert SETTINGS_DOC.read_text() == render_settings(), "run `make docs`"


def _commands(group: click.Group, prefix: str = "bouclier") -> list[str]:
    found = []
    for name, command in group.commands.items():
        if isinstance(command, click.Group):
            found += _commands(command, f"{prefix} {name}")
        else:
            found.append(f"{prefix} {name}")
    return found


def test_readme_shows_every_command() -> None:
    readme = README.read_text()
    missing = [c for c in _commands(cli) if c not in readme]
    assert not missing


def test_readme_starts_with_the_two_commands() -> None:
    lines = README.read_text().splitlines()
    assert lines[2].startswith("make run")
    assert lines[3].startswith("make test")
    ci = (README.parent / ".ci" / "run").read_text()
    assert ci.strip().endswith("make test")


def test_every_exit_code_is_documented() -> None:
    readme = README.read_text()
    codes = [v for k, v in vars(exit_codes).items() if k.isupper()]
    for code in codes:
        assert f"`{code}`" in readme
        assert str(code) in (exit_codes.__doc__ or "")
