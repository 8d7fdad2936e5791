"""intent-19-first's estimate: the first reading retrained with seen-v21, whole files held out
(issue 13, the twenty-first round).

    .venv/bin/python scripts/guard_intent19_folds.py --cache FILE [--scores FILE] [--errors]

intent-16-first's folds (scripts/guard_intent16_folds.py) with seen-v20 and seen-v21 among the
hand-written files: the file ``k`` of train_guard_intent.WRITTEN, seen-v2 … seen-v21, in fold
``k % 5``; the generated rows by bank phrase. intent-10's recipe alone, computed twice on the same
folds:

* **with** seen-v21 among the training files (intent-19-first's set: all of
  evaluation.TRAINING; seen-v21 holds real lists of edits, a harmful one among plain ones and
  plain ones with a harm's words, which heldout-v21 found the guard misses);
* **without** it: seen-v21 is still scored, by its fold's models, but no model of any fold is
  trained on it.

Both are read by the guard with the seventeenth round's rules, as every estimate before. The
pre-registered rule (2026-12-05 20:22 UTC; docs/guard.md, "intent-19-first, retrained with
seen-v21"): on **the estimate, seen-v2 … seen-v14 and seen-v18 … seen-v21** (seen-v15, v16 and v17
apart, deciding nothing), intent-19-first becomes the default for the heldout-v22 measure if (1)
its errors are lower than the "without" arm's and (2) its false refusals are at most × 1.05.
"""

from __future__ import annotations

import os

os.environ.setdefault("OMP_NUM_THREADS", "2")

import guard_intent15_folds as i15

NEW = ("seen-v21",)
#: Reported apart, deciding nothing.
APART = ("seen-v15", "seen-v16", "seen-v17")
LABELS = {"without": "intent-16 set", "with": "intent-19 set"}

if __name__ == "__main__":
    i15.main(NEW, APART, LABELS, ("intent-19-first", "heldout-v22"))
