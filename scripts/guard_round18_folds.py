"""The eighteenth round's estimate: whole hand-written files held out (issue 13).

    .venv/bin/python scripts/guard_round18_folds.py --cache FILE --e5-cache FILE \
        [--scores FILE] [--errors] [--no-e5] [--drop CLASS,...] [--seen-v18]

On the whole-file cross-validation of the rounds before (scripts/guard_folds.py: each
hand-written file seen-v2 … seen-v18 in fold ``k % 5``; the generated rows by bank phrase), the
harm readings (intent-10's recipe, and the side-by-side head of the second reading unless
``--no-e5``) are computed with seen-v18 among the training files. The default's rules (the
seventeenth round's) against the eighteenth round's (stacked on the seventeenth's), as
pre-registered (docs/guard.md, "The eighteenth round"): the estimate is **seen-v2 … seen-v17**
(no rule of round 18 was written from them); seen-v18 is in-sample for its rules and reported
apart.

The report lists the changed answers with the rules' class of each, right and wrong per class
on the estimate and apart; ``--drop`` leaves classes out (a class whose changed answers on the
estimate are more often wrong than right is dropped before the judgement is final). The script
is the fourteenth round's (scripts/guard_round14_folds.main) for round 18 with the default's
rules 17, judging round 18 alone with seen-v18 alone apart.

``--seen-v18`` (with ``--scores``: the kept readings, intent-10's recipe) prints instead rules
14, 17 and 18 on seen-v18 alone (false refusals, misses, errors, P / R): out of sample for rules
17 (seen-v18 was never read to write them), in-sample for rules 18; it decides nothing.
"""

from __future__ import annotations

import os
import sys
from collections import defaultdict

os.environ.setdefault("OMP_NUM_THREADS", "2")

import guard_folds as cv
from guard_round13_folds import BAND, cascade
from guard_round14_folds import drop, main


def seen_v18() -> None:
    """Rules 14, 17 and 18 on seen-v18's rows alone, on the kept readings (intent-10's recipe:
    no e5, every text read once)."""
    parser = cv.fold_parser()
    parser.add_argument("--no-e5", action="store_true")
    parser.add_argument("--drop", default="")
    args = parser.parse_args([a for a in sys.argv[1:] if a != "--seen-v18"])
    drop({c for c in args.drop.split(",") if c})
    found = cv.kept(args.scores)["with"]
    scores, _ = cascade(found, defaultdict(lambda: 1), BAND, 0)
    folds = cv.Folds.load()
    chosen, files = folds.chosen()
    rows = [e for e, f in zip(chosen, files, strict=True) if f == "seen-v18"]
    semantic = cv.Scores(scores, found["continues"])
    print(f"seen-v18 alone ({len(rows)} covered prompts), intent-10's recipe on the folds:")
    for rules in (14, 17, 18):
        m = cv.metrics(list(zip(rows, cv.decide(rows, semantic, rules=rules), strict=True)))
        print(
            f"  rules {rules}: P {m.precision:.3f} / R {m.recall:.3f}, FP {m.fp} / FN {m.fn} "
            f"({m.fp + m.fn} errors)"
        )


if __name__ == "__main__":
    if "--seen-v18" in sys.argv:
        seen_v18()
    else:
        main(18, default=17, judged=(18,), apart_of={18: ("seen-v18",)})
