"""Benchmark of the console's queue page with 10,000 cases, on SQLite and PostgreSQL.

The cases are written in bulk (SQLAlchemy Core) by :func:`seed`, deterministic from their index:
flags, statuses, 1 or 2 links on five platforms, notices of which some are overdue (the browser
test of the 1,000-case queue seeds the same way and checks the page against :class:`Spec`). Each
round logs an analyst in and GETs the queue page (the whole route: session, filters, the count,
the page of cases and its counts, the template; the database ANALYZEd after the bulk load, as
PostgreSQL's autovacuum does) through the ASGI app in this process, for each
filter below, once to warm up and then ``--requests`` times, timed; the table gives p50 and
p95 per filter and database, and the spread of p95 over the rounds. The reference is the target
(p95 ≤ 300 ms) and the queue as it was before (``Cases.queue()``: the first 200 cases,
unfiltered, data only — no page, no count).

    .venv/bin/python benchmarks/bench_console.py [--cases 10000] [--rounds 3] [--requests 20]
        [--postgres postgresql://postgres@127.0.0.1:5432/postgres] [--no-postgres]
"""

from __future__ import annotations

import argparse
import re
import statistics
import sys
import tempfile
import time
import uuid
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy import insert, select, text

from bouclier.accounts.analysts import Analysts
from bouclier.api import create_app
from bouclier.cases import Cases
from bouclier.cases.credentials import ALPHABET, hash_secret
from bouclier.settings import load_settings
from bouclier.storage import Database
from bouclier.storage.models import Case, CaseItem, Notice, utcnow

PLATFORMS = (
    ("instagram", "www.instagram.com"),
    ("x", "x.com"),
    ("tiktok", "www.tiktok.com"),
    ("reddit", "www.reddit.com"),
    ("example.org", "example.org"),
)
PASSWORD = "benchmark analyst passphrase"  # noqa: S105 (a throwaway account)
FILTERS = {
    "first page": "",
    "page 100": "?page=100",
    "last page, all": "?status=all&page=200",
    "case number": "?q={number}",
    "piece of a URL": "?q=/p/4242",
    "platform": "?platform=tiktok",
    "minor + sextortion": "?flag=minor&flag=sextortion",
    "overdue": "?overdue=1",
    "platform + minor + overdue": "?platform=x&flag=minor&overdue=1&status=all",
}


@dataclass(frozen=True, slots=True)
class Spec:
    """What :func:`seed` made of case ``index`` (what a test expects the queue to show)."""

    index: int
    number: str
    minor: bool
    sextortion: bool
    verified: bool
    status: str
    created_at: datetime
    platforms: tuple[str, ...]
    urls: tuple[str, ...]
    overdue: bool  # a notice past its deadline
    notified: bool  # a notice sent (overdue or not)


def number_of(index: int) -> str:
    digits = ""
    value = index
    for _ in range(8):
        value, rest = divmod(value, len(ALPHABET))
        digits = ALPHABET[rest] + digits
    return f"BQ-{digits[:4]}-{digits[4:]}"


def spec_of(index: int, now: datetime) -> Spec:
    first = PLATFORMS[index % len(PLATFORMS)]
    chosen = [first]
    if index % 3 == 0:
        chosen.append(PLATFORMS[(index + 2) % len(PLATFORMS)])
    notified = index % 4 == 0
    return Spec(
        index=index,
        number=number_of(index),
        minor=index % 9 == 0,
        sextortion=index % 5 == 0,
        verified=index % 13 != 0,
        status="closed" if index % 10 == 9 else "in_progress" if index % 10 == 8 else "new",
        created_at=now - timedelta(minutes=7 * index + 1),
        platforms=tuple(p for p, _ in chosen),
        urls=tuple(f"https://{host}/p/{index}" for _, host in chosen),
        overdue=notified and index % 8 == 0,
        notified=notified,
    )


def seed(db: Database, count: int, *, now: datetime | None = None) -> list[Spec]:
    """Writes ``count`` cases (one secret for all: a benchmark's) with their links and notices."""
    moment = now or utcnow()
    specs = [spec_of(i, moment) for i in range(count)]
    secret_hash = hash_secret("benchmark-secret")
    with db.transaction() as session:
        first_id = int(session.scalar(select(Case.id).order_by(Case.id.desc()).limit(1)) or 0) + 1
        session.execute(
            insert(Case),
            [
                {
                    "id": first_id + s.index,
                    "number": s.number,
                    "secret_hash": secret_hash,
                    "language": "es",
                    "minor": s.minor,
                    "sextortion": s.sextortion,
                    "status": s.status,
                    "created_at": s.created_at,
                    "updated_at": s.created_at,
                    "verified": s.verified,
                }
                for s in specs
            ],
        )
        first_item = (
            int(session.scalar(select(CaseItem.id).order_by(CaseItem.id.desc()).limit(1)) or 0) + 1
        )
        items, notices = [], []
        for s in specs:
            for platform, url in zip(s.platforms, s.urls, strict=True):
                item_id = first_item + len(items)
                items.append(
                    {
                        "id": item_id,
                        "case_id": first_id + s.index,
                        "kind": "url",
                        "url": url,
                        "platform": platform,
                        "status": "pending",
                        "created_at": s.created_at,
                        "link_status": "notified"
                        if s.notified and platform == s.platforms[0]
                        else "pending",
                    }
                )
                if s.notified and platform == s.platforms[0]:
                    sent = s.created_at + timedelta(minutes=1)
                    notices.append(
                        {
                            "reference": f"N-B{s.index:09d}",
                            "case_id": first_id + s.index,
                            "item_id": item_id,
                            "platform": platform,
                            "url": url,
                            "law": "dsa",
                            "channel": "email",
                            "recipient": "dsa@platform.example",
                            "status": "sent",
                            "created_at": sent,
                            "sent_at": sent,
                            "deadline_at": moment - timedelta(hours=1)
                            if s.overdue
                            else moment + timedelta(hours=24),
                            "reminders": 0,
                        }
                    )
        session.execute(insert(CaseItem), items)
        if notices:
            session.execute(insert(Notice), notices)
    return specs


# --- the benchmark ------------------------------------------------------------------------------


@contextmanager
def database(kind: str, admin_url: str, folder: Path) -> Iterator[str]:
    if kind == "sqlite":
        yield f"sqlite:///{folder / 'console.db'}"
        return
    import psycopg

    name = f"bench_console_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(admin_url, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        base = admin_url.rsplit("/", 1)[0].replace("postgresql://", "postgresql+psycopg://")
        yield f"{base}/{name}"
    finally:
        with psycopg.connect(admin_url, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))]


def measure(url: str, folder: Path, cases: int, rounds: int, requests: int) -> dict[str, list]:
    """Per filter: the p50 and p95 (ms) of each round; and the old queue's time (ms)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from starlette.testclient import TestClient
    # the limits per client address are set aside: one test client asks faster than a person
    settings = load_settings(
        data_dir=folder / "data",
        database_url=url,
        unauthenticated_rate_limit_per_second=100_000.0,
        unauthenticated_rate_limit_burst=100_000,
        unauthenticated_global_per_second=100_000.0,
        unauthenticated_global_burst=100_000,
    )
    db = Database.open(url)
    started = time.perf_counter()
    specs = seed(db, cases)
    with db.engine.begin() as connection:  # what autovacuum (PostgreSQL) does after a bulk load
        connection.execute(text("ANALYZE"))
    print(f"  seeded {cases} cases in {time.perf_counter() - started:.1f} s", file=sys.stderr)
    db.dispose()
    results: dict[str, list] = {name: [] for name in [*FILTERS, "before: Cases.queue()"]}
    app = create_app(settings)  # the real app: its models load first, then the timing starts
    with TestClient(app) as client:
        services = app.state.services
        services.models_ready.wait(300)
        Analysts(services.db).create("bench", PASSWORD)
        page = client.get("/console/login").text
        token = re.search(r'name="csrf_token" value="([^"]+)"', page)
        assert token is not None
        form = {"username": "bench", "password": PASSWORD, "csrf_token": token.group(1)}
        assert client.post("/console/login", data=form, follow_redirects=False).status_code == 303
        old = Cases(services.db, services.settings, banks=services.store)
        for _ in range(rounds):
            for name, query in FILTERS.items():
                path = "/console" + query.format(number=specs[cases // 2].number)
                client.get(path)  # warm: the template compiled, the query plan cached
                times = []
                for _ in range(requests):
                    t0 = time.perf_counter()
                    answer = client.get(path)
                    times.append((time.perf_counter() - t0) * 1000)
                    assert answer.status_code == 200, (path, answer.status_code)
                results[name].append((percentile(times, 0.5), percentile(times, 0.95)))
            times = []
            for _ in range(requests):
                t0 = time.perf_counter()
                old.queue()
                times.append((time.perf_counter() - t0) * 1000)
            results["before: Cases.queue()"].append(
                (percentile(times, 0.5), percentile(times, 0.95))
            )
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cases", type=int, default=10_000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--requests", type=int, default=20)
    parser.add_argument("--postgres", default="postgresql://postgres@127.0.0.1:5432/postgres")
    parser.add_argument("--no-postgres", action="store_true")
    args = parser.parse_args()
    kinds = ["sqlite"] if args.no_postgres else ["sqlite", "postgresql"]
    table: dict[str, dict[str, list]] = {}
    for kind in kinds:
        print(f"{kind}: {args.cases} cases", file=sys.stderr)
        with tempfile.TemporaryDirectory() as tmp, database(kind, args.postgres, Path(tmp)) as url:
            table[kind] = measure(url, Path(tmp), args.cases, args.rounds, args.requests)
    header = "| queue page (filter) | " + " | ".join(
        f"{k} p50 ms | {k} p95 ms (spread over rounds)" for k in kinds
    )
    print(f"\n{args.cases} cases, {args.rounds} rounds × {args.requests} requests per filter\n")
    print(header + " |")
    print("|" + " --- |" * (1 + 2 * len(kinds)))
    for name in [*FILTERS, "before: Cases.queue()"]:
        cells = []
        for kind in kinds:
            rounds = table[kind][name]
            p50 = statistics.median(r[0] for r in rounds)
            p95s = [r[1] for r in rounds]
            cells.append(
                f"{p50:.1f} | {statistics.median(p95s):.1f} ({min(p95s):.1f}–{max(p95s):.1f})"
            )
        print(f"| {name} | " + " | ".join(cells) + " |")
    worst = max(statistics.median(r[1] for r in table[k][n]) for k in kinds for n in FILTERS)
    print(f"\nworst p95 of the queue page: {worst:.1f} ms (target ≤ 300 ms)")


if __name__ == "__main__":
    main()
