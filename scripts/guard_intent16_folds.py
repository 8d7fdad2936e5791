"""intent-16-first's estimate: the first reading retrained with seen-v19, whole files held out
(issue 13, the nineteenth round).

    .venv/bin/python scripts/guard_intent16_folds.py --cache FILE [--scores FILE] [--errors]

intent-15-first's folds and rule (scripts/guard_intent15_folds.main, which this calls) one file
on: the hand-written file ``k`` of train_guard_intent.WRITTEN, seen-v2 … seen-v19, in fold
``k % 5``, so seen-v2+v7+v12+v17, v3+v8+v13+v18, v4+v9+v14+v19, v5+v10+v15, v6+v11+v16; the
generated rows by bank phrase. The reading is intent-10's recipe alone (the first reading, no
e5), computed twice on the same folds:

* **with** seen-v19 among the training files (intent-16-first's set: all of
  evaluation.TRAINING);
* **without** it (intent-15-first's set): seen-v19 is still scored, by its fold's models, but no
  model of any fold is trained on it (guard_intent13_folds.without).

Both are read by the guard with the seventeenth round's rules (the default). The pre-registered
rule (docs/guard.md, "The nineteenth round's estimates"): on **the estimate, seen-v2 … seen-v14,
seen-v18 and seen-v19** (seen-v15, v16 and v17 apart, deciding nothing), intent-16-first becomes
the default for the heldout-v20 measure if (1) its errors are lower than the "without" arm's and
(2) its false refusals are at most × 1.05. The scores are kept in ``--scores`` (a pickle: keys
"without" and "with"), so that a crash loses nothing; scripts/guard_round19_folds.py reads the
"with" arm's.
"""

from __future__ import annotations

import os

os.environ.setdefault("OMP_NUM_THREADS", "2")

import guard_intent15_folds as i15

NEW = ("seen-v19",)
#: Reported apart, deciding nothing: the estimate is seen-v2 … seen-v14, seen-v18 and seen-v19.
APART = ("seen-v15", "seen-v16", "seen-v17")
LABELS = {"without": "intent-15 set", "with": "intent-16 set"}

if __name__ == "__main__":
    i15.main(NEW, APART, LABELS, ("intent-16-first", "heldout-v20"))
