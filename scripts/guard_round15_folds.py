"""The fifteenth round's estimate: whole hand-written files held out (issue 13).

    .venv/bin/python scripts/guard_round15_folds.py --cache FILE --e5-cache FILE \
        [--scores FILE] [--errors]

On the whole-file cross-validation of the rounds before (scripts/guard_folds.py: each
hand-written file seen-v2 … seen-v15 in fold ``k % 5``; the generated rows by bank phrase), the
harm readings (intent-10's recipe and the side-by-side head of the second reading,
scripts/guard_round13_folds.readings) are computed **with** seen-v15 among the training files
(a set retrained with seen-v15) and, with ``--without``, also without it (seen-v2 … v14;
seen-v15's own scores are the same either way, its fold never trains on it). The guards, side
by side (guard_folds.report; the first is the baseline, the last the round's candidate): each
reading with intent-10's recipe alone, with the cascade
capped at 16 e5 tokens (intent-12's) and at 32 (intent-11's), with the fourteenth round's rules
and the fifteenth's (bouclier.guard.fifteenth).

seen-v15's line is in-sample for the round's rules (the classes of its errors were read to
write them); the estimate is seen-v2 … seen-v14. The scores are kept in ``--scores`` (a pickle)
so that the guards can be run again without training. The script is the fourteenth round's
(scripts/guard_round14_folds.main) for round 15.
"""

from __future__ import annotations

import os

os.environ.setdefault("OMP_NUM_THREADS", "2")

from guard_round14_folds import main

if __name__ == "__main__":
    main(15)
