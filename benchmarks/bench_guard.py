"""The generative-AI guardrail: quality on the evaluation corpus, latency of both checks.

    .venv/bin/python benchmarks/bench_guard.py [--repeat 20] [--pairs-repeat 5] [--out FILE]

Quality: precision, recall, F1 and false-positive rate of ``check_request`` (text alone) per
language, on the held-out split of corpus/guard/ (written with the tune split, before tuning, and
never tuned on) and on the tune split. Latency, in this one process pinned to one core with one
inference thread: ``check_request`` on text alone over every corpus prompt (the first pass, with
the speller's cache empty, then ``--repeat`` passes more), and ``check_output`` per pair of benign
portraits of ../shared/data/faces with the real models — the usual path (nothing revealing found:
NudeNet only) and the full path (NudeNet, then dlib on both images), forced by a wrapper that
reports the real model's output as revealing.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

os.environ.setdefault("OMP_NUM_THREADS", "1")

from bouclier.detectors.base import Sample, Signal
from bouclier.detectors.faces import FaceDetector
from bouclier.detectors.nudity import REVEALING, NudityDetector
from bouclier.detectors.registry import Registry
from bouclier.guard import Guard
from bouclier.guard.evaluation import evaluate, load_corpus
from bouclier.guard.request import RequestGuard

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / "corpus" / "guard"
FACES = ROOT.parent / "shared" / "data" / "faces"
PAIRS = [
    ("obama_1.jpg", "obama_2.jpg"),
    ("kit_harington_1.jpg", "kit_harington_2.jpg"),
    ("biden_1.jpg", "rose_leslie_1.jpg"),
    ("alex_lacamoire_1.jpg", "lin_manuel_miranda_1.png"),
]


class AlwaysRevealing:
    """The real NudityDetector, its output read as revealing: the full path, on benign images."""

    name = "nudity"
    version = "always-revealing"

    def __init__(self, real: NudityDetector) -> None:
        self.real = real
        self.labels = real.labels

    def load(self) -> None:
        self.real.load()

    def detect(self, sample: Sample) -> list[Signal]:
        return [*self.real.detect(sample), Signal("nudity", REVEALING, 1.0)]


def percentiles(samples_ms: list[float]) -> tuple[float, float, float]:
    ordered = sorted(samples_ms)
    p99 = ordered[min(len(ordered) - 1, round(0.99 * (len(ordered) - 1)))]
    return statistics.median(ordered), p99, ordered[-1]


def timed(call: Callable[[], object]) -> float:
    start = time.perf_counter_ns()
    call()
    return (time.perf_counter_ns() - start) / 1e6


def quality_table(split: str, guard: Guard) -> list[str]:
    examples = load_corpus(CORPUS / f"{split}.jsonl")
    result = evaluate(examples, guard.check_request)
    lines = [
        f"**{split}** ({len(examples)} prompts)",
        "",
        "| lang | n | refuse / allow | precision | recall | F1 | FPR |",
        "|---|---|---|---|---|---|---|",
    ]
    for row in result.rows():
        lines.append(
            f"| {row['lang']} | {row['n']} | {row['positives']} / {row['negatives']} | "
            f"{row['precision']:.3f} | {row['recall']:.3f} | {row['f1']:.3f} | {row['fpr']:.3f} |"
        )
    for example, _ in result.errors:
        lines.append(f"\nmissed ({example.label}, {example.lang}): {example.text!r}")
    return [*lines, ""]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=20, help="passes over the corpus (warm)")
    parser.add_argument("--pairs-repeat", type=int, default=5, help="runs of each image pair")
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {sorted(os.sched_getaffinity(0))[0]})

    start = time.perf_counter()
    requests = RequestGuard()
    compile_ms = (time.perf_counter() - start) * 1000
    guard = Guard(requests=requests)
    lines = ["Request guard on the evaluation corpus (text alone).", ""]
    lines += quality_table("heldout", guard)
    lines += quality_table("tune", guard)

    prompts = [e.text for s in ("tune", "heldout") for e in load_corpus(CORPUS / f"{s}.jsonl")]
    fresh = RequestGuard()  # its speller's cache is empty: the first pass is the cold one
    cold = [timed(lambda p=p: fresh.check(p)) for p in prompts]
    warm = [timed(lambda p=p: requests.check(p)) for _ in range(args.repeat) for p in prompts]

    nudity, faces = NudityDetector(threads=1), FaceDetector()
    real = Guard(Registry([nudity, faces]), requests=requests)
    full = Guard(Registry([AlwaysRevealing(nudity), faces]), requests=requests)
    real.load()
    pairs = [((FACES / a).read_bytes(), (FACES / b).read_bytes()) for a, b in PAIRS]
    for source, output in pairs:  # warm-up: first inference allocates
        real.check_output(source, output)
    usual = [
        timed(lambda s=s, o=o: real.check_output(s, o))
        for _ in range(args.pairs_repeat)
        for s, o in pairs
    ]
    forced = [
        timed(lambda s=s, o=o: full.check_output(s, o))
        for _ in range(args.pairs_repeat)
        for s, o in pairs
    ]
    decisions = {real.check_output(s, o).decision.value for s, o in pairs}

    lines += [
        "Latency, one core, one thread (ms).",
        "",
        "| check | calls | p50 | p99 | max |",
        "|---|---|---|---|---|",
    ]
    for name, samples in (
        ("check_request, text alone, first pass (speller cache empty)", cold),
        (f"check_request, text alone, {args.repeat} more passes", warm),
        ("check_output per pair, usual path (not revealing: NudeNet only)", usual),
        ("check_output per pair, full path (NudeNet + dlib on both)", forced),
    ):
        p50, p99, top = percentiles(samples)
        lines.append(f"| {name} | {len(samples)} | {p50:.3f} | {p99:.3f} | {top:.3f} |")
    lines += [
        "",
        f"Lexicons compiled in {compile_ms:.0f} ms (once per process). "
        f"{len(prompts)} prompts; {len(PAIRS)} portrait pairs ({', '.join(a for a, _ in PAIRS)} "
        f"...), decided {sorted(decisions)} on the usual path.",
    ]
    text = "\n".join(lines) + "\n"
    sys.stdout.write(text)
    if args.out:
        args.out.write_text(text)


if __name__ == "__main__":
    main()
