"""intent-22-first's estimate: the first reading retrained with seen-v23 and lists-v2, whole files
held out (issue 13, the twenty-third round's first candidate).

    .venv/bin/python scripts/guard_intent22_folds.py --cache FILE [--scores FILE] [--errors] \
        [--only without|with|seen-v23] [--third]

intent-21-first's folds (the hand-written file ``k`` of train_guard_intent.WRITTEN, seen-v2 …
seen-v23, in fold ``k % 5``; the generated rows by bank phrase; lists-v1 and lists-v2 trained on in
every fold and never scored), intent-10's recipe (the first reading alone) in every arm:

* **with**: all of evaluation.TRAINING (intent-22-first's set: seen-v23 and lists-v2);
* **without**: seen-v23 is still scored, by its fold's models, but no model of any fold is
  trained on it, nor on lists-v2 (intent-21-first's set);
* **seen-v23** (``--third``, reported, deciding nothing): seen-v23 trained on, lists-v2 not.

Each fold's models also score the padding attack's texts (guard_intent18_folds.PADDINGS around
each refused single prompt of the fold's files) and the remainders; the guards read with rules
17 and the remainder reading on. The pre-registered rule (docs/guard.md, "intent-22-first
pre-registered"): on **the estimate, seen-v2 … v14 + v18 … v23** (v15 … v17 apart),
intent-22-first becomes the default for the heldout-v24 measure if (1) its errors are lower than
"without"'s, (2) its false refusals are at most × 1.05 and (3) the padding attack un-refuses at
most × 1.05 as many prompts. Scores kept in ``--scores`` (a pickle).
"""

from __future__ import annotations

import os

os.environ.setdefault("OMP_NUM_THREADS", "2")

import guard_folds as cv
import guard_intent13_folds as i13
import guard_intent17_folds as i17
from guard_intent18_folds import PADDINGS
from guard_intent20_folds import as_judged, verdict
from guard_round13_folds import first_reading

NEW = "seen-v23"
LISTS = "lists-v2"
#: Trained on in every fold, never scored.
EVERY_FOLD = ("lists-v1", LISTS)
LABELS = {"without": "intent-21-first set", "with": "intent-22-first (+ seen-v23, lists-v2)"}
THIRD = {NEW: "+ seen-v23 only (reported)"}
ATTACK_AT_MOST = 1.05


def run(
    new: str,
    lists: str,
    last: int,
    labels: dict[str, str],
    named: tuple[str, str],
    third: dict[str, str] | None = None,
) -> None:
    """A round's two arms (three with ``third``: ``new`` trained on, ``lists`` not) on the folds
    drawn from TRAINING as judged (no seen-v<N> after ``last``, no lists-v<N> after ``lists``),
    every lists-v<N> trained on in every fold and never scored, then the pre-registered rule's
    verdict for ``named`` (the candidate and the measure it becomes the default for)."""
    third = third or {}
    parser = cv.fold_parser(e5=False)
    parser.add_argument(
        "--only", choices=(*labels, *third), help="compute this arm only (and stop)"
    )
    if third:
        parser.add_argument("--third", action="store_true", help=f"the {new}-only arm too")
    args = parser.parse_args()
    as_judged(last, int(lists.removeprefix("lists-v")))
    folds = cv.Folds.load()
    for i, name in enumerate(folds.origin):
        if name.startswith("lists-v"):
            folds.fold_of[i] = -1  # in no fold: every fold trains on it, none scores it
    _, files = folds.chosen()
    extra = i17.extra(folds, files, PADDINGS)  # noqa: S610 (not Django's)
    scorings = {"without": i13.without(folds, (new, lists)), new: i13.without(folds, (lists,))}
    for arm in scorings.values():
        for fold, texts in extra.items():
            arm.extra.setdefault(fold, set()).update(texts)
    scorings["with"] = i13.Scoring(folds.examples, folds.origin, folds.fold_of, folds.written)
    scorings["with"].extra = extra
    if getattr(args, "third", False) or args.only in third:
        labels = {**labels, **third}
    found = cv.kept(args.scores)
    texts = [*folds.texts(), *(t for s in extra.values() for t in s)]
    for name in (args.only,) if args.only else tuple(labels):
        if name not in found:
            print(f"{name}: the first reading", flush=True)
            found[name] = first_reading(scorings[name], cv.train.Embeddings(texts, args.cache))
            cv.keep(found, args.scores)
    if args.only:
        return
    verdict(folds, found, args.errors, labels, named, ATTACK_AT_MOST)


def main() -> None:
    run(NEW, LISTS, 23, LABELS, ("intent-22-first", "heldout-v24"), THIRD)


if __name__ == "__main__":
    main()
