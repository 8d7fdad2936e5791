"""The case page's two fingerprinting forms in Chromium, where they refuse: a file that is not a
picture is named and nothing is sent, a choice taken back empties the form, a form sent with
nothing fingerprinted is stopped on the page, and a video over the size limit is refused before it
is read; the shared script (fingerprint_form.js) fills only the words it is given. (The forms'
happy paths are in test_portal_browser.py and test_video_browser.py.)
The files are a few bytes of text and a generated, benign picture.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page

from bouclier.web.common import translate
from tests.conftest import encode, photo
from tests.web.conftest import StaticServer
from tests.web.server import LiveServer, serving, settings_for

pytestmark = pytest.mark.browser

#: the largest video the server of these tests takes: a kilobyte, so a small file is over it
MAX_VIDEO_BYTES = 1024


@pytest.fixture
def small_limits(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[LiveServer]:
    with serving(settings_for(tmp_path, monkeypatch, max_video_bytes=MAX_VIDEO_BYTES)) as live:
        yield live


@pytest.fixture
def case_page(browser: Browser, small_limits: LiveServer) -> Iterator[Page]:
    case, secret = small_limits.cases.create(language="en")
    context = browser.new_context(locale="en-GB")
    page = context.new_page()
    page.goto(small_limits.url + "/case/login")
    page.get_by_label("Case number").fill(case.number)
    page.get_by_label("Secret").fill(secret)
    page.get_by_role("button", name="Open my case").click()
    page.wait_for_url("**/case")
    yield page
    context.close()


def test_a_file_that_is_not_a_picture_is_named_and_a_new_choice_starts_afresh(
    case_page: Page, tmp_path: Path
) -> None:
    page = case_page
    notes = tmp_path / "notes.jpg"
    notes.write_text("a shopping list, not a picture\n")
    picture = tmp_path / "IMG_31.jpg"
    picture.write_bytes(encode(photo(31), quality=90))
    chooser = page.get_by_label(translate("en", "hashes.choose"))
    error = page.locator("#hash-client-error")

    chooser.set_input_files(notes)
    page.wait_for_selector('#hash-form[data-state="ready"]', timeout=60_000)
    assert error.is_visible()
    assert error.inner_text() == translate("en", "hashes.unreadable", name="notes.jpg")
    assert page.locator("#hash-progress-text").inner_text() == translate(
        "en", "hashes.progress", done=1, total=1
    )
    assert page.locator("#hashes-field").input_value() == ""
    assert page.locator("#hash-submit").is_disabled()
    assert page.locator("#hash-ready").is_hidden()

    # a picture and the same file: the picture is listed and may be sent, the file still named
    chooser.set_input_files([picture, notes])
    page.wait_for_selector("#hash-submit:enabled", timeout=60_000)
    assert page.locator("#hash-list li").all_inner_texts() == ["IMG_31.jpg"]
    assert error.inner_text() == translate("en", "hashes.unreadable", name="notes.jpg")
    assert page.locator("#hash-progress-text").inner_text() == translate(
        "en", "hashes.progress", done=2, total=2
    )
    assert '"pdq"' in page.locator("#hashes-field").input_value()

    # the choice taken back: nothing listed, nothing to send, no message left over
    chooser.set_input_files([])
    assert page.locator("#hash-form").get_attribute("data-state") == "empty"
    assert page.locator("#hash-list li").count() == 0
    assert page.locator("#hashes-field").input_value() == ""
    assert page.locator("#hash-submit").is_disabled()
    assert error.is_hidden()
    assert page.locator("#hash-progress").is_hidden()
    assert chooser.is_enabled()


@pytest.mark.parametrize(
    ("form", "chooser", "words"),
    [
        ("#hash-form", "#hash-files", "hashes.none"),
        ("#video-form", "#video-file", "videos.none"),
    ],
)
def test_a_form_sent_with_nothing_fingerprinted_is_stopped_on_the_page(
    case_page: Page, form: str, chooser: str, words: str
) -> None:
    page = case_page
    before = page.url
    page.locator(form).evaluate("form => form.requestSubmit()")  # as Enter in a field would
    alert = page.locator(form).get_by_role("alert")
    assert alert.is_visible()
    assert alert.inner_text() == translate("en", words)
    assert page.evaluate("() => document.activeElement.id") == chooser.lstrip("#")
    assert page.url == before


def test_a_video_over_the_size_limit_is_refused_before_it_is_read(
    case_page: Page, tmp_path: Path
) -> None:
    page = case_page
    video = tmp_path / "clip.mp4"
    video.write_bytes(b"not a video, only bytes " * (MAX_VIDEO_BYTES // 16))
    page.get_by_label(translate("en", "videos.choose")).set_input_files(video)
    page.wait_for_selector('#video-form[data-state="refused"]')
    alert = page.locator("#video-client-error")
    assert alert.inner_text() == translate("en", "videos.refused_too_big")
    assert page.locator("#video-progress").is_hidden()
    assert page.locator("#video-field").input_value() == ""
    assert page.locator("#video-submit").is_disabled()
    assert page.locator("#video-file").is_enabled()


def test_the_shared_script_fills_only_the_words_it_is_given_and_finds_no_form_where_none_is(
    page: Page, static_server: StaticServer
) -> None:
    name = f"{uuid.uuid4().hex}.html"  # the served folder is shared by this worker's tests
    (static_server.files / name).write_text(
        '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>t</title>'
        '<script src="/static/fingerprint_form.js"></script></head><body></body></html>'
    )
    page.goto(f"{static_server.url}/{name}")
    shared = "window.BouclierFingerprintForm"
    assert page.evaluate(f"{shared}.fill('{{done}} of {{total}}, {{name}}', {{done: 2}})") == (
        "2 of {total}, {name}"
    )
    assert page.evaluate(f"{shared}.fill('{{a}}{{a}}', {{a: 0, b: 1}})") == "00"
    assert page.evaluate(f"{shared}.find('hash', 'hash-files', 'hashes-field')") is None
