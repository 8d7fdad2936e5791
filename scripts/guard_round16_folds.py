"""The sixteenth round's estimate: whole hand-written files held out (issue 13).

    .venv/bin/python scripts/guard_round16_folds.py --cache FILE --e5-cache FILE \
        [--scores FILE] [--errors] [--no-e5] [--drop CLASS,...]

On the whole-file cross-validation of the rounds before (scripts/guard_folds.py: each
hand-written file seen-v2 … seen-v16 in fold ``k % 5``; the generated rows by bank phrase), the
harm readings (intent-10's recipe, and the side-by-side head of the second reading unless
``--no-e5``) are computed with seen-v16 among the training files. The default's rules (the
fourteenth round's) against each later round's, as pre-registered (docs/guard.md, "The
sixteenth round"):

(a) rules 15 against rules 14 on the estimate seen-v2 … seen-v14 + seen-v16 (seen-v15 apart:
    in-sample for the fifteenth round's rules; seen-v16 was never read to write them);
(b) rules 16 against rules 14 on the estimate seen-v2 … seen-v14 (seen-v15 and seen-v16 apart:
    in-sample for the sixteenth round's rules, which include the fifteenth's).

Each report lists the changed answers with the rules' class of each, right and wrong per class
on the estimate and apart; ``--drop`` leaves classes out (a class whose changed answers on the
estimate are more often wrong than right is dropped before (b) is final). The script is the
fourteenth round's (scripts/guard_round14_folds.main) for round 16 with the default's rules 14.
"""

from __future__ import annotations

import os

os.environ.setdefault("OMP_NUM_THREADS", "2")

from guard_round14_folds import main

if __name__ == "__main__":
    main(16, default=14)
