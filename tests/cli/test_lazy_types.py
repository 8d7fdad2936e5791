"""Option types that read their choices late: click's behaviour, and every reference resolves."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import click
import pytest

from bouclier.cli.lazy_types import LazyChoice, LazyIntRange, constant
from bouclier.cli.main import cli


def _params(command: click.Command) -> Iterator[click.Parameter]:
    yield from command.params
    if isinstance(command, click.Group):
        for sub in command.commands.values():
            yield from _params(sub)


def test_every_lazy_option_names_a_constant_that_exists() -> None:
    lazy = [p.type for p in _params(cli) if isinstance(p.type, (LazyChoice, LazyIntRange))]
    assert len(lazy) >= 5  # the vocabularies' choices are plain: bouclier.vocabulary is light
    for kind in lazy:
        if isinstance(kind, LazyChoice):
            assert kind.choices
            assert all(isinstance(c, str) for c in kind.choices)
            assert set(kind.choices) == set(constant(kind.ref))
        else:
            assert kind.max == constant(kind.max_ref)


def test_the_module_is_imported_when_the_choices_are_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "bouclier_test_vocabulary.py").write_text('KINDS = {"b": 1, "a": 2}\nTOP = 7\n')
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.delitem(sys.modules, "bouclier_test_vocabulary", raising=False)
    choice = LazyChoice("bouclier_test_vocabulary:KINDS", sort=True)
    bounded = LazyIntRange(1, "bouclier_test_vocabulary:TOP")
    assert "bouclier_test_vocabulary" not in sys.modules
    assert choice.choices == ("a", "b")
    assert "bouclier_test_vocabulary" in sys.modules
    assert bounded.max == 7


def _outcome(kind: click.ParamType, value: str) -> object:
    try:
        return kind.convert(value, None, None)
    except click.BadParameter as error:
        return f"refused: {error.message}"


@pytest.mark.parametrize("value", ["victim", "known_false_positive", "Victim", "", "other"])
def test_choice_converts_as_click_choice_does(value: str) -> None:
    ref = "bouclier.vocabulary:BANK_KINDS"
    lazy, plain = LazyChoice(ref), click.Choice(constant(ref))
    assert _outcome(lazy, value) == _outcome(plain, value)
    assert lazy.to_info_dict() == plain.to_info_dict()


@pytest.mark.parametrize("value", ["1", "500", "0", "501", "x"])
def test_int_range_converts_as_click_int_range_does(value: str) -> None:
    ref = "bouclier.webhooks.store:MAX_PAGE"
    lazy, plain = LazyIntRange(1, ref), click.IntRange(1, constant(ref))
    assert _outcome(lazy, value) == _outcome(plain, value)
    assert lazy.to_info_dict() == plain.to_info_dict()
