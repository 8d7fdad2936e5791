"""The victim portal's case, for the session that opened it or came back to it
(:mod:`bouclier.web.portal_entry`): the case page, fingerprints of images made on the device,
links, evidence, the evidence bundle, withdrawal and logging out. The collective case, corrections
and videos have their own modules (``portal_collective``, ``portal_items``, ``portal_video``) on
the helpers here (:func:`posted`, :func:`render`, :func:`show_case`).

Every form is a plain POST form with its session's CSRF token (:mod:`bouclier.web.sessions`); only
the fingerprinting step needs JavaScript (``pdq.js`` and ``portal.js`` fill a hidden field with
the hashes; the file input has no ``name``, so a file never leaves the device with the form). No
URL names a case or an item: the case is the session's, so one session cannot reach another case.
"""

from __future__ import annotations

import json
from typing import Any

from fastapi import APIRouter, File, Form, Request, UploadFile
from fastapi.responses import Response

from bouclier.accounts.sessions import SessionInfo
from bouclier.cases import CaseInfo, HashReport
from bouclier.cases.evidence import export_bundle
from bouclier.cases.platforms import clean_url
from bouclier.cases.store import MAX_EVIDENCE_BYTES, MAX_ITEMS_PER_CALL
from bouclier.errors import BouclierError, InputError
from bouclier.web import common, portal_view, sessions
from bouclier.web.sessions import VICTIM

router = APIRouter(include_in_schema=False)

#: What ``?done=`` may say after a form succeeded (anything else is ignored).
_DONE = {
    "hashes": "hashes.added",
    "videos": "videos.added",
    "urls": "urls.added",
    "evidence": "evidence.added",
}
#: ``?done=`` of the forms without a count.
_SAID = {
    "joined": "collective.joined",
    "already_open": "new.already_open",
    "removed": "remove.done",
    "revoked": "collective.revoked",
    "updates_on": "updates.turned_on",
    "updates_off": "updates.turned_off",
    "captured": "captures.done",
    "capture_soon": "captures.too_soon",
    "capture_minor": "captures.minor",
    "capture_failed": "captures.failed",
}


def render(request: Request, template: str, **context: Any) -> Response:
    """:func:`common.render` with what the victim's pages add (:mod:`bouclier.web.portal_view`):
    local times, sentences with markup, the hotline, secrets in groups."""
    settings = request.app.state.services.settings
    return common.render(
        request,
        template,
        local_time=portal_view.local_time,
        th=portal_view.markup_translator(common.negotiate(request)),
        hotline=portal_view.hotline(settings),
        hours=portal_view.hours,
        groups=portal_view.groups,
        thumb_key=portal_view.thumb_key,
        video_limits=portal_view.VideoLimits.of(settings),
        **context,
    )


# --- the case ----------------------------------------------------------------------------------


def signed_in(request: Request) -> tuple[SessionInfo, CaseInfo] | None:
    """The request's victim session and its case, or None (no session, or the case is gone)."""
    session = sessions.current_session(request, VICTIM)
    if session is None or session.case_id is None:
        return None
    case = common.cases(request).find(session.case_id)
    if case is None:
        return None
    return session, case


def _expired() -> Response:
    return common.redirect("/case/login?expired=1")


def posted(request: Request, csrf_token: str) -> tuple[SessionInfo, CaseInfo] | Response:
    """The session and case of a POST from the case page, or the answer that refuses it: back to
    the login when the session is gone, 403 when the CSRF token is wrong."""
    found = signed_in(request)
    if found is None:
        return _expired()
    if not sessions.csrf_ok(request, csrf_token, found[0]):
        return common.forbidden(request)
    return found


@router.get("/case")
def case_page(request: Request) -> Response:
    found = signed_in(request)
    if found is None:
        return _expired()
    done = request.query_params.get("done", "")
    count = request.query_params.get("n", "")
    message = None
    if done in _DONE:
        message = (_DONE[done], int(count) if count.isdigit() else 0)
    elif done in _SAID:
        message = (_SAID[done], 0)
    return show_case(request, *found, message=message)


def show_case(
    request: Request,
    session: SessionInfo,
    case: CaseInfo,
    *,
    message: tuple[str, int] | None = None,
    errors: dict[str, Any] | None = None,
    values: dict[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    from bouclier.web.captures import rows as capture_rows

    cases = common.cases(request)
    notices = cases.notice_states(case.number)
    items = cases.items(case.number)
    settings = request.app.state.services.settings
    return render(
        request,
        "portal/case.j2",
        captures=capture_rows(request, case.number),
        session=session,
        case=case,
        items=items,
        reuploads=cases.reuploads(case.number),
        notices=notices,
        links=portal_view.link_states(items, notices),
        collective=len(cases.collective(case.number)) if case.collective_id else 0,
        invitations=cases.invitations(case.number),
        email_updates=cases.email_updates(case.number),
        updates_possible=bool(settings.smtp_host),
        message=message,
        errors=errors or {},
        values=values or {},
        status_code=status_code,
    )


@router.post("/case/hashes")
def add_hashes(request: Request, csrf_token: str = Form(""), hashes: str = Form("")) -> Response:
    found = posted(request, csrf_token)
    if isinstance(found, Response):
        return found
    session, case = found
    try:
        reports = _hash_reports(hashes)
    except InputError as exc:
        key = "hashes.none" if exc.code == "no_hashes" else "hashes.error"
        return show_case(request, session, case, errors={"hashes": key}, status_code=400)
    services = request.app.state.services
    added = common.cases(request).add_hashes(case.number, reports)
    services.refresh_matcher()  # this process matches them from now on
    return common.redirect(f"/case?done=hashes&n={len(added)}")


def json_field(text: str, *, missing: str, invalid: str) -> Any:
    """The JSON that a page's script put in a hidden field: InputError ``missing`` when the field
    is empty, ``invalid`` when it is not JSON (nested deeper than the parser goes included)."""
    if not text.strip():
        raise InputError("nothing in the field", code=missing)
    try:
        return json.loads(text)
    except (ValueError, RecursionError):
        raise InputError("not JSON", code=invalid) from None


def _hash_reports(text: str) -> list[HashReport]:
    """The hashes pdq.js sent: a JSON list of {pdq, quality, sha256}; nothing else is kept."""
    data = json_field(text, missing="no_hashes", invalid="invalid_hashes")
    if not isinstance(data, list) or not data:
        raise InputError("no hashes", code="no_hashes")
    if len(data) > MAX_ITEMS_PER_CALL:
        raise InputError("too many", code="too_many_hashes")
    reports = []
    for entry in data:
        if not isinstance(entry, dict) or not isinstance(entry.get("pdq"), str):
            raise InputError("not a hash", code="invalid_hashes")
        sha256 = entry.get("sha256")
        report = HashReport(
            entry["pdq"],
            entry.get("quality"),
            sha256 if isinstance(sha256, str) else None,
        )
        reports.append(report.validated())
    return reports


@router.post("/case/urls")
def add_urls(request: Request, csrf_token: str = Form(""), urls: str = Form("")) -> Response:
    found = posted(request, csrf_token)
    if isinstance(found, Response):
        return found
    session, case = found
    lines = [(n, line.strip()) for n, line in enumerate(urls.splitlines(), 1) if line.strip()]
    problems: list[int] = []
    for number, line in lines:
        try:
            clean_url(line)
        except InputError:
            problems.append(number)
    error: str | None = None
    if not lines:
        error = "urls.none"
    elif len(lines) > MAX_ITEMS_PER_CALL:
        error = "urls.too_many"
    elif problems:
        error = "urls.nothing_added"
    if error is not None:
        return show_case(
            request,
            session,
            case,
            errors={"urls": error, "url_lines": problems},
            values={"urls": urls[:200_000]},
            status_code=400,
        )
    added = common.cases(request).add_urls(case.number, [line for _, line in lines])
    return common.redirect(f"/case?done=urls&n={len(added)}")


# an upload: its body may be as large as an image (bouclier.api.gate), not a form's 1 MiB
@router.post("/case/evidence", openapi_extra={"x-body": "upload"})
def add_evidence(
    request: Request,
    csrf_token: str = Form(""),
    consent: str = Form(""),
    file: UploadFile | None = File(None),  # noqa: B008 (FastAPI's way of declaring a file)
) -> Response:
    found = posted(request, csrf_token)
    if isinstance(found, Response):
        return found
    session, case = found
    error = None
    data = b""
    if case.minor:
        error = "evidence.minor"
    elif file is None or not file.filename:
        error = "evidence.no_file"
    elif consent != "yes":
        error = "evidence.consent_missing"
    else:
        data = file.file.read(MAX_EVIDENCE_BYTES + 1)
        try:
            common.cases(request).add_evidence(case.number, data)
        except BouclierError as exc:
            error = {
                "evidence_refused_minor": "evidence.minor",
                "evidence_too_large": "evidence.too_large",
            }.get(exc.code, "evidence.invalid")
    if error is not None:
        return show_case(request, session, case, errors={"evidence": error}, status_code=400)
    return common.redirect("/case?done=evidence&n=1")


# --- the evidence bundle -----------------------------------------------------------------------


@router.post("/case/bundle")
def bundle(request: Request, csrf_token: str = Form("")) -> Response:
    found = posted(request, csrf_token)
    if isinstance(found, Response):
        return found
    _, case = found
    data = export_bundle(common.cases(request), case.number, actor="victim")
    return Response(
        data,
        media_type="application/zip",
        headers={
            "content-disposition": f'attachment; filename="bouclier-{case.number}.zip"',
            "cache-control": "no-store",
        },
    )


# --- leaving -----------------------------------------------------------------------------------


@router.get("/case/withdraw")
def withdraw_form(request: Request) -> Response:
    found = signed_in(request)
    if found is None:
        return _expired()
    session, case = found
    return common.render(request, "portal/withdraw.j2", session=session, case=case)


@router.post("/case/withdraw")
def withdraw(request: Request, csrf_token: str = Form("")) -> Response:
    found = posted(request, csrf_token)
    if isinstance(found, Response):
        return found
    _, case = found
    done = common.cases(request).withdraw(case.number)
    request.app.state.services.refresh_matcher()  # its hashes stop matching here at once
    response = common.render(request, "portal/withdrawn.j2", done=done)
    sessions.end_session(request, response, VICTIM)  # the row went with the case; the cookie goes
    return response


@router.post("/case/logout")
def logout(request: Request, csrf_token: str = Form("")) -> Response:
    session = sessions.current_session(request, VICTIM)
    if session is not None and not sessions.csrf_ok(request, csrf_token, session):
        return common.forbidden(request)
    response = common.redirect("/")
    sessions.end_session(request, response, VICTIM)
    return response
