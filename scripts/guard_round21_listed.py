"""The twenty-first round's first candidate, judged: a lexicon refusal in a list of edits is not
overruled (issue 13).

    .venv/bin/python scripts/guard_round21_listed.py

The default guard (intent-16-first, rules 20, the remainder reading) side by side without and
with the class "listed" (bouclier.guard.twentyfirst; ``TwoStageGuard(listed=True)``). As
pre-registered (2026-12-05 20:00 UTC, before any code of it; docs/guard.md, "A lexicon refusal in
a list of edits"): on **seen-v21** (the former heldout-v21, out of sample for intent-16-first and
rules 20) it must raise neither the false refusals nor the errors, and on seen-v2 … seen-v20 (in
sample) the false refusals by at most 2 (scripts/guard_round20_remainder.py's judge). Reported,
deciding nothing: the padding attack (scripts/guard_round20_plain.py). Every changed answer is
listed.
"""

from __future__ import annotations

import os

os.environ.setdefault("OMP_NUM_THREADS", "2")

from guard_round20_plain import attack
from guard_round20_remainder import judge

from bouclier.guard.evaluation import TRAINING
from bouclier.guard.semantic import INTENTS, default_stage
from bouclier.guard.stages import TwoStageGuard

JUDGED = "seen-v21"
IN_SAMPLE = tuple(name for name in TRAINING if name.startswith("seen-") and name != JUDGED)


def main() -> None:
    stage = default_stage(INTENTS["intent-16-first"])
    guards = {on: TwoStageGuard(semantic=stage, listed=on) for on in (False, True)}
    passed = judge(guards, JUDGED, IN_SAMPLE)
    attack({"without": guards[False], "with": guards[True]})
    print(f"\nverdict: the listed class {'PASSES' if passed else 'FAILS'}")


if __name__ == "__main__":
    main()
