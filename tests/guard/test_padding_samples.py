"""The padding augmentation's training samples (scripts/train_guard_intent.py, issue 13):
``--padding`` (intent-17-first) pads every hand-written single prompt, ``--padding-refused``
(intent-18-first) the refused ones only, with the same draws; without either the samples are
intent-16-first's recipe's. Reads the corpus, trains nothing."""

from __future__ import annotations

import runpy
from pathlib import Path
from typing import Any

import pytest

from bouclier.guard.evaluation import TRAINING, load_corpus

SCRIPTS = Path(__file__).resolve().parents[2] / "scripts"


@pytest.fixture(scope="module")
def train() -> dict[str, Any]:
    return runpy.run_path(str(SCRIPTS / "train_guard_intent.py"))


@pytest.fixture(scope="module")
def examples(train: dict[str, Any]) -> list[Any]:
    return [e for name in TRAINING for e in load_corpus(train["CORPUS"] / f"{name}.jsonl")]


def _rows(samples: Any) -> list[tuple[str, float, int]]:
    return list(zip(samples.texts, samples.labels, samples.origin, strict=True))


def test_refused_only_keeps_the_refused_copies_of_the_same_draws(
    train: dict[str, Any], examples: list[Any]
) -> None:
    every = train["padded"](examples, 17)
    refused = train["padded"](examples, 17, refused_only=True)
    assert refused == [copy for copy in every if copy[2]]
    assert 0 < len(refused) < len(every)
    assert all(examples[i].label == "refuse" for i, _, _ in refused)
    assert any(examples[i].label == "allow" for i, _, _ in every)


def test_the_harm_head_gets_the_refused_copies_only(
    train: dict[str, Any], examples: list[Any]
) -> None:
    plain = train["samples"](examples)
    padded = train["samples"](examples, 17, refused_only=True)
    added = _rows(padded[""])[len(plain[""].texts) :]
    assert _rows(padded[""])[: len(plain[""].texts)] == _rows(plain[""])
    assert added == [(t, 1.0, i) for i, t, _ in train["padded"](examples, 17, refused_only=True)]
    assert _rows(padded["continues_"]) == _rows(plain["continues_"])


def test_without_padding_refused_only_changes_nothing(
    train: dict[str, Any], examples: list[Any]
) -> None:
    """The flag reads only where there is padding: intent-16-first's samples either way."""
    plain, flagged = train["samples"](examples), train["samples"](examples, None, True)
    for head in plain:
        assert _rows(flagged[head]) == _rows(plain[head])
    assert len(plain[""].texts) == len([e for e in examples if not e.context]) + sum(
        1 + (e.label == "allow") for e in examples if e.context
    )


def test_the_two_flags_exclude_each_other(
    train: dict[str, Any], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr("sys.argv", ["train_guard_intent.py", "--padding", "--padding-refused"])
    with pytest.raises(SystemExit):
        train["main"]()
    assert "not allowed with argument" in capsys.readouterr().err
