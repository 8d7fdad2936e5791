"""Liveness of notified URLs in the real browser: checked at the deadline, a platform's "removed"
verified, and the captures in the evidence bundle that ``bouclier evidence verify`` checks."""

from __future__ import annotations

import io
import json
import zipfile
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import pytest

from bouclier.capture import Captures, liveness
from bouclier.cases import Cases
from bouclier.cases.bundle_check import verify_bundle
from bouclier.cases.evidence import export_bundle
from bouclier.notices import Notices
from bouclier.settings import Settings
from bouclier.storage import Database
from bouclier.storage.models import utcnow
from tests.capture.conftest import Site, benign_jpeg
from tests.conftest import CliResult

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_deadline_check_then_a_removal_answer_verified(
    db: Database, settings: Settings, site: Site
) -> None:
    settings = settings.model_copy(
        update={
            "hotline_name": "Test hotline",
            "hotline_email": "hotline@example.org",
            "capture_recheck_hours": 1000.0,  # past the deadline: the deadline's check comes first
        }
    )
    captures = Captures(db, settings)
    site.html("/post", '<html><body><img src="/pic.jpg"></body></html>')
    site.image("/pic.jpg", benign_jpeg(7))
    cases = Cases(db, settings)
    case, _ = cases.create()
    item = cases.add_urls(case.number, [f"{site.url}/post"])[0]
    notices = Notices(db, settings)
    notice = notices.create(
        case.number, item.id, "dsa", "form", "https://platform.example/report", actor="analyst:a"
    )
    sent = notices.send(notice.reference, actor="analyst:a")
    assert sent.deadline_at is not None
    assert liveness.due(captures, sent.deadline_at - timedelta(minutes=1)) == []

    after = sent.deadline_at + timedelta(minutes=1)
    first = liveness.sweep(captures, actor="sweep", now=after)
    assert [(r.reason, r.outcome) for r in first] == [("deadline", "online")]
    assert liveness.due(captures, after) == []  # done: not owed again until the next recheck
    recheck = after + timedelta(hours=1001)
    assert [c.reason for c in liveness.due(captures, recheck)] == ["recheck"]

    # the platform says removed, but the post is still there: the check disputes it
    notices.record_answer(notice.reference, "removed", actor="analyst:a")
    second = liveness.sweep(captures, actor="sweep", now=utcnow())
    assert [(r.reason, r.outcome, r.removal_disputed) for r in second] == [
        ("removal", "online", True)
    ]
    # once the post is really gone, a recheck shows it, and nothing disputes the removal
    del site.pages["/post"]
    later = utcnow() + timedelta(hours=settings.capture_recheck_hours + 1)
    assert liveness.due(captures, later) == []  # a removed notice is verified once, not polled
    info = captures.capture(case.number, item.id, actor="analyst:a", reason="recheck")
    assert info.outcome == "gone"

    log = cases.custody_log(case.number)
    made = [entry.data for entry in log if entry.kind == "capture.made"]
    assert [(d["reason"], d["outcome"]) for d in made] == [
        ("deadline", "online"),
        ("removal", "online"),
        ("recheck", "gone"),
    ]

    bundle = export_bundle(cases, case.number, actor="analyst:a")
    result = verify_bundle(bundle)
    assert result.ok, result.problems
    with zipfile.ZipFile(io.BytesIO(bundle)) as zipped:
        manifest = json.loads(zipped.read("manifest.json"))
        names = zipped.namelist()
        members = {name: zipped.read(name) for name in names}
    assert [c["outcome"] for c in manifest["captures"]] == ["online", "online", "gone"]
    assert {c["file"] for c in manifest["captures"]} <= set(names)
    # two captures swapped inside the bundle (each package intact and signed) are caught
    first_file, second_file = manifest["captures"][0]["file"], manifest["captures"][2]["file"]
    swapped = dict(members)
    swapped[first_file], swapped[second_file] = members[second_file], members[first_file]
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as zipped:
        for name, data in swapped.items():
            zipped.writestr(name, data)
    problems = verify_bundle(out.getvalue()).problems
    assert any("not the capture the bundle's manifest names" in p for p in problems)


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_the_cli_captures_lists_exports_and_verifies(
    cli: Callable[..., CliResult],
    database_url: str,
    tmp_path: Path,
    site: Site,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("BOUCLIER_CAPTURE_ALLOWED_HOSTS", "127.0.0.1")
    site.html("/p", "<h1>a post</h1>")
    code, out, _ = cli("case", "create")
    assert code == 0, out
    number = json.loads(out[0])["number"]
    code, out, err = cli("case", "add-url", number, f"{site.url}/p")
    assert code == 0, err
    item = json.loads(out[0])["id"]

    code, out, err = cli("capture", "url", number, str(item))
    assert code == 0, err
    made = json.loads(out[0])
    assert (made["outcome"], made["http_status"]) == ("online", 200)
    code, out, _ = cli("capture", "list", number)
    assert [json.loads(line)["id"] for line in out] == [made["id"]]
    path = tmp_path / "capture.zip"
    code, out, err = cli("capture", "export", number, str(made["id"]), "-o", str(path))
    assert code == 0, err
    code, out, _ = cli("capture", "verify", str(path))
    assert code == 0
    assert json.loads(out[0])["intact"] is True
    path.write_bytes(path.read_bytes()[:-100])
    code, out, _ = cli("capture", "verify", str(path))
    assert code == 7
    assert json.loads(out[0])["intact"] is False

    # a notice sent for the link: the sweep re-visits it once a recheck is due, with --liveness
    monkeypatch.setenv("BOUCLIER_HOTLINE_NAME", "Test hotline")
    monkeypatch.setenv("BOUCLIER_HOTLINE_EMAIL", "hotline@example.org")
    monkeypatch.setenv("BOUCLIER_CAPTURE_RECHECK_HOURS", "0.00001")  # 36 ms
    code, out, err = cli(
        "notice", "create", number, str(item), "--law", "dsa", "--channel", "form",
        "--to", "https://platform.example/report",
    )  # fmt: skip
    assert code == 0, err
    reference = json.loads(out[0])["reference"]
    code, out, err = cli("notice", "send", reference, "--filed")
    assert code == 0, err
    code, out, _ = cli("notice", "sweep")
    assert out == []  # without --liveness, no visit
    del site.pages["/p"]
    code, out, err = cli("notice", "sweep", "--liveness")
    assert code == 0, err
    checked = [json.loads(line) for line in out]
    assert [(c["action"], c["reason"], c["outcome"]) for c in checked] == [
        ("checked", "recheck", "gone")
    ]
