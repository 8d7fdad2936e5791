"""intent-18-first's estimate: the first reading trained with padding on the refused prompts only,
whole files held out (issue 13, the twentieth round's third candidate).

    .venv/bin/python scripts/guard_intent18_folds.py --cache FILE [--scores FILE] [--errors] \
        [--only without|with]

scripts/guard_intent17_folds.py's folds (the hand-written file ``k`` of
train_guard_intent.WRITTEN, seen-v2 … seen-v20, in fold ``k % 5``; the generated rows by bank
phrase), all of evaluation.TRAINING in both arms, which differ by recipe:

* **without**: intent-16-first's recipe (intent-10's, the first reading alone);
* **with**: the same, the harm head and the n-gram model also trained on
  train_guard_intent.padded's copies of the **refused** prompts only (``--padding-refused``:
  intent-18-first; intent-17-first's copies of those prompts, the allowed prompts get none).

The pre-registered rule (the lead, 2026-12-05 18:44 UTC; docs/guard.md, "intent-18-first
pre-registered"), intent-17-first's (guard_intent17_folds.judge) with a wider attack: on **the
estimate, seen-v2 … v14 + v18 + v19 + v20** (v15 … v17 apart), intent-18-first passes if (1) its
errors are not higher than "without"'s, (2) its false refusals are at most × 1.05 and (3) the
padding attack un-refuses fewer prompts: each refused single prompt of an estimate file that the
arm's fold reading refuses, with each of :data:`PADDINGS` of its language around it (intent-17's
PREFIXES, and scripts/guard_round20_plain.py's FRESH_PADDINGS, one prefix and one suffix in each
covered language), the guard with rules 17 and the remainder reading (the defaults). The scores
are kept in ``--scores`` (a pickle: keys "without" and "with"), so that a crash loses nothing.
"""

from __future__ import annotations

import os

os.environ.setdefault("OMP_NUM_THREADS", "2")

import guard_folds as cv
import guard_intent17_folds as i17
from guard_round20_plain import FRESH_PADDINGS

LABELS = {"without": "intent-16-first recipe", "with": "intent-18-first (padding on refused)"}
#: The attack's paddings per language ("…" is where the request goes): intent-17's prefixes, then
#: the fresh paddings of the plain-parts candidate.
PADDINGS: dict[str, tuple[str, ...]] = {
    lang: (*i17.PADDINGS.get(lang, ()), *FRESH_PADDINGS.get(lang, ()))
    for lang in (*i17.PADDINGS, *(lang for lang in FRESH_PADDINGS if lang not in i17.PADDINGS))
}


def main() -> None:
    read = i17.readings(PADDINGS, refused_only=True)
    if read is None:
        return
    folds, arms, args = read
    chosen, files = folds.chosen()
    scores = {LABELS[arm]: found for arm, found in arms.items()}
    decisions = {label: cv.decide(chosen, s, rules=i17.RULES) for label, s in scores.items()}
    total = i17.attacked(folds, files, decisions, scores, LABELS)
    i17.judge(chosen, files, decisions, total, LABELS, "intent-18-first")
    print(f"\nguard_folds.report (the estimate; {' + '.join(i17.APART)} apart):")
    cv.report(chosen, files, decisions, i17.APART, args.errors, "apart, decide nothing")


if __name__ == "__main__":
    main()
