"""The work of one chunk, in a worker process or a Ray actor: parse or hash, then match.

A :class:`Scanner` is built once per worker from a :class:`Setup` (the banks' hashes as arrays,
no database: a Ray node need not reach it) and then matches chunk after chunk. A row that is not a
valid ``(id, pdq)`` and an image that cannot be read or decoded become :class:`Refused` entries of
the report, never a crash of the back-scan.
"""

from __future__ import annotations

import csv
import json
from dataclasses import dataclass, field

from bouclier.backscan.chunks import Chunk, ChunkResult, Hit, Kind, Refused
from bouclier.backscan.objects import ObjectStore
from bouclier.banks.matcher import BankMatcher
from bouclier.banks.store import BankHashes
from bouclier.errors import InputError
from bouclier.hashing import DEFAULT_MIN_SIDE, hash_bytes
from bouclier.media import Limits
from bouclier.media.files import read_file
from bouclier.signals import Fingerprint
from bouclier.signals.pdq import PDQ
from bouclier.text_input import refuse_control

MAX_ID_CHARS = 512


@dataclass(frozen=True)
class Setup:
    """Everything a worker needs, picklable: the banks, the source's kind and (for CSV) which
    columns hold the id and the PDQ."""

    hashes: BankHashes
    kind: Kind
    id_column: int = 0
    pdq_column: int = 1
    limits: Limits = field(default_factory=Limits)
    min_side: int | None = DEFAULT_MIN_SIDE
    store: ObjectStore | None = None


class Scanner:
    def __init__(self, setup: Setup) -> None:
        self.setup = setup
        self.matcher = BankMatcher(setup.hashes)

    def scan(self, chunk: Chunk) -> ChunkResult:
        if self.setup.kind in ("csv", "jsonl"):
            return self._rows(chunk)
        return self._images(chunk)

    def _rows(self, chunk: Chunk) -> ChunkResult:
        result = ChunkResult(chunk.number, scanned=len(chunk.items))
        ids: list[tuple[str, int]] = []
        fingerprints: list[Fingerprint] = []
        for line, raw in enumerate(chunk.items, chunk.first_line):
            item_id: str | None = None
            try:
                item_id, value = self._row(raw)
                fingerprints.append(Fingerprint(PDQ.name, PDQ.validate(value)))
            except InputError as error:
                result.refused.append(Refused(item_id, line, error.code, error.message))
                continue
            ids.append((item_id, line))
        for (item_id, line), matches in zip(
            ids, self.matcher.match_each(fingerprints), strict=True
        ):
            if matches:
                result.hits.append(Hit(item_id, line, matches))
        return result

    def _row(self, raw: bytes | str) -> tuple[str, str]:
        text = raw.decode("utf-8", "replace") if isinstance(raw, bytes) else raw
        if self.setup.kind == "csv":
            fields = next(csv.reader([text]), [])
            wanted = max(self.setup.id_column, self.setup.pdq_column)
            if len(fields) <= wanted:
                raise InputError(
                    f"a row needs {wanted + 1} columns, this one has {len(fields)}",
                    code="invalid_row",
                )
            item_id, value = fields[self.setup.id_column], fields[self.setup.pdq_column]
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

    def _images(self, chunk: Chunk) -> ChunkResult:
        result = ChunkResult(chunk.number, scanned=len(chunk.items))
        setup = self.setup
        for line, name in enumerate(chunk.items, chunk.first_line):
            item_id = name.decode() if isinstance(name, bytes) else name
            try:
                if setup.store is not None:
                    data = setup.store.read(item_id, setup.limits.max_bytes)
                else:
                    data = read_file(item_id, setup.limits.max_bytes)
                hashes = hash_bytes(data, limits=setup.limits, min_side=setup.min_side)
            except InputError as error:
                result.refused.append(Refused(item_id, line, error.code, error.message))
                continue
            found = self.matcher.match_image(hashes, candidates=0)
            if found.matches:
                result.hits.append(Hit(item_id, line, found.matches))
        return result


def _valid_id(value: str) -> str:
    if not 1 <= len(value) <= MAX_ID_CHARS:
        raise InputError(f"an id has 1 to {MAX_ID_CHARS} characters", code="invalid_row")
    if value.isascii() and value.isprintable():  # the common case, no control character: fast
        return value
    try:
        return refuse_control(value)
    except ValueError as exc:
        raise InputError(f"id: {exc}", code="invalid_row") from None


_scanner: Scanner | None = None  # one per worker process (the local engine)


def start(setup: Setup) -> None:
    global _scanner  # noqa: PLW0603 - the worker's own scanner, built once per process
    _scanner = Scanner(setup)


def scan(chunk: Chunk) -> ChunkResult:
    assert _scanner is not None, "start() runs first in each worker"
    return _scanner.scan(chunk)
