"""``bouclier match``: look images (or PDQ hashes) up in the banks, in all 8 orientations."""

from __future__ import annotations

from typing import TYPE_CHECKING

import click

from bouclier.cli import exit_codes
from bouclier.cli.app import App
from bouclier.cli.hash_cmd import error_row, hash_paths
from bouclier.cli.output import FORMATS, Printer, iter_files

if TYPE_CHECKING:
    from bouclier.banks.matcher import MatchResult


def _row(source: str, result: MatchResult) -> dict[str, object]:
    return {
        "path": source,
        "quality": result.quality,
        "low_quality": result.low_quality,
        "matches": [m.to_dict() for m in result.matches],
    }


def _table_row(source: str, result: MatchResult) -> dict[str, object]:
    best = result.matches[0] if result.matches else None
    return {
        "path": source,
        "quality": f"{result.quality}{' (low)' if result.low_quality else ''}",
        "matches": len(result.matches),
        "best": f"{best.bank}#{best.entry} d={best.distance} {best.orientation}" if best else None,
    }


@click.command("match")
@click.argument("paths", nargs=-1, type=click.Path(path_type=str))
@click.option("--bank", "banks", multiple=True, help="Match only these banks (repeatable).")
@click.option("--pdq", "hashes", multiple=True, help="Also match this PDQ hash (repeatable).")
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="jsonl", show_default=True)
@click.option("--full-resolution", is_flag=True, help="Hash images at full resolution.")
@click.pass_obj
def match_command(
    app: App,
    paths: tuple[str, ...],
    banks: tuple[str, ...],
    hashes: tuple[str, ...],
    fmt: str,
    full_resolution: bool,
) -> int:
    """Match images against the banks (all banks unless --bank is given).

    Prints one JSON line per file: {"path","quality","low_quality","matches":[{"bank","entry",
    "distance","orientation",...}]}. A hash of quality under 50 is flagged low_quality, and
    still matched. A --pdq hash is matched as given (one orientation) and printed as
    {"pdq","matches"}.
    """
    from bouclier.banks.matcher import BankMatcher
    from bouclier.hashing import ImageHashes
    from bouclier.hashing.pdq import validate

    if not paths and not hashes:
        raise click.UsageError("give image paths or --pdq hashes to match")
    queries = [validate(h) for h in hashes]
    matcher = BankMatcher.from_store(
        app.store, list(banks) or None, min_quality=app.settings.pdq_min_quality
    )
    printer = Printer(fmt, ("path", "quality", "matches", "best", "error"))
    for value in queries:
        found = matcher.match_hash(value)
        best = found[0] if found else None
        printer.row(
            {"pdq": value, "matches": [m.to_dict() for m in found]},
            {
                "path": f"pdq:{value[:16]}...",
                "matches": len(found),
                "best": f"{best.bank}#{best.entry} d={best.distance}" if best else None,
            },
        )
    failed = 0
    for path, hashed in hash_paths(app, list(iter_files(paths)), full_resolution, "matching"):
        if isinstance(hashed, ImageHashes):
            result = matcher.match(hashed.frames)
            printer.row(_row(str(path), result), _table_row(str(path), result))
        else:
            failed += 1
            printer.row(error_row(path, hashed), {"path": str(path), "error": hashed.code})
    printer.close()
    return exit_codes.INPUT_FAILED if failed else exit_codes.OK
