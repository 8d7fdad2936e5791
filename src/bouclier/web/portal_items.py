"""The victim portal's corrections and updates: remove one wrong item, email updates on or off.

Removing asks first (a page that names the item, "Yes, remove it" / "No, keep it"), then deletes
it for real (:meth:`bouclier.cases.Cases.remove_item`). Email updates are an opt-in: they need an
email address, the one given as contact or one typed here (which becomes the contact, sealed);
the mail itself says only that something changed (:mod:`bouclier.cases.updates`).
"""

from __future__ import annotations

from fastapi import APIRouter, Form, Request
from fastapi.responses import Response

from bouclier.accounts.sessions import SessionInfo
from bouclier.cases import CaseInfo, updates
from bouclier.errors import InputError
from bouclier.text_input import control_character
from bouclier.web import common
from bouclier.web.portal import posted, render, show_case

router = APIRouter(include_in_schema=False)


@router.post("/case/items/remove")
def remove_item(
    request: Request, csrf_token: str = Form(""), item: str = Form(""), confirm: str = Form("")
) -> Response:
    found = posted(request, csrf_token)
    if isinstance(found, Response):
        return found
    session, case = found
    if not item.isdigit() or len(item) > 18 or confirm not in ("", "yes"):
        return common.bad_form(request)
    cases = common.cases(request)
    chosen = next((i for i in cases.items(case.number) if i.id == int(item)), None)
    if chosen is None:  # removed already (a second tap), or not this case's
        return show_case(request, session, case, message=("remove.unknown", 0))
    if confirm != "yes":
        return render(request, "portal/remove.j2", session=session, case=case, item=chosen)
    cases.remove_item(case.number, chosen.id)
    request.app.state.services.refresh_matcher()  # its hash stops matching here at once
    return common.redirect("/case?done=removed")


@router.post("/case/updates")
def email_updates(
    request: Request, csrf_token: str = Form(""), wanted: str = Form(""), email: str = Form("")
) -> Response:
    found = posted(request, csrf_token)
    if isinstance(found, Response):
        return found
    session, case = found
    if wanted not in ("yes", "no") or control_character(email) or len(email) > 320:
        return common.bad_form(request)
    cases = common.cases(request)
    if wanted == "no":
        cases.set_email_updates(case.number, False)
        return common.redirect("/case?done=updates_off")
    address = email.strip()
    if address:
        if not updates.is_email(address):
            return _no_email(request, session, case, address)
        cases.set_contact(case.number, address)
    try:
        cases.set_email_updates(case.number, True)
    except InputError:
        return _no_email(request, session, case, address)
    return common.redirect("/case?done=updates_on")


def _no_email(request: Request, session: SessionInfo, case: CaseInfo, address: str) -> Response:
    return show_case(
        request,
        session,
        case,
        errors={"updates": "updates.no_email"},
        values={"email": address},
        status_code=400,
    )
