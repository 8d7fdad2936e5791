"""Bank import and export: CSV, JSON lines and plain hash lists, as hash-sharing tools write them.

Import reads what StopNCII, HMA and python-threatexchange produce:

* CSV with a header naming the hash column ``pdq`` (or ``hash``, ``pdq_hash``, ``signal``,
  ``signal_value``, ``signal_str``, ``value``), optionally ``signal_type`` (a registered signal
  type: ``pdq`` and threatexchange's names for it, ``sha256``, ``md5``; the file's default
  otherwise, PDQ unless the caller says), ``quality``, ``sha256``, ``md5``, ``source``,
  ``case_ref`` and ``note``; other columns are ignored;
* JSON lines, one object per line with the same keys;
* plain text, one hash per line, bare or as ``pdq <hash>`` (the threatexchange CLI's output);
  ``#`` comments and blank lines are skipped.

Every row is checked before anything is written; the first bad row is reported with its line
number and nothing of the file is kept. Export writes CSV or JSON lines that import reads back:
``pdq`` holds a PDQ entry's hash (what StopNCII and HMA tools read), ``signal_type`` and
``value`` every entry's.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any, TextIO

from bouclier.banks.store import EntryRecord, NewEntry
from bouclier.errors import BouclierError, InvalidImport
from bouclier.hashing import on_demand
from bouclier.signals import DEFAULT, SignalTypes
from bouclier.signals.registry import signal_types as registered
from bouclier.storage.models import utc_iso

FORMATS = ("csv", "jsonl", "txt")
EXPORT_FORMATS = ("csv", "jsonl")
PDQ_COLUMNS = ("pdq", "pdq_hash", "hash", "signal", "signal_value", "signal_str", "value")
PDQ_TYPES = ("pdq", "pdq_hash", "pdqsignal", "photo_pdq", "hash_pdq")
EXPORT_FIELDS = (
    "pdq",
    "quality",
    "sha256",
    "md5",
    "source",
    "case_ref",
    "note",
    "created_at",
    "entry",
    "signal_type",
    "value",
)
_TEXT_FIELDS = ("source", "case_ref", "note")
# A cell starting with one of these is a formula to a spreadsheet: export quotes it (OWASP).
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def guess_format(path: Path, head: str) -> str:
    suffix = path.suffix.lower()
    if suffix == ".csv":
        return "csv"
    if suffix in (".jsonl", ".ndjson", ".json"):
        return "jsonl"
    if suffix == ".txt":
        return "txt"
    first = next((line.strip() for line in head.splitlines() if line.strip()), "")
    if first.startswith("{"):
        return "jsonl"
    return "csv" if "," in first else "txt"


def read_entries(
    path: Path,
    fmt: str | None = None,
    *,
    source: str | None = None,
    signal_type: str = DEFAULT,
    signal_types: SignalTypes | None = None,
) -> list[NewEntry]:
    """Parses and validates a whole import file; raises InvalidImport on the first bad row.
    Rows that name no signal type are of ``signal_type``."""
    signal_types = signal_types or registered()
    default_type = signal_types.get(signal_type).name
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        line = path.read_bytes()[: exc.start].count(b"\n") + 1
        raise InvalidImport("the file is not UTF-8 text", line=line) from None
    fmt = fmt or guess_format(path, text[:4096])
    if fmt not in FORMATS:
        raise InvalidImport(f"unknown import format {fmt!r}; use one of {', '.join(FORMATS)}")
    default_source = source if source is not None else f"import:{path.name}"[:200]
    parse = {"csv": _csv_rows, "jsonl": _jsonl_rows, "txt": _txt_rows}[fmt]
    entries = []
    for line, row in parse(text):
        try:
            entry = _entry(row, default_source, default_type, signal_types)
            entries.append(entry.validated(signal_types))
        except InvalidImport as exc:
            raise InvalidImport(exc.message.removeprefix(f"line {exc.line}: "), line=line) from None
        except BouclierError as exc:
            raise InvalidImport(exc.message, line=line) from None
    if not entries:
        raise InvalidImport("the file has no hashes")
    return entries


def _entry(
    row: dict[str, Any], default_source: str, default_type: str, signal_types: SignalTypes
) -> NewEntry:
    named = row.get("signal_type")
    kind = default_type
    if named not in (None, ""):
        kind = str(named).strip().lower()
        kind = DEFAULT if kind in PDQ_TYPES else kind
        if kind not in signal_types:
            raise InvalidImport(
                f"signal type {str(named)[:40]!r} is not known here; "
                f"use one of {', '.join(signal_types.names)}"
            )
    value = next((row[c] for c in PDQ_COLUMNS if row.get(c) not in (None, "")), None)
    if value is None:
        raise InvalidImport("no PDQ hash on this row" if kind == DEFAULT else f"no {kind} value")
    raw_quality = row.get("quality")
    quality: int | None = None
    if raw_quality is not None and raw_quality != "":
        try:
            quality = int(raw_quality)
        except (TypeError, ValueError):
            raise InvalidImport("quality must be an integer from 0 to 100") from None
    return NewEntry(
        signal_type=kind,
        value=str(value),
        quality=quality,
        sha256=_text(row.get("sha256")),
        md5=_text(row.get("md5")),
        source=_text(row.get("source")) or default_source,
        case_ref=_text(row.get("case_ref") or row.get("case")),
        note=_text(row.get("note")),
    )


def _text(value: Any) -> str | None:
    if value in (None, ""):
        return None
    text = str(value)
    if text.startswith("'") and text[1:2] in _FORMULA_START:
        text = text[1:]  # undo export's spreadsheet-formula quoting
    return text


def _csv_rows(text: str) -> Iterator[tuple[int, dict[str, Any]]]:
    reader = csv.reader(io.StringIO(text))
    try:
        header = next(reader, None)
        if header is None:
            return
        names = [h.strip().lower() for h in header]
        if not any(n in PDQ_COLUMNS for n in names):
            if len(names) == 1:  # a headerless one-column list of hashes
                yield reader.line_num, {"pdq": header[0]}
                names = ["pdq"]
            else:
                raise InvalidImport(
                    f"no PDQ column in the header; name it one of {', '.join(PDQ_COLUMNS)}",
                    line=1,
                )
        for row in reader:
            if not any(cell.strip() for cell in row):
                continue
            if len(row) > len(names):
                raise InvalidImport(
                    f"{len(row)} fields where the header has {len(names)}", line=reader.line_num
                )
            yield reader.line_num, {n: c.strip() for n, c in zip(names, row, strict=False)}
    except csv.Error as exc:
        raise InvalidImport(f"malformed CSV: {exc}", line=reader.line_num) from None


def _jsonl_rows(text: str) -> Iterator[tuple[int, dict[str, Any]]]:
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError as exc:
            raise InvalidImport(f"not valid JSON ({exc.msg})", line=number) from None
        if not isinstance(row, dict):
            raise InvalidImport("each line must be a JSON object", line=number)
        yield number, {str(k).lower(): v for k, v in row.items()}


def _txt_rows(text: str) -> Iterator[tuple[int, dict[str, Any]]]:
    for number, line in enumerate(text.splitlines(), start=1):
        words = line.split("#", 1)[0].replace(",", " ").split()
        if not words:
            continue
        if len(words) == 2:
            yield number, {"signal_type": words[0], "pdq": words[1]}
        elif len(words) == 1:
            yield number, {"pdq": words[0]}
        else:
            raise InvalidImport("expected one hash, or a signal type and a hash", line=number)


def write_entries(records: Iterable[EntryRecord], fmt: str, out: TextIO) -> int:
    """Writes entries as CSV or JSON lines; returns how many were written. Entries of a
    server-side-only type (ORB, see docs/robust-signal.md) are left out."""
    if fmt not in EXPORT_FORMATS:
        raise InvalidImport(f"unknown export format {fmt!r}; use csv or jsonl")
    writer = csv.writer(out, lineterminator="\n") if fmt == "csv" else None
    if writer:
        writer.writerow(EXPORT_FIELDS)
    count = 0
    kinds = registered()
    for record in records:
        if record.signal_type in kinds and on_demand(kinds.get(record.signal_type)):
            continue  # server-side only (ORB keypoints can be inverted): never in an export
        row = _export_row(record)
        if writer:
            writer.writerow(
                [_quote_formula(row[f]) if f in _TEXT_FIELDS else row[f] for f in EXPORT_FIELDS]
            )
        else:
            out.write(json.dumps(row, ensure_ascii=False) + "\n")
        count += 1
    return count


def _export_row(record: EntryRecord) -> dict[str, Any]:
    return {
        "pdq": record.value if record.signal_type == DEFAULT else None,
        "quality": record.quality,
        "sha256": record.sha256,
        "md5": record.md5,
        "source": record.source,
        "case_ref": record.case_ref,
        "note": record.note,
        "created_at": utc_iso(record.created_at),
        "entry": record.id,
        "signal_type": record.signal_type,
        "value": record.value,
    }


def _quote_formula(value: Any) -> Any:
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value
