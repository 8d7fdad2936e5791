"""Each vocabulary is declared once (bouclier.vocabulary), and everything that lists it agrees.

For each vocabulary: the CHECK constraint of the models, the constraint a migrated database really
has (SQLite and PostgreSQL, read back, then every word inserted and one word outside refused), the
enums of the OpenAPI schema, the CLI's choices, the console's options and the pages' words. A word
added to a vocabulary without the migration that widens its constraint fails here.
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Callable, Iterator
from importlib import resources
from pathlib import Path
from typing import Any

import click
import pytest
from sqlalchemy import Connection, Table, inspect
from sqlalchemy.exc import IntegrityError

with warnings.catch_warnings():
    from starlette.exceptions import StarletteDeprecationWarning

    warnings.simplefilter("ignore", StarletteDeprecationWarning)
    from starlette.testclient import TestClient

from bouclier import vocabulary as v
from bouclier.accounts.analysts import Analysts
from bouclier.api import create_app
from bouclier.api.services import Services
from bouclier.cases import Cases
from bouclier.cli.main import cli
from bouclier.detectors import faces, nudity
from bouclier.detectors.provenance import labels as provenance_labels
from bouclier.notices import Notices
from bouclier.notices.laws import LAWS
from bouclier.policy.decide import _INTIMATE_PARTS, ENROLLED, PROVENANCE_ERROR
from bouclier.settings import load_settings
from bouclier.storage import Database
from bouclier.storage.models import Base, one_of
from bouclier.web.common import LANGUAGES, locale
from tests.web.server import fake_detectors

#: (the words, their table, column and CHECK constraint)
CONSTRAINED: list[tuple[tuple[str, ...], str, str, str]] = [
    (v.BANK_KINDS, "banks", "kind", "bank_kind"),
    (v.CHANGE_OPS, "hash_changes", "op", "hash_change_op"),
    (v.CONSENT_RELATIONSHIPS, "consents", "relationship", "consent_relationship"),
    (v.API_ROLES, "api_keys", "role", "api_key_role"),
    (v.DELIVERY_STATUSES, "webhook_deliveries", "status", "delivery_status"),
    (v.FEEDBACK_ACTIONS, "match_feedback", "action", "feedback_action"),
    (v.FEEDBACK_STATUSES, "match_feedback", "status", "feedback_status"),
    (v.CASE_STATUSES, "cases", "status", "case_status"),
    (v.CASE_ITEM_KINDS, "case_items", "kind", "case_item_kind"),
    (v.CASE_ITEM_STATUSES, "case_items", "status", "case_item_status"),
    (v.LINK_STATUSES, "case_items", "link_status", "case_item_link_status"),
    (v.NOTICE_LAWS, "notices", "law", "notice_law"),
    (v.NOTICE_CHANNELS, "notices", "channel", "notice_channel"),
    (v.NOTICE_STATUSES, "notices", "status", "notice_status"),
]
CONSTRAINT_IDS = [name for *_, name in CONSTRAINED]
OUTSIDE = "nope"  # short: op is a VARCHAR(8)
_QUOTED = re.compile(r"'((?:[^']|'')*)'")


def quoted_words(sql: str) -> tuple[str, ...]:
    """The string literals of a CHECK's SQL, in order (SQLite's and PostgreSQL's spellings)."""
    return tuple(word.replace("''", "'") for word in _QUOTED.findall(sql))


def test_no_vocabulary_repeats_a_word() -> None:
    for words, *_ in CONSTRAINED:
        assert len(set(words)) == len(words), words
    assert set(v.CASE_STATUSES_SET_BY_ANALYSTS) < set(v.CASE_STATUSES)
    assert set(v.NOTICE_ANSWERS) < set(v.NOTICE_STATUSES)


def test_the_laws_are_the_vocabulary_of_laws() -> None:
    assert tuple(LAWS) == v.NOTICE_LAWS


def test_the_guard_s_classifiers_and_rules_are_their_vocabularies() -> None:
    """BOUCLIER_GUARD_INTENT names every pinned classifier and no other; BOUCLIER_GUARD_RULES
    every round of rules (and 10, the guard before them)."""
    from bouclier.guard.rounds import ROUNDS
    from bouclier.guard.semantic import INTENTS

    assert tuple(INTENTS) == v.GUARD_INTENT_NAMES
    assert (10, *(each.number for each in ROUNDS)) == v.GUARD_RULES


# --- the labels of signals ----------------------------------------------------------------------


def test_the_policy_reads_labels_the_detectors_declare() -> None:
    """Each detector declares its labels (its ``labels``: tests/detectors/test_contract.py); the
    policy and the likeness stage name theirs from those declarations."""
    assert {nudity.SEXUAL, nudity.REVEALING} <= nudity.SIGNAL_LABELS
    assert {f"{nudity.DETECTOR}.{part}" for part in _INTIMATE_PARTS} <= nudity.SIGNAL_LABELS
    assert PROVENANCE_ERROR in provenance_labels.LABELS
    assert faces.FACE in faces.SIGNAL_LABELS
    assert ENROLLED.startswith("likeness.")
    assert ENROLLED not in nudity.SIGNAL_LABELS | faces.SIGNAL_LABELS | provenance_labels.LABELS


# --- the database ---------------------------------------------------------------------------------


@pytest.mark.parametrize(("words", "table", "column", "name"), CONSTRAINED, ids=CONSTRAINT_IDS)
def test_model_constraint_is_the_vocabulary(
    words: tuple[str, ...], table: str, column: str, name: str
) -> None:
    [check] = [c for c in Base.metadata.tables[table].constraints if c.name == name]
    sql = str(check.sqltext)  # type: ignore[attr-defined]
    assert sql == one_of(column, words)
    assert quoted_words(sql) == words


@pytest.fixture
def migrated(db: Database) -> Database:
    return db


def test_migrated_constraints_are_the_vocabularies(migrated: Database) -> None:
    inspector = inspect(migrated.engine)
    for words, table, column, name in CONSTRAINED:
        found = {c["name"]: c["sqltext"] for c in inspector.get_check_constraints(table)}
        assert name in found, (table, sorted(found))
        assert column in found[name]
        assert quoted_words(found[name]) == words, (name, found[name])


def _parents(connection: Connection) -> dict[str, int]:
    """One row of each table the constrained rows point to; their ids."""
    tables = Base.metadata.tables
    ids: dict[str, int] = {}
    for table, row in [
        ("enrolments", {"reference": "E-1", "template": b"t", "key_id": "k", "photo_count": 1}),
        ("webhooks", {"name": "w", "url": "https://x.example", "events": "", "secret": "s"}),
        ("cases", {"number": "BQ-0000-0001", "secret_hash": "h"}),
    ]:
        result = connection.execute(tables[table].insert().values(**row))
        ids[table] = int(result.inserted_primary_key[0])
    return ids


_PDQ = "0" * 64
#: A valid row of each constrained table, but for the column under test.
_ROWS: dict[str, Callable[[dict[str, int]], dict[str, Any]]] = {
    "banks": lambda ids: {"name": "b", "kind": "victim", "threshold": 31},
    "hash_changes": lambda ids: {"bank_id": 1, "entry_id": 1, "op": "add", "value": _PDQ},
    "consents": lambda ids: {
        "enrolment_id": ids["enrolments"],
        "consented_by": "c",
        "relationship": "self",
        "purpose": "p",
        "minor": False,
    },
    "api_keys": lambda ids: {"name": "k", "role": "admin", "prefix": "p", "key_sha256": "s"},
    "webhook_deliveries": lambda ids: {
        "webhook_id": ids["webhooks"],
        "event": "hash.added",
        "payload": "{}",
        "status": "pending",
    },
    "match_feedback": lambda ids: {
        "platform": "p",
        "value": _PDQ,
        "action": "blocked",
        "status": "recorded",
    },
    "cases": lambda ids: {"number": "BQ-0000-0002", "secret_hash": "h", "status": "new"},
    "case_items": lambda ids: {"case_id": ids["cases"], "kind": "url", "status": "pending"},
    "notices": lambda ids: {
        "reference": "N-1",
        "case_id": ids["cases"],
        "platform": "p",
        "url": "https://x.example/1",
        "law": "dsa",
        "channel": "email",
        "recipient": "r@x.example",
        "status": "draft",
    },
}


def _insert(db: Database, table: Table, column: str, word: str) -> None:
    """Inserts one row with ``column`` = ``word`` in a transaction that is rolled back."""
    with db.engine.connect() as connection, connection.begin() as transaction:
        try:
            row = _ROWS[table.name](_parents(connection)) | {column: word}
            connection.execute(table.insert().values(**row))
        finally:
            transaction.rollback()


@pytest.mark.parametrize(("words", "table", "column", "name"), CONSTRAINED, ids=CONSTRAINT_IDS)
def test_database_takes_every_word_and_refuses_any_other(
    migrated: Database, words: tuple[str, ...], table: str, column: str, name: str
) -> None:
    target = Base.metadata.tables[table]
    for word in words:
        _insert(migrated, target, column, word)
    with pytest.raises(IntegrityError, match=name):
        _insert(migrated, target, column, OUTSIDE)


# --- the HTTP API ---------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def openapi(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    folder = tmp_path_factory.mktemp("openapi")
    settings = load_settings(data_dir=folder, database_url=f"sqlite:///{folder / 'b.db'}")
    schema: dict[str, Any] = create_app(settings).openapi()
    return schema


def _enums(node: object) -> Iterator[tuple[str, ...]]:
    if isinstance(node, dict):
        if "enum" in node:
            yield tuple(node["enum"])
        for child in node.values():
            yield from _enums(child)
    elif isinstance(node, list):
        for child in node:
            yield from _enums(child)


def _parameter(schema: dict[str, Any], path: str, name: str) -> dict[str, Any]:
    [found] = [p for p in schema["paths"][path]["get"]["parameters"] if p["name"] == name]
    return found


#: Where each vocabulary shows in the schema: (model, property) or (GET path, query parameter).
API_FIELDS: list[tuple[tuple[str, ...], list[tuple[str, str]]]] = [
    (v.BANK_KINDS, [("BankCreate", "kind"), ("BankOut", "kind"), ("MatchOut", "bank_kind")]),
    (v.CHANGE_OPS, [("ChangeOut", "op")]),
    (v.MATCH_STAGES, [("MatchOut", "stage")]),
    (
        v.WEBHOOK_EVENTS,
        [("WebhookIn", "events"), ("WebhookOut", "events"), ("DeliveryOut", "event")],
    ),
    (
        v.DELIVERY_STATUSES,
        [("DeliveryOut", "status"), ("/v1/webhooks/{webhook_id}/deliveries", "status")],
    ),
    (v.FEEDBACK_ACTIONS, [("FeedbackIn", "action"), ("FeedbackOut", "action")]),
    (v.FEEDBACK_ACTIONS, [("ReuploadOut", "action")]),
    (v.FEEDBACK_STATUSES, [("FeedbackOut", "status"), ("/v1/feedback", "status")]),
    (v.CASE_STATUSES, [("CaseOut", "status"), ("CaseDetail", "status")]),
    (v.CASE_ITEM_KINDS, [("ItemOut", "kind")]),
    (v.CASE_ITEM_STATUSES, [("ItemOut", "status")]),
    (v.REVIEW_DECISIONS, [("Review", "decision")]),
    (v.GUARD_UNCOVERED_ACTIONS, []),  # in /v1/guard/request(s)' inline bodies, not a component
    (v.HASH_PURPOSES, []),  # POST /v1/hash?for=, a query parameter of a POST
]


@pytest.mark.parametrize(("words", "fields"), API_FIELDS, ids=lambda x: str(x)[:40])
def test_api_schema_enums_are_the_vocabularies(
    openapi: dict[str, Any], words: tuple[str, ...], fields: list[tuple[str, str]]
) -> None:
    for where, name in fields:
        if where.startswith("/"):
            node: dict[str, Any] = _parameter(openapi, where, name)
        else:
            node = openapi["components"]["schemas"][where]["properties"][name]
        enums = list(_enums(node))
        assert enums, (where, name)
        assert all(enum == words for enum in enums), (where, name, enums)


def test_every_api_enum_is_a_vocabulary(openapi: dict[str, Any]) -> None:
    known = {words for words, _ in API_FIELDS}
    assert set(_enums(openapi)) <= known


def test_api_roles_are_the_vocabulary(openapi: dict[str, Any]) -> None:
    roles = {
        role
        for item in openapi["paths"].values()
        for operation in item.values()
        for role in operation.get("x-roles", ())
    }
    assert roles == set(v.API_ROLES)


# --- the CLI --------------------------------------------------------------------------------------

CLI_CHOICES: list[tuple[tuple[str, ...], str, tuple[str, ...]]] = [
    (("bank", "create"), "kind", v.BANK_KINDS),
    (("key", "create"), "role", v.API_ROLES),
    (("webhook", "create"), "events", v.WEBHOOK_EVENTS),
    (("webhook", "deliveries"), "status", v.DELIVERY_STATUSES),
    (("enrol", "create"), "relationship", v.CONSENT_RELATIONSHIPS),
    (("case", "review"), "decision", v.REVIEW_DECISIONS),
    (("notice", "create"), "law", v.NOTICE_LAWS),
    (("notice", "create"), "channel", v.NOTICE_CHANNELS),
    (("notice", "answer"), "status", v.NOTICE_ANSWERS),
    (("notice", "list"), "status", v.NOTICE_STATUSES),
]


def _command(path: tuple[str, ...]) -> click.Command:
    command: click.Command = cli
    for name in path:
        assert isinstance(command, click.Group)
        found = command.get_command(click.Context(command), name)
        assert found is not None, path
        command = found
    return command


@pytest.mark.parametrize(("path", "param", "words"), CLI_CHOICES, ids=lambda x: str(x)[:30])
def test_cli_choices_are_the_vocabularies(
    path: tuple[str, ...], param: str, words: tuple[str, ...]
) -> None:
    [found] = [p for p in _command(path).params if p.name == param]
    assert isinstance(found.type, click.Choice)
    assert sorted(found.type.choices) == sorted(words)  # --law lists them sorted


# --- the web pages --------------------------------------------------------------------------------

#: The words each page shows for a vocabulary's words, as ``PREFIX + word`` keys.
WORDS: list[tuple[str, tuple[str, ...]]] = [
    ("status.", v.CASE_STATUSES),
    ("item_status.", v.CASE_ITEM_STATUSES),
    ("reupload.", v.FEEDBACK_ACTIONS),
    ("console.case_status.", v.CASE_STATUSES),
    ("console.kind.", v.CASE_ITEM_KINDS),
    ("console.item_status.", v.CASE_ITEM_STATUSES),
    ("console.reupload.", v.FEEDBACK_ACTIONS),
    ("console.channel.", v.NOTICE_CHANNELS),
    ("console.notice_status.", v.NOTICE_STATUSES),
]


@pytest.mark.parametrize("lang", LANGUAGES)
def test_pages_have_words_for_every_word_and_none_other(lang: str) -> None:
    words = locale(lang)
    for prefix, vocabulary in [*WORDS, ("notice.", v.NOTICE_STATUSES)]:
        assert all(prefix + word in words for word in vocabulary), (lang, prefix)
    for prefix, vocabulary in WORDS:
        stale = {key for key in words if key.startswith(prefix)} - {
            prefix + word for word in vocabulary
        }
        assert not stale, (lang, stale)
    # a law's name is translated in every language or in none (then its own label shows)
    for law in v.NOTICE_LAWS:
        assert len({f"console.law.{law}" in locale(other) for other in LANGUAGES}) == 1, law
    assert {key for key in words if key.startswith("console.law.")} <= {
        f"console.law.{law}" for law in v.NOTICE_LAWS
    }


def test_no_template_lists_a_vocabulary() -> None:
    """Pages get their lists from Python: a vocabulary's words in a template's tuple are a copy."""
    vocabularies = [set(words) for words, *_ in CONSTRAINED]
    folder = resources.files("bouclier.web") / "templates"
    for template in Path(str(folder)).rglob("*.j2"):
        for literal in re.findall(r"\(([^()]*)\)", template.read_text("utf-8")):
            words = set(re.findall(r"""["']([a-z_.-]+)["']""", literal))
            copied = [vocabulary for vocabulary in vocabularies if len(words & vocabulary) >= 2]
            assert not copied, (template.name, literal)


PASSWORD = "a long enough passphrase"  # noqa: S105 (a test account)
_OPTIONS = re.compile(r'<select id="{}"[^>]*>(.*?)</select>', re.S)


@pytest.fixture
def console(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[TestClient]:
    monkeypatch.delenv("BOUCLIER_DATABASE_URL", raising=False)
    settings = load_settings(
        data_dir=tmp_path / "data",
        database_url=f"sqlite:///{tmp_path / 'b.db'}",
        hotline_name="Test Hotline",
        hotline_email="hotline@example.org",
    )
    with TestClient(create_app(settings, detectors=fake_detectors())) as client:
        services: Services = client.app.state.services  # type: ignore[attr-defined]
        Analysts(services.db).create("alice", PASSWORD)
        page = client.get("/console/login").text
        token = re.search(r'name="csrf_token" value="([^"]+)"', page)
        assert token is not None
        form = {"username": "alice", "password": PASSWORD, "csrf_token": token.group(1)}
        client.post("/console/login", data=form, follow_redirects=False)
        yield client


def _options(page: str, select_id: str) -> tuple[str, ...]:
    found = re.search(_OPTIONS.pattern.format(re.escape(select_id)), page, re.S)
    assert found is not None, select_id
    return tuple(re.findall(r'<option value="([^"]+)"', found.group(1)))


def test_console_options_are_the_vocabularies(console: TestClient) -> None:
    services: Services = console.app.state.services  # type: ignore[attr-defined]
    cases = Cases(services.db, services.settings, banks=services.store)
    info, _ = cases.create()
    [url] = cases.add_urls(info.number, ["https://x.com/u/status/1"])
    notices = Notices(services.db, services.settings, cases)
    made = notices.create(info.number, url.id, "dsa", "form", "https://x.example/report", actor="t")
    notices.send(made.reference, actor="t")  # a form notice is recorded as filed: now "sent"
    page = console.get(f"/console/cases/{info.number}").text
    assert _options(page, "status") == v.CASE_STATUSES_SET_BY_ANALYSTS
    assert _options(page, f"answer-{made.reference}") == v.NOTICE_ANSWERS
    screen = console.get(f"/console/cases/{info.number}/notices/new").text
    laws = re.findall(rf'name="pick" value="{url.id}:([^"]+)"', screen)
    assert tuple(laws) == v.NOTICE_LAWS
    assert _options(screen, "via_0_dsa") == v.NOTICE_CHANNELS
    assert "web form" in page  # the channel's words: NOTICE_CHANNELS has "form"
