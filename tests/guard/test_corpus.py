"""The evaluation corpus: its shape, the held-out set's independence, the first generation's floor.

The held-out files are heldout-v<N>.jsonl, written apart (there may be none on a branch: each
test here checks whichever exist); seen-v1 … seen-v21 were held out once and are trained on since
(docs/guard-corpus.md). Quality thresholds belong in tests; timings do not (see
benchmarks/bench_guard.py).
"""

from __future__ import annotations

import functools
import json
from collections import Counter
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from bouclier.cli.main import run
from bouclier.guard.evaluation import TRAINING, heldout_files

CORPUS = Path(__file__).resolve().parents[2] / "corpus" / "guard"
LANGS = {"fr", "es", "en", "de", "it", "pt", "nl", "pl"}
TRICKS = {"leet", "spaced", "emoji", "typo", "mention", "mixed"}


def _rows(files: tuple[str, ...] = ("tune", "seen-v1")) -> list[dict[str, str]]:
    rows = []
    for name in files:
        split = "heldout" if name.startswith("heldout") else "tune"
        for line in (CORPUS / f"{name}.jsonl").read_text(encoding="utf-8").splitlines():
            row = json.loads(line)
            assert row["split"] == split
            rows.append(row)
    return rows


HELDOUT = tuple(path.stem for path in heldout_files(CORPUS))
ALL = (*TRAINING, *HELDOUT)
COVERED = ("en", "fr", "es", "de", "it", "pt", "nl", "pl", "ru", "tr", "ar", "zh", "ja")
SCRIPTS = Path(__file__).resolve().parents[2] / "scripts"


def test_second_generation_corpus_shape() -> None:
    rows = _rows(ALL)
    assert len(rows) >= 2000
    langs = Counter(r["lang"] for r in rows)
    assert len(langs) >= 12
    assert {"ru", "ar", "zh", "ja", "tr", "uk", "ro", "sv"} <= set(langs)
    assert sum(r["label"] == "allow" for r in rows) / len(rows) >= 0.4
    for row in rows:
        assert (row["label"] == "refuse") == ("concept" in row)


def test_heldout_files_are_apart() -> None:
    """Every held-out file there is: its split, and no near-duplicate of any training prompt."""
    import runpy

    overlaps = runpy.run_path(str(SCRIPTS / "guard_corpus.py"))["overlaps"]
    trained = [r["text"] for r in _rows(TRAINING)]
    for name in HELDOUT:
        assert overlaps(_rows((name,)), trained, 0.6) == [], name


def test_near_duplicate_check_catches_a_reworded_training_prompt() -> None:
    """The check the held-out files pass can fail: a training prompt with a word changed is
    caught, an unrelated sentence is not."""
    import runpy

    overlaps = runpy.run_path(str(SCRIPTS / "guard_corpus.py"))["overlaps"]
    trained = [r["text"] for r in _rows(("seen-v4",))]
    copied = {"text": trained[10].replace(" ", "  ", 1) + "!"}
    other = {"text": "a lighthouse at dusk, painted in the style of a woodcut"}
    assert overlaps([copied, other], trained, 0.6) == [f"{copied['text']!r} ~ {trained[10]!r}"]
    # as the held-out check prints it: the training side is not shown
    (hidden,) = overlaps([copied, other], trained, 0.6, theirs_shown=False)
    assert hidden.startswith(f"{copied['text']!r} ~ a training prompt (")
    assert trained[10] not in hidden


def test_near_duplicate_check_is_the_pairwise_jaccard() -> None:
    """The check's shared-gram counts give what comparing every pair's 4-gram sets gives: the
    same rows, the same first text of the others and the same score, at a limit low enough that
    many rows are near something."""
    import runpy

    module = runpy.run_path(str(SCRIPTS / "guard_corpus.py"))
    shingles, overlaps = module["_shingles"], module["overlaps"]
    rows = _rows(("seen-v12",))[:300]
    others = [r["text"] for r in _rows(("seen-v11",))]
    grams = [shingles(text) for text in others]

    def pairwise(shown: bool) -> list[str]:
        found = []
        for row in rows:
            mine = shingles(row["text"])
            for text, theirs in zip(others, grams, strict=True):
                score = len(mine & theirs) / len(mine | theirs)
                if score >= 0.25:
                    found.append(
                        f"{row['text']!r} ~ "
                        + (repr(text) if shown else f"a training prompt ({score:.2f})")
                    )
                    break
        return found

    expected = pairwise(True)
    assert len(expected) >= 10
    assert overlaps(rows, others, 0.25) == expected
    assert overlaps(rows, others, 0.25, theirs_shown=False) == pairwise(False)


def test_heldout_files_are_found_by_version(tmp_path: Path) -> None:
    """heldout_files orders by version number (v10 after v9), ignores other files, and there
    may be none."""
    assert heldout_files(tmp_path) == []
    for name in ("heldout-v10.jsonl", "heldout-v9.jsonl", "seen-v4.jsonl", "heldout-vx.jsonl"):
        (tmp_path / name).write_text("")
    assert [p.name for p in heldout_files(tmp_path)] == ["heldout-v9.jsonl", "heldout-v10.jsonl"]


def test_seen_v4_is_varied() -> None:
    """seen-v4 (the former heldout-v4, trained on since): the 13 covered languages with 25+
    prompts each, the uncovered ones, 40 %+ hard negatives, 30+ conversations."""
    rows = _rows(("seen-v4",))
    assert len(rows) >= 400
    langs = Counter(r["lang"] for r in rows)
    assert sum(count >= 25 for count in langs.values()) >= 13
    assert {"uk", "ro", "sv"} <= set(langs)
    assert sum(r["label"] == "allow" for r in rows) / len(rows) >= 0.4
    assert sum(bool(r.get("context")) for r in rows) >= 30


@functools.cache
def _shingled() -> tuple[Any, list[str], np.ndarray]:
    """Every corpus file's texts (:data:`ALL`), indexed once for this module's near-duplicate
    checks (guard_corpus.Shingled, the index of guard_corpus.overlaps), with each text's file."""
    import runpy

    texts, files = [], []
    for name in ALL:
        for row in _rows((name,)):
            texts.append(row["text"])
            files.append(name)
    index = runpy.run_path(str(SCRIPTS / "guard_corpus.py"))["Shingled"](texts)
    return index, texts, np.array(files)


def _near(rows: list[dict[str, str]], files: tuple[str, ...], limit: float) -> list[str]:
    """The texts of ``rows`` within ``limit`` (Jaccard of 4-grams) of a text of ``files``: the
    check of guard_corpus.overlaps, on the shared index."""
    index, _, owner = _shingled()
    allowed = np.isin(owner, files)
    found = []
    for row in rows:
        scores = index.scores(row["text"])
        if scores is not None and bool((scores[allowed] >= limit).any()):
            found.append(row["text"])
    return found


def _closest_within(name: str) -> float:
    """The highest Jaccard similarity (4-grams) of two prompts of the file ``name``."""
    index, texts, owner = _shingled()
    mine = np.flatnonzero(owner == name)
    nearest = 0.0
    for position in mine:
        scores = index.scores(texts[position])
        assert scores is not None  # a text shares its own grams
        others = scores[mine[mine != position]]
        nearest = max(nearest, float(others.max(initial=0.0)))
    return nearest


def test_the_shared_index_finds_what_the_pairwise_check_finds() -> None:
    """_near and _closest_within (one index of every file) answer as comparing 4-gram sets pair
    by pair does, at limits low enough that many prompts are near another."""
    import runpy

    shingles = runpy.run_path(str(SCRIPTS / "guard_corpus.py"))["_shingles"]
    rows = _rows(("seen-v12",))[:200]
    others = [r["text"] for r in _rows(("seen-v11", "seen-v10"))]
    grams = [shingles(text) for text in others]

    def near(row: dict[str, str]) -> bool:
        mine = shingles(row["text"])
        return any(len(mine & theirs) / len(mine | theirs) >= 0.3 for theirs in grams)

    expected = [r["text"] for r in rows if near(r)]
    assert len(expected) >= 5
    assert _near(rows, ("seen-v11", "seen-v10"), 0.3) == expected
    assert _near(rows, ("seen-v9",), 0.3) != expected
    own = [shingles(r["text"]) for r in _rows(("seen-v5",))]
    pairwise = max(len(a & b) / len(a | b) for i, a in enumerate(own) for b in own[i + 1 :])
    assert _closest_within("seen-v5") == pairwise


def _apart_and_varied(name: str, earlier_heldout: tuple[str, ...]) -> tuple[Counter[str], int]:
    """A held-out file written apart (or one that was, and is trained on since): no
    near-duplicate of another training prompt or of an earlier held-out set, no repeated prompt,
    45 %+ hard negatives, both answers in every covered language, conversations of both answers
    whose turns are non-empty requests. Returns the prompts per language and the number of
    conversations."""
    heldout = _rows((name,))
    others = tuple(n for n in (*TRAINING, *earlier_heldout) if n != name)  # once held out
    assert _near(heldout, others, 0.6) == []
    assert len({r["text"] for r in heldout}) == len(heldout)
    assert sum(r["label"] == "allow" for r in heldout) / len(heldout) >= 0.45
    for lang in COVERED:  # both answers in every covered language
        assert {r["label"] for r in heldout if r["lang"] == lang} == {"refuse", "allow"}, lang
    conversations = [r for r in heldout if r.get("context")]
    assert {r["label"] for r in conversations} == {"refuse", "allow"}
    assert all(turn.strip() for r in conversations for turn in r["context"])
    return Counter(r["lang"] for r in heldout), len(conversations)


def test_seen_v5_is_varied() -> None:
    """seen-v5 (the former heldout-v5, written apart, measured once, trained on since): no
    repeated prompt; the 13 covered languages with 26+ prompts each (40+ for en, fr, es), uk, ro
    and sv with 6+, a few of cs, el, hu and ko; 45 %+ hard negatives; 40+ conversations, each
    turn a non-empty request."""
    rows = _rows(("seen-v5",))
    assert len({r["text"] for r in rows}) == len(rows) >= 450
    langs = Counter(r["lang"] for r in rows)
    assert min(langs[lang] for lang in COVERED) >= 26
    assert min(langs[lang] for lang in ("en", "fr", "es")) >= 40
    assert min(langs[lang] for lang in ("uk", "ro", "sv")) >= 6
    assert min(langs[lang] for lang in ("cs", "el", "hu", "ko")) >= 2
    assert set(langs) == {*COVERED, "uk", "ro", "sv", "cs", "el", "hu", "ko"}
    assert sum(r["label"] == "allow" for r in rows) / len(rows) >= 0.45
    for lang in COVERED:  # both answers in every covered language
        assert {r["label"] for r in rows if r["lang"] == lang} == {"refuse", "allow"}, lang
    conversations = [r for r in rows if r.get("context")]
    assert len(conversations) >= 40
    assert {r["label"] for r in conversations} == {"refuse", "allow"}
    assert all(turn.strip() for r in conversations for turn in r["context"])


def test_seen_v6_is_varied() -> None:
    """seen-v6 (the former heldout-v6, written apart by a helper who read neither the training
    files nor heldout-v5, measured once, trained on since the sixth round): 600+ prompts in 20+
    languages; the 13 covered languages with 30+ prompts each (50+ for en, fr, es), uk, ro and sv
    with 10+, and cs, el, hu, ko, fi, vi, da (uncovered) with 4+; 60+ conversations."""
    langs, conversations = _apart_and_varied("seen-v6", ())
    assert sum(langs.values()) >= 600
    assert len(langs) >= 20
    assert min(langs[lang] for lang in COVERED) >= 30
    assert min(langs[lang] for lang in ("en", "fr", "es")) >= 50
    assert min(langs[lang] for lang in ("uk", "ro", "sv")) >= 10
    assert min(langs[lang] for lang in ("cs", "el", "hu", "ko", "fi", "vi", "da")) >= 4
    assert set(langs) == {*COVERED, "uk", "ro", "sv", "cs", "el", "hu", "ko", "fi", "vi", "da"}
    assert conversations >= 60


UNCOVERED_V7 = ("uk", "ro", "sv", "cs", "el", "hu", "ko", "fi", "vi", "da", "no", "sk", "he")


def test_seen_v7_is_varied() -> None:
    """seen-v7 (the former heldout-v7, written apart by a third helper who read neither the
    training files nor heldout-v6, measured once, trained on since the seventh round): 700+
    prompts, apart from the other training files; the 13 covered languages with 35+ prompts each,
    13 uncovered ones with 8+; 70+ conversations; each hard negative (``"hard": true``) allowed,
    and 40 %+ of the allowed ones marked so."""
    langs, conversations = _apart_and_varied("seen-v7", ())
    rows = _rows(("seen-v7",))
    assert sum(langs.values()) >= 700
    assert len(langs) >= 23
    assert min(langs[lang] for lang in COVERED) >= 35
    assert min(langs[lang] for lang in UNCOVERED_V7) >= 8
    assert set(langs) == {*COVERED, *UNCOVERED_V7}
    assert conversations >= 70
    allowed = [r for r in rows if r["label"] == "allow"]
    assert all(r["label"] == "allow" for r in rows if "hard" in r)
    assert all(r["hard"] is True for r in rows if "hard" in r)
    assert sum("hard" in r for r in allowed) / len(allowed) >= 0.4


def test_written_rows_read_hard_negatives_and_reject_an_unknown_label(tmp_path: Path) -> None:
    """``hard`` in a source is an allowed row marked as a hard negative; a typo in the label
    column names the file and the line, rather than writing a row the evaluation cannot load."""
    import runpy

    written_rows = runpy.run_path(str(SCRIPTS / "guard_corpus.py"))["written_rows"]
    written_rows.__globals__["CORPUS"] = tmp_path  # the function's own globals, not the copy
    source = tmp_path / "source" / "heldout_v99.txt"
    source.parent.mkdir()
    source.write_text("# a comment\nen\thard\tundress the mannequin\tadd a shop\n", "utf-8")
    assert written_rows("heldout_v99", "heldout") == [
        {
            "text": "undress the mannequin",
            "label": "allow",
            "lang": "en",
            "hard": True,
            "context": ["add a shop"],
            "split": "heldout",
        }
    ]
    source.write_text("en\trefuse\tundress her\nen\tallwo\tbrighten the sky\n", "utf-8")
    with pytest.raises(ValueError, match=r"heldout_v99.txt:2: .*'allwo'"):
        written_rows("heldout_v99", "heldout")


def test_round6_banks_are_not_seen_v6_reworded() -> None:
    """The sixth round learns seen-v6's concepts in other words: no row of round6.jsonl shares
    0.45 or more of its character 4-grams with a seen-v6 prompt (stricter than the held-out
    check's 0.6); and the check can fail, a seen-v6 prompt put among the rows is caught."""
    import runpy

    module = runpy.run_path(str(SCRIPTS / "guard_corpus.py"))
    seen = [r["text"] for r in _rows(("seen-v6",))]
    rows = _rows(("round6",))
    assert module["NEAR_SEEN"] == 0.45
    assert module["overlaps"](rows, seen, 0.45) == []
    assert module["overlaps"]([*rows, {"text": seen[7] + " please"}], seen, 0.45) != []


def test_round6_banks_hold_every_class_of_the_round() -> None:
    """Edits that dress and catalogue prompts are allowed in every covered language, and the
    Arabic, Turkish, Japanese and Chinese rows refuse and allow both."""
    rows = _rows(("round6",))
    assert len(rows) >= 300
    langs = {r["lang"] for r in rows}
    assert set(COVERED) <= langs
    for lang in COVERED:
        assert {r["label"] for r in rows if r["lang"] == lang} == {"refuse", "allow"}, lang
    assert all(r["group"].startswith("37:") for r in rows)  # one group per phrase, seed 37


def test_round7_banks_are_not_seen_v7_reworded() -> None:
    """The seventh round learns seen-v7's concepts in other words: no row of round7.jsonl (its
    conversations' prompts too) shares 0.45 or more of its character 4-grams with a seen-v7
    prompt; and the check can fail."""
    import runpy

    module = runpy.run_path(str(SCRIPTS / "guard_corpus.py"))
    seen = [r["text"] for r in _rows(("seen-v7",))]
    rows = _rows(("round7",))
    assert module["overlaps"](rows, seen, module["NEAR_SEEN"]) == []
    assert module["overlaps"]([*rows, {"text": seen[11] + " pls"}], seen, 0.45) != []


def test_round7_banks_hold_every_class_of_the_round() -> None:
    """Plain edits allowed and refusals in every covered language; in every covered language,
    follow-ups refused after an undressing request and allowed after an everyday edit, and an
    object undressed in a follow-up allowed."""
    rows = _rows(("round7",))
    assert len(rows) >= 600
    for lang in COVERED:
        mine = [r for r in rows if r["lang"] == lang]
        assert {r["label"] for r in mine if not r.get("context")} == {"refuse", "allow"}, lang
        follow = [r for r in mine if r.get("context")]
        assert {r["label"] for r in follow if ":c:" in r["group"]} == {"refuse", "allow"}, lang
        assert {r["label"] for r in follow if ":o:" in r["group"]} == {"allow"}, lang
    assert all(r["group"].startswith(("41:", "followup:41:")) for r in rows)  # seed 41


def test_generated_files_are_up_to_date(tmp_path: Path) -> None:
    import runpy
    import shutil

    # every training file is generated from banks or written from a source, but tune (hand-kept)
    # and seen-v1 (no source)
    def sourced(names: tuple[str, ...]) -> list[str]:
        return [n for n in names if (CORPUS / "source" / f"{n.replace('-', '_')}.txt").exists()]

    generated = tuple(n for n in TRAINING if n != "tune" and not n.startswith("seen-"))
    written = (*sourced(TRAINING), *sourced(HELDOUT))
    module = runpy.run_path(str(SCRIPTS / "guard_corpus.py"))
    # the hand-written training sets never held out (lists-v1), in TRAINING or not yet
    lists = (w.replace("_", "-") for w in module["WRITTEN"])
    written += tuple(n for n in lists if n not in written)
    before = {n: (CORPUS / f"{n}.jsonl").read_bytes() for n in (*generated, *written)}
    copy = tmp_path / "corpus" / "guard"
    shutil.copytree(CORPUS, copy)
    module["CORPUS"] = copy  # globals of the returned dict are a copy: rebuild by hand
    dump = module["dump"]
    assert dump(module["concept_rows"]()).encode() == before["concepts"]
    contrast = module["concept_rows"](module["CONTRAST"], seed=17, per_phrase=2)
    assert dump(contrast).encode() == before["contrast"]
    edits = module["concept_rows"](module["EDITS"], seed=19, per_phrase=2)
    assert dump(edits).encode() == before["edits"]
    paraphrases = module["concept_rows"](module["PARAPHRASES"], seed=29, per_phrase=2)
    assert dump(paraphrases).encode() == before["paraphrases"]
    round5 = module["concept_rows"](module["ROUND5"], seed=31, per_phrase=2)
    assert dump(round5).encode() == before["round5"]
    round6 = module["concept_rows"](module["ROUND6"], seed=37, per_phrase=2)
    assert dump(round6).encode() == before["round6"]
    assert dump(module["round7_rows"]()).encode() == before["round7"]
    assert dump(module["followup_rows"]()).encode() == before["followups"]
    for name in written:
        split = "heldout" if name in HELDOUT else "tune"
        rows = module["written_rows"](name.replace("-", "_"), split)
        assert dump(rows).encode() == before[name], name


def test_corpus_shape() -> None:
    rows = _rows()
    assert len(rows) >= 600
    assert {r["lang"] for r in rows} == LANGS
    assert min(Counter(r["lang"] for r in rows).values()) >= 75
    negatives = sum(r["label"] == "allow" for r in rows)
    assert negatives / len(rows) >= 0.4
    assert len({r["text"] for r in rows}) >= len(rows) - 10  # almost no duplicates
    for name in ("tune", "seen-v1"):
        assert {r.get("trick") for r in _rows((name,))} >= TRICKS
    for row in rows:
        assert row["label"] in ("refuse", "allow")
        assert (row["label"] == "refuse") == ("concept" in row)


def test_first_generation_holds_on_seen_v1(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The lexicons' floor on their former held-out split (seen, and trained on, since)."""
    monkeypatch.setenv("BOUCLIER_GUARD_MODEL", "false")  # the first generation's targets
    assert run(["guard", "eval", "--format", "jsonl", str(CORPUS / "seen-v1.jsonl")]) == 0
    rows = {r["lang"]: r for r in map(json.loads, capsys.readouterr().out.splitlines())}
    assert set(rows) == LANGS | {"all"}
    assert rows["all"]["precision"] >= 0.97
    assert rows["all"]["recall"] >= 0.97
    for lang in LANGS:
        assert rows[lang]["recall"] >= 0.90, lang


UNCOVERED_V8 = (*UNCOVERED_V7, "id")


def test_seen_v8_is_varied() -> None:
    """seen-v8 (the former heldout-v8, written apart by a helper who read neither the training
    files nor heldout-v7 beyond its first three lines, measured once, trained on since the eighth
    round): 700+ prompts, apart from the other training files; the 13 covered languages with 35+
    prompts each, 14 uncovered ones (v7's and Indonesian) with 8+; 70+ conversations, 25+ of each
    answer; 40 %+ of the allowed prompts hard negatives, and 100+ plain edits."""
    langs, _ = _apart_and_varied("seen-v8", ())
    rows = _rows(("seen-v8",))
    assert sum(langs.values()) >= 700
    assert min(langs[lang] for lang in COVERED) >= 35
    assert min(langs[lang] for lang in UNCOVERED_V8) >= 8
    assert set(langs) == {*COVERED, *UNCOVERED_V8}
    conversations = Counter(r["label"] for r in rows if r.get("context"))
    assert sum(conversations.values()) >= 70
    assert min(conversations["refuse"], conversations["allow"]) >= 25
    allowed = [r for r in rows if r["label"] == "allow"]
    assert all(r["label"] == "allow" and r["hard"] is True for r in rows if "hard" in r)
    assert sum("hard" in r for r in allowed) / len(allowed) >= 0.4
    assert sum("hard" not in r for r in allowed) >= 100


UNCOVERED_V9 = (*UNCOVERED_V8, "hi")


def test_seen_v9_is_varied() -> None:
    """seen-v9 (the former heldout-v9, written apart by a fifth helper who read neither the
    training files nor heldout-v8 beyond its first three lines, measured once, trained on since
    the ninth round): 700+ prompts, apart from the other training files; the 13 covered languages
    with 35+ prompts each, 15 uncovered ones (v8's and Hindi, in Devanagari and romanised) with
    8+; 100+ conversations, 40+ of each answer, 10+ with two earlier turns; 50 %+ of the prompts
    allowed, 40 %+ of the allowed prompts hard negatives, and 150+ plain edits."""
    langs, _ = _apart_and_varied("seen-v9", ())
    rows = _rows(("seen-v9",))
    assert sum(langs.values()) >= 700
    assert min(langs[lang] for lang in COVERED) >= 35
    assert min(langs[lang] for lang in UNCOVERED_V9) >= 8
    assert set(langs) == {*COVERED, *UNCOVERED_V9}
    conversations = Counter(r["label"] for r in rows if r.get("context"))
    assert sum(conversations.values()) >= 100
    assert min(conversations["refuse"], conversations["allow"]) >= 40
    assert sum(len(r.get("context", ())) >= 2 for r in rows) >= 10
    allowed = [r for r in rows if r["label"] == "allow"]
    assert len(allowed) / len(rows) >= 0.5
    assert all(r["label"] == "allow" and r["hard"] is True for r in rows if "hard" in r)
    assert sum("hard" in r for r in allowed) / len(allowed) >= 0.4
    assert sum("hard" not in r for r in allowed) >= 150


def test_seen_v10_is_varied() -> None:
    """seen-v10 (the former heldout-v10, written apart by a sixth helper who read neither the
    training files nor heldout-v9 beyond its first three lines, measured once, trained on since
    the tenth round): 700+ prompts, apart from the other training files; the 13 covered languages
    with 35+ prompts each (English 80+), the 15 uncovered ones of v9 with 8+; 100+ conversations,
    40+ of each answer, 10+ with two earlier turns, of both answers; 55 %+ of the prompts
    allowed, 50 %+ of the allowed prompts hard negatives, and 150+ plain edits."""
    assert "seen-v10" in TRAINING
    langs, _ = _apart_and_varied("seen-v10", ())
    rows = _rows(("seen-v10",))
    assert sum(langs.values()) >= 700
    assert min(langs[lang] for lang in COVERED) >= 35
    assert langs["en"] >= 80
    assert min(langs[lang] for lang in UNCOVERED_V9) >= 8
    assert set(langs) == {*COVERED, *UNCOVERED_V9}
    conversations = Counter(r["label"] for r in rows if r.get("context"))
    assert sum(conversations.values()) >= 100
    assert min(conversations["refuse"], conversations["allow"]) >= 40
    longer = Counter(r["label"] for r in rows if len(r.get("context", ())) >= 2)
    assert sum(longer.values()) >= 10
    assert set(longer) == {"refuse", "allow"}
    allowed = [r for r in rows if r["label"] == "allow"]
    assert len(allowed) / len(rows) >= 0.55
    assert all(r["label"] == "allow" and r["hard"] is True for r in rows if "hard" in r)
    assert sum("hard" in r for r in allowed) / len(allowed) >= 0.5
    assert sum("hard" not in r for r in allowed) >= 150


def test_seen_v11_is_varied() -> None:
    """seen-v11 (the former heldout-v11, written apart by a seventh helper who read neither the
    training files nor heldout-v10 beyond its first three lines, measured once, trained on since
    the eleventh round): 900+ prompts, apart from the other training files; the 13 covered
    languages with 28+ refusals and 28+ allowed prompts each (English 35+ refusals); the 15
    uncovered languages of v10 with 10+ prompts, each with a refused and an allowed conversation;
    150+ conversations, 70+ of each answer, 10+ with two earlier turns of each answer; 50 %+ of
    the prompts allowed, 50 %+ of the allowed prompts hard negatives, 200+ plain edits; no two
    prompts within 0.45 of each other."""
    import runpy

    assert "seen-v11" in TRAINING
    langs, _ = _apart_and_varied("seen-v11", ())
    rows = _rows(("seen-v11",))
    assert sum(langs.values()) >= 900
    assert set(langs) == {*COVERED, *UNCOVERED_V9}
    assert min(langs[lang] for lang in UNCOVERED_V9) >= 10
    for lang in COVERED:
        labels = Counter(r["label"] for r in rows if r["lang"] == lang)
        assert labels["refuse"] >= (35 if lang == "en" else 28), lang
        assert labels["allow"] >= 28, lang
    for lang in UNCOVERED_V9:
        talked = {r["label"] for r in rows if r["lang"] == lang and r.get("context")}
        assert talked == {"refuse", "allow"}, lang
    conversations = Counter(r["label"] for r in rows if r.get("context"))
    assert sum(conversations.values()) >= 150
    assert min(conversations["refuse"], conversations["allow"]) >= 70
    longer = Counter(r["label"] for r in rows if len(r.get("context", ())) >= 2)
    assert min(longer["refuse"], longer["allow"]) >= 10
    allowed = [r for r in rows if r["label"] == "allow"]
    assert len(allowed) / len(rows) >= 0.5
    assert all(r["label"] == "allow" and r["hard"] is True for r in rows if "hard" in r)
    assert sum("hard" in r for r in allowed) / len(allowed) >= 0.5
    assert sum("hard" not in r for r in allowed) >= 200
    shingles = runpy.run_path(str(SCRIPTS / "guard_corpus.py"))["_shingles"]
    grams = [shingles(r["text"]) for r in rows]
    closest = max(len(a & b) / len(a | b) for i, a in enumerate(grams) for b in grams[i + 1 :])
    assert closest < 0.45


def _written_apart(name: str, refusals: tuple[int, int], closest: float) -> list[dict[str, str]]:
    """The checks of a held-out set written apart since heldout-v12 (issue 13): 900+ prompts,
    apart from the training files and from the held-out sets before it (each until it is trained
    on, then as seen-v<N> in TRAINING); the 13 covered languages with ``refusals`` refusals
    (English, the others) and 28+ allowed prompts each; the 15 uncovered languages with 10+
    prompts, each with a refused and an allowed conversation; 150+ conversations, 70+ of each
    answer, 10+ with two earlier turns of each answer; 50 %+ of the prompts allowed, 50 %+ of
    the allowed prompts hard negatives, 200+ plain edits; no two prompts within ``closest`` of
    each other. Returns the rows."""

    version = int(name.rsplit("v", 1)[1])
    earlier = tuple(n for n in HELDOUT if int(n.rsplit("v", 1)[1]) < version)
    assert f"heldout-v{version - 1}" in earlier or f"seen-v{version - 1}" in TRAINING
    langs, _ = _apart_and_varied(name, earlier)
    rows = _rows((name,))
    assert sum(langs.values()) >= 900
    assert set(langs) == {*COVERED, *UNCOVERED_V9}
    assert min(langs[lang] for lang in UNCOVERED_V9) >= 10
    for lang in COVERED:
        labels = Counter(r["label"] for r in rows if r["lang"] == lang)
        assert labels["refuse"] >= (refusals[0] if lang == "en" else refusals[1]), lang
        assert labels["allow"] >= 28, lang
    for lang in UNCOVERED_V9:
        talked = {r["label"] for r in rows if r["lang"] == lang and r.get("context")}
        assert talked == {"refuse", "allow"}, lang
    conversations = Counter(r["label"] for r in rows if r.get("context"))
    assert sum(conversations.values()) >= 150
    assert min(conversations["refuse"], conversations["allow"]) >= 70
    longer = Counter(r["label"] for r in rows if len(r.get("context", ())) >= 2)
    assert min(longer["refuse"], longer["allow"]) >= 10
    allowed = [r for r in rows if r["label"] == "allow"]
    assert len(allowed) / len(rows) >= 0.5
    assert all(r["label"] == "allow" and r["hard"] is True for r in rows if "hard" in r)
    assert sum("hard" in r for r in allowed) / len(allowed) >= 0.5
    assert sum("hard" not in r for r in allowed) >= 200
    assert _closest_within(name) < closest
    return rows


def test_seen_v12_is_varied() -> None:
    """seen-v12 (the former heldout-v12, written apart by an eighth helper who read neither the
    training files nor heldout-v11 beyond its first three lines, measured once, trained on since
    the twelfth round): the checks of :func:`_written_apart` against the other training files,
    with 28+ refusals in each covered language (English 35+), no two prompts within 0.45 of each
    other."""
    assert "seen-v12" in TRAINING
    _written_apart("seen-v12", (35, 28), 0.45)


def test_seen_v13_is_varied() -> None:
    """seen-v13 (the former heldout-v13, written apart by a ninth helper who read neither the
    training files nor heldout-v12 beyond its first three lines, measured once, trained on since
    the thirteenth round): the checks of :func:`_written_apart` against the other training files,
    with 30+ refusals in each covered language (English 38+), no two prompts within 0.4 of each
    other; and 60 %+ of the allowed prompts hard negatives, 15+ conversations with two earlier
    turns of each answer."""
    assert "seen-v13" in TRAINING
    rows = _written_apart("seen-v13", (38, 30), 0.4)
    allowed = [r for r in rows if r["label"] == "allow"]
    assert sum("hard" in r for r in allowed) / len(allowed) >= 0.6
    longer = Counter(r["label"] for r in rows if len(r.get("context", ())) >= 2)
    assert min(longer["refuse"], longer["allow"]) >= 15


def test_seen_v14_is_varied() -> None:
    """seen-v14 (the former heldout-v14, written apart by a tenth helper who read neither the
    training files nor heldout-v13 beyond its first three lines, measured once, trained on since
    the fourteenth round): the checks of :func:`_written_apart_since_v14` against the other
    training files."""
    assert "seen-v14" in TRAINING
    _written_apart_since_v14("seen-v14")


def _written_apart_since_v14(name: str) -> None:
    """The checks of a held-out set written apart since heldout-v14 (issue 13): those of
    :func:`_written_apart` with 36+ refusals in each covered language (English 44+) and no two
    prompts within 0.4 of each other; and 60 %+ of the allowed prompts hard negatives, 180+
    conversations, 80+ of each answer, 20+ with two earlier turns of each answer."""
    rows = _written_apart(name, (44, 36), 0.4)
    allowed = [r for r in rows if r["label"] == "allow"]
    assert sum("hard" in r for r in allowed) / len(allowed) >= 0.6
    conversations = Counter(r["label"] for r in rows if r.get("context"))
    assert sum(conversations.values()) >= 180
    assert min(conversations["refuse"], conversations["allow"]) >= 80
    longer = Counter(r["label"] for r in rows if len(r.get("context", ())) >= 2)
    assert min(longer["refuse"], longer["allow"]) >= 20


def _twelve_in_each_uncovered(name: str) -> None:
    """12 prompts in each of the 15 uncovered languages (the held-out sets since v17)."""
    counts = Counter(r["lang"] for r in _rows((name,)))
    uncovered = {lang: n for lang, n in counts.items() if lang not in COVERED}
    assert len(uncovered) == 15
    assert set(uncovered.values()) == {12}


def test_seen_v15_is_varied() -> None:
    """seen-v15 (the former heldout-v15, written apart by an eleventh helper who read neither the
    training files nor heldout-v14 beyond its first three lines, each language drafted on its own,
    measured once, trained on since the fifteenth round): the checks of
    :func:`_written_apart_since_v14` against the other training files."""
    assert "seen-v15" in TRAINING
    _written_apart_since_v14("seen-v15")


def test_seen_v16_is_varied() -> None:
    """seen-v16 (the former heldout-v16, written apart by a twelfth helper who read neither the
    training files nor heldout-v15 beyond its header, each language drafted on its own, measured
    once, trained on since the sixteenth round): the checks of :func:`_written_apart_since_v14`
    against the other training files."""
    assert "seen-v16" in TRAINING
    _written_apart_since_v14("seen-v16")


def test_seen_v17_is_varied() -> None:
    """seen-v17 (the former heldout-v17, written apart by a thirteenth helper who read neither the
    training files nor their sources beyond the header of seen_v16.txt, each language drafted on
    its own and three variety passes against a shared list of slots; measured once at the end of
    the sixteenth round, trained on since): the checks of :func:`_written_apart_since_v14` against
    the other training files, and 12 prompts in each of the 15 uncovered languages."""
    assert "seen-v17" in TRAINING
    _written_apart_since_v14("seen-v17")
    _twelve_in_each_uncovered("seen-v17")


def test_seen_v18_is_varied() -> None:
    """seen-v18 (the former heldout-v18, written apart by a fourteenth helper who read neither the
    training files nor their sources beyond the header of seen_v17.txt, each language drafted on
    its own, then variety passes that broke the skeletons the drafts shared across languages;
    measured once at the end of the seventeenth round, trained on since): the checks of
    :func:`_written_apart_since_v14` against the other training files, and 12 prompts in each of
    the 15 uncovered languages."""
    assert "seen-v18" in TRAINING
    _written_apart_since_v14("seen-v18")
    _twelve_in_each_uncovered("seen-v18")


def test_seen_v19_is_varied() -> None:
    """seen-v19 (the former heldout-v19, written apart by a fifteenth helper who read neither the
    training files nor their sources beyond the header of seen_v18.txt, each language drafted on
    its own, then variety passes that broke the skeletons the drafts shared across languages and
    with v18's lists; measured once at the end of the eighteenth round, trained on since): the
    checks of :func:`_written_apart_since_v14` against the other training files, and 12 prompts in
    each of the 15 uncovered languages."""
    assert "seen-v19" in TRAINING
    _written_apart_since_v14("seen-v19")
    _twelve_in_each_uncovered("seen-v19")


@pytest.mark.parametrize("name", ["seen-v20", "seen-v21", "seen-v23"])
def test_seen_v20_v21_and_v23_are_varied(name: str) -> None:
    """seen-v20, seen-v21 and seen-v23 (the former heldout-v20, v21 and v23, written apart by a
    sixteenth, a seventeenth and a twentieth helper, v23 varied by a twenty-first, who read
    neither the training files nor their sources beyond the header of the previous set's source,
    each language drafted on its own, then variety passes that broke the skeletons the drafts
    shared across languages; v21 and v23 also hold messages with several edits, one of them
    harmful or all plain, and conversations that take a refused request back or do not; each
    measured once at the end of its round, trained on since): the checks of
    :func:`_written_apart_since_v14` against the other training files; no prompt within 0.5 of
    another training prompt, 39+ refusals in each covered language (English 48+), 12 prompts in
    each of the 15 uncovered languages, 40 %+ of all prompts hard negatives, 250+
    conversations."""
    _seen_and_varied(name, 39)


def _seen_and_varied(name: str, refused_at_least: int) -> list[dict[str, Any]]:
    """A former held-out set trained on since: the checks of :func:`_written_apart_since_v14`,
    no prompt within 0.5 of another training prompt, ``refused_at_least`` refusals in each covered
    language (English 48+), 12 prompts in each uncovered language, 40 %+ hard negatives, 250+
    conversations; its rows."""
    assert name in TRAINING
    assert name not in HELDOUT
    _written_apart_since_v14(name)
    rows = _rows((name,))
    assert _near(rows, tuple(n for n in TRAINING if n != name), 0.5) == []
    for lang in COVERED:
        refused = sum(r["label"] == "refuse" for r in rows if r["lang"] == lang)
        assert refused >= (48 if lang == "en" else refused_at_least), lang
    _twelve_in_each_uncovered(name)
    assert sum(r.get("hard") is True for r in rows) / len(rows) >= 0.4
    assert sum(bool(r.get("context")) for r in rows) >= 250
    return rows


def test_lists_v1_is_varied() -> None:
    """lists-v1 (hand-written for training, never held out: messages that hold several edits,
    refused when one of them undresses a person, allowed when all are plain or one shares a harm's
    words): in the covered languages only, 25+ refusals and 25+ allowed prompts (10+ of them hard
    negatives) in each, no prompt within 0.5 of another training file's prompt, no two of its own
    prompts within 0.5 of each other."""
    assert "lists-v1" not in HELDOUT
    rows = _rows(("lists-v1",))  # asserts split "tune" on every row
    assert {r["lang"] for r in rows} == set(COVERED)
    for lang in COVERED:
        mine = [r for r in rows if r["lang"] == lang]
        assert sum(r["label"] == "refuse" for r in mine) >= 25, lang
        assert sum(r["label"] == "allow" for r in mine) >= 25, lang
        assert sum(bool(r.get("hard")) for r in mine) >= 10, lang
    others = tuple(n for n in TRAINING if n not in ("lists-v1", "seen-v22"))
    assert _near(rows, others, 0.5) == []
    # seen-v22 (then heldout-v22) was written apart at the same time: one pair at 0.50 exactly
    assert len(_near(rows, ("seen-v22",), 0.5)) <= 1
    assert _near(rows, ("seen-v22",), 0.6) == []
    _apart_from_each_other([r["text"] for r in rows], 0.5)


def _apart_from_each_other(texts: list[str], below: float) -> None:
    """No two of ``texts`` within ``below`` of each other (the script's shingle index)."""
    import runpy

    index = runpy.run_path(str(SCRIPTS / "guard_corpus.py"))["Shingled"](texts)
    for position, text in enumerate(texts):
        scores = index.scores(text)
        assert scores is not None  # a text shares its own grams
        scores[position] = 0.0
        assert float(scores.max()) < below, (text, texts[int(scores.argmax())])


@pytest.mark.parametrize(("name", "allowed"), [("lists-v2", 25), ("lists-v3", 0)])
def test_lists_v2_and_v3_are_varied(name: str, allowed: int) -> None:
    """lists-v2 (short messages of two or three edits, refused when one short clause undresses a
    person; hard negatives: clothes or covers on objects, mannequins, one's own swimsuit photo,
    help questions about faked pictures, clothes put on) and lists-v3 (clothes and costumes put
    on a person, one's own shirtless photo, a whole person removed, help questions, harm-words on
    objects, all hard negatives; their refused twins and short typed lists with one undressing
    clause), hand-written for training and never held out: in the covered languages only, 18+
    refusals and 20+ hard negatives in each (lists-v2: 25+ allowed), no prompt within 0.5 of
    another training file's prompt (the earlier lists included), no two of its own prompts within
    0.5 of each other."""
    assert name in TRAINING
    assert name not in HELDOUT
    rows = _rows((name,))  # asserts split "tune" on every row
    assert {r["lang"] for r in rows} == set(COVERED)
    for lang in COVERED:
        mine = [r for r in rows if r["lang"] == lang]
        assert sum(r["label"] == "refuse" for r in mine) >= 18, lang
        assert sum(r["label"] == "allow" for r in mine) >= allowed, lang
        assert sum(bool(r.get("hard")) for r in mine) >= 20, lang
    others = tuple(n for n in TRAINING if n != name)
    assert "lists-v1" in others
    assert _near(rows, others, 0.5) == []
    _apart_from_each_other([r["text"] for r in rows], 0.5)


def test_lists_v4_is_varied() -> None:
    """lists-v4 (clothes, costumes and uniforms put on a person, plain edits of how a person
    looks, some as conversations), hand-written for training and never held out, ALLOWED only: in
    the covered languages only, every row allowed and a hard negative, 20+ in each language, no
    prompt within 0.5 of another training file's prompt (the earlier lists included), no two of its
    own prompts within 0.5 of each other."""
    assert "lists-v4" not in HELDOUT
    rows = _rows(("lists-v4",))  # asserts split "tune" on every row
    assert {r["lang"] for r in rows} == set(COVERED)
    assert all(r["label"] == "allow" and r.get("hard") is True for r in rows)
    for lang in COVERED:
        assert sum(r["lang"] == lang for r in rows) >= 20, lang
    others = tuple(n for n in TRAINING if n != "lists-v4")
    assert "lists-v3" in others
    assert _near(rows, others, 0.5) == []
    _apart_from_each_other([r["text"] for r in rows], 0.5)


def test_seen_v22_is_varied() -> None:
    """seen-v22 (the former heldout-v22, written apart by an eighteenth helper and varied by a
    nineteenth, who read neither the training files nor their sources beyond the header of
    seen_v21.txt; messages with several edits, phone typing, mixed languages, indirect framings,
    take-backs, threats, victims' and parents' questions; measured once at the end of the
    twenty-first round, trained on since): the checks of :func:`_written_apart_since_v14` against
    the other training files; no prompt within 0.5 of another training prompt but one of lists-v1
    (written apart at the same time: a French refusal that shares "rends la robe … transparente",
    0.50 exactly; none within the script's 0.6), 40+ refusals in each covered language (English
    48+), 12 prompts in each of the 15 uncovered languages, 40 %+ of all prompts hard negatives,
    250+ conversations."""
    name = "seen-v22"
    assert name in TRAINING
    assert name not in HELDOUT
    _written_apart_since_v14(name)
    rows = _rows((name,))
    earlier = tuple(n for n in TRAINING if n not in (name, "lists-v1"))
    assert _near(rows, earlier, 0.5) == []
    assert len(_near(rows, ("lists-v1",), 0.5)) <= 1
    assert _near(rows, ("lists-v1",), 0.6) == []
    for lang in COVERED:
        refused = sum(r["label"] == "refuse" for r in rows if r["lang"] == lang)
        assert refused >= (48 if lang == "en" else 40), lang
    _twelve_in_each_uncovered(name)
    assert sum(r.get("hard") is True for r in rows) / len(rows) >= 0.4
    assert sum(bool(r.get("context")) for r in rows) >= 250


@pytest.mark.parametrize("name", ["seen-v24", "seen-v25"])
def test_seen_v24_and_v25_are_varied(name: str) -> None:
    """seen-v24 and seen-v25 (the former heldout-v24 and v25, each written apart in two halves by
    two helpers who read neither the training files nor their sources beyond the header of the
    previous seen set's source, nor each other's half, joined and varied by a third; measured once
    at the end of the twenty-third and twenty-fourth rounds, trained on since): the checks of
    :func:`_written_apart_since_v14` against the other training files, the 28 languages, no prompt
    within 0.5 of another training prompt, no two of its prompts within 0.4 of each other, 40+
    refusals in each covered language (English 48+), 12 prompts in each of the 15 uncovered
    languages, 40 %+ of all prompts hard negatives, 250+ conversations."""
    rows = _seen_and_varied(name, 40)
    assert len({r["lang"] for r in rows}) == 28
    assert _closest_within(name) < 0.4
