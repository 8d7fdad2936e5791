"""``bouclier backscan``: a platform's archive against the local banks, resumable, at scale."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from bouclier.cli import exit_codes
from bouclier.cli.app import App


@click.command("backscan")
@click.argument("source")
@click.option(
    "--out",
    type=click.Path(path_type=Path, dir_okay=False),
    required=True,
    help="The JSON-lines report (hits and refused items); its checkpoint is OUT.checkpoint.",
)
@click.option(
    "--parquet",
    type=click.Path(path_type=Path, dir_okay=False),
    default=None,
    help="Also write the report as Parquet, at the end (needs bouclier[parquet]).",
)
@click.option("--bank", "banks", multiple=True, help="Match only these banks (repeatable).")
@click.option(
    "--engine",
    type=click.Choice(("local", "ray")),
    default="local",
    show_default=True,
    help="local: worker processes here; ray: actors on a Ray cluster.",
)
@click.option(
    "--address",
    default=None,
    help="The Ray cluster (auto, host:port, ray://...); default: Ray on this machine.",
)
@click.option(
    "--workers",
    type=click.IntRange(1, 4096),
    default=None,
    help="Workers (default: this machine's CPUs; with Ray, the cluster's).",
)
@click.option(
    "--chunk-size",
    type=click.IntRange(1, 1_000_000),
    default=10_000,
    show_default=True,
    help="Items per chunk: the unit of work and of checkpoints.",
)
@click.option(
    "--restart",
    is_flag=True,
    help="Start over, ignoring (and replacing) the checkpoint and the report.",
)
@click.option(
    "--s3-endpoint",
    default=None,
    help="An S3-compatible store's URL, for s3:// sources not on AWS.",
)
@click.pass_obj
def backscan_command(
    app: App,
    source: str,
    out: Path,
    parquet: Path | None,
    banks: tuple[str, ...],
    engine: str,
    address: str | None,
    workers: int | None,
    chunk_size: int,
    restart: bool,
    s3_endpoint: str | None,
) -> int:
    """Check an archive against the banks: SOURCE is a rows file (.csv with columns id and
    pdq, or .jsonl with "id" and "pdq": nothing is hashed again), a folder of images, or
    s3://bucket/prefix.

    Runs in chunks; after an interruption the same command resumes where it stopped. The
    report lists hits (verdict, reasons, matched entries) and refused items, one JSON line
    each; a summary goes to stderr. Exit code 1 if some items were refused.
    """
    from bouclier.backscan.report import to_parquet
    from bouclier.backscan.run import Options, backscan
    from bouclier.backscan.sources import Source
    from bouclier.errors import ConfigError
    from bouclier.policy import Policy

    if engine == "local" and address is not None:
        raise click.UsageError("--address is for --engine ray")
    for name in banks:
        app.store.get(name)  # NotFound now, not in a worker
    if not banks and not app.store.banks():
        raise ConfigError("there are no banks to back-scan against (bouclier bank create)")
    found = Source.open(source, endpoint_url=s3_endpoint)
    options = Options(
        out=out,
        banks=banks,
        engine=engine,
        workers=workers,
        address=address,
        chunk_size=chunk_size,
        restart=restart,
        limits=app.limits,
        min_side=app.settings.pdq_min_side or None,
    )
    show = sys.stderr.isatty()

    def progress(chunks: int, scanned: int) -> None:
        if show:
            click.echo(f"\rbackscan: {chunks} chunks, {scanned} items", err=True, nl=False)

    summary = backscan(
        app.store, found, options, policy=Policy.from_settings(app.settings), progress=progress
    )
    if show:
        click.echo("", err=True)
    if parquet is not None:
        to_parquet(out, parquet)
    nodes = f" on {summary.nodes} Ray nodes" if summary.nodes else ""
    resumed = f", resumed at chunk {summary.resumed_from}" if summary.resumed_from else ""
    click.echo(
        f"backscan: {summary.scanned} items, {summary.hits} hits, {summary.refused} refused, "
        f"{summary.workers} workers{nodes}{resumed}; report {out}",
        err=True,
    )
    return exit_codes.INPUT_FAILED if summary.refused else exit_codes.OK
