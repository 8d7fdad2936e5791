"""The query-extraction study (benchmarks/bench_orb_query.py) runs end to end on tiny sizes (no
timing asserted), prints each configuration's column, and refuses the evaluation seeds."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

BENCHMARKS = Path(__file__).resolve().parents[2] / "benchmarks"
sys.path.insert(0, str(BENCHMARKS))


def test_the_evaluation_seeds_are_refused(tmp_path: Path) -> None:
    import bench_orb_query

    for seeds in ("14", "21,41", "52"):
        with pytest.raises(SystemExit):
            bench_orb_query.main(["--query-seeds", seeds, "--cache", str(tmp_path)])
    with pytest.raises(SystemExit):
        bench_orb_query.main(["--distractor-seed", "44", "--cache", str(tmp_path)])
    with pytest.raises(SystemExit):
        bench_orb_query.main(["--configs", "main,nonesuch", "--cache", str(tmp_path)])


@pytest.mark.slow
def test_two_configurations_side_by_side(tmp_path: Path) -> None:
    import bench_orb_query

    from bouclier.signals import orb_keypoints as kp

    held = kp.QUERY
    text = bench_orb_query.main(
        ["--originals", "2", "--transforms", "crop_5,stickers,jpeg_70", "--distractors", "2",
         "--bank", "150", "--robust-filler", "2", "--cache", str(tmp_path), "--workers", "1",
         "--configs", "main,linear", "--query-seeds", "21"]
    )  # fmt: skip
    assert kp.QUERY is held  # the query configuration is put back
    assert "| family (all stages; ORB per configuration) | main | linear |" in text
    assert "| crop | " in text
    assert "| reencode | 2/2 | 2/2 |" in text  # PDQ finds a re-encode whatever ORB does
    assert "| all, seed 21 | " in text
    assert "| false matches (distractors) | " in text
    assert "ORB CPU p50 / p99 ms, framed, seed 21" in text
    assert "- main: ORB misses " in text
