"""Parsing a chunk of ``(id, pdq)`` rows at once: the cheap path of a back-scan, vectorised.

Most rows of an archive are plain: a printable ASCII id and 64 hex digits, no quotes. Such a CSV
row is cut with ``bytes.split``, and the hashes of the whole chunk become bytes in one numpy table
look-up. Every other row (quoted CSV, a JSON line, a hash with spaces or of another length, an id
with other characters) takes :func:`parse_row`, the per-row reference, whose verdict the fast
path must give too, row for row (tests/backscan/test_parse.py). A row that is not valid becomes a
:class:`~bouclier.backscan.chunks.Refused` with the reference's code and message.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from bouclier.backscan.chunks import Kind, Refused
from bouclier.errors import InputError
from bouclier.hashing.pdq import HASH_BYTES
from bouclier.signals.pdq import PDQ
from bouclier.text_input import refuse_control

MAX_ID_CHARS = 512
HEX_DIGITS = 2 * HASH_BYTES
_INVALID = 255
_NIBBLES = np.full(256, _INVALID, np.uint8)
for _value, _digit in enumerate(b"0123456789abcdef"):
    _NIBBLES[_digit] = _value
for _value, _digit in enumerate(b"ABCDEF", 10):  # the reference accepts upper case too
    _NIBBLES[_digit] = _value
_PRINTABLE_ASCII = bytes(range(0x20, 0x7F))


@dataclass(frozen=True)
class Columns:
    """Where a row's id and PDQ are: CSV column numbers (a JSON line names them)."""

    kind: Kind
    id_column: int = 0
    pdq_column: int = 1


@dataclass(frozen=True)
class ParsedRows:
    lines: list[int]  # the line of each valid row, in order
    ids: list[str]
    hashes: np.ndarray  # (len(lines), 32) uint8
    refused: list[Refused]  # in line order


def parse_rows(items: Sequence[bytes | str], first_line: int, columns: Columns) -> ParsedRows:
    """The valid rows of a chunk (ids and packed PDQs) and the refused ones."""
    count = len(items)
    ids: list[str | None] = [None] * count
    hexes: list[bytes] = [b""] * count  # 64 ASCII bytes for each row still in the running
    refused: dict[int, Refused] = {}
    for at, raw in enumerate(items):
        plain = _plain_csv(raw, columns) if columns.kind == "csv" else None
        if plain is None:
            try:
                plain = _checked(raw, columns)
            except _Refusal as refusal:
                refused[at] = Refused(refusal.item_id, first_line + at, refusal.code, refusal.text)
                continue
        ids[at], hexes[at] = plain
    digits = _NIBBLES[np.frombuffer(b"".join(hexes), np.uint8)].reshape(-1, HEX_DIGITS)
    kept = np.array([len(h) == HEX_DIGITS for h in hexes], bool)
    good = np.zeros(count, bool)
    good[kept] = (digits != _INVALID).all(axis=1)
    for at in np.flatnonzero(kept & ~good).tolist():  # the reference says why
        try:
            _checked(items[at], columns)
        except _Refusal as refusal:
            refused[at] = Refused(refusal.item_id, first_line + at, refusal.code, refusal.text)
        else:  # pragma: no cover - the table and the reference disagree: a bug, not an input
            raise AssertionError(f"row {first_line + at} is valid but its hash did not convert")
    usable = digits[good[kept]]
    hashes = (usable[:, 0::2] << 4) | usable[:, 1::2]
    rows = np.flatnonzero(good).tolist()
    return ParsedRows(
        [first_line + at for at in rows],
        [ids[at] or "" for at in rows],
        np.ascontiguousarray(hashes, np.uint8),
        [refused[at] for at in sorted(refused)],
    )


def _plain_csv(raw: bytes | str, columns: Columns) -> tuple[str, bytes] | None:
    """(id, 64 hex digits not yet checked) of a CSV row the reference would read the same way
    (no quote, no carriage return: ``csv`` then splits on commas), or None."""
    if not isinstance(raw, bytes) or b'"' in raw or b"\r" in raw:
        return None
    fields = raw.split(b",")
    if len(fields) <= max(columns.id_column, columns.pdq_column):
        return None
    item_id, value = fields[columns.id_column], fields[columns.pdq_column]
    if (
        len(value) != HEX_DIGITS
        or not 1 <= len(item_id) <= MAX_ID_CHARS
        or item_id.translate(None, _PRINTABLE_ASCII)
    ):
        return None
    return item_id.decode("ascii"), value


class _Refusal(Exception):
    def __init__(self, item_id: str | None, error: InputError) -> None:
        super().__init__(error.message)
        self.item_id, self.code, self.text = item_id, error.code, error.message


def _checked(raw: bytes | str, columns: Columns) -> tuple[str, bytes]:
    """(id, canonical hex) of a row by the reference, or _Refusal with the id if it was read."""
    item_id: str | None = None
    try:
        item_id, value = parse_row(raw, columns)
        return item_id, PDQ.validate(value).encode("ascii")
    except InputError as error:
        raise _Refusal(item_id, error) from None


def parse_row(raw: bytes | str, columns: Columns) -> tuple[str, str]:
    """The reference: one row's id (checked) and PDQ (as written), or InputError saying why."""
    text = raw.decode("utf-8", "replace") if isinstance(raw, bytes) else raw
    if columns.kind == "csv":
        try:
            fields = next(csv.reader([text]), [])
        except csv.Error:  # a carriage return inside a field, say
            raise InputError("the line is not a CSV row", code="invalid_row") from None
        wanted = max(columns.id_column, columns.pdq_column)
        if len(fields) <= wanted:
            raise InputError(
                f"a row needs {wanted + 1} columns, this one has {len(fields)}",
                code="invalid_row",
            )
        item_id, value = fields[columns.id_column], fields[columns.pdq_column]
    else:
        try:
            row = json.loads(text)
        except json.JSONDecodeError:
            raise InputError("the line is not JSON", code="invalid_row") from None
        if not isinstance(row, dict) or "id" not in row or "pdq" not in row:
            raise InputError('a line must be an object with "id" and "pdq"', code="invalid_row")
        item_id, value = row["id"], row["pdq"]
        if isinstance(item_id, int) and not isinstance(item_id, bool):
            item_id = str(item_id)
        if not isinstance(item_id, str) or not isinstance(value, str):
            raise InputError(
                '"id" must be a string or an integer, "pdq" a string', code="invalid_row"
            )
    return _valid_id(item_id), value


def _valid_id(value: str) -> str:
    if not 1 <= len(value) <= MAX_ID_CHARS:
        raise InputError(f"an id has 1 to {MAX_ID_CHARS} characters", code="invalid_row")
    if value.isascii() and value.isprintable():  # the common case, no control character: fast
        return value
    try:
        return refuse_control(value)
    except ValueError as exc:
        raise InputError(f"id: {exc}", code="invalid_row") from None
