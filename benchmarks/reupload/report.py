"""The re-upload benchmark's tables: recall per family with raw counts, false matches by
distractor, each stage's cost as CPU time and wall time, and why the robust stage missed.

Each query carries what every system found and what each stage cost (:class:`Cost`: the worker
process's CPU time, ``time.process_time``, and the wall clock; on a shared machine the CPU time
is the figure to read, the wall time says how loaded it was). Nothing here runs a system.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

import numpy as np

from reupload import suite

#: false matches allowed on distractors when choosing threatexchange's best threshold
MAX_FALSE = 0.001
#: PDQ's match threshold (HMA's)
PDQ_THRESHOLD = 31
PLAIN = frozenset({"reencode", "noise", "blur", "filter", "grayscale", "resize"})


@dataclass(frozen=True)
class Cost:
    """One stage's cost for one query, in seconds."""

    cpu: float
    wall: float


@contextmanager
def measured(costs: dict[str, Cost], stage: str) -> Iterator[None]:
    """Records the block's CPU time (this process's) and wall time as ``costs[stage]``."""
    cpu, wall = time.process_time(), time.perf_counter()
    yield
    costs[stage] = Cost(time.process_time() - cpu, time.perf_counter() - wall)


@dataclass
class Query:
    original: int  # -1: a distractor
    transform: str
    family: str
    item: int = 0  # the original's index, or the distractor's
    te_distance_own: int = 256
    te_distance_any: int = 256
    direct: bool = False  # Bouclier PDQ found its original (or, for a distractor, anything)
    framing: bool = False  # ... directly or through a region
    robust: dict[str, bool] = field(default_factory=dict)  # ... or through that type
    #: stage -> cost: "pdq", "framing", "<type>" (the robust stage), "<type> vote"
    costs: dict[str, Cost] = field(default_factory=dict)
    #: why the robust type missed an original's query: extraction / verification / retrieval
    miss: dict[str, str] = field(default_factory=dict)
    #: a distractor's false match: the inliers of the best entry it matched, by type
    false_inliers: dict[str, int] = field(default_factory=dict)
    regions: int = 0
    te_failed: bool = False
    digest: str = ""  # SHA-256 of the query's bytes: the key of the threatexchange cache
    te_value: str = ""


def _interval(
    values: np.ndarray, groups: np.ndarray, resamples: int, rng: np.random.Generator
) -> tuple[float, float]:
    """95% bootstrap interval of the mean of ``values``, resampling the ``groups`` (originals)."""
    keys = np.unique(groups)
    by_key = {k: values[groups == k] for k in keys}
    means = []
    for _ in range(resamples):
        picked = rng.choice(keys, len(keys))
        means.append(np.concatenate([by_key[k] for k in picked]).mean())
    low, high = np.percentile(means, [2.5, 97.5])
    return float(low), float(high)


def _cell(values: np.ndarray, groups: np.ndarray, resamples: int, rng: np.random.Generator) -> str:
    """``found/total (percent) [interval]``: the raw count first."""
    if len(values) == 0:
        return "–"
    low, high = _interval(values.astype(float), groups, resamples, rng)
    count = f"{int(values.sum())}/{len(values)}"
    return f"{count} ({100 * values.mean():.1f}%) [{100 * low:.0f}–{100 * high:.0f}]"


def _ms(costs: list[Cost]) -> str:
    """CPU p50 / p99 · wall p50 / p99, in ms."""
    if not costs:
        return "–"
    cpu = np.percentile([c.cpu * 1000 for c in costs], [50, 99])
    wall = np.percentile([c.wall * 1000 for c in costs], [50, 99])
    return f"{cpu[0]:.1f} / {cpu[1]:.1f} · {wall[0]:.1f} / {wall[1]:.1f}"


def best_threshold(distractors: list[Query]) -> int:
    """threatexchange's best threshold: the largest whose false matches stay <= MAX_FALSE."""
    te_any = np.array([q.te_distance_any for q in distractors])
    best = PDQ_THRESHOLD
    for t in range(0, 129):
        if len(te_any) and (te_any <= t).mean() > MAX_FALSE:
            break
        best = t
    return best


Read = Callable[[Query], bool]


def _columns(robust: list[str], best: int | None) -> list[tuple[str, Read]]:
    """(heading, how a query's outcome is read) for every system; threatexchange's best
    threshold only where distractors bound it (``best`` None: none were run)."""
    columns: list[tuple[str, Read]] = [
        ("threatexchange PDQ @31", lambda q: q.te_distance_own <= PDQ_THRESHOLD)
    ]
    if best is not None:
        columns.append((f"threatexchange PDQ @{best} (best)", lambda q: q.te_distance_own <= best))
    columns += [("Bouclier PDQ", lambda q: q.direct), ("+ framing", lambda q: q.framing)]
    columns += [(f"+ {name}", lambda q, n=name: q.robust[n]) for name in robust]
    return columns


def recall_table(
    queries: list[Query], distractors: list[Query], robust: list[str], resamples: int, seed: int
) -> str:
    rng = np.random.default_rng(seed)
    # with no distractors nothing bounds threatexchange's threshold: no "best" column
    best = best_threshold(distractors) if distractors else None
    columns = _columns(robust, best)
    head = ["family", "queries", *(name for name, _ in columns)]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]

    def row(label: str, chosen: list[Query]) -> None:
        groups = np.array([q.original for q in chosen])
        cells = [label, str(len(chosen))]
        for _, read in columns:
            values = np.array([read(q) for q in chosen], bool)
            cells.append(_cell(values, groups, resamples, rng))
        lines.append("| " + " | ".join(cells) + " |")

    for family, names in suite.FAMILIES.items():
        chosen = [q for q in queries if q.transform in names]
        if chosen:
            row(f"{family} ({', '.join(names)})", chosen)
    row("**all**", queries)
    if distractors:
        cells = ["**false matches** (distractors)", str(len(distractors))]
        te_any = np.array([q.te_distance_any for q in distractors])
        assert best is not None  # distractors were run
        found = [te_any <= PDQ_THRESHOLD, te_any <= best]
        found += [np.array([q.direct for q in distractors])]
        found += [np.array([q.framing for q in distractors])]
        found += [np.array([q.robust[n] for q in distractors]) for n in robust]
        cells += [f"{int(f.sum())}/{len(f)} ({100 * f.mean():.2f}%)" for f in found]
        lines.append("| " + " | ".join(cells) + " |")
    lines.append("")
    lines.append(
        f"Cells: found/total (share) [95% bootstrap interval over the originals]. Best "
        f"threatexchange threshold: the largest whose false matches stay <= "
        f"{100 * MAX_FALSE:.1f}% of the distractors."
    )
    return "\n".join(lines)


def false_match_lines(distractors: list[Query], robust: list[str]) -> list[str]:
    """Which distractors each of Bouclier's stages matched (ids for --distractor-seed)."""
    lines = []
    stages: list[tuple[str, Read]] = [
        ("PDQ", lambda q: q.direct),
        ("framing", lambda q: q.framing and not q.direct),
    ]
    stages += [(name, lambda q, n=name: q.robust[n] and not q.framing) for name in robust]
    for label, read in stages:
        hits = [q for q in distractors if read(q)]
        inliers = {q.item: q.false_inliers.get(label) for q in hits}
        ids = ", ".join(f"{i} ({n} inliers)" if n else f"{i}" for i, n in inliers.items())
        lines.append(f"- false matches by {label}: {len(hits)}/{len(distractors)}: {ids or 'none'}")
    return lines


def miss_lines(queries: list[Query], robust: list[str]) -> list[str]:
    """Per family, why the robust stage missed: extraction (under the pairs a match needs, against
    the original's own bank value), verification (pairs, but no plausible homography with the
    inliers and spread a match needs), retrieval (the original verifies, the index missed it)."""
    lines = []
    for name in robust:
        by_family: dict[str, Counter[str]] = {}
        for q in queries:
            if name in q.miss:
                by_family.setdefault(q.family, Counter())[q.miss[name]] += 1
        parts = [
            f"{family} " + ", ".join(f"{cause} {n}" for cause, n in sorted(causes.items()))
            for family, causes in by_family.items()
        ]
        lines.append(f"- {name} misses by cause: " + ("; ".join(parts) or "none"))
    return lines


def cost_table(queries: list[Query], distractors: list[Query], robust: list[str]) -> str:
    groups = {
        "plain": [q for q in queries if q.family in PLAIN],
        "framed": [q for q in queries if q.family not in PLAIN],
        "distractors": distractors,
    }
    lines = [
        "| stage (ms, one core: CPU p50 / p99 · wall p50 / p99) | plain re-uploads "
        "| framed re-uploads | distractors |",
        "|---|---|---|---|",
    ]
    stages = [
        ("pdq", "Bouclier PDQ: decode, PDQ x8, digests, lookup"),
        ("framing", "framing stage: regions, their PDQ and lookup (added)"),
    ]
    stages += [(name, f"{name} (added, when it runs)") for name in robust]
    stages += [(f"{n} vote", f"of that, {n}'s candidate vote (no verification)") for n in robust]
    for stage, label in stages:
        cells = [_ms([q.costs[stage] for q in g if stage in q.costs]) for g in groups.values()]
        lines.append(f"| {label} | " + " | ".join(cells) + " |")
    share = [np.mean([q.regions > 0 for q in g]) if g else 0.0 for g in groups.values()]
    lines.append(
        "| share of images where framing found a region | "
        + " | ".join(f"{100 * v:.0f}%" for v in share)
        + " |"
    )
    return "\n".join(lines)


def report(all_queries: list[Query], robust: list[str], resamples: int, seed: int = 0) -> str:
    queries = [q for q in all_queries if q.original >= 0]
    distractors = [q for q in all_queries if q.original < 0]
    parts = [recall_table(queries, distractors, robust, resamples, seed), ""]
    parts += false_match_lines(distractors, robust)
    parts += miss_lines(queries, robust)
    parts += ["", cost_table(queries, distractors, robust)]
    return "\n".join(parts)
