"""The evaluation corpus: its shape, and the quality targets on its held-out split.

The held-out split was written with the tune split, before the lexicons were tuned, and never
tuned on. Quality thresholds belong in tests; timings do not (see benchmarks/bench_guard.py).
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest

from bouclier.cli.main import run

CORPUS = Path(__file__).resolve().parents[2] / "corpus" / "guard"
LANGS = {"fr", "es", "en", "de", "it", "pt", "nl", "pl"}
TRICKS = {"leet", "spaced", "emoji", "typo", "mention", "mixed"}


def _rows() -> list[dict[str, str]]:
    rows = []
    for split in ("tune", "heldout"):
        for line in (CORPUS / f"{split}.jsonl").read_text(encoding="utf-8").splitlines():
            row = json.loads(line)
            assert row["split"] == split
            rows.append(row)
    return rows


def test_corpus_shape() -> None:
    rows = _rows()
    assert len(rows) >= 600
    assert {r["lang"] for r in rows} == LANGS
    assert min(Counter(r["lang"] for r in rows).values()) >= 75
    negatives = sum(r["label"] == "allow" for r in rows)
    assert negatives / len(rows) >= 0.4
    heldout = sum(r["split"] == "heldout" for r in rows)
    assert 0.35 <= heldout / len(rows) <= 0.45
    assert len({r["text"] for r in rows}) >= len(rows) - 10  # almost no duplicates
    for split in ("tune", "heldout"):
        assert {r.get("trick") for r in rows if r["split"] == split} >= TRICKS
    for row in rows:
        assert row["label"] in ("refuse", "allow")
        assert (row["label"] == "refuse") == ("concept" in row)


def test_heldout_reaches_the_targets(capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["guard", "eval", "--format", "jsonl", str(CORPUS / "heldout.jsonl")]) == 0
    rows = {r["lang"]: r for r in map(json.loads, capsys.readouterr().out.splitlines())}
    assert set(rows) == LANGS | {"all"}
    assert rows["all"]["precision"] >= 0.97
    assert rows["all"]["recall"] >= 0.97
    for lang in LANGS:
        assert rows[lang]["recall"] >= 0.90, lang
