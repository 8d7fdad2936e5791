"""A law is one module and its registration: this file declares one, registers it here only, and
renders a notice under it in every format (with the generic templates: it has none of its own).

Everything the law needs is below, in this one file; nothing else of Bouclier changes for it. Only
the database does not know it (``notice_law`` holds the vocabulary's laws): a real law also needs
its name in ``bouclier.vocabulary.NOTICE_LAWS`` and the migration that widens the constraint.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import UTC, datetime

import pytest
from sqlalchemy.exc import IntegrityError

from bouclier.notices import LAWS, Hotline, NoticeFacts, Notices, build, render
from bouclier.notices.content import ImageHash
from bouclier.notices.laws import register
from bouclier.notices.laws.base import Law, contact_en, host, location_en
from bouclier.notices.render import render_html, render_text
from bouclier.vocabulary import NOTICE_LAWS
from tests.notices.conftest import CaseWithUrl

# --- the law: its elements, its texts, its deadline ---------------------------------------------


def write(
    facts: NoticeFacts, hotline: Hotline, hashes: Sequence[ImageHash]
) -> tuple[dict[str, str], str]:
    elements = {
        "location": location_en(facts, hashes),
        "reason": f"An intimate image shared without consent (case {facts.case_number}).",
        "contact": contact_en(facts, hotline),
    }
    return elements, f"[{facts.reference}] Example Act report: {host(facts.url)}"


EXAMPLE_ACT = Law(
    name="example_act",
    title="Report under the Example Act (a law made up for this test)",
    label="Example Act",
    language="en",
    elements=("location", "reason", "contact"),
    sources={"location": "s. 1(a)", "reason": "s. 1(b)", "contact": "s. 1(c)"},
    headings={"location": "Where the image is", "reason": "Why it must go"},
    closing="Please remove it within 24 hours, as section 2 of the Example Act requires.",
    write=write,
    deadline_hours=24.0,
)

# --- registered for the tests of this file only --------------------------------------------------


@pytest.fixture
def registered() -> Iterator[Law]:
    register(EXAMPLE_ACT, LAWS)
    try:
        yield EXAMPLE_ACT
    finally:
        del LAWS[EXAMPLE_ACT.name]


HOTLINE = Hotline("Example Hotline", "notices@hotline.example")
SEEN = datetime(2026, 11, 20, 21, 5, tzinfo=UTC)


def facts(**more: object) -> NoticeFacts:
    values: dict[str, object] = {
        "reference": "N-ABCDEFGHJK",
        "law": EXAMPLE_ACT.name,
        "channel": "email",
        "recipient": "reports@platform.example",
        "platform": "x",
        "url": "https://x.com/u/status/1",
        "case_number": "BQ-1234-5678",
        "minor": False,
        "sextortion": False,
        "first_seen": SEEN,
        "created_at": SEEN,
        "deadline_hours": 24.0,
        "hashes": [ImageHash("a5" * 32, "5e" * 32)],
        **more,
    }
    return NoticeFacts(**values)  # type: ignore[arg-type]


def test_a_law_declared_in_one_module_renders_in_every_format(registered: Law) -> None:
    data = build(facts(), HOTLINE)
    assert data.law is registered
    assert data.missing() == []
    text = render_text(data)
    html = render_html(data)
    assert text.startswith(registered.title)
    for number, name in enumerate(registered.elements, start=1):
        heading = registered.headings.get(name, name.capitalize())
        assert f"{number}. {heading} ({registered.sources[name]})" in text
        assert heading in html
        for line in data.elements[name].splitlines():
            assert line in text
    assert registered.closing in text
    assert registered.closing in html
    assert "<h1>Report under the Example Act" in html
    assert render(data, "pdf").startswith(b"%PDF")
    reminder = build(facts(reminder=True), HOTLINE)
    assert reminder.subject.startswith("Reminder: [N-ABCDEFGHJK] Example Act report")
    assert render_text(reminder).startswith("REMINDER:")


def test_the_law_sets_its_own_deadline(registered: Law, notices: Notices) -> None:
    assert notices.deadline_hours(registered.name) == 24.0
    assert notices.deadline_hours("dsa") == notices.settings.notice_deadline_hours


def test_a_law_unknown_to_the_vocabulary_is_refused_by_the_database(
    registered: Law, notices: Notices, case: CaseWithUrl
) -> None:
    assert registered.name not in NOTICE_LAWS
    with pytest.raises(IntegrityError, match="notice_law"):
        notices.create(
            case.number, case.url_item, registered.name, recipient="r@x.example", actor="t"
        )


def test_a_law_is_registered_once_and_whole() -> None:
    with pytest.raises(ValueError, match="declared twice"):
        register(LAWS["dsa"], dict(LAWS))
    with pytest.raises(ValueError, match="every element needs its source"):
        Law("broken", "t", "b", "en", ("a", "b"), {"a": "s"}, write)
    with pytest.raises(ValueError, match="positive"):
        Law("late", "t", "l", "en", ("a",), {"a": "s"}, write, deadline_hours=0)
