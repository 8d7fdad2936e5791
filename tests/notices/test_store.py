"""Notices of a case: created, sent by email or webhook, answered, reminded, expired, logged."""

from __future__ import annotations

import email
import email.policy
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from bouclier.cases import Cases
from bouclier.errors import Conflict, InputError, NotFound
from bouclier.notices import NoticeNotSent, Notices
from bouclier.notices.laws.pharos import FORM as PHAROS_FORM
from bouclier.settings import Settings
from bouclier.storage import Database
from bouclier.storage.models import Notice, WebhookDelivery, utcnow
from tests.notices.conftest import (
    PDQ_A,
    SHA_A,
    URL,
    CaseWithUrl,
    SmtpServer,
    make_settings,
    open_case,
)

ANALYST = "analyst:Marie Dupont"


def kinds(cases: Cases, number: str) -> list[str]:
    return [entry.kind for entry in cases.custody_log(number)]


def test_create_a_draft_and_log_it(notices: Notices, cases: Cases, case: CaseWithUrl) -> None:
    notice = notices.create(
        case.number, case.url_item, "dsa", "email", "dsa@platform.example", actor=ANALYST
    )
    assert notice.reference.startswith("N-")
    assert len(notice.reference) == 12
    assert notice.status == "draft"
    assert notice.platform == "instagram"
    assert notice.url == URL
    assert notice.signer == "Marie Dupont"
    assert notice.case_number == case.number
    assert notice.deadline_at is None
    assert kinds(cases, case.number)[-1] == "notice.created"
    assert cases.verify(case.number).ok
    assert notices.get(notice.reference.lower()) == notice
    assert notices.list(case_number=case.number) == [notice]
    assert notices.list(status="sent") == []
    text = notices.render(notice.reference, "text").decode()
    assert notice.reference in text
    assert URL in text


def test_one_open_notice_per_url_and_law(notices: Notices, case: CaseWithUrl) -> None:
    first = notices.create(
        case.number, case.url_item, "dsa", recipient="a@p.example", actor=ANALYST
    )
    with pytest.raises(Conflict) as caught:
        notices.create(case.number, case.url_item, "dsa", recipient="b@p.example", actor=ANALYST)
    assert caught.value.code == "notice_exists"
    assert first.reference in caught.value.message
    # another law is another notice
    notices.create(
        case.number, case.url_item, "take_it_down", recipient="a@p.example", actor=ANALYST
    )


def test_create_refuses_what_is_wrong(notices: Notices, cases: Cases, case: CaseWithUrl) -> None:
    with pytest.raises(InputError):
        notices.create(case.number, case.url_item, "dmca", recipient="a@p.example", actor=ANALYST)
    with pytest.raises(NotFound):
        notices.create("BQ-0000-0000", case.url_item, "dsa", recipient="a@p.ex", actor=ANALYST)
    with pytest.raises(NotFound):
        notices.create(case.number, 999_999, "dsa", recipient="a@p.example", actor=ANALYST)
    hash_item = next(i for i in cases.items(case.number) if i.kind == "hash")
    with pytest.raises(InputError, match="URL item"):
        notices.create(case.number, hash_item.id, "dsa", recipient="a@p.example", actor=ANALYST)
    with pytest.raises(InputError, match="email address"):
        notices.create(case.number, case.url_item, "dsa", "email", "nobody", actor=ANALYST)
    with pytest.raises(InputError, match="channel"):
        notices.create(case.number, case.url_item, "dsa", "fax", "a@p.example", actor=ANALYST)
    # no directory entry for instagram: the analyst must give the address
    with pytest.raises(InputError, match="no notice address configured for instagram"):
        notices.create(case.number, case.url_item, "dsa", actor=ANALYST)
    with pytest.raises(NotFound):
        notices.get("N-NOTAREF")


def test_the_directory_file_gives_the_address(
    db: Database, tmp_path: Path, smtp: SmtpServer, cases: Cases, case: CaseWithUrl
) -> None:
    directory = tmp_path / "platforms.toml"
    directory.write_text(
        '[platforms.instagram]\nchannel = "email"\naddress = "ncii@instagram.example"\n'
    )
    store = Notices(db, make_settings(tmp_path, smtp.port, platforms_file=directory), cases)
    notice = store.create(case.number, case.url_item, "take_it_down", actor=ANALYST)
    assert (notice.channel, notice.recipient) == ("email", "ncii@instagram.example")
    directory.write_text('[platforms.instagram]\nchannel = "email"\naddress = "no"\n')
    with pytest.raises(Exception, match="BOUCLIER_PLATFORMS_FILE"):
        store.create(case.number, case.url_item, "dsa", actor=ANALYST)


def test_pharos_goes_to_its_form_unless_an_address_is_agreed(
    db: Database, tmp_path: Path, smtp: SmtpServer, notices: Notices, cases: Cases
) -> None:
    case = open_case(cases)
    notice = notices.create(case.number, case.url_item, "pharos", actor=ANALYST)
    assert (notice.channel, notice.recipient) == ("form", PHAROS_FORM)
    filed = notices.send(notice.reference, actor=ANALYST)
    assert filed.status == "sent"
    assert smtp.inbox.messages == []
    assert cases.custody_log(case.number)[-1].data["filed_by_hand"] is True
    other = open_case(cases, url="https://example.org/photo/1")
    agreed = Notices(db, make_settings(tmp_path, smtp.port, pharos_email="pharos@agreed.example"))
    notice = agreed.create(other.number, other.url_item, "pharos", actor=ANALYST)
    assert (notice.channel, notice.recipient) == ("email", "pharos@agreed.example")


def test_send_by_email_to_a_real_smtp_server(
    notices: Notices, cases: Cases, case: CaseWithUrl, smtp: SmtpServer
) -> None:
    smtp.start()
    notice = notices.create(
        case.number, case.url_item, "take_it_down", recipient="ncii@platform.example", actor=ANALYST
    )
    before = utcnow()
    sent = notices.send(notice.reference, actor="analyst:Jean Martin")
    assert sent.status == "sent"
    assert sent.sent_at is not None
    assert sent.sent_at >= before
    assert sent.deadline_at == sent.sent_at + timedelta(hours=48)
    assert sent.signer == "Jean Martin"
    assert sent.last_error is None
    [(sender, recipients, raw)] = smtp.inbox.messages
    assert sender == "notices@hotline.example"
    assert recipients == ["ncii@platform.example"]
    message = email.message_from_bytes(raw, policy=email.policy.default)
    assert notice.reference in str(message["Subject"])
    assert message["To"] == "ncii@platform.example"
    text = message.get_body(preferencelist=("plain",))
    html = message.get_body(preferencelist=("html",))
    assert text is not None
    assert html is not None
    assert "/s/ Jean Martin" in text.get_content()
    assert URL in text.get_content()
    assert PDQ_A in text.get_content()
    assert SHA_A in text.get_content()
    assert notice.reference in html.get_content()
    [attachment] = list(message.iter_attachments())
    assert attachment.get_content_type() == "application/pdf"
    assert attachment.get_filename() == f"{notice.reference}.pdf"
    assert attachment.get_content().startswith(b"%PDF")
    entry = cases.custody_log(case.number)[-1]
    assert entry.kind == "notice.sent"
    assert entry.data["notice"] == notice.reference
    assert entry.data["channel"] == "email"
    assert cases.verify(case.number).ok
    with pytest.raises(Conflict):
        notices.send(notice.reference, actor=ANALYST)
    assert len(smtp.inbox.messages) == 1


def test_smtp_down_keeps_the_draft_with_its_error_then_it_is_sent(
    notices: Notices, cases: Cases, case: CaseWithUrl, smtp: SmtpServer
) -> None:
    notice = notices.create(
        case.number, case.url_item, "dsa", recipient="dsa@platform.example", actor=ANALYST
    )
    with pytest.raises(NoticeNotSent, match="could not be sent"):
        notices.send(notice.reference, actor=ANALYST)
    kept = notices.get(notice.reference)
    assert kept.status == "draft"
    assert kept.last_error is not None
    assert "127.0.0.1" in kept.last_error
    assert kept.sent_at is None
    assert "notice.sent" not in kinds(cases, case.number)
    smtp.start()
    sent = notices.send(notice.reference, actor=ANALYST)
    assert sent.status == "sent"
    assert sent.last_error is None
    assert len(smtp.inbox.messages) == 1
    assert cases.verify(case.number).ok


def test_no_smtp_server_configured_is_a_clear_error(
    db: Database, tmp_path: Path, cases: Cases, case: CaseWithUrl
) -> None:
    store = Notices(db, make_settings(tmp_path, 25, smtp_host=None))
    notice = store.create(case.number, case.url_item, "dsa", recipient="a@p.example", actor=ANALYST)
    with pytest.raises(NoticeNotSent, match="BOUCLIER_SMTP_HOST"):
        store.send(notice.reference, actor=ANALYST)
    assert store.get(notice.reference).status == "draft"


def test_webhook_channel_writes_a_delivery(
    db: Database, notices: Notices, cases: Cases, case: CaseWithUrl
) -> None:
    from bouclier.webhooks import WebhookStore

    notice = notices.create(
        case.number, case.url_item, "dsa", "webhook", "instagram-notices", actor=ANALYST
    )
    with pytest.raises(NoticeNotSent, match="webhook"):
        notices.send(notice.reference, actor=ANALYST)
    assert notices.get(notice.reference).status == "draft"
    WebhookStore(db).create("instagram-notices", "https://ex.social/n", ["takedown.requested"])
    sent = notices.send(notice.reference, actor=ANALYST)
    assert sent.status == "sent"
    with db.transaction() as session:
        deliveries = session.scalars(select(WebhookDelivery)).all()
        assert [d.event for d in deliveries] == ["takedown.requested"]
        payload = deliveries[0].payload
    assert notice.reference in payload
    assert PDQ_A not in payload  # hashes travel by the bank's own events
    entry = cases.custody_log(case.number)[-1]
    assert entry.data["deliveries"] == [deliveries[0].id]


@pytest.mark.parametrize(
    ("path", "allowed"),
    [
        (["acknowledged", "removed"], True),
        (["acknowledged", "refused"], True),
        (["removed"], True),
        (["refused"], True),
        (["acknowledged", "acknowledged"], False),
        (["removed", "acknowledged"], False),
        (["refused", "removed"], False),
    ],
)
def test_answers_follow_the_allowed_transitions(
    notices: Notices, cases: Cases, case: CaseWithUrl, path: list[str], allowed: bool
) -> None:
    notice = notices.create(case.number, case.url_item, "dsa", "form", PHAROS_FORM, actor=ANALYST)
    with pytest.raises(Conflict):
        notices.record_answer(notice.reference, "acknowledged", actor=ANALYST)  # still a draft
    notices.send(notice.reference, actor=ANALYST)
    *first, last = path
    for status in first:
        notices.record_answer(notice.reference, status, "ticket 42", actor=ANALYST)
    if allowed:
        answered = notices.record_answer(notice.reference, last, actor=ANALYST)
        assert answered.status == last
        assert answered.answered_at is not None
    else:
        with pytest.raises(Conflict):
            notices.record_answer(notice.reference, last, actor=ANALYST)
    log = cases.custody_log(case.number)
    answered_entries = [e for e in log if e.kind == "notice.answered"]
    assert len(answered_entries) == len(path) - (0 if allowed else 1)
    assert cases.verify(case.number).ok
    with pytest.raises(InputError):
        notices.record_answer(notice.reference, "sent", actor=ANALYST)


def test_a_closed_notice_can_be_followed_by_another(notices: Notices, case: CaseWithUrl) -> None:
    notice = notices.create(case.number, case.url_item, "dsa", "form", PHAROS_FORM, actor=ANALYST)
    notices.send(notice.reference, actor=ANALYST)
    notices.record_answer(notice.reference, "refused", "not illegal, they say", actor=ANALYST)
    again = notices.create(case.number, case.url_item, "dsa", "form", PHAROS_FORM, actor=ANALYST)
    assert again.reference != notice.reference


def test_sweep_reminds_once_at_half_time_and_expires_after_the_deadline(
    notices: Notices, cases: Cases, case: CaseWithUrl, smtp: SmtpServer
) -> None:
    smtp.start()
    notice = notices.create(
        case.number, case.url_item, "dsa", recipient="dsa@platform.example", actor=ANALYST
    )
    start = utcnow()
    notices.send(notice.reference, actor=ANALYST, now=start)
    assert len(smtp.inbox.messages) == 1

    early = notices.sweep(start + timedelta(hours=23))
    assert (early.reminded, early.expired) == ((), ())
    assert notices.overdue(start + timedelta(hours=23)) == []

    half = notices.sweep(start + timedelta(hours=24, minutes=1))
    assert half.reminded == (notice.reference,)
    assert len(smtp.inbox.messages) == 2
    reminder = email.message_from_bytes(smtp.inbox.messages[1][2], policy=email.policy.default)
    assert str(reminder["Subject"]).strip().startswith("Reminder: ")
    assert notice.reference in str(reminder["Subject"])
    info = notices.get(notice.reference)
    assert info.reminders == 1
    assert info.last_reminder_at == start + timedelta(hours=24, minutes=1)

    again = notices.sweep(start + timedelta(hours=30))
    assert again.reminded == ()
    assert len(smtp.inbox.messages) == 2

    late = start + timedelta(hours=48, seconds=1)
    assert [n.reference for n in notices.overdue(late)] == [notice.reference]
    done = notices.sweep(late)
    assert done.expired == (notice.reference,)
    assert done.reminded == ()
    assert notices.get(notice.reference).status == "expired"
    assert notices.sweep(late + timedelta(hours=1)).expired == ()
    assert [n.reference for n in notices.overdue(late)] == [notice.reference]
    # a late removal is still recorded
    assert notices.record_answer(notice.reference, "removed", actor=ANALYST).status == "removed"
    assert notices.overdue(late) == []

    log = kinds(cases, case.number)
    assert log.count("notice.reminded") == 1
    assert log.count("notice.expired") == 1
    assert log[-4:] == ["notice.sent", "notice.reminded", "notice.expired", "notice.answered"]
    assert cases.verify(case.number).ok


def test_a_failed_reminder_is_retried(
    notices: Notices, case: CaseWithUrl, smtp: SmtpServer
) -> None:
    smtp.start()
    notice = notices.create(
        case.number, case.url_item, "dsa", recipient="dsa@platform.example", actor=ANALYST
    )
    start = utcnow()
    notices.send(notice.reference, actor=ANALYST, now=start)
    smtp.stop()
    failed = notices.sweep(start + timedelta(hours=25))
    assert [ref for ref, _ in failed.failed] == [notice.reference]
    assert notices.get(notice.reference).reminders == 0
    assert notices.get(notice.reference).last_error is not None
    smtp.start()
    assert notices.sweep(start + timedelta(hours=26)).reminded == (notice.reference,)


def test_acknowledged_notices_expire_too(notices: Notices, case: CaseWithUrl, db: Database) -> None:
    notice = notices.create(case.number, case.url_item, "dsa", "form", PHAROS_FORM, actor=ANALYST)
    start = utcnow()
    notices.send(notice.reference, actor=ANALYST, now=start)
    notices.record_answer(notice.reference, "acknowledged", actor=ANALYST)
    assert notices.sweep(start + timedelta(hours=25)).reminded == (notice.reference,)
    assert notices.sweep(start + timedelta(hours=49)).expired == (notice.reference,)


def test_the_deadline_is_a_setting(
    db: Database, tmp_path: Path, smtp: SmtpServer, cases: Cases, case: CaseWithUrl
) -> None:
    store = Notices(db, make_settings(tmp_path, smtp.port, notice_deadline_hours=24))
    notice = store.create(case.number, case.url_item, "dsa", "form", PHAROS_FORM, actor=ANALYST)
    sent = store.send(notice.reference, actor=ANALYST)
    assert sent.sent_at is not None
    assert sent.deadline_at == sent.sent_at + timedelta(hours=24)
    assert "within 24 hours" in store.render(notice.reference, "text").decode()


def test_withdrawal_deletes_the_notices(
    notices: Notices, cases: Cases, case: CaseWithUrl, db: Database
) -> None:
    notices.create(case.number, case.url_item, "dsa", "form", PHAROS_FORM, actor=ANALYST)
    cases.withdraw(case.number)
    with db.transaction() as session:
        assert session.scalar(select(func.count()).select_from(Notice)) == 0


def test_settings_fail_at_start_when_wrong() -> None:
    from bouclier.errors import ConfigError
    from bouclier.settings import load_settings

    with pytest.raises(ConfigError, match="NOTICE_DEADLINE_HOURS"):
        load_settings(notice_deadline_hours=0)
    with pytest.raises(ConfigError, match="NOTICE_REMINDER_AFTER"):
        load_settings(notice_reminder_after=1.5)
    assert Settings().notice_deadline_hours == 48
