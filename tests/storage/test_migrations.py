"""The Alembic migrations build exactly the schema the models declare, on both databases."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, inspect, text

from bouclier.storage import Database
from bouclier.storage.db import MIGRATIONS
from bouclier.storage.models import Base

# every test here starts from an empty database: the migrations themselves are under test
pytestmark = pytest.mark.fresh_database


def test_models_match_migrations(db: Database) -> None:
    with db.engine.connect() as connection:
        context = MigrationContext.configure(connection)
        diff = compare_metadata(context, Base.metadata)
    assert diff == []


def test_upgrade_is_idempotent(db: Database) -> None:
    db.upgrade()
    db.upgrade()
    with db.engine.connect() as connection:
        assert MigrationContext.configure(connection).get_current_revision() == _head()


def _head() -> str | None:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return ScriptDirectory.from_config(config).get_current_head()


def test_revisions_are_numbered_in_order() -> None:
    # one linear chain 0001, 0002, ...: two branches' migrations must be renumbered, not merged
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    revisions = [s.revision for s in ScriptDirectory.from_config(config).walk_revisions()]
    assert revisions[::-1] == [f"{n:04d}" for n in range(1, len(revisions) + 1)]


def _migrate(db: Database, revision: str, step: Callable[[Config, str], None]) -> None:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    with db.engine.begin() as connection:
        config.attributes["connection"] = connection
        step(config, revision)


def _upgrade(db: Database, revision: str) -> None:
    _migrate(db, revision, command.upgrade)


def _add_victims_bank(connection: Connection, now: str) -> None:
    """Bank 1, "victims", as the migrations' tests insert it."""
    connection.execute(
        text(
            "INSERT INTO banks (id, name, kind, threshold, created_at) "
            "VALUES (1, 'victims', 'victim', 31, :now)"
        ),
        {"now": now},
    )


def _downgrade(db: Database, revision: str) -> None:
    _migrate(db, revision, command.downgrade)


def test_signal_types_migration_keeps_every_hash(database_url: str) -> None:
    """0006 turns each ``pdq`` column into ``(signal_type, value)``: rows written by the
    previous release come out as PDQ, with their hashes and everything that refers to them."""
    pdq, other = "f8" * 32, "e6" * 32
    db = Database(database_url)
    try:
        _upgrade(db, "0005")
        params = {"pdq": pdq, "other": other, "now": "2026-11-30 12:00:00+00:00"}
        with db.engine.begin() as connection:
            for statement in (
                "INSERT INTO banks (id, name, kind, threshold, created_at) "
                "VALUES (1, 'victims', 'victim', 31, :now)",
                "INSERT INTO bank_entries (id, bank_id, pdq, quality, source, created_at) "
                "VALUES (7, 1, :pdq, 90, 'old', :now)",
                "INSERT INTO hash_changes (bank_id, entry_id, op, pdq, created_at) "
                "VALUES (1, 7, 'add', :pdq, :now)",
                "INSERT INTO match_feedback (platform, bank_id, entry_id, pdq, action, status, "
                "created_at) VALUES ('p', 1, 7, :other, 'blocked', 'recorded', :now)",
                "INSERT INTO cases (id, number, secret_hash, language, minor, sextortion, status, "
                "created_at, updated_at) VALUES (1, 'BQ-AAAA-AAAA', 'x', 'es', false, false, "
                "'new', :now, :now)",
                "INSERT INTO case_items (case_id, kind, pdq, quality, status, created_at) "
                "VALUES (1, 'hash', :pdq, 90, 'pending', :now)",
                "INSERT INTO case_items (case_id, kind, url, status, created_at) "
                "VALUES (1, 'url', 'https://ex.social/p/1', 'pending', :now)",
                "INSERT INTO evidence_files (case_id, item_id, media_type, size, sha256, "
                "ciphertext, key_id, created_at) VALUES (1, 1, 'image/jpeg', 1, :pdq, :blob, "
                "'k', :now)",
            ):
                connection.execute(text(statement), {**params, "blob": b"\x00"})
        db.upgrade()
        with db.engine.connect() as connection:
            rows = {
                table: connection.execute(
                    text(f"SELECT signal_type, value FROM {table} ORDER BY id")  # noqa: S608
                ).all()
                for table in ("bank_entries", "hash_changes", "match_feedback", "case_items")
            }
            evidence = connection.execute(text("SELECT count(*) FROM evidence_files")).scalar()
        assert rows == {
            "bank_entries": [("pdq", pdq)],
            "hash_changes": [("pdq", pdq)],
            "match_feedback": [("pdq", other)],
            "case_items": [("pdq", pdq), (None, None)],  # a URL item has no hash
        }
        assert evidence == 1  # the items were altered in place, never dropped and re-created
        from bouclier.banks.matcher import BankMatcher
        from bouclier.banks.store import BankStore

        store = BankStore(db)
        assert [(e.id, e.signal_type, e.value) for e in store.entries("victims")] == [
            (7, "pdq", pdq)
        ]
        assert [m.entry for m in BankMatcher.from_store(store).match_hash(pdq)] == [7]
    finally:
        db.dispose()


def test_limit_counters_migration_adds_its_table_and_goes_back(database_url: str) -> None:
    """0009 adds ``limit_counters`` (the limiter's shared state) to a database of the previous
    release, keeping what is there; undone, it leaves no trace."""
    db = Database(database_url)
    try:
        _upgrade(db, "0007")
        now = "2026-11-30 12:00:00+00:00"
        with db.engine.begin() as connection:
            _add_victims_bank(connection, now)
        _upgrade(db, "0009")
        with db.engine.begin() as connection:
            connection.execute(
                text(
                    "INSERT INTO limit_counters (key, level, until, expires) "
                    "VALUES (:key, 1.5, 0, 1900000000.25)"
                ),
                {"key": "a" * 64},
            )
            row = connection.execute(text("SELECT level, expires FROM limit_counters")).one()
            assert tuple(row) == (1.5, 1900000000.25)  # double precision: sub-second times kept
            assert connection.execute(text("SELECT name FROM banks")).scalar() == "victims"
        _downgrade(db, "0008")
        with db.engine.connect() as connection:
            tables = inspect(connection).get_table_names()
        assert "limit_counters" not in tables
        assert "banks" in tables
    finally:
        db.dispose()


def test_reviewed_entries_migration_backfills_from_the_case_items(database_url: str) -> None:
    """0008: an entry a case reported is reviewed iff an analyst confirmed its item; entries
    operators added are reviewed; existing cases are verified."""
    db = Database(database_url)
    try:
        _upgrade(db, "0007")
        params = {"now": "2026-11-30 12:00:00+00:00"}
        entries = {7: "cli", 8: "case", 9: "case", 10: "import"}  # id -> source
        statements = [
            "INSERT INTO banks (id, name, kind, threshold, created_at) "
            "VALUES (1, 'victims', 'victim', 31, :now)",
            "INSERT INTO cases (id, number, secret_hash, language, minor, sextortion, status, "
            "created_at, updated_at) VALUES (1, 'BQ-AAAA-AAAA', 'x', 'es', true, false, "
            "'new', :now, :now)",
            # 8: pending (a stranger's claim); 9: confirmed by an analyst; 10: an operator's
            # import that names the case (its item points at it, confirmed)
            "INSERT INTO case_items (case_id, kind, signal_type, value, status, bank_entry_id, "
            "created_at) VALUES (1, 'hash', 'pdq', :v8, 'pending', 8, :now)",
            "INSERT INTO case_items (case_id, kind, signal_type, value, status, bank_entry_id, "
            "created_at) VALUES (1, 'hash', 'pdq', :v9, 'confirmed', 9, :now)",
        ]
        with db.engine.begin() as connection:
            for statement in statements:
                connection.execute(text(statement), {**params, "v8": "08" * 32, "v9": "09" * 32})
            for entry, source in entries.items():
                connection.execute(
                    text(
                        "INSERT INTO bank_entries (id, bank_id, signal_type, value, source, "
                        "case_ref, created_at) VALUES (:id, 1, 'pdq', :value, :source, :case, :now)"
                    ),
                    {
                        "id": entry,
                        "value": f"{entry:02x}" * 32,
                        "source": source,
                        "case": None if source == "cli" else "BQ-AAAA-AAAA",
                        "now": params["now"],
                    },
                )
        db.upgrade()
        with db.engine.connect() as connection:
            reviewed = dict(
                connection.execute(text("SELECT id, reviewed FROM bank_entries")).tuples().all()
            )
            verified = connection.execute(text("SELECT verified FROM cases")).scalar()
            items = connection.execute(text("SELECT count(*) FROM case_items")).scalar()
        assert {k: bool(v) for k, v in reviewed.items()} == {
            7: True,
            8: False,
            9: True,
            10: True,
        }
        assert bool(verified) is True
        assert items == 2  # altered in place: nothing that refers to the entries was dropped
    finally:
        db.dispose()


def test_per_write_deliveries_migration_keeps_pending_per_hash_deliveries(
    database_url: str,
) -> None:
    """0010 adds the change-log range of a delivery; a per-hash delivery written before keeps its
    whole body and is still sent as it is."""
    import httpx

    from bouclier.webhooks.deliverer import Deliverer
    from tests.webhooks.policies import PUBLIC

    old = '{"data":{"entry_id":7,"pdq":null,"value":null},"event":"hash.removed"}'
    db = Database(database_url)
    try:
        _upgrade(db, "0007")
        with db.engine.begin() as connection:
            for statement in (
                "INSERT INTO webhooks (id, name, url, events, secret, created_at) VALUES "
                "(1, 'p', 'https://p.example/h', 'hash.removed', 'whsec_1', :now)",
                "INSERT INTO webhook_deliveries (webhook_id, event, entry_id, payload, status, "
                "attempts, next_attempt_at, created_at) VALUES (1, 'hash.removed', 7, :old, "
                "'pending', 0, :now, :now)",
            ):
                connection.execute(
                    text(statement), {"now": "2026-11-30 12:00:00+00:00", "old": old}
                )
        db.upgrade()
        with db.engine.connect() as connection:
            rows = connection.execute(
                text("SELECT entry_id, first_cursor, last_cursor, payload FROM webhook_deliveries")
            ).all()
        assert [tuple(r) for r in rows] == [(7, None, None, old)]
        sent: list[bytes] = []

        def answer(request: httpx.Request) -> httpx.Response:
            sent.append(request.read())
            return httpx.Response(200)

        deliverer = Deliverer(db, destinations=PUBLIC, transport=httpx.MockTransport(answer))
        try:
            assert deliverer.deliver_due() == 1
        finally:
            deliverer.close()
        assert sent == [old.encode()]
    finally:
        db.dispose()


def test_console_migration_backfills_link_status_and_goes_back(database_url: str) -> None:
    """0011 adds the case's assignee and each link's status, from the notices already answered
    (a removal under any law wins); undone, the columns are gone and the rows kept."""
    db = Database(database_url)
    now = "2026-12-01 12:00:00+00:00"
    try:
        _upgrade(db, "0010")
        with db.engine.begin() as connection:
            connection.execute(
                text(
                    "INSERT INTO cases (id, number, secret_hash, language, minor, sextortion, "
                    "status, created_at, updated_at, verified) VALUES (1, 'BQ-0000-0001', 'h', "
                    "'es', :no, :no, 'new', :now, :now, :yes)"
                ),
                {"now": now, "no": False, "yes": True},
            )
            for item, url in ((1, "a"), (2, "b"), (3, "c"), (4, "d")):
                connection.execute(
                    text(
                        "INSERT INTO case_items (id, case_id, kind, url, platform, status, "
                        "created_at) VALUES (:id, 1, 'url', :url, 'x', 'pending', :now)"
                    ),
                    {"id": item, "url": f"https://x.com/{url}", "now": now},
                )
            answered = [
                (1, "dsa", "refused"),
                (1, "pharos", "removed"),
                (2, "dsa", "expired"),
                (3, "dsa", "draft"),
            ]
            for n, (item, law, status) in enumerate(answered):
                connection.execute(
                    text(
                        "INSERT INTO notices (reference, case_id, item_id, platform, url, law, "
                        "channel, recipient, status, created_at, reminders) VALUES (:ref, 1, "
                        ":item, 'x', 'u', :law, 'email', 'a@x.example', :status, :now, 0)"
                    ),
                    {"ref": f"N-{n}", "item": item, "law": law, "status": status, "now": now},
                )
        _upgrade(db, "0011")
        with db.engine.connect() as connection:
            links = connection.execute(
                text("SELECT id, link_status FROM case_items ORDER BY id")
            ).all()
            assigned = connection.execute(text("SELECT assigned_to_id FROM cases")).scalar()
        assert [tuple(r) for r in links] == [
            (1, "removed"), (2, "notified"), (3, "pending"), (4, "pending")
        ]  # fmt: skip
        assert assigned is None
        _downgrade(db, "0010")
        with db.engine.connect() as connection:
            columns = {c["name"] for c in inspect(connection).get_columns("case_items")}
            case_columns = {c["name"] for c in inspect(connection).get_columns("cases")}
            kept = connection.execute(text("SELECT count(*) FROM case_items")).scalar()
        assert "link_status" not in columns
        assert "assigned_to_id" not in case_columns
        assert kept == 4
    finally:
        db.dispose()


def test_victim_page_migration_keeps_every_shared_invitation_code(database_url: str) -> None:
    """0012 puts each collective's code in ``invitations`` (a code already shared keeps working,
    made by the collective's oldest case), adds the email opt-in (off for every case), the outbox
    of updates and the re-upload's link; and goes back."""
    from bouclier.cases import credentials

    code = credentials.new_invitation()
    digest = credentials.invitation_digest(code)
    db = Database(database_url)
    try:
        _upgrade(db, "0010")
        now = {"now": "2026-11-30 12:00:00+00:00", "digest": digest}
        with db.engine.begin() as connection:
            for statement in (
                "INSERT INTO collectives (id, invite_sha256, created_at) VALUES (5, :digest, :now)",
                "INSERT INTO cases (id, number, secret_hash, language, minor, sextortion, status, "
                "collective_id, created_at, updated_at) VALUES (3, 'BQ-AAAA-AAAA', 'x', 'es', "
                "false, false, 'new', 5, :now, :now)",
                "INSERT INTO cases (id, number, secret_hash, language, minor, sextortion, status, "
                "collective_id, created_at, updated_at) VALUES (4, 'BQ-BBBB-BBBB', 'x', 'es', "
                "false, false, 'new', 5, :now, :now)",
            ):
                connection.execute(text(statement), now)
        _upgrade(db, "0012")
        with db.engine.connect() as connection:
            rows = connection.execute(
                text(
                    "SELECT collective_id, code_sha256, hint, created_by_case_id, revoked_at "
                    "FROM invitations"
                )
            ).all()
            opted = connection.execute(text("SELECT email_updates FROM cases")).scalars().all()
        assert [tuple(r) for r in rows] == [(5, digest, "", 3, None)]
        assert [bool(v) for v in opted] == [False, False]
        columns = {c["name"] for c in inspect(db.engine).get_columns("case_matches")}
        assert "url" in columns
        assert "case_updates" in inspect(db.engine).get_table_names()
        _downgrade(db, "0011")
        tables = inspect(db.engine).get_table_names()
        assert "invitations" not in tables
        assert "case_updates" not in tables
        assert "email_updates" not in {c["name"] for c in inspect(db.engine).get_columns("cases")}
        with db.engine.connect() as connection:  # the cases and their collective are intact
            kept = connection.execute(text("SELECT collective_id FROM cases")).scalars().all()
        assert kept == [5, 5]
    finally:
        db.dispose()


def _a_case(connection: Connection, now: str) -> None:
    """Case 1, as every release since 0008 stores a case."""
    connection.execute(
        text(
            "INSERT INTO cases (id, number, secret_hash, language, minor, sextortion, "
            "status, created_at, updated_at, verified) VALUES (1, 'BQ-AAAA-AAAA', 'h', "
            "'en', false, false, 'new', :now, :now, true)"
        ),
        {"now": now},
    )


def test_captures_migration_adds_its_table_and_goes_back(database_url: str) -> None:
    """0013 adds ``captures`` beside the cases of the previous release; a capture goes with its
    case (ON DELETE CASCADE); undone, the table is gone and the cases stay."""
    db = Database(database_url)
    try:
        _upgrade(db, "0010")
        now = "2026-12-03 08:00:00+00:00"
        with db.engine.begin() as connection:
            _a_case(connection, now)
        _upgrade(db, "0013")
        with db.engine.begin() as connection:
            if db.engine.dialect.name == "sqlite":
                connection.execute(text("PRAGMA foreign_keys=ON"))
            connection.execute(
                text(
                    "INSERT INTO captures (case_id, url, reason, outcome, http_status, images, "
                    "matched, manifest_sha256, size, ciphertext, key_id, actor, created_at) "
                    "VALUES (1, 'https://example.org/p', 'request', 'online', 200, '[]', 0, "
                    ":digest, 3, :sealed, 'k', 'analyst:a', :now)"
                ),
                {"digest": "0" * 64, "sealed": b"\x01\x02\x03", "now": now},
            )
            assert connection.execute(text("SELECT count(*) FROM captures")).scalar() == 1
            connection.execute(text("DELETE FROM cases WHERE id = 1"))
            assert connection.execute(text("SELECT count(*) FROM captures")).scalar() == 0
        _downgrade(db, "0012")
        with db.engine.connect() as connection:
            tables = inspect(connection).get_table_names()
        assert "captures" not in tables
        assert "cases" in tables
    finally:
        db.dispose()


def test_bank_sharing_migration_adds_its_tables_and_goes_back(database_url: str) -> None:
    """0014 adds the publication and follow tables to a database of the previous release,
    keeping its banks (each still shared with every platform key: no publication row);
    undone, it leaves no trace."""
    db = Database(database_url)
    try:
        _upgrade(db, "0010")
        now = "2026-11-30 12:00:00+00:00"
        with db.engine.begin() as connection:
            _add_victims_bank(connection, now)
        _upgrade(db, "0014")
        with db.engine.begin() as connection:
            assert connection.execute(text("SELECT count(*) FROM bank_publications")).scalar() == 0
            connection.execute(
                text(
                    "INSERT INTO bank_follows (id, source_url, remote_bank, bank_id, cursor, "
                    "key_fingerprint, created_at) VALUES (1, 'https://a.example', 'victims', 1, "
                    "0, 'SHA256:00', :now)"
                ),
                {"now": now},
            )
            assert connection.execute(text("SELECT name FROM banks")).scalar() == "victims"
        _downgrade(db, "0013")
        with db.engine.connect() as connection:
            tables = inspect(connection).get_table_names()
        assert not {"bank_publications", "bank_follows", "followed_entries"} & set(tables)
        assert "banks" in tables
    finally:
        db.dispose()


def test_change_log_updates_migration_widens_the_op_and_goes_back(database_url: str) -> None:
    """0015 lets the change log say ``update``, keeping every change under its cursor; undone,
    the updates are deleted (the previous release would read them as removals) and ``update``
    is refused again."""
    from sqlalchemy.exc import IntegrityError

    db = Database(database_url)
    insert = text(
        "INSERT INTO hash_changes (id, bank_id, entry_id, op, signal_type, value, created_at) "
        "VALUES (:id, 1, 7, :op, 'pdq', :value, :now)"
    )
    row = {"value": "f8" * 32, "now": "2026-12-03 08:00:00+00:00"}
    try:
        _upgrade(db, "0014")
        with db.engine.begin() as connection:
            connection.execute(insert, {**row, "id": 41, "op": "add"})
        _upgrade(db, "0015")
        with db.engine.begin() as connection:
            connection.execute(insert, {**row, "id": 42, "op": "update"})
            connection.execute(insert, {**row, "id": 43, "op": "remove"})
        with db.engine.connect() as connection:
            kept = connection.execute(text("SELECT id, op FROM hash_changes ORDER BY id")).all()
        assert [tuple(r) for r in kept] == [(41, "add"), (42, "update"), (43, "remove")]
        indexes = {i["name"] for i in inspect(db.engine).get_indexes("hash_changes")}
        assert "ix_hash_changes_bank_id_id" in indexes
        _downgrade(db, "0014")
        with db.engine.connect() as connection:
            left = connection.execute(text("SELECT id, op FROM hash_changes ORDER BY id")).all()
        assert [tuple(r) for r in left] == [(41, "add"), (43, "remove")]
        with pytest.raises(IntegrityError), db.engine.begin() as connection:
            connection.execute(insert, {**row, "id": 44, "op": "update"})
    finally:
        db.dispose()


def test_video_matches_migration_adds_its_table_and_goes_back(database_url: str) -> None:
    """0016 adds ``video_matches`` beside the cases and items of the previous release; a row goes
    with its item and with its case (ON DELETE CASCADE), one per entry, platform and file;
    undone, the table is gone and the cases stay."""
    from sqlalchemy.exc import IntegrityError

    db = Database(database_url)
    now = "2026-12-03 14:00:00+00:00"
    insert = text(
        "INSERT INTO video_matches (case_id, item_id, entry_id, platform, sha256, "
        "query_percent, target_percent, frames, at) VALUES (1, :item, 9, 'p', :sha, 100, 50, "
        "'[]', :now)"
    )
    try:
        _upgrade(db, "0015")
        with db.engine.begin() as connection:
            _a_case(connection, now)
            connection.execute(
                text(
                    "INSERT INTO case_items (id, case_id, kind, status, link_status, created_at) "
                    "VALUES (5, 1, 'hash', 'pending', 'pending', :now)"
                ),
                {"now": now},
            )
        _upgrade(db, "0016")
        with db.engine.begin() as connection:
            if db.engine.dialect.name == "sqlite":
                connection.execute(text("PRAGMA foreign_keys=ON"))
            connection.execute(insert, {"item": 5, "sha": "a" * 64, "now": now})
            connection.execute(insert, {"item": None, "sha": "b" * 64, "now": now})
            connection.execute(text("DELETE FROM case_items WHERE id = 5"))
            assert connection.execute(text("SELECT sha256 FROM video_matches")).all() == [
                ("b" * 64,)
            ]
        with pytest.raises(IntegrityError), db.engine.begin() as connection:
            connection.execute(insert, {"item": None, "sha": "b" * 64, "now": now})
        with db.engine.begin() as connection:
            if db.engine.dialect.name == "sqlite":
                connection.execute(text("PRAGMA foreign_keys=ON"))
            connection.execute(text("DELETE FROM cases WHERE id = 1"))
            assert connection.execute(text("SELECT count(*) FROM video_matches")).scalar() == 0
        _downgrade(db, "0015")
        with db.engine.connect() as connection:
            tables = inspect(connection).get_table_names()
        assert "video_matches" not in tables
        assert "cases" in tables
    finally:
        db.dispose()


def test_orb_centre_migration_pads_the_values_stored_before_and_goes_back(
    database_url: str,
) -> None:
    """0017 pads each ORB value of the previous release (128 slots) to today's width, keypoints
    unchanged, so the matcher still reads it and finds its picture; undone, the values are as
    they were, and a value of the new format refuses the downgrade."""
    from bouclier.banks.matcher import BankMatcher
    from bouclier.banks.store import BankStore
    from bouclier.signals.orb import ORB, extract, extract_query, verify
    from bouclier.signals.orb_keypoints import extract_frame_only
    from tests.conftest import photo

    picture = photo(5, (480, 360))
    old = extract_frame_only(picture).hex()
    db = Database(database_url)
    now = "2026-12-03 17:00:00+00:00"
    entry = text(
        "INSERT INTO bank_entries (id, bank_id, signal_type, value, source, created_at) "
        "VALUES (:id, 1, :kind, :value, 'cli', :now)"
    )
    try:
        _upgrade(db, "0016")
        with db.engine.begin() as connection:
            _add_victims_bank(connection, now)
            connection.execute(entry, {"id": 7, "kind": "orb", "value": old, "now": now})
            connection.execute(entry, {"id": 8, "kind": "pdq", "value": "f8" * 32, "now": now})
            connection.execute(
                text(
                    "INSERT INTO hash_changes (bank_id, entry_id, op, signal_type, value, "
                    "created_at) VALUES (1, 7, 'add', 'orb', :value, :now)"
                ),
                {"value": old, "now": now},
            )
        _upgrade(db, "0017")
        with db.engine.connect() as connection:
            values = [
                connection.execute(
                    text(f"SELECT value FROM {table} WHERE signal_type = 'orb'")  # noqa: S608
                ).scalar()
                for table in ("bank_entries", "hash_changes")
            ]
            pdq = connection.execute(text("SELECT value FROM bank_entries WHERE id = 8")).scalar()
        assert values == [ORB.validate(old)] * 2
        assert values[0].startswith(old)
        assert pdq == "f8" * 32
        matcher = BankMatcher.from_store(BankStore(db))
        index = matcher.indexes[ORB.name]
        rows = ORB.pack_queries([extract_query(picture).hex()])
        [(hits, _)] = index.search_verified(rows, ORB.default_threshold, 16)
        assert hits.labels.tolist() == [7]
        assert verify(extract_query(picture), bytes.fromhex(values[0])).inliers >= 13
        _downgrade(db, "0016")
        with db.engine.connect() as connection:
            back = connection.execute(text("SELECT value FROM bank_entries WHERE id = 7"))
            assert back.scalar() == old
        _upgrade(db, "0017")
        with db.engine.begin() as connection:
            new = extract(picture).hex()
            connection.execute(entry, {"id": 9, "kind": "orb", "value": new, "now": now})
        with pytest.raises(RuntimeError, match="centre format"):
            _downgrade(db, "0016")
    finally:
        db.dispose()
