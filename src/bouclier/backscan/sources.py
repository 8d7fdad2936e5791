"""Where a back-scan's items come from, cut into numbered chunks in a fixed order.

- ``rows.csv``: a header line naming the columns ``id`` and ``pdq`` (others are ignored), then
  one row per image;
- ``rows.jsonl`` (or ``.ndjson``): one object per line with ``"id"`` and ``"pdq"``;
- a folder: every file under it, sorted, links to folders not followed;
- ``s3://bucket/prefix``: every object under the prefix (:mod:`.objects`).

Rows are read here as raw lines and parsed by the workers (the driver only cuts the file), so the
driver keeps up with many workers. Chunk *n* always holds the same items for the same source, which
is what a checkpoint relies on; :meth:`Source.chunks` skips the chunks a checkpoint says are done
and checks that the last item before the resumption point is the one the checkpoint recorded.
"""

from __future__ import annotations

import csv
import hashlib
import os
from collections.abc import Iterator
from dataclasses import dataclass
from itertools import islice
from pathlib import Path
from typing import BinaryIO

from bouclier.backscan.chunks import Chunk, Kind
from bouclier.backscan.objects import ObjectStore
from bouclier.errors import ConfigError, FileUnreadable, InputError

ROW_SUFFIXES: dict[str, Kind] = {".csv": "csv", ".jsonl": "jsonl", ".ndjson": "jsonl"}
MAX_HEADER_BYTES = 64 * 1024
MAX_LINE_BYTES = 64 * 1024  # a row is an id and a hash: far less


@dataclass(frozen=True)
class Source:
    kind: Kind
    location: str
    id_column: int = 0
    pdq_column: int = 1
    store: ObjectStore | None = None

    @classmethod
    def open(cls, location: str, *, endpoint_url: str | None = None) -> Source:
        if location.startswith("s3://"):
            return cls("s3", location, store=ObjectStore.parse(location, endpoint_url))
        path = Path(location)
        if path.is_dir():
            return cls("folder", str(path))
        if not path.is_file():
            raise FileUnreadable(f"{location}: no such file or folder")
        kind = ROW_SUFFIXES.get(path.suffix.lower())
        if kind is None:
            raise InputError(
                f"{path.name}: rows are a .csv or .jsonl file; images, a folder or s3:// URL",
                code="invalid_source",
            )
        if kind == "csv":
            id_column, pdq_column = _csv_columns(path)
            return cls(kind, str(path), id_column, pdq_column)
        return cls(kind, str(path))

    @property
    def rows(self) -> bool:
        return self.kind in ("csv", "jsonl")

    def identity(self) -> str:
        """What a checkpoint is tied to: the source's name, and a rows file's size and time."""
        parts = [self.kind, self.location]
        if self.rows:
            stat = os.stat(self.location)
            parts += [str(stat.st_size), str(stat.st_mtime_ns)]
        return hashlib.sha256("\0".join(parts).encode()).hexdigest()

    def items(self) -> Iterator[tuple[int, bytes | str]]:
        """(line or position, item), in the fixed order."""
        if self.rows:
            with open(self.location, "rb") as handle:
                line = 0
                if self.kind == "csv":
                    _bounded_line(handle)
                    line = 1
                while True:
                    raw = _bounded_line(handle)
                    if raw is None:
                        return
                    line += 1
                    if raw.strip():
                        yield line, raw
        elif self.store is not None:
            yield from enumerate(self.store.keys(), 1)
        else:
            yield from enumerate(_files(Path(self.location)), 1)

    def chunks(self, size: int, *, skip: int = 0, last_item: str | None = None) -> Iterator[Chunk]:
        items = self.items()
        if skip:
            skipped = list(islice(items, size * skip - 1, size * skip))
            if not skipped or _text(skipped[0][1]) != last_item:
                raise ConfigError(
                    "the source changed since the checkpoint (the item where it stopped is not "
                    "the same): run again with --restart"
                )
        number = skip
        while True:
            batch = list(islice(items, size))
            if not batch:
                return
            yield Chunk(number, batch[0][0], tuple(item for _, item in batch))
            number += 1


def _bounded_line(handle: BinaryIO) -> bytes | None:
    """The next line without its end, cut at MAX_LINE_BYTES (the rest is skipped: such a row is
    refused by the worker, and memory stays bounded whatever the file holds); None at the end."""
    raw = handle.readline(MAX_LINE_BYTES)
    if not raw:
        return None
    if not raw.endswith(b"\n"):
        while (rest := handle.readline(MAX_LINE_BYTES)) and not rest.endswith(b"\n"):
            pass
    return raw.rstrip(b"\r\n")


def item_text(item: bytes | str) -> str:
    return _text(item)


def _text(item: bytes | str) -> str:
    return item.decode("utf-8", "replace") if isinstance(item, bytes) else item


def _files(root: Path) -> Iterator[str]:
    for folder, dirs, files in os.walk(root, followlinks=False):
        dirs.sort()
        for name in sorted(files):
            yield str(Path(folder) / name)


def _csv_columns(path: Path) -> tuple[int, int]:
    with open(path, "rb") as handle:
        header = handle.readline(MAX_HEADER_BYTES).decode("utf-8", "replace").lstrip("\ufeff")
    names = [name.strip().lower() for name in next(csv.reader([header]), [])]
    if "id" not in names or "pdq" not in names:
        raise InputError(
            f"{path.name}: the first line must name the columns id and pdq "
            f"(found: {', '.join(repr(n[:20]) for n in names[:5]) or 'nothing'})",
            code="invalid_source",
        )
    return names.index("id"), names.index("pdq")
