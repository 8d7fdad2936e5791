"""Whether an H.264 stream decodes exactly without its B-pictures, read from its headers.

The fast path of :mod:`bouclier.media.video_worker` decodes H.264 with FFmpeg's
``skip_frame=bidir``: a picture whose first slice is a B-slice, or that nothing refers to
(``nal_ref_idc`` 0), is not decoded at all, and its reference marking is not done either. The
next decoded picture sees a gap in ``frame_num`` and FFmpeg fills it with copies of the latest
reference (the gap process), marked by the sliding window whatever the B-picture's own marking
said (x264's B-pyramid marks with MMCO). So the fast decode's reference buffer is another one,
with copies in it, and FFmpeg says nothing when a P-slice refers to one (x264 with ``ref`` > 1
does).

:class:`ReferenceCheck` follows the stream packet by packet, before decoding, with two
reference buffers (ITU-T H.264 §8.2.4 lists, §8.2.5 marking): the full decode's, as the
standard states it, and the fast decode's, as FFmpeg keeps it (h264_refs.c: the copies, and
marking that names a picture the copies pushed out passed over). It raises
:class:`NotExact` the moment a decoded P-slice's active list (descending ``FrameNumWrap``,
then long-term, modified by ``ref_pic_list_modification``, cut to ``num_ref_idx_l0_active``)
in the fast decode holds a copy, an empty entry, or another picture than the full decode's
list at the same index; when the picture order (§8.2.1) of a decoded picture depends on a
skipped one; and on whatever it does not model (a picture that mixes B and other slices or
spans packets, NAL unit types such as SVC/MVC's 14 and 20, gaps in ``frame_num``, parameter
sets changed elsewhere than before an IDR picture, marking off the standard in the full
decode) or cannot read (:mod:`bouclier.media.h264_syntax`). It never guesses: the caller
then decodes with ``skip_frame=nonref``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from bouclier.media.h264_syntax import (
    INTRA,
    B,
    NotExact,
    P,
    Pps,
    Short,
    Slice,
    Sps,
    parse_pps,
    parse_slice,
    parse_sps,
    rbsp,
    units,
)

__all__ = ["NotExact", "ReferenceCheck"]

#: bytes of a slice NAL unit read first, then (rarely: long weight tables or MMCO lists) at
#: most; any slice header fits (2 x 32 weight entries and MMCO words of 32-bit codes: < 5 KiB)
HEAD, LONG_HEAD = 96, 8192
#: NAL unit types passed over: SEI, SPS, PPS (read), delimiter, filler, SPS extension, auxiliary
PASSED = frozenset({6, 7, 8, 9, 12, 13, 19})


@dataclass(eq=False)
class _Ref:
    """A reference frame in a buffer: ``picture``, its number in decoding order (the same
    picture in both buffers), or -1 for the fast decode's copy of a skipped B-picture."""

    frame_num: int
    picture: int
    long_idx: int = -1  # LongTermFrameIdx, -1 while short-term


class _Buffer:
    """Reference marking for frames (§8.2.5: the sliding window, MMCO 1-6, IDR), as the
    standard states it, or with ``ffmpeg`` as FFmpeg's decoder does it where they differ on
    what the fast decode meets: an operation on a picture that is not there is passed over, a
    buffer over ``max_num_ref_frames`` drops its oldest short-term frame, and where gaps in
    ``frame_num`` are not allowed a copy more than ``max_num_ref_frames`` frames old goes
    (``invalid_gap``, h264_refs.c). Otherwise anything off the standard is NotExact."""

    def __init__(self, ffmpeg: bool) -> None:
        self.ffmpeg = ffmpeg
        self.refs: list[_Ref] = []  # in the order they were marked
        self.max_long = -1  # MaxLongTermFrameIdx, -1: no long-term frame indices

    @staticmethod
    def pic_num(ref: _Ref, current: int, top: int) -> int:
        """FrameNumWrap (PicNum, for frames) of a short-term reference."""
        return ref.frame_num - top if ref.frame_num > current else ref.frame_num

    def short(self, pic_num: int, current: int, top: int) -> _Ref:
        for ref in self.refs:
            if ref.long_idx < 0 and self.pic_num(ref, current, top) == pic_num:
                return ref
        raise NotExact("a short-term reference that is not in the buffer")

    def long(self, idx: int) -> _Ref:
        for ref in self.refs:
            if ref.long_idx == idx:
                return ref
        raise NotExact("a long-term reference that is not in the buffer")

    def p_list(self, piece: Slice) -> list[_Ref | None]:
        """RefPicList0 of a P-slice: initialised (§8.2.4.2.1), modified (§8.2.4.3), cut."""
        top, current, count = 1 << piece.sps.log2_max_frame_num, piece.frame_num, piece.l0_active
        shorts = [r for r in self.refs if r.long_idx < 0]
        shorts.sort(key=lambda r: self.pic_num(r, current, top), reverse=True)
        longs = sorted((r for r in self.refs if r.long_idx >= 0), key=lambda r: r.long_idx)
        found: list[_Ref | None] = [*shorts, *longs]
        found = found[:count] + [None] * (count - len(found))
        predicted = current
        for at, (idc, value) in enumerate(piece.l0_changes):
            if idc == 2:
                ref = self.long(value)
            else:
                if value >= top:
                    raise NotExact("abs_diff_pic_num_minus1 out of range")
                predicted += -(value + 1) if idc == 0 else value + 1
                predicted += top if predicted < 0 else -top if predicted >= top else 0
                number = predicted - top if predicted > current else predicted
                ref = self.short(number, current, top)
            found = [*found[:at], ref, *(r for r in found[at:] if r is not ref)][:count]
        return found

    def mark(self, piece: Slice, new: _Ref, marking: tuple[int, ...]) -> None:
        """Marks the current picture, a reference, once decoded (§8.2.5.1); ``marking``: its
        MMCO words, () for the sliding window."""
        top, current, most = 1 << piece.sps.log2_max_frame_num, piece.frame_num, piece.sps.max_refs
        if piece.idr:
            self.refs.clear()
            self.max_long = new.long_idx = 0 if piece.marking[0] else -1
        elif not marking:
            if len(self.refs) >= most:
                self._drop_oldest_short(current, top)
        else:
            self._adaptive(marking, new, current, top)
        self.refs.append(new)
        if len(self.refs) > most:
            if not self.ffmpeg:
                raise NotExact("more reference frames than max_num_ref_frames")
            self._drop_oldest_short(current, top)
        if self.ffmpeg and not piece.sps.gaps:
            self.refs = [
                r
                for r in self.refs
                if r.picture >= 0 or r.long_idx >= 0 or (new.frame_num - r.frame_num) % top <= most
            ]

    def _drop_oldest_short(self, current: int, top: int) -> None:
        shorts = [r for r in self.refs if r.long_idx < 0]
        if shorts:  # the standard: the smallest FrameNumWrap; FFmpeg: the first marked
            oldest = (
                shorts[0]
                if self.ffmpeg
                else min(shorts, key=lambda r: self.pic_num(r, current, top))
            )
            self.refs.remove(oldest)
        elif self.ffmpeg:
            self.refs.remove(min(self.refs, key=lambda r: r.long_idx))
        else:
            raise NotExact("a sliding window with no short-term reference to drop")

    def _adaptive(self, words: tuple[int, ...], new: _Ref, current: int, top: int) -> None:
        at = 0
        while at < len(words):
            op, at = words[at], at + 1
            if op in (1, 3):
                ref = self._find(self.short, current - (words[at] + 1), current, top)
                at += 1
                if op == 1 and ref is not None:
                    self.refs.remove(ref)
                elif op == 3:
                    if ref is not None:
                        ref.long_idx = self._free_long(words[at], ref)
                    at += 1
            elif op == 2:
                ref = self._find(self.long, words[at])
                if ref is not None:
                    self.refs.remove(ref)
                at += 1
            elif op == 4:
                self.max_long = words[at] - 1
                self.refs = [r for r in self.refs if r.long_idx <= self.max_long]
                at += 1
            elif op == 5:
                self.refs.clear()
                self.max_long = -1
                new.frame_num = 0
            else:  # 6
                new.long_idx = self._free_long(words[at], new)
                at += 1

    def _find(self, lookup: Callable[..., _Ref], *key: int) -> _Ref | None:
        """The picture an operation names; FFmpeg passes over one that is not there."""
        try:
            return lookup(*key)
        except NotExact:
            if self.ffmpeg:
                return None
            raise

    def _free_long(self, idx: int, keep: _Ref) -> int:
        """LongTermFrameIdx ``idx``, taken from the picture that held it (FFmpeg does not check
        it against MaxLongTermFrameIdx)."""
        if idx > self.max_long and not self.ffmpeg:
            raise NotExact("long_term_frame_idx over MaxLongTermFrameIdx")
        self.refs = [r for r in self.refs if r.long_idx != idx or r is keep]
        return idx


class ReferenceCheck:
    """Feed it every packet of the stream, in order, before it is decoded: :meth:`packet`
    raises :class:`NotExact` as soon as skipping B-pictures would change a decoded picture.

    ``extradata``: the stream's codec header, avcC (MP4, Matroska: NAL units then come behind a
    length) or Annex B (start codes, as in band); none: Annex B."""

    #: NAL units in one packet beyond which the check gives up (x264: a few slices a picture)
    MAX_UNITS = 1024

    def __init__(self, extradata: bytes | None) -> None:
        self.length_size = 0  # 0: Annex B
        self.sps: dict[int, Sps] = {}
        self.pps: dict[int, Pps] = {}
        self.raw: dict[tuple[int, int], bytes] = {}
        self.full, self.fast = _Buffer(ffmpeg=False), _Buffer(ffmpeg=True)
        self.pictures = 0
        self.changed = False  # a parameter set changed since the last picture
        self.prev_ref_frame_num: int | None = None
        self.prev_poc = self.prev_poc_fast = (0, 0)  # (PicOrderCntMsb, lsb) of the last reference
        data = bytes(extradata or b"")
        if data[:1] == b"\x01":
            self._avcc(data)
        elif data:
            self.packet(data)

    def _avcc(self, data: bytes) -> None:
        """avcC (ISO/IEC 14496-15 §5.3.3.1): the NAL length size, then the SPS and PPS."""
        if len(data) < 7 or (data[4] & 3) == 2:
            raise NotExact("a malformed avcC header")
        self.length_size = (data[4] & 3) + 1
        at, count = 6, data[5] & 0x1F
        for is_pps in (False, True):
            if is_pps:
                if at >= len(data):
                    raise NotExact("a malformed avcC header")
                count, at = data[at], at + 1
            for _ in range(count):
                size = int.from_bytes(data[at : at + 2], "big")
                if size == 0 or at + 2 + size > len(data):
                    raise NotExact("a malformed avcC header")
                self._unit(memoryview(data[at + 2 : at + 2 + size]), [])
                at += 2 + size

    def packet(self, data: bytes | memoryview) -> None:
        """One packet of the stream (as demuxed: one picture, or parameter sets)."""
        slices: list[Slice] = []
        for unit in units(memoryview(data), self.length_size, self.MAX_UNITS):
            self._unit(unit, slices)
        if slices:
            self._picture(slices)

    def _unit(self, unit: memoryview, slices: list[Slice]) -> None:
        header = unit[0]
        kind = header & 0x1F
        if header & 0x80:
            raise NotExact("forbidden_zero_bit set")
        if kind in (1, 5):
            try:
                slices.append(parse_slice(bytes(unit[: HEAD + 1]), self.sps, self.pps))
            except Short:
                if len(unit) <= HEAD + 1:
                    raise NotExact("a slice header past its NAL unit's end") from None
                try:
                    slices.append(parse_slice(bytes(unit[: LONG_HEAD + 1]), self.sps, self.pps))
                except Short:
                    raise NotExact("a slice header past its NAL unit's end or 8 KiB") from None
        elif kind in (7, 8):
            payload = rbsp(bytes(unit[:4096]))
            if kind == 7:
                ident, sps = parse_sps(payload)
                self.sps[ident] = sps
            else:
                ident, pps = parse_pps(payload)
                self.pps[ident] = pps
            body = payload.rstrip(b"\x00")
            if self.raw.setdefault((kind, ident), body) != body:
                self.raw[kind, ident] = body
                self.changed = True  # allowed before an IDR picture only
        elif kind not in PASSED:
            raise NotExact(f"NAL unit type {kind} (not modelled)")

    def _picture(self, slices: list[Slice]) -> None:
        """One coded picture (FFmpeg skips or decodes a picture by its first slice)."""
        first = slices[0]
        if first.first_mb != 0 or any(s.first_mb == 0 for s in slices[1:]):
            raise NotExact("a packet that is not one whole picture")
        shape = (first.idr, first.ref, first.frame_num, first.kind == B, first.marking, first.sps)
        if any((s.idr, s.ref, s.frame_num, s.kind == B, s.marking, s.sps) != shape for s in slices):
            raise NotExact("slices of one picture that disagree (B and non-B, or their headers)")
        if self.changed and not first.idr:
            raise NotExact("a parameter set changed before a picture that is not IDR")
        self.changed = False
        top = 1 << first.sps.log2_max_frame_num
        if first.idr and (first.frame_num or not first.ref or first.kind != INTRA):
            raise NotExact("a malformed IDR picture")
        previous = self.prev_ref_frame_num
        if not first.idr and previous is not None and first.frame_num != (previous + 1) % top:
            raise NotExact("a gap in frame_num")
        if not first.ref:
            return  # skipped by both fast decodes, and nothing refers to it
        self.pictures += 1
        skipped = first.kind == B
        if not skipped:
            for piece in (s for s in slices if s.kind == P):
                for full, fast in zip(
                    self.full.p_list(piece), self.fast.p_list(piece), strict=True
                ):
                    if fast is None or full is None or fast.picture != full.picture:
                        raise NotExact("a P-slice that refers to a skipped B-picture")
        self._order(first, skipped)
        self.full.mark(first, _Ref(first.frame_num, self.pictures), first.marking)
        if skipped:  # FFmpeg's copy, marked by the sliding window
            self.fast.mark(first, _Ref(first.frame_num, -1), ())
        else:
            self.fast.mark(first, _Ref(first.frame_num, self.pictures), first.marking)
        self.prev_ref_frame_num = 0 if first.mmco5 else first.frame_num

    def _order(self, picture: Slice, skipped: bool) -> None:
        """Picture order type 0 (§8.2.1.1) counts from the previous reference picture, which for
        the fast decode is the previous decoded one: both must give a decoded picture the same
        PicOrderCntMsb, or frames would come out in another order. Type 2 follows frame_num,
        which the copies keep."""
        if picture.sps.poc_type != 0:
            return
        top, lsb = 1 << picture.sps.log2_max_poc_lsb, picture.poc_lsb
        if picture.idr:
            self.prev_poc = self.prev_poc_fast = (0, 0)

        def msb(prev: tuple[int, int]) -> int:
            if lsb < prev[1] and prev[1] - lsb >= top // 2:
                return prev[0] + top
            if lsb > prev[1] and lsb - prev[1] > top // 2:
                return prev[0] - top
            return prev[0]

        found = msb(self.prev_poc)
        if not skipped and msb(self.prev_poc_fast) != found:
            raise NotExact("picture order that depends on a skipped B-picture")
        self.prev_poc = (0, max(0, -picture.poc_bottom)) if picture.mmco5 else (found, lsb)
        if not skipped:
            self.prev_poc_fast = self.prev_poc
