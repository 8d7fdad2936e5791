"""``bouclier bank``: create, fill, import, export, list and remove banks of hashes."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

from bouclier.cli import exit_codes
from bouclier.cli.app import App
from bouclier.cli.hash_cmd import error_row, hash_paths
from bouclier.cli.lazy_types import LazyChoice
from bouclier.cli.output import FORMATS, Printer, iter_files
from bouclier.cli.signal_option import signal_type_option

if TYPE_CHECKING:
    from bouclier.banks.store import NewEntry
    from bouclier.media.video import VideoHashes
from bouclier.vocabulary import BANK_KINDS


@click.group("bank")
def bank_group() -> None:
    """Banks of hashes: victim banks to find, known-false-positive banks to let through."""


@bank_group.command("create")
@click.argument("name")
@click.option("--kind", type=click.Choice(BANK_KINDS), required=True)
@click.option(
    "--threshold",
    type=click.IntRange(0, 128),
    default=None,
    help="PDQ match threshold, inclusive (default: BOUCLIER_DEFAULT_THRESHOLD, 31).",
)
@click.pass_obj
def create(app: App, name: str, kind: str, threshold: int | None) -> int:
    """Create a bank."""
    bank = app.store.create(name, kind, threshold)
    click.echo(f"created bank {bank.name} ({bank.kind}, threshold {bank.threshold})", err=True)
    return exit_codes.OK


@bank_group.command("add")
@click.argument("name")
@click.argument("paths", nargs=-1, type=click.Path(path_type=str))
@click.option("--pdq", "hashes", multiple=True, help="Add this PDQ hash (repeatable).")
@click.option(
    "--value", "values", multiple=True, help="Add this hash of --signal-type (repeatable)."
)
@signal_type_option("The signal type of --value hashes, and of what is added of each image.")
@click.option("--source", default=None, help="Where the images come from (default: file name).")
@click.option("--case", "case_ref", default=None, help="Case reference to keep with the entries.")
@click.option("--note", default=None, help="A note kept with the entries.")
@click.option("--full-resolution", is_flag=True, help="Hash images at full resolution.")
@click.pass_obj
def add(
    app: App,
    name: str,
    paths: tuple[str, ...],
    hashes: tuple[str, ...],
    values: tuple[str, ...],
    signal_type: str,
    source: str | None,
    case_ref: str | None,
    note: str | None,
    full_resolution: bool,
) -> int:
    """Hash images (folders are searched) and add them, with any --pdq or --value hashes, to a
    bank. Images are added by their PDQ unless --signal-type names another type (sha256, md5...);
    added by PDQ, an image also adds its ORB keypoints (crop-robust, matched server-side only).

    Prints one JSON line per entry added ({"path", "pdq" or "value","entry"}) and one per file
    that could not be read; the readable ones are added all together, in one transaction.
    """
    import dataclasses

    from bouclier.banks.store import NewEntry, robust_entries
    from bouclier.hashing import ImageHashes
    from bouclier.media.video import VideoHashes
    from bouclier.signals import DEFAULT as DEFAULT_SIGNAL

    if not paths and not hashes and not values:
        raise click.UsageError("give image paths, --pdq or --value hashes to add")
    app.store.get(name)  # fail before hashing anything if the bank does not exist
    given = [("pdq", "pdq", h) for h in hashes] + [("value", signal_type, v) for v in values]
    entries: list[tuple[str, str, NewEntry]] = [
        (key, value, NewEntry(value, None, None, None, source or "cli", case_ref, note, kind))
        for key, kind, value in given
    ]
    printer = Printer("jsonl", ())
    failed = 0
    files, dense = list(iter_files(paths)), app.settings.vpdq_bank_seconds_per_hash
    for path, hashed in hash_paths(app, files, full_resolution, "hashing", seconds_per_hash=dense):
        if isinstance(hashed, VideoHashes):
            entry = video_entry(hashed, signal_type, source or f"file:{path.name}"[:200])
            entry = dataclasses.replace(entry, case_ref=case_ref, note=note)
            entries.append(("path", str(path), entry))
        elif isinstance(hashed, ImageHashes):
            first = next(f for f in hashed.fingerprints if f.signal_type == signal_type)
            entry = NewEntry(
                value=first.value,
                signal_type=signal_type,
                quality=first.quality,
                sha256=hashed.sha256,
                md5=hashed.md5,
                source=source or f"file:{path.name}"[:200],
                case_ref=case_ref,
                note=note,
            )
            entries.append(("path", str(path), entry))
            if signal_type == DEFAULT_SIGNAL:  # an image also brings its crop-robust keypoints
                entries += [("robust", str(path), e) for e in robust_entries(hashed, entry)]
        else:
            failed += 1
            printer.row(error_row(path, hashed))
    ids = app.store.add(name, [entry for _, _, entry in entries]) if entries else []
    for (key, value, _), entry_id in zip(entries, ids, strict=True):
        if key == "robust":
            printer.row({"path": value, "signal_type": "orb", "entry": entry_id})
        else:
            printer.row({key: value, "entry": entry_id})
    click.echo(f"added {len(ids)} entries to {name}", err=True)
    return exit_codes.INPUT_FAILED if failed else exit_codes.OK


def video_entry(video: VideoHashes, signal_type: str, source: str) -> NewEntry:
    """A video's bank entry: its vPDQ (for the default type, PDQ, or vpdq), else its digest."""
    from bouclier.banks.store import NewEntry
    from bouclier.signals.vpdq import VPDQ

    if signal_type in ("sha256", "md5"):
        value, kind, quality = getattr(video, signal_type), signal_type, None
    else:
        value, kind = VPDQ.from_features(video.features), VPDQ.name
        quality = max(f.quality for f in video.features)
    return NewEntry(
        value=value,
        signal_type=kind,
        quality=quality,
        sha256=video.sha256,
        md5=video.md5,
        source=source,
    )


@bank_group.command("import")
@click.argument("name")
@click.argument("file", type=click.Path(path_type=Path, dir_okay=False))
@click.option(
    "--format",
    "fmt",
    type=LazyChoice("bouclier.banks.transfer:FORMATS"),
    default=None,
    help="File format (default: from the extension, else from the content).",
)
@click.option("--source", default=None, help="Source recorded for rows without one.")
@signal_type_option("The signal type of rows that name none.")
@click.pass_obj
def import_(
    app: App, name: str, file: Path, fmt: str | None, source: str | None, signal_type: str
) -> int:
    """Import hashes from a CSV, JSON-lines or plain-text hash list (StopNCII, HMA,
    threatexchange's `dataset -P` output and simple.<type>.te files, NCMEC MD5 lists with
    --signal-type md5). Rows of signal types Bouclier does not hold (video_md5, url, ...) are
    skipped and counted by type. The rest is checked first: one bad row and nothing is
    imported."""
    from bouclier.banks import transfer

    app.store.get(name)
    if not file.is_file():
        raise click.BadParameter(f"no such file: {file}", param_hint="FILE")
    found = transfer.read_import(file, fmt, source=source, signal_type=signal_type)
    ids = app.store.add(name, list(found.entries))
    click.echo(f"imported {len(ids)} entries into {name}", err=True)
    if found.skipped:
        click.echo(
            f"skipped {found.skipped_rows} rows of signal types Bouclier does not hold:", err=True
        )
        for skipped in found.skipped:
            click.echo(f"  {skipped}", err=True)
    return exit_codes.OK


@bank_group.command("export")
@click.argument("name")
@click.option(
    "--format",
    "fmt",
    type=LazyChoice("bouclier.banks.transfer:EXPORT_FORMATS"),
    default="csv",
    show_default=True,
)
@click.option(
    "--out",
    type=click.Path(path_type=Path, dir_okay=False),
    default=None,
    help="Write to this file instead of standard output.",
)
@click.pass_obj
def export(app: App, name: str, fmt: str, out: Path | None) -> int:
    """Export a bank's entries as CSV (with pdq, signal_type and value columns), JSON lines, or
    for ThreatExchange/HMA tools: `threatexchange` (`<type> <hash>` lines, what its local_file
    collaboration fetches) or `threatexchange-csv` (as `threatexchange dataset -P --csv`)."""
    from bouclier.banks import transfer
    from bouclier.filemodes import open_private_text

    records = app.store.entries(name)
    if out is None:
        count = transfer.write_entries(records, fmt, sys.stdout, collab=name)
    else:
        partial = out.with_name(out.name + ".partial")
        with open_private_text(partial, newline="") as handle:  # victims' hashes: mode 0600
            count = transfer.write_entries(records, fmt, handle, collab=name)
        partial.replace(out)  # never leave a half-written export under the real name
    click.echo(f"exported {count} entries from {name}", err=True)
    return exit_codes.OK


@bank_group.command("list")
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="table", show_default=True)
@click.pass_obj
def list_(app: App, fmt: str) -> int:
    """List the banks with their kind, threshold and number of entries."""
    from bouclier.storage.models import utc_iso

    printer = Printer(fmt, ("name", "kind", "threshold", "entries", "created_at"))
    for bank in app.store.banks():
        printer.row(
            {
                "name": bank.name,
                "kind": bank.kind,
                "threshold": bank.threshold,
                "entries": bank.size,
                "created_at": utc_iso(bank.created_at),
            }
        )
    printer.close()
    return exit_codes.OK


@bank_group.command("remove")
@click.argument("name")
@click.option(
    "--entry",
    "entries",
    multiple=True,
    type=int,
    help="Remove only this entry (repeatable); without it the whole bank goes.",
)
@click.option("--yes", is_flag=True, help="Confirm removing a whole bank that has entries.")
@click.pass_obj
def remove(app: App, name: str, entries: tuple[int, ...], yes: bool) -> int:
    """Remove entries from a bank, or a whole bank with its entries."""
    if entries:
        removed = app.store.remove_entries(name, entries)
        click.echo(f"removed {removed} of {len(set(entries))} entries from {name}", err=True)
        return exit_codes.OK if removed == len(set(entries)) else exit_codes.NOT_FOUND
    bank = app.store.get(name)
    if bank.size and not yes:
        raise click.UsageError(
            f"bank {name} has {bank.size} entries: add --yes to remove it with all of them"
        )
    app.store.delete(name)
    click.echo(f"removed bank {name} and its {bank.size} entries", err=True)
    return exit_codes.OK
