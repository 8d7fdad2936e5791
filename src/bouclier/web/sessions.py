"""Who a page is talking to: the sign-in sessions of the portal and the console, their cookies,
and the CSRF tokens that every POST form carries.

- **Sessions** (table ``web_sessions``, kept by :class:`~bouclier.accounts.sessions.WebSessions`):
  a random token in an HttpOnly, SameSite=Lax cookie (Secure
  over https), of which only the SHA-256 is stored; one subject, a case (:data:`VICTIM`: 2 hours
  idle) or an analyst (:data:`ANALYST`: 8 hours idle); the expiry slides with use. A session
  carries its own CSRF token. :func:`open_session` always makes a new token (no fixation).
- **CSRF**: every POST is checked with :func:`csrf_ok` before anything else. In a session, the
  form's token must be the session's; before one (creating a case, logging in), it must equal the
  ``bouclier_csrf`` cookie (double submit), which :func:`bouclier.web.common.render` sets when it
  is missing (:func:`form_token`). A cross-site ``Origin`` is refused too.

How a page uses them: the worked example of :mod:`bouclier.web.common`.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import timedelta
from urllib.parse import urlsplit

from fastapi import Request
from fastapi.responses import Response

from bouclier.accounts.sessions import SessionInfo, WebSessions

CSRF_COOKIE = "bouclier_csrf"
CSRF_FIELD = "csrf_token"


@dataclass(frozen=True, slots=True)
class SessionKind:
    """A kind of session: its cookie and how long it lives without use."""

    cookie: str
    idle: timedelta
    subject: str  # "case" or "analyst"


VICTIM = SessionKind("bouclier_case", timedelta(hours=2), "case")
ANALYST = SessionKind("bouclier_console", timedelta(hours=8), "analyst")


def set_cookie(
    request: Request,
    response: Response,
    name: str,
    value: str,
    *,
    max_age: int | None,
    samesite: str,
) -> None:
    """A cookie of the pages: HttpOnly, for the whole site, Secure when served over https."""
    response.set_cookie(
        name,
        value,
        max_age=max_age,
        path="/",
        secure=request.url.scheme == "https",
        httponly=True,
        samesite=samesite,  # type: ignore[arg-type]
    )


# --- sessions ----------------------------------------------------------------------------------


def _sessions(request: Request) -> WebSessions:
    """The sign-in sessions' store, on the API's database."""
    return WebSessions(request.app.state.services.db)


def open_session(
    request: Request,
    response: Response,
    kind: SessionKind,
    *,
    case_id: int | None = None,
    analyst_id: int | None = None,
) -> SessionInfo:
    """Starts a session for one subject and sets its cookie on ``response``; the browser's
    previous session of this kind, if any, is ended."""
    if (case_id is None) == (analyst_id is None) or (
        (case_id is None) != (kind.subject == "analyst")
    ):
        raise ValueError("a session has exactly one subject, of its kind")
    info, token = _sessions(request).open(
        kind.idle,
        previous=request.cookies.get(kind.cookie),
        case_id=case_id,
        analyst_id=analyst_id,
    )
    set_cookie(request, response, kind.cookie, token, max_age=None, samesite="lax")
    return info


def current_session(request: Request, kind: SessionKind) -> SessionInfo | None:
    """The request's live session of this kind (its expiry moved on), or None."""
    token = request.cookies.get(kind.cookie)
    if not token:
        return None
    return _sessions(request).current(token, kind.idle, subject=kind.subject)


def end_session(request: Request, response: Response, kind: SessionKind) -> None:
    """Deletes the request's session of this kind and its cookie."""
    token = request.cookies.get(kind.cookie)
    if token:
        _sessions(request).end(token)
    response.delete_cookie(kind.cookie, path="/")


# --- CSRF --------------------------------------------------------------------------------------


def form_token(request: Request, session: SessionInfo | None) -> tuple[str, bool]:
    """The CSRF token a page's forms carry: the session's, else the pre-session cookie's; a new
    one where that cookie is missing or short, then ``True``: set it (:func:`set_csrf_cookie`)."""
    if session is not None:
        return session.csrf_token, False
    token = request.cookies.get(CSRF_COOKIE) or ""
    if len(token) < 32:
        return secrets.token_urlsafe(32), True
    return token, False


def set_csrf_cookie(request: Request, response: Response, token: str) -> None:
    """The pre-session token's cookie (double submit), for this browser session only."""
    set_cookie(request, response, CSRF_COOKIE, token, max_age=None, samesite="strict")


def csrf_ok(request: Request, submitted: str, session: SessionInfo | None) -> bool:
    """Whether a POST may proceed: same-origin (when the browser says), and the form's token is
    the session's, or, before a session, the pre-session cookie's."""
    origin = request.headers.get("origin")
    if origin and origin != "null" and urlsplit(origin).netloc != request.headers.get("host", ""):
        return False
    expected = session.csrf_token if session is not None else request.cookies.get(CSRF_COOKIE)
    if not expected or not submitted or len(submitted) > 200:
        return False
    return secrets.compare_digest(expected.encode(), submitted.encode())
