"""``bouclier match``: look images (all 8 orientations), videos (vPDQ) or hashes up in the banks."""

from __future__ import annotations

from typing import TYPE_CHECKING

import click

from bouclier.cli import exit_codes
from bouclier.cli.app import App
from bouclier.cli.hash_cmd import error_row, hash_paths
from bouclier.cli.output import FORMATS, Printer, iter_files
from bouclier.cli.signal_option import signal_type_option

if TYPE_CHECKING:
    from bouclier.banks.matcher import Match, MatchResult
    from bouclier.cases.matched import MatchedEntries


def _row(source: str, result: MatchResult) -> dict[str, object]:
    return {
        "path": source,
        "quality": result.quality,
        "low_quality": result.low_quality,
        "matches": [m.to_dict() for m in result.matches],
    }


def _settled(entries: MatchedEntries, matches: tuple[Match, ...]) -> tuple[Match, ...]:
    """The matches with ``reviewed`` as the database says (a query, only on a hit)."""
    return entries.settle([matches])[0][0] if matches else matches


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
@click.option(
    "--value", "values", multiple=True, help="Also match this hash of --signal-type (repeatable)."
)
@signal_type_option("The signal type of --value hashes.")
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="jsonl", show_default=True)
@click.option("--full-resolution", is_flag=True, help="Hash images at full resolution.")
@click.option(
    "--robust",
    type=click.IntRange(0, 1024),
    default=None,
    metavar="N",
    help="Bank entries the crop-robust ORB stage may verify per image when PDQ finds nothing "
    "(default: BOUCLIER_ROBUST_CANDIDATES; 0: PDQ and digests only), as the API's ?robust=N.",
)
@click.pass_obj
def match_command(
    app: App,
    paths: tuple[str, ...],
    banks: tuple[str, ...],
    hashes: tuple[str, ...],
    values: tuple[str, ...],
    signal_type: str,
    fmt: str,
    full_resolution: bool,
    robust: int | None,
) -> int:
    """Match images against the banks (all banks unless --bank is given).

    Prints one JSON line per file: {"path","quality","low_quality","matches":[{"bank","entry",
    "distance","orientation","reviewed","stage","region",...}]}; "reviewed" is false for a hash a
    case reported that no analyst has confirmed yet; stage "framing" is the picture found inside
    a screenshot, letterbox or border, at region [x, y, width, height]. A hash of quality under
    50 is flagged low_quality, and still matched. An image is looked up by every signal type (its
    PDQ in 8 orientations, its SHA-256 and MD5); when that finds nothing, its ORB keypoints are
    verified against at most --robust N entries added as images (stage "robust", with "inliers"
    and "corners": crops, captions, stickers). A --pdq hash is matched as given (one
    orientation) and printed as {"pdq","matches"}; a --value as {"signal_type","value","matches"}.
    A video is matched by its SHA-256 and MD5 and by vPDQ's rule (BOUCLIER_VPDQ_QUERY_MATCH_PERCENT
    of its frames found in a banked video, BOUCLIER_VPDQ_TARGET_MATCH_PERCENT of the banked
    video's found in it) and printed as {"path","media":"video","matches"}, each match with its
    "query_percent" and "target_percent".
    """
    import dataclasses

    from bouclier.banks.matcher import BankMatcher
    from bouclier.cases.matched import MatchedEntries
    from bouclier.hashing import ImageHashes
    from bouclier.media.video import VideoHashes

    if not paths and not hashes and not values:
        raise click.UsageError("give image paths, --pdq or --value hashes to match")
    types = app.store.signal_types
    queries = [("pdq", types.get("pdq").validate(h)) for h in hashes]
    queries += [(signal_type, types.get(signal_type).validate(v)) for v in values]
    matcher = BankMatcher.from_store(
        app.store, list(banks) or None, min_quality=app.settings.pdq_min_quality
    )
    entries = MatchedEntries(app.db)
    printer = Printer(fmt, ("path", "quality", "matches", "best", "error"))
    for kind, value in queries:
        found = _settled(entries, matcher.match_hash(value, kind))
        best = found[0] if found else None
        query = {"pdq": value} if kind == "pdq" and value in hashes else {}
        printer.row(
            {
                **(query or {"signal_type": kind, "value": value}),
                "matches": [m.to_dict() for m in found],
            },
            {
                "path": f"{kind}:{value[:16]}...",
                "matches": len(found),
                "best": f"{best.bank}#{best.entry} d={best.distance}" if best else None,
            },
        )
    failed = 0
    budget = app.settings.robust_candidates if robust is None else robust
    files = list(iter_files(paths))
    framing = app.settings.framing
    for path, hashed in hash_paths(app, files, full_resolution, "matching", framing=framing):
        if isinstance(hashed, VideoHashes):
            found = matcher.match_video(
                hashed,
                query_percent=app.settings.vpdq_query_match_percent,
                target_percent=app.settings.vpdq_target_match_percent,
            )
            found = _settled(entries, found)
            best = found[0] if found else None
            printer.row(
                {"path": str(path), "media": "video", "matches": [m.to_dict() for m in found]},
                {
                    "path": str(path),
                    "matches": len(found),
                    "best": f"{best.bank}#{best.entry} {best.signal_type}" if best else None,
                },
            )
        elif isinstance(hashed, ImageHashes):
            result = matcher.match_image(hashed, candidates=budget)
            result = dataclasses.replace(result, matches=_settled(entries, result.matches))
            printer.row(_row(str(path), result), _table_row(str(path), result))
        else:
            failed += 1
            printer.row(error_row(path, hashed), {"path": str(path), "error": hashed.code})
    printer.close()
    return exit_codes.INPUT_FAILED if failed else exit_codes.OK
