"""intent-15-first's estimate: the first reading retrained with seen-v18, whole files held out
(issue 13).

    .venv/bin/python scripts/guard_intent15_folds.py --cache FILE [--scores FILE] [--errors]

The folds are intent-14's (scripts/guard_intent14_folds.py, on guard_intent13_folds and
guard_folds: the hand-written file ``k`` of train_guard_intent.WRITTEN, seen-v2 … seen-v18, in
fold ``k % 5``, so seen-v2+v7+v12+v17, v3+v8+v13+v18, v4+v9+v14, v5+v10+v15, v6+v11+v16; the
generated rows by bank phrase). The reading is **intent-10's recipe alone** (the first reading:
no e5 second reading is computed or read), computed twice on the same folds:

* **with** seen-v18 among the training files (intent-15-first's set: all of evaluation.TRAINING);
* **without** it (intent-14's training set): seen-v18 is still scored, by its fold's models, but
  no model of any fold is trained on it (guard_intent13_folds.without).

Both are read by the guard with the seventeenth round's rules (the default). :func:`judge`
prints the pre-registered rule's table (docs/guard.md, "intent-15-first, trained"): per arm,
precision / recall, false refusals / misses and errors on **the estimate (seen-v2 … seen-v14 and
seen-v18)**, on seen-v18 alone (inside the estimate) and on seen-v15, seen-v16 and seen-v17 apart
(deciding nothing: files read to write the rules of rules 17's stack); per covered language on
the estimate, both arms' false refusals / misses; then the verdict: "with" against "without" on
the estimate, (1) fewer errors, (2) false refusals at most × 1.05. guard_folds.report's tables
follow (the estimate, and the three files apart). The scores are kept in ``--scores`` (a
pickle), so that a crash loses nothing and the guards can be run again without training.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence

os.environ.setdefault("OMP_NUM_THREADS", "2")

import guard_folds as cv
import guard_intent13_folds as i13
import guard_intent14_folds as i14

from bouclier.guard.decision import GuardDecision
from bouclier.guard.evaluation import Example

NEW = ("seen-v18",)
#: Reported apart, deciding nothing: the estimate is seen-v2 … seen-v14 and seen-v18.
APART = ("seen-v15", "seen-v16", "seen-v17")
NOTE = "apart, decide nothing"
LABELS = {"without": "intent-14 set", "with": "intent-15 set"}
RULES = 17
#: The pre-registered rule's bound (the lead, 2026-12-05 12:31 UTC): (1) fewer errors, and
FALSE_REFUSALS_AT_MOST = 1.05  # (2)


def judge(
    chosen: list[Example],
    files: list[str],
    decisions: dict[str, list[GuardDecision]],
    new: Sequence[str] = NEW,
    apart: Sequence[str] = APART,
    labels: Mapping[str, str] = LABELS,
    named: tuple[str, str] = ("intent-15-first", "heldout-v19"),
) -> bool:
    """The pre-registered rule's table and verdict (see the module's docstring); True if
    ``named[0]`` (the "with" arm's model) becomes the default for the ``named[1]`` measure."""
    index = i14.sets(files, new, apart)
    counted = i13.table(chosen, decisions, None, index)
    estimate = next(iter(index))
    old, candidate = labels["without"], labels["with"]
    i14.languages(chosen, index[estimate], decisions, old, candidate)
    before, after = counted[estimate, old], counted[estimate, candidate]
    met = (
        after.fp + after.fn < before.fp + before.fn,
        after.fp <= before.fp * FALSE_REFUSALS_AT_MOST,
    )
    said = ["met" if m else "NOT met" for m in met]
    print(
        f"\nthe rule, {candidate} against {old} (the first reading alone, rules {RULES}), on the "
        f"estimate:\n  (1) fewer errors: {before.fp + before.fn} -> {after.fp + after.fn}: "
        f"{said[0]}\n  (2) false refusals at most x{FALSE_REFUSALS_AT_MOST}: {before.fp} -> "
        f"{after.fp} (bound {before.fp * FALSE_REFUSALS_AT_MOST:.2f}): {said[1]}"
    )
    passed = all(met)
    read = f"PASSES: the default for the {named[1]} measure" if passed else "FAILS: not the default"
    print(f"\nverdict: {named[0]} {read}")
    return passed


def main(
    new: Sequence[str] = NEW,
    apart: Sequence[str] = APART,
    labels: Mapping[str, str] = LABELS,
    named: tuple[str, str] = ("intent-15-first", "heldout-v19"),
) -> None:
    """The two arms' readings on the folds (``new`` among the training files or not; kept in
    ``--scores``), read by the guard with rules :data:`RULES`, and :func:`judge`'s verdict on
    the estimate (the files but ``apart``); guard_intent16_folds.py calls it with seen-v19."""
    parser = cv.fold_parser(e5=False)
    args = parser.parse_args()
    folds = cv.Folds.load()
    chosen, files = folds.chosen()
    found = cv.kept(args.scores)
    wanted = {"with": folds, "without": i13.without(folds, new)}  # "with" first: kept first
    found = i13.compute(wanted, found, folds.texts(), args, second=False)
    decisions = {
        labels[arm]: cv.decide(  # as computed before the remainder reading (its scores hold none)
            chosen,
            cv.Scores(found[arm]["use"], found[arm]["continues"]),
            rules=RULES,
            remainders=False,
        )
        for arm in ("without", "with")
    }
    judge(chosen, files, decisions, new, apart, labels, named)
    print(f"\nguard_folds.report (the estimate; {' + '.join(apart)} apart):")
    cv.report(chosen, files, decisions, apart, args.errors, NOTE)


if __name__ == "__main__":
    main()
