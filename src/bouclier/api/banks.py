"""Routes on banks: list, create, show, delete; add hashes or images, remove entries.

Analysts curate banks; deleting a whole bank is for admins. After every write this process's bank
index catches up with the change log at once
(:meth:`~bouclier.api.services.Services.refresh_matcher`), so the next match here sees it; other
processes follow within about a second. Platforms (and analysts) pull a bank's change log
(``GET /v1/banks/{name}/changes``) to keep a local copy of it: replayed from cursor 0, it gives
exactly the bank's current hashes. Uploaded images are hashed in memory and only their hashes are
kept.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request, Response
from pydantic import Field, model_validator
from starlette.concurrency import run_in_threadpool

from bouclier.accounts.api_keys import KeyInfo
from bouclier.api import schemas
from bouclier.api.auth import require
from bouclier.api.images import Image, services_of
from bouclier.api.uploads import BULK_BODY, UPLOAD_BODY
from bouclier.banks.hashes import BankInfo, Change
from bouclier.banks.sharing import (
    GONE,
    SIGNATURE_HEADER,
    WITH_STANDING,
    Publications,
    page_body,
    shared,
    signature_header,
    standings,
)
from bouclier.banks.store import (
    MAX_CHANGES,
    MAX_CURSOR,
    NewEntry,
    robust_entries,
)
from bouclier.errors import NotFound
from bouclier.hashing import hash_bytes
from bouclier.signals import DEFAULT
from bouclier.signing_key import load_signing_key
from bouclier.storage.models import utc_iso
from bouclier.vocabulary import BANK_KINDS, listed

router = APIRouter(prefix="/v1/banks", tags=["banks"])
_analyst = [Depends(require("analyst"))]
_admin = [Depends(require("admin"))]
Follower = Annotated[KeyInfo, Depends(require("platform", "analyst"))]
MAX_ENTRIES = 10_000


class BankCreate(schemas.RequestModel):
    name: str = Field(description="1 to 64 letters, digits, '.', '_' or '-'.")
    kind: str = Field(description=listed(BANK_KINDS), json_schema_extra=schemas.one_of(BANK_KINDS))
    threshold: int | None = Field(
        default=None, description="PDQ match threshold, inclusive (default: the setting)."
    )


class EntryIn(schemas.RequestModel):
    # a vPDQ value may be the reference's hash file, a line per frame (the type's validate
    # refuses anything else that is not its form)
    multiline = frozenset({"note", "value"})

    signal_type: str = Field(
        default=DEFAULT, max_length=32, description="pdq (the default), sha256, md5..."
    )
    value: str | None = Field(
        default=None,
        max_length=49_152,
        description="The hash, in its signal type's form (a vPDQ value: its packed hex, "
        "python-threatexchange's JSON list of 'pdq,quality,timestamp', or the reference's hash "
        "file, a 'frame,quality,pdq,timestamp' line per frame).",
    )
    pdq: str | None = Field(default=None, description="A PDQ hash, 64 hex (instead of value).")
    quality: int | None = None
    sha256: str | None = None
    md5: str | None = None
    source: str = "api"
    case_ref: str | None = None
    note: str | None = None

    @model_validator(mode="after")
    def _one_value(self) -> EntryIn:
        schemas.pdq_or_values(self.pdq, self.value, self.signal_type)
        return self

    def new_entry(self) -> NewEntry:
        return NewEntry(
            value=schemas.pdq_or_values(self.pdq, self.value, self.signal_type),
            signal_type=self.signal_type,
            quality=self.quality,
            sha256=self.sha256,
            md5=self.md5,
            source=self.source,
            case_ref=self.case_ref,
            note=self.note,
        )


class EntriesIn(schemas.RequestModel):
    entries: list[EntryIn] = Field(min_length=1, max_length=MAX_ENTRIES)


def bank_dict(bank: BankInfo) -> dict[str, Any]:
    return {
        "name": bank.name,
        "kind": bank.kind,
        "threshold": bank.threshold,
        "size": bank.size,
        "created_at": utc_iso(bank.created_at),
    }


@router.get("", response_model=schemas.BanksOut)
async def list_banks(request: Request, key: Follower) -> dict[str, Any]:
    """Every bank with its kind, threshold and size; for a platform key, the banks published to
    it (``bouclier bank publish``)."""
    services = services_of(request)

    def visible() -> list[BankInfo]:
        return Publications(services.db).visible(services.store.banks(), key.id, key.role)

    return {"banks": [bank_dict(b) for b in await run_in_threadpool(visible)]}


@router.post("", dependencies=_analyst, status_code=201, response_model=schemas.BankOut)
async def create_bank(request: Request, body: BankCreate) -> dict[str, Any]:
    """Creates a bank (409 ``bank_exists`` if the name is taken)."""
    services = services_of(request)
    bank = await run_in_threadpool(services.store.create, body.name, body.kind, body.threshold)
    await run_in_threadpool(services.refresh_matcher)
    return bank_dict(bank)


@router.get("/{name}", dependencies=_analyst, response_model=schemas.BankOut)
async def get_bank(request: Request, name: str) -> dict[str, Any]:
    """One bank (404 ``bank_not_found``)."""
    return bank_dict(await run_in_threadpool(services_of(request).store.get, name))


def change_dict(change: Change, standing: dict[str, Any] | None = None) -> dict[str, Any]:
    """One change as followers and webhooks read it: ``entry_id`` and the entry's ``quality``,
    ``reviewed`` and ``minor`` (null once it is gone) as in webhook bodies; ``entry`` is the
    deprecated name of ``entry_id`` and ``pdq`` the value of a PDQ entry."""
    return {
        "cursor": change.cursor,
        "op": change.op,
        "entry_id": change.entry,
        "entry": change.entry,
        "signal_type": change.signal_type,
        "value": change.value or None,  # null in a withdrawn case's removal, as in webhooks
        "pdq": (change.value or None) if change.signal_type == DEFAULT else None,
        **(standing or GONE.to_dict()),
        "created_at": utc_iso(change.created_at),
    }


@router.get(
    "/{name}/changes",
    response_model=schemas.ChangesOut,
    responses={200: {"headers": schemas.SIGNATURE_HEADERS}},
)
async def bank_changes(
    request: Request,
    name: str,
    key: Follower,
    since: int = Query(
        default=0, ge=0, le=MAX_CURSOR, description="The last cursor seen; 0: from the start."
    ),
    limit: int = Query(default=1000, ge=1, le=MAX_CHANGES, description="At most this many."),
) -> Response:
    """The bank's changes after cursor ``since``, oldest first: adds, removes and updates with
    their ``(signal_type, value)`` (and ``pdq`` for a PDQ entry), and the entry's ``quality``,
    ``reviewed`` and ``minor`` as they are now (null once it is gone). An ``update`` says that
    these changed after the entry was added (an analyst's review, its case became a minor's):
    replace what you hold of the entry, if you hold it. ORB entries are never shared.

    Apply them in order and ask again from ``next`` (at once while ``more`` is true). Cursors
    commit in order, so no change is ever skipped by asking from the last cursor seen. The body
    is signed with the instance key (header ``Bouclier-Page-Signature``; the key is at
    ``GET /v1/evidence/signing-key``): verify it before applying anything.
    """
    services = services_of(request)
    store = services.store

    def signed_page() -> tuple[bytes, str]:
        Publications(services.db).check(name, key.id, key.role)
        changes = store.changes(since, limit + 1, bank=name)
        more = len(changes) > limit
        changes = changes[:limit]
        sent = [c for c in changes if shared(c.signal_type)]
        with services.db.transaction() as session:
            found = standings(session, [c.entry for c in sent if c.op in WITH_STANDING])
        body = page_body(
            {
                "bank": name,
                "since": since,
                "changes": [
                    change_dict(c, found[c.entry].to_dict() if c.entry in found else None)
                    for c in sent
                ],
                "next": changes[-1].cursor if changes else since,
                "more": more,
            }
        )
        signing = load_signing_key(services.settings)
        assert signing is not None  # made when missing
        return body, signature_header(signing, body)

    body, signature = await run_in_threadpool(signed_page)  # one trip to the thread pool
    headers = {SIGNATURE_HEADER: signature}
    return Response(body, media_type="application/json", headers=headers)


@router.delete("/{name}", dependencies=_admin, response_model=schemas.BankDeleted)
async def delete_bank(request: Request, name: str) -> dict[str, Any]:
    """Deletes a bank and every entry in it."""
    services = services_of(request)
    removed = await run_in_threadpool(services.store.delete, name)
    await run_in_threadpool(services.refresh_matcher)
    return {"deleted": name, "entries": removed}


@router.post(
    "/{name}/hashes",
    dependencies=_analyst,
    status_code=201,
    response_model=schemas.EntriesAdded,
    openapi_extra=BULK_BODY,
)
async def add_hashes(request: Request, name: str, body: EntriesIn) -> dict[str, Any]:
    """Adds hashes to a bank (PDQ unless an entry names its ``signal_type``), all or none;
    answers the new entries' ids in order."""
    services = services_of(request)
    entries = [entry.new_entry() for entry in body.entries]
    ids = await run_in_threadpool(services.store.add, name, entries)
    await run_in_threadpool(services.refresh_matcher)
    return {"bank": name, "entries": ids}


@router.delete("/{name}/hashes/{entry}", dependencies=_analyst, response_model=schemas.EntryRemoved)
async def remove_hash(request: Request, name: str, entry: int) -> dict[str, Any]:
    """Removes one entry from a bank (404 ``entry_not_found`` if it is not there)."""
    services = services_of(request)
    in_range = 0 <= entry <= MAX_CURSOR  # ids are 64-bit: a larger number names no entry
    removed = await run_in_threadpool(
        services.store.remove_entries, name, [entry] if in_range else []
    )
    if not removed:
        raise NotFound(f"bank {name!r} has no entry {entry}", code="entry_not_found")
    await run_in_threadpool(services.refresh_matcher)
    return {"bank": name, "removed": entry}


@router.post(
    "/{name}/images",
    dependencies=_analyst,
    status_code=201,
    openapi_extra=UPLOAD_BODY,
    response_model=schemas.ImageAdded,
)
async def add_image(
    request: Request, name: str, image: Image, source: str = "api"
) -> dict[str, Any]:
    """Hashes an uploaded image and adds it to a bank; the image itself is not kept."""
    services = services_of(request)
    await run_in_threadpool(services.store.get, name)  # 404 before any hashing
    hashes = await run_in_threadpool(
        lambda: hash_bytes(
            image, limits=services.limits, min_side=services.analyzer.min_side, framing=False
        )
    )
    entry = NewEntry(
        value=hashes.pdq.pdq,
        quality=hashes.pdq.quality,
        sha256=hashes.sha256,
        md5=hashes.md5,
        source=source,
    )
    entries = [entry, *robust_entries(hashes, entry)]
    entry_id, *robust = await run_in_threadpool(services.store.add, name, entries)
    await run_in_threadpool(services.refresh_matcher)
    return {
        "bank": name,
        "entry": entry_id,
        "signal_type": DEFAULT,
        "pdq": hashes.pdq.pdq,
        "quality": hashes.pdq.quality,
        "robust_entry": robust[0] if robust else None,
    }
