"""What the commands print: one JSON object per line (for scripts) or a table (for people),
a progress bar on stderr when it is a terminal, and the files found under the paths given."""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TextIO

import click

FORMATS = ("jsonl", "table")


def iter_files(paths: Sequence[str]) -> Iterator[Path]:
    """The files named, and every file under the folders named (sorted, links to folders not
    followed). A path that does not exist is yielded as is: the caller reports it."""
    for raw in paths:
        path = Path(raw)
        if not path.is_dir():
            yield path
            continue
        for root, dirs, files in os.walk(path, followlinks=False):
            dirs.sort()
            for name in sorted(files):
                yield Path(root) / name


@contextmanager
def progress(items: Sequence[Any], label: str) -> Iterator[Iterable[Any]]:
    """Iterates over items with a progress bar on stderr, shown only on a terminal."""
    if sys.stderr.isatty() and len(items) > 1:
        with click.progressbar(items, label=label, file=sys.stderr, show_pos=True) as bar:
            yield bar
    else:
        yield items


class Printer:
    """Writes result rows as JSON lines as they come, or collects them into a table at the end."""

    def __init__(self, fmt: str, columns: Sequence[str], out: TextIO | None = None) -> None:
        self.fmt = fmt
        self.columns = columns
        self.out = out or sys.stdout
        self.rows: list[dict[str, Any]] = []

    def row(self, data: dict[str, Any], table: dict[str, Any] | None = None) -> None:
        if self.fmt == "jsonl":
            self.out.write(json.dumps(data, ensure_ascii=False) + "\n")
            self.out.flush()
        else:
            self.rows.append(table if table is not None else data)

    def close(self) -> None:
        if self.fmt == "table":
            write_table(self.rows, self.columns, self.out)


def write_table(rows: Sequence[dict[str, Any]], columns: Sequence[str], out: TextIO) -> None:
    cells = [[_cell(row.get(c)) for c in columns] for row in rows]
    widths = [max([len(c), *(len(r[i]) for r in cells)]) for i, c in enumerate(columns)]
    out.write("  ".join(c.upper().ljust(w) for c, w in zip(columns, widths, strict=True)).rstrip())
    out.write("\n")
    for r in cells:
        out.write("  ".join(v.ljust(w) for v, w in zip(r, widths, strict=True)).rstrip() + "\n")


def _cell(value: Any) -> str:
    if value is None:
        return "-"
    return str(value)
