"""Notices for a whole case at once: every link, grouped per platform, on one review screen.

A case often has a dozen links on three platforms; a form per link and law was 3 forms a link.
Here the analyst sees each platform once, with the address of each law's notice as the notices
directory gives it (and its channel: email, webhook or web form — a webhook's name is not an email
address), ticks the links and laws, and sends them in one go. Notices by email or webhook are
sent at once when asked; web-form notices (Pharos) are never "sent": they wait on the case page
as "to file", with their text, until the analyst files them and says so.

Same rules as every console route (:mod:`bouclier.web.console`). The form's fields are checked at
the door: a pick is ``ITEM:LAW`` of a link of this case, a channel a known one; anything else is
a 400 and nothing is created.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import quote, urlencode

from fastapi import APIRouter, Request
from fastapi.responses import Response

from bouclier.cases import ItemInfo
from bouclier.cases.links import TO_NOTIFY
from bouclier.errors import BouclierError, NotFound
from bouclier.notices import recipient_for
from bouclier.notices.info import OPEN
from bouclier.settings import Settings
from bouclier.vocabulary import NOTICE_CHANNELS, NOTICE_LAWS
from bouclier.web import common
from bouclier.web.console import (
    LOGIN,
    _law_labels,
    analyst_session,
    checked_post,
    notices_service,
    page,
)

router = APIRouter(prefix="/console", include_in_schema=False)

_PICK = re.compile(r"(\d{1,12}):([a-z_]{1,20})")
MAX_PICKS = 500


@dataclass(frozen=True, slots=True)
class Address:
    channel: str
    address: str


@dataclass(frozen=True, slots=True)
class PlatformGroup:
    """The links of a case on one platform, and where each law's notice about them goes."""

    index: int
    platform: str
    links: list[ItemInfo]
    addresses: dict[str, Address]  # law -> the directory's (channel "" and address "": none)


def groups_of(settings: Settings, items: list[ItemInfo]) -> list[PlatformGroup]:
    """The case's links grouped per platform (by name), each with the directory's addresses."""
    by_platform: dict[str, list[ItemInfo]] = {}
    for item in items:
        if item.kind == "url" and item.url:
            by_platform.setdefault(item.platform or "unknown", []).append(item)
    found = []
    for index, platform in enumerate(sorted(by_platform)):
        addresses: dict[str, Address] = {}
        for law in NOTICE_LAWS:
            try:
                known = recipient_for(settings, platform, law)
                addresses[law] = Address(known.channel, known.address)
            except BouclierError:
                addresses[law] = Address("", "")
        found.append(PlatformGroup(index, platform, by_platform[platform], addresses))
    return found


def _open_notices(request: Request, number: str) -> dict[tuple[int, str], str]:
    """(item, law) -> the reference of a notice still open for it (another is refused)."""
    return {
        (n.item_id, n.law): n.reference
        for n in notices_service(request).list(case_number=number)
        if n.item_id is not None and n.status in OPEN
    }


@router.get("/cases/{number}/notices/new")
def review_screen(request: Request, number: str) -> Response:
    found = analyst_session(request)
    if found is None:
        return common.redirect(LOGIN)
    cases = common.cases(request)
    try:
        info = cases.get(number)
    except NotFound:
        return common.render(
            request, "error.j2", session=found[0], status_code=404,
            message_key="console.case_not_found", back_url="/console",
        )  # fmt: skip
    groups = groups_of(request.app.state.services.settings, cases.items(info.number))
    return page(
        request,
        "console/notices_new.j2",
        found,
        case=info,
        groups=groups,
        laws=_law_labels(request),
        channels=NOTICE_CHANNELS,
        open_notices=_open_notices(request, info.number),
        to_notify=TO_NOTIFY,
    )


@router.post("/cases/{number}/notices/bulk")
async def create_many(request: Request, number: str) -> Response:
    """Creates the notices ticked on the review screen; sends those by email or webhook when
    ``send`` is ticked; web-form notices stay "to file". Goes back to the case with the counts
    (and the first error's code, when some failed)."""
    form = await request.form()
    token = form.get("csrf_token")
    found = checked_post(request, token if isinstance(token, str) else "")
    if isinstance(found, Response):
        return found
    fields = {k: v for k, v in form.multi_items() if isinstance(v, str)}
    picks = [v for k, v in form.multi_items() if k == "pick" and isinstance(v, str)]
    sending = common.checkbox(fields.get("send", ""), "1")
    if sending is None or not picks or len(picks) > MAX_PICKS:
        return common.bad_form(request)
    cases = common.cases(request)
    try:
        info = cases.get(number)
    except NotFound:
        return common.redirect("/console?error=case_not_found")
    groups = groups_of(request.app.state.services.settings, cases.items(info.number))
    group_of = {link.id: g for g in groups for link in g.links}
    wanted: list[tuple[int, str, str, str]] = []  # item, law, channel, address
    for pick in picks:
        matched = _PICK.fullmatch(pick)
        if matched is None or matched.group(2) not in NOTICE_LAWS:
            return common.bad_form(request)
        item_id, law = int(matched.group(1)), matched.group(2)
        group = group_of.get(item_id)
        if group is None or fields.get(f"platform_{group.index}") != group.platform:
            return common.bad_form(request)  # not a link of this case, or the links changed
        channel = fields.get(f"via_{group.index}_{law}", "")
        if channel not in NOTICE_CHANNELS:
            return common.bad_form(request)
        wanted.append((item_id, law, channel, fields.get(f"to_{group.index}_{law}", "").strip()))
    notices = notices_service(request)
    actor = found[1].actor
    counts = {"made": 0, "sent": 0, "to_file": 0, "failed": 0}
    first_error: str | None = None
    for item_id, law, channel, address in wanted:
        try:
            made = notices.create(
                info.number, item_id, law, channel=channel, recipient=address or None, actor=actor
            )
            counts["made"] += 1
            if made.channel == "form":
                counts["to_file"] += 1
            elif sending:
                notices.send(made.reference, actor=actor)
                counts["sent"] += 1
        except BouclierError as exc:
            counts["failed"] += 1
            first_error = first_error or exc.code
    query = [("done", "notices_bulk"), *((k, str(v)) for k, v in counts.items())]
    if first_error is not None:
        query.append(("error", first_error))
    return common.redirect(f"/console/cases/{quote(info.number)}?{urlencode(query)}#notices")
