"""Chooses the two-stage guard's thresholds on a tuning split, never on the held-out set.

    .venv/bin/python scripts/tune_guard.py [--oof FILE] [--at MODEL CLEAR CONTINUES]
        [--topic-veto V] [--no-grid]
    .venv/bin/python scripts/tune_guard.py --shipped

The tuning split: the hand-written training files (seen-v2 … seen-v20: free sentences, as
users write, with conversations; their covered languages), each prompt scored by the classifiers
of the cross-validation fold that held it out (scripts/train_guard_intent.py), so a prompt is never
scored by a model trained on it (``--oof``: the scores that train_guard_intent.py --oof wrote
in the same run, instead of cross-validating again). For each combination of the model threshold
(``MODEL_THRESHOLD``), the harm under which a follow-up may be judged alone (``CONTEXT_CLEAR``) and
the follow-up head's threshold (``CONTINUES``), prints the whole guard's precision and recall
(lexicons, objects, languages and context as bouclier.guard.stages decides them), and those of
the conversations alone (the written ones and the generated corpus/guard/followups.jsonl); then,
for the thresholds of bouclier.guard.stages (or ``--at``), the whole guard's precision and recall
for a few values of the topic veto (``TOPIC_VETO``), per language, and on the newest seen set
(:data:`NEWEST`, seen-v20) alone what each stage adds (lexicons alone, model alone, both). The
chosen values are set by hand in bouclier.guard.stages.

``--shipped`` prints only that last table, scored by the classifier this package ships (pinned in
bouclier.guard.semantic) instead of out of fold: run before retraining, on the set that was held
out from it, it is the honest "before" of a round.
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
from bouclier.guard.decision import Action, GuardDecision
from bouclier.guard.evaluation import Example, evaluate, load_corpus
from bouclier.guard.language import COVERAGE
from bouclier.guard.semantic import Reading

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "scripts"))

from train_guard_intent import CORPUS, WRITTEN, out_of_fold, stacked, training_set  # noqa: E402

TUNING = WRITTEN
NEWEST = TUNING[-1]  # the held-out set spent last: the stage table's


class OutOfFold:
    """A semantic stage that answers each text's cross-validated scores (``learned``: the harm
    is intent-8's stacked decision, which weighs the lexicons itself)."""

    def __init__(self, scores: dict[str, dict[str, float]], learned: bool = True) -> None:
        self.scores = scores
        self.reads_lexicons = learned

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
    parser.add_argument("--topic-veto", type=float, default=stages.TOPIC_VETO)
    parser.add_argument("--no-grid", action="store_true", help="only the chosen thresholds")
    parser.add_argument(
        "--shipped", action="store_true", help=f"{NEWEST}'s stage table, by the shipped model"
    )
    args = parser.parse_args()
    if args.shipped:
        shipped = stages.TwoStageGuard(uncovered=Action.ALLOW)
        stage_table(shipped, newest(), f"by the shipped model ({shipped.semantic.version})")
        return
    chosen = args.at or (stages.MODEL_THRESHOLD, stages.CONTEXT_CLEAR, stages.CONTINUES)
    if args.oof:
        scores = json.loads(args.oof.read_text(encoding="utf-8"))
    else:
        examples, heads, vectors = training_set()
        scores = out_of_fold(examples, heads, vectors)
        scores[""].update(stacked(examples, heads, vectors)[1])
    tuning = [
        e for name in TUNING for e in load_corpus(CORPUS / f"{name}.jsonl") if e.lang in COVERAGE
    ]
    followups = load_corpus(CORPUS / "followups.jsonl")
    guard = stages.TwoStageGuard(semantic=OutOfFold(scores), uncovered=Action.ALLOW)  # type: ignore[arg-type]
    print(f"tuning split: {len(tuning)} prompts of {', '.join(TUNING)}, out-of-fold scores")
    print("model clear continues | P R F1 | follow-ups P R (n)")
    grid = itertools.product((0.4, 0.5, 0.6, 0.65, 0.7), (0.1, 0.2, 0.35), (0.4, 0.5, 0.6))
    for model, clear, continues in [] if args.no_grid else grid:
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
    for veto in (0.0, 0.2, 0.35, 0.5):
        stages.TOPIC_VETO = veto
        m = evaluate(tuning, guard.check, lambda t, b: guard.check(t, context=b)).overall
        print(f"topic veto {veto}: P {m.precision:.3f} R {m.recall:.3f} (fp {m.fp}, fn {m.fn})")
    stages.TOPIC_VETO = args.topic_veto
    result = evaluate(tuning, guard.check, lambda text, before: guard.check(text, context=before))
    print(f"per language at model {chosen[0]} clear {chosen[1]} continues {chosen[2]}:")
    print("| lang | n | precision | recall |\n|---|---|---|---|")
    for row in result.rows():
        print(f"| {row['lang']} | {row['n']} | {row['precision']:.3f} | {row['recall']:.3f} |")
    stage_table(guard, newest(), "out of fold")


def newest() -> list[Example]:
    return [e for e in load_corpus(CORPUS / f"{NEWEST}.jsonl") if e.lang in COVERAGE]


def stage_table(guard: stages.TwoStageGuard, examples: list[Example], scored: str) -> None:
    """What each stage adds on the newest seen set, per language: the lexicons alone, the model
    alone (its harm at the model threshold, follow-ups read with their conversation) and the
    whole guard."""

    def model_only(text: str, before: Sequence[str] = ()) -> GuardDecision:
        read = "\n".join([*before[-stages.CONTEXT_TURNS :], text])
        harm = float(guard.semantic.read([read]).harm[0])
        refused = harm >= stages.MODEL_THRESHOLD
        return GuardDecision(Action.REFUSE if refused else Action.ALLOW, harm, (), (), 0.0)

    runs = {
        "lexicons": evaluate(examples, guard.lexicons.check),
        "model": evaluate(examples, model_only, model_only),
        "both": evaluate(examples, guard.check, lambda t, b: guard.check(t, context=b)),
    }
    print(f"{NEWEST} ({len(examples)} prompts, covered languages), {scored}, per stage:")
    print("| lang | n | lexicons P / R | model P / R | both P / R |\n|---|---|---|---|---|")
    for rows in zip(*(r.rows() for r in runs.values()), strict=True):
        cells = " | ".join(f"{row['precision']:.3f} / {row['recall']:.3f}" for row in rows)
        print(f"| {rows[0]['lang']} | {rows[0]['n']} | {cells} |")


if __name__ == "__main__":
    main()
