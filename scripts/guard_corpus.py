"""Builds the guard's corpus files from their sources (run from the repository root).

    .venv/bin/python scripts/guard_corpus.py

* ``corpus/guard/concepts.jsonl`` (split ``tune``): the phrase banks of scripts/guard_concepts.py,
  each phrase put in three of its language's frames with three people, drawn with a fixed seed;
  a generated prompt equal to a held-out one is dropped.
* ``corpus/guard/heldout-v2.jsonl`` (split ``heldout``): the hand-written sentences of
  corpus/guard/source/heldout_v2.txt, as they are.

The output is deterministic: running it twice writes the same bytes (a test checks the files are
up to date).
"""

from __future__ import annotations

import json
import random
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "scripts"))

from guard_concepts import BANKS  # noqa: E402

CORPUS = ROOT / "corpus" / "guard"
PER_PHRASE = 3


def heldout_texts() -> set[str]:
    """Every held-out prompt: a generated phrase equal to one is dropped (held out wins)."""
    texts = {r["text"] for r in heldout_rows()}
    for line in (CORPUS / "heldout.jsonl").read_text(encoding="utf-8").splitlines():
        texts.add(json.loads(line)["text"])
    return texts


def concept_rows() -> list[dict[str, str]]:
    rng = random.Random(13)
    rows: list[dict[str, str]] = []
    seen: set[str] = heldout_texts()
    for lang, bank in BANKS.items():
        for kind, label in (("HARM", "refuse"), ("SAFE", "allow")):
            for phrase in bank[kind]:
                for _ in range(PER_PHRASE):
                    frame = rng.choice(bank["FRAME"])
                    text = frame.replace("{x}", phrase.replace("{p}", rng.choice(bank["WHO"])))
                    if text in seen:
                        continue
                    seen.add(text)
                    row = {"text": text, "label": label, "lang": lang}
                    if label == "refuse":
                        row["concept"] = "generated"
                    rows.append({**row, "split": "tune"})
    return rows


def heldout_rows() -> list[dict[str, str]]:
    rows = []
    source = CORPUS / "source" / "heldout_v2.txt"
    for line in source.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        lang, label, text = line.split("\t")
        row = {"text": text, "label": label, "lang": lang}
        if label == "refuse":
            row["concept"] = "written"
        rows.append({**row, "split": "heldout"})
    return rows


def dump(rows: list[dict[str, str]]) -> str:
    return "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows)


def main() -> None:
    (CORPUS / "concepts.jsonl").write_text(dump(concept_rows()), encoding="utf-8")
    (CORPUS / "heldout-v2.jsonl").write_text(dump(heldout_rows()), encoding="utf-8")


if __name__ == "__main__":
    main()
