"""vPDQ's formats and matching rule, checked against ThreatExchange's published hash files
(tests/data/vpdq, written by the reference C++ vPDQ)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bouclier.errors import InvalidHash
from bouclier.hashing import vpdq
from bouclier.hashing.vpdq import VpdqComparison, VpdqFeature

DATA = Path(__file__).parents[1] / "data" / "vpdq"
REFERENCE_FILES = sorted(DATA.glob("*.txt"))


def _reference(name: str) -> list[VpdqFeature]:
    return vpdq.parse_reference((DATA / name).read_text())


def _pseudocode(
    query: list[VpdqFeature], target: list[VpdqFeature], quality: int, distance: int
) -> tuple[float, float]:
    """The README's pseudocode of vPDQ's comparison, written out plainly with Python ints."""

    def kept(features: list[VpdqFeature]) -> list[int]:
        unique = {f.pdq: f for f in features}.values()
        return [int(f.pdq, 16) for f in unique if f.quality >= quality]

    q, t = kept(query), kept(target)
    q_found = sum(any((a ^ b).bit_count() <= distance for b in t) for a in q)
    t_found = sum(any((a ^ b).bit_count() <= distance for b in q) for a in t)
    return q_found * 100 / len(q), t_found * 100 / len(t)


@pytest.mark.parametrize("path", REFERENCE_FILES, ids=lambda p: p.name)
def test_reference_files_read_and_write_back_byte_for_byte(path: Path) -> None:
    text = path.read_text()
    features = vpdq.parse_reference(text)
    assert len(features) == len(text.splitlines())
    assert features[0].frame == 0
    assert all(0 <= f.quality <= 100 and len(f.pdq) == 64 for f in features)
    assert vpdq.format_reference(features) == text


def test_threatexchange_json_round_trip_keeps_hash_quality_and_time() -> None:
    features = _reference("test-padded-dimensions.txt")
    text = vpdq.format_threatexchange(features)
    assert json.loads(text)[1] == f"{features[1].pdq},100,0.033"
    assert vpdq.parse_threatexchange(text) == features  # frame numbers are the positions here
    assert vpdq.parse_any(text) == vpdq.parse_any(vpdq.format_reference(features))


@pytest.mark.parametrize(
    ("query", "target"),
    [
        ("doorknob-hd-no-bar.txt", "doorknob-hd-no-bar-128x128.txt"),
        ("doorknob-hd-no-bar-128x128.txt", "doorknob-hd-no-bar.txt"),
        ("doorknob-hd-no-bar.txt", "test-padded-dimensions.txt"),
        ("test-padded-dimensions.txt", "test-padded-dimensions.txt"),
    ],
)
@pytest.mark.parametrize(("quality", "distance"), [(50, 31), (0, 31), (80, 10), (50, 0)])
def test_comparison_is_the_reference_rule_on_published_hashes(
    query: str, target: str, quality: int, distance: int
) -> None:
    q, t = _reference(query), _reference(target)
    got = vpdq.compare(q, t, quality=quality, distance=distance)
    assert (got.query_percent, got.target_percent) == pytest.approx(
        _pseudocode(q, t, quality, distance)
    )


def test_the_same_video_at_two_sizes_matches_and_another_does_not() -> None:
    full, small = _reference("doorknob-hd-no-bar.txt"), _reference("doorknob-hd-no-bar-128x128.txt")
    other = _reference("test-padded-dimensions.txt")
    assert vpdq.compare(full, small).matches(80, 80)
    assert vpdq.compare(full, other) == VpdqComparison(0.0, 0.0)
    assert not vpdq.compare(full, other).matches(0, 0)


def test_a_trimmed_clip_matches_with_the_default_shares_but_not_when_both_must_be_whole() -> None:
    full = _reference("doorknob-hd-no-bar.txt")
    clip = full[:40]
    shares = vpdq.compare(clip, full)
    assert shares.query_percent == 100.0
    assert shares.target_percent < 60
    assert shares.matches(vpdq.QUERY_MATCH_PERCENT, vpdq.TARGET_MATCH_PERCENT)
    assert not shares.matches(100, 100)


def test_a_densely_hashed_target_is_counted_in_seconds() -> None:
    full = _reference("test-padded-dimensions.txt")  # every frame, 30 a second, 5 seconds
    query = [f for f in full if f.frame % 30 == 0]  # one a second, as a query is hashed
    by_frames = vpdq.compare(query, full)
    by_seconds = vpdq.compare(query, full, by_seconds=True)
    assert by_frames.query_percent == by_seconds.query_percent == 100.0
    assert by_frames.target_percent < 100  # some of the target's frames are not near a query's
    assert by_seconds.target_percent == 100.0  # but each of its seconds is met
    assert vpdq.compare(query[:2], full, by_seconds=True).target_percent == 40.0
    # the doorknob fades to black in its third second: its usable seconds are 0, 1 and 3, and
    # the query's usable frames (at 0 and 1 s) meet two of them
    door = _reference("doorknob-hd-no-bar.txt")
    door_query = [f for f in door if f.frame % 30 == 0]
    shares = vpdq.compare(door_query, door, by_seconds=True)
    assert shares.target_percent == pytest.approx(100.0 * 2 / 3)


def test_packed_values_compare_as_the_features_do_counted_in_seconds() -> None:
    from bouclier.signals.vpdq import compare_packed, pack_features

    names = [
        "doorknob-hd-no-bar.txt",
        "doorknob-hd-no-bar-128x128.txt",
        "test-padded-dimensions.txt",
    ]
    for query_name in names:
        query = [f for f in _reference(query_name) if f.frame % 30 == 0]
        for target_name in names:
            target = _reference(target_name)
            packed = compare_packed(pack_features(query), pack_features(target))
            assert packed == vpdq.compare(query, target, by_seconds=True)


def test_low_quality_frames_are_not_compared() -> None:
    full = _reference("doorknob-hd-no-bar.txt")
    dark = [f for f in full if f.quality < 50]
    assert dark  # the doorknob video fades to black: those frames are left out
    assert vpdq.compare(dark, full) == VpdqComparison(0.0, 0.0)


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("", "none"),
        ("0,100,abc,0.000", "64 hex"),
        ("0,100," + "0" * 64, "frame,quality,pdq,timestamp"),
        ("x,100," + "0" * 64 + ",0.0", "frame number"),
        ("0,101," + "0" * 64 + ",0.0", "quality 0-100"),
        ("0,100," + "0" * 64 + ",-1", "timestamp"),
        ("0,100," + "0" * 64 + ",nan", "timestamp"),
        ("[1, 2]", "list of strings"),
        ('["' + "0" * 64 + ',100"]', "pdq,quality,timestamp"),
        ("[" * 5000, "JSON"),
    ],
)
def test_bad_hash_text_is_refused_with_a_short_reason(text: str, says: str) -> None:
    with pytest.raises(InvalidHash, match=says) as caught:
        vpdq.parse_any(text)
    assert len(caught.value.message) < 200


def _frame(number: int, pdq: str, quality: int = 100) -> VpdqFeature:
    return VpdqFeature(number, quality, pdq, number / 10)


def test_frame_pairs_name_the_nearest_banked_frame_of_each_query_frame_that_matched() -> None:
    """Which frames matched: a query frame (the first of its hash, of usable quality) with the
    banked frame nearest to it within 31 bits, the earliest on a tie; others are left out."""
    zero, near, far = "00" * 32, "01" * 32, "ff" * 32
    close, closer = "03" + "00" * 31, "07" + "00" * 31  # 2 and 3 bits from zero, 1 apart
    query = [
        _frame(0, close),  # 1 bit from the target's frame 11, 2 from frame 12
        _frame(1, close),  # the same hash again: counted once, at its first frame
        _frame(2, far),  # the target's frame 10 exactly
        _frame(3, zero, quality=10),  # too poor to compare
        _frame(4, near),  # 32 bits or more from every target frame: no pair
    ]
    target = [_frame(10, far), _frame(11, closer), _frame(12, zero), _frame(13, zero)]
    pairs = vpdq.frame_pairs(query, target)
    assert [
        (p.query_frame, p.query_time, p.target_frame, p.target_time, p.distance) for p in pairs
    ] == [(0, 0.0, 11, 1.1, 1), (2, 0.2, 10, 1.0, 0)]
    assert pairs[0].to_dict() == {
        "query_frame": 0,
        "query_time": 0.0,
        "target_frame": 11,
        "target_time": 1.1,
        "distance": 1,
    }
    # a tie goes to the earliest banked frame
    one_a, one_b = "01" + "00" * 31, "0001" + "00" * 30  # each 1 bit from zero
    [tie] = vpdq.frame_pairs([_frame(0, zero)], [_frame(20, one_a), _frame(21, one_b)])
    assert (tie.target_frame, tie.distance) == (20, 1)
    [tie] = vpdq.frame_pairs([_frame(0, zero)], [_frame(20, one_b), _frame(21, one_a)])
    assert tie.target_frame == 20
    assert vpdq.frame_pairs(query, []) == ()
    # the pairs are the frames compare() counts in the query's share
    shares = vpdq.compare(query, target)
    assert shares.query_percent == pytest.approx(100 * len(pairs) / 3)


def test_frame_pairs_on_published_hashes_pair_each_frame_with_itself() -> None:
    features = _reference(REFERENCE_FILES[0].name)
    pairs = vpdq.frame_pairs(features, features)
    usable = {f.pdq for f in features if f.quality >= vpdq.QUALITY_THRESHOLD}
    assert len(pairs) == len(usable)
    assert all(p.distance == 0 and p.query_time == p.target_time for p in pairs)
