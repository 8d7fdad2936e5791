"""Chooses the two-stage guard's thresholds on a tuning split, never on the held-out set.

    .venv/bin/python scripts/tune_guard.py [--oof FILE] [--at MODEL CLEAR CONTINUES]

The tuning split: the hand-written training files (seen-v2 … seen-v5: free sentences, as
users write, with conversations; their covered languages), each prompt scored by the classifiers
of the cross-validation fold that held it out (scripts/train_guard_intent.py), so a prompt is never
scored by a model trained on it (``--oof``: the scores that train_guard_intent.py --oof wrote
in the same run, instead of cross-validating again). For each combination of the model threshold
(``MODEL_THRESHOLD``), the harm under which a follow-up may be judged alone (``CONTEXT_CLEAR``) and
the follow-up head's threshold (``CONTINUES``), prints the whole guard's precision and recall
(lexicons, objects, languages and context as bouclier.guard.stages decides them), and those of
the conversations alone (the written ones and the generated corpus/guard/followups.jsonl); then,
for the thresholds of bouclier.guard.stages (or ``--at``), precision and recall per language. The
chosen values are set by hand in bouclier.guard.stages.
"""

from __future__ import annotations

import argparse
import itertools
import json
import sys
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from bouclier.guard import stages
from bouclier.guard.decision import Action
from bouclier.guard.evaluation import evaluate, load_corpus
from bouclier.guard.language import COVERAGE
from bouclier.guard.semantic import Reading

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "scripts"))

from train_guard_intent import CORPUS, out_of_fold, training_set  # noqa: E402

TUNING = ("seen-v2", "seen-v3", "seen-v4", "seen-v5")


class OutOfFold:
    """A semantic stage that answers each text's cross-validated scores."""

    def __init__(self, scores: dict[str, dict[str, float]]) -> None:
        self.scores = scores

    def load(self) -> None:
        pass

    def read(self, texts: Sequence[str]) -> Reading:
        harm = np.array([self.scores[""][t] for t in texts])
        continues = np.array([self.scores["continues_"][t] for t in texts])
        return Reading(harm, continues)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--oof", type=Path, help="scores written by train_guard_intent.py --oof")
    parser.add_argument(
        "--at",
        type=float,
        nargs=3,
        metavar=("MODEL", "CLEAR", "CONTINUES"),
        help="the thresholds of the per-language table (default: those of stages)",
    )
    args = parser.parse_args()
    chosen = args.at or (stages.MODEL_THRESHOLD, stages.CONTEXT_CLEAR, stages.CONTINUES)
    if args.oof:
        scores = json.loads(args.oof.read_text(encoding="utf-8"))
    else:
        scores = out_of_fold(*training_set())
    tuning = [
        e for name in TUNING for e in load_corpus(CORPUS / f"{name}.jsonl") if e.lang in COVERAGE
    ]
    followups = load_corpus(CORPUS / "followups.jsonl")
    guard = stages.TwoStageGuard(semantic=OutOfFold(scores), uncovered=Action.ALLOW)  # type: ignore[arg-type]
    print(f"tuning split: {len(tuning)} prompts of {', '.join(TUNING)}, out-of-fold scores")
    print("model clear continues | P R F1 | follow-ups P R (n)")
    for model, clear, continues in itertools.product(
        (0.4, 0.5, 0.6, 0.65, 0.7), (0.1, 0.2, 0.35), (0.4, 0.5, 0.6)
    ):
        stages.MODEL_THRESHOLD, stages.CONTEXT_CLEAR, stages.CONTINUES = model, clear, continues
        result = evaluate(
            tuning, guard.check, lambda text, before: guard.check(text, context=before)
        )
        follow = evaluate(
            [e for e in tuning if e.context] + followups,
            guard.check,
            lambda text, before: guard.check(text, context=before),
        )
        m, f = result.overall, follow.overall
        print(
            f"{model} {clear} {continues} | {m.precision:.3f} {m.recall:.3f} {m.f1:.3f} | "
            f"{f.precision:.3f} {f.recall:.3f} ({f.count})"
        )
    stages.MODEL_THRESHOLD, stages.CONTEXT_CLEAR, stages.CONTINUES = chosen
    result = evaluate(tuning, guard.check, lambda text, before: guard.check(text, context=before))
    print(f"per language at model {chosen[0]} clear {chosen[1]} continues {chosen[2]}:")
    print("| lang | n | precision | recall |\n|---|---|---|---|")
    for row in result.rows():
        print(f"| {row['lang']} | {row['n']} | {row['precision']:.3f} | {row['recall']:.3f} |")


if __name__ == "__main__":
    main()
