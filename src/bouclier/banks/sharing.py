"""Bank sharing: whom a bank is published to, what a shared change says of its entry, and the
signature of the pages of changes that followers pull.

**Whom.** ``bouclier bank publish NAME --to all|none|KEY_ID,...`` sets a bank's audience among
platform keys (``bank_publications``); a bank never published is shared with every platform key,
as before publications existed. Analysts and admins read every bank. A platform key lists only the
banks published to it and pulls only their changes; another bank answers 404, as if it did not
exist.

**What.** A change carries its entry's ``quality``, ``reviewed`` (false for a hash a victim reported
that no analyst has confirmed yet: the policy never blocks on it alone) and ``minor`` (the entry
belongs to a case concerning a minor), so that a follower reproduces the publisher's verdict, with
the same field names in a page of changes and in a webhook body (:func:`standings`). When one of
them changes later (an analyst's review, a merge into a minor's case), the log gets an ``update``
of the entry, which carries them again: a follower replaces what it had. Entries of an
on-demand signal type (ORB keypoints, which can be inverted into a picture: docs/robust-signal.md)
are never shared (:func:`shared`).

**Signed.** A page of changes is sent as compact JSON with sorted keys and the header
``Bouclier-Page-Signature: ed25519=<base64 signature of the body>; key=<fingerprint>``, signed
by the instance key (:mod:`bouclier.signing_key`, published at
``GET /v1/evidence/signing-key``). The page names its bank and the cursor it answers
(``since``), so one page cannot be passed off as
another. A follower pins the key's fingerprint and applies nothing of a page that does not verify.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from bouclier.banks.hashes import BankInfo
from bouclier.errors import InputError, NotFound, RemoteError
from bouclier.signals.registry import server_only
from bouclier.signals.registry import signal_types as registered
from bouclier.signing_key import PublicKey, SigningKey
from bouclier.storage import Database
from bouclier.storage.models import (
    ApiKey,
    Bank,
    BankEntry,
    BankPublication,
    Case,
    FollowedEntry,
    utcnow,
)
from bouclier.vocabulary import BANK_AUDIENCES

SIGNATURE_HEADER = "Bouclier-Page-Signature"
_READ_ALL = ("admin", "analyst")


@dataclass(frozen=True, slots=True)
class Publication:
    """A bank's audience: ``all`` platform keys, the ``keys`` listed, or ``none``."""

    bank: str
    audience: str = "all"
    key_ids: tuple[int, ...] = ()

    def admits(self, key_id: int, role: str) -> bool:
        if role in _READ_ALL or self.audience == "all":
            return True
        return self.audience == "keys" and key_id in self.key_ids

    def to_dict(self) -> dict[str, Any]:
        return {"bank": self.bank, "audience": self.audience, "key_ids": list(self.key_ids)}


class Publications:
    """The ``bank_publications`` table: set and read whom each bank is shared with."""

    def __init__(self, db: Database) -> None:
        self.db = db

    def publish(self, name: str, audience: str, key_ids: Sequence[int] = ()) -> Publication:
        """Sets bank ``name``'s audience; ``keys`` needs at least one live platform key id."""
        if audience not in BANK_AUDIENCES:
            raise InputError(
                f"an audience is one of {', '.join(BANK_AUDIENCES)}; got {audience!r}",
                code="invalid_audience",
            )
        ids = tuple(sorted(set(key_ids)))
        if (audience == "keys") != bool(ids):
            raise InputError(
                "list key ids for the audience 'keys', and only for it", code="invalid_audience"
            )
        with self.db.transaction() as session:
            bank = _bank(session, name)
            if ids:
                found = session.scalars(
                    select(ApiKey.id).where(
                        ApiKey.id.in_(ids), ApiKey.role == "platform", ApiKey.revoked_at.is_(None)
                    )
                ).all()
                missing = sorted(set(ids) - set(found))
                if missing:
                    raise NotFound(
                        f"no live platform key with id {', '.join(map(str, missing))}",
                        code="key_not_found",
                    )
            row = session.get(BankPublication, bank.id) or BankPublication(bank_id=bank.id)
            row.audience = audience
            row.key_ids = ",".join(map(str, ids))
            row.updated_at = utcnow()
            session.add(row)
        return Publication(name, audience, ids)

    def of(self, name: str) -> Publication:
        with self.db.transaction() as session:
            bank = _bank(session, name)
            return _publication(name, session.get(BankPublication, bank.id))

    def visible(self, banks: Iterable[BankInfo], key_id: int, role: str) -> list[BankInfo]:
        """The banks among ``banks`` that a key of ``role`` may read."""
        banks = list(banks)
        if role in _READ_ALL:
            return banks
        with self.db.transaction() as session:
            rows = {r.bank_id: r for r in session.scalars(select(BankPublication)).all()}
        return [b for b in banks if _publication(b.name, rows.get(b.id)).admits(key_id, role)]

    def check(self, name: str, key_id: int, role: str) -> None:
        """NotFound ``bank_not_found`` (as for a bank that does not exist) unless the key may
        read bank ``name``."""
        if role in _READ_ALL:
            return
        if not self.of(name).admits(key_id, role):
            raise NotFound(f"no bank named {name!r}", code="bank_not_found")


def _bank(session: Session, name: str) -> Bank:
    bank = session.scalar(select(Bank).where(Bank.name == name))
    if bank is None:
        raise NotFound(f"no bank named {name!r}", code="bank_not_found")
    return bank


def _publication(name: str, row: BankPublication | None) -> Publication:
    if row is None:
        return Publication(name)
    ids = tuple(int(i) for i in row.key_ids.split(",") if i)
    return Publication(name, row.audience, ids)


def shared(signal_type: str) -> bool:
    """Whether entries of this signal type may leave the instance: never a server-only type's
    (ORB keypoints can be inverted into a picture), nor one this Bouclier does not know."""
    kinds = registered()
    return signal_type in kinds and not server_only(kinds.get(signal_type))


@dataclass(frozen=True, slots=True)
class EntryStanding:
    """What a shared change says of its entry beside its hash (None: the entry is gone)."""

    quality: int | None
    reviewed: bool | None
    minor: bool | None

    def to_dict(self) -> dict[str, Any]:
        return {"quality": self.quality, "reviewed": self.reviewed, "minor": self.minor}


GONE = EntryStanding(None, None, None)

#: The changes that carry their entry's standing: an addition, and an update of it (its review
#: status, its case's minor flag or its quality changed). Both are read at the time the change is
#: sent, so the newest standing wins whatever order they are applied in, and a change of an
#: entry gone since carries :data:`GONE` (nothing to resurrect).
WITH_STANDING = ("add", "update")


def standings(session: Session, entry_ids: Iterable[int]) -> dict[int, EntryStanding]:
    """Each entry's quality, review status and minor flag (the entry's case says it concerns a
    minor, or the Bouclier it was mirrored from said so); entries gone are left out."""
    wanted = sorted(set(entry_ids))
    found: dict[int, EntryStanding] = {}
    for start in range(0, len(wanted), 5000):
        rows = session.execute(
            select(
                BankEntry.id, BankEntry.quality, BankEntry.reviewed, Case.minor, FollowedEntry.minor
            )
            .outerjoin(Case, Case.number == BankEntry.case_ref)
            .outerjoin(FollowedEntry, FollowedEntry.entry_id == BankEntry.id)
            .where(BankEntry.id.in_(wanted[start : start + 5000]))
        ).all()
        for entry, quality, reviewed, case_minor, mirrored_minor in rows:
            found[int(entry)] = EntryStanding(
                quality, bool(reviewed), bool(case_minor) or bool(mirrored_minor)
            )
    return found


def page_body(page: dict[str, Any]) -> bytes:
    """A page as it is signed and sent: compact JSON, sorted keys, UTF-8."""
    return json.dumps(page, separators=(",", ":"), sort_keys=True, ensure_ascii=False).encode()


def signature_header(key: SigningKey, body: bytes) -> str:
    signature = base64.b64encode(key.sign(body)).decode("ascii")
    return f"ed25519={signature}; key={key.public.fingerprint}"


def verify_page(public: PublicKey, body: bytes, header: str | None) -> dict[str, Any]:
    """The page in ``body`` if ``header`` is a signature of it by ``public``; RemoteError
    ``remote_bad_signature`` otherwise (nothing of it may be applied)."""
    fields = dict(part.strip().split("=", 1) for part in (header or "").split(";") if "=" in part)
    try:
        signature = base64.b64decode(fields.get("ed25519", ""), validate=True)
    except (binascii.Error, ValueError):
        signature = b""
    if not signature or not public.verifies(signature, body):
        raise RemoteError(
            "the page of changes is not signed by the publisher's pinned key "
            f"({public.fingerprint}); nothing of it was applied",
            code="remote_bad_signature",
        )
    try:
        page = json.loads(body)
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise RemoteError("a signed page is not JSON", code="remote_invalid") from None
    if not isinstance(page, dict):
        raise RemoteError("a signed page is not a JSON object", code="remote_invalid")
    return page
