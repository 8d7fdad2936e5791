"""Nothing acknowledged is lost: a deliverer killed with SIGKILL part-way through a backlog leaves
every change to be delivered by another process (at least once: deduplicate on
``Bouclier-Delivery``)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

from bouclier.banks.store import BankStore, NewEntry
from bouclier.storage import Database
from bouclier.storage.models import utcnow
from bouclier.webhooks import verify_signature
from bouclier.webhooks.deliverer import LEASE, Deliverer
from bouclier.webhooks.store import WebhookStore
from tests.webhooks.policies import LOOPBACK
from tests.webhooks.receiver import receiver

ROOT = Path(__file__).resolve().parents[2]
CHILD = """
import sys
from bouclier.storage import Database
from bouclier.webhooks.deliverer import Deliverer
from bouclier.webhooks.destinations import Destinations

deliverer = Deliverer(
    Database.open(sys.argv[1]), destinations=Destinations.allowing(["127.0.0.1"]), batch=2
)
while True:
    deliverer.deliver_due()
"""


def test_a_deliverer_killed_mid_backlog_loses_nothing(database_url: str, tmp_path: Path) -> None:
    db = Database.open(database_url)
    try:
        banks = BankStore(db)
        banks.create("victims", "victim")
        with receiver() as platform:
            _, secret = WebhookStore(db, destinations=LOOPBACK).create("main", platform.url)
            ids = banks.add("victims", [NewEntry(f"{i:064x}") for i in range(1, 2501)])
            for i in range(2501, 2531):  # and 30 small writes
                ids += banks.add("victims", [NewEntry(f"{i:064x}")])
            platform.hold_after = 5  # the 6th request hangs: the child dies in the middle of it
            child = subprocess.Popen(
                [sys.executable, "-c", CHILD, database_url],
                cwd=ROOT,
                env={**os.environ, "PYTHONPATH": str(ROOT / "src")},
            )
            try:
                assert platform.held.wait(120), "the deliverer process did not deliver"
                os.kill(child.pid, signal.SIGKILL)
            finally:
                child.kill()
                child.wait(timeout=60)
            assert len(platform.received) == 5
            platform.opened.set()
            after_the_lease = utcnow() + LEASE + timedelta(seconds=1)
            survivor = Deliverer(db, destinations=LOOPBACK)
            try:
                while survivor.deliver_due(after_the_lease):
                    pass
            finally:
                survivor.close()
        bodies: dict[str, bytes] = {}
        for got in platform.received:
            assert verify_signature(secret, got.headers["Bouclier-Signature"], got.body)
            delivery = got.headers["Bouclier-Delivery"]
            assert bodies.setdefault(delivery, got.body) == got.body  # a resend is the same body
        announced = [
            change["entry_id"]
            for body in bodies.values()
            for change in json.loads(body)["data"]["changes"]
        ]
        assert sorted(announced) == sorted(ids)  # every change, once per delivery id
    finally:
        db.dispose()
