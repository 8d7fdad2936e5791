"""The victim portal's ways in: the home page, opening a case without a name, and coming back to
it with the case number and the secret.

Opening a case goes through the door of :mod:`bouclier.api.intake` (a challenge, per-client and
global limits) before anything is made: ``challenge.js`` solves the form's proof of work while the
person fills it in; without JavaScript the form still works, the challenge then counting once a
few seconds old ("press the button again" if sent at once), and the case is opened unverified
under a tighter limit. The secret is shown once, in the answer to the POST that made it, never in
a URL or a log. Coming back is charged to the secret-guess limiter
(:func:`bouclier.web.common.limiter`) before the secret is checked. Both forms are plain POST
forms checked against the pre-session CSRF cookie (:mod:`bouclier.web.sessions`); the session
either opens is the case's (:mod:`bouclier.web.portal`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import Response

from bouclier.cases.attempts import TooManyAttempts, case_subject
from bouclier.cases.challenge import Challenge
from bouclier.errors import BouclierError, ChallengeFailed, InputError, NotFound
from bouclier.text_input import control_character
from bouclier.web import common, sessions
from bouclier.web.portal import render, signed_in
from bouclier.web.sessions import VICTIM

if TYPE_CHECKING:  # at run time the API's package imports this one (bouclier.api.app)
    from bouclier.api.intake import CaseIntake

router = APIRouter(include_in_schema=False)


# --- opening a case ------------------------------------------------------------------------------


@router.get("/")
def home(request: Request) -> Response:
    return common.render(request, "portal/home.j2")


@router.get("/case/new")
def new_case_form(request: Request) -> Response:
    return _new_form(request, {}, {})


def _new_form(
    request: Request,
    values: dict[str, Any],
    errors: dict[str, str],
    status_code: int = 200,
    challenge: Challenge | None = None,
) -> Response:
    """The form, with a new challenge (or the one it was sent with, when only too early)."""
    filled = {"minor": False, "sextortion": False, "contact": "", "invitation": "", **values}
    filled.setdefault("language", common.negotiate(request))
    return common.render(
        request,
        "portal/new.j2",
        values=filled,
        errors=errors,
        status_code=status_code,
        challenge=challenge or _intake(request).challenges.issue(),
    )


def _intake(request: Request) -> CaseIntake:
    intake: CaseIntake | None = request.app.state.services.intake
    assert intake is not None  # made by Services.start
    return intake


@router.post("/case/new")
def create_case(
    request: Request,
    csrf_token: str = Form(""),
    language: str = Form(""),
    minor: str = Form(""),
    sextortion: str = Form(""),
    contact: str = Form(""),
    invitation: str = Form(""),
    challenge: str = Form(""),
    answer: str = Form(""),
) -> Response:
    if not sessions.csrf_ok(request, csrf_token, None):
        return common.forbidden(request)
    if signed_in(request) is not None:
        # the form sent again (a refresh of the page with the secret, a double tap): one case,
        # never two; to open another, log out first (the case page says so)
        return common.redirect("/case?done=already_open")
    chosen = language if language in common.LANGUAGES else common.negotiate(request)
    is_minor, is_sextortion = common.checkbox(minor, "yes"), common.checkbox(sextortion, "yes")
    if (
        is_minor is None
        or is_sextortion is None
        or control_character(contact, multiline=True)
        or control_character(invitation)
    ):
        return common.bad_form(request)
    values: dict[str, Any] = {
        "language": chosen,
        "minor": is_minor,
        "sextortion": is_sextortion,
        "contact": contact,
        "invitation": invitation,
    }
    # the challenge and the limits, before the secret's argon2 hash (bouclier.api.intake)
    intake = _intake(request)
    try:
        admitted = intake.admit(common.client(request), challenge or None, answer or None)
    except ChallengeFailed as exc:
        if exc.code == "challenge_too_early":  # no JavaScript, and sent at once: press again
            again = Challenge(challenge, intake.challenges.bits, 0, 0)
            return _new_form(request, values, {"challenge": "new.wait"}, 400, again)
        return _new_form(request, values, {"challenge": "new.challenge_again"}, 400)
    except BouclierError as exc:
        if exc.code != "rate_limited":  # bouclier.api.ratelimit.RateLimited
            raise
        return common.too_many(request, float(getattr(exc, "retry_after", 60)))
    try:
        case, secret = common.cases(request).create(
            language=chosen,
            minor=is_minor,
            sextortion=is_sextortion,
            contact=contact or None,
            invitation=invitation.strip() or None,
            verified=admitted.verified,
        )
    except NotFound:
        return _new_form(request, values, {"invitation": "collective.unknown"}, 400)
    except InputError as exc:
        if exc.code != "invalid_contact":
            raise
        return _new_form(request, values, {"contact": "new.error_contact"}, 400)
    response = render(
        request,
        "portal/created.j2",
        number=case.number,
        secret=secret,
        joined=case.collective_id is not None,
    )
    sessions.open_session(request, response, VICTIM, case_id=case.id)
    return response


# --- coming back -------------------------------------------------------------------------------


@router.get("/case/login")
def login_form(request: Request) -> Response:
    expired = request.query_params.get("expired") == "1"
    return common.render(request, "portal/login.j2", number="", error=None, expired=expired)


@router.post("/case/login")
def login(
    request: Request,
    csrf_token: str = Form(""),
    number: str = Form(""),
    secret: str = Form(""),
) -> Response:
    if not sessions.csrf_ok(request, csrf_token, None):
        return common.forbidden(request)
    try:
        case = common.limiter(request).attempt(
            case_subject(number),
            common.client(request),
            lambda: common.cases(request).authenticate(number[:100], secret[:200]),
        )
    except TooManyAttempts as exc:
        return common.too_many(request, exc.retry_after)
    if case is None:
        return common.render(
            request,
            "portal/login.j2",
            number=number[:100],
            error="login.error",
            expired=False,
            status_code=400,
        )
    response = common.redirect("/case")
    sessions.open_session(request, response, VICTIM, case_id=case.id)
    return response
