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
import io
import os
import sys
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
from PIL import Image

sys.path.insert(0, str(Path(__file__).resolve().parent))

from reupload import suite

from bouclier.banks.matcher import BankMatcher, Match
from bouclier.banks.store import BankHashes, BankInfo, SignalRows
from bouclier.hashing import DEFAULT_MIN_SIDE, framed_fingerprints, hash_decoded
from bouclier.hashing.pdq import DEFAULT_THRESHOLD, hash_pixels
from bouclier.media import decode
from bouclier.signals import MediaInput, SignalType, SignalTypes
from bouclier.signals.exact import MD5, SHA256
from bouclier.signals.pdq import PDQ
from bouclier.signals.registry import signal_types as registered

ROOT = Path(__file__).resolve().parent.parent
CACHE = ROOT / ".cache" / "bench-reupload"
BASIC = SignalTypes([PDQ, SHA256, MD5])
MAX_FALSE = 0.001  # false matches allowed on distractors when choosing the best threshold
QUERY_QUALITY = 85
BANK_QUALITY = 95
ID_OFFSET = 10_000_000  # entry ids of each further signal type start at a multiple of this


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
    if path.exists():
        return np.load(path)
    CACHE.mkdir(parents=True, exist_ok=True)
    rows = np.zeros((count, 32), np.uint8)
    for i in range(count):
        rows[i] = np.frombuffer(bytes.fromhex(hash_pixels(suite.filler_picture(i)).pdq), np.uint8)
        if sys.stderr.isatty() and i % 1000 == 0:
            print(f"\rfiller hashes: {i}/{count}", end="", file=sys.stderr, flush=True)
    np.save(path, rows)
    return rows


def robust_types() -> list[SignalType]:
    """Registered signal types that need the image (not PDQ, not the file digests)."""
    return [kind for kind in registered() if kind.name not in BASIC]


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
    regions: int = 0


@dataclass
class Bench:
    originals: int
    te_bank: np.ndarray  # (n, 4) uint64: threatexchange hashes of the bank
    matcher: BankMatcher
    robust: list[SignalType]
    queries: list[Query] = field(default_factory=list)
    te_failed: int = 0  # queries threatexchange could not hash

    def te_distances(self, value: str) -> np.ndarray:
        q = np.frombuffer(bytes.fromhex(value), np.uint8).view(np.uint64)
        return np.bitwise_count(self.te_bank ^ q).sum(axis=1)

    def run(self, data: bytes, query: Query) -> None:
        from threatexchange.signal_type.pdq.signal import PdqSignal

        value = PdqSignal.hash_from_bytes(data)
        if value:  # threatexchange answers "" for an image it cannot hash: found by nothing
            distances = self.te_distances(value)
            if query.original >= 0:
                query.te_distance_own = int(distances[query.original])
            query.te_distance_any = int(distances.min())
        else:
            self.te_failed += 1
        found = self._found(query)

        start = time.thread_time()
        image = decode(data, min_side=DEFAULT_MIN_SIDE)
        hashes = hash_decoded(data, image, BASIC, framing=False)
        direct = self.matcher.match_image(hashes).matches
        query.pdq_s = time.thread_time() - start
        query.direct = found(direct)

        start = time.thread_time()
        media = MediaInput(data, image)
        framed = framed_fingerprints(media)
        by_region = self.matcher.match_fingerprints(framed) if framed else ()
        query.framing_s = time.thread_time() - start
        query.regions = len(media.framed)
        query.framing = query.direct or found(by_region)

        for kind in self.robust:
            if query.framing:  # the costlier stage runs only when PDQ and framing found nothing
                query.robust[kind.name] = True
                continue
            start = time.thread_time()
            values = kind.fingerprint(MediaInput(data, image))
            matches = self.matcher.match_fingerprints(values)
            query.robust_s[kind.name] = time.thread_time() - start
            query.robust[kind.name] = found(matches)
        self.queries.append(query)

    def _found(self, query: Query) -> Callable[[Iterable[Match]], bool]:
        own = query.original + 1  # entry ids start at 1, after each type's offset

        def found(matches: Iterable[Match]) -> bool:
            if query.original < 0:
                return any(True for _ in matches)
            return any(m.entry % ID_OFFSET == own for m in matches)

        return found


def build(originals: list[Image.Image], bank_size: int, robust_filler: int) -> Bench:
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
        values += [
            kind.fingerprint(MediaInput(b, decode(b, min_side=DEFAULT_MIN_SIDE)))[0].value
            for b in (
                jpeg(suite.distractor(i, seed=99), BANK_QUALITY) for i in range(robust_filler)
            )
        ]
        signals[kind.name] = _rows(kind.pack(values), start=ID_OFFSET * len(signals))
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
    parser.add_argument("--robust-filler", type=int, default=None)
    parser.add_argument("--resamples", type=int, default=1000)
    parser.add_argument("--transforms", default=None, help="comma-separated subset")
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args(argv)
    quick = args.quick
    n_originals = args.originals or (4 if quick else 44)
    n_distractors = args.distractors if args.distractors is not None else (40 if quick else 3000)
    bank_size = args.bank if args.bank is not None else (2000 if quick else 100_000)
    robust_filler = args.robust_filler if args.robust_filler is not None else (10 if quick else 500)
    names = args.transforms.split(",") if args.transforms else list(suite.TRANSFORMS)

    os.environ.setdefault("OMP_NUM_THREADS", "1")
    import cv2

    cv2.setNumThreads(1)  # one core, as the targets say
    started = time.perf_counter()
    originals = suite.originals(n_originals)
    bench = build(originals, bank_size, robust_filler)
    made = 0
    total = len(names) * n_originals + n_distractors
    for index, name, picture in suite.queries(originals, names):
        bench.run(jpeg(picture, QUERY_QUALITY), Query(index, name, suite.FAMILY[name]))
        made += 1
        _progress(made, total)
    for i, picture in enumerate(suite.distractors(n_distractors)):
        bench.run(jpeg(picture, QUERY_QUALITY), Query(-1, "distractor", "distractor"))
        _progress(made + i + 1, total)
    if sys.stderr.isatty():
        print(file=sys.stderr)
    sources = len(set(suite.original_sources(n_originals)))
    header = (
        f"Re-upload suite: {n_originals} originals (from {sources} photographs) x {len(names)} "
        f"transforms = {len(names) * n_originals} queries, {n_distractors} distractors, a bank "
        f"of {len(bench.te_bank):,} PDQ entries ({len(originals)} originals + procedural "
        f"filler); robust types: {', '.join(k.name for k in bench.robust) or 'none registered'}"
        f"; {time.perf_counter() - started:.0f} s.\n"
    )
    text = header + "\n" + report(bench, args.resamples)
    print(text)
    if args.out:
        args.out.write_text(text + "\n")
    return text


def _progress(done: int, total: int) -> None:
    if sys.stderr.isatty():
        print(f"\rqueries: {done}/{total}", end="", file=sys.stderr, flush=True)


if __name__ == "__main__":
    main()
