"""The queue at volume: filters checked at the door, pages in a total order, claims, the counts;
and a link's status following its notices. On SQLite and PostgreSQL."""

from __future__ import annotations

import sys
from datetime import timedelta
from pathlib import Path

import pytest

from bouclier.accounts.analysts import Analysts
from bouclier.cases import Cases
from bouclier.cases import queue as queue_module
from bouclier.cases.links import link_status
from bouclier.cases.queue import QueueFilter
from bouclier.errors import Conflict, InputError, NotFound
from bouclier.notices.info import WAITING
from bouclier.settings import Settings
from bouclier.storage import Database
from bouclier.storage.models import utcnow

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks"))
from bench_console import seed


@pytest.fixture
def cases(db: Database, tmp_path: Path) -> Cases:
    return Cases(db, Settings(data_dir=tmp_path))


@pytest.mark.parametrize(
    ("form", "field"),
    [
        ({"status": "everything"}, "status"),
        ({"flags": ["minor", "vip"]}, "flag"),
        ({"overdue": "yes"}, "overdue"),
        ({"assigned": "bob"}, "assigned"),
        ({"page": "0"}, "page"),
        ({"page": "-1"}, "page"),
        ({"page": "1e3"}, "page"),
        ({"per_page": "1000"}, "per_page"),
        ({"search": "x" * 201}, "search"),
        ({"search": "BQ\x00"}, "search"),
        ({"platform": "x" * 101}, "platform"),
    ],
)
def test_a_wrong_filter_is_refused_naming_its_field(form: dict, field: str) -> None:
    with pytest.raises(InputError) as raised:
        QueueFilter.parse(**form)
    assert raised.value.code == "invalid_filter"
    assert field in raised.value.message


def test_a_filter_reads_back_as_the_link_it_came_from() -> None:
    wanted = QueueFilter.parse(
        search=" bq-abcd ", platform="X", flags=["sextortion", "minor"], overdue="1", page="3"
    )
    assert wanted.search == "bq-abcd"
    assert wanted.platform == "x"
    assert wanted.flags == ("minor", "sextortion")  # one order, whatever the form's
    assert wanted.query() == [
        ("q", "bq-abcd"),
        ("platform", "x"),
        ("flag", "minor"),
        ("flag", "sextortion"),
        ("overdue", "1"),
        ("page", "3"),
    ]
    assert ("page", "4") in wanted.query(4)
    assert QueueFilter.parse().query() == []


def test_the_waiting_statuses_are_the_notices_own() -> None:
    assert queue_module.WAITING == WAITING


@pytest.mark.parametrize(
    ("notices", "expected"),
    [
        ([], "pending"),
        (["draft"], "pending"),
        (["sent"], "notified"),
        (["expired"], "notified"),
        (["refused"], "refused"),
        (["refused", "sent"], "notified"),
        (["acknowledged", "refused"], "acknowledged"),
        (["refused", "removed", "sent"], "removed"),
    ],
)
def test_a_link_follows_its_notices(notices: list[str], expected: str) -> None:
    assert link_status(notices) == expected


def test_pages_filters_and_search_on_a_seeded_queue(cases: Cases) -> None:
    now = utcnow()
    specs = seed(cases.db, 240, now=now)
    open_ = sorted(
        (s for s in specs if s.status != "closed"),
        key=lambda s: (not s.verified, not s.minor, not s.sextortion, s.created_at),
    )
    seen = []
    first = cases.queue_page(QueueFilter(per_page=25), now=now)
    assert first.total == len(open_)
    for n in range(1, first.pages + 1):
        page = cases.queue_page(QueueFilter(page=n, per_page=25), now=now)
        seen += [e.case.number for e in page.entries]
    assert seen == [s.number for s in open_]  # every case once, in the queue's order
    assert cases.queue_page(QueueFilter(page=first.pages + 1, per_page=25)).entries == []

    def numbers(wanted: QueueFilter) -> set[str]:
        page = cases.queue_page(wanted, now=now)
        assert page.total == len(page.entries)  # one page holds these
        return {e.case.number for e in page.entries}

    all_ = "all"
    assert numbers(QueueFilter(status=all_, platform="tiktok", per_page=100)) == {
        s.number for s in specs if "tiktok" in s.platforms
    }
    assert numbers(QueueFilter(status=all_, overdue=True, per_page=100)) == {
        s.number for s in specs if s.overdue
    }
    assert numbers(QueueFilter(status="closed", flags=("minor",), per_page=100)) == {
        s.number for s in specs if s.status == "closed" and s.minor
    }
    target = specs[123]
    typed = target.number.replace("-", " ").lower()
    assert numbers(QueueFilter(status=all_, search=typed)) == {target.number}
    start = target.number[:11]  # BQ-0000-003: the start of a number, as typed
    assert numbers(QueueFilter(status=all_, search=start, per_page=100)) == {
        s.number for s in specs if s.number.startswith(start)
    }
    # a LIKE wildcard is a character like another: "%" and "_" find no link
    assert numbers(QueueFilter(status=all_, search="%")) == set()
    assert numbers(QueueFilter(status=all_, search="_")) == set()
    # counts of the page's cases
    [entry] = cases.queue_page(QueueFilter(status=all_, search=specs[8].number), now=now).entries
    assert entry.overdue_notices == 1
    assert entry.open_notices == 1
    assert entry.items == len(specs[8].urls)
    later = cases.queue_page(
        QueueFilter(status=all_, overdue=True, per_page=100), now=now - timedelta(hours=2)
    )
    assert later.total == 0  # two hours ago nothing was overdue yet


def test_claim_assign_and_the_counts(cases: Cases) -> None:
    analysts = Analysts(cases.db)
    alice = analysts.create("alice", "a long enough passphrase")
    bob = analysts.create("bob", "a long enough passphrase")
    info, _ = cases.create(minor=True)
    other, _ = cases.create()
    counts = cases.counts()
    assert counts.open_unassigned == 2
    assert counts.open_minor == 1
    assert counts.by_status == {"new": 2}
    assert sum(n for _, n in counts.opened_per_day) == 2
    assert cases.assign(info.number, alice.id, actor=alice.actor).assigned_to == "alice"
    mine = cases.queue_page(QueueFilter(assigned="mine"), analyst_id=alice.id)
    assert [e.case.number for e in mine.entries] == [info.number]
    nobodys = cases.queue_page(QueueFilter(assigned="none"), analyst_id=alice.id)
    assert [e.case.number for e in nobodys.entries] == [other.number]
    assert cases.assign(info.number, alice.id, actor=alice.actor).assigned_to == "alice"
    log = [e for e in cases.custody_log(info.number) if e.kind == "case.assigned"]
    assert [e.data for e in log] == [{"to": "alice"}]  # the same again is not logged
    with pytest.raises(NotFound):
        cases.assign(info.number, 999, actor=alice.actor)
    analysts.disable("bob")
    with pytest.raises(Conflict):
        cases.assign(info.number, bob.id, actor=alice.actor)
    assert cases.assign(info.number, None, actor=alice.actor).assigned_to is None
    assert cases.counts().open_unassigned == 2
