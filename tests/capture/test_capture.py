"""Captures of local sites in the real browser: images matched against the banks, a redirect,
the https chain, a page that changes and one that disappears, loopback refused by default."""

from __future__ import annotations

import io
import json
import tempfile
import zipfile
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from sqlalchemy import select

from bouclier.capture import Captures, archive, package
from bouclier.cases import Cases, HashReport
from bouclier.errors import InputError
from bouclier.hashing import hash_bytes
from bouclier.settings import Settings
from bouclier.signing_key import load_signing_key
from bouclier.storage import Database
from bouclier.storage.models import Capture
from tests.capture.conftest import LocalCA, Site, benign_jpeg, capture_settings

pytestmark = pytest.mark.browser

POST = """<!doctype html><html><head><title>a post</title></head><body>
<h1>A post</h1><img src="/banked.jpg" width="320"><img src="/other.jpg" width="320">
</body></html>"""


def _members(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as zipped:
        return {name: zipped.read(name) for name in zipped.namelist()}


def _rezip(members: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as zipped:
        for name, data in members.items():
            zipped.writestr(name, data)
    return out.getvalue()


def test_a_page_with_images_behind_a_redirect_over_https(
    db: Database,
    settings: Settings,
    captures: Captures,
    tls_site: Site,
    test_ca: LocalCA,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    banked = benign_jpeg(1)
    tls_site.html("/post/1", POST)
    tls_site.image("/banked.jpg", banked)
    tls_site.image("/other.jpg", benign_jpeg(2))
    tls_site.redirect("/p/1", "/post/1")
    cases = Cases(db, settings)
    case, _ = cases.create()
    hashes = hash_bytes(banked)
    cases.add_hashes(case.number, [HashReport(hashes.pdq.pdq, hashes.pdq.quality, hashes.sha256)])
    item = cases.add_urls(case.number, [f"{tls_site.url}/p/1"])[0]
    profiles = tmp_path / "profiles"
    profiles.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(profiles))

    info = captures.capture(case.number, item.id, actor="analyst:Marie")

    assert (info.final_url, info.http_status, info.outcome) == (
        f"{tls_site.url}/post/1",
        200,
        "online",
    )
    assert info.matched == 1
    assert list(profiles.iterdir()) == []  # the browser's profile (its cookies) is gone
    data = captures.package(case.number, info.id)
    members = _members(data)
    assert set(members) >= {"manifest.json", "signature.json", "capture.wacz", "screenshot.png"}
    assert members["screenshot.png"].startswith(b"\x89PNG")
    assert b"A post" in members["page.html"]
    manifest = json.loads(members["manifest.json"])
    seen = {image["url"].rsplit("/", 1)[1]: image for image in manifest["images"]}
    assert seen["banked.jpg"]["matches"][0]["bank"] == "victims"
    assert seen["banked.jpg"]["pdq"] == hashes.pdq.pdq
    assert seen["other.jpg"]["matches"] == []
    # the chain the server presented, verified up to the CA made in this test
    chain = x509.load_pem_x509_certificates(members["certificates.pem"])
    assert chain[-1] == test_ca.ca_cert
    assert chain[0].subject.rfc4514_string() == "CN=127.0.0.1"
    assert archive.validate(members["capture.wacz"])
    # the WARC inside the WACZ has the redirect as it came, a 302
    warc = _members(members["capture.wacz"])["archive/capture.warc.gz"]
    from warcio.archiveiterator import ArchiveIterator

    statuses = {
        record.rec_headers.get_header("WARC-Target-URI"): record.http_headers.get_statuscode()
        for record in ArchiveIterator(io.BytesIO(warc))
        if record.rec_type == "response"
    }
    assert statuses[f"{tls_site.url}/p/1"] == "302"
    assert statuses[f"{tls_site.url}/banked.jpg"] == "200"

    key = load_signing_key(settings)
    assert key is not None
    checked = package.verify(data, expected_key=key.public.fingerprint)
    assert checked.ok, checked.problems
    assert not package.verify(data, expected_key="SHA256:" + "0" * 64).ok
    edited = dict(members, **{"page.html": members["page.html"].replace(b"A post", b"No post")})
    assert any("page.html was altered" in p for p in package.verify(_rezip(edited)).problems)
    forged = dict(members, **{"manifest.json": members["manifest.json"].replace(b"200", b"404")})
    assert any("signature" in p for p in package.verify(_rezip(forged)).problems)
    broken_wacz = dict(members, **{"capture.wacz": members["capture.wacz"][:-40] + b"\0" * 40})
    assert not package.verify(_rezip(broken_wacz)).ok

    log = cases.custody_log(case.number)
    assert log[-1].kind == "capture.made"
    assert log[-1].data["manifest_sha256"] == info.manifest_sha256
    assert cases.verify(case.number).ok
    with db.transaction() as session:
        stored = session.scalars(select(Capture.ciphertext)).one()
    assert b"A post" not in stored
    assert b"\x89PNG" not in stored
    preview = captures.preview(case.number, info.id)
    assert preview is not None
    assert preview.startswith(b"\x89PNG")


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_a_page_that_changes_then_disappears(
    db: Database, settings: Settings, captures: Captures, site: Site
) -> None:
    site.html("/post", POST)
    site.image("/banked.jpg", benign_jpeg(3))
    site.image("/other.jpg", benign_jpeg(4))
    cases = Cases(db, settings)
    case, _ = cases.create()
    item = cases.add_urls(case.number, [f"{site.url}/post"])[0]

    first = captures.capture(case.number, item.id, actor="analyst:a")
    site.html("/post", '<html><body><p>edited</p><img src="/new.jpg"></body></html>')
    site.image("/new.jpg", benign_jpeg(5))
    second = captures.capture(case.number, item.id, actor="analyst:a")
    del site.pages["/post"]
    third = captures.capture(case.number, item.id, actor="analyst:a")

    assert [c.outcome for c in (first, second, third)] == ["online", "changed", "gone"]
    assert third.http_status == 404
    assert [c.id for c in captures.list(case.number)] == [first.id, second.id, third.id]


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_loopback_is_refused_unless_the_operator_allows_it(
    db: Database, tmp_path: Path, database_url: str, site: Site
) -> None:
    site.html("/", "<h1>internal</h1>")
    settings = capture_settings(tmp_path, database_url, capture_allowed_hosts=None)
    cases = Cases(db, settings)
    case, _ = cases.create()
    item = cases.add_urls(case.number, [f"{site.url}/"])[0]

    info = Captures(db, settings).capture(case.number, item.id, actor="analyst:a")

    assert info.outcome == "gone"
    assert info.http_status is None
    assert site.hits == []  # nothing reached the server
    manifest = json.loads(
        _members(Captures(db, settings).package(case.number, info.id))["manifest.json"]
    )
    assert "loopback" in manifest["refused"][0]


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_a_minor_case_is_captured_only_when_an_analyst_asks(
    db: Database, settings: Settings, captures: Captures, site: Site
) -> None:
    site.html("/", "<h1>a post</h1>")
    cases = Cases(db, settings)
    case, _ = cases.create(minor=True)
    item = cases.add_urls(case.number, [f"{site.url}/"])[0]

    with pytest.raises(InputError) as refused:
        captures.capture(case.number, item.id, actor="victim")
    assert refused.value.code == "capture_refused_minor"
    assert site.hits == []
    # a liveness check of a minor's link keeps the status and the hashes, no copy
    check = captures.capture(case.number, item.id, actor="sweep", reason="recheck")
    assert check.outcome == "online"
    kept = _members(captures.package(case.number, check.id))
    assert set(kept) == {"manifest.json", "signature.json"}
    assert json.loads(kept["manifest.json"])["copies_kept"] is False

    info = captures.capture(case.number, item.id, actor="analyst:a", allow_minor=True)
    assert info.outcome == "online"
    assert cases.custody_log(case.number)[-1].data["minor_capture_asked_by_analyst"] is True
    members = _members(captures.package(case.number, info.id))
    assert "screenshot.png" in members
    # previews are blurred: the blurred preview differs from the sharp one
    assert captures.preview(case.number, info.id) != captures.preview(
        case.number, info.id, blur=False
    )


def test_certificates_pem_round_trips(test_ca: LocalCA) -> None:
    der = test_ca.ca_cert.public_bytes(serialization.Encoding.DER)
    pem = package.certificates_pem((der, der))
    assert x509.load_pem_x509_certificates(pem) == [test_ca.ca_cert, test_ca.ca_cert]
    assert package.certificates_pem(()) == b""


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_the_byte_limit_and_an_untrusted_certificate_are_recorded(
    db: Database, tmp_path: Path, database_url: str, site: Site, tls_site: Site
) -> None:
    site.html("/p", POST)
    site.image("/banked.jpg", benign_jpeg(11))
    site.image("/other.jpg", benign_jpeg(12))
    tls_site.html("/p", "<h1>hello</h1>")
    settings = capture_settings(tmp_path, database_url, capture_max_bytes=4096)
    cases = Cases(db, settings)
    case, _ = cases.create()
    small, secure = cases.add_urls(case.number, [f"{site.url}/p", f"{tls_site.url}/p"])
    # the public authorities, not the test's CA: the local certificate does not verify
    captures = Captures(db, settings)

    limited = captures.capture(case.number, small.id, actor="analyst:a")
    refused = captures.capture(case.number, secure.id, actor="analyst:a")

    manifest = json.loads(_members(captures.package(case.number, limited.id))["manifest.json"])
    assert limited.http_status == 200  # the page itself fits
    assert manifest["images"] == []
    assert any("size limit" in line for line in manifest["refused"])
    assert refused.outcome == "gone"
    manifest = json.loads(_members(captures.package(case.number, refused.id))["manifest.json"])
    assert "CERTIFICATE_VERIFY_FAILED" in manifest["refused"][0]
