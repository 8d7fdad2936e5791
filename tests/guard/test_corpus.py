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


def _rows(files: tuple[str, ...] = ("tune", "heldout")) -> list[dict[str, str]]:
    rows = []
    for name in files:
        split = "tune" if name in ("tune", "concepts") else "heldout"
        for line in (CORPUS / f"{name}.jsonl").read_text(encoding="utf-8").splitlines():
            row = json.loads(line)
            assert row["split"] == split
            rows.append(row)
    return rows


ALL = ("tune", "concepts", "heldout", "heldout-v2")


def test_second_generation_corpus_shape() -> None:
    rows = _rows(ALL)
    assert len(rows) >= 2000
    langs = Counter(r["lang"] for r in rows)
    assert len(langs) >= 12
    assert {"ru", "ar", "zh", "ja", "tr", "uk", "ro", "sv"} <= set(langs)
    assert sum(r["label"] == "allow" for r in rows) / len(rows) >= 0.4
    heldout = {r["text"] for r in _rows(("heldout", "heldout-v2"))}
    assert not heldout & {r["text"] for r in _rows(("concepts",))}  # not trained on
    assert not {r["text"] for r in _rows(("heldout-v2",))} & {r["text"] for r in _rows(("tune",))}
    for row in rows:
        assert (row["label"] == "refuse") == ("concept" in row)


def test_generated_files_are_up_to_date(tmp_path: Path) -> None:
    import runpy
    import shutil

    scripts = Path(__file__).resolve().parents[2] / "scripts"
    before = {n: (CORPUS / f"{n}.jsonl").read_bytes() for n in ("concepts", "heldout-v2")}
    copy = tmp_path / "corpus" / "guard"
    shutil.copytree(CORPUS, copy)
    module = runpy.run_path(str(scripts / "guard_corpus.py"))
    module["CORPUS"] = copy  # globals of the returned dict are a copy: rebuild by hand
    assert module["dump"](module["concept_rows"]()).encode() == before["concepts"]
    assert module["dump"](module["heldout_rows"]()).encode() == before["heldout-v2"]


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


def test_heldout_reaches_the_targets(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("BOUCLIER_GUARD_MODEL", "false")  # the first generation's targets
    assert run(["guard", "eval", "--format", "jsonl", str(CORPUS / "heldout.jsonl")]) == 0
    rows = {r["lang"]: r for r in map(json.loads, capsys.readouterr().out.splitlines())}
    assert set(rows) == LANGS | {"all"}
    assert rows["all"]["precision"] >= 0.97
    assert rows["all"]["recall"] >= 0.97
    for lang in LANGS:
        assert rows[lang]["recall"] >= 0.90, lang
