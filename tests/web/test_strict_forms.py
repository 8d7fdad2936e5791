"""The portal's forms take a checkbox as the page sends it (issue 14, part 7): ``minor=no`` or
``minor=false`` was a ticked box before (``bool("no")``), and NUL passed into the case."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from bouclier.storage.models import Case
from tests.web.server import Portal, portal
from tests.web.test_portal import create, csrf

__all__ = ["portal"]


def _cases(portal: Portal) -> int:
    with portal.services.db.transaction() as session:
        return int(session.scalar(select(func.count()).select_from(Case)) or 0)


@pytest.mark.parametrize(
    "fields",
    [
        {"minor": "no"},
        {"minor": "false"},
        {"minor": "0"},
        {"sextortion": "off"},
        {"contact": "a@example.org\x00"},
        {"invitation": "ABCD\x1b"},
    ],
)
def test_a_forged_field_opens_no_case(portal: Portal, fields: dict[str, str]) -> None:
    token = csrf(portal.client.get("/case/new").text)
    answer = portal.client.post("/case/new", data={"csrf_token": token, "language": "en", **fields})
    assert answer.status_code == 400
    assert "Nothing was changed" in answer.text
    assert _cases(portal) == 0


def test_the_boxes_as_the_page_sends_them(portal: Portal) -> None:
    number, _, _ = create(portal, lang="en", minor=True, contact="line one\r\nline two")
    assert portal.cases.get(number).minor is True
    portal.client.cookies.clear()
    other, _, _ = create(portal, lang="en")
    info = portal.cases.get(other)
    assert (info.minor, info.sextortion) == (False, False)
