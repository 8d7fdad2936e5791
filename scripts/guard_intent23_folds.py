"""intent-23-first's estimate: the first reading retrained with seen-v24 and lists-v3, whole files
held out (issue 13, the twenty-fourth round's first candidate).

    .venv/bin/python scripts/guard_intent23_folds.py --cache FILE [--scores FILE] [--errors] \
        [--only without|with]

intent-22-first's folds (scripts/guard_intent22_folds.run: the hand-written file ``k`` of
train_guard_intent.WRITTEN, seen-v2 … seen-v24, in fold ``k % 5``; the generated rows by bank
phrase; lists-v1, lists-v2 and lists-v3 trained on in every fold and never scored), intent-10's
recipe (the first reading alone) in both arms:

* **with**: all of evaluation.TRAINING (intent-23-first's set: seen-v24 and lists-v3);
* **without**: seen-v24 is still scored, by its fold's models, but no model of any fold is
  trained on it, nor on lists-v3 (intent-22-first's set).

Each fold's models also score the padding attack's texts and the remainders; the guards read
with rules 17 and the remainder reading on. The pre-registered rule (docs/guard.md,
"intent-23-first pre-registered"): on **the estimate, seen-v2 … v14 + v18 … v24** (v15 … v17
apart), intent-23-first passes if (1) its errors are lower than "without"'s, (2) its false
refusals are at most × 1.05 and (3) the padding attack un-refuses at most × 1.05 as many prompts;
it becomes the service's default only if the guard's tests pass with it too.
"""

from __future__ import annotations

import os

os.environ.setdefault("OMP_NUM_THREADS", "2")

from guard_intent22_folds import run

LABELS = {"without": "intent-22-first set", "with": "intent-23-first (+ seen-v24, lists-v3)"}


def main() -> None:
    run("seen-v24", "lists-v3", 24, LABELS, ("intent-23-first", "heldout-v25"))


if __name__ == "__main__":
    main()
