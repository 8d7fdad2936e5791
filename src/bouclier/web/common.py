"""What the victim portal and the analyst console share: pages, words, sessions, CSRF, headers.

How a page of either uses it (the portal, :mod:`bouclier.web.portal`, is the worked example)::

    from bouclier.web import common

    router = APIRouter(include_in_schema=False)   # web routes stay out of the OpenAPI schema

    @router.get("/console/login")
    def login_form(request: Request) -> Response:
        return common.render(request, "console/login.j2")          # pre-session CSRF cookie set

    @router.post("/console/login")
    def login(request: Request, username: str = Form(""), password: str = Form(""),
              csrf_token: str = Form("")) -> Response:
        if not common.csrf_ok(request, csrf_token, None):
            return common.forbidden(request)                          # 403, changes nothing
        limiter, client = common.limiter(request), common.client(request)
        try:
            limiter.check("analyst:" + username, client)             # charges one attempt
        except TooManyAttempts as exc:
            return common.too_many(request, exc.retry_after)         # 429 + Retry-After
        ...check the password; on success limiter.succeeded("analyst:" + username, client)
        response = common.redirect("/console")
        common.open_session(request, response, common.ANALYST, analyst_id=analyst.id)
        return response

    @router.get("/console")
    def home(request: Request) -> Response:
        session = common.current_session(request, common.ANALYST)
        if session is None:
            return common.redirect("/console/login")
        return common.render(request, "console/home.j2", session=session, queue=...)

- **Templates** are Jinja files under ``web/templates`` (autoescaped, undefined names are errors).
  Extend ``base.j2`` and fill ``{% block title %}`` and ``{% block content %}``; scripts go in
  ``{% block scripts %}`` as ``<script src="/static/...">`` (the CSP forbids inline scripts and
  inline event handlers). Every context has ``t`` (``t("key", name=value)``), ``lang``,
  ``csrf_token`` (put ``<input type="hidden" name="csrf_token" value="{{ csrf_token }}">`` in every
  POST form), ``languages`` and ``lang_url(code)`` (the switch links), ``format_time(dt)``,
  ``short_hash(h)``, ``clock(seconds)``.
- **Cases**: :func:`cases` is the process's :class:`~bouclier.cases.Cases` (on the API's database).
  Pages are plain ``def`` routes (FastAPI runs them in a worker thread: the database calls block).
- **Words** live in ``web/locales/{en,es,fr}.json``, one flat object of ``"area.key": "text"`` each,
  with exactly the same keys (a test checks it): add a key to the three files at once. Text may
  hold ``{name}`` placeholders. A missing key raises, so a test that renders a page finds it.
- **Language**: ``?lang=xx`` (kept in the ``bouclier_lang`` cookie), else that cookie, else
  ``Accept-Language``, else English.
- **Sessions** (table ``web_sessions``, kept by :class:`~bouclier.accounts.sessions.WebSessions`):
  a random token in an HttpOnly, SameSite=Lax cookie (Secure
  over https), of which only the SHA-256 is stored; one subject, a case (:data:`VICTIM`: 2 hours
  idle) or an analyst (:data:`ANALYST`: 8 hours idle); the expiry slides with use. A session
  carries its own CSRF token. :func:`open_session` always makes a new token (no fixation).
- **CSRF**: every POST is checked with :func:`csrf_ok` before anything else. In a session, the
  form's token must be the session's; before one (creating a case, logging in), it must equal the
  ``bouclier_csrf`` cookie (double submit), which :func:`render` sets when it is missing. A
  cross-site ``Origin`` is refused too.
- **Headers**: :class:`SecurityHeaders` (installed for the web paths and ``/static``) adds the
  Content-Security-Policy, ``frame-ancestors 'none'``, ``Referrer-Policy: no-referrer`` and
  ``nosniff``; :func:`render` adds ``Cache-Control: no-store`` (pages show case data).
- **Guessing secrets**: :class:`~bouclier.cases.attempts.SecretLimiter`, one per app
  (:func:`limiter`), shared with the API's case routes, its counts in the limiter store (the
  database by default: every process and a restart see them). Each attempt on a subject (a case
  number ``number:BQ-…``, ``analyst:name``) is charged before the secret is checked and refunded
  when it was right. From one client, a subject gets 5 attempts, then waits that double with each
  wrong one (from 2 s, at most 15 minutes); a client gets 20 on any subjects, then doubling waits;
  a subject's wrong attempts from everyone, past 50, slow it to one attempt a second. Nobody's
  wrong guesses ever lock the owner out from her own connection.
- **Client address** (:func:`client`): the address that connects. ``X-Forwarded-For`` and
  ``Forwarded`` are believed only from a proxy listed in ``BOUCLIER_TRUSTED_PROXIES`` (none by
  default; :mod:`bouclier.api.forwarded`), and ``bouclier serve`` turns uvicorn's own reading of
  them off: a client that writes the header itself gets no fresh allowance. Behind a proxy that is
  not listed, every client has the proxy's address, and the per-client limits act as global ones.
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache
from importlib import resources
from typing import Any
from urllib.parse import urlencode, urlsplit

import jinja2
from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from bouclier.accounts.sessions import SessionInfo, WebSessions
from bouclier.cases import Cases
from bouclier.cases.attempts import SecretLimiter
from bouclier.vocabulary import FEEDBACK_ACTIONS

LANGUAGES = ("fr", "es", "en")
DEFAULT_LANGUAGE = "en"
LANG_COOKIE = "bouclier_lang"
CSRF_COOKIE = "bouclier_csrf"
CSRF_FIELD = "csrf_token"

CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; "
    "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
SECURITY_HEADERS = {
    "content-security-policy": CONTENT_SECURITY_POLICY,
    "referrer-policy": "no-referrer",
    "x-content-type-options": "nosniff",
    "x-frame-options": "DENY",
}


# --- words -------------------------------------------------------------------------------------


@cache
def locale(lang: str) -> Mapping[str, str]:
    """The words of one language (``web/locales/LANG.json``)."""
    if lang not in LANGUAGES:
        raise KeyError(lang)
    text = resources.files("bouclier.web").joinpath("locales", f"{lang}.json").read_text("utf-8")
    words: dict[str, str] = json.loads(text)
    return words


def translate(lang: str, key: str, **params: object) -> str:
    """The text of ``key`` in ``lang``, with its ``{name}`` placeholders filled; KeyError if the
    key is missing (a page test then fails, rather than a page showing a key)."""
    text = locale(lang)[key]
    return text.format(**params) if params else text


def translator(lang: str) -> Callable[..., str]:
    def t(key: str, **params: object) -> str:
        return translate(lang, key, **params)

    return t


def negotiate(request: Request) -> str:
    """The page's language: ``?lang=``, the cookie, Accept-Language, else English."""
    for candidate in (request.query_params.get("lang"), request.cookies.get(LANG_COOKIE)):
        if candidate in LANGUAGES:
            return candidate
    return accept_language(request.headers.get("accept-language", ""))


def accept_language(header: str) -> str:
    """The best of :data:`LANGUAGES` for an Accept-Language header (``es-ES,es;q=0.9,en;q=0.8``)."""
    best, best_q = DEFAULT_LANGUAGE, 0.0
    for position, part in enumerate(header.split(",")[:20]):
        tag, _, params = part.strip().partition(";")
        q = 1.0
        if params.strip().startswith("q="):
            try:
                q = float(params.strip()[2:])
            except ValueError:
                continue
        primary = tag.strip().lower().split("-")[0]
        q -= position * 1e-6  # equal weights: the first one listed wins
        if primary in LANGUAGES and q > best_q:
            best, best_q = primary, q
    return best


# --- templates ---------------------------------------------------------------------------------


@cache
def environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("bouclier.web", "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.globals["format_time"] = format_time
    env.globals["short_hash"] = short_hash
    env.globals["clock"] = clock
    env.globals["feedback_actions"] = FEEDBACK_ACTIONS
    return env


def format_time(moment: datetime | None) -> str:
    return "" if moment is None else moment.strftime("%Y-%m-%d %H:%M UTC")


def short_hash(value: str | None) -> str:
    """A hash's first 12 characters: enough to tell items apart, not the whole fingerprint."""
    return "" if not value else value[:12] + "…"


def clock(seconds: float) -> str:
    """A video's time as a clock shows it: 65.2 as "1:05", 3723 as "1:02:03"."""
    minutes, second = divmod(max(0, int(seconds)), 60)
    hour, minute = divmod(minutes, 60)
    return f"{hour}:{minute:02d}:{second:02d}" if hour else f"{minute}:{second:02d}"


def render(
    request: Request,
    template: str,
    *,
    session: SessionInfo | None = None,
    status_code: int = 200,
    **context: Any,
) -> HTMLResponse:
    """The page ``template`` in the request's language, with the words, the CSRF token of the
    session (or of the pre-session cookie, set here if missing), and ``no-store`` caching."""
    lang = negotiate(request)
    new_csrf = None
    if session is not None:
        token = session.csrf_token
    else:
        token = request.cookies.get(CSRF_COOKIE) or ""
        if len(token) < 32:
            token = new_csrf = secrets.token_urlsafe(32)

    def lang_url(code: str) -> str:
        query = {k: v for k, v in request.query_params.items() if k != "lang"}
        query["lang"] = code
        return f"{request.url.path}?{urlencode(query)}"

    html = (
        environment()
        .get_template(template)
        .render(
            t=translator(lang),
            lang=lang,
            languages=LANGUAGES,
            lang_url=lang_url,
            csrf_token=token,
            csrf_field=CSRF_FIELD,
            path=request.url.path,
            **context,
        )
    )
    response = HTMLResponse(html, status_code=status_code)
    response.headers["cache-control"] = "no-store"
    if new_csrf is not None:
        _set_cookie(request, response, CSRF_COOKIE, new_csrf, max_age=None, samesite="strict")
    if request.query_params.get("lang") in LANGUAGES:
        _set_cookie(request, response, LANG_COOKIE, lang, max_age=365 * 86400, samesite="lax")
    return response


def redirect(url: str) -> RedirectResponse:
    """303 See Other: after a POST, the browser GETs ``url``."""
    response = RedirectResponse(url, status_code=303)
    response.headers["cache-control"] = "no-store"
    return response


def forbidden(request: Request) -> HTMLResponse:
    """403: a form without the right CSRF token (an old tab, or another site's form)."""
    return render(request, "error.j2", status_code=403, message_key="error.csrf")


def bad_form(request: Request) -> HTMLResponse:
    """400: a form field with a value the page never sends (a forged or garbled request)."""
    return render(request, "error.j2", status_code=400, message_key="error.form")


def checkbox(value: str, on: str) -> bool | None:
    """A checkbox's state from its form value: absent ("") is off, ``on`` (the value its
    ``<input>`` carries) is on, anything else None: never guess (``"no"`` or ``"false"`` is not
    a ticked box that says a person is a minor)."""
    if value == "":
        return False
    return True if value == on else None


def too_many(request: Request, retry_after: float) -> HTMLResponse:
    minutes = max(1, int(retry_after + 59) // 60)
    response = render(
        request, "error.j2", status_code=429, message_key="error.too_many", minutes=minutes
    )
    response.headers["retry-after"] = str(int(retry_after + 1))
    return response


def _set_cookie(
    request: Request,
    response: Response,
    name: str,
    value: str,
    *,
    max_age: int | None,
    samesite: str,
) -> None:
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


@dataclass(frozen=True, slots=True)
class SessionKind:
    """A kind of session: its cookie and how long it lives without use."""

    cookie: str
    idle: timedelta
    subject: str  # "case" or "analyst"


VICTIM = SessionKind("bouclier_case", timedelta(hours=2), "case")
ANALYST = SessionKind("bouclier_console", timedelta(hours=8), "analyst")


def _sessions(request: Request) -> WebSessions:
    """The sign-in sessions' store, on the API's database."""
    return WebSessions(request.app.state.services.db)


def cases(request: Request) -> Cases:
    """The process's :class:`~bouclier.cases.Cases`, on the API's database and bank store."""
    state = request.app.state
    found: Cases | None = getattr(state, "web_cases", None)
    if found is None or found.db is not state.services.db:
        services = state.services
        found = state.web_cases = Cases(services.db, services.settings, banks=services.store)
    return found


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
    _set_cookie(request, response, kind.cookie, token, max_age=None, samesite="lax")
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


# --- guessing secrets --------------------------------------------------------------------------


def limiter(request: Request) -> SecretLimiter:
    """The app's limiter (made by :func:`bouclier.web.install`)."""
    found: SecretLimiter = request.app.state.secret_limiter
    return found


def client(request: Request) -> str:
    """The client's address, as the limiter counts it: the peer, or the client a trusted proxy
    names (:mod:`bouclier.api.forwarded`, applied by the gate before any page runs)."""
    return request.client.host if request.client is not None else "unknown"


# --- headers -----------------------------------------------------------------------------------


class SecurityHeaders:
    """Adds :data:`SECURITY_HEADERS` to every response whose path ``applies`` says is a web page
    or a static file (the API's JSON answers and its /docs pages are left as they are)."""

    def __init__(self, app: ASGIApp, applies: Callable[[str], bool]) -> None:
        self.app = app
        self.applies = applies

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not self.applies(scope.get("path", "")):
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                present = {name.lower() for name, _ in headers}
                for name, value in SECURITY_HEADERS.items():
                    if name.encode() not in present:
                        headers.append((name.encode(), value.encode()))
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, send_with_headers)
