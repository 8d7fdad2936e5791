"""The console at real volume, in Chromium against a real server (issue 15, the console half).

- a queue of 1,000 cases: pages, search by case number and by a piece of URL, the platform,
  flags and overdue filters, each checked against what was seeded (:func:`bench_console.seed`);
- claiming from the queue and assigning on the case page, read back in the custody log in words;
- notices for every link of a case on one review screen, grouped per platform: a webhook
  platform (its prefilled name is not taken for an email), an email platform (to a local SMTP
  server), and Pharos' web form, which waits "to file" with its text until marked filed; the
  platform's answer "removed" makes the link "removed";
- "reject" asks before allow-listing a hash for every platform;
- the dashboard's counts and chart (an SVG drawn by the server);
- ``/docs`` with every request outside the server refused (Swagger UI from a package).

Screenshots go to ``$BOUCLIER_ARTIFACTS/console`` (default ``.artifacts/screenshots``).
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, Route
from sqlalchemy import select

from bouclier.accounts.analysts import Analysts
from bouclier.cases import HashReport
from bouclier.hashing import hash_bytes
from bouclier.storage.models import Notice, utcnow
from bouclier.webhooks.store import WebhookStore
from tests.conftest import encode, photo
from tests.notices.conftest import SmtpServer
from tests.web.server import LiveServer, serving, settings_for
from tests.web.test_portal_browser import ACCESSIBILITY_CHECK, ARTIFACTS

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks"))
from bench_console import seed

pytestmark = pytest.mark.browser

PASSWORD = "a long enough passphrase"  # noqa: S105 (a test account)
DESKTOP = {"width": 1280, "height": 900}


@pytest.fixture
def desk(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(locale="en-GB", viewport=DESKTOP)
    tab = context.new_page()
    errors: list[str] = []
    tab.on("pageerror", lambda exc: errors.append(str(exc)))
    yield tab
    context.close()
    assert errors == []


@pytest.fixture
def smtp() -> Iterator[SmtpServer]:
    server = SmtpServer()
    server.start()
    yield server
    server.stop()


@pytest.fixture
def hotline(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, smtp: SmtpServer
) -> Iterator[LiveServer]:
    """A hotline whose directory reaches Instagram by webhook and X by email."""
    directory = tmp_path / "platforms.toml"
    directory.write_text(
        '[platforms.instagram]\nchannel = "webhook"\naddress = "insta-hook"\n\n'
        '[platforms.x]\nchannel = "email"\naddress = "dsa@x.example"\n'
    )
    settings = settings_for(
        tmp_path,
        monkeypatch,
        hotline_name="Test Hotline",
        hotline_email="hotline@hotline.example",
        smtp_host="127.0.0.1",
        smtp_port=smtp.port,
        smtp_starttls=False,
        smtp_from="hotline@hotline.example",
        platforms_file=directory,
    )
    with serving(settings) as live:
        analysts = Analysts(live.services.db)
        analysts.create("alice", PASSWORD)
        analysts.create("bob", PASSWORD)
        yield live


def shot(page: Page, name: str) -> None:
    folder = ARTIFACTS / "console"
    folder.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(folder / f"{name}.png"), full_page=True)


def accessible(page: Page) -> None:
    """The portal's checks (labels, headings, targets, no sideways scroll), and a visible skip
    link first in the tab order."""
    assert page.evaluate(ACCESSIBILITY_CHECK) == [], page.url
    page.keyboard.press("Tab")
    focused = page.evaluate("() => document.activeElement.className")
    assert focused == "skip"


def login(page: Page, url: str, username: str = "alice") -> None:
    page.goto(f"{url}/console/login")
    page.fill("#username", username)
    page.fill("#password", PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_url(f"{url}/console")


def shown_cases(page: Page) -> list[str]:
    found: list[str] = page.eval_on_selector_all(
        "tr.case-row", "rows => rows.map(r => r.dataset.case)"
    )
    return found


def range_text(page: Page) -> str:
    return page.inner_text("#queue-range")


# --- the queue ------------------------------------------------------------------------------------


def test_a_queue_of_1000_cases_has_pages_search_and_filters(
    hotline: LiveServer, desk: Page
) -> None:
    specs = seed(hotline.services.db, 1000)
    open_ = [s for s in specs if s.status != "closed"]
    url = hotline.url
    login(desk, url)
    assert range_text(desk) == f"Cases 1–50 of {len(open_)}"
    first = shown_cases(desk)
    assert len(first) == 50
    accessible(desk)
    shot(desk, "queue-1000")
    # the queue's order: verified first, then minors, then sextortion, then the oldest
    expected = sorted(
        open_, key=lambda s: (not s.verified, not s.minor, not s.sextortion, s.created_at)
    )
    assert first == [s.number for s in expected[:50]]
    desk.click("nav.pages a[rel=next]")
    assert shown_cases(desk) == [s.number for s in expected[50:100]]
    assert "Page 2 of" in desk.inner_text("nav.pages")
    desk.click("nav.pages a:text('Last page')")
    last = shown_cases(desk)
    assert last == [s.number for s in expected[(len(open_) - 1) // 50 * 50 :]]
    seen = set(first)
    # the 302nd case of the issue is reachable: every open case is on one page or another
    desk.goto(f"{url}/console?per_page=100")
    pages = int(desk.inner_text("nav.pages li[aria-current=page]").split()[-1])
    for n in range(1, pages + 1):
        desk.goto(f"{url}/console?per_page=100&page={n}")
        seen.update(shown_cases(desk))
    assert seen == {s.number for s in open_}

    # search by case number, typed as a person would (lower case, no dashes)
    target = expected[301]
    desk.goto(f"{url}/console")
    desk.fill("#q", target.number.replace("-", "").lower())
    desk.click("form.filters button[type=submit]")
    assert shown_cases(desk) == [target.number]
    # by a piece of URL: the cases with a link that holds it
    piece = f"/p/{target.index}"
    desk.fill("#q", piece)
    desk.click("form.filters button[type=submit]")
    holding = {s.number for s in open_ if any(piece in u for u in s.urls)}
    assert target.number in holding
    assert set(shown_cases(desk)) == holding

    # platform + minor + overdue, over every status
    desk.goto(f"{url}/console")
    desk.select_option("#platform", "x")
    desk.check("#flag-minor")
    desk.check("#overdue")
    desk.select_option("#status-filter", "all")
    desk.click("form.filters button[type=submit]")
    wanted = [s for s in specs if "x" in s.platforms and s.minor and s.overdue]
    assert wanted  # the seed has some
    assert sorted(shown_cases(desk)) == sorted(s.number for s in wanted)
    assert desk.is_checked("#flag-minor")  # the form keeps what was asked
    accessible(desk)
    shot(desk, "queue-filtered")

    # a forged filter: 400, said on the page, the whole queue shown instead
    answer = desk.goto(f"{url}/console?status=everything")
    assert answer is not None
    assert answer.status == 400
    assert "status is one of" in desk.inner_text("#filter-problem")
    assert len(shown_cases(desk)) == 50


def test_claim_from_the_queue_and_assign_on_the_case(hotline: LiveServer, desk: Page) -> None:
    cases = hotline.cases
    info, _ = cases.create(minor=True)
    other, _ = cases.create()
    url = hotline.url
    login(desk, url)
    desk.goto(f"{url}/console?flag=minor")
    desk.click(f"tr[data-case='{info.number}'] td.assignee button")
    assert "flag=minor" in desk.url  # back to the same filtered queue
    assert desk.inner_text(f"tr[data-case='{info.number}'] td.assignee") == "alice"
    assert "You took the case" in desk.inner_text("main")
    desk.goto(f"{url}/console?assigned=mine")
    assert shown_cases(desk) == [info.number]
    desk.goto(f"{url}/console?assigned=none")
    assert shown_cases(desk) == [other.number]
    # on the case: assign it to bob
    desk.goto(f"{url}/console/cases/{info.number}")
    desk.select_option("#assign-to", label="bob")
    desk.click("#assign-to ~ button")
    assert "bob" in desk.inner_text("#assignee")
    assert cases.get(info.number).assigned_to == "bob"
    # the custody log in words: no raw code in a cell
    rows = desk.eval_on_selector_all(
        "table.custody tbody tr", "rows => rows.map(r => [...r.cells].map(c => c.innerText))"
    )
    labels = [row[2] for row in rows]
    assert labels[0] == "Case opened"
    assert labels[-2:] == ["Assigned", "Assigned"]
    assert rows[-1][3] == "bob"
    assert rows[-1][4] == "alice (analyst)"
    assert not any("." in label and " " not in label for label in labels)  # no case.assigned
    accessible(desk)
    shot(desk, "case-assigned")


# --- notices --------------------------------------------------------------------------------------


def test_notices_for_all_links_grouped_per_platform_with_forms_to_file(
    hotline: LiveServer, desk: Page, smtp: SmtpServer
) -> None:
    WebhookStore(hotline.services.db).create(
        "insta-hook", "https://platform.example/hooks/bouclier", ["takedown.requested"]
    )
    cases = hotline.cases
    info, _ = cases.create(language="es", minor=True)
    links = cases.add_urls(
        info.number,
        [
            "https://www.instagram.com/p/aaa",
            "https://www.instagram.com/p/bbb",
            "https://x.com/someone/status/123",
        ],
    )
    url = hotline.url
    login(desk, url)
    desk.goto(f"{url}/console/cases/{info.number}")
    desk.click("#new-notices")
    groups = desk.eval_on_selector_all("section.platform-group h2", "hs => hs.map(h => h.id)")
    assert len(groups) == 2  # instagram and x, each once
    # the webhook's name is prefilled with its channel, and accepted as it is
    assert desk.input_value("#to_0_dsa") == "insta-hook"
    assert desk.input_value("#via_0_dsa") == "webhook"
    assert desk.input_value("#to_1_dsa") == "dsa@x.example"
    assert desk.input_value("#via_1_pharos") == "form"
    accessible(desk)
    # every link under every law with an address is ticked; the analyst keeps DSA and Pharos
    for link in links:
        assert desk.is_checked(f"#pick-{link.id}-dsa")
        assert desk.is_checked(f"#pick-{link.id}-pharos")
        desk.uncheck(f"#pick-{link.id}-take_it_down")
    shot(desk, "notices-review")
    desk.click("#create-notices")
    assert desk.inner_text("#bulk-result") == (
        "6 notice(s) created, 3 sent, 3 to file by hand, 0 failed."
    )
    with hotline.services.db.transaction() as session:
        rows = session.scalars(select(Notice).order_by(Notice.id)).all()
        by_law = {(n.item_id, n.law): (n.channel, n.status) for n in rows}
    assert by_law[links[0].id, "dsa"] == ("webhook", "sent")
    assert by_law[links[2].id, "dsa"] == ("email", "sent")
    assert by_law[links[0].id, "pharos"] == ("form", "draft")
    assert len(smtp.inbox.messages) == 1  # X's notice; no mail pretends a form was filed
    # a form notice: "to file", its text on the page, never "sent"
    pharos = next(n for n in rows if n.law == "pharos" and n.item_id == links[2].id)
    row = f"#notice-{pharos.reference}"
    assert desk.inner_text(f"{row} td.notice-status") == "to file"
    desk.click(f"{row} details summary")
    text = desk.input_value(f"#text-{pharos.reference}")
    assert "https://x.com/someone/status/123" in text
    assert pharos.reference in text
    shot(desk, "notice-to-file")
    desk.click(f"{row} form button")
    assert "filed in the platform's web form" in desk.inner_text("main")
    assert desk.inner_text(f"{row} td.notice-status") == "filed by hand"
    # the platform answers "removed": the link shows it (and stores it for the victim's page)
    dsa = next(n for n in rows if n.law == "dsa" and n.item_id == links[2].id)
    desk.select_option(f"#answer-{dsa.reference}", "removed")
    desk.click(f"#notice-{dsa.reference} form.answer button")
    assert desk.inner_text(f"#item-{links[2].id} .link-status") == "removed"
    assert desk.inner_text(f"#item-{links[0].id} .link-status") == "platform notified"
    assert {i.id: i.link_status for i in cases.items(info.number)}[links[2].id] == "removed"
    labels = desk.eval_on_selector_all(
        "table.custody tbody tr td:nth-child(3)", "cells => cells.map(c => c.innerText)"
    )
    assert "The platform answered" in labels
    assert "Notice sent" in labels
    accessible(desk)
    shot(desk, "case-notices")


def test_reject_asks_first(hotline: LiveServer, desk: Page) -> None:
    cases = hotline.cases
    info, _ = cases.create()
    [item] = cases.add_hashes(info.number, [HashReport(hash_bytes(encode(photo(3))).pdq.hashes[0])])
    url = hotline.url
    login(desk, url)
    desk.goto(f"{url}/console/cases/{info.number}")
    desk.click(f"#item-{item.id} a.button.danger")
    assert "every platform" in desk.inner_text("#reject-warning")
    accessible(desk)
    shot(desk, "reject-confirm")
    desk.click("#cancel-reject")
    assert cases.items(info.number)[0].status == "pending"
    desk.click(f"#item-{item.id} a.button.danger")
    desk.click("#confirm-reject")
    assert "Item rejected" in desk.inner_text("main")
    assert cases.items(info.number)[0].status == "rejected"


# --- dashboard and /docs --------------------------------------------------------------------------


def test_dashboard_counts_and_chart(hotline: LiveServer, desk: Page) -> None:
    specs = seed(hotline.services.db, 300)
    url = hotline.url
    login(desk, url)
    before = utcnow().date()
    desk.click("nav.console a[href='/console/dashboard']")
    after = utcnow().date()  # the chart's today is one of the two (midnight may fall between)
    open_ = [s for s in specs if s.status != "closed"]
    assert desk.inner_text("#count-new") == str(sum(s.status == "new" for s in specs))
    assert desk.inner_text("#count-minor") == str(sum(s.minor for s in open_))
    assert desk.inner_text("#count-overdue") == str(sum(s.overdue for s in specs))
    assert desk.inner_text("#notices-overdue") == str(sum(s.overdue for s in specs))
    bars = desk.eval_on_selector_all(
        "svg.chart g.bar text:first-of-type", "ts => ts.map(t => Number(t.textContent))"
    )
    assert len(bars) == 14
    assert sum(bars) == len(specs)  # 7 minutes apart: 300 cases in about a day and a half
    today = {sum(s.created_at.date() == day for s in specs) for day in (before, after)}
    assert bars[-1] in today  # today's bar is the last (empty just after midnight: none yet)
    assert desk.get_attribute("svg.chart", "role") == "img"
    accessible(desk)
    shot(desk, "dashboard")
    desk.click("#count-overdue")
    assert "overdue=1" in desk.url


def test_docs_work_without_internet(hotline: LiveServer, desk: Page) -> None:
    outside: list[str] = []

    def only_the_server(route: Route) -> None:
        if route.request.url.startswith(hotline.url):
            route.continue_()
        else:
            outside.append(route.request.url)
            route.abort()

    desk.route("**/*", only_the_server)
    desk.goto(f"{hotline.url}/docs")
    desk.wait_for_selector("#swagger-ui .info .title")
    assert "Bouclier" in desk.inner_text("#swagger-ui .info .title")
    assert desk.locator("#swagger-ui .opblock").count() > 10  # the routes are listed
    assert outside == []
    shot(desk, "docs-offline")
    assert desk.request.get(f"{hotline.url}/redoc").status == 404  # not served: it needs a CDN
