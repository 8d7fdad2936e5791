"""The victim portal without a browser: every page, in three languages, with plain forms; the
secret shown once and nowhere else; sessions, CSRF, guessing, withdrawal."""

from __future__ import annotations

import itertools
import json
import logging
import re
import zipfile
from io import BytesIO

import pytest
from fastapi.routing import APIRoute
from sqlalchemy import select

from bouclier.cases import attempts, record_reupload
from bouclier.hashing import hash_bytes
from bouclier.storage.models import CaseItem, Notice
from bouclier.web import common, portal_entry, sessions
from bouclier.web import portal as portal_pages
from tests.conftest import encode, photo
from tests.web.server import Portal, portal, solved

__all__ = ["portal"]

CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def csrf(html: str) -> str:
    found = CSRF.search(html)
    assert found is not None, "a form without its CSRF token"
    return found.group(1)


def create(
    portal: Portal, *, lang: str = "es", minor: bool = False, sextortion: bool = False, **extra: str
) -> tuple[str, str, str]:
    """Opens a case through the form; (number, secret, the created page)."""
    form_page = portal.client.get("/case/new", headers={"Accept-Language": lang})
    data = {"csrf_token": csrf(form_page.text), "language": lang, **solved(form_page.text), **extra}
    if minor:
        data["minor"] = "yes"
    if sextortion:
        data["sextortion"] = "yes"
    created = portal.client.post("/case/new", data=data, headers={"Accept-Language": lang})
    assert created.status_code == 200, created.text
    number = re.search(r'id="case-number">(.*?)</p>', created.text)
    secret = re.search(r'id="case-secret"[^>]*>(.*?)</p>', created.text)
    assert number is not None
    assert secret is not None
    return _text(number.group(1)), _text(secret.group(1)), created.text


def _text(html: str) -> str:
    """A secret or number as shown: its groups, without their tags."""
    return re.sub(r"<[^>]+>", "", html)


def case_page(portal: Portal, lang: str = "es") -> str:
    page = portal.client.get("/case", headers={"Accept-Language": lang}, follow_redirects=False)
    assert page.status_code == 200, page.status_code
    return page.text


def hashes_of(*seeds: int) -> list[dict[str, object]]:
    out: list[dict[str, object]] = []
    for seed in seeds:
        h = hash_bytes(encode(photo(seed), quality=90))
        out.append({"pdq": h.pdq.pdq, "quality": h.pdq.quality, "sha256": h.sha256})
    return out


# --- the pages ---------------------------------------------------------------------------------


@pytest.mark.parametrize("lang", common.LANGUAGES)
def test_every_page_renders_in_each_language_with_plain_forms(portal: Portal, lang: str) -> None:
    headers = {"Accept-Language": lang}
    for path in ("/", "/case/new", "/case/login"):
        page = portal.client.get(path, headers=headers)
        assert page.status_code == 200
        assert f'<html lang="{lang}">' in page.text
        # nothing before the case page needs JavaScript: the new-case form's proof of work is
        # done by a script when there is one, and waited for otherwise (test_without_javascript)
        scripts = re.findall(r"<script[^>]*>", page.text)
        assert scripts == (['<script src="/static/challenge.js">'] if path == "/case/new" else [])
    _, secret, created = create(portal, lang=lang, sextortion=True)
    assert f'<html lang="{lang}">' in created
    body = case_page(portal, lang)
    assert f'<html lang="{lang}">' in body
    for action in ("/case/urls", "/case/join", "/case/invite", "/case/evidence", "/case/bundle"):
        assert f'action="{action}" method' in body or f'method="post" action="{action}"' in body
    assert common.translate(lang, "sextortion.title") in body
    assert common.translate(lang, "hashes.noscript") in body  # in a <noscript>
    assert re.search(r"<noscript>.*hashes-noscript.*</noscript>", body)
    invite = portal.client.post("/case/invite", data={"csrf_token": csrf(body)}, headers=headers)
    assert "INV-" in invite.text
    confirm = portal.client.get("/case/withdraw", headers=headers)
    assert common.translate(lang, "withdraw.confirm") in confirm.text
    done = portal.client.post(
        "/case/withdraw", data={"csrf_token": csrf(confirm.text)}, headers=headers
    )
    assert common.translate(lang, "withdrawn.title") in done.text
    assert secret not in body


def test_every_input_has_a_label_and_headings_are_in_order(portal: Portal) -> None:
    create(portal, lang="fr")
    pages = [portal.client.get(p).text for p in ("/", "/case/new", "/case/login", "/case")]
    for html in pages:
        ids = set(re.findall(r'<label for="([^"]+)"', html))
        for tag in re.findall(r"<(?:input|select|textarea)\b[^>]*>", html):
            if 'type="hidden"' in tag:
                continue
            found = re.search(r'id="([^"]+)"', tag)
            assert found is not None, tag
            assert found.group(1) in ids, tag
        levels = [int(n) for n in re.findall(r"<h([1-6])\b", html)]
        assert levels[0] == 1
        assert all(b - a <= 1 for a, b in itertools.pairwise(levels)), levels
        for ref in re.findall(r'aria-describedby="([^"]+)"', html):
            for target in ref.split():
                assert f'id="{target}"' in html, target


# --- creating a case and coming back -------------------------------------------------------------


def test_the_secret_is_shown_once_never_cached_never_in_a_url_or_a_log(
    portal: Portal, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    seen_urls: list[str] = []
    number, secret, _ = create(portal, contact="mum@example.org")
    again = portal.client.get("/case/new")
    login = portal.client.post(
        "/case/login",
        data={"csrf_token": csrf(again.text), "number": number, "secret": secret},
        follow_redirects=False,
    )
    assert login.status_code == 303
    seen_urls.append(login.headers["location"])
    page = portal.client.get(login.headers["location"])
    seen_urls.append(str(page.url))
    assert number in page.text
    assert secret not in page.text
    assert all(secret not in url for url in seen_urls)
    for record in caplog.records:
        line = record.getMessage() + json.dumps(record.__dict__, default=str)
        assert secret not in line
        assert "mum@example.org" not in line


def test_the_created_page_is_not_cacheable_and_the_session_cookie_is_safe(portal: Portal) -> None:
    form_page = portal.client.get("/case/new")
    created = portal.client.post(
        "/case/new",
        data={"csrf_token": csrf(form_page.text), "language": "en", **solved(form_page.text)},
    )
    assert created.headers["cache-control"] == "no-store"
    cookies = created.headers.get_list("set-cookie")
    session = next(c for c in cookies if c.startswith(sessions.VICTIM.cookie + "="))
    assert "HttpOnly" in session
    assert "SameSite=lax" in session
    assert "Secure" not in session  # plain http here; https gets Secure


def test_no_name_is_asked(portal: Portal) -> None:
    html = portal.client.get("/case/new", headers={"Accept-Language": "en"}).text
    names = set(re.findall(r'<(?:input|select|textarea)[^>]* name="([^"]+)"', html))
    assert names == {
        "csrf_token",
        "challenge",  # signed by the server, and its proof of work: no personal data
        "answer",
        "language",
        "minor",
        "sextortion",
        "contact",
        "invitation",
    }


def test_wrong_secrets_make_that_connection_wait_for_that_number(portal: Portal) -> None:
    # (the owner from another connection is not made to wait: tests/api/test_guessing.py)
    number, secret, _ = create(portal)
    token = csrf(portal.client.get("/case/login").text)
    for _ in range(attempts.PAIR_FREE):
        wrong = portal.client.post(
            "/case/login", data={"csrf_token": token, "number": number, "secret": "WRONG-0000"}
        )
        assert wrong.status_code == 400
        assert 'aria-invalid="true"' in wrong.text
    locked = portal.client.post(
        "/case/login", data={"csrf_token": token, "number": number, "secret": secret}
    )
    assert locked.status_code == 429
    assert int(locked.headers["retry-after"]) > 0


def test_pages_of_a_case_need_its_session(portal: Portal) -> None:
    portal.client.cookies.clear()
    for path in ("/case", "/case/withdraw"):
        answer = portal.client.get(path, follow_redirects=False)
        assert answer.status_code == 303
        assert answer.headers["location"].startswith("/case/login")
    forged = portal.client.post(
        "/case/urls", data={"csrf_token": "x", "urls": "https://x.example/"}, follow_redirects=False
    )
    assert forged.status_code == 303


def test_one_session_sees_only_its_own_case(portal: Portal) -> None:
    number_a, _, _ = create(portal)
    cookie_a = portal.client.cookies.get(sessions.VICTIM.cookie)
    portal.client.cookies.clear()
    number_b, _, _ = create(portal)
    page = case_page(portal)
    assert number_b in page
    assert number_a not in page
    portal.client.cookies.set(sessions.VICTIM.cookie, cookie_a or "")
    page = case_page(portal)
    assert number_a in page
    assert number_b not in page
    # no portal URL names a case or an item: there is no id to change
    for route in [*portal_entry.router.routes, *portal_pages.router.routes]:
        assert isinstance(route, APIRoute)
        assert "{" not in route.path, route.path


def test_a_post_without_or_with_a_wrong_csrf_token_is_refused_and_changes_nothing(
    portal: Portal,
) -> None:
    number, _, _ = create(portal)
    for data in (
        {"urls": "https://www.tiktok.com/@x/video/1"},
        {"urls": "https://www.tiktok.com/@x/video/1", "csrf_token": "forged" * 8},
    ):
        refused = portal.client.post("/case/urls", data=data)
        assert refused.status_code == 403
    assert portal.cases.items(number) == []
    withdraw = portal.client.post("/case/withdraw", data={"csrf_token": "nope"})
    assert withdraw.status_code == 403
    assert portal.cases.get(number).number == number
    # before a session: creating a case needs the double-submit cookie
    portal.client.cookies.clear()
    before = portal.cases.queue()
    refused = portal.client.post("/case/new", data={"language": "en", "csrf_token": "a" * 43})
    assert refused.status_code == 403
    assert len(portal.cases.queue()) == len(before)
    # a form posted from another site is refused even with a token
    token = csrf(portal.client.get("/case/new").text)
    cross = portal.client.post(
        "/case/new",
        data={"language": "en", "csrf_token": token},
        headers={"Origin": "https://evil.example"},
    )
    assert cross.status_code == 403


# --- the case's forms ----------------------------------------------------------------------------


def test_hashes_links_and_a_blocked_reupload_show_on_the_case_page(portal: Portal) -> None:
    number, _, _ = create(portal, minor=True, sextortion=True)
    token = csrf(case_page(portal))
    sent = hashes_of(1, 2)
    added = portal.client.post(
        "/case/hashes",
        data={"csrf_token": token, "hashes": json.dumps(sent)},
        follow_redirects=False,
    )
    assert added.status_code == 303
    links = "https://www.instagram.com/p/abc/\n\nhttps://www.tiktok.com/@someone/video/123\n"
    assert (
        portal.client.post("/case/urls", data={"csrf_token": token, "urls": links}).status_code
        == 200
    )
    page = case_page(portal)
    for h in sent:
        assert str(h["pdq"])[:12] in page
        assert str(h["pdq"]) not in page  # only a prefix is shown
    assert "instagram" in page
    assert "tiktok" in page
    items = portal.cases.items(number)
    entry = next(i for i in items if i.kind == "hash")
    with portal.services.db.transaction() as session:
        entry_id = session.scalar(select(CaseItem.bank_entry_id).where(CaseItem.id == entry.id))
        assert record_reupload(session, case_ref=number, entry_id=entry_id, platform="tiktok")
    page = case_page(portal, "es")
    assert "Resubida bloqueada en tiktok el " in page


def test_bad_lines_are_shown_and_nothing_is_added(portal: Portal) -> None:
    number, _, _ = create(portal, lang="en")
    token = csrf(case_page(portal, "en"))
    answer = portal.client.post(
        "/case/urls",
        data={"csrf_token": token, "urls": "https://ok.example/a\nnot a link\nftp://x.example/"},
        headers={"Accept-Language": "en"},
    )
    assert answer.status_code == 400
    assert "Line 2:" in answer.text
    assert "Line 3:" in answer.text
    assert "Line 1:" not in answer.text
    assert "not a link" in answer.text  # the text is kept for correcting
    assert portal.cases.items(number) == []


def test_hashes_that_are_not_hashes_are_refused(portal: Portal) -> None:
    number, _, _ = create(portal, lang="en")
    token = csrf(case_page(portal, "en"))
    deep = "[" * 100_000  # deeper than the JSON parser goes: refused, not a crash
    for bad in ("", "nonsense", "[]", '[{"pdq": "xyz"}]', '{"pdq": 1}', deep):
        answer = portal.client.post("/case/hashes", data={"csrf_token": token, "hashes": bad})
        assert answer.status_code == 400, bad[:20]
    assert portal.cases.items(number) == []


def test_evidence_is_kept_only_when_chosen_and_never_for_a_minor(portal: Portal) -> None:
    image = encode(photo(5), quality=90)
    number, _, _ = create(portal, lang="en")
    token = csrf(case_page(portal, "en"))
    files = {"file": ("x.jpg", image, "image/jpeg")}
    unchosen = portal.client.post("/case/evidence", data={"csrf_token": token}, files=files)
    assert unchosen.status_code == 400
    assert common.translate("en", "evidence.consent_missing") in unchosen.text
    assert portal.cases.items(number) == []
    chosen = portal.client.post(
        "/case/evidence",
        data={"csrf_token": token, "consent": "yes"},
        files=files,
        follow_redirects=False,
    )
    assert chosen.status_code == 303
    assert [i.kind for i in portal.cases.items(number)] == ["evidence"]

    portal.client.cookies.clear()
    minor, _, _ = create(portal, lang="es", minor=True)
    page = case_page(portal, "es")
    assert 'action="/case/evidence"' not in page
    assert common.translate("es", "evidence.minor") in page
    refused = portal.client.post(
        "/case/evidence",
        data={"csrf_token": csrf(page), "consent": "yes"},
        files=files,
        headers={"Accept-Language": "es"},
    )
    assert refused.status_code == 400
    assert common.translate("es", "evidence.minor") in refused.text
    assert portal.cases.items(minor) == []


def invitation_code(html: str) -> str:
    found = re.search(r'id="invitation-code"[^>]*>(.*?)</p>', html)
    assert found is not None
    return _text(found.group(1))


def test_joining_a_collective_with_a_code(portal: Portal) -> None:
    first, _, _ = create(portal)
    token = csrf(case_page(portal))
    code = invitation_code(portal.client.post("/case/invite", data={"csrf_token": token}).text)
    assert code.startswith("INV-")
    # a second code for another family: the first one keeps working
    other = invitation_code(portal.client.post("/case/invite", data={"csrf_token": token}).text)
    assert other != code
    portal.client.cookies.clear()
    second, _, _ = create(portal, invitation=code.lower())
    assert "2" in case_page(portal)
    portal.client.cookies.clear()
    third, _, _ = create(portal)
    token = csrf(case_page(portal))
    wrong = portal.client.post("/case/join", data={"csrf_token": token, "invitation": "INV-NOPE"})
    assert wrong.status_code == 400
    joined = portal.client.post(
        "/case/join",
        data={"csrf_token": token, "invitation": other},
        follow_redirects=False,
    )
    assert joined.status_code == 303
    assert {c.number for c in portal.cases.collective(third)} == {first, second, third}


def test_an_unknown_invitation_code_is_shown_on_its_field(portal: Portal) -> None:
    form_page = portal.client.get("/case/new", headers={"Accept-Language": "en"})
    answer = portal.client.post(
        "/case/new",
        data={
            "csrf_token": csrf(form_page.text),
            "language": "en",
            "invitation": "INV-XXXX",
            **solved(form_page.text),
        },
        headers={"Accept-Language": "en"},
    )
    assert answer.status_code == 400
    assert 'aria-describedby="invitation-hint invitation-error"' in answer.text
    assert 'value="INV-XXXX"' in answer.text


def test_the_evidence_bundle_downloads_as_a_zip(portal: Portal) -> None:
    number, _, _ = create(portal)
    token = csrf(case_page(portal))
    portal.client.post("/case/urls", data={"csrf_token": token, "urls": "https://x.example/1"})
    bundle = portal.client.post("/case/bundle", data={"csrf_token": token})
    assert bundle.status_code == 200
    assert bundle.headers["content-type"] == "application/zip"
    assert number in bundle.headers["content-disposition"]
    assert zipfile.ZipFile(BytesIO(bundle.content)).namelist()


def test_withdrawal_deletes_and_says_what(portal: Portal) -> None:
    number, _, _ = create(portal, lang="en")
    token = csrf(case_page(portal, "en"))
    portal.client.post(
        "/case/hashes", data={"csrf_token": token, "hashes": json.dumps(hashes_of(3))}
    )
    portal.client.post("/case/urls", data={"csrf_token": token, "urls": "https://x.example/1"})
    confirm = portal.client.get("/case/withdraw", headers={"Accept-Language": "en"})
    done = portal.client.post(
        "/case/withdraw", data={"csrf_token": csrf(confirm.text)}, headers={"Accept-Language": "en"}
    )
    assert done.status_code == 200
    assert "2 items" in done.text
    assert "1 fingerprints removed" in done.text
    assert portal.client.get("/case", follow_redirects=False).status_code == 303
    assert [w.case_number for w in portal.cases.withdrawals()] == [number]


def test_logout_ends_the_session(portal: Portal) -> None:
    create(portal)
    token = csrf(case_page(portal))
    portal.client.post("/case/logout", data={"csrf_token": token})
    assert portal.client.get("/case", follow_redirects=False).status_code == 303


@pytest.mark.parametrize("lang", common.LANGUAGES)
def test_notices_and_every_kind_of_platform_answer_render(portal: Portal, lang: str) -> None:
    number, _, _ = create(portal, lang=lang)
    case_id = portal.cases.get(number).id
    statuses = ("draft", "sent", "acknowledged", "removed", "refused", "expired")
    with portal.services.db.transaction() as session:
        for n, status in enumerate(statuses):
            session.add(
                Notice(
                    reference=f"N-{lang}-{n}",
                    case_id=case_id,
                    platform="tiktok",
                    url="https://www.tiktok.com/@x/video/1",
                    law="dsa",
                    channel="email",
                    recipient="abuse@platform.example",
                    status=status,
                )
            )
        for action in ("blocked", "not_blocked", "false_positive"):
            record_reupload(session, case_ref=number, entry_id=None, platform="x", action=action)
    page = case_page(portal, lang)
    for status in statuses:
        assert common.translate(lang, f"notice.{status}") in page
    assert page.count("<li>") >= len(statuses) + 3
    assert "abuse@platform.example" not in page


def test_sending_the_new_case_form_again_does_not_open_a_second_case(portal: Portal) -> None:
    form_page = portal.client.get("/case/new", headers={"Accept-Language": "en"})
    data = {"csrf_token": csrf(form_page.text), "language": "en", **solved(form_page.text)}
    first = portal.client.post("/case/new", data=data)
    assert first.status_code == 200
    again = portal.client.post("/case/new", data=data, follow_redirects=False)  # a refresh
    assert again.status_code in (302, 303)
    assert again.headers["location"] == "/case?done=already_open"
    page = portal.client.get(again.headers["location"]).text
    assert "This browser already has a case open" in page
    assert len(portal.cases.queue()) == 1


def test_without_javascript_the_form_works_after_a_few_seconds(
    portal: Portal, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No answer to the proof of work: sent at once, the form comes back (nothing is made, the
    same challenge kept); sent again a few seconds later, the case is opened, unverified."""
    challenges = portal.services.intake.challenges  # type: ignore[union-attr]
    form_page = portal.client.get("/case/new", headers={"Accept-Language": "en"})
    token = solved(form_page.text)["challenge"]
    data = {"csrf_token": csrf(form_page.text), "language": "en", "minor": "yes"}
    data["challenge"] = token
    early = portal.client.post("/case/new", data=data, headers={"Accept-Language": "en"})
    assert early.status_code == 400
    assert common.translate("en", "new.wait") in early.text
    assert solved(early.text)["challenge"] == token  # press again: the same form, same challenge
    assert 'value="yes" aria-describedby="minor-hint" checked' in early.text  # answers kept
    assert portal.cases.queue() == []
    read_and_filled = challenges.clock() + challenges.wait_seconds
    monkeypatch.setattr(challenges, "clock", lambda: read_and_filled)
    created = portal.client.post("/case/new", data=data, headers={"Accept-Language": "en"})
    assert created.status_code == 200
    [entry] = portal.cases.queue()
    assert (entry.case.minor, entry.case.verified) == (True, False)
    portal.client.cookies.clear()
    form_page = portal.client.get("/case/new")
    again = {"csrf_token": csrf(form_page.text), "language": "en", "challenge": token}
    spent = portal.client.post("/case/new", data=again)  # the same challenge twice
    assert spent.status_code == 400
    assert common.translate("en", "new.challenge_again") in spent.text
    assert len(portal.cases.queue()) == 1


def test_a_burst_of_cases_from_one_client_is_limited_then_refused(portal: Portal) -> None:
    made = []
    for _ in range(7):
        portal.client.cookies.clear()  # a new visitor each time, from the same address
        form_page = portal.client.get("/case/new")
        data = {"csrf_token": csrf(form_page.text), "language": "en", **solved(form_page.text)}
        made.append(portal.client.post("/case/new", data=data))
    assert [m.status_code for m in made] == [200] * 6 + [429]
    assert int(made[-1].headers["retry-after"]) >= 1
    verified = sorted(e.case.verified for e in portal.cases.queue())
    assert verified == [False] * 4 + [True] * 2
