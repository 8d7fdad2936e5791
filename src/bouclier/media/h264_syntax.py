"""H.264 headers, as far as :mod:`bouclier.media.h264_references` needs them: NAL units of a
packet (length-prefixed or Annex B), the SPS and PPS, and slice headers up to
``dec_ref_pic_marking`` (ITU-T H.264 §7.3-7.4), with emulation prevention removed.

Everything here is input a stranger controls: every count is bounded, a slice header is read
from a bounded prefix of its NAL unit (all of it only when the prefix is too short), and
anything malformed or not modelled (fields, separate colour planes, SP/SI slices, slice groups,
redundant pictures, POC type 1) is a :class:`NotExact`, never another exception.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

#: profiles whose SPS carries chroma format, bit depths and scaling lists (§7.3.2.1.1)
HIGH_PROFILES = frozenset({100, 110, 122, 244, 44, 83, 86, 118, 128, 138, 139, 134, 135})
P, B, INTRA, SP, SI = range(5)  # slice_type % 5


class NotExact(Exception):
    """Skipping B-pictures is not proved exact for this stream (the reason is the message)."""


class Bits:
    """An RBSP read MSB first: ``u(n)``, ``ue(v)``, ``se(v)``. Past its end: NotExact."""

    def __init__(self, data: bytes) -> None:
        self.value = int.from_bytes(data, "big")
        self.left = len(data) * 8

    def u(self, n: int) -> int:
        if n > self.left:
            raise Short
        self.left -= n
        return (self.value >> self.left) & ((1 << n) - 1)

    def ue(self) -> int:
        rest = self.value & ((1 << self.left) - 1)
        zeros = self.left - rest.bit_length()
        if zeros > 31:
            raise NotExact("an exp-Golomb code over 32 bits")
        return self.u(2 * zeros + 1) - 1

    def se(self) -> int:
        code = self.ue()
        return (code + 1) // 2 if code & 1 else -(code // 2)


class Short(NotExact):
    """The header runs past the bytes read (a slice header is read again from more of them)."""

    def __init__(self) -> None:
        super().__init__("a header that runs past the bytes read")


def rbsp(nal: bytes) -> bytes:
    """The NAL unit's payload without its header byte and emulation prevention bytes."""
    return nal[1:].replace(b"\x00\x00\x03", b"\x00\x00")


def bounded(value: int, top: int, what: str) -> int:
    if not 0 <= value <= top:
        raise NotExact(f"{what} {value} out of range")
    return value


@dataclass(frozen=True)
class Sps:
    log2_max_frame_num: int
    poc_type: int
    log2_max_poc_lsb: int
    max_refs: int
    chroma: bool  # ChromaArrayType != 0: pred weight tables carry chroma
    gaps: bool = False  # gaps_in_frame_num_value_allowed_flag


@dataclass(frozen=True)
class Pps:
    sps: int
    bottom_poc: bool  # bottom_field_pic_order_in_frame_present_flag
    l0_default: int
    l1_default: int
    weighted: bool  # weighted_pred_flag (P)
    bipred_explicit: bool  # weighted_bipred_idc == 1 (B)
    redundant: bool


def scaling_lists(bits: Bits, count: int) -> None:
    for i in range(count):
        if bits.u(1):
            last = following = 8
            for _ in range(16 if i < 6 else 64):
                if following:
                    following = (last + bits.se() + 256) % 256
                last = following or last


def parse_sps(rbsp: bytes) -> tuple[int, Sps]:
    bits = Bits(rbsp)
    profile = bits.u(8)
    bits.u(16)
    ident = bounded(bits.ue(), 31, "seq_parameter_set_id")
    chroma = 1
    if profile in HIGH_PROFILES:
        chroma = bounded(bits.ue(), 3, "chroma_format_idc")
        if chroma == 3 and bits.u(1):
            raise NotExact("separate colour planes")
        bits.ue(), bits.ue(), bits.u(1)
        if bits.u(1):
            scaling_lists(bits, 8 if chroma != 3 else 12)
    log2_max_frame_num = bounded(bits.ue(), 12, "log2_max_frame_num_minus4") + 4
    poc_type = bounded(bits.ue(), 2, "pic_order_cnt_type")
    log2_max_poc_lsb = 0
    if poc_type == 0:
        log2_max_poc_lsb = bounded(bits.ue(), 12, "log2_max_pic_order_cnt_lsb_minus4") + 4
    elif poc_type == 1:
        raise NotExact("picture order type 1")
    max_refs = bounded(bits.ue(), 16, "max_num_ref_frames")
    if max_refs == 0:
        raise NotExact("max_num_ref_frames 0")
    gaps = bool(bits.u(1))
    bits.ue(), bits.ue()  # size
    if not bits.u(1):
        raise NotExact("field pictures (frame_mbs_only_flag 0)")
    return ident, Sps(log2_max_frame_num, poc_type, log2_max_poc_lsb, max_refs, chroma > 0, gaps)


def parse_pps(rbsp: bytes) -> tuple[int, Pps]:
    bits = Bits(rbsp)
    ident = bounded(bits.ue(), 255, "pic_parameter_set_id")
    sps = bounded(bits.ue(), 31, "seq_parameter_set_id")
    bits.u(1)  # entropy_coding_mode_flag
    bottom_poc = bool(bits.u(1))
    if bits.ue():
        raise NotExact("slice groups (FMO)")
    l0 = bounded(bits.ue(), 31, "num_ref_idx_l0_default_active_minus1") + 1
    l1 = bounded(bits.ue(), 31, "num_ref_idx_l1_default_active_minus1") + 1
    weighted = bool(bits.u(1))
    bipred = bits.u(2)
    bits.se(), bits.se(), bits.se(), bits.u(1), bits.u(1)  # QPs, deblocking, constrained intra
    redundant = bool(bits.u(1))
    return ident, Pps(sps, bottom_poc, l0, l1, weighted, bipred == 1, redundant)


@dataclass
class Slice:
    """What the reference model needs of one slice header (§7.3.3)."""

    idr: bool
    ref: bool
    kind: int  # P, B or I
    first_mb: int
    sps: Sps
    frame_num: int
    poc_lsb: int = 0
    poc_bottom: int = 0  # delta_pic_order_cnt_bottom
    l0_active: int = 0
    l0_changes: list[tuple[int, int]] = field(default_factory=list)
    marking: tuple[int, ...] = ()  # IDR: (long_term_reference_flag,); else the MMCO words
    mmco5: bool = False


def parse_slice(nal: bytes, sps_table: dict[int, Sps], pps_table: dict[int, Pps]) -> Slice:
    bits = Bits(rbsp(nal))
    idr, ref = nal[0] & 0x1F == 5, bool(nal[0] & 0x60)
    first_mb = bits.ue()
    kind = bounded(bits.ue(), 9, "slice_type") % 5
    if kind in (SP, SI):
        raise NotExact("SP/SI slices")
    pps = pps_table.get(bits.ue())
    if pps is None or pps.sps not in sps_table:
        raise NotExact("a slice without its parameter sets")
    sps = sps_table[pps.sps]
    if pps.redundant:
        raise NotExact("redundant pictures")
    found = Slice(idr, ref, kind, first_mb, sps, bits.u(sps.log2_max_frame_num))
    if idr:
        bits.ue()
    if sps.poc_type == 0:
        found.poc_lsb = bits.u(sps.log2_max_poc_lsb)
        if pps.bottom_poc:
            found.poc_bottom = bits.se()
    counts = [pps.l0_default, pps.l1_default if kind == B else 0]
    if kind == B:
        bits.u(1)
    if kind != INTRA and bits.u(1):
        counts[0] = bounded(bits.ue(), 31, "num_ref_idx_l0_active_minus1") + 1
        if kind == B:
            counts[1] = bounded(bits.ue(), 31, "num_ref_idx_l1_active_minus1") + 1
    if kind == INTRA:
        counts[0] = 0
    found.l0_active = counts[0]
    _lists(bits, found, counts)
    if (pps.weighted and kind == P) or (pps.bipred_explicit and kind == B):
        _weights(bits, sps.chroma, counts)
    if ref:
        _marking(bits, found)
    return found


def _lists(bits: Bits, found: Slice, counts: list[int]) -> None:
    """ref_pic_list_modification (§7.3.3.1): list 0's kept, list 1's read past."""
    for number, count in enumerate(counts):
        if count and bits.u(1):
            changes = found.l0_changes if number == 0 else []
            while (idc := bits.ue()) != 3:
                if idc > 2 or len(changes) > count:
                    raise NotExact("a malformed ref_pic_list_modification")
                changes.append((idc, bits.ue()))


def _weights(bits: Bits, chroma: bool, counts: list[int]) -> None:
    """pred_weight_table (§7.3.3.2), read past."""
    bits.ue()
    if chroma:
        bits.ue()
    for count in counts:
        for _ in range(count):
            for values in (2, 4) if chroma else (2,):  # luma, then chroma
                if bits.u(1):
                    for _ in range(values):
                        bits.se()


def _marking(bits: Bits, found: Slice) -> None:
    """dec_ref_pic_marking (§7.3.3.3): IDR's long_term_reference_flag, or the MMCO words."""
    if found.idr:
        bits.u(1)
        found.marking = (bits.u(1),)
    elif bits.u(1):
        words: list[int] = []
        while (op := bits.ue()) != 0:
            if op > 6 or len(words) > 200:
                raise NotExact("a malformed dec_ref_pic_marking")
            words.append(op)
            found.mmco5 |= op == 5
            if op in (1, 3):
                words.append(bits.ue())  # difference_of_pic_nums_minus1
            if op in (2, 3, 4, 6):  # a long-term index, or MaxLongTermFrameIdx + 1
                words.append(bounded(bits.ue(), 16 if op == 4 else 15, "a long-term index"))
        found.marking = tuple(words)


def units(data: memoryview, length_size: int, most: int) -> Iterator[memoryview]:
    """The NAL units of a packet: behind a ``length_size``-byte length, or (0) after start
    codes (Annex B). More than ``most`` of them: NotExact."""
    count = 0
    if length_size:
        at = 0
        while at < len(data):
            size = int.from_bytes(data[at : at + length_size], "big")
            if size == 0 or at + length_size + size > len(data):
                raise NotExact("a NAL unit length past the packet's end")
            yield data[at + length_size : at + length_size + size]
            at += length_size + size
            count += 1
            if count > most:
                raise NotExact("too many NAL units in one packet")
        return
    raw = bytes(data)
    start = raw.find(b"\x00\x00\x01")
    if start < 0 or raw[:start].strip(b"\x00"):
        raise NotExact("an Annex B packet that does not begin with a start code")
    while start >= 0:
        following = raw.find(b"\x00\x00\x01", start + 3)
        unit = raw[start + 3 : following if following >= 0 else len(raw)].rstrip(b"\x00")
        if unit:
            yield memoryview(unit)
        start = following
        count += 1
        if count > most:
            raise NotExact("too many NAL units in one packet")
