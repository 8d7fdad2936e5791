"""The ninth round's estimate: the guard trained without seen-v9, measured on seen-v9 (issue 13).

    .venv/bin/python scripts/guard_round9.py [NGRAMS ...] [--cache FILE] [--errors]

seen-v9 (the former heldout-v9, measured once on main with intent-8) is training data since the
ninth round; its errors were read. A model trained on it says nothing about it, so, as the eighth
round did for seen-v8, each recipe is trained on every file of
bouclier.guard.evaluation.TRAINING **but seen-v9** and the whole guard (bouclier.guard.stages,
the learned decision and the floor under its overrule, main's thresholds) is run on seen-v9's
covered languages: the harm head (intent-8's recipe) and the follow-up head on the sentence
embedding, a hashed n-gram model, and the stacker over them and the lexicons' reading, trained
on the hand-written split (seen-v2 … seen-v8) scored out of fold (scripts/guard_round8.py's
functions, the clauses left out as in intent-8). The harm head's scores are kept beside the
embedding cache (they do not depend on NGRAMS).

Each NGRAMS is the shortest character n-gram in a word of Han, kana or Hangul
(bouclier.guard.features.ngrams): ``3`` is intent-8's recipe, ``1`` and ``2`` read the
characters and their pairs ("扒光"). Prints, for each, the precision and recall on seen-v9, per
language, and (``--errors``) the prompts it gets wrong. Nothing else is written.
"""

from __future__ import annotations

import argparse
import functools
import json
import os
import sys
from pathlib import Path

os.environ.setdefault("OMP_NUM_THREADS", "2")

import numpy as np

from bouclier.guard import features
from bouclier.guard.evaluation import TRAINING, load_corpus
from bouclier.guard.language import COVERAGE

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "scripts"))

import guard_round8 as r8  # noqa: E402
import train_guard_intent as train  # noqa: E402

SCORED = "seen-v9"
WRITTEN = [n for n in train.WRITTEN if n != SCORED]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("ngrams", nargs="*", type=int, default=[3, 1])
    parser.add_argument("--cache", type=Path, help="embeddings kept here between runs (.npz)")
    parser.add_argument("--errors", action="store_true", help="print seen-v9's errors")
    args = parser.parse_args()
    training = [
        e for n in TRAINING if n != SCORED for e in load_corpus(train.CORPUS / f"{n}.jsonl")
    ]
    scored = [e for e in load_corpus(train.CORPUS / f"{SCORED}.jsonl") if e.lang in COVERAGE]
    every = [e for n in TRAINING for e in load_corpus(train.CORPUS / f"{n}.jsonl")]
    vectors = r8.Vectors(args.cache)
    vectors.ensure([t for e in every for t in train.read(e)])
    read = sorted({t for e in scored for t in train.read(e)})
    kept = args.cache.with_name("harm-v9.json") if args.cache else None
    if kept is not None and kept.exists():
        oof, full = json.loads(kept.read_text(encoding="utf-8"))
    else:
        oof, full = r8.harm_everywhere(vectors, training, read)
        if kept is not None:
            kept.write_text(json.dumps([oof, full]), encoding="utf-8")
    follow = train.samples(training)["continues_"]
    fitted = train.fit(vectors.inputs(follow.texts, "use"), np.array(follow.labels), 16)
    continues = dict(
        zip(read, train.predict(fitted, vectors.inputs(read, "use")).tolist(), strict=True)
    )
    base = [
        e for n in WRITTEN for e in load_corpus(train.CORPUS / f"{n}.jsonl") if e.lang in COVERAGE
    ]
    sample = train.samples(base)[""]
    r8.USED["clause"] = False  # intent-8's recipe: the clauses are not read
    original = features.ngrams
    print(f"trained on {len(training)} examples without {SCORED}; scored {len(scored)} prompts")
    results = {}
    for shortest in args.ngrams:
        features.ngrams = functools.partial(original, cjk=shortest)  # type: ignore[assignment]
        goof, gfull = r8.ngram_everywhere(training, read)
        w = r8.fit_logistic(
            r8.stack_inputs(vectors, sample.texts, oof, goof), np.array(sample.labels)
        )
        stacked = dict(
            zip(
                read,
                r8.apply_logistic(w, r8.stack_inputs(vectors, read, full, gfull)).tolist(),
                strict=True,
            )
        )
        results[shortest] = result = r8.run_guard(scored, stacked, continues, True)
        print(r8.line(f"n-grams from {shortest} in CJK", result), flush=True)
        if args.errors:
            for example, decision in result.errors:
                print(
                    f"  {example.lang} {example.label} {dict(decision.stages)['model']:.2f} "
                    f"{example.text[:100]!r}{' (ctx)' if example.context else ''}"
                )
    features.ngrams = original
    print("| lang | n | " + " | ".join(f"from {s}: P / R" for s in results) + " |")
    rows = [result.rows() for result in results.values()]
    for per_lang in zip(*rows, strict=True):
        cells = " | ".join(f"{r['precision']:.3f} / {r['recall']:.3f}" for r in per_lang)
        print(f"| {per_lang[0]['lang']} | {per_lang[0]['n']} | {cells} |")


if __name__ == "__main__":
    main()
