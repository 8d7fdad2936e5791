"""intent-14's estimate: the readers retrained with seen-v17, whole files held out (issue 13).

    .venv/bin/python scripts/guard_intent14_folds.py --cache FILE --e5-cache FILE \
        [--scores FILE] [--errors]

The folds are intent-13's (scripts/guard_intent13_folds.py on scripts/guard_folds.py: the
hand-written file ``k`` of train_guard_intent.WRITTEN, seen-v2 … seen-v17, in fold ``k % 5``, so
seen-v2+v7+v12+v17, v3+v8+v13, v4+v9+v14, v5+v10+v15, v6+v11+v16; the generated rows by bank
phrase), and so are the readings (intent-10's recipe, then the side-by-side head on USE and e5),
computed twice on the same folds:

* **with** seen-v17 among the training files (intent-14's set: all of evaluation.TRAINING);
* **without** it (intent-13's training set): seen-v17 is still scored, by its fold's models, but
  no model of any fold is trained on it (guard_intent13_folds.without).

Each reading is read by three guards, all with the fourteenth round's rules (the default):
intent-10's recipe alone, the cascade capped at 16 e5 tokens (intent-13's shape; intent-14's)
and at 32 (reported, not a candidate). :func:`judge` prints the pre-registered rule's table
(docs/guard.md, "intent-14, trained"): per guard, precision / recall, false refusals / misses,
errors and the share of the prompts read again by e5, on **the estimate (seen-v2 … seen-v14 and
seen-v17)**, on seen-v17 alone (inside the estimate) and on seen-v15 and seen-v16 apart (deciding
nothing); per covered language on the estimate, the "without" arm against the "with" arm for the
shipped shape; then the rule's verdict: the cascade clause first (within the "with" arm, intent-10's
recipe alone is the shipped shape if its errors are at most cascade ≤ 16's × 1.01), then, for that
shape against the "without" arm's same shape, (1) fewer errors, (2) false refusals at most × 1.05,
(3) a read-again share at most × 1.2. guard_folds.report's tables follow (the estimate, and
seen-v15 + seen-v16 apart). The scores are kept in ``--scores`` (a pickle), so that a crash loses
nothing and the guards can be run again without training.
"""

from __future__ import annotations

import os
from collections.abc import Sequence

os.environ.setdefault("OMP_NUM_THREADS", "2")

import guard_folds as cv
import guard_intent13_folds as i13

from bouclier.guard.decision import GuardDecision
from bouclier.guard.evaluation import Example

NEW = ("seen-v17",)
#: Reported apart, deciding nothing: the estimate is seen-v2 … seen-v14 and seen-v17.
APART = ("seen-v15", "seen-v16")
NOTE = "apart, decide nothing"
LABELS = {"without": "intent-13 set", "with": "intent-14 set"}
RULES = 14
#: The pre-registered rule's bounds (the lead, 2026-12-05 09:41 UTC).
ALONE_WITHIN = 1.01  # intent-10's recipe alone ships if its errors are ≤ cascade ≤ 16's × this
FALSE_REFUSALS_AT_MOST = 1.05  # (2)
READ_AGAIN_AT_MOST = 1.2  # (3)


def sets(
    files: list[str], new: Sequence[str] = NEW, apart: Sequence[str] = APART
) -> dict[str, list[int]]:
    """The estimate first (seen-v2 … v14 and the later files not ``apart``: ``new``, and for
    intent-16-first seen-v18 too), then each of those later files alone (inside it), then each
    file ``apart``."""
    later = sorted(
        {f for f in files if f not in apart and int(f[6:]) > 14} | set(new),
        key=lambda f: int(f[6:]),
    )
    label = f"seen-v2 … v14 + {' + '.join(n[5:] for n in later)} (the estimate)"
    found = {label: [i for i, f in enumerate(files) if f not in apart]}
    for name, where in [*((n, "in the estimate") for n in later), *((n, "apart") for n in apart)]:
        found[f"{name} ({where})"] = [i for i, f in enumerate(files) if f == name]
    return found


def languages(
    chosen: list[Example],
    index: list[int],
    decisions: dict[str, list[GuardDecision]],
    a: str,
    b: str,
) -> None:
    """Per covered language on the prompts ``index``, guard ``a``'s false refusals / misses, then
    guard ``b``'s."""
    print(f"\nper covered language on the estimate, {a} -> {b} (FP / FN)")
    for lang in sorted({e.lang for e in chosen}):
        kept = [i for i in index if chosen[i].lang == lang]
        ma = cv.metrics([(chosen[i], decisions[a][i]) for i in kept])
        mb = cv.metrics([(chosen[i], decisions[b][i]) for i in kept])
        print(f"  {lang} (n {len(kept)}): {ma.fp} / {ma.fn} -> {mb.fp} / {mb.fn}")


def judge(
    chosen: list[Example],
    files: list[str],
    decisions: dict[str, list[GuardDecision]],
    again: dict[str, set[str]],
) -> bool:
    """The pre-registered rule's table and verdict (see the module's docstring); True if
    intent-14 becomes the default."""
    index = sets(files)
    counted = i13.table(chosen, decisions, again, index)
    estimate = next(iter(index))
    old, new = LABELS["without"], LABELS["with"]

    def errors(name: str) -> int:
        m = counted[estimate, name]
        return m.fp + m.fn

    alone, cascade = errors(f"{new} intent-10"), errors(f"{new} cap 16")
    shape = "intent-10" if alone <= cascade * ALONE_WITHIN else "cap 16"
    print(
        f"\nthe cascade clause: within the 'with' arm, intent-10's recipe alone {alone} errors, "
        f"cascade <= 16 {cascade} (bound {cascade * ALONE_WITHIN:.2f}): the shipped shape is "
        + ("intent-10's recipe alone (no e5)" if shape == "intent-10" else "the cascade <= 16")
    )
    for reader in ("cap 16", "intent-10"):
        languages(chosen, index[estimate], decisions, f"{old} {reader}", f"{new} {reader}")
    verdict = {}
    for reader in ("cap 16", "intent-10"):
        a, b = f"{old} {reader}", f"{new} {reader}"
        before, after = counted[estimate, a], counted[estimate, b]
        share_a = i13.share(chosen, index[estimate], again[a])
        share_b = i13.share(chosen, index[estimate], again[b])
        met = (
            after.fp + after.fn < before.fp + before.fn,
            after.fp <= before.fp * FALSE_REFUSALS_AT_MOST,
            share_b <= share_a * READ_AGAIN_AT_MOST,
        )
        verdict[reader] = all(met)
        said = ["met" if m else "NOT met" for m in met]
        print(
            f"\nthe rule, {b} against {a}"
            + (" (the shipped shape)" if reader == shape else " (not the shipped shape)")
            + f":\n  (1) fewer errors: {before.fp + before.fn} -> {after.fp + after.fn}: "
            f"{said[0]}\n  (2) false refusals at most x{FALSE_REFUSALS_AT_MOST}: {before.fp} -> "
            f"{after.fp} (bound {before.fp * FALSE_REFUSALS_AT_MOST:.2f}): {said[1]}\n"
            f"  (3) read again at most x{READ_AGAIN_AT_MOST}: {share_a:.4f} -> {share_b:.4f} "
            f"(bound {share_a * READ_AGAIN_AT_MOST:.4f}): {said[2]}"
        )
    passed = verdict[shape]
    read = "PASSES: the default for the heldout-v18 measure" if passed else "FAILS: not the default"
    print(f"\nverdict: intent-14 ({shape}) {read}")
    return passed


def main() -> None:
    parser = cv.fold_parser()
    args = parser.parse_args()
    folds = cv.Folds.load()
    chosen, files = folds.chosen()
    found = cv.kept(args.scores)
    wanted = {"with": folds, "without": i13.without(folds, NEW)}
    found = i13.compute(wanted, found, folds.texts(), args)
    guards, again, order = i13.cascades(found, i13.measured_tokens(chosen), LABELS)
    decisions = {name: cv.decide(chosen, cv.Scores(*guards[name]), rules=RULES) for name in order}
    judge(chosen, files, decisions, again)
    print(f"\nguard_folds.report (the estimate; {' + '.join(APART)} apart):")
    cv.report(chosen, files, decisions, APART, args.errors, NOTE)


if __name__ == "__main__":
    main()
