"""``bouclier evidence verify`` with signed bundles, and ``bouclier evidence public-key``."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

from bouclier.cases import bundle_signature
from bouclier.cli import exit_codes
from tests.cases.test_bundle_signature import Manifest, _unzip, other_key, rewrite
from tests.conftest import CliResult

Cli = Callable[..., CliResult]


def _bundle(cli: Cli, tmp_path: Path) -> tuple[Path, str]:
    code, out, err = cli("case", "create")
    assert code == exit_codes.OK, err
    number = json.loads(out[0])["number"]
    cli("case", "add-url", number, "https://example.org/one")
    bundle = tmp_path / "bundle.zip"
    assert cli("evidence", "export", number, "-o", str(bundle))[0] == exit_codes.OK
    return bundle, number


def _fingerprint(cli: Cli) -> str:
    code, out, _ = cli("evidence", "public-key", "--format", "jsonl")
    assert code == exit_codes.OK
    published = json.loads(out[0])
    assert published["algorithm"] == "Ed25519"
    assert published["fingerprint"].startswith("SHA256:")
    return str(published["fingerprint"])


def test_verify_prints_the_fingerprint_and_checks_a_pinned_key(cli: Cli, tmp_path: Path) -> None:
    bundle, _ = _bundle(cli, tmp_path)
    fingerprint = _fingerprint(cli)
    code, out, _ = cli("evidence", "public-key")
    assert out[0] == f"fingerprint: {fingerprint}"
    assert "-----BEGIN PUBLIC KEY-----" in out

    code, out, _ = cli("evidence", "verify", str(bundle))
    assert code == exit_codes.OK
    assert f"intact, signed by key {fingerprint}" in out[0]
    code, out, _ = cli("evidence", "verify", str(bundle), "--expect-key", fingerprint)
    assert code == exit_codes.OK
    assert f"signed by the expected key {fingerprint}" in out[0]

    forger = other_key()

    def change(manifest: Manifest) -> None:
        manifest["items"][0]["url"] = "https://example.org/two"
        manifest["signer"] = bundle_signature.signer_section(forger.public)

    forged = tmp_path / "forged.zip"
    forged.write_bytes(rewrite(_unzip(bundle.read_bytes()), change, forger))
    code, out, _ = cli("evidence", "verify", str(forged))
    assert code == exit_codes.OK  # unpinned, only the fingerprint gives it away:
    assert forger.public.fingerprint in out[0]
    assert fingerprint not in out[0]
    code, out, _ = cli("evidence", "verify", str(forged), "--expect-key", fingerprint)
    assert code == exit_codes.TAMPERED
    assert "NOT INTACT" in out[0]
    assert any("not by the expected key" in line for line in out)
    code, out, _ = cli(
        "evidence", "verify", str(forged), "--expect-key", fingerprint, "--format", "jsonl"
    )
    assert code == exit_codes.TAMPERED
    answer = json.loads(out[0])
    assert (answer["intact"], answer["signed_by"]) == (False, None)


def test_an_unsigned_bundle_needs_allow_unsigned(cli: Cli, tmp_path: Path) -> None:
    bundle, _ = _bundle(cli, tmp_path)

    def as_format_1(manifest: Manifest) -> None:
        manifest["format_version"] = 1
        del manifest["signer"]

    old = tmp_path / "old.zip"
    old.write_bytes(rewrite(_unzip(bundle.read_bytes()), as_format_1, None))
    code, out, _ = cli("evidence", "verify", str(old))
    assert code == exit_codes.TAMPERED
    assert "NOT VERIFIED, UNSIGNED" in out[0]
    assert "--allow-unsigned" in out[0]
    code, out, _ = cli("evidence", "verify", str(old), "--allow-unsigned")
    assert code == exit_codes.OK
    assert "intact but UNSIGNED" in out[0]
    code, out, _ = cli("evidence", "verify", str(old), "--allow-unsigned", "--format", "jsonl")
    assert code == exit_codes.OK
    assert json.loads(out[0])["unsigned"] is True
    code, out, _ = cli(
        "evidence", "verify", str(old), "--allow-unsigned", "--expect-key", _fingerprint(cli)
    )
    assert code == exit_codes.TAMPERED  # a pinned key is never satisfied by no signature
