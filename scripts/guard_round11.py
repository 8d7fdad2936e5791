"""The eleventh round's estimate: intent-10 and intent-11 side by side, files held out (issue 13).

    .venv/bin/python scripts/guard_round11.py [--cache FILE] [--scores FILE] [--errors]

No held-out file is on the branch (heldout-v11 is spent: seen-v11), so, as the tenth round did
(scripts/guard_round10.py), each guard is measured on the **hand-written** training files
(scripts/train_guard_intent.py's ``WRITTEN``) by a cross-validation whose folds hold **whole
files** out (scripts/guard_folds.py; in the eleventh round: seen-v2 and seen-v7, seen-v3 and
seen-v8, seen-v4 and seen-v9, seen-v5 and seen-v10, seen-v6 and seen-v11), the generated rows by
their bank phrase. For each
fold the harm head, the follow-up head and the n-gram model are trained on the other folds, the
stacker (intent-10's: features.STACK_INPUTS_10) on the other folds' hand-written prompts scored
out of fold; the whole guard (bouclier.guard.stages, main's thresholds) is then run on the
fold's hand-written prompts in covered languages.

Two guards, on the same folds and the same scores:

* ``intent-10``: intent-10's recipe and the tenth round's rules;
* ``intent-11``: the same scores with the eleventh round's rules (bouclier.guard.eleventh:
  clothes made to vanish or see-through, idioms for naked, a hypothetical or scripted frame, an
  excuse, a follow-up asking for the same, a victim or parent asking for help).

The eleventh round's rules were written after reading seen-v11's errors (heldout-v11, the tenth
round's one-time measure), so seen-v11's line is in-sample for them and seen-v2 … seen-v10's is
the estimate. Nothing is written but the embedding cache and ``--scores``.
"""

from __future__ import annotations

import argparse
import json
import os
from pathlib import Path

os.environ.setdefault("OMP_NUM_THREADS", "2")

import guard_folds as cv

GUARDS = ("intent-10", "intent-11")
SEEN_LAST = "seen-v11"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cache", type=Path, help="embeddings kept here between runs (.npz)")
    parser.add_argument("--errors", action="store_true", help="print intent-11's errors")
    parser.add_argument(
        "--scores",
        type=Path,
        help="the models' out-of-fold scores kept here (JSON): rerun the guards alone on them",
    )
    args = parser.parse_args()
    folds = cv.Folds.load()
    if args.scores is not None and args.scores.exists():
        continues, stacked = json.loads(args.scores.read_text(encoding="utf-8"))
    else:
        vectors = cv.train.Embeddings(folds.texts(), args.cache)
        oof, continues = cv.level_one(folds, vectors)
        cv.train.TENTH = True
        stacked = cv.level_two(folds, oof)
        if args.scores is not None:
            kept = [continues, stacked]
            args.scores.write_text(json.dumps(kept, ensure_ascii=False), encoding="utf-8")
    chosen, files = folds.chosen()
    decisions = {
        name: cv.decide(chosen, cv.Scores(stacked, continues, eleventh=name == "intent-11"))
        for name in GUARDS
    }
    cv.report(chosen, files, decisions, SEEN_LAST, args.errors)


if __name__ == "__main__":
    main()
