"""``bouclier hash|bank add|match`` on video files: vPDQ lines, entries, matches with shares."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bouclier.cli import exit_codes
from tests.conftest import photo
from tests.media.videos import pan_frames, read_frames, write_video

DATA = Path(__file__).parents[1] / "data" / "vpdq"


def _json(lines: list[str]) -> list[dict]:  # type: ignore[type-arg]
    return [json.loads(line) for line in lines]


def _pan(path: Path, seed: int) -> Path:
    return write_video(path, pan_frames(photo(seed, (960, 720)), 60, (320, 240)), fps=10)


def test_hash_prints_vpdq_lines_and_digests(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    video = _pan(tmp_path / "a.mp4", 1)
    (tmp_path / "notes.mp4").write_text("not a video")
    code, out, _ = cli("hash", str(video), str(tmp_path / "notes.mp4"))
    assert code == exit_codes.INPUT_FAILED
    row, bad = _json(out)
    assert row["media"] == "video"
    assert (row["codec"], row["width"], row["height"], row["frames"]) == ("h264", 320, 240, 60)
    assert [line.split(",")[0] for line in row["vpdq"]] == ["0", "10", "20", "30", "40", "50"]
    assert row["vpdq"][1].endswith(",1.000")
    assert len(row["sha256"]) == 64
    assert bad["error"]["code"] == "media.unsupported_format"


def test_bank_a_video_then_match_its_re_encode(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    original = _pan(tmp_path / "a.mp4", 2)
    copy = write_video(
        tmp_path / "copy.webm", read_frames(original), fps=10, codec="libvpx-vp9", bit_rate=120_000
    )
    other = _pan(tmp_path / "b.mp4", 3)
    assert cli("bank", "create", "victims", "--kind", "victim")[0] == exit_codes.OK
    code, out, _ = cli("bank", "add", "victims", str(original))
    assert code == exit_codes.OK
    [added] = _json(out)
    code, out, _ = cli("bank", "add", "victims", "--signal-type", "md5", str(original))
    [by_md5] = _json(out)
    code, out, _ = cli("match", str(copy), str(other), str(original))
    assert code == exit_codes.OK
    found_copy, found_other, found_original = _json(out)
    [match] = found_copy["matches"]
    assert (match["entry"], match["signal_type"]) == (added["entry"], "vpdq")
    assert match["query_percent"] >= 80
    assert found_other["matches"] == []
    assert {m["entry"] for m in found_original["matches"]} == {added["entry"], by_md5["entry"]}


def test_a_threatexchange_hash_file_imports_and_matches_our_hash_of_its_video(cli) -> None:  # type: ignore[no-untyped-def]
    reference = (DATA / "test-padded-dimensions.txt").read_text()
    assert cli("bank", "create", "shared", "--kind", "victim")[0] == exit_codes.OK
    code, out, _ = cli("bank", "add", "shared", "--signal-type", "vpdq", "--value", reference)
    assert code == exit_codes.OK
    [added] = _json(out)
    code, out, _ = cli("match", str(DATA / "test-padded-dimensions.mp4"))
    [row] = _json(out)
    [match] = row["matches"]
    assert match["entry"] == added["entry"]
    # our 5 frames (one a second) are all in the reference's 150 (every frame); the banked
    # video's share is counted in seconds, and each of its 5 seconds has a frame within 31 bits
    assert match["query_percent"] == 100.0
    assert match["target_percent"] == 100.0


def test_a_densely_banked_video_is_found_from_a_trim_off_its_seconds(  # type: ignore[no-untyped-def]
    cli, tmp_path: Path, monkeypatch
) -> None:
    original = _pan(tmp_path / "a.mp4", 4)  # 6 s, 10 fps, a pan across the picture
    trim = write_video(tmp_path / "trim.mp4", list(read_frames(original))[15:], fps=10)  # 1.5 s on
    for bank in ("dense", "sparse"):
        assert cli("bank", "create", bank, "--kind", "victim")[0] == exit_codes.OK
    monkeypatch.setenv("BOUCLIER_VPDQ_BANK_SECONDS_PER_HASH", "1")
    [sparse] = _json(cli("bank", "add", "sparse", str(original))[1])
    monkeypatch.delenv("BOUCLIER_VPDQ_BANK_SECONDS_PER_HASH")  # the default: every 0.1 s
    [dense] = _json(cli("bank", "add", "dense", str(original))[1])
    code, out, _ = cli("match", str(trim))
    assert code == exit_codes.OK
    [row] = _json(out)
    [match] = row["matches"]  # the query's seconds fall half-way between the sparse bank's
    assert match["entry"] == dense["entry"] != sparse["entry"]
    assert match["query_percent"] >= 80
    # counted in seconds: the trim meets the banked video's seconds 1 to 5, not second 0
    assert match["target_percent"] == pytest.approx(100 * 5 / 6, abs=0.01)
