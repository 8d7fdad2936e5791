"""What the victim portal and the analyst console share: pages, words, the case store, the
secret-guess limiter. Who a page talks to (sessions, CSRF) is :mod:`bouclier.web.sessions`; the
headers every page gets, :mod:`bouclier.web.headers`.

How a page of either uses them (the portal, :mod:`bouclier.web.portal`, is the worked example)::

    from bouclier.web import common, sessions

    router = APIRouter(include_in_schema=False)   # web routes stay out of the OpenAPI schema

    @router.get("/console/login")
    def login_form(request: Request) -> Response:
        return common.render(request, "console/login.j2")          # pre-session CSRF cookie set

    @router.post("/console/login")
    def login(request: Request, username: str = Form(""), password: str = Form(""),
              csrf_token: str = Form("")) -> Response:
        if not sessions.csrf_ok(request, csrf_token, None):
            return common.forbidden(request)                          # 403, changes nothing
        limiter, client = common.limiter(request), common.client(request)
        try:                                   # charged first, refunded when right
            analyst = limiter.attempt("analyst:" + username, client, check_the_password)
        except TooManyAttempts as exc:
            return common.too_many(request, exc.retry_after)         # 429 + Retry-After
        if analyst is None:
            return common.render(request, "console/login.j2", status_code=401, failed=True)
        response = common.redirect("/console")
        sessions.open_session(request, response, sessions.ANALYST, analyst_id=analyst.id)
        return response

    @router.get("/console")
    def home(request: Request) -> Response:
        session = sessions.current_session(request, sessions.ANALYST)
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
- **Sessions and CSRF**: :mod:`bouclier.web.sessions` (a session per case or analyst in an
  HttpOnly cookie; every POST checked with :func:`~bouclier.web.sessions.csrf_ok` first).
  :func:`render` puts the session's CSRF token in the page, or before a session the pre-session
  cookie's, which it sets when missing, and adds ``Cache-Control: no-store`` (pages show case
  data). The security headers (CSP: no inline script) are :mod:`bouclier.web.headers`'s.
- **Guessing secrets**: :class:`~bouclier.cases.attempts.SecretLimiter`, one per app
  (:func:`limiter`), shared with the API's case routes, its counts in the limiter store (the
  database by default: every process and a restart see them). Each attempt on a subject (a case
  number ``number:BQ-…``, ``analyst:name``) is charged before the secret is checked and refunded
  when it was right (:meth:`~bouclier.cases.attempts.SecretLimiter.attempt`). From one client, a
  subject gets 5 attempts, then waits that double with each wrong one (from 2 s, at most 15
  minutes); a client gets 20 on any subjects, then doubling waits; a subject's wrong attempts from
  everyone, past 50, slow it to one attempt a second. Nobody's wrong guesses ever lock the owner
  out from her own connection.
- **Client address** (:func:`client`): the address that connects. ``X-Forwarded-For`` and
  ``Forwarded`` are believed only from a proxy listed in ``BOUCLIER_TRUSTED_PROXIES`` (none by
  default; :mod:`bouclier.api.forwarded`), and ``bouclier serve`` turns uvicorn's own reading of
  them off: a client that writes the header itself gets no fresh allowance. Behind a proxy that is
  not listed, every client has the proxy's address, and the per-client limits act as global ones.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from datetime import datetime
from functools import cache
from importlib import resources
from typing import Any
from urllib.parse import urlencode

import jinja2
from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse

from bouclier.accounts.sessions import SessionInfo
from bouclier.cases import Cases
from bouclier.cases.attempts import SecretLimiter
from bouclier.vocabulary import FEEDBACK_ACTIONS
from bouclier.web import sessions

LANGUAGES = ("fr", "es", "en")
DEFAULT_LANGUAGE = "en"
LANG_COOKIE = "bouclier_lang"


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
    token, new_token = sessions.form_token(request, session)

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
            csrf_field=sessions.CSRF_FIELD,
            path=request.url.path,
            **context,
        )
    )
    response = HTMLResponse(html, status_code=status_code)
    response.headers["cache-control"] = "no-store"
    if new_token:
        sessions.set_csrf_cookie(request, response, token)
    if request.query_params.get("lang") in LANGUAGES:
        sessions.set_cookie(
            request, response, LANG_COOKIE, lang, max_age=365 * 86400, samesite="lax"
        )
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


# --- stores --------------------------------------------------------------------------------------


def cases(request: Request) -> Cases:
    """The process's :class:`~bouclier.cases.Cases`, on the API's database and bank store."""
    state = request.app.state
    found: Cases | None = getattr(state, "web_cases", None)
    if found is None or found.db is not state.services.db:
        services = state.services
        found = state.web_cases = Cases(services.db, services.settings, banks=services.store)
    return found


# --- guessing secrets --------------------------------------------------------------------------


def limiter(request: Request) -> SecretLimiter:
    """The app's limiter (made by :func:`bouclier.web.install`)."""
    found: SecretLimiter = request.app.state.secret_limiter
    return found


def client(request: Request) -> str:
    """The client's address, as the limiter counts it: the peer, or the client a trusted proxy
    names (:mod:`bouclier.api.forwarded`, applied by the gate before any page runs)."""
    return request.client.host if request.client is not None else "unknown"
