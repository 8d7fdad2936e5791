"""Each law's elements are filled, in every format; the formats are safe with hostile input."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bouclier.errors import ConfigError
from bouclier.notices import LAWS, Hotline, NoticeFacts, build, missing_elements, render
from bouclier.notices.content import ImageHash
from bouclier.notices.laws.dsa import ELEMENTS as DSA_ELEMENTS
from bouclier.notices.laws.pharos import ELEMENTS as PHAROS_ELEMENTS
from bouclier.notices.laws.take_it_down import ELEMENTS as TAKE_IT_DOWN_ELEMENTS
from bouclier.notices.render import latin1, render_html, render_text
from bouclier.settings import Settings

HOTLINE = Hotline("Example Hotline", "notices@hotline.example", "1 rue de l'Exemple, Paris")
SEEN = datetime(2026, 11, 20, 21, 5, tzinfo=UTC)


def facts(
    law: str, *, minor: bool = False, url: str = "https://x.com/u/status/1", **more: object
) -> NoticeFacts:
    values: dict[str, object] = {
        "reference": "N-ABCDEFGHJK",
        "law": law,
        "channel": "email",
        "recipient": "dsa@platform.example",
        "platform": "x",
        "url": url,
        "case_number": "BQ-1234-5678",
        "minor": minor,
        "sextortion": False,
        "first_seen": SEEN,
        "created_at": SEEN,
        "deadline_hours": 48.0,
        "signer": "Marie Dupont",
        "hashes": [ImageHash("a5" * 32, "5e" * 32)],
        **more,
    }
    return NoticeFacts(**values)  # type: ignore[arg-type]


def test_each_law_names_its_elements() -> None:
    assert LAWS["dsa"].elements == ("explanation", "location", "notifier", "statement")
    assert LAWS["take_it_down"].elements == (
        "signature",
        "identification",
        "good_faith_statement",
        "contact",
    )
    assert LAWS["pharos"].elements == (
        "type",
        "date_time",
        "place",
        "url",
        "description",
        "contact",
    )
    assert LAWS["pharos"].language == "fr"
    assert {LAWS["dsa"].language, LAWS["take_it_down"].language} == {"en"}


@pytest.mark.parametrize(
    ("law", "elements"),
    [("dsa", DSA_ELEMENTS), ("take_it_down", TAKE_IT_DOWN_ELEMENTS), ("pharos", PHAROS_ELEMENTS)],
)
@pytest.mark.parametrize("minor", [False, True])
def test_every_element_is_filled_and_rendered(
    law: str, elements: tuple[str, ...], minor: bool
) -> None:
    data = build(facts(law, minor=minor), HOTLINE)
    assert tuple(data.elements) == elements
    assert missing_elements(law, data.elements) == []
    assert all(data.elements[name].strip() for name in elements)
    text = render_text(data)
    html = render_html(data)
    for name in elements:
        for line in data.elements[name].splitlines():
            assert line in text
    assert data.reference in text
    assert data.reference in data.subject
    assert data.reference in html
    assert "https://x.com/u/status/1" in text


def test_missing_elements_finds_absent_and_blank_ones() -> None:
    data = build(facts("take_it_down"), HOTLINE)
    assert missing_elements("take_it_down", {**data.elements, "signature": "  "}) == ["signature"]
    partial = {k: v for k, v in data.elements.items() if k != "contact"}
    assert missing_elements("take_it_down", partial) == ["contact"]


def test_take_it_down_without_a_signer_is_not_valid() -> None:
    data = build(facts("take_it_down", signer=None), HOTLINE)
    assert data.missing() == ["signature"]


def test_dsa_notice_names_the_hotline_as_notifier() -> None:
    data = build(facts("dsa"), HOTLINE)
    assert "Example Hotline" in data.elements["notifier"]
    assert "notices@hotline.example" in data.elements["notifier"]
    assert "Art. 16(2)(c)" in render_text(data)


def test_dsa_notice_for_a_minor_omits_name_and_email_and_says_why() -> None:
    data = build(facts("dsa", minor=True), HOTLINE)
    text = render_text(data)
    html = render_html(data)
    notifier = data.elements["notifier"]
    assert "Article 16(2)(c)" in notifier
    assert "Articles 3 to 7 of Directive 2011/93/EU" in notifier
    for rendered in (notifier, data.elements["statement"], text, html):
        assert "Example Hotline" not in rendered
        assert "notices@hotline.example" not in rendered
    assert "child sexual abuse material" in data.elements["explanation"]


def test_take_it_down_signature_is_the_analysts_electronic_signature() -> None:
    data = build(facts("take_it_down"), HOTLINE)
    signature = data.elements["signature"]
    assert signature.startswith("/s/ Marie Dupont")
    assert "electronic signature" in signature.lower()
    assert "authorised to act on behalf" in signature
    assert "not consensual" in data.elements["good_faith_statement"]
    assert "48 hours" in render_text(data)
    assert "notices@hotline.example" in data.elements["contact"]


def test_hashes_are_given_for_the_platforms_matching_and_no_image() -> None:
    for law in LAWS:
        text = render_text(build(facts(law), HOTLINE))
        assert "a5" * 32 in text
        assert "5e" * 32 in text
    assert "a5" * 32 not in render_text(build(facts("dsa", hashes=[]), HOTLINE))


def test_pharos_notice_is_in_french() -> None:
    data = build(facts("pharos"), HOTLINE)
    text = render_text(data)
    assert "226-2-1" in data.elements["type"]
    assert "20/11/2026 à 21:05" in data.elements["date_time"]
    assert data.elements["url"] == "https://x.com/u/status/1"
    assert "Coordonnées" in text
    assert "Courriel : notices@hotline.example" in data.elements["contact"]
    minor = build(facts("pharos", minor=True), HOTLINE)
    assert "mineur" in minor.elements["type"]


def test_html_escapes_a_hostile_url() -> None:
    hostile = 'https://x.com/"><script>alert(1)</script>'
    for law in LAWS:
        html = render_html(build(facts(law, url=hostile), HOTLINE))
        assert "<script>" not in html
        assert "&lt;script&gt;" in html
        assert '"><' not in html


def test_text_is_not_escaped() -> None:
    hostile = "https://x.com/a?b=1&c=<2>"
    assert hostile in render_text(build(facts("dsa", url=hostile), HOTLINE))


@pytest.mark.parametrize("law", sorted(LAWS))
def test_pdf_renders_any_text(law: str) -> None:
    url = "https://x.com/" + "\u4e2d\u6587\u2019\u201c" + "a" * 1900
    data = build(facts(law, url=url), Hotline("H\u00f4tline \u2014 \u0141\u00f3d\u017a", "a@b.c"))
    pdf = render(data, "pdf")
    assert pdf.startswith(b"%PDF")
    assert render(data, "text").decode("utf-8") == render_text(data)
    assert render(data, "html").decode("utf-8").startswith("<!doctype html>")
    with pytest.raises(ValueError, match="format"):
        render(data, "docx")


def test_latin1_keeps_what_it_can() -> None:
    assert (
        latin1("l\u2019\u00e9t\u00e9 \u2014 \u201cok\u201d \u4e2d") == 'l\'\u00e9t\u00e9 - "ok" ?'
    )


def test_the_hotline_must_be_configured() -> None:
    with pytest.raises(ConfigError, match="BOUCLIER_HOTLINE_NAME"):
        Hotline.from_settings(Settings())
