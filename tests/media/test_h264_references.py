"""Whether H.264 decodes exactly without its B-pictures, read from the headers
(bouclier.media.h264_references): each verdict checked against the pixels of two decodes of
the whole stream, FFmpeg's fast one (``skip_frame=bidir``) and the safe one (``nonref``)."""

from __future__ import annotations

import random
import zlib
from pathlib import Path

import av
import numpy as np
import pytest

from bouclier.media.h264_references import NotExact, ReferenceCheck
from bouclier.media.h264_syntax import INTRA, B, P, Slice, Sps
from tests.conftest import photo
from tests.media.videos import pan_frames


def _encode(path: Path, options: dict[str, str], *, seconds: int = 3, seed: int = 4) -> Path:
    frames = pan_frames(photo(seed, (960, 720)), seconds * 30, (320, 240))
    with av.open(str(path), "w") as container:
        stream = container.add_stream("libx264", rate=30)
        stream.width, stream.height, stream.pix_fmt = 320, 240, "yuv420p"
        stream.options = options
        for pixels in frames:
            container.mux(stream.encode(av.VideoFrame.from_ndarray(pixels, format="rgb24")))
        container.mux(stream.encode())
    return path


def verdict(path: Path) -> str | None:
    """None when the check finds skipping B-pictures exact, else its reason."""
    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        try:
            check = ReferenceCheck(stream.codec_context.extradata)
            for packet in container.demux(stream):
                if packet.size:
                    check.packet(packet)
        except NotExact as reason:
            return str(reason)
    return None


def pixels(path: Path, skip: str) -> dict[int, int]:
    """{pts: CRC-32 of the planes} of every frame decoded with ``skip_frame=skip``."""
    found = {}
    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        stream.codec_context.skip_frame = skip
        stream.codec_context.options = {"skip_loop_filter": "all"}
        for frame in container.decode(stream):
            crc = 0
            for plane in frame.planes:
                rows = np.frombuffer(plane, np.uint8).reshape(-1, plane.line_size)
                crc = zlib.crc32(np.ascontiguousarray(rows[: plane.height, : plane.width]), crc)
            found[frame.pts] = crc
    return found


def differing_frames(path: Path) -> int:
    fast, safe = pixels(path, "BIDIR"), pixels(path, "NONREF")
    assert fast
    assert set(fast) <= set(safe)
    return sum(fast[pts] != safe[pts] for pts in fast)


ENCODINGS = [
    # x264 presets as phones and sites use them; "exact": what the pixels say
    ("ultrafast", {"preset": "ultrafast"}, True),  # no B-frames, no weighted prediction
    # B-pyramid: the B-pictures that others refer to carry MMCO; P-slices reorder past them;
    # weighted prediction (weightp 1)
    ("veryfast", {"preset": "veryfast"}, True),
    ("weighted", {"preset": "medium", "x264-params": "ref=1:weightp=2"}, True),
    ("no B-frames", {"preset": "medium", "x264-params": "bframes=0"}, True),  # 3 references
    ("strict pyramid", {"preset": "veryfast", "x264-params": "b-pyramid=strict"}, True),
    ("medium", {"preset": "medium"}, False),  # 3 references: P-slices refer to B-pictures
    ("slow", {"preset": "slow"}, False),
]


@pytest.mark.parametrize(("name", "options", "exact"), ENCODINGS, ids=[e[0] for e in ENCODINGS])
def test_the_verdict_is_what_the_pixels_say(
    tmp_path: Path, name: str, options: dict[str, str], exact: bool
) -> None:
    path = _encode(tmp_path / "a.mp4", options)
    found = verdict(path)
    assert (found is None) == exact, found
    if exact:
        assert differing_frames(path) == 0
    else:
        assert "refers to a skipped B-picture" in str(found)
        assert differing_frames(path) > 0  # the check is needed: FFmpeg alone says nothing


def test_weighted_prediction_tables_are_read(tmp_path: Path) -> None:
    path = _encode(tmp_path / "a.mp4", {"preset": "medium", "x264-params": "ref=1:weightp=2"})
    with av.open(str(path)) as container:
        check = ReferenceCheck(container.streams.video[0].codec_context.extradata)
    assert any(pps.weighted for pps in check.pps.values())


# the reference buffers, picture by picture (one slice each): frame numbers 0-15, 4 references
SPS = Sps(log2_max_frame_num=4, poc_type=2, log2_max_poc_lsb=0, max_refs=4, chroma=True)


def _picture(kind: int, frame_num: int, **header: object) -> list[Slice]:
    active = header.pop("l0_active", 1 if kind != INTRA else 0)
    fields = {"l0_active": active, "marking": (0,) if frame_num == 0 else (), **header}
    return [Slice(frame_num == 0, True, kind, 0, SPS, frame_num, **fields)]  # type: ignore[arg-type]


def _run(pictures: list[list[Slice]]) -> str | None:
    check = ReferenceCheck(None)
    try:
        for picture in pictures:
            check._picture(picture)
    except NotExact as reason:
        return str(reason)
    return None


MARKING = [
    # I0 P1 B2 (a skipped reference) then a P-slice: (its header, exact?)
    ("default list, 1 active: the B-picture first", {}, False),
    ("reordered to P1", {"l0_changes": [(0, 1)]}, True),  # picNumPred 3 - 2 = 1
    ("P1 active, B-picture second", {"l0_changes": [(0, 1)], "l0_active": 2}, False),
    # the B-picture made long-term (MMCO 4 then 3) by the P-slice before: refers to the copy
    ("long-term B-picture", {"before": (4, 1, 3, 0, 0), "l0_changes": [(2, 0)]}, False),
    # the B-picture dropped (MMCO 1) by the P-slice before: lists as in a full decode
    ("B-picture dropped", {"before": (1, 0), "l0_active": 2}, True),
    # P1 made long-term 0: then long-term 0 is P1 in both decodes
    ("long-term P1", {"before": (4, 1, 3, 1, 0), "l0_changes": [(2, 0)]}, True),
]


@pytest.mark.parametrize(("name", "header", "exact"), MARKING, ids=[m[0] for m in MARKING])
def test_reference_marking_and_lists(name: str, header: dict[str, object], exact: bool) -> None:
    before = header.pop("before", ())
    pictures = [_picture(INTRA, 0), _picture(P, 1), _picture(B, 2)]
    if before:  # P3 marks with MMCO (the B-picture is PicNum 2, P1 is 1), then P4 is checked
        pictures.append(_picture(P, 3, l0_changes=[(0, 1)], marking=before))
        pictures.append(_picture(P, 4, **header))
    else:
        pictures.append(_picture(P, 3, **header))
    found = _run(pictures)
    assert (found is None) == exact, found


def test_what_is_not_modelled_falls_back() -> None:
    assert "gap in frame_num" in str(_run([_picture(INTRA, 0), _picture(P, 2)]))
    mixed = [*_picture(P, 1), Slice(False, True, B, 10, SPS, 1)]
    assert "disagree" in str(_run([_picture(INTRA, 0), mixed]))
    marked = _picture(B, 2, marking=(1, 0))  # MMCO on a B-picture: fine unless it matters
    assert _run([_picture(INTRA, 0), _picture(P, 1), marked, _picture(P, 3)]) is not None
    with pytest.raises(NotExact, match="NAL unit type 20"):
        ReferenceCheck(None).packet(b"\x00\x00\x01\x14\x80\x00")


def test_malformed_input_only_ever_falls_back(tmp_path: Path) -> None:
    """Random bytes, truncations and flipped bits, in MP4 (avcC) and Annex B: NotExact or a
    verdict, never another exception."""
    path = _encode(tmp_path / "a.mp4", {"preset": "veryfast"}, seconds=1)
    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        extradata = bytes(stream.codec_context.extradata or b"")
        packets = [bytes(p) for p in container.demux(stream) if p.size]
    rng = random.Random(12)
    outcomes = {"exact": 0, "fallback": 0}

    def feed(header: bytes | None, stream_packets: list[bytes]) -> None:
        try:
            check = ReferenceCheck(header)
            for packet in stream_packets:
                check.packet(packet)
            outcomes["exact"] += 1
        except NotExact:
            outcomes["fallback"] += 1

    def flipped(data: bytes, flips: int) -> bytes:
        mutable = bytearray(data)
        for _ in range(flips):
            at = rng.randrange(len(mutable) * 8)
            mutable[at // 8] ^= 0x80 >> (at % 8)
        return bytes(mutable)

    for _ in range(300):
        mutated = list(packets)
        at = rng.randrange(len(mutated))
        choice = rng.randrange(4)
        if choice == 0:
            mutated[at] = rng.randbytes(rng.randrange(1, 200))
        elif choice == 1:
            mutated[at] = mutated[at][: rng.randrange(len(mutated[at]))]
        elif choice == 2:
            mutated[at] = flipped(mutated[at][:64], rng.randrange(1, 8)) + mutated[at][64:]
        feed(flipped(extradata, 1) if choice == 3 else extradata, mutated[: at + 3])
    for _ in range(300):  # Annex B: start codes among random bytes
        pieces = [rng.randbytes(rng.randrange(0, 40)) for _ in range(rng.randrange(1, 6))]
        feed(None, [b"\x00\x00\x01" + b"\x00\x00\x01".join(pieces)])
    feed(extradata[:5], packets)
    assert outcomes["fallback"] > 300
    assert outcomes["exact"] > 0


def test_marking_the_fast_decode_cannot_follow_is_passed_over_as_ffmpeg_does() -> None:
    """x264 veryfast's pattern (bench corpus): each B-picture that others refer to drops the one
    before (MMCO 1), so a full decode holds one; the fast decode's copies take the sliding
    window instead and push out an old P-picture sooner, which a later P-picture's MMCO 1 then
    names. FFmpeg passes over that operation; the lists stay those of the full decode."""
    sps = Sps(log2_max_frame_num=4, poc_type=2, log2_max_poc_lsb=0, max_refs=3, chroma=True)

    def picture(kind: int, frame_num: int, **header: object) -> list[Slice]:
        fields = {"l0_active": 1 if kind != INTRA else 0, **header}
        idr = frame_num == 0
        fields.setdefault("marking", (0,) if idr else ())
        return [Slice(idr, True, kind, 0, sps, frame_num, **fields)]  # type: ignore[arg-type]

    to_p1, to_p3 = [(0, 1)], [(0, 1)]  # picNumPred - 2: the P-picture before the B-picture
    pictures = [
        picture(INTRA, 0),
        picture(P, 1),
        picture(B, 2),
        picture(P, 3, l0_changes=to_p1),
        picture(B, 4, marking=(1, 1)),  # drops B2 (picNum 4 - 2)
        picture(P, 5, l0_changes=to_p3, marking=(1, 3, 1, 0)),  # drops P1 (gone when fast), B4
    ]
    assert _run([*pictures, picture(P, 6, l0_active=2)]) is None  # P5, P3 in both
    assert _run([*pictures, picture(P, 6, l0_active=3)]) is not None  # a third: none / a copy


def test_a_slice_header_longer_than_the_first_bytes_read_is_read_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Long headers (weight tables, MMCO lists) run past HEAD bytes: read again from at most
    LONG_HEAD, the verdicts are the same. HEAD made tiny here so that every slice is."""
    from bouclier.media import h264_references

    exact = _encode(tmp_path / "a.mp4", {"preset": "medium", "x264-params": "ref=1:weightp=2"})
    not_exact = _encode(tmp_path / "b.mp4", {"preset": "medium"})
    monkeypatch.setattr(h264_references, "HEAD", 2)
    assert verdict(exact) is None
    assert "refers to a skipped B-picture" in str(verdict(not_exact))
    monkeypatch.setattr(h264_references, "LONG_HEAD", 3)
    assert "past" in str(verdict(exact))  # a header cut short is a fallback, not a guess
