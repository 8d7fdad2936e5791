"""Sending a notice by email: text with an HTML alternative, and the PDF attached.

One message per notice, through the SMTP server of the settings (STARTTLS and login when set). A
failure of any kind (server down, refused, timed out) is raised as :class:`NoticeNotSent`, which
the store records on the notice before re-raising it, so the notice stays a draft to retry.
"""

from __future__ import annotations

import smtplib
import ssl
from email.message import EmailMessage
from email.utils import formatdate, make_msgid

from bouclier.errors import ConfigError
from bouclier.notices.content import NoticeData
from bouclier.notices.render import render_html, render_pdf, render_text
from bouclier.settings import Settings


class NoticeNotSent(ConfigError):
    """A notice could not be delivered (SMTP server down or refusing, no webhook); it stays a
    draft with the error recorded, and is retried by the next send."""

    code = "notice_not_sent"


def message(notice: NoticeData, sender: str) -> EmailMessage:
    msg = EmailMessage()
    msg["From"] = sender
    msg["To"] = notice.recipient
    msg["Reply-To"] = notice.hotline.email
    msg["Subject"] = notice.subject
    msg["Date"] = formatdate(usegmt=True)
    msg["Message-ID"] = make_msgid(idstring=notice.reference)
    msg["X-Bouclier-Notice"] = notice.reference
    msg.set_content(render_text(notice))
    msg.add_alternative(render_html(notice), subtype="html")
    msg.add_attachment(
        render_pdf(notice),
        maintype="application",
        subtype="pdf",
        filename=f"{notice.reference}.pdf",
    )
    return msg


def send_email(notice: NoticeData, settings: Settings) -> None:
    """Sends the notice; NoticeNotSent saying why not."""
    if not settings.smtp_host:
        raise NoticeNotSent(
            "no SMTP server is configured (BOUCLIER_SMTP_HOST): the notice stays a draft",
        )
    sender = settings.smtp_from or notice.hotline.email
    msg = message(notice, sender)
    try:
        with smtplib.SMTP(
            settings.smtp_host, settings.smtp_port, timeout=settings.smtp_timeout
        ) as smtp:
            if settings.smtp_starttls:
                smtp.starttls(context=ssl.create_default_context())
            if settings.smtp_user:
                password = (
                    settings.smtp_password.get_secret_value() if settings.smtp_password else ""
                )
                smtp.login(settings.smtp_user, password)
            refused = smtp.send_message(msg)
    except (OSError, smtplib.SMTPException) as exc:
        raise NoticeNotSent(
            f"the notice could not be sent through {settings.smtp_host}:{settings.smtp_port}: "
            f"{type(exc).__name__}: {exc}"
        ) from None
    if refused:
        raise NoticeNotSent(f"the SMTP server refused the recipient: {refused}")
