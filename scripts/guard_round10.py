"""The tenth round's estimate: intent-9 and intent-10 side by side, files held out (issue 13).

    .venv/bin/python scripts/guard_round10.py [--cache FILE] [--errors]

No held-out file is on the branch (heldout-v10 is spent: seen-v10), so each recipe is measured
on the **hand-written** training files (scripts/train_guard_intent.py's ``WRITTEN``, seen-v2 …
seen-v10: free sentences as users write them, not templates) by a cross-validation whose folds
hold **whole files** out (scripts/guard_folds.py): every hand-written file is in one fold (in the
tenth round: seen-v2 and seen-v7, seen-v3 and seen-v8, seen-v4 and seen-v9, seen-v5 and seen-v10,
seen-v6), the generated rows by their bank phrase (scripts/train_guard_intent.py's folds). For each
fold, the harm head, the follow-up head and the n-gram model are trained on the other folds; the
stacker on the other folds' hand-written prompts, scored by those models out of fold (the recipe of
train_guard_intent.py, one level down); the whole guard (bouclier.guard.stages, main's thresholds)
is then run on the fold's hand-written prompts in covered languages. A file's prompts are thus never
scored by a model that saw a prompt written by the same hand in the same sitting (a 5-fold split by
prompt would let one helper's paraphrases score one another).

Three guards, on the same folds and the same models:

* ``intent-9``: intent-9's recipe (the stacker on features.STACK_INPUTS with the ninth round's
  words) and the ninth round's rules;
* ``10-stacker``: intent-10's stacker (features.STACK_INPUTS_10: the tenth round's words, a
  polite request, a polite request to undress) with the ninth round's rules;
* ``intent-10``: the same stacker with the tenth round's rules (a short follow-up asking for the
  same again after a refused request, stages.AGAIN; the floor's polite requests).

Prints precision and recall (``review`` counted as not refused, as bench_guard's headline, and
counted as refused), per language, per file (the spread), and pooled over seen-v2 … seen-v9 and
over seen-v10 alone: the tenth round's rules and words were written after reading seen-v10's
errors (the ninth round's measure), so seen-v10's line is optimistic for them and seen-v2 …
seen-v9's is the estimate. Nothing is written but the embedding cache.
"""

from __future__ import annotations

import argparse
import os
from pathlib import Path

os.environ.setdefault("OMP_NUM_THREADS", "2")

import guard_folds as cv

SEEN_LAST = "seen-v10"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cache", type=Path, help="embeddings kept here between runs (.npz)")
    parser.add_argument("--errors", action="store_true", help="print intent-10's errors")
    args = parser.parse_args()
    folds = cv.Folds.load()
    vectors = cv.train.Embeddings(folds.texts(), args.cache)
    oof, continues = cv.level_one(folds, vectors)
    stacked = {}
    for tenth in (False, True):  # intent-9's stacker, then intent-10's
        cv.train.TENTH = tenth
        oof.lexical = {}
        stacked[tenth] = cv.level_two(folds, oof)
    recipes = {"intent-9": (False, False), "10-stacker": (True, False), "intent-10": (True, True)}
    chosen, files = folds.chosen()
    decisions = {
        name: cv.decide(chosen, cv.Scores(stacked[tenth], continues, tenth=rules, eleventh=False))
        for name, (tenth, rules) in recipes.items()
    }
    cv.report(chosen, files, decisions, SEEN_LAST, args.errors)


if __name__ == "__main__":
    main()
