"""The guard answers the same with its readings remembered as without (bouclier.guard.memo).

    .venv/bin/python scripts/guard_memo_check.py [--every 1]

Every training prompt (evaluation.TRAINING, with its context; ``--every K``: every K-th) decided
by ``check_many`` in batches of 256, in this one process, twice per configuration: with the
memo's scope, and with a scope that remembers nothing. Configurations: the real model with rules
17 (the default), and fake readings (the model's harm fixed at 0.6 with rules 17 and 14, 0.05
with rules 17, 0.95 with rules 16, which take the rules' other paths). Prints, per
configuration, how many decisions differ (``repr`` of each: action, score, reasons, languages,
explanation, stages) and the CPU time of each pass; exits 1 if any differs.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
import time
from collections.abc import Iterator, Sequence
from pathlib import Path

os.environ.setdefault("OMP_NUM_THREADS", "1")

import numpy as np

from bouclier.guard import memo
from bouclier.guard.evaluation import TRAINING, load_corpus
from bouclier.guard.semantic import Reading, SemanticStage
from bouclier.guard.stages import EditRequest, TwoStageGuard

CORPUS = Path(__file__).resolve().parent.parent / "corpus" / "guard"


class Fixed:
    """The real stage's properties, with every text's harm and continuation read as ``harm``."""

    def __init__(self, real: SemanticStage, harm: float) -> None:
        self.real, self.harm = real, harm

    def __getattr__(self, name: str) -> object:
        return getattr(self.real, name)

    def read(self, texts: Sequence[str]) -> Reading:
        return Reading(np.full(len(texts), self.harm), np.full(len(texts), self.harm))


@contextlib.contextmanager
def forgetting() -> Iterator[None]:
    yield


def decide(guard: TwoStageGuard, requests: list[EditRequest]) -> tuple[list[str], float]:
    started = time.process_time()
    found = []
    for i in range(0, len(requests), 256):
        found += [repr(d) for d in guard.check_many(requests[i : i + 256])]
    return found, time.process_time() - started


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--every", type=int, default=1, help="every K-th training prompt")
    args = parser.parse_args()
    examples = [e for name in TRAINING for e in load_corpus(CORPUS / f"{name}.jsonl")]
    requests = [EditRequest(e.text, context=tuple(e.context)) for e in examples[:: args.every]]
    base = TwoStageGuard()
    base.load()
    guards = [("the real model", 17, base)] + [
        (
            f"a fake reading {harm}",
            rules,
            TwoStageGuard(semantic=Fixed(base.semantic, harm), rules=rules),
        )  # type: ignore[arg-type]
        for harm, rules in ((0.6, 17), (0.6, 14), (0.05, 17), (0.95, 16))
    ]
    print(f"{len(requests):,} training prompts, batches of 256, CPU seconds", flush=True)
    scope, failed = memo.scope, False
    for name, rules, guard in guards:
        try:
            memo.scope = forgetting  # type: ignore[assignment]
            plain, cpu_plain = decide(guard, requests)
        finally:
            memo.scope = scope
        remembered, cpu_memo = decide(guard, requests)
        differ = sum(a != b for a, b in zip(plain, remembered, strict=True))
        failed = failed or differ > 0
        print(
            f"{name}, rules {rules}: {differ} differ; without the memo {cpu_plain:.1f} s, "
            f"with it {cpu_memo:.1f} s",
            flush=True,
        )
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
