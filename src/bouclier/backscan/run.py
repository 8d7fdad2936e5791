"""The driver of a back-scan: source to engine to report, a checkpoint after every chunk.

The driver is the only part that touches the database: it loads the banks' hashes once (sent to
every worker), and for each hit settles the entries' standing (reviewed, a minor's case) and
decides the verdict with the policy, as the match API does. Workers never see the database, so
a Ray node needs nothing but the package.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from bouclier.backscan import report
from bouclier.backscan.checkpoint import Checkpoint
from bouclier.backscan.chunks import Chunk, ChunkResult
from bouclier.backscan.engines import Engine, LocalEngine, RayEngine
from bouclier.backscan.sources import Source, item_text
from bouclier.backscan.worker import Setup
from bouclier.banks.store import BankStore
from bouclier.cases.matched import MatchedEntries
from bouclier.errors import ConfigError
from bouclier.hashing import DEFAULT_MIN_SIDE
from bouclier.media import Limits
from bouclier.policy import CaseFlags, Policy, decide

DEFAULT_CHUNK = 10_000
Progress = Callable[[int, int], None]  # (chunk number done, items scanned so far)


@dataclass(frozen=True)
class Options:
    out: Path
    banks: Sequence[str] = ()
    engine: str = "local"
    workers: int | None = None
    address: str | None = None
    chunk_size: int = DEFAULT_CHUNK
    restart: bool = False
    limits: Limits = field(default_factory=Limits)
    min_side: int | None = DEFAULT_MIN_SIDE


@dataclass(frozen=True)
class Summary:
    scanned: int
    hits: int
    refused: int
    chunks: int
    resumed_from: int
    workers: int
    nodes: int  # Ray nodes that scanned chunks in this run (0: local workers)


def backscan(
    store: BankStore,
    source: Source,
    options: Options,
    *,
    policy: Policy | None = None,
    progress: Progress | None = None,
) -> Summary:
    policy = policy or Policy()
    names = sorted(options.banks) if options.banks else sorted(b.name for b in store.banks())
    marker = Checkpoint.path_for(options.out)
    state = None if options.restart else Checkpoint.load(marker)
    if state is not None and state.done:  # a finished back-scan: this one starts anew
        state = None
    if state is not None and not state.matches(source.identity(), names, options.chunk_size):
        raise ConfigError(
            f"{marker} belongs to another back-scan (source, banks or chunk size differ): "
            "run again with --restart, or write the report elsewhere"
        )
    if state is None:
        state = Checkpoint(source.identity(), names, options.chunk_size)
    resumed_from = state.chunks
    setup = Setup(
        store.hashes(names),
        source.kind,
        source.id_column,
        source.pdq_column,
        options.limits,
        options.min_side,
        source.store,
    )
    engine = _engine(setup, options)
    matched = MatchedEntries(store.db)
    nodes: set[str] = set()
    try:
        with open(options.out, "ab") as handle:
            handle.truncate(state.report_bytes)
            handle.seek(state.report_bytes)
            chunks = source.chunks(options.chunk_size, skip=state.chunks, last_item=state.last_item)
            last_items: dict[int, str] = {}

            def remembered(chunks: Iterator[Chunk]) -> Iterator[Chunk]:
                for chunk in chunks:
                    last_items[chunk.number] = item_text(chunk.items[-1])
                    yield chunk

            for result in engine.run(remembered(chunks)):
                if result.node is not None:
                    nodes.add(result.node)
                handle.write(_lines(result, matched, policy))
                handle.flush()
                os.fsync(handle.fileno())
                state.chunks = result.number + 1
                state.report_bytes = handle.tell()
                state.last_item = last_items.pop(result.number)
                for name, count in (
                    ("scanned", result.scanned),
                    ("hits", len(result.hits)),
                    ("refused", len(result.refused)),
                ):
                    state.counts[name] += count
                state.save(marker)
                if progress is not None:
                    progress(state.chunks, state.counts["scanned"])
        state.done = True
        state.save(marker)
    finally:
        engine.close()
    return Summary(
        state.counts["scanned"],
        state.counts["hits"],
        state.counts["refused"],
        state.chunks,
        resumed_from,
        engine.workers,
        len(nodes),
    )


def _engine(setup: Setup, options: Options) -> Engine:
    if options.engine == "ray":
        return RayEngine(setup, options.address, options.workers)
    if options.engine != "local":
        raise ConfigError(f"unknown engine {options.engine!r}: local or ray")
    return LocalEngine(setup, options.workers or os.cpu_count() or 1)


def _lines(result: ChunkResult, matched: MatchedEntries, policy: Policy) -> bytes:
    """The chunk's report lines, in source order: hits with their verdicts, refused items."""
    settled, minors = matched.settle([hit.matches for hit in result.hits])
    lines: list[tuple[int, bytes]] = []
    for hit, matches in zip(result.hits, settled, strict=True):
        minor = any(m.entry in minors for m in matches if m.bank_kind == "victim")
        verdict = decide([], matches, CaseFlags(minor=minor), policy)
        lines.append((hit.line, report.encode(report.hit_line(hit, matches, verdict))))
    lines += [(r.line, report.encode(report.refused_line(r))) for r in result.refused]
    return b"".join(line for _, line in sorted(lines, key=lambda pair: pair[0]))
