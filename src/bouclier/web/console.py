"""The analyst console (``/console``): login, the queue, a case's page and its actions (notices
and platform feedback are in :mod:`bouclier.web.console_platforms`, on the helpers here).

Every route needs an analyst's session (:data:`bouclier.web.sessions.ANALYST`) of an account that
is not disabled; without one, a page redirects to the login form and an image answers 401. Every
POST checks the session's CSRF token before anything else (403, nothing changed). Analysts'
decisions go through :class:`~bouclier.cases.Cases` (and the notices and feedback stores), which
write them to the case's custody log with the actor ``analyst:<username>``.

Evidence previews are grayscale and blurred (:mod:`bouclier.web.previews`). Revealing one is a
POST (with the CSRF token): the answer names the revealed image by a proof, an HMAC of the item
made with the session's CSRF token, that the image route checks, so an unblurred image is served
only after a deliberate request in that session. The page shows at most one revealed image; with
JavaScript (``static/console.js``) a click swaps it in place and blurs the one revealed before.
A case's contact details are decrypted only when an analyst asks (a POST), and never put in a URL.
Preview bytes are never logged; every console answer is ``Cache-Control: no-store``.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, Form, Request
from fastapi.responses import JSONResponse, Response

from bouclier.accounts.analysts import AnalystInfo, Analysts
from bouclier.accounts.sessions import SessionInfo
from bouclier.cases import ItemInfo
from bouclier.cases.attempts import TooManyAttempts
from bouclier.cases.credentials import canonical_number
from bouclier.cases.custody import Entry
from bouclier.errors import BouclierError, MediaError, NotFound
from bouclier.media import Limits
from bouclier.notices import Notices
from bouclier.notices.info import TRANSITIONS
from bouclier.notices.laws import LAWS
from bouclier.notices.render import render_text
from bouclier.storage.models import utcnow
from bouclier.vocabulary import CASE_STATUSES_SET_BY_ANALYSTS, NOTICE_ANSWERS, NOTICE_LAWS
from bouclier.web import common, events, previews, sessions

router = APIRouter(prefix="/console", include_in_schema=False)

LOGIN = "/console/login"
#: The outcomes a redirect after an action may announce (``?done=``), each a ``console.done.*``.
DONE = (
    "item_confirmed",
    "item_rejected",
    "merged",
    "status_set",
    "notice_created",
    "notice_sent",
    "answer_recorded",
    "feedback_confirmed",
    "feedback_rejected",
    "claimed",
    "assigned",
    "notice_filed",
    "notices_bulk",
)
#: the counts a bulk of notices announces (``?made=&sent=&to_file=&failed=``), digits only
_BULK_COUNTS = ("made", "sent", "to_file", "failed")
_ERROR_CODE = re.compile(r"[a-z][a-z0-9_.]{0,59}")


# --- sessions ----------------------------------------------------------------------------------


def analyst_session(request: Request) -> tuple[SessionInfo, AnalystInfo] | None:
    """The request's analyst session and its account, if live and not disabled."""
    session = sessions.current_session(request, sessions.ANALYST)
    if session is None or session.analyst_id is None:
        return None
    try:
        analyst = Analysts(_db(request)).get(session.analyst_id)
    except NotFound:
        return None
    if analyst.disabled_at is not None:
        return None
    return session, analyst


def _db(request: Request) -> Any:
    return request.app.state.services.db


def checked_post(request: Request, csrf_token: str) -> tuple[SessionInfo, AnalystInfo] | Response:
    """A POST's session and analyst, or the answer to give instead (login, or 403 on CSRF)."""
    found = analyst_session(request)
    if found is None:
        return common.redirect(LOGIN)
    if not sessions.csrf_ok(request, csrf_token, found[0]):
        return common.forbidden(request)
    return found


def page(
    request: Request, template: str, found: tuple[SessionInfo, AnalystInfo], **context: Any
) -> Response:
    """A console page; ``?done=`` names a known outcome, ``?error=`` an error code (anything
    else in them is ignored: a crafted link cannot put words on the page)."""
    session, analyst = found
    done = request.query_params.get("done")
    error = request.query_params.get("error") or ""
    return common.render(
        request,
        template,
        session=session,
        analyst=analyst,
        message=done if done in DONE else None,
        error=error if _ERROR_CODE.fullmatch(error) else None,
        **context,
    )


def back_to_case(
    number: str, *, done: str | None = None, error: BouclierError | None = None
) -> Response:
    url = f"/console/cases/{quote(number)}"
    if error is not None:
        url += f"?error={quote(error.code)}"
    elif done is not None:
        url += f"?done={quote(done)}"
    return common.redirect(url)


# --- login -------------------------------------------------------------------------------------


@router.get("/login")
def login_form(request: Request) -> Response:
    if analyst_session(request) is not None:
        return common.redirect("/console")
    return common.render(request, "console/login.j2", failed=False)


@router.post("/login")
def login(
    request: Request,
    username: str = Form(""),
    password: str = Form(""),
    csrf_token: str = Form(""),
) -> Response:
    if not sessions.csrf_ok(request, csrf_token, None):
        return common.forbidden(request)
    subject = "analyst:" + username.strip().lower()[:64]
    try:
        analyst = common.limiter(request).attempt(
            subject,
            common.client(request),
            lambda: Analysts(_db(request)).authenticate(username, password),
        )
    except TooManyAttempts as exc:
        return common.too_many(request, exc.retry_after)
    if analyst is None:
        return common.render(request, "console/login.j2", status_code=401, failed=True)
    response = common.redirect("/console")
    sessions.open_session(request, response, sessions.ANALYST, analyst_id=analyst.id)
    return response


@router.post("/logout")
def logout(request: Request, csrf_token: str = Form("")) -> Response:
    found = checked_post(request, csrf_token)
    if isinstance(found, Response):
        return found
    response = common.redirect(LOGIN)
    sessions.end_session(request, response, sessions.ANALYST)
    return response


# --- a case ------------------------------------------------------------------------------------


def _reveal_proof(session: SessionInfo, number: str, item_id: int) -> str:
    message = f"reveal\0{number}\0{item_id}".encode()
    return hmac.new(session.csrf_token.encode(), message, hashlib.sha256).hexdigest()[:32]


def _case_page(
    request: Request,
    found: tuple[SessionInfo, AnalystInfo],
    number: str,
    *,
    revealed: int | None = None,
    contact: str | None = None,
    contact_shown: bool = False,
) -> Response:
    cases = common.cases(request)
    info = cases.get(number)
    if info.number != number:
        return common.redirect(f"/console/cases/{quote(info.number)}")
    items = cases.items(number)
    evidence_ids = {item.id for item in items if item.media_type is not None}
    if revealed not in evidence_ids:
        revealed = None
    log: list[Entry] = cases.custody_log(number)
    now = utcnow()
    service = notices_service(request)
    notices = service.list(case_number=info.number)
    session = found[0]
    from bouclier.web.captures import rows as capture_rows

    words = common.locale(common.negotiate(request))
    bulk = {
        key: int(value)
        for key in _BULK_COUNTS
        if (value := request.query_params.get(key, "")).isdigit() and len(value) <= 6
    }
    return page(
        request,
        "console/case.j2",
        found,
        captures=capture_rows(request, info.number),
        case=info,
        items=items,
        urls=[item for item in items if item.kind == "url"],
        revealed=revealed,
        reveal_src=(
            f"/console/cases/{quote(number)}/items/{revealed}/preview"
            f"?proof={_reveal_proof(session, number, revealed)}"
            if revealed is not None
            else None
        ),
        reuploads=cases.reuploads(number),
        video_matches=cases.video_matches(number),
        log=log,
        events=events.readable(log, words),
        analysts=assignable_analysts(request),
        form_texts={
            n.reference: render_text(service.data(n.reference))
            for n in notices
            if n.channel == "form" and n.status == "draft"
        },
        bulk=bulk,
        verification=cases.verify(number),
        notices=notices,
        laws=_law_labels(request),
        answers=NOTICE_ANSWERS,
        transitions=TRANSITIONS,
        statuses=CASE_STATUSES_SET_BY_ANALYSTS,
        contact=contact,
        contact_shown=contact_shown,
        now=now,
    )


@router.get("/cases/{number}")
def case_page(
    request: Request, number: str, revealed: int | None = None, proof: str = ""
) -> Response:
    """The case; ``revealed`` and ``proof`` (from a reveal POST's redirect) show that one
    preview revealed; a ``revealed`` without its proof is ignored."""
    found = analyst_session(request)
    if found is None:
        return common.redirect(LOGIN)
    if revealed is not None:
        expected = _reveal_proof(found[0], canonical_number(number) or "", revealed)
        if not hmac.compare_digest(proof.encode(), expected.encode()):
            revealed = None
    try:
        # an analyst looked: an unverified case (no solved challenge, or a burst from one
        # client) takes its place in the queue again (logged once, in its custody log)
        common.cases(request).looked_at(number, actor=found[1].actor)
        return _case_page(request, found, number, revealed=revealed)
    except NotFound:
        return common.render(
            request, "error.j2", session=found[0], status_code=404,
            message_key="console.case_not_found", back_url="/console",
        )  # fmt: skip


@router.post("/cases/{number}/contact")
def show_contact(request: Request, number: str, csrf_token: str = Form("")) -> Response:
    """The page again, with the contact details decrypted (answered to the POST, not in a URL)."""
    found = checked_post(request, csrf_token)
    if isinstance(found, Response):
        return found
    cases = common.cases(request)
    contact = cases.contact(number)
    cases.record_access(number, "case.contact_viewed", actor=found[1].actor)
    return _case_page(request, found, number, contact=contact, contact_shown=True)


@router.get("/cases/{number}/items/{item_id}/preview")
def preview(request: Request, number: str, item_id: int, proof: str = "") -> Response:
    """An evidence item's preview: blurred, or revealed with a proof from a reveal POST."""
    found = analyst_session(request)
    if found is None:
        return Response(status_code=401, headers={"cache-control": "no-store"})
    canonical = common.cases(request).get(number).number
    reveal = bool(proof)
    if reveal and not hmac.compare_digest(
        proof.encode(), _reveal_proof(found[0], canonical, item_id).encode()
    ):
        return Response(status_code=403, headers={"cache-control": "no-store"})
    data, _ = common.cases(request).evidence(canonical, item_id)
    limits = Limits.from_settings(request.app.state.services.settings)
    try:
        image = (
            previews.revealed(data, limits=limits)
            if reveal
            else previews.blurred(data, limits=limits)
        )
    except MediaError:
        return Response(status_code=415, headers={"cache-control": "no-store"})
    return Response(
        image,
        media_type=previews.MEDIA_TYPE,
        headers={"cache-control": "no-store", "content-disposition": "inline"},
    )


@router.post("/cases/{number}/items/{item_id}/reveal")
def reveal(request: Request, number: str, item_id: int, csrf_token: str = Form("")) -> Response:
    """Reveals one evidence preview: JSON ``{"src"}`` for console.js, else the page with it."""
    found = checked_post(request, csrf_token)
    if isinstance(found, Response):
        return found
    cases = common.cases(request)
    canonical = cases.get(number).number
    if not any(i.id == item_id and i.media_type for i in cases.items(canonical)):
        return back_to_case(canonical, error=NotFound("no such evidence", code="item_not_found"))
    cases.record_access(canonical, "evidence.revealed", actor=found[1].actor, item_id=item_id)
    if "application/json" in request.headers.get("accept", ""):
        src = (
            f"/console/cases/{quote(canonical)}/items/{item_id}/preview"
            f"?proof={_reveal_proof(found[0], canonical, item_id)}"
        )
        return JSONResponse({"src": src}, headers={"cache-control": "no-store"})
    proof = _reveal_proof(found[0], canonical, item_id)
    return common.redirect(
        f"/console/cases/{quote(canonical)}?revealed={item_id}&proof={proof}#item-{item_id}"
    )


@router.post("/cases/{number}/items/{item_id}/review")
def review(
    request: Request,
    number: str,
    item_id: int,
    decision: str = Form(""),
    confirmed: str = Form(""),
    csrf_token: str = Form(""),
) -> Response:
    """Confirms or rejects an item. Rejecting allow-lists its hash for every platform (it joins
    the known-false-positive bank): it takes ``confirmed=1``, which only the confirmation page
    (:func:`reject_page`) sends; without it, the answer is that page."""
    found = checked_post(request, csrf_token)
    if isinstance(found, Response):
        return found
    sure = common.checkbox(confirmed, "1")
    if sure is None:
        return common.bad_form(request)
    if decision == "reject" and not sure:
        return common.redirect(f"/console/cases/{quote(number)}/items/{item_id}/reject")
    try:
        common.cases(request).review_item(number, item_id, decision, actor=found[1].actor)
    except BouclierError as exc:
        return back_to_case(number, error=exc)
    request.app.state.services.refresh_matcher()  # this process matches with it at once
    return back_to_case(
        number, done="item_" + ("confirmed" if decision == "confirm" else "rejected")
    )


@router.get("/cases/{number}/items/{item_id}/reject")
def reject_page(request: Request, number: str, item_id: int) -> Response:
    """Asks before rejecting an item: what it does (the hash is allow-listed for every
    platform), with the item, a confirm button and a way back."""
    found = analyst_session(request)
    if found is None:
        return common.redirect(LOGIN)
    cases = common.cases(request)
    item: ItemInfo | None = None
    try:
        info = cases.get(number)
        item = next((i for i in cases.items(info.number) if i.id == item_id), None)
    except NotFound:
        pass
    if item is None or item.value is None:
        return common.render(
            request, "error.j2", session=found[0], status_code=404,
            message_key="console.case_not_found", back_url="/console",
        )  # fmt: skip
    return page(request, "console/reject.j2", found, case=info, item=item)


@router.post("/cases/{number}/merge")
def merge(
    request: Request, number: str, target: str = Form(""), csrf_token: str = Form("")
) -> Response:
    """Merges this case into ``target`` and goes to it."""
    found = checked_post(request, csrf_token)
    if isinstance(found, Response):
        return found
    try:
        merged = common.cases(request).merge(number, target, actor=found[1].actor)
    except BouclierError as exc:
        return back_to_case(number, error=exc)
    return back_to_case(merged.number, done="merged")


@router.post("/cases/{number}/status")
def set_status(
    request: Request, number: str, status: str = Form(""), csrf_token: str = Form("")
) -> Response:
    found = checked_post(request, csrf_token)
    if isinstance(found, Response):
        return found
    try:
        common.cases(request).set_status(number, status, actor=found[1].actor)
    except BouclierError as exc:
        return back_to_case(number, error=exc)
    return back_to_case(number, done="status_set")


# --- what the case page shows of notices (their routes: bouclier.web.console_platforms) -------


def notices_service(request: Request) -> Notices:
    services = request.app.state.services
    return Notices(services.db, services.settings, common.cases(request))


def _law_labels(request: Request) -> dict[str, str]:
    """Each law's name on the page: the console's words for it in the page's language, else the
    law's own label (a law is added without touching the words)."""
    words = common.locale(common.negotiate(request))
    return {law: words.get(f"console.law.{law}", LAWS[law].label) for law in NOTICE_LAWS}


def assignable_analysts(request: Request) -> list[tuple[int, str]]:
    """The analysts a case can be assigned to: (id, username) of the accounts not disabled."""
    return [(a.id, a.username) for a in Analysts(_db(request)).list() if a.disabled_at is None]
