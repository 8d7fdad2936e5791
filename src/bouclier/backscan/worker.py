"""The work of one chunk, in a worker process or a Ray actor: parse or hash, then match.

A :class:`Scanner` is built once per worker from a :class:`Setup` (the banks' hashes as arrays,
no database: a Ray node need not reach it) and then matches chunk after chunk: a chunk of rows is
parsed at once (:mod:`.rows`) and searched in one call. A row that is not a valid ``(id, pdq)``
and an image that cannot be read or decoded become :class:`Refused` entries of the report, never a
crash of the back-scan.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from bouclier.backscan.chunks import Chunk, ChunkResult, Hit, Kind, Refused
from bouclier.backscan.objects import ObjectStore
from bouclier.backscan.rows import Columns, parse_rows
from bouclier.banks.hashes import BankHashes
from bouclier.banks.matcher import BankMatcher
from bouclier.errors import InputError
from bouclier.hashing import DEFAULT_MIN_SIDE, hash_bytes
from bouclier.media import Limits
from bouclier.media.files import read_file
from bouclier.signals.pdq import PDQ


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
        self.columns = Columns(setup.kind, setup.id_column, setup.pdq_column)
        self.matcher = BankMatcher(setup.hashes)

    def scan(self, chunk: Chunk) -> ChunkResult:
        if self.setup.kind in ("csv", "jsonl"):
            return self._rows(chunk)
        return self._images(chunk)

    def _rows(self, chunk: Chunk) -> ChunkResult:
        parsed = parse_rows(chunk.items, chunk.first_line, self.columns)
        result = ChunkResult(chunk.number, scanned=len(chunk.items), refused=parsed.refused)
        found = self.matcher.match_packed(PDQ.name, parsed.hashes)
        for item_id, line, matches in zip(parsed.ids, parsed.lines, found, strict=True):
            if matches:
                result.hits.append(Hit(item_id, line, matches))
        return result

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


_scanner: Scanner | None = None  # one per worker process (the local engine)


def start(setup: Setup) -> None:
    global _scanner  # noqa: PLW0603 - the worker's own scanner, built once per process
    _scanner = Scanner(setup)


def scan(chunk: Chunk) -> ChunkResult:
    assert _scanner is not None, "start() runs first in each worker"
    return _scanner.scan(chunk)
