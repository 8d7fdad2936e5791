"""intent-20-first's estimate: the first reading trained with lists-v1 (hand-written lists of
edits) added, whole files held out (issue 13, the twenty-first round's third candidate).

    .venv/bin/python scripts/guard_intent20_folds.py --cache FILE [--scores FILE] [--errors] \
        [--only without|with]

intent-19-first's folds (the hand-written file ``k`` of train_guard_intent.WRITTEN, seen-v2 …
seen-v21, in fold ``k % 5``; the generated rows by bank phrase), intent-10's recipe (the first
reading alone) in both arms, which differ by their training set:

* **without**: intent-19-first's, all of evaluation.TRAINING;
* **with**: the same and :data:`ADDED` (lists-v1: messages of several edits, refused when one of
  them undresses a person, allowed when all are plain, some sharing a harm's words), trained on
  in **every** fold and never scored (it is not in WRITTEN: nothing of the estimate changes).

Each fold's models also score the padding attack's texts (scripts/guard_intent18_folds.py's
PADDINGS around each refused single prompt of the fold's files) and the remainders, so that the
guard with rules 17 and the remainder reading on is run on them, as intent-17's and intent-18's
estimates. The pre-registered rule (the lead, 2026-12-05 21:28 UTC; docs/guard.md,
"intent-20-first pre-registered"): on **the estimate, seen-v2 … v14 + v18 … v21** (v15 … v17
apart), intent-20-first becomes the default for the heldout-v22 measure if (1) its errors are
lower than "without"'s, (2) its false refusals are at most × 1.05 and (3) the padding attack
un-refuses fewer prompts. The scores are kept in ``--scores`` (a pickle: keys "without" and
"with"), so that a crash loses nothing; "without" needs no lists-v1 and can be computed first
(``--only without``).
"""

from __future__ import annotations

import os

os.environ.setdefault("OMP_NUM_THREADS", "2")

import guard_folds as cv
import guard_intent13_folds as i13
import guard_intent17_folds as i17
import numpy as np
from guard_intent18_folds import PADDINGS
from guard_round13_folds import first_reading

from bouclier.guard.evaluation import load_corpus

#: Trained on in every fold of the "with" arm, never scored.
ADDED = ("lists-v1",)
LABELS = {"without": "intent-19-first set", "with": "intent-20-first (+ lists-v1)"}


def arm(name: str, folds: cv.Folds, extra: dict[int, set[str]]) -> i13.Scoring:
    """An arm's folds: ``folds`` as they are ("without"), or with :data:`ADDED`'s examples
    appended in no fold ("with": fold ``-1``, so every fold trains on them and ``held`` never
    returns them); both also score ``extra``'s texts in their folds."""
    examples, origin, fold_of = list(folds.examples), list(folds.origin), folds.fold_of
    if name == "with":
        for added in ADDED:
            rows = load_corpus(cv.train.CORPUS / f"{added}.jsonl")
            if any(e.split != "tune" for e in rows):
                raise SystemExit(f"{added}: only the tune split is trained on")
            examples += rows
            origin += [added] * len(rows)
        nowhere = np.full(len(examples) - len(fold_of), -1, fold_of.dtype)
        fold_of = np.concatenate([fold_of, nowhere])
    data = i13.Scoring(examples, origin, fold_of, folds.written)
    data.extra = extra
    return data


def as_judged(last: int, lists: int) -> None:
    """The folds drawn from evaluation.TRAINING as it was when the rule was judged: no seen-v<N>
    after ``last`` and no lists-v<N> after ``lists`` (a row more changes the draw of the generated
    rows' folds, and the kept scores hold no text of a later file)."""

    def later(name: str) -> bool:
        for prefix, newest in (("seen-v", last), ("lists-v", lists)):
            if name.startswith(prefix) and int(name.removeprefix(prefix)) > newest:
                return True
        return False

    cv.TRAINING = tuple(name for name in cv.TRAINING if not later(name))
    cv.train.WRITTEN = tuple(name for name in cv.train.WRITTEN if name in cv.TRAINING)  # reports


def main() -> None:
    parser = cv.fold_parser(e5=False)
    parser.add_argument("--only", choices=tuple(LABELS), help="compute this arm only (and stop)")
    args = parser.parse_args()
    # the folds as judged: drawn from evaluation.TRAINING as it was (since the verdict, ADDED and
    # seen-v22 are in it; a row more would change the draw of the generated rows' folds)
    as_judged(21, 0)  # ADDED (lists-v1) is appended by arm(), the "with" arm only
    folds = cv.Folds.load()
    _, files = folds.chosen()
    extra = i17.extra(folds, files, PADDINGS)  # noqa: S610 (not Django's)
    found = cv.kept(args.scores)
    for name in (args.only,) if args.only else tuple(LABELS):
        if name not in found:
            data = arm(name, folds, extra)
            texts = [*data.texts(), *(t for s in extra.values() for t in s)]
            print(f"{name}: the first reading", flush=True)
            found[name] = first_reading(data, cv.train.Embeddings(texts, args.cache))
            cv.keep(found, args.scores)
    if args.only:
        return
    verdict(folds, found, args.errors)


def verdict(
    folds: cv.Folds,
    found: dict[str, dict[str, dict[str, float]]],
    errors: bool,
    labels: dict[str, str] = LABELS,
    named: tuple[str, str] = ("intent-20-first", "heldout-v22"),
    attack_at_most: float | None = None,
) -> bool:
    """The two arms' readings (``found``: "without" and "with") read by the guard with rules 17
    and the remainder reading, the attack and the rule's verdict (guard_intent17_folds'
    ``attacked`` and ``judge``: fewer errors, false refusals at most × 1.05, the attack fewer or at
    most ``attack_at_most`` times) and guard_folds.report; ``named``: the candidate and the
    measure it becomes the default for."""
    chosen, files = folds.chosen()
    scores = {labels[arm]: cv.Scores(found[arm]["use"], found[arm]["continues"]) for arm in labels}
    decisions = {label: cv.decide(chosen, s, rules=i17.RULES) for label, s in scores.items()}
    total = i17.attacked(folds, files, decisions, scores, labels)
    passed = i17.judge(
        chosen,
        files,
        decisions,
        total,
        labels,
        named[0],
        fewer_errors=True,
        attack_at_most=attack_at_most,
        measure=named[1],
    )
    print(f"\nguard_folds.report (the estimate; {' + '.join(i17.APART)} apart):")
    cv.report(chosen, files, decisions, i17.APART, errors, "apart, decide nothing")
    return passed


if __name__ == "__main__":
    main()
