"""Email updates to victims: an opt-in, an outbox written with the change itself, a mailer that
retries, and mails that say nothing of the case. Against a real SMTP server (aiosmtpd)."""

from __future__ import annotations

from datetime import timedelta
from email import message_from_bytes, policy
from email.message import Message
from pathlib import Path

import pytest
from sqlalchemy import select

from bouclier.cases import Cases, HashReport
from bouclier.cases.updates import MAX_ATTEMPTS, CaseMailer, is_email
from bouclier.errors import InputError
from bouclier.settings import Settings
from bouclier.storage import Database
from bouclier.storage.models import CaseUpdate, utcnow
from tests.notices.conftest import SmtpServer

PDQ_A = "a5" * 32
ADDRESS = "madre@correo.example"


@pytest.fixture
def smtp() -> SmtpServer:
    return SmtpServer()  # started by the tests that want it up


@pytest.fixture
def settings(tmp_path: Path, smtp: SmtpServer) -> Settings:
    return Settings(
        data_dir=tmp_path,
        hotline_name="Línea de prueba",
        hotline_email="ayuda@hotline.example",
        portal_url="https://bouclier.example",
        smtp_host="127.0.0.1",
        smtp_port=smtp.port,
        smtp_starttls=False,
    )


@pytest.fixture
def cases(db: Database, settings: Settings) -> Cases:
    return Cases(db, settings)


def _rows(db: Database) -> list[CaseUpdate]:
    with db.transaction() as session:
        rows = session.scalars(select(CaseUpdate).order_by(CaseUpdate.id)).all()
        session.expunge_all()
        return list(rows)


@pytest.mark.parametrize(
    ("text", "ok"),
    [
        ("madre@correo.example", True),
        (" a.b+c@sub.example.org ", True),
        ("+34 600 000 000", False),
        ("no-at-sign.example", False),
        ("two@@example.org", False),
        ("a@b", False),
        ("Name <a@example.org>", False),
        ("", False),
        (None, False),
    ],
)
def test_what_counts_as_an_email_address(text: str | None, ok: bool) -> None:
    assert is_email(text) is ok


def test_updates_need_an_email_contact_and_are_off_by_default(cases: Cases) -> None:
    phone, _ = cases.create(contact="+34 600 000 000")
    assert cases.email_updates(phone.number) is False
    with pytest.raises(InputError) as raised:
        cases.set_email_updates(phone.number, True)
    assert raised.value.code == "no_email_contact"
    cases.set_contact(phone.number, ADDRESS)
    cases.set_email_updates(phone.number, True)
    assert cases.email_updates(phone.number) is True
    assert [e.data for e in cases.custody_log(phone.number) if e.kind == "case.updates_set"] == [
        {"email": True}
    ]


def test_the_hotlines_changes_owe_one_update_and_the_victims_own_none(
    cases: Cases, db: Database
) -> None:
    case, _ = cases.create(language="es", contact=ADDRESS)
    quiet, _ = cases.create(language="es", contact="otra@correo.example")  # did not ask
    cases.set_email_updates(case.number, True)
    [item] = cases.add_hashes(case.number, [HashReport(PDQ_A, 90)])  # her own: nothing owed
    cases.add_urls(case.number, ["https://www.tiktok.com/@x/video/1"])
    assert _rows(db) == []
    cases.review_item(case.number, item.id, "confirm", actor="analyst:ana")
    cases.set_status(case.number, "closed", actor="analyst:ana")  # coalesces with the first
    cases.set_status(quiet.number, "closed", actor="analyst:ana")
    [row] = _rows(db)
    assert (row.case_id, row.sent_at, row.attempts) == (case.id, None, 0)


def _mail(raw: bytes) -> Message:
    return message_from_bytes(raw, policy=policy.default)


def test_the_mailer_sends_a_mail_that_says_nothing_of_the_case(
    cases: Cases, db: Database, settings: Settings, smtp: SmtpServer
) -> None:
    smtp.start()
    try:
        case, _ = cases.create(language="es", contact=ADDRESS)
        cases.set_email_updates(case.number, True)
        cases.add_urls(case.number, ["https://www.tiktok.com/@perfil/video/7301"])
        cases.set_status(case.number, "in_progress", actor="analyst:ana")
        mailer = CaseMailer(db, settings)
        assert mailer.send_due() == 1
        assert mailer.send_due() == 0  # sent once
    finally:
        smtp.stop()
    [(sender, recipients, raw)] = smtp.inbox.messages
    assert (sender, recipients) == ("ayuda@hotline.example", [ADDRESS])
    mail = _mail(raw)
    body = str(mail.get_payload(decode=True), "utf-8")
    assert mail["Subject"] == "Línea de prueba: hay novedades en su caso"
    assert "https://bouclier.example/case/login" in body
    for secret in (case.number, "tiktok", "7301", "in_progress", "en curso"):
        assert secret not in body
        assert secret not in str(mail["Subject"])
    [row] = _rows(db)
    assert row.sent_at is not None
    assert row.last_error is None


def test_an_update_is_retried_until_the_server_takes_it(
    cases: Cases, db: Database, settings: Settings, smtp: SmtpServer
) -> None:
    case, _ = cases.create(language="fr", contact=ADDRESS)
    cases.set_email_updates(case.number, True)
    cases.set_status(case.number, "in_progress", actor="analyst:ana")
    mailer = CaseMailer(db, settings)
    now = utcnow()
    assert mailer.send_due(now) == 0  # the server is down: kept, to retry
    [row] = _rows(db)
    assert (row.attempts, row.sent_at, row.failed_at) == (1, None, None)
    assert row.last_error == "SMTP: ConnectionRefusedError"
    assert row.next_attempt_at > now
    assert mailer.send_due(now + timedelta(seconds=30)) == 0  # not due yet: not tried
    assert _rows(db)[0].attempts == 1
    smtp.start()
    try:
        assert mailer.send_due(now + timedelta(minutes=2)) == 1
    finally:
        smtp.stop()
    assert len(smtp.inbox.messages) == 1
    assert _mail(smtp.inbox.messages[0][2])["Subject"].startswith("Línea de prueba : du nouveau")
    # the next change owes a new update
    cases.set_status(case.number, "closed", actor="analyst:ana")
    assert len(_rows(db)) == 2


def test_an_update_gives_up_after_its_attempts_and_when_turned_off(
    cases: Cases, db: Database, settings: Settings
) -> None:
    case, _ = cases.create(contact=ADDRESS)
    cases.set_email_updates(case.number, True)
    cases.set_status(case.number, "in_progress", actor="analyst:ana")
    mailer = CaseMailer(db, settings)
    moment = utcnow()
    for _ in range(MAX_ATTEMPTS):
        mailer.send_due(moment)
        moment += timedelta(days=1)
    [row] = _rows(db)
    assert row.attempts == MAX_ATTEMPTS
    assert row.failed_at is not None  # recorded, not dropped
    cases.set_status(case.number, "closed", actor="analyst:ana")
    cases.set_email_updates(case.number, False)  # she stopped them before it went
    mailer.send_due(moment)
    assert _rows(db)[1].last_error == "updates turned off"
    assert _rows(db)[1].failed_at is not None
