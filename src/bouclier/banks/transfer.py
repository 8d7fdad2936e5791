"""Bank import and export: CSV, JSON lines and plain hash lists, as hash-sharing tools write them.

Import reads what StopNCII, HMA and python-threatexchange produce (docs/interop.md):

* CSV with a header naming the hash column ``pdq`` (or ``hash``, ``pdq_hash``, ``signal``,
  ``signal_value``, ``signal_str``, ``value``), optionally ``signal_type`` (a registered signal
  type: ``pdq`` and threatexchange's names for it, ``sha256``, ``md5``; the file's default
  otherwise, PDQ unless the caller says), ``quality``, ``sha256``, ``md5``, ``source``,
  ``case_ref`` and ``note``; other columns are ignored. ``threatexchange dataset -P --csv`` writes
  one. A CSV without a header whose first cell is a hash is read by its first column;
* JSON lines, one object per line with the same keys;
* plain text, one hash per line, bare or after its signal type, as ``threatexchange dataset -P``
  prints them (with or without ``-S``, ``-s`` and ``-c``: the collaboration and opinion it prints
  after the hash are ignored); ``#`` comments and blank lines are skipped;
* threatexchange's local state files, ``simple.<type>.te``: headerless CSV rows of the hash, then
  its descriptor id, date and labels (``CliIndicatorSerialization``; HMA's adds the indicator id),
  the signal type named by the file.

Rows of a signal type Bouclier does not hold (threatexchange's ``video_md5``, ``url``,
``raw_text``...) are skipped and counted by type (:attr:`ImportFile.skipped`), never a reason to
refuse the rest. Every other row is checked before anything is written; bad rows are reported with
their line numbers and nothing of the file is kept. Export writes CSV or JSON lines that import
reads back: ``pdq`` holds a PDQ entry's hash (what StopNCII and HMA tools read), ``signal_type``
and ``value`` every entry's, ``reviewed`` whether an analyst confirmed it (false for a hash a victim
reported, not yet confirmed; import does not read it back: what an operator imports is reviewed).
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO

from bouclier.banks.store import EntryRecord, NewEntry
from bouclier.errors import BouclierError, InvalidImport
from bouclier.signals import DEFAULT, SignalTypes
from bouclier.signals.registry import server_only_names
from bouclier.signals.registry import signal_types as registered
from bouclier.storage.models import utc_iso

FORMATS = ("csv", "jsonl", "txt", "te")
EXPORT_FORMATS = ("csv", "jsonl", "threatexchange", "threatexchange-csv")
#: Bouclier's exact hashes are an image file's; threatexchange's md5/sha256 types are a video's,
#: so they go by the names of the threatexchange-bouclier extension (extensions/).
TX_NAMES = {"pdq": "pdq", "md5": "photo_md5", "sha256": "photo_sha256"}
TX_CSV_FIELDS = ("signal_type", "signal_str", "collab", "category", "tags")
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
    "reviewed",
)
_TEXT_FIELDS = ("source", "case_ref", "note")
# What a signal type's name may look like, to be skipped as one Bouclier does not hold
# (threatexchange's are lower-case words; ThreatExchange's indicator types upper-case ones).
_TYPE_NAME = re.compile(r"[a-z][a-z0-9_]{0,63}")
# A word that looks like a hash of any registered type (MD5 to PDQ): never a signal type's name.
_HASHLIKE = re.compile(r"[0-9a-f]{32,64}")
# threatexchange's local state files: simple.<indicator type>.te
_TE_FILE = re.compile(r"simple\.([^.]+)\.te", re.IGNORECASE)
_FROM_TX = {tx: ours for ours, tx in TX_NAMES.items() if tx != ours}
# Set by the text reader on a line with more than one hash (not a column name: it has a NUL).
_MORE_HASHES = "\x00more_hashes"
# Bad rows and skipped lines named in a report; the rest are counted.
_LINES_SHOWN = 5
# A cell starting with one of these is a formula to a spreadsheet: export quotes it (OWASP).
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True, slots=True)
class Skipped:
    """The rows of one signal type that Bouclier does not hold: how many, and the first lines."""

    signal_type: str
    count: int
    lines: tuple[int, ...]

    def __str__(self) -> str:
        shown = ", ".join(map(str, self.lines)) + (", ..." if self.count > len(self.lines) else "")
        rows = "row" if self.count == 1 else "rows"
        return f"{self.count} {self.signal_type} {rows} (line{'s' * (self.count > 1)} {shown})"


@dataclass(frozen=True, slots=True)
class ImportFile:
    """An import file read and checked: the entries to add, and the rows skipped, by type (most
    first), for signal types Bouclier does not hold."""

    entries: tuple[NewEntry, ...]
    skipped: tuple[Skipped, ...]

    @property
    def skipped_rows(self) -> int:
        return sum(s.count for s in self.skipped)


def guess_format(path: Path, head: str) -> str:
    suffix = path.suffix.lower()
    if suffix == ".csv":
        return "csv"
    if suffix in (".jsonl", ".ndjson", ".json"):
        return "jsonl"
    if suffix == ".txt":
        return "txt"
    if suffix == ".te":
        return "te"
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
    """The entries of an import file (see :func:`read_import`, which also says what was
    skipped)."""
    found = read_import(
        path, fmt, source=source, signal_type=signal_type, signal_types=signal_types
    )
    return list(found.entries)


def read_import(
    path: Path,
    fmt: str | None = None,
    *,
    source: str | None = None,
    signal_type: str = DEFAULT,
    signal_types: SignalTypes | None = None,
) -> ImportFile:
    """Parses and validates a whole import file; raises InvalidImport naming the bad rows by line
    (nothing is kept) or when no row is of a signal type Bouclier holds. Rows that name no signal
    type are of ``signal_type``; rows of a type not registered are skipped and counted."""
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
    if fmt == "te":
        rows = _te_rows(text, path.name)
    else:
        rows = {"csv": _csv_rows, "jsonl": _jsonl_rows, "txt": _txt_rows}[fmt](text)
    entries: list[NewEntry] = []
    skipped: dict[str, list[int]] = {}
    bad: list[InvalidImport] = []
    try:
        for line, row in rows:
            try:
                kind = _row_type(row, default_type, signal_types)
                if kind not in signal_types:
                    skipped.setdefault(kind, []).append(line)
                    continue
                if row.get(_MORE_HASHES):
                    raise InvalidImport("one hash per line; this line has more")
                entry = _entry(row, kind, default_source)
                entries.append(entry.validated(signal_types))
            except BouclierError as exc:
                message = exc.message
                if isinstance(exc, InvalidImport):
                    message = message.removeprefix(f"line {exc.line}: ")
                bad.append(InvalidImport(message, line=line))
    except InvalidImport as exc:  # the file's structure is broken here: no row after is read
        bad.append(exc)
    if bad:
        raise _bad_rows(bad)
    found = ImportFile(
        tuple(entries),
        tuple(
            Skipped(kind, len(lines), tuple(lines[:_LINES_SHOWN]))
            for kind, lines in sorted(skipped.items(), key=lambda i: (-len(i[1]), i[0]))
        ),
    )
    if not entries:
        if found.skipped:
            raise InvalidImport(
                "no row is of a signal type Bouclier holds "
                f"({', '.join(signal_types.names)}); skipped "
                + "; ".join(map(str, found.skipped[:_LINES_SHOWN]))
            )
        raise InvalidImport("the file has no hashes")
    return found


def _bad_rows(bad: list[InvalidImport]) -> InvalidImport:
    """One error for all the bad rows: the first one's, then the lines of the others."""
    first = bad[0]
    message = first.message.removeprefix(f"line {first.line}: ")
    if len(bad) > 1:
        lines = ", ".join(str(e.line) for e in bad[1 : 1 + _LINES_SHOWN])
        more = ", ..." if len(bad) > 1 + _LINES_SHOWN else ""
        message += f" (and {len(bad) - 1} more bad rows: lines {lines}{more})"
    return InvalidImport(message, line=first.line)


def _row_type(row: dict[str, Any], default_type: str, signal_types: SignalTypes) -> str:
    """The signal type a row names (threatexchange's names for PDQ mean PDQ), or the default."""
    named = row.get("signal_type")
    if named in (None, ""):
        return default_type
    kind = str(named).strip().lower()
    if kind in PDQ_TYPES:
        return DEFAULT
    if kind in _FROM_TX:
        return _FROM_TX[kind]
    if kind not in signal_types and not _TYPE_NAME.fullmatch(kind):
        raise InvalidImport(
            f"signal type {str(named)[:40]!r} is not a signal type's name; "
            f"use one of {', '.join(signal_types.names)}"
        )
    return kind


def _entry(row: dict[str, Any], kind: str, default_source: str) -> NewEntry:
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
            if len(names) == 1 or (names and _HASHLIKE.fullmatch(names[0])):
                # no header: a list of hashes, or rows that start with one (threatexchange's)
                yield from _headerless(header, reader)
                return
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


def _headerless(
    first: list[str], reader: Any, signal_type: str | None = None
) -> Iterator[tuple[int, dict[str, Any]]]:
    """Rows whose first cell is the hash; the other cells (threatexchange's descriptor id, date
    and labels) are not kept."""
    line = reader.line_num
    row: list[str] | None = first
    while row is not None:
        if any(cell.strip() for cell in row):
            yield line, {"signal_type": signal_type, "pdq": row[0].strip()}
        row = next(reader, None)
        line = reader.line_num


def _te_rows(text: str, name: str) -> Iterator[tuple[int, dict[str, Any]]]:
    """threatexchange's ``simple.<type>.te``: headerless CSV, the type named by the file."""
    named = _TE_FILE.fullmatch(name)
    reader = csv.reader(io.StringIO(text))
    try:
        first = next(reader, None)
        if first is not None:
            yield from _headerless(first, reader, named.group(1) if named else None)
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
    """``hash``, ``type hash``, and either followed by what ``threatexchange dataset -P`` prints
    after it (the collaboration, the opinion and its tags), which is ignored."""
    for number, line in enumerate(text.splitlines(), start=1):
        words = line.split("#", 1)[0].replace(",", " ").split()
        if not words:
            continue
        first = words[0].lower()
        row: dict[str, Any]
        if len(words) > 1 and not _HASHLIKE.fullmatch(first) and first.isidentifier():
            row, rest = {"signal_type": words[0], "pdq": words[1]}, words[2:]
        else:
            row, rest = {"pdq": words[0]}, words[1:]
        # Two hashes on a line is a list gone wrong, not a hash and its metadata; told apart
        # from another type's words (a text, a URL) once the row's type is known.
        row[_MORE_HASHES] = any(_HASHLIKE.fullmatch(w.lower()) for w in rest)
        yield number, row


def write_entries(
    records: Iterable[EntryRecord], fmt: str, out: TextIO, collab: str = "bouclier"
) -> int:
    """Writes entries as CSV, JSON lines or one of threatexchange's forms (:func:`write_tx`);
    returns how many were written. Entries of a server-side-only type (ORB, see
    docs/robust-signal.md) are left out."""
    if fmt not in EXPORT_FORMATS:
        raise InvalidImport(f"unknown export format {fmt!r}; use {', '.join(EXPORT_FORMATS)}")
    # server-side only (ORB keypoints can be inverted): never in an export
    private = server_only_names()
    records = (r for r in records if r.signal_type not in private)
    if fmt.startswith("threatexchange"):
        return write_tx(records, out, csv_form=fmt.endswith("-csv"), collab=collab)
    writer = csv.writer(out, lineterminator="\n") if fmt == "csv" else None
    if writer:
        writer.writerow(EXPORT_FIELDS)
    count = 0
    for record in records:
        row = _export_row(record)
        if writer:
            writer.writerow(
                [_quote_formula(row[f]) if f in _TEXT_FIELDS else row[f] for f in EXPORT_FIELDS]
            )
        else:
            out.write(json.dumps(row, ensure_ascii=False) + "\n")
        count += 1
    return count


def write_tx(records: Iterable[EntryRecord], out: TextIO, *, csv_form: bool, collab: str) -> int:
    """threatexchange's forms: ``<type> <hash>`` lines, what its ``local_file`` collaboration
    (``LocalFileSignalExchangeAPI``, in HMA too) fetches; or the CSV of ``threatexchange dataset
    -P --csv`` (``signal_type,signal_str,collab,category,tags``), whose category is
    ``POSITIVE_CLASS`` for a reviewed entry and ``INVESTIGATION_SEED`` for one a victim reported
    that no analyst confirmed. Types threatexchange cannot name are left out."""
    writer = csv.writer(out, lineterminator="\n") if csv_form else None
    if writer:
        writer.writerow(TX_CSV_FIELDS)
    count = 0
    for record in records:
        name = TX_NAMES.get(record.signal_type)
        if name is None:
            continue
        if writer:
            category = "POSITIVE_CLASS" if record.reviewed else "INVESTIGATION_SEED"
            writer.writerow([name, record.value, _quote_formula(collab), category, "ncii"])
        else:
            out.write(f"{name} {record.value}\n")
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
        "reviewed": record.reviewed,
    }


def _quote_formula(value: Any) -> Any:
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value
