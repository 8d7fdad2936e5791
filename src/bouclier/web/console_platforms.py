"""The console's work with platforms: takedown notices (create, send, record the answer) and
the false positives platforms report (confirm into the known-false-positive bank, or reject).

Same rules as every console route (:mod:`bouclier.web.console`): an analyst's session, the CSRF
token checked first, the analyst named ``analyst:<username>`` in the custody log (notices write
their events there through :class:`bouclier.notices.Notices`).
"""

from __future__ import annotations

from urllib.parse import quote

from fastapi import APIRouter, Form, Request
from fastapi.responses import Response

from bouclier.errors import BouclierError
from bouclier.feedback import FeedbackStore
from bouclier.web import common
from bouclier.web.console import (
    LOGIN,
    analyst_session,
    back_to_case,
    checked_post,
    notices_service,
    page,
)

router = APIRouter(prefix="/console", include_in_schema=False)


# --- notices -----------------------------------------------------------------------------------


@router.post("/cases/{number}/notices")
def create_notice(
    request: Request,
    number: str,
    item: int = Form(0),
    law: str = Form(""),
    channel: str = Form(""),
    recipient: str = Form(""),
    send: str = Form(""),
    csrf_token: str = Form(""),
) -> Response:
    """Creates a notice for one URL under one law (to the address given, else the directory's),
    and sends it at once when ``send`` is set."""
    found = checked_post(request, csrf_token)
    if isinstance(found, Response):
        return found
    sending = common.checkbox(send, "1")
    if sending is None:
        return common.bad_form(request)
    actor = found[1].actor
    notices = notices_service(request)
    try:
        made = notices.create(
            number,
            item,
            law,
            channel=channel or None,  # none given: guessed from the address (a webhook's name
            recipient=recipient.strip() or None,  # is not taken for an email address)
            actor=actor,
        )
        if sending and made.channel != "form":  # a web form is filed by hand, then marked
            notices.send(made.reference, actor=actor)
    except BouclierError as exc:
        return back_to_case(number, error=exc)
    sent = sending and made.channel != "form"
    return back_to_case(number, done="notice_sent" if sent else "notice_created")


@router.post("/notices/{reference}/send")
def send_notice(request: Request, reference: str, csrf_token: str = Form("")) -> Response:
    found = checked_post(request, csrf_token)
    if isinstance(found, Response):
        return found
    notices = notices_service(request)
    notice = notices.get(reference)
    try:
        notices.send(reference, actor=found[1].actor)
    except BouclierError as exc:
        return back_to_case(notice.case_number, error=exc)
    # a web-form notice is filed by the analyst: "sent" would say Bouclier sent something
    done = "notice_filed" if notice.channel == "form" else "notice_sent"
    return back_to_case(notice.case_number, done=done)


@router.post("/notices/{reference}/answer")
def answer_notice(
    request: Request,
    reference: str,
    status: str = Form(""),
    note: str = Form(""),
    csrf_token: str = Form(""),
) -> Response:
    """Records a platform's answer to a notice: acknowledged, removed or refused."""
    found = checked_post(request, csrf_token)
    if isinstance(found, Response):
        return found
    notices = notices_service(request)
    number = notices.get(reference).case_number
    try:
        notices.record_answer(reference, status, note or None, actor=found[1].actor)
    except BouclierError as exc:
        return back_to_case(number, error=exc)
    return back_to_case(number, done="answer_recorded")


# --- platform feedback on false positives ------------------------------------------------------


def _feedback(request: Request) -> FeedbackStore:
    return FeedbackStore(request.app.state.services.store)


@router.get("/feedback")
def feedback(request: Request) -> Response:
    found = analyst_session(request)
    if found is None:
        return common.redirect(LOGIN)
    pending = _feedback(request).list(status="pending", limit=200)
    return page(request, "console/feedback.j2", found, pending=pending)


@router.post("/feedback/{feedback_id}/review")
def review_feedback(
    request: Request, feedback_id: int, decision: str = Form(""), csrf_token: str = Form("")
) -> Response:
    """Confirms a reported false positive (its hash joins the known-false-positive bank) or
    rejects it (the match stands)."""
    found = checked_post(request, csrf_token)
    if isinstance(found, Response):
        return found
    store = _feedback(request)
    reviewer = found[1].actor
    try:
        if decision == "confirm":
            store.confirm(feedback_id, reviewer=reviewer)
            request.app.state.services.refresh_matcher()
        elif decision == "reject":
            store.reject(feedback_id, reviewer=reviewer)
        else:
            return common.redirect("/console/feedback?error=invalid_decision")
    except BouclierError as exc:
        return common.redirect(f"/console/feedback?error={quote(exc.code)}")
    return common.redirect(f"/console/feedback?done=feedback_{decision}ed")
