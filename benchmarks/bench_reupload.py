"""Re-uploads that change the framing: recall per transform family, false matches, added cost.

The suite (benchmarks/reupload/suite.py): benign originals x realistic re-upload transforms, each
query saved as a JPEG of quality 85 (as a platform re-encodes), and distractors that share no
source with the originals. The bank holds the originals (hashed from a JPEG of quality 95, as a
victim's device would) and procedural filler up to ``--bank`` entries.

Systems, on the same query bytes:

- **threatexchange PDQ**: python-threatexchange's ``PdqSignal.hash_from_bytes`` (full resolution,
  one hash, as HMA matches), brute force over the bank; at threshold 31 (HMA's) and at the best
  threshold (the highest recall whose false-match rate on the distractors stays <= 0.1%).
- **Bouclier PDQ**: ``hash_decoded`` (reduced decode, PDQ in 8 orientations) and the matcher's
  index, bank threshold 31, the framing stage off.
- **+ framing**: the same with the query-side framing stage (``stage == "framing"`` matches).
- **+ <type>**: each registered signal type other than PDQ and the digests (a robust signal
  type needs the image), run only when PDQ and framing found nothing; its bank holds the
  originals and ``--robust-filler`` filler pictures of its own.

Spread: a 95% bootstrap interval over the originals (``--resamples``) for each recall, and over
the distractors for the false-match rate. Latency: per query, one core, p50 / p99 of each
stage's added cost, measured as the thread's CPU time (OpenCV on one thread), so that other
work on a shared machine does not enter it. Nothing is asserted here: the quick mode runs on
tiny sizes in tests/benchmarks/test_bench_reupload.py.

    .venv/bin/python benchmarks/bench_reupload.py [--quick] [--originals 44] [--distractors 3000]
                                                  [--bank 100000] [--out FILE]
"""

from __future__ import annotations

import argparse
import hashlib
import io
import json
import multiprocessing
import os
import sys
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import TypeVar

import numpy as np
from PIL import Image

sys.path.insert(0, str(Path(__file__).resolve().parent))

from reupload import filler as robust_filler_pictures
from reupload import suite

from bouclier.banks.hashes import BankHashes, BankInfo, SignalRows
from bouclier.banks.matcher import BankMatcher, Match
from bouclier.hashing import DEFAULT_MIN_SIDE, framed_fingerprints, hash_decoded, video_only
from bouclier.hashing.pdq import DEFAULT_THRESHOLD, hash_pixels
from bouclier.media import DecodedImage, decode
from bouclier.signals import MediaInput, SignalType, SignalTypes
from bouclier.signals.exact import MD5, SHA256
from bouclier.signals.orb import OrbSignal
from bouclier.signals.orb_index import CANDIDATES as ROBUST_CANDIDATES
from bouclier.signals.orb_index import OrbIndex
from bouclier.signals.pdq import PDQ
from bouclier.signals.registry import signal_types as registered

ROOT = Path(__file__).resolve().parent.parent
CACHE = ROOT / ".cache" / "bench-reupload"
BASIC = SignalTypes([PDQ, SHA256, MD5])
MAX_FALSE = 0.001  # false matches allowed on distractors when choosing the best threshold
QUERY_QUALITY = 85
BANK_QUALITY = 95
ID_OFFSET = 10_000_000  # entry ids of each further signal type start at a multiple of this
_T = TypeVar("_T")
_R = TypeVar("_R")


def jpeg(image: Image.Image | np.ndarray, quality: int) -> bytes:
    picture = Image.fromarray(image) if isinstance(image, np.ndarray) else image
    buffer = io.BytesIO()
    picture.convert("RGB").save(buffer, "JPEG", quality=quality)
    return buffer.getvalue()


def filler(count: int, seed: int = 13) -> np.ndarray:
    """PDQ of ``count`` procedural filler pictures, (count, 32) uint8, cached in .cache/."""
    if count <= 0:
        return np.zeros((0, 32), np.uint8)
    path = CACHE / f"filler-seed{seed}-{count}.npy"
    for held in CACHE.glob(f"filler-seed{seed}-*.npy"):  # a larger cached run starts the same
        if int(held.stem.rsplit("-", 1)[1]) >= count:
            return np.load(held)[:count]
    CACHE.mkdir(parents=True, exist_ok=True)
    rows = np.zeros((count, 32), np.uint8)
    for i in range(count):
        rows[i] = np.frombuffer(bytes.fromhex(hash_pixels(suite.filler_picture(i)).pdq), np.uint8)
        if sys.stderr.isatty() and i % 1000 == 0:
            print(f"\rfiller hashes: {i}/{count}", end="", file=sys.stderr, flush=True)
    np.save(path, rows)
    return rows


#: robust filler values are cached in chunks of this many (an interrupted build resumes)
ROBUST_FILLER_CHUNK = 10_000


def robust_filler(kind: SignalType, count: int, workers: int, seed: int = 22) -> np.ndarray:
    """Packed values of ``count`` benign filler pictures (benchmarks/reupload/filler.py) for a
    robust signal type, cached in .cache/bench-reupload/<type>-filler-seed<seed>/ in chunks."""
    folder = CACHE / f"{kind.name}-filler-seed{seed}"
    folder.mkdir(parents=True, exist_ok=True)
    parts = []
    for start in range(0, count, ROBUST_FILLER_CHUNK):
        size = min(ROBUST_FILLER_CHUNK, count - start)  # a short last chunk has its own file
        path = folder / f"{start:07d}-{size}.npy"
        if not path.exists():
            indexes = range(start, start + size)
            values = _pool_map(_filler_value, [(kind.name, i, seed) for i in indexes], workers)
            partial = path.with_suffix(".partial.npy")
            np.save(partial, kind.pack(values))
            partial.replace(path)
        parts.append(np.load(path))
        _progress(start + size, count, "robust filler")
    if not parts:
        return np.zeros((0, kind.packed_bytes), np.uint8)
    return np.concatenate(parts)


def _filler_value(job: tuple[str, int, int]) -> str:
    name, i, seed = job
    kind = registered().get(name)
    pixels = robust_filler_pictures.picture(i, seed=seed)
    image = DecodedImage("PNG", pixels.shape[1], pixels.shape[0], (pixels,), 1)
    return kind.fingerprint(MediaInput(b"", image))[0].value


def _pool_map(fn: Callable[[_T], _R], jobs: list[_T], workers: int) -> list[_R]:
    """``fn`` over ``jobs`` in order, on ``workers`` forked processes (in this one if 1)."""
    if workers <= 1:
        return [fn(job) for job in jobs]
    with multiprocessing.get_context("fork").Pool(workers, initializer=_one_thread) as pool:
        return pool.map(fn, jobs, chunksize=max(1, len(jobs) // (workers * 16)))


def _one_thread() -> None:
    import cv2

    cv2.setNumThreads(1)


def robust_types() -> list[SignalType]:
    """Registered signal types that need the image (not PDQ, not the file digests, not a type
    that fingerprints videos only: vPDQ's filler would be built for nothing)."""
    return [kind for kind in registered() if kind.name not in BASIC and not video_only(kind)]


@dataclass
class Query:
    original: int  # -1: a distractor
    transform: str
    family: str
    te_distance_own: int = 256
    te_distance_any: int = 256
    direct: bool = False  # Bouclier PDQ found its original (or, for a distractor, anything)
    framing: bool = False  # ... directly or through a region
    robust: dict[str, bool] = field(default_factory=dict)  # ... or through that type
    pdq_s: float = 0.0  # decode + PDQ x8 + digests + lookup
    framing_s: float = 0.0  # framing stage: regions, their PDQ, their lookup
    robust_s: dict[str, float] = field(default_factory=dict)
    #: of that: the candidate stage alone (the inverted index's vote, no verification)
    propose_s: dict[str, float] = field(default_factory=dict)
    regions: int = 0
    te_failed: bool = False
    digest: str = ""  # SHA-256 of the query's bytes: the key of the threatexchange cache
    te_value: str = ""


@dataclass
class Bench:
    originals: int
    te_bank: np.ndarray  # (n, 4) uint64: threatexchange hashes of the bank
    matcher: BankMatcher
    robust: list[SignalType]
    queries: list[Query] = field(default_factory=list)
    #: threatexchange's PDQ by the SHA-256 of the query bytes (the same bytes, the same hash:
    #: kept in .cache/ so that a re-run does not hash 4,000 full-resolution images again)
    te_cache: dict[str, str] = field(default_factory=dict)

    @property
    def te_failed(self) -> int:  # queries threatexchange could not hash
        return sum(q.te_failed for q in self.queries)

    def te_distances(self, value: str) -> np.ndarray:
        q = np.frombuffer(bytes.fromhex(value), np.uint8).view(np.uint64)
        return np.bitwise_count(self.te_bank ^ q).sum(axis=1)

    def run(self, data: bytes, query: Query) -> None:
        """Every system on one query's bytes; each hash computed once and reused."""
        query.digest = hashlib.sha256(data).hexdigest()
        value = self.te_cache.get(query.digest)
        if value is None:
            from threatexchange.signal_type.pdq.signal import PdqSignal

            value = PdqSignal.hash_from_bytes(data)
        query.te_value = value
        if value:  # threatexchange answers "" for an image it cannot hash: found by nothing
            distances = self.te_distances(value)
            if query.original >= 0:
                query.te_distance_own = int(distances[query.original])
            query.te_distance_any = int(distances.min())
        else:
            query.te_failed = True
        found = self._found(query)

        start = time.thread_time()
        image = decode(data, min_side=DEFAULT_MIN_SIDE)
        hashes = hash_decoded(data, image, BASIC, framing=False)
        direct = self.matcher.match_image(hashes, candidates=0).matches  # PDQ and digests only
        query.pdq_s = time.thread_time() - start
        query.direct = found(direct)

        start = time.thread_time()
        media = hashes.media or MediaInput(data, image)
        framed = framed_fingerprints(media)
        by_region = self.matcher.match_fingerprints(framed) if framed else ()
        query.framing_s = time.thread_time() - start
        query.regions = len(media.framed)
        query.framing = query.direct or found(by_region)

        if query.framing or not self.robust:  # the costlier stage runs only when PDQ and
            query.robust = {kind.name: query.framing for kind in self.robust}  # framing missed
            return
        # the matcher's own on-demand stage (ORB searches with its query value), all types at
        # once: each type's column counts its own matches, and the time is theirs together
        start = time.thread_time()
        matches = self.matcher.match_robust(replace(hashes, media=media), ROBUST_CANDIDATES)
        spent = time.thread_time() - start
        for kind in self.robust:
            query.robust_s[kind.name] = spent
            query.robust[kind.name] = found(m for m in matches if m.signal_type == kind.name)
            index = self.matcher.indexes.get(kind.name)
            if isinstance(index, OrbIndex) and isinstance(kind, OrbSignal):
                rows = kind.pack_queries([kind.query_fingerprint(media).value])
                start = time.thread_time()  # the candidate vote alone, timed again apart
                index.propose(rows[0], ROBUST_CANDIDATES)
                query.propose_s[kind.name] = time.thread_time() - start

    def _found(self, query: Query) -> Callable[[Iterable[Match]], bool]:
        own = query.original + 1  # entry ids start at 1, after each type's offset

        def found(matches: Iterable[Match]) -> bool:
            if query.original < 0:
                return any(True for _ in matches)
            return any(m.entry % ID_OFFSET == own for m in matches)

        return found


def build(
    originals: list[Image.Image], bank_size: int, robust_filler_size: int, workers: int = 1
) -> Bench:
    from threatexchange.signal_type.pdq.signal import PdqSignal

    files = [jpeg(o, BANK_QUALITY) for o in originals]
    ours = [
        hash_decoded(f, decode(f, min_side=DEFAULT_MIN_SIDE), BASIC, framing=False).pdq.pdq
        for f in files
    ]
    theirs = [PdqSignal.hash_from_bytes(f) for f in files]
    rest = filler(max(0, bank_size - len(originals)))
    te_rows = np.concatenate([PDQ.pack(theirs), rest]) if len(rest) else PDQ.pack(theirs)
    rows = np.concatenate([PDQ.pack(ours), rest]) if len(rest) else PDQ.pack(ours)
    signals = {PDQ.name: _rows(rows)}
    robust = robust_types()
    for kind in robust:
        values = [
            kind.fingerprint(MediaInput(f, decode(f, min_side=DEFAULT_MIN_SIDE)))[0].value
            for f in files
        ]
        packed = np.concatenate(
            [kind.pack(values), robust_filler(kind, robust_filler_size, workers)]
        )
        signals[kind.name] = _rows(packed, start=ID_OFFSET * len(signals))
    banks = {1: BankInfo(1, "victims", "victim", DEFAULT_THRESHOLD, datetime.now(UTC), len(rows))}
    kinds = SignalTypes([*BASIC, *robust])
    matcher = BankMatcher(BankHashes(signals, banks), signal_types=kinds)
    te_bank = np.ascontiguousarray(te_rows).view(np.uint64).reshape(len(te_rows), 4)
    return Bench(len(originals), te_bank, matcher, robust)


def _rows(rows: np.ndarray, start: int = 0) -> SignalRows:
    ids = np.arange(start + 1, start + len(rows) + 1, dtype=np.int64)
    return SignalRows(ids, np.ones(len(rows), np.int32), rows)


# ---------------------------------------------------------------------------------------------
# the report


def _interval(
    values: np.ndarray, groups: np.ndarray, resamples: int, rng: np.random.Generator
) -> tuple[float, float]:
    """95% bootstrap interval of the mean of ``values``, resampling the ``groups`` (originals)."""
    if len(values) == 0:
        return (float("nan"), float("nan"))
    keys = np.unique(groups)
    by_key = {k: values[groups == k] for k in keys}
    means = []
    for _ in range(resamples):
        picked = rng.choice(keys, len(keys))
        means.append(np.concatenate([by_key[k] for k in picked]).mean())
    low, high = np.percentile(means, [2.5, 97.5])
    return float(low), float(high)


def _cell(values: np.ndarray, groups: np.ndarray, resamples: int, rng: np.random.Generator) -> str:
    if len(values) == 0:
        return "–"
    low, high = _interval(values.astype(float), groups, resamples, rng)
    return f"{100 * values.mean():.1f}% [{100 * low:.0f}–{100 * high:.0f}]"


def _ms(seconds: list[float]) -> str:
    if not seconds:
        return "–"
    p50, p99 = np.percentile(np.array(seconds) * 1000, [50, 99])
    return f"{p50:.1f} / {p99:.1f}"


def report(bench: Bench, resamples: int, seed: int = 0) -> str:
    rng = np.random.default_rng(seed)
    queries = [q for q in bench.queries if q.original >= 0]
    distractors = [q for q in bench.queries if q.original < 0]
    np.array([q.te_distance_own for q in queries])
    te_any = np.array([q.te_distance_any for q in distractors])
    best = DEFAULT_THRESHOLD
    for t in range(0, 129):
        if len(te_any) and (te_any <= t).mean() > MAX_FALSE:
            break
        best = t
    robust = [k.name for k in bench.robust]
    head = ["family", "queries", "threatexchange PDQ @31", f"threatexchange PDQ @{best} (best)"]
    head += ["Bouclier PDQ", "+ framing"] + [f"+ {name}" for name in robust]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]

    def row(label: str, chosen: list[Query]) -> None:
        groups = np.array([q.original for q in chosen])
        own = np.array([q.te_distance_own for q in chosen])
        cells = [label, str(len(chosen))]
        cells += [_cell(own <= DEFAULT_THRESHOLD, groups, resamples, rng)]
        cells += [_cell(own <= best, groups, resamples, rng)]
        cells += [_cell(np.array([q.direct for q in chosen]), groups, resamples, rng)]
        cells += [_cell(np.array([q.framing for q in chosen]), groups, resamples, rng)]
        cells += [
            _cell(np.array([q.robust[n] for q in chosen]), groups, resamples, rng) for n in robust
        ]
        lines.append("| " + " | ".join(cells) + " |")

    for family, names in suite.FAMILIES.items():
        row(f"{family} ({', '.join(names)})", [q for q in queries if q.transform in names])
    row("**all**", queries)
    worst = min(
        (np.mean([q.framing for q in queries if q.family == f]), f)
        for f in suite.FAMILIES
        if any(q.family == f for q in queries)
    )
    if distractors:
        groups = np.arange(len(distractors))
        cells = ["**false matches** (distractors)", str(len(distractors))]
        cells += [_cell(te_any <= DEFAULT_THRESHOLD, groups, resamples, rng)]
        cells += [_cell(te_any <= best, groups, resamples, rng)]
        cells += [_cell(np.array([q.direct for q in distractors]), groups, resamples, rng)]
        cells += [_cell(np.array([q.framing for q in distractors]), groups, resamples, rng)]
        cells += [
            _cell(np.array([q.robust[n] for q in distractors]), groups, resamples, rng)
            for n in robust
        ]
        lines.append("| " + " | ".join(cells) + " |")
    lines.append("")
    lines.append(
        f"Worst family with framing: {worst[1]} ({100 * worst[0]:.1f}%). Best threatexchange "
        f"threshold: the largest whose false matches stay <= {100 * MAX_FALSE:.1f}% of the "
        "distractors. Brackets: 95% bootstrap interval over the originals (the distractors for "
        "false matches)."
    )
    lines.append("")
    plain = {"reencode", "noise", "blur", "filter", "grayscale", "resize"}
    timing = [
        "| stage (ms, one core) | plain re-uploads p50 / p99 | framed re-uploads p50 / p99 "
        "| distractors p50 / p99 |",
        "|---|---|---|---|",
    ]
    groups_of = {
        "plain": [q for q in queries if q.family in plain],
        "framed": [q for q in queries if q.family not in plain],
        "distractors": distractors,
    }
    timing.append(
        "| Bouclier PDQ: decode, PDQ x8, digests, lookup | "
        + " | ".join(_ms([q.pdq_s for q in g]) for g in groups_of.values())
        + " |"
    )
    timing.append(
        "| framing stage: regions, their PDQ and lookup (added) | "
        + " | ".join(_ms([q.framing_s for q in g]) for g in groups_of.values())
        + " |"
    )
    for name in robust:
        timing.append(
            f"| {name} (added, when it runs) | "
            + " | ".join(
                _ms([q.robust_s[name] for q in g if name in q.robust_s]) for g in groups_of.values()
            )
            + " |"
        )
    for name in robust:
        timing.append(
            f"| of that, {name}'s candidate vote (inverted index, no verification) | "
            + " | ".join(
                _ms([q.propose_s[name] for q in g if name in q.propose_s])
                for g in groups_of.values()
            )
            + " |"
        )
    share = {k: np.mean([q.regions > 0 for q in g]) if g else 0.0 for k, g in groups_of.items()}
    timing.append(
        "| share of images where framing found a region | "
        + " | ".join(f"{100 * v:.0f}%" for v in share.values())
        + " |"
    )
    return "\n".join([*lines, *timing])


def main(argv: list[str] | None = None) -> str:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="smoke run: small sizes")
    parser.add_argument("--originals", type=int, default=None)
    parser.add_argument("--distractors", type=int, default=None)
    parser.add_argument("--bank", type=int, default=None, help="bank entries (with filler)")
    parser.add_argument(
        "--robust-filler", type=int, default=None, help="filler entries of each robust type"
    )
    parser.add_argument("--workers", type=int, default=2, help="processes (each one core)")
    parser.add_argument("--resamples", type=int, default=1000)
    parser.add_argument("--transforms", default=None, help="comma-separated subset")
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args(argv)
    quick = args.quick
    n_originals = args.originals or (4 if quick else 44)
    n_distractors = args.distractors if args.distractors is not None else (40 if quick else 3000)
    bank_size = args.bank if args.bank is not None else (2000 if quick else 100_000)
    robust_filler_size = (
        args.robust_filler if args.robust_filler is not None else (10 if quick else 100_000)
    )
    names = args.transforms.split(",") if args.transforms else list(suite.TRANSFORMS)

    os.environ.setdefault("OMP_NUM_THREADS", "1")
    import cv2

    cv2.setNumThreads(1)  # one core per process, as the targets say
    started = time.perf_counter()
    originals = suite.originals(n_originals)
    bench = build(originals, bank_size, robust_filler_size, args.workers)
    te_path = CACHE / "threatexchange-pdq.json"
    if te_path.exists():
        bench.te_cache = json.loads(te_path.read_text())
    jobs = [(index, name, 0) for name in names for index in range(n_originals)]
    jobs += [(-1, "distractor", i) for i in range(n_distractors)]
    global _BENCH, _ORIGINALS
    _BENCH, _ORIGINALS = bench, originals  # inherited by the forked workers
    for done, query in enumerate(_queries(jobs, args.workers), start=1):
        bench.queries.append(query)
        _progress(done, len(jobs), "queries")
    fresh = {q.digest: q.te_value for q in bench.queries if q.digest not in bench.te_cache}
    if fresh:
        CACHE.mkdir(parents=True, exist_ok=True)
        partial = te_path.with_suffix(".partial")
        partial.write_text(json.dumps({**bench.te_cache, **fresh}))
        partial.replace(te_path)
    sources = len(set(suite.original_sources(n_originals)))
    robust_text = ", ".join(
        f"{k.name} (a bank of {len(bench.matcher.indexes[k.name]):,} entries: the originals + "
        f"{robust_filler_size:,} benign filler pictures)"
        for k in bench.robust
    )
    robust_text = robust_text or "none registered"
    header = (
        f"Re-upload suite: {n_originals} originals (from {sources} photographs) x {len(names)} "
        f"transforms = {len(names) * n_originals} queries, {n_distractors} distractors, a bank "
        f"of {len(bench.te_bank):,} PDQ entries ({len(originals)} originals + procedural "
        f"filler); robust types: {robust_text}; {args.workers} processes, "
        f"{time.perf_counter() - started:.0f} s.\n"
    )
    text = header + "\n" + report(bench, args.resamples)
    print(text)
    if args.out:
        args.out.write_text(text + "\n")
    return text


def _progress(done: int, total: int, what: str) -> None:
    if sys.stderr.isatty():
        end = "\n" if done >= total else ""
        print(f"\r{what}: {done}/{total}", end=end, file=sys.stderr, flush=True)


_BENCH: Bench | None = None
_ORIGINALS: list[Image.Image] = []


def _queries(jobs: list[tuple[int, str, int]], workers: int) -> Iterator[Query]:
    """Each job's query made and run, in order, on ``workers`` forked processes."""
    if workers <= 1:
        yield from map(_query, jobs)
        return
    with multiprocessing.get_context("fork").Pool(workers, initializer=_one_thread) as pool:
        yield from pool.imap(_query, jobs, chunksize=4)


def _query(job: tuple[int, str, int]) -> Query:
    """One query (an original's transform, or distractor ``i``) made and run on every system."""
    original, name, i = job
    assert _BENCH is not None
    if original >= 0:
        picture = suite.apply(name, _ORIGINALS[original], seed=14, index=original)
        query = Query(original, name, suite.FAMILY[name])
    else:
        picture = suite.distractor(i)
        query = Query(-1, "distractor", "distractor")
    _BENCH.run(jpeg(picture, QUERY_QUALITY), query)
    return query


if __name__ == "__main__":
    main()
