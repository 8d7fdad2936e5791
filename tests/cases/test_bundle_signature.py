"""Signed evidence bundles (issue 14, part 7): a bundle rewritten whole, every hash recomputed,
verified offline before; now its signature names another key than the issuer's, and fails when
the issuer's key is pinned. Tampering, a removed or swapped signature, old unsigned bundles."""

from __future__ import annotations

import hashlib
import io
import json
import stat
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from bouclier.cases import Cases, bundle_signature, custody
from bouclier.cases.bundle_check import verify_bundle
from bouclier.cases.evidence import content_digest, export_bundle
from bouclier.errors import ConfigError
from bouclier.keyfiles import TemplateKey
from bouclier.settings import Settings
from bouclier.signing_key import SigningKey, key_path, load_signing_key
from bouclier.storage import Database

Files = dict[str, bytes]
Manifest = dict[str, Any]


@pytest.fixture
def cases(db: Database, tmp_path: Path) -> Cases:
    return Cases(db, Settings(data_dir=tmp_path / "data"))


@pytest.fixture
def number(cases: Cases) -> str:
    case, _ = cases.create(language="fr")
    cases.add_urls(case.number, ["https://www.instagram.com/p/abc"])
    return case.number


def _unzip(data: bytes) -> Files:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def _zip(files: Files) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def rewrite(files: Files, change: Callable[[Manifest], None], key: SigningKey | None) -> bytes:
    """What a careful forger does: change the manifest, record the new content in the log's
    export entry, re-chain the log, update the head and the file list, sign with ``key`` (or
    leave the bundle unsigned)."""
    manifest: Manifest = json.loads(files["manifest.json"])
    change(manifest)
    log = custody.from_jsonl(files["custody.jsonl"])
    log[-1].data["content_sha256"] = content_digest(manifest)
    chained, prev = [], custody.GENESIS
    for entry in log:
        digest = custody.entry_hash(prev, entry.seq, entry.at, entry.kind, entry.actor, entry.data)
        chained.append(
            custody.Entry(entry.seq, entry.at, entry.kind, entry.actor, entry.data, prev, digest)
        )
        prev = digest
    files["custody.jsonl"] = custody.to_jsonl(chained)
    manifest["custody"]["head_sha256"] = prev
    manifest["files"]["custody.jsonl"] = {
        "sha256": hashlib.sha256(files["custody.jsonl"]).hexdigest(),
        "size": len(files["custody.jsonl"]),
    }
    files["manifest.json"] = json.dumps(manifest, indent=2).encode()
    files.pop("signature.json", None)
    if key is not None:
        files["signature.json"] = bundle_signature.sign(
            key, files["manifest.json"], "manifest.json"
        )
    return _zip(files)


def other_key() -> SigningKey:
    return SigningKey(TemplateKey.generate().secret)


def test_a_bundle_is_signed_by_the_instance_key(cases: Cases, number: str) -> None:
    data = export_bundle(cases, number, actor="analyst")
    instance = load_signing_key(cases.settings)
    assert instance is not None
    assert stat.S_IMODE(key_path(cases.settings).stat().st_mode) == 0o600
    result = verify_bundle(data)
    assert result.ok, result.problems
    assert result.signed
    assert result.signer == instance.public
    manifest = json.loads(_unzip(data)["manifest.json"])
    assert manifest["signer"]["fingerprint"] == instance.public.fingerprint
    signature = json.loads(_unzip(data)["signature.json"])
    assert signature["public_key"] == instance.public.encoded
    assert "BEGIN PUBLIC KEY" in signature["public_key_pem"]
    for pin in (
        instance.public.fingerprint,
        instance.public.fingerprint[7:].upper(),
        instance.public.encoded,
    ):
        assert verify_bundle(data, expected_key=pin).ok
    # the same key signs the next bundle: it is kept, not made again
    assert verify_bundle(export_bundle(cases, number, actor="analyst")).signer == instance.public


def test_a_self_consistent_rewrite_with_another_key_fails_when_the_key_is_pinned(
    cases: Cases, number: str
) -> None:
    files = _unzip(export_bundle(cases, number, actor="analyst"))
    instance = load_signing_key(cases.settings)
    assert instance is not None
    forger = other_key()

    def change(manifest: Manifest) -> None:
        manifest["items"][0]["url"] = "https://www.instagram.com/p/somebody-else"
        manifest["signer"] = bundle_signature.signer_section(forger.public)

    forged = rewrite(files, change, forger)
    unpinned = verify_bundle(forged)
    assert unpinned.ok  # consistent with itself: only the key tells it apart...
    assert unpinned.signer == forger.public
    assert unpinned.signer.fingerprint != instance.public.fingerprint  # ...as the report shows
    pinned = verify_bundle(forged, expected_key=instance.public.fingerprint)
    assert not pinned.ok
    assert any("not by the expected key" in p for p in pinned.problems), pinned.problems


@pytest.mark.parametrize(
    "tamper",
    [
        "content",  # the manifest changed, and the log with it, but not re-signed
        "signer",  # the manifest names another key than the one that signed
        "removed",  # signature.json taken out
        "swapped",  # the signature of another bundle
        "garbage",  # not JSON
    ],
)
def test_tampering_with_a_signed_bundle_is_reported(cases: Cases, number: str, tamper: str) -> None:
    files = _unzip(export_bundle(cases, number, actor="analyst"))
    if tamper == "content":
        signature = files["signature.json"]
        data = rewrite(files, lambda m: m["items"][0].update(url="https://evil.example/x"), None)
        files = _unzip(data)
        files["signature.json"] = signature
    elif tamper == "signer":
        signature = files["signature.json"]
        data = rewrite(
            files,
            lambda m: m.update(signer=bundle_signature.signer_section(other_key().public)),
            None,
        )
        files = _unzip(data)
        files["signature.json"] = signature
    elif tamper == "removed":
        del files["signature.json"]
    elif tamper == "swapped":
        other, _ = cases.create()
        files["signature.json"] = _unzip(export_bundle(cases, other.number, actor="a"))[
            "signature.json"
        ]
    else:
        files["signature.json"] = b"\x00not json"
    result = verify_bundle(_zip(files))
    assert not result.ok
    assert not result.signed
    assert any("signature" in p or "signing key" in p for p in result.problems), result.problems


def test_an_old_unsigned_bundle_is_checked_and_said_unsigned(cases: Cases, number: str) -> None:
    files = _unzip(export_bundle(cases, number, actor="analyst"))

    def as_format_1(manifest: Manifest) -> None:
        manifest["format_version"] = 1
        del manifest["signer"]

    data = rewrite(files, as_format_1, None)
    result = verify_bundle(data)
    assert result.ok, result.problems  # its hashes and chain hold...
    assert result.unsigned
    assert not result.signed  # ...but nothing says who issued it
    pinned = verify_bundle(data, expected_key=load_signing_key(cases.settings).public.fingerprint)  # type: ignore[union-attr]
    assert not pinned.ok
    assert "unsigned" in pinned.problems[0]
    # a signature.json added to a format-1 bundle is a file the manifest does not list
    files = _unzip(data)
    files["signature.json"] = b"{}"
    assert not verify_bundle(_zip(files)).ok


def test_a_configured_key_signs_and_a_bad_one_is_refused(db: Database, tmp_path: Path) -> None:
    key = TemplateKey.generate()
    settings = Settings(data_dir=tmp_path, signing_key=key.encoded())  # type: ignore[arg-type]
    cases = Cases(db, settings)
    case, _ = cases.create()
    assert (
        verify_bundle(export_bundle(cases, case.number, actor="a")).signer
        == SigningKey(key.secret).public
    )
    assert not key_path(settings).exists()  # nothing written when the key is given
    with pytest.raises(ConfigError, match="does not hold a signing key"):
        load_signing_key(Settings(data_dir=tmp_path, signing_key="short"))  # type: ignore[arg-type]
    with pytest.raises(ConfigError, match="does not exist"):
        load_signing_key(Settings(data_dir=tmp_path, signing_key_file=tmp_path / "missing.key"))
