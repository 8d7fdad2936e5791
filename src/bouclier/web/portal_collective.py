"""The victim portal's collective case: make invitation codes, list and revoke them, join.

A new code never ends the others (other families may be typing theirs right now); the case page
lists the codes this case made (their first characters and dates: a code is shown once) with a
button to revoke each. Making a code shows it once, with a copy button and one way on: "I have
noted it". No URL names a case or an invitation: the invitation to revoke is a form field, and
only the session's case's own codes can be revoked.
"""

from __future__ import annotations

from fastapi import APIRouter, Form, Request
from fastapi.responses import Response

from bouclier.errors import NotFound
from bouclier.web import common
from bouclier.web.portal import posted, render, show_case

router = APIRouter(include_in_schema=False)


@router.post("/case/invite")
def invite(request: Request, csrf_token: str = Form("")) -> Response:
    found = posted(request, csrf_token)
    if isinstance(found, Response):
        return found
    session, case = found
    code = common.cases(request).invite(case.number)
    return render(request, "portal/invite.j2", session=session, code=code)


@router.post("/case/invitations/revoke")
def revoke(request: Request, csrf_token: str = Form(""), invitation: str = Form("")) -> Response:
    found = posted(request, csrf_token)
    if isinstance(found, Response):
        return found
    _, case = found
    if not invitation.isdigit() or len(invitation) > 18:
        return common.bad_form(request)
    try:
        common.cases(request).revoke_invitation(case.number, int(invitation))
    except NotFound:
        return common.bad_form(request)  # not one of this case's codes: a forged form
    return common.redirect("/case?done=revoked")


@router.post("/case/join")
def join(request: Request, csrf_token: str = Form(""), invitation: str = Form("")) -> Response:
    found = posted(request, csrf_token)
    if isinstance(found, Response):
        return found
    session, case = found
    if not invitation.strip():
        return show_case(
            request, session, case, errors={"join": "collective.empty"}, status_code=400
        )
    try:
        common.cases(request).join(case.number, invitation[:200])
    except NotFound:
        return show_case(
            request,
            session,
            case,
            errors={"join": "collective.unknown"},
            values={"invitation": invitation[:200]},
            status_code=400,
        )
    return common.redirect("/case?done=joined")
