"""What the eleventh round's rules cost, apart from the model (issue 13).

    .venv/bin/python benchmarks/bench_guard_rules11.py [--runs 5] [--rules 10|11]

The two-stage guard's decision (lexicons, rules, context, language) on every prompt of the
training files, with a semantic stage that answers a fixed score (no embedding: the sentence
model's cost is the same with either round's rules and dominates bench_guard.py's timings), once
with the tenth round's rules (``TwoStageGuard(rules=10)``) and once with the eleventh's, in
interleaved runs (A B B A ...); prints the CPU time per prompt of each run and the ratio of the
means. ``--rules`` runs one side only (for ``perf stat -e instructions``).
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from bouclier.guard.decision import Action
from bouclier.guard.evaluation import TRAINING, load_corpus
from bouclier.guard.request import RequestGuard
from bouclier.guard.semantic import Reading
from bouclier.guard.stages import EditRequest, TwoStageGuard

CORPUS = Path(__file__).resolve().parents[1] / "corpus" / "guard"


class Fixed:
    """A tenth-round semantic stage answering 0.3 for every text (no model)."""

    reads_lexicons = True
    tenth = True
    eleventh = True

    def load(self) -> None:
        pass

    def read(self, texts: Sequence[str]) -> Reading:
        return Reading(np.full(len(texts), 0.3), np.full(len(texts), 0.3))


def run(guard: TwoStageGuard, requests: list[EditRequest]) -> float:
    """CPU seconds per prompt of one pass, in batches of 256."""
    start = time.process_time()
    for i in range(0, len(requests), 256):
        guard.check_many(requests[i : i + 256])
    return (time.process_time() - start) / len(requests)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--rules", type=int, choices=(10, 11))
    args = parser.parse_args()
    examples = [e for n in TRAINING for e in load_corpus(CORPUS / f"{n}.jsonl")]
    requests = [EditRequest(e.text, context=tuple(e.context)) for e in examples]
    lexicons = RequestGuard()
    guards = {
        r: TwoStageGuard(lexicons, Fixed(), uncovered=Action.ALLOW, rules=r)  # type: ignore[arg-type]
        for r in ((args.rules,) if args.rules else (10, 11))
    }
    for guard in guards.values():
        guard.load()
        run(guard, requests[:256])  # warm-up
    found: dict[int, list[float]] = {r: [] for r in guards}
    order = list(guards)
    for i in range(args.runs):
        for r in order if i % 2 == 0 else order[::-1]:
            found[r].append(run(guards[r], requests) * 1e6)
    print(f"{len(requests)} prompts, CPU µs per prompt, {args.runs} interleaved runs")
    for r, v in found.items():
        spread = statistics.stdev(v) if len(v) > 1 else 0.0
        print(f"  rules {r}: {statistics.mean(v):.1f} ± {spread:.1f} ({min(v):.1f}-{max(v):.1f})")
    if len(found) == 2:
        print(f"  ratio 11 / 10: {statistics.mean(found[11]) / statistics.mean(found[10]):.3f}")


if __name__ == "__main__":
    main()
