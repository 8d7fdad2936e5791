"""The re-upload benchmark runs end to end in its quick mode on tiny sizes (no timing asserted),
and its suite keeps its promises: enough transforms in the families the issue names, originals
and distractors from separate sources, the same pixels for the same seed."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest

BENCHMARKS = Path(__file__).resolve().parents[2] / "benchmarks"
sys.path.insert(0, str(BENCHMARKS))

from reupload import suite  # noqa: E402

FAMILIES_ASKED = {
    "reencode", "noise", "blur", "filter", "grayscale", "resize", "crop", "border", "letterbox",
    "screenshot", "rotation", "perspective", "caption", "stickers", "combined",
}  # fmt: skip


def test_the_suite_covers_the_families_asked() -> None:
    assert len(suite.TRANSFORMS) >= 20
    assert set(suite.FAMILIES) >= FAMILIES_ASKED
    assert set(suite.FAMILY) == set(suite.TRANSFORMS)
    assert len(suite.views()) >= 40


def test_originals_and_distractors_share_no_source() -> None:
    assert not set(suite.ORIGINAL_SOURCES) & set(suite.DISTRACTOR_SOURCES)
    assert set(suite.original_sources(len(suite.views()))) <= set(suite.ORIGINAL_SOURCES)


def test_the_suite_is_deterministic() -> None:
    [first] = suite.originals(1)
    again = suite.apply("screenshot_post", suite.originals(1)[0], seed=1, index=0)
    assert np.array_equal(np.asarray(suite.originals(1)[0]), np.asarray(first))
    assert np.array_equal(
        np.asarray(suite.apply("screenshot_post", first, seed=1, index=0)), np.asarray(again)
    )
    assert np.array_equal(np.asarray(suite.distractor(3)), np.asarray(suite.distractor(3)))


@pytest.mark.slow
def test_the_quick_mode_prints_one_table(tmp_path: Path) -> None:
    import bench_reupload

    out = tmp_path / "table.md"
    text = bench_reupload.main(
        ["--quick", "--originals", "2", "--distractors", "4", "--bank", "150", "--resamples",
         "20", "--robust-filler", "2", "--cache", str(tmp_path / "cache"), "--out", str(out),
         "--timing-runs", "2"]
    )  # fmt: skip
    assert out.read_text().strip() == text.strip()
    # its fillers and threatexchange's hashes went to the folder given, nothing to the repo's
    assert list((tmp_path / "cache").glob("orb-filler-seed22-*/0000000-2.npy"))
    assert (tmp_path / "cache" / "threatexchange-pdq.json").exists()
    for family in suite.FAMILIES:
        assert f"| {family} (" in text
    assert "threatexchange PDQ @31" in text
    assert "+ framing" in text
    assert "**false matches** (distractors) | 4 |" in text
    # raw counts: found/total per family, k/N false matches with the distractors' ids
    assert "| crop (crop_5, crop_10_offcentre, crop_20, crop_20_offcentre) | 8 | " in text
    assert "/8 (" in text
    assert "- false matches by orb: " in text
    assert "- orb misses by cause: " in text
    # each stage's CPU time next to its wall time
    assert "CPU p50 / p99 · wall p50 / p99" in text
    assert "load average" in text
    assert "framing stage" in text
    # the robust column is ORB's, run through the matcher's own stage; no video-only type's
    assert "| + orb |" in text
    assert "+ vpdq" not in text
    # the robust stage timed twice on the same framed re-uploads, the p99s' median after
    assert "Robust stage timed 2 times on the same " in text
    assert "| 2 | " in text
    assert "- median of the runs' CPU p99: **" in text


def test_the_timing_runs_table_gives_each_runs_p99_and_their_median() -> None:
    from bench_reupload import timing_runs_table
    from reupload.report import Cost

    def run(slowest_ms: float) -> list[Cost]:
        # 200 costs: 1 ms each but the slowest three (numpy's p99 lies between the 198th and the
        # 199th)
        return [Cost(0.001, 0.002)] * 197 + [Cost(slowest_ms / 1000, 0.1)] * 3

    text = timing_runs_table([run(30.0), run(10.0), run(20.0)])
    assert "timed 3 times on the same 200 framed re-uploads" in text
    assert "| 1 | 1.0 / 30.0 |" in text
    assert "| 2 | 1.0 / 10.0 |" in text
    assert "**20.0 ms** (runs' p99 10.0-30.0)" in text


def test_no_best_threshold_column_without_distractors() -> None:
    """threatexchange's "best" threshold is the largest whose false matches stay under the limit
    on the distractors: with none run, nothing bounds it, and the table must not print one."""
    from reupload.report import Query, recall_table

    queries = [
        Query(
            original=i, transform="crop_5", family="crop", te_distance_own=90, robust={"orb": True}
        )
        for i in range(3)
    ]
    distractor = Query(
        original=-1, transform="distractor", family="distractor", robust={"orb": False}
    )
    without = recall_table(queries, [], ["orb"], resamples=10, seed=1)
    assert "(best)" not in without
    assert "threatexchange PDQ @31" in without
    with_one = recall_table(queries, [distractor], ["orb"], resamples=10, seed=1)
    assert "(best)" in with_one
