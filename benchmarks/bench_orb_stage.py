"""Where the ORB stage's time goes, per image, on one core: extraction and the index search.

The robust stage of ``BankMatcher.match_robust`` is ``ORB.query_fingerprint`` (reduce to 512 px,
grey, ORB detection, the grid choice, descriptors) then ``OrbIndex.search_verified`` (the vote
over the inverted index, then ``verify`` of the best candidates: pairing and RANSAC). This runs
those two parts on the re-upload suite's framed transforms (the ones PDQ misses) and on
distractors (which find nothing, so every candidate is verified), against the originals plus
``--robust-filler`` filler entries (the same cache as bench_reupload.py), and prints each part's
CPU time (``time.process_time``) and wall time, p50 / p99, and with ``--profile`` the functions
that took the most time under cProfile. Each run times the code before and the code now, one
after the other on the same queries; "now" searches with the content region's value, then, when
it finds nothing, with the whole frame's (``ORB.query_fingerprints``), against the stored values
of today's format. "Before" is, with ``--before vote`` (the default), the same but for the
candidate vote in numpy (gather, two ``bincount``s: the code before issue 11's eighth session,
kept here as :func:`numpy_vote`); with ``--before extraction``, the whole frame with every
detected keypoint described (the code before its fourth session). The vote's own time, a part
of the search's, is printed apart.

    .venv/bin/python benchmarks/bench_orb_stage.py [--originals 10] [--distractors 300]
        [--robust-filler 10000] [--runs 3] [--before vote|extraction] [--profile]
"""

from __future__ import annotations

import argparse
import cProfile
import io
import os
import pstats
import sys
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_reupload import BANK_QUALITY, CACHE, QUERY_QUALITY, jpeg, robust_filler
from reupload import suite
from reupload.report import PLAIN, Cost, measured

from bouclier.hashing import DEFAULT_MIN_SIDE
from bouclier.media import decode
from bouclier.signals import MediaInput
from bouclier.signals import orb_keypoints as kp
from bouclier.signals.orb import ORB
from bouclier.signals.orb_index import CANDIDATES, OrbIndex, keys_of


def _media(data: bytes) -> MediaInput:
    return MediaInput(data, decode(data, min_side=DEFAULT_MIN_SIDE))


def bank(originals: int, filler: int, cache: Path) -> OrbIndex:
    """The originals' stored values (from a JPEG of quality 95) and the cached filler."""
    values = [
        ORB.fingerprint(_media(jpeg(o, BANK_QUALITY)))[0].value for o in suite.originals(originals)
    ]
    more, _ = robust_filler(ORB, filler, workers=2, cache=cache)
    rows = np.concatenate([ORB.pack(values), more])
    index = OrbIndex()
    index.add(rows, np.arange(len(rows), dtype=np.int64))
    return index


def queries(originals: int, distractors: int, seed: int) -> list[tuple[str, bytes]]:
    """(group, JPEG bytes): the framed transforms of each original, and distractors."""
    framed = [name for name, family in suite.FAMILY.items() if family not in PLAIN]
    images = suite.originals(originals)
    out = [
        ("re-upload", jpeg(suite.apply(name, image, seed=seed, index=i), QUERY_QUALITY))
        for name in framed
        for i, image in enumerate(images)
    ]
    out += [("distractor", jpeg(suite.distractor(i), QUERY_QUALITY)) for i in range(distractors)]
    return out


def _before_extract(frame: np.ndarray, keypoints: int) -> bytes:
    """Extraction as it was before issue 11's fourth session: every detected keypoint
    described (six times those kept), then the grid's choice (the same bits)."""
    import cv2

    grey = kp._reduced_grey(frame)
    height, width = grey.shape
    detector = cv2.ORB_create(nfeatures=keypoints * 6, edgeThreshold=15, fastThreshold=10)
    found, descriptors = detector.detectAndCompute(grey, None)
    out = np.zeros(keypoints, kp._DTYPE)
    if descriptors is None or not found:
        return bytes(2) + out.tobytes()
    xy = np.array([k.pt for k in found], np.float64)
    keep = kp._spread(xy, np.array([k.response for k in found]), width, height, keypoints)
    chosen = out[: len(keep)]
    chosen["descriptor"] = descriptors[keep, : kp.DESCRIPTOR_BYTES]
    chosen["x"] = np.clip(np.round(xy[keep, 0] / width * 65535), 0, 65535)
    chosen["y"] = np.clip(np.round(xy[keep, 1] / height * 65535), 0, 65535)
    return bytes(np.array([len(keep)], "<u2").tobytes()) + out.tobytes()


def numpy_vote(index: OrbIndex, query: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``OrbIndex._vote`` before its C helper (issue 11, eighth session): every key's postings
    gathered at once, then two ``bincount``s over the slots (the same sums, bit for bit)."""
    keys = keys_of(query)
    starts, ends = index._offsets[keys], index._offsets[keys + 1]
    weight = np.log1p(len(index._slot) / np.maximum(index._df[keys], 1))
    lengths = ends - starts
    first = np.repeat(starts - (np.cumsum(lengths) - lengths), lengths)
    parts = [index._postings[first + np.arange(len(first))]]
    weights = [np.repeat(weight, lengths)]
    if index._delta_size:
        delta_keys = np.concatenate(index._delta_keys)
        inside = np.isin(delta_keys, keys)
        parts.append(np.concatenate(index._delta_slots)[inside])
        weights.append(weight[np.searchsorted(keys, delta_keys[inside])])
    slots = np.concatenate(parts)
    votes = np.bincount(slots, minlength=index._count)
    score = np.bincount(slots, weights=np.concatenate(weights), minlength=index._count)
    return votes, score


def timed_vote(
    index: OrbIndex, vote: Callable[[np.ndarray], tuple[np.ndarray, np.ndarray]], spent: list[Cost]
) -> None:
    """Has ``index`` vote with ``vote``, each call's cost added to ``spent[0]``."""

    def run(query: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        part: dict[str, Cost] = {}
        with measured(part, "vote"):
            out = vote(query)
        spent[0] = _plus(spent[0], part["vote"])
        return out

    index._vote = run  # type: ignore[method-assign]


def stage(index: OrbIndex, data: bytes, costs: dict[str, Cost], before: bool) -> None:
    """The robust stage on one query's bytes, its two parts timed apart (decoding is the PDQ
    stage's, done before, and so are the framing stage's regions). ``before``: the whole frame,
    every keypoint described (the code before this session, for a side-by-side run)."""
    media = _media(data)
    media.content  # noqa: B018  # the framing stage's regions, found before the robust stage
    costs["extract"], costs["search"] = Cost(0.0, 0.0), Cost(0.0, 0.0)
    if before:
        frame = media.image.frames[0]
        values = (_before_extract(frame, kp.QUERY_KEYPOINTS).hex() for _ in range(1))
    else:  # the region's value, then (when it finds nothing) the whole frame's
        values = (q.value for q in ORB.query_fingerprints(media))
    while True:
        part: dict[str, Cost] = {}
        with measured(part, "extract"):
            value = next(values, None)
        costs["extract"] = _plus(costs["extract"], part["extract"])
        if value is None:
            break
        with measured(part, "search"):
            [(hits, _)] = index.search_verified(
                ORB.pack_queries([value]), ORB.default_threshold, CANDIDATES
            )
        costs["search"] = _plus(costs["search"], part["search"])
        if len(hits):
            break
    costs["total"] = _plus(costs["extract"], costs["search"])


def _plus(a: Cost, b: Cost) -> Cost:
    return Cost(a.cpu + b.cpu, a.wall + b.wall)


def _ms(values: list[Cost]) -> str:
    cpu = np.percentile([c.cpu * 1000 for c in values], [50, 99])
    wall = np.percentile([c.wall * 1000 for c in values], [50, 99])
    return f"{cpu[0]:.1f} / {cpu[1]:.1f} · {wall[0]:.1f} / {wall[1]:.1f}"


def main(argv: list[str] | None = None) -> str:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    parser.add_argument("--originals", type=int, default=10)
    parser.add_argument("--distractors", type=int, default=300)
    parser.add_argument("--robust-filler", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--seed", type=int, default=14)
    parser.add_argument("--cache", type=Path, default=CACHE)
    parser.add_argument("--before", choices=("vote", "extraction"), default="vote")
    parser.add_argument("--profile", action="store_true")
    args = parser.parse_args(argv)
    import cv2

    cv2.setNumThreads(1)
    index = bank(args.originals, args.robust_filler, args.cache)
    jobs = queries(args.originals, args.distractors, args.seed)
    lines = [
        f"ORB stage: {len(index):,} entries, {len(jobs)} queries, {args.runs} runs, before = "
        f"{args.before}'s old code, load "
        f"average {os.getloadavg()[0]:.1f} (1 min) at the start",
        "",
        "| run | code | part | re-uploads CPU p50 / p99 · wall p50 / p99 (ms) | distractors |",
        "|---|---|---|---|---|",
    ]
    profile = cProfile.Profile() if args.profile else None
    c_vote = index._vote
    spent = [Cost(0.0, 0.0)]
    for run in range(1, args.runs + 1):
        for code in ("before", "now"):  # side by side in each run, on the same queries
            old_vote = code == "before" and args.before == "vote"
            timed_vote(index, partial(numpy_vote, index) if old_vote else c_vote, spent)
            seen: dict[str, list[dict[str, Cost]]] = {"re-upload": [], "distractor": []}
            for group, data in jobs:
                costs: dict[str, Cost] = {}
                if profile and run == args.runs and code == "now":
                    profile.enable()
                spent[0] = Cost(0.0, 0.0)
                stage(index, data, costs, before=code == "before" and args.before == "extraction")
                costs["vote"] = spent[0]
                if profile:
                    profile.disable()
                seen[group].append(costs)
            for part in ("extract", "search", "vote", "total"):
                cells = [_ms([c[part] for c in seen[g]]) for g in seen]
                lines.append(f"| {run} | {code} | {part} | " + " | ".join(cells) + " |")
    lines.append(f"\nload average {os.getloadavg()[0]:.1f} (1 min) at the end")
    if profile:
        out = io.StringIO()
        pstats.Stats(profile, stream=out).sort_stats("tottime").print_stats(18)
        lines += ["", "cProfile, last run, by own time:", "```", out.getvalue().strip(), "```"]
    text = "\n".join(lines)
    print(text)
    return text


if __name__ == "__main__":
    started = time.perf_counter()
    main()
    print(f"{time.perf_counter() - started:.0f} s", file=sys.stderr)
