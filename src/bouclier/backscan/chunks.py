"""What travels between the driver and the workers: numbered chunks of items, and their results.

Both are plain picklable data (they cross process and machine boundaries). An item is a raw row
(bytes of one line of the rows file) or an image's name (a path, or an object key).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from bouclier.banks.matcher import Match

Kind = Literal["csv", "jsonl", "folder", "s3"]


@dataclass(frozen=True, slots=True)
class Chunk:
    number: int
    first_line: int  # line (rows) or position (images) of the first item, counted from 1
    items: tuple[bytes | str, ...]


@dataclass(frozen=True, slots=True)
class Hit:
    id: str
    line: int
    matches: tuple[Match, ...]


@dataclass(frozen=True, slots=True)
class Refused:
    id: str | None
    line: int
    code: str
    message: str


@dataclass(slots=True)
class ChunkResult:
    number: int
    scanned: int = 0
    hits: list[Hit] = field(default_factory=list)
    refused: list[Refused] = field(default_factory=list)
    node: str | None = None  # the Ray node that scanned it (None: a local worker)
