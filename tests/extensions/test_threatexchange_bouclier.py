"""The HMA / python-threatexchange extension (extensions/threatexchange-bouclier) against a real
Bouclier on loopback, driven by threatexchange's own CLI: ``config extensions add``, ``config
collab edit``, ``fetch`` (its fetch loop, checkpoints and state store) and ``dataset`` / ``match``
to read what it stored. Additions, the review status and minor flag, an analyst's later review
(an update, which replaces the record), an analyst's removal and a victim's withdrawal (a removal
without a value) all reach threatexchange's state; a page signed
by another key stops the fetch and changes nothing."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from bouclier.banks.store import NewEntry
from bouclier.cases import VICTIM_BANK, HashReport
from tests.web.server import LiveServer, live_server

__all__ = ["live_server"]  # the fixture

PDQ_A = "f8f8f0cee0f4a84f06370a22038f63f0b36e2ed596621e1d33e6b39c4e9c9b22"
PDQ_CASE = "a5" * 32
PDQ_B = "3c5a9e1d7b2f48c6a0e9d3b7c1f5a28e6d4b9c0f2a7e5d13b8c6f4a29e0d7b51"  # stays
PDQ_C = "96b1d8e04f2a7c35e8d06b9f1a4c72e53d8f0b6a2c9e47d15b3a8f6c0e2d94a7"  # stays
MD5 = "098f6bcd4621d373cade4e832627b4f6"
SHA = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"
TX = str(Path(sys.executable).with_name("threatexchange"))


class Tx:
    """threatexchange's CLI with its state in a folder of the test's own."""

    def __init__(self, home: Path, key: str) -> None:
        self.env = {**os.environ, "HOME": str(home), "TX_BOUCLIER_KEY": key}

    def __call__(self, *args: str, ok: bool = True) -> subprocess.CompletedProcess[str]:
        done = subprocess.run(
            [TX, *args], env=self.env, capture_output=True, text=True, timeout=120, check=False
        )
        if ok:
            assert done.returncode == 0, done.stderr[-2000:]
        return done

    def signals(self) -> set[tuple[str, str, str]]:
        """(signal type, hash, opinion) of every signal threatexchange holds."""
        out = self("dataset", "-P").stdout
        rows = set()
        for line in out.splitlines():
            kind, value, *rest = line.split()
            rows.add((kind, value, " ".join(r for r in rest if r.replace("_", "").isupper())))
        return rows


def _collab(tx: Tx, server: LiveServer, bank: str, **more: str) -> None:
    tx("config", "extensions", "add", "tx_extension_bouclier")
    options = [f"--{name.replace('_', '-')}={value}" for name, value in more.items()]
    tx(
        "config",
        "collab",
        "edit",
        "bouclier",
        "--create",
        f"bouclier-{bank}",
        f"--url={server.url}",
        f"--bank={bank}",
        *options,
    )


def _match(tx: Tx, pdq: str) -> str:
    return tx("match", "--only-signal", "pdq", "--hashes", "photo", "--", pdq).stdout


def test_threatexchange_fetches_a_bouclier_bank_with_removals(
    live_server: LiveServer, tmp_path: Path
) -> None:
    services = live_server.services
    services.store.create("hotline", "victim")
    keys = services.keys
    analyst = keys.create("analyst", "analyst")[1]
    platform = keys.create("hma", "platform")[1]
    added = httpx.post(
        f"{live_server.url}/v1/banks/hotline/hashes",
        headers={"Authorization": f"Bearer {analyst}"},
        json={
            "entries": [
                {"pdq": PDQ_A, "quality": 90},
                {"pdq": PDQ_B},
                {"pdq": PDQ_C},
                {"signal_type": "md5", "value": MD5},
                {"signal_type": "sha256", "value": SHA},
            ]
        },
    )
    assert added.status_code == 201, added.text
    [entry_a, *_others] = added.json()["entries"]
    cases = live_server.cases
    case, _ = cases.create(minor=True)
    [item] = cases.add_hashes(case.number, [HashReport(PDQ_CASE, 88)])  # not yet reviewed

    tx = Tx(tmp_path / "home", platform)
    fingerprint = httpx.get(f"{live_server.url}/v1/evidence/signing-key").json()["fingerprint"]
    _collab(tx, live_server, "hotline", expect_key=fingerprint)
    _collab(tx, live_server, VICTIM_BANK)
    tx("fetch")
    signals = tx.signals()
    assert {(k, v) for k, v, _ in signals} == {
        ("pdq", PDQ_A),
        ("pdq", PDQ_B),
        ("pdq", PDQ_C),
        ("photo_md5", MD5),
        ("photo_sha256", SHA),
        ("pdq", PDQ_CASE),
    }
    opinions = {v: o for _, v, o in signals}
    assert opinions[PDQ_A] == "POSITIVE_CLASS"
    assert opinions[PDQ_CASE] == "INVESTIGATION_SEED"  # unreviewed: a seed, not a verdict
    assert "bouclier-hotline" in _match(tx, PDQ_A)

    # an analyst confirms the victim's hash: the update replaces threatexchange's record
    cases.review_item(case.number, item.id, "confirm", actor="analyst:a")
    tx("fetch")
    assert {v: o for _, v, o in tx.signals()}[PDQ_CASE] == "POSITIVE_CLASS"

    # an analyst's removal and the victim's withdrawal reach threatexchange on the next fetch,
    # from the checkpoint (nothing fetched twice)
    services.store.remove_entries("hotline", [entry_a])
    cases.withdraw(case.number)
    tx("fetch")
    left = {(k, v) for k, v, _ in tx.signals()}
    assert left == {("pdq", PDQ_B), ("pdq", PDQ_C), ("photo_md5", MD5), ("photo_sha256", SHA)}
    # (threatexchange's CLI keeps a stale index for a type left with no signal, and its PDQ
    # index matches nothing with one: two PDQ entries stay)
    assert "bouclier-hotline" not in _match(tx, PDQ_A)
    assert "bouclier-hotline" in _match(tx, PDQ_B)


def test_a_page_signed_by_another_key_stops_the_fetch(
    live_server: LiveServer, tmp_path: Path
) -> None:
    services = live_server.services
    services.store.create("hotline", "victim")
    platform = services.keys.create("hma", "platform")[1]
    tx = Tx(tmp_path / "home", platform)
    _collab(tx, live_server, "hotline", expect_key="SHA256:" + "0" * 64)
    services.store.add("hotline", [NewEntry(PDQ_A)])
    failed = tx("fetch", ok=False)
    assert failed.returncode == 3  # threatexchange's "Some collabs had errors!"
    assert "bouclier-hotline - failed to fetch" in failed.stderr
    assert "No stored state" in tx("dataset", "-P", ok=False).stderr  # nothing of it was kept


def test_a_tampered_page_is_refused(live_server: LiveServer) -> None:
    from tx_extension_bouclier import pages

    services = live_server.services
    services.store.create("hotline", "victim")
    services.store.add("hotline", [NewEntry(PDQ_A)])
    analyst = services.keys.create("analyst", "analyst")[1]
    headers = {"Authorization": f"Bearer {analyst}"}
    answer = httpx.get(f"{live_server.url}/v1/banks/hotline/changes", headers=headers)
    key = pages.parse_key(
        httpx.get(f"{live_server.url}/v1/evidence/signing-key").json()["public_key"]
    )
    header = answer.headers[pages.SIGNATURE_HEADER]
    page = pages.parse(pages.verify(key, answer.content, header), "hotline", 0)
    assert [(c.op, c.value, c.reviewed) for c in page.changes] == [("add", PDQ_A, True)]
    tampered = answer.content.replace(PDQ_A.encode(), PDQ_B.encode())
    with pytest.raises(pages.BouclierPageError, match="not signed by the pinned key"):
        pages.verify(key, tampered, header)
    with pytest.raises(pages.BouclierPageError, match="another bank or cursor"):
        pages.parse(pages.verify(key, answer.content, header), "hotline", 5)
