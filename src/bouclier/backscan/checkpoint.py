"""A back-scan's checkpoint: how many chunks are in the report, and where the report ends.

Written after each chunk's report lines are on disk (flushed and fsynced), by write-then-rename,
so after a crash the checkpoint never claims more than the report holds. On resumption the report
is cut back to ``report_bytes`` (lines of a chunk written after the last checkpoint would
otherwise be there twice) and the source skips ``chunks`` chunks.
"""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass, field
from pathlib import Path

from bouclier.errors import ConfigError

VERSION = 1


@dataclass
class Checkpoint:
    source: str  # Source.identity()
    banks: list[str]
    chunk_size: int
    chunks: int = 0
    report_bytes: int = 0
    last_item: str | None = None
    counts: dict[str, int] = field(default_factory=lambda: {"scanned": 0, "hits": 0, "refused": 0})
    done: bool = False

    @staticmethod
    def path_for(report: Path) -> Path:
        return report.with_name(report.name + ".checkpoint")

    @classmethod
    def load(cls, path: Path) -> Checkpoint | None:
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return None
        except (OSError, ValueError) as exc:
            raise ConfigError(f"{path}: unreadable checkpoint ({exc}); use --restart") from None
        if not isinstance(data, dict) or data.pop("version", None) != VERSION:
            raise ConfigError(f"{path}: not a checkpoint of this version; use --restart")
        try:
            return cls(**data)
        except TypeError:
            raise ConfigError(f"{path}: damaged checkpoint; use --restart") from None

    def matches(self, source: str, banks: list[str], chunk_size: int) -> bool:
        return (self.source, self.banks, self.chunk_size) == (source, banks, chunk_size)

    def save(self, path: Path) -> None:
        temporary = path.with_name(path.name + ".tmp")
        with open(temporary, "w", encoding="utf-8") as handle:
            json.dump({"version": VERSION, **asdict(self)}, handle)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, path)
