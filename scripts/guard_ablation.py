"""What a round's training data adds: the guard on the newest seen set, trained without some files.

    .venv/bin/python scripts/guard_ablation.py FILE [FILE ...]

Trains the harm and follow-up heads as scripts/train_guard_intent.py does (same recipe, same
seed), on every training file of bouclier.guard.evaluation.TRAINING but the named ones (e.g.
``seen-v6 round6``: round five's data), then scores each prompt of the newest seen set
(scripts/tune_guard.py's ``NEWEST``, its covered languages) with that one model and prints the
whole guard's precision, recall and false-positive rate per language (the lexicons, objects,
languages and context as bouclier.guard.stages decides them). Leave the newest seen set out:
a model trained on a prompt says nothing about it. Nothing is written. It trains the harm head
alone and decides as the seventh round did (the lexicons OR'ed with the model); the eighth
round's stacked decision is measured by scripts/guard_round8.py.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

from bouclier.guard import stages
from bouclier.guard.decision import Action
from bouclier.guard.evaluation import TRAINING, evaluate, load_corpus

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "scripts"))

import train_guard_intent as train  # noqa: E402
from tune_guard import NEWEST, OutOfFold, newest  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("without", nargs="+", choices=TRAINING, help="training files left out")
    args = parser.parse_args()
    names = [name for name in TRAINING if name not in args.without]
    examples = [e for name in names for e in load_corpus(train.CORPUS / f"{name}.jsonl")]
    scored = newest()
    heads = train.samples(examples)
    read = [t for e in scored for t in train.read(e)]
    vectors = train.Embeddings([t for e in examples for t in train.read(e)] + read)
    scores: dict[str, dict[str, float]] = {}
    for prefix, head in heads.items():
        params = train.fit(vectors.of(head.texts), np.array(head.labels), train.HIDDEN[prefix])
        found = train.predict(params, vectors.of(read)).tolist()
        scores[prefix] = dict(zip(read, found, strict=True))
    guard = stages.TwoStageGuard(semantic=OutOfFold(scores, learned=False), uncovered=Action.ALLOW)  # type: ignore[arg-type]
    result = evaluate(scored, guard.check, lambda text, before: guard.check(text, context=before))
    print(f"trained without {', '.join(args.without)}; scored on {NEWEST} ({len(scored)} prompts)")
    print("| lang | n | precision | recall | FPR |\n|---|---|---|---|---|")
    for row in result.rows():
        print(
            f"| {row['lang']} | {row['n']} | {row['precision']:.3f} | {row['recall']:.3f} | "
            f"{row['fpr']:.3f} |"
        )


if __name__ == "__main__":
    main()
