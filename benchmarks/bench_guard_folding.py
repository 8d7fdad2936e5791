"""The request guard's rules with and without their quick folded forms, side by side.

    .venv/bin/python benchmarks/bench_guard_folding.py [--rounds 5] [--files seen-v23 seen-v22]

One process, one core (one BLAS thread), the same prompts: ``check_many`` in batches of 256 over
the chosen corpus files, alternating round by round between the guard as shipped (every
case-insensitive rule a bouclier.guard.folding.Folded with its quick form) and the same guard
with the quick forms switched off (each Folded then searches with its exact IGNORECASE pattern,
as every rule did before). Prints prompts per CPU-second per round, the median and the ratio,
and checks the decisions are the same.
"""

from __future__ import annotations

import argparse
import importlib
import json
import os
import pkgutil
import statistics
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

os.environ.setdefault("OMP_NUM_THREADS", "1")

import bouclier.guard
from bouclier.guard.decision import Action
from bouclier.guard.folding import Folded, fold
from bouclier.guard.guard import SERVICE_INTENT
from bouclier.guard.request import RequestGuard
from bouclier.guard.semantic import SemanticStage
from bouclier.guard.stages import EditRequest, TwoStageGuard

CORPUS = Path(__file__).resolve().parents[1] / "corpus" / "guard"


def _folded() -> list[Folded]:
    found: dict[int, Folded] = {}
    for module in pkgutil.iter_modules(bouclier.guard.__path__):
        loaded = importlib.import_module(f"bouclier.guard.{module.name}")
        for value in vars(loaded).values():
            if isinstance(value, Folded):
                found[id(value)] = value
    return list(found.values())


@contextmanager
def exact_only(patterns: list[Folded]) -> Iterator[None]:
    """Every Folded pattern searched by its exact form alone (as before folding)."""
    kept = [p.quick for p in patterns]
    for p in patterns:
        p.quick = None
    try:
        yield
    finally:
        for p, quick in zip(patterns, kept, strict=True):
            p.quick = quick


def _requests(files: list[str]) -> list[EditRequest]:
    requests = []
    for name in files:
        with (CORPUS / f"{name}.jsonl").open(encoding="utf-8") as rows:
            for line in rows:
                row = json.loads(line)
                requests.append(EditRequest(row["text"], context=tuple(row.get("context") or ())))
    return requests


def _run(guard: TwoStageGuard, requests: list[EditRequest]) -> tuple[float, list[str]]:
    fold.cache_clear()  # no round starts with the last round's folded texts
    start = time.process_time()
    decisions = []
    for i in range(0, len(requests), 256):
        decisions += guard.check_many(requests[i : i + 256])
    return len(requests) / (time.process_time() - start), [repr(d) for d in decisions]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--files", nargs="+", default=["seen-v23", "seen-v22"])
    args = parser.parse_args()
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {sorted(os.sched_getaffinity(0))[0]})
    requests = _requests(args.files)
    stage = SemanticStage(threads=1, intent=SERVICE_INTENT)
    guard = TwoStageGuard(RequestGuard(), stage, uncovered=Action.ALLOW)
    guard.load()
    patterns = _folded()
    quick = sum(p.quick is not None for p in patterns)
    print(
        f"{len(requests)} prompts ({', '.join(args.files)}); {len(patterns)} folded patterns, "
        f"{quick} with a quick form; one core, batches of 256"
    )
    guard.check_many(requests[:256])  # warm-up
    with exact_only(patterns):
        guard.check_many(requests[:256])
    rates: dict[str, list[float]] = {"exact only (before)": [], "folded (shipped)": []}
    answers: dict[str, list[str]] = {}
    for _ in range(args.rounds):
        with exact_only(patterns):
            rate, answers["exact only (before)"] = _run(guard, requests)
        rates["exact only (before)"].append(rate)
        rate, answers["folded (shipped)"] = _run(guard, requests)
        rates["folded (shipped)"].append(rate)
    same = answers["exact only (before)"] == answers["folded (shipped)"]
    print("\n| rules searched | prompts per CPU-second, per round | median |")
    print("|---|---|---|")
    for name, values in rates.items():
        rounds = ", ".join(f"{v:.0f}" for v in values)
        print(f"| {name} | {rounds} | {statistics.median(values):.0f} |")
    ratio = statistics.median(rates["folded (shipped)"]) / statistics.median(
        rates["exact only (before)"]
    )
    print(
        f"\nfolded / exact only: x{ratio:.2f} (median of {args.rounds} rounds); "
        f"decisions {'identical' if same else 'DIFFERENT'}"
    )
    if not same:
        raise SystemExit(1)


if __name__ == "__main__":
    main()
