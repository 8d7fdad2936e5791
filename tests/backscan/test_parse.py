"""The vectorised rows path (a chunk parsed at once, matched from packed rows) against the per-row
reference (parse_row, PDQ.validate, BankMatcher.match_hash): the same hits with the same matches
and the same refusals, on random rows, near-duplicates at both sides of each bank's threshold,
a withdrawn entry and malformed rows of every kind."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import numpy as np
import pytest

from bouclier.backscan.chunks import Chunk, ChunkResult, Hit, Kind, Refused
from bouclier.backscan.rows import Columns, parse_row
from bouclier.backscan.worker import Scanner, Setup
from bouclier.banks.hashes import BankHashes, BankInfo, Change, SignalRows
from bouclier.errors import InputError
from bouclier.signals.pdq import PDQ
from tests.backscan.conftest import flipped

NOW = datetime(2026, 1, 1, tzinfo=UTC)
BANKS = {
    1: BankInfo(1, "victims", "victim", 31, NOW, 0),
    2: BankInfo(2, "fp", "known_false_positive", 10, NOW, 0),
}
WITHDRAWN = 7  # an entry removed after the matcher was built (a victim's withdrawal)


def _scanner(kind: Kind, rng: np.random.Generator) -> tuple[Scanner, list[tuple[str, int]], str]:
    """A scanner over 60 entries (the last 10 in the 10-bit bank), with WITHDRAWN removed; the
    (value, threshold) of each live entry, and the withdrawn entry's value."""
    values = rng.integers(0, 256, (60, 32), dtype=np.uint8)
    owners = np.where(np.arange(60) < 50, 1, 2).astype(np.int32)
    hashes = BankHashes(
        {"pdq": SignalRows(np.arange(1, 61, dtype=np.int64), owners, values)}, BANKS
    )
    scanner = Scanner(Setup(hashes, kind, id_column=1, pdq_column=2))
    scanner.matcher.apply([Change(1, 1, "remove", WITHDRAWN, "pdq", "", NOW)])
    entries = [
        (bytes(row).hex(), BANKS[int(bank)].threshold)
        for label, (row, bank) in enumerate(zip(values, owners, strict=True), 1)
        if label != WITHDRAWN
    ]
    return scanner, entries, bytes(values[WITHDRAWN - 1]).hex()


def _values(entries: list[tuple[str, int]], withdrawn: str, rng: np.random.Generator) -> list[str]:
    """Hashes to look up: at and just past each entry's threshold, near ones, random ones."""
    made = [flipped(value, threshold, rng) for value, threshold in entries]
    made += [flipped(value, threshold + 1, rng) for value, threshold in entries[::3]]
    made += [withdrawn]
    made += [
        flipped(entries[int(i)][0], int(rng.integers(0, 40)), rng) for i in rng.integers(0, 59, 80)
    ]
    made += [bytes(rng.integers(0, 256, 32, dtype=np.uint8)).hex() for _ in range(200)]
    return made


GOOD = "ab" * 32
MALFORMED_CSV = [
    b"x,upper," + GOOD.upper().encode(),  # valid: upper case is accepted
    b"x,spaced, " + GOOD.encode() + b" ",  # valid: surrounding spaces are
    b'x,"quoted, id",' + GOOD.encode(),  # valid, by the reference's csv
    b'x,q2,"' + GOOD.encode() + b'"',
    b"x,short," + GOOD[:63].encode(),
    b"x,notHex," + GOOD[:63].encode() + b"g",
    b"x,accent," + GOOD[:62].encode() + "é".encode(),  # 64 bytes, 63 characters
    b"x,," + GOOD.encode(),  # empty id
    b"x,ctl\x01," + GOOD.encode(),
    "x,café,".encode() + GOOD.encode(),  # valid: non-ASCII ids are fine
    b"x,bad\xff\xfe," + GOOD.encode(),  # not UTF-8: replaced, still an id
    b"x," + b"i" * 513 + b"," + GOOD.encode(),
    b"x," + b"i" * 512 + b"," + GOOD.encode(),  # valid: the longest id
    b"x,only-two",
    b"x,cr\rin," + GOOD.encode(),
    b"x\ry,cr-elsewhere," + GOOD.encode(),  # csv refuses it, whatever the column
    b"x,nul\x00," + GOOD.encode(),
    b"x,tab\t," + GOOD.encode(),
]
MALFORMED_JSONL = [
    json.dumps({"id": "upper", "pdq": GOOD.upper()}).encode(),
    json.dumps({"id": 12, "pdq": GOOD}).encode(),
    json.dumps({"id": True, "pdq": GOOD}).encode(),
    json.dumps({"id": "x", "pdq": GOOD[:60]}).encode(),
    json.dumps({"id": "x", "pdq": GOOD[:63] + "z"}).encode(),
    json.dumps({"id": "", "pdq": GOOD}).encode(),
    json.dumps({"id": "x\u0007", "pdq": GOOD}).encode(),
    json.dumps({"pdq": GOOD}).encode(),
    b"[1, 2]",
    b"not json",
]


def _line(kind: Kind, item_id: str, value: str) -> bytes:
    if kind == "csv":
        return f"2020-01-01,{item_id},{value}".encode()
    return json.dumps({"id": item_id, "pdq": value}).encode()


def _reference(scanner: Scanner, chunk: Chunk, columns: Columns) -> ChunkResult:
    """Row by row: the reference parser, then one match_hash per row."""
    result = ChunkResult(chunk.number, scanned=len(chunk.items))
    for line, raw in enumerate(chunk.items, chunk.first_line):
        item_id = None
        try:
            item_id, value = parse_row(raw, columns)
            matches = scanner.matcher.match_hash(PDQ.validate(value))
        except InputError as error:
            result.refused.append(Refused(item_id, line, error.code, error.message))
            continue
        if matches:
            result.hits.append(Hit(item_id, line, matches))
    return result


@pytest.mark.parametrize(
    ("kind", "malformed"), [("csv", MALFORMED_CSV), ("jsonl", MALFORMED_JSONL)]
)
def test_the_vectorised_rows_path_gives_what_the_per_row_reference_gives(
    kind: Kind, malformed: list[bytes]
) -> None:
    rng = np.random.default_rng(17)
    scanner, entries, withdrawn = _scanner(kind, rng)
    values = _values(entries, withdrawn, rng)
    rows = [_line(kind, f"row-{i}", value) for i, value in enumerate(values)]
    rows += malformed
    order = rng.permutation(len(rows))
    chunk = Chunk(3, 42, tuple(rows[i] for i in order))

    fast = scanner.scan(chunk)
    slow = _reference(scanner, chunk, scanner.columns)

    assert fast == slow
    assert len(fast.hits) > len(entries)  # every entry at its threshold, and the near ones
    assert WITHDRAWN not in {m.entry for hit in fast.hits for m in hit.matches}
    assert {m.distance for hit in fast.hits for m in hit.matches} >= {10, 31}
    assert len(fast.refused) >= len(malformed) // 2
