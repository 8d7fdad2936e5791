"""The seventeenth round's estimate: whole hand-written files held out (issue 13).

    .venv/bin/python scripts/guard_round17_folds.py --cache FILE --e5-cache FILE \
        [--scores FILE] [--errors] [--no-e5] [--drop CLASS,...]

On the whole-file cross-validation of the rounds before (scripts/guard_folds.py: each
hand-written file seen-v2 … seen-v17 in fold ``k % 5``; the generated rows by bank phrase), the
harm readings (intent-10's recipe, and the side-by-side head of the second reading unless
``--no-e5``) are computed with seen-v17 among the training files. The default's rules (the
fourteenth round's) against the seventeenth round's (stacked on the fourteenth's, without the
fifteenth's and the sixteenth's), as pre-registered (docs/guard.md, "The seventeenth round"):
the estimate is **seen-v2 … seen-v16** (no rule of round 17 was written from them); seen-v17
is in-sample for its rules and reported apart.

The report lists the changed answers with the rules' class of each, right and wrong per class
on the estimate and apart; ``--drop`` leaves classes out (a class whose changed answers on the
estimate are more often wrong than right is dropped before the judgement is final). The script
is the fourteenth round's (scripts/guard_round14_folds.main) for round 17 with the default's
rules 14, judging round 17 alone (rounds 15 and 16 are not in it) with seen-v17 alone apart.
"""

from __future__ import annotations

import os

os.environ.setdefault("OMP_NUM_THREADS", "2")

from guard_round14_folds import main

if __name__ == "__main__":
    main(17, default=14, judged=(17,), apart_of={17: ("seen-v17",)})
