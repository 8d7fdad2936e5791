"""The baseline of benchmarks/bench_load.py: python-threatexchange's PDQ index behind FastAPI.

    .venv/bin/python -m uvicorn load_baseline:create --factory --app-dir benchmarks --workers 2

Same route shape as Bouclier's ``POST /v1/match/hashes`` (``{"pdq": [hex, ...]}`` in, one result
per hash out), same uvicorn, the match run in the thread pool as Bouclier's route does. The index
is ``PdqSignal.get_index_cls()`` of python-threatexchange (``PDQIndex``: faiss
``IndexBinaryMultiHash`` of 16 tables of 16 bits, the index HMA uses), queried at its threshold
of 31, which sets nflip = 31 // 16 = 1: exact by the pigeonhole (issue 18), loaded from the
hash list in ``BENCH_LOAD_HASHES`` (one hash per line) by each worker at start. No API key, no
access log, no metrics: this is the bare index behind a web server, a lower bound on its cost.
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool


class HashQuery(BaseModel):
    pdq: list[str] = Field(min_length=1, max_length=1000)


def _load(path: Path) -> Any:
    from threatexchange.signal_type.pdq.signal import PdqSignal

    hashes = path.read_text().split()
    return PdqSignal.get_index_cls()(entries=((h, i) for i, h in enumerate(hashes)))


def create() -> FastAPI:
    path = Path(os.environ["BENCH_LOAD_HASHES"])

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        app.state.index = await run_in_threadpool(_load, path)
        yield

    app = FastAPI(lifespan=lifespan)

    @app.get("/readyz")
    async def readyz() -> dict[str, bool]:
        return {"ready": True}

    @app.post("/v1/match/hashes")
    async def match_hashes(request: Request, query: HashQuery) -> dict[str, Any]:
        index = request.app.state.index

        def match_all() -> list[dict[str, Any]]:
            return [
                {
                    "pdq": value,
                    "matches": [
                        {"id": m.metadata, "distance": m.similarity_info.distance}
                        for m in index.query(value.lower())
                    ],
                }
                for value in query.pdq
            ]

        return {"results": await run_in_threadpool(match_all)}

    return app
