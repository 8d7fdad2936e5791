"""Two real Bouclier instances on loopback (uvicorn on random ports), on SQLite and on PostgreSQL:
a follower mirrors the publisher's bank by signed delta sync, matches locally, keeps the
publisher's review status and minor flag, resumes from its cursor, and applies a victim's
withdrawal; pages it cannot verify change nothing."""

from __future__ import annotations

import json
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path
from types import SimpleNamespace

import httpx
import psycopg
import pytest

from bouclier.banks.follower import Follower
from bouclier.banks.remote import RemoteChange, RemotePage, Synced
from bouclier.banks.sharing import Publications
from bouclier.cases import VICTIM_BANK, HashReport
from bouclier.errors import RemoteError
from bouclier.settings import load_settings
from bouclier.storage.models import BankFollow, FollowedEntry
from tests.conftest import POSTGRES_ADMIN
from tests.web.server import LiveServer, serving

PDQ_A = "f8f8f0cee0f4a84f06370a22038f63f0b36e2ed596621e1d33e6b39c4e9c9b22"
PDQ_CASE = "a5" * 32
SHA = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"
#: How long a change written on the follower is given to reach its matcher (it polls ~1 s).
MATCH_WAIT_S = 10.0


@dataclass
class Pair:
    publisher: LiveServer
    follower: LiveServer
    analyst: str  # the publisher's analyst key
    platform: str  # the publisher's platform key, which the follower uses
    platform_id: int
    local_platform: str  # a platform key of the follower's own
    followers: list[Follower] = field(default_factory=list)  # closed when the test ends


def _postgres_url() -> Iterator[str]:
    name = f"bouclier_test_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(POSTGRES_ADMIN, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        base = POSTGRES_ADMIN.rsplit("/", 1)[0].replace("postgresql://", "postgresql+psycopg://")
        yield f"{base}/{name}"
    finally:
        with psycopg.connect(POSTGRES_ADMIN, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def pair(
    request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Pair]:
    monkeypatch.delenv("BOUCLIER_DATABASE_URL", raising=False)
    with ExitStack() as stack:
        servers = []
        for side in ("publisher", "follower"):
            if request.param == "sqlite":
                url = f"sqlite:///{tmp_path / side}.db"
            else:
                url = stack.enter_context(_contextual(_postgres_url()))
            settings = load_settings(data_dir=tmp_path / side, database_url=url)
            servers.append(stack.enter_context(serving(settings)))
        publisher, follower = servers
        keys = publisher.services.keys
        analyst = keys.create("hotline analyst", "analyst")[1]
        platform_info, platform = keys.create("platform that follows", "platform")
        local = follower.services.keys.create("local platform", "platform")[1]
        made = Pair(publisher, follower, analyst, platform, platform_info.id, local)
        try:
            yield made
        finally:
            for opened in made.followers:
                opened.close()


def _contextual(gen: Iterator[str]):  # type: ignore[no-untyped-def]
    from contextlib import contextmanager

    @contextmanager
    def manager() -> Iterator[str]:
        yield from gen

    return manager()


def _add(pair: Pair, bank: str, entries: list[dict[str, object]]) -> list[int]:
    answer = httpx.post(
        f"{pair.publisher.url}/v1/banks/{bank}/hashes",
        headers={"Authorization": f"Bearer {pair.analyst}"},
        json={"entries": entries},
    )
    assert answer.status_code == 201, answer.text
    ids: list[int] = answer.json()["entries"]
    return ids


def _matches(server: LiveServer, key: str, pdq: str) -> list[int]:
    answer = httpx.post(
        f"{server.url}/v1/match/hashes",
        headers={"Authorization": f"Bearer {key}"},
        json={"pdq": [pdq]},
    )
    assert answer.status_code == 200, answer.text
    return [m["entry"] for m in answer.json()["results"][0]["matches"]]


def _wait_matches(pair: Pair, pdq: str, expected: bool) -> list[int]:
    deadline = time.monotonic() + MATCH_WAIT_S
    while True:
        found = _matches(pair.follower, pair.local_platform, pdq)
        if bool(found) == expected or time.monotonic() > deadline:
            return found
        time.sleep(0.1)


def _follower(pair: Pair, **options: object) -> Follower:
    store = pair.follower.services.store
    made = Follower(store, pair.publisher.url, pair.platform, **options)  # type: ignore[arg-type]
    pair.followers.append(made)
    return made


def test_a_follower_mirrors_a_bank_matches_locally_and_applies_a_withdrawal(pair: Pair) -> None:
    publisher = pair.publisher.services
    publisher.store.create("hotline", "victim", 28)
    [hash_a, _sha] = _add(
        pair,
        "hotline",
        [{"pdq": PDQ_A, "quality": 93}, {"signal_type": "sha256", "value": SHA}],
    )
    cases = pair.publisher.cases
    case, _ = cases.create(minor=True)
    cases.add_hashes(case.number, [HashReport(PDQ_CASE, 88)])  # unreviewed, a minor's case

    follower = _follower(pair, expect_key=_fingerprint(pair))
    synced = {s.bank: s for s in follower.sync()}
    assert set(synced) == {"hotline", VICTIM_BANK}
    assert (synced["hotline"].added, synced["hotline"].removed) == (2, 0)
    local = pair.follower.services.store
    assert local.get("hotline").threshold == 28
    mirrored = {(e.signal_type, e.value, e.quality) for e in local.entries("hotline")}
    assert mirrored == {("pdq", PDQ_A, 93), ("sha256", SHA, None)}

    # platforms of the follower match locally, with the publisher's review status and minor flag
    [local_a] = _wait_matches(pair, PDQ_A, True)
    [local_case] = _wait_matches(pair, PDQ_CASE, True)
    standing = pair.follower.services.matched.of([local_a, local_case])  # type: ignore[union-attr]
    assert (standing[local_a].reviewed, standing[local_a].minor) == (True, False)
    assert (standing[local_case].reviewed, standing[local_case].minor) == (False, True)

    # nothing new: a second sync applies nothing and keeps the cursor
    again = {s.bank: s for s in follower.sync()}
    assert (again["hotline"].added, again["hotline"].removed) == (0, 0)
    assert again["hotline"].cursor == synced["hotline"].cursor

    # an analyst's removal and the victim's withdrawal reach the follower
    publisher.store.remove_entries("hotline", [hash_a])
    cases.withdraw(case.number)
    after = {s.bank: s for s in _follower(pair).sync()}  # a new follower object: state is in db
    assert (after["hotline"].removed, after[VICTIM_BANK].removed) == (1, 1)
    assert {e.value for e in local.entries("hotline")} == {SHA}
    assert list(local.entries(VICTIM_BANK)) == []
    assert _wait_matches(pair, PDQ_A, False) == []
    assert _wait_matches(pair, PDQ_CASE, False) == []


def _fingerprint(pair: Pair) -> str:
    with httpx.Client() as client:
        answer = client.get(f"{pair.publisher.url}/v1/evidence/signing-key")
    fingerprint: str = answer.json()["fingerprint"]
    return fingerprint


def test_a_follower_resumes_from_its_cursor_page_by_page(pair: Pair) -> None:
    pair.publisher.services.store.create("victims", "victim")
    values = [f"{i:064x}" for i in range(1, 8)]
    _add(pair, "victims", [{"pdq": v} for v in values[:5]])
    first = _follower(pair, page=2).sync(["victims"])[0]
    assert first.added == 5
    _add(pair, "victims", [{"pdq": v} for v in values[5:]])
    resumed = _follower(pair, page=2).sync(["victims"])[0]
    assert resumed.added == 2  # only what came after the cursor
    with pair.follower.services.db.transaction() as session:
        [row] = session.query(BankFollow).all()
        assert row.cursor == resumed.cursor > first.cursor
    assert sorted(e.value for e in pair.follower.services.store.entries("victims")) == values


def test_orb_entries_are_never_shared(pair: Pair) -> None:
    store = pair.publisher.services.store
    store.create("victims", "victim")
    orb = next(kind for kind in store.signal_types if kind.name == "orb")
    assert orb is not None
    _add(pair, "victims", [{"pdq": PDQ_A}])
    # an ORB entry goes into the publisher's log like any other...
    with store.db.transaction() as session:
        from bouclier.storage.models import BankEntry, HashChange

        bank_id = store.get("victims").id
        session.add(BankEntry(bank_id=bank_id, signal_type="orb", value="orb-keypoints", source=""))
        session.flush()
        entry = session.query(BankEntry).filter_by(signal_type="orb").one()
        session.add(
            HashChange(bank_id=bank_id, entry_id=entry.id, op="add", signal_type="orb", value="x")
        )
    page = httpx.get(
        f"{pair.publisher.url}/v1/banks/victims/changes",
        headers={"Authorization": f"Bearer {pair.platform}"},
    ).json()
    # ...and never leaves it: the page moves past it without it
    assert [c["signal_type"] for c in page["changes"]] == ["pdq"]
    assert page["next"] > page["changes"][-1]["cursor"]


def test_a_platform_sees_only_the_banks_published_to_it(pair: Pair) -> None:
    store = pair.publisher.services.store
    for name in ("victims", "private", "partners"):
        store.create(name, "victim")
    publications = Publications(store.db)
    publications.publish("private", "none")
    other = pair.publisher.services.keys.create("another platform", "platform")[0]
    publications.publish("partners", "keys", [other.id])
    follower = _follower(pair)
    assert sorted(b.name for b in follower.remote_banks()) == ["victims"]
    with pytest.raises(RemoteError) as refused:
        follower.sync(["private"])
    assert refused.value.code == "remote_refused"
    answer = httpx.get(
        f"{pair.publisher.url}/v1/banks/private/changes",
        headers={"Authorization": f"Bearer {pair.platform}"},
    )
    assert answer.status_code == 404
    publications.publish("partners", "keys", [other.id, pair.platform_id])
    assert sorted(b.name for b in follower.remote_banks()) == ["partners", "victims"]


def test_a_page_not_signed_by_the_pinned_key_changes_nothing(pair: Pair) -> None:
    pair.publisher.services.store.create("victims", "victim")
    _add(pair, "victims", [{"pdq": PDQ_A}])
    with pytest.raises(RemoteError) as wrong:
        _follower(pair, expect_key="SHA256:" + "0" * 64).sync()
    assert wrong.value.code == "remote_bad_signature"

    def tamper(request: httpx.Request) -> httpx.Response:
        real = httpx.get(str(request.url), headers=request.headers)
        body = real.content.replace(PDQ_A.encode(), ("0" * 64).encode())
        return httpx.Response(real.status_code, headers=real.headers, content=body)

    forged = _follower(pair, client=httpx.Client(transport=httpx.MockTransport(tamper)))
    with pytest.raises(RemoteError) as bad:
        forged.sync()
    assert bad.value.code == "remote_bad_signature"
    local = pair.follower.services.store
    # the follow row and its empty bank may exist; not one entry, and the cursor did not move
    assert [b.size for b in local.banks()] in ([], [0])
    with local.db.transaction() as session:
        assert [r.cursor for r in session.query(BankFollow).all()] in ([], [0])


def test_bank_follow_once_through_the_cli(
    pair: Pair, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from bouclier.cli import exit_codes
    from bouclier.cli.main import run

    pair.publisher.services.store.create("hotline", "victim", 28)
    _add(pair, "hotline", [{"pdq": PDQ_A, "quality": 93}])
    settings = pair.follower.services.settings
    monkeypatch.setenv("BOUCLIER_DATA_DIR", str(settings.data_dir))
    monkeypatch.setenv("BOUCLIER_DATABASE_URL", settings.database_url)
    monkeypatch.setenv("BOUCLIER_FOLLOW_KEY", pair.platform)
    base = ["bank", "follow", pair.publisher.url, "--bank", "hotline", "--once"]

    # a key that is not the publisher's: exit code 8, nothing applied
    assert run([*base, "--expect-key", "SHA256:" + "0" * 64]) == exit_codes.REMOTE
    assert "not the one expected" in capsys.readouterr().err
    assert pair.follower.services.store.banks() == []

    assert run([*base, "--expect-key", _fingerprint(pair)]) == exit_codes.OK
    [line] = capsys.readouterr().out.splitlines()
    synced = json.loads(line)
    assert (synced["bank"], synced["added"], synced["removed"], synced["gone"]) == (
        "hotline",
        1,
        0,
        False,
    )
    local = pair.follower.services.store
    assert [(e.value, e.quality) for e in local.entries("hotline")] == [(PDQ_A, 93)]
    assert _wait_matches(pair, PDQ_A, True) != []


def test_a_bank_deleted_on_the_publisher_removes_its_mirror(pair: Pair) -> None:
    publisher = pair.publisher.services.store
    publisher.create("hotline", "victim")
    publisher.create("kept", "victim")
    _add(pair, "hotline", [{"pdq": PDQ_A}])
    _add(pair, "kept", [{"signal_type": "sha256", "value": SHA}])
    follower = _follower(pair)
    assert {s.bank for s in follower.sync()} >= {"hotline", "kept"}
    assert _wait_matches(pair, PDQ_A, True) != []

    publisher.delete("hotline")  # the publisher's page would now answer 404
    synced = {s.bank: s for s in follower.sync()}
    assert synced["hotline"].gone
    assert synced["hotline"].removed == 1
    assert not synced["kept"].gone
    local = pair.follower.services.store
    assert "hotline" not in {b.name for b in local.banks()}
    assert [e.value for e in local.entries("kept")] == [SHA]
    assert _wait_matches(pair, PDQ_A, False) == []
    with pair.follower.services.db.transaction() as session:
        assert {r.remote_bank for r in session.query(BankFollow).all()} == {"kept"}
    # the next sync has nothing left to do for it, and naming it is refused as unknown
    assert "hotline" not in {s.bank for s in follower.sync()}
    with pytest.raises(RemoteError, match="shares no bank named 'hotline'"):
        follower.sync(["hotline"])

    # a bank no longer published to the key is gone from the follower too
    Publications(pair.publisher.services.db).publish("kept", "none")
    [gone] = follower.sync(["kept"])
    assert gone.gone
    assert "kept" not in {b.name for b in local.banks()}


def test_a_withdrawn_removal_has_a_null_value_in_pages_and_webhook_bodies(pair: Pair) -> None:
    from bouclier.storage.models import HashChange
    from bouclier.webhooks.outbox import HASH_EVENTS, expand

    cases = pair.publisher.cases
    case, _ = cases.create()
    cases.add_hashes(case.number, [HashReport(PDQ_CASE, 88)])
    cases.withdraw(case.number)
    answer = httpx.get(
        f"{pair.publisher.url}/v1/banks/{VICTIM_BANK}/changes",
        headers={"Authorization": f"Bearer {pair.platform}"},
    )
    [removal] = [c for c in answer.json()["changes"] if c["op"] == "remove"]
    assert (removal["value"], removal["pdq"], removal["reviewed"]) == (None, None, None)
    with pair.publisher.services.db.transaction() as session:
        cursor = session.query(HashChange.id).filter(HashChange.op == "remove").scalar()
        payload = json.dumps({"event": HASH_EVENTS["remove"], "data": {}})
        body = json.loads(expand(session, payload, cursor, cursor))
    assert [c["value"] for c in body["data"]["changes"]] == [None]


def _verdict(pair: Pair, pdq: str) -> tuple[str, bool]:
    """The follower's local verdict on a hash: (ALLOW/REVIEW/BLOCK, escalate)."""
    answer = httpx.post(
        f"{pair.follower.url}/v1/match/hashes",
        headers={"Authorization": f"Bearer {pair.local_platform}"},
        json={"pdq": [pdq]},
    )
    assert answer.status_code == 200, answer.text
    result = answer.json()["results"][0]
    return result["verdict"], result["escalate"]


def _local_updates(pair: Pair) -> int:
    return sum(1 for c in pair.follower.services.store.changes(0, 1000) if c.op == "update")


def test_a_review_on_the_publisher_changes_the_followers_verdict_once(pair: Pair) -> None:
    """A victim's hash of a minor's case, unreviewed: the follower only asks for a review. An
    analyst confirms it on the publisher: the next sync applies the update and the follower
    blocks and escalates, as the publisher does; replaying changes nothing."""
    cases = pair.publisher.cases
    case, _ = cases.create(minor=True)
    [item] = cases.add_hashes(case.number, [HashReport(PDQ_CASE, 88)])
    follower = _follower(pair)
    [first] = follower.sync([VICTIM_BANK])
    assert (first.added, first.updated) == (1, 0)
    assert _wait_matches(pair, PDQ_CASE, True) != []
    assert _verdict(pair, PDQ_CASE) == ("REVIEW", False)  # a stranger's claim: no escalation

    cases.review_item(case.number, item.id, "confirm", actor="analyst:a")
    [synced] = follower.sync([VICTIM_BANK])
    assert (synced.added, synced.removed, synced.updated) == (0, 0, 1)
    assert _verdict(pair, PDQ_CASE) == ("BLOCK", True)  # a reviewed match of a minor's case
    [local] = pair.follower.services.store.entries(VICTIM_BANK)
    assert (local.reviewed, local.quality) == (True, 88)
    assert _local_updates(pair) == 1  # the follower's own followers and webhooks hear of it

    # replays: the same sync again, and a fresh follower object, change and log nothing
    [again] = _follower(pair).sync([VICTIM_BANK])
    assert (again.updated, again.cursor) == (0, synced.cursor)
    mirrored = pair.follower.services.db
    with mirrored.transaction() as session:
        [row] = session.query(BankFollow).all()
        remote_entry = session.query(FollowedEntry.remote_entry).scalar()
        page = RemotePage(
            bank=VICTIM_BANK,
            since=row.cursor,
            changes=[_update(row.cursor + 1, remote_entry)],
            next=row.cursor + 1,
            more=False,
        )
    assert follower._apply(row.id, VICTIM_BANK, page).updated == 0  # the same standing again
    assert _local_updates(pair) == 1
    assert _verdict(pair, PDQ_CASE) == ("BLOCK", True)


def _update(cursor: int, remote_entry: int, **standing: object) -> RemoteChange:
    fields = {"quality": 88, "reviewed": True, "minor": True, **standing}
    return RemoteChange(
        cursor=cursor,
        op="update",
        entry_id=remote_entry,
        signal_type="pdq",
        value=PDQ_CASE,
        **fields,  # type: ignore[arg-type]
    )


def test_an_update_after_a_removal_brings_nothing_back(pair: Pair) -> None:
    """Confirmed then removed on the publisher before the follower syncs: the update carries no
    standing (the entry is gone) and the removal applies. A stale update that arrives after the
    removal (out of order) is skipped: the entry is not resurrected."""
    publisher = pair.publisher.services.store
    cases = pair.publisher.cases
    case, _ = cases.create(minor=True)
    [item] = cases.add_hashes(case.number, [HashReport(PDQ_CASE, 88)])
    follower = _follower(pair)
    follower.sync([VICTIM_BANK])
    assert _wait_matches(pair, PDQ_CASE, True) != []
    with pair.follower.services.db.transaction() as session:
        remote_entry = session.query(FollowedEntry.remote_entry).scalar()

    cases.review_item(case.number, item.id, "confirm", actor="analyst:a")
    publisher.remove_entries(VICTIM_BANK, [remote_entry])
    answer = httpx.get(
        f"{pair.publisher.url}/v1/banks/{VICTIM_BANK}/changes",
        headers={"Authorization": f"Bearer {pair.platform}"},
    )
    ops = [(c["op"], c["reviewed"]) for c in answer.json()["changes"]]
    assert ops == [("add", None), ("update", None), ("remove", None)]  # all read as gone now
    [synced] = follower.sync([VICTIM_BANK])
    assert (synced.updated, synced.removed) == (0, 1)
    assert list(pair.follower.services.store.entries(VICTIM_BANK)) == []
    assert _wait_matches(pair, PDQ_CASE, False) == []

    with pair.follower.services.db.transaction() as session:
        [row] = session.query(BankFollow).all()
        follow_id, cursor = row.id, row.cursor
    stale = RemotePage(
        bank=VICTIM_BANK,
        since=cursor,
        changes=[_update(cursor + 1, remote_entry)],
        next=cursor + 1,
        more=False,
    )
    applied = follower._apply(follow_id, VICTIM_BANK, stale)
    assert (applied.updated, applied.added) == (0, 0)
    assert list(pair.follower.services.store.entries(VICTIM_BANK)) == []
    assert _local_updates(pair) == 0
    assert _matches(pair.follower, pair.local_platform, PDQ_CASE) == []


def _until(check: Callable[[], bool]) -> None:
    deadline = time.monotonic() + 30
    while not check():
        assert time.monotonic() < deadline, "the follower's loop did not get there"
        time.sleep(0.01)


def test_the_follow_loop_pulls_on_a_notice_survives_an_error_and_stops() -> None:
    """``keep_following`` (the loop of ``bouclier bank follow``): a failed pull is reported and
    the loop goes on; a notice (``wake``) pulls at once, long before the hour-long interval."""
    follower = Follower(SimpleNamespace(db=None), "http://127.0.0.1:9", "key")  # type: ignore[arg-type]
    wake, stop = threading.Event(), threading.Event()
    calls: list[list[str] | None] = []
    errors: list[RemoteError] = []
    reports: list[list[Synced]] = []

    def sync(names: list[str] | None = None) -> list[Synced]:
        calls.append(names)
        if len(calls) == 1:
            raise RemoteError("the publisher is down", code="remote_unreachable")
        if len(calls) == 3:
            stop.set()
            wake.set()
        return []

    follower.sync = sync  # type: ignore[method-assign]
    loop = threading.Thread(
        target=follower.keep_following,
        args=(["victims"], 3600.0),
        kwargs={"wake": wake, "stop": stop, "report": reports.append, "on_error": errors.append},
        daemon=True,
    )
    loop.start()
    _until(lambda: len(errors) == 1)
    wake.set()  # a change notice
    _until(lambda: len(reports) == 1)
    wake.set()
    loop.join(timeout=30)
    follower.close()
    assert not loop.is_alive()
    assert calls == [["victims"]] * 3
    assert [e.code for e in errors] == ["remote_unreachable"]
    assert reports == [[], []]
