"""``bouclier serve``: the HTTP service under uvicorn, logging JSON lines on stderr."""

from __future__ import annotations

import click

from bouclier.cli import exit_codes
from bouclier.cli.app import App

#: Seconds uvicorn waits for a worker process to answer its health check before replacing it.
WORKER_HEALTHCHECK_S = 60


@click.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", type=click.IntRange(1, 65535), default=8000, show_default=True)
@click.option(
    "--workers",
    type=click.IntRange(1, 64),
    default=1,
    show_default=True,
    help="Processes; each keeps its bank index in step with the change log in the database.",
)
@click.pass_obj
def serve_command(app: App, host: str, port: int, workers: int) -> int:
    """Serve the HTTP API (/v1, OpenAPI at /docs, /healthz, /readyz)."""
    import uvicorn

    from bouclier.api.observability import log_config

    app.db.upgrade()  # a bad setting or an unreachable database fails here, with its exit code
    uvicorn.run(
        "bouclier.api.app:from_environment",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        log_level="info",
        log_config=log_config("info"),  # JSON lines (bouclier.api.observability)
        access_log=False,  # the service logs each request itself, by route template
        # uvicorn kills a worker that does not answer its ping within this many seconds; at the
        # default 5, a worker still importing its models or building its index on a busy machine
        # was killed and restarted in a loop, leaving the service one process short for good.
        timeout_worker_healthcheck=WORKER_HEALTHCHECK_S,
        # The app reads X-Forwarded-For / Forwarded itself, from BOUCLIER_TRUSTED_PROXIES only
        # (bouclier.api.forwarded); uvicorn's own reading trusts 127.0.0.1 by default, so a client
        # on the machine, or behind any local proxy, could name itself anew on each request.
        proxy_headers=False,
        forwarded_allow_ips="",
    )
    return exit_codes.OK
