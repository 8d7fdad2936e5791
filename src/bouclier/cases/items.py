"""A case's items: the hashes, URLs and evidence files that victims and families report.

Hashes reported from the victim's device go into the ``victims`` bank **at once** (as StopNCII
does: a re-upload is caught from the first minute), tagged with the case number, with the item
``pending`` and the bank entry *unreviewed*: anyone can open a case, so until an analyst confirms
the item a match on it asks platforms for review and is never blocked or escalated on the case's
word alone (list poisoning; :mod:`bouclier.policy.decide`). Hashes of low quality are kept too
(``low_quality`` is shown, never dropped). An evidence file is an image the victim chose to
upload: fingerprinted, sealed with the case key, never kept for a case concerning a minor, and in
the victim bank only once an analyst confirms it.

An item added by mistake (the wrong picture, a mistyped link) is removed by the victim
(:meth:`CaseItems.remove_item`): the row, its evidence file and its bank entry go for real, the
hash leaves the change log as a withdrawal's do, and the custody log records that item N was
removed. Notices already sent for a link stay (they were sent), without the item.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import delete, select, update

from bouclier.banks.store import NewEntry
from bouclier.cases import custody, sealing
from bouclier.cases.lookup import CaseLookup
from bouclier.cases.platforms import clean_url, platform_of
from bouclier.cases.records import (
    MAX_EVIDENCE_BYTES,
    VICTIM_BANK,
    VPDQ_NAME,
    HashReport,
    ItemInfo,
    add_hash_item,
    batch,
    item_info,
)
from bouclier.cases.videos import hash_video_evidence
from bouclier.errors import InputError, NotFound
from bouclier.hashing import hash_bytes
from bouclier.hashing import pdq as pdq_hash
from bouclier.media import Limits
from bouclier.storage.models import Bank, BankEntry, CaseItem, EvidenceFile, HashChange, utcnow
from bouclier.webhooks.outbox import forget_entries


class CaseItems(CaseLookup):
    """A case's items: hashes from the victim's device (into the victim bank at once), URLs,
    and evidence files (sealed with the case key)."""

    def items(self, number: str) -> list[ItemInfo]:
        with self.db.transaction() as session:
            row = self._row(session, number)
            items = session.scalars(
                select(CaseItem).where(CaseItem.case_id == row.id).order_by(CaseItem.id)
            ).all()
            types = dict(
                session.execute(
                    select(EvidenceFile.item_id, EvidenceFile.media_type).where(
                        EvidenceFile.case_id == row.id
                    )
                )
                .tuples()
                .all()
            )
            entries = [i.bank_entry_id for i in items if i.signal_type == VPDQ_NAME]
            md5s = dict(
                session.execute(
                    select(BankEntry.id, BankEntry.md5).where(BankEntry.id.in_(entries))
                )
                .tuples()
                .all()
                if entries
                else []
            )
            return [
                item_info(item, types.get(item.id), md5s.get(item.bank_entry_id or 0))
                for item in items
            ]

    def add_hashes(
        self, number: str, reports: Sequence[HashReport], *, actor: str = "victim"
    ) -> list[ItemInfo]:
        """Adds hashes from the victim's device; each goes into the victim bank at once."""
        checked = batch([r.validated() for r in reports], "hashes")
        self._ensure_bank(VICTIM_BANK, "victim")
        with self.db.transaction() as session:
            row = self._row(session, number)
            known = set(
                session.scalars(
                    select(CaseItem.value).where(
                        CaseItem.case_id == row.id,
                        CaseItem.kind == "hash",
                        CaseItem.signal_type == pdq_hash.NAME,
                    )
                )
            )
            fresh = [r for r in dict.fromkeys(checked) if r.pdq not in known]
        if not fresh:
            return []
        entry_ids = self.banks.add(
            VICTIM_BANK,
            [
                NewEntry(
                    value=r.pdq,
                    quality=r.quality,
                    sha256=r.sha256,
                    source="case",
                    case_ref=number,
                    reviewed=False,  # a stranger's claim until an analyst confirms the item
                )
                for r in fresh
            ],
        )
        now = utcnow()
        with self.db.transaction() as session:
            row = self._row(session, number)
            added = []
            for report, entry_id in zip(fresh, entry_ids, strict=True):
                item = add_hash_item(
                    session,
                    row.id,
                    signal_type=pdq_hash.NAME,
                    value=report.pdq,
                    quality=report.quality,
                    sha256=report.sha256,
                    entry_id=entry_id,
                    actor=actor,
                    details={
                        "pdq": report.pdq,
                        "quality": report.quality,
                        "sha256": report.sha256,
                    },
                    at=now,
                )
                added.append(item_info(item))
            row.updated_at = now
            return added

    def add_urls(
        self, number: str, urls: Sequence[str], *, actor: str = "victim"
    ) -> list[ItemInfo]:
        """Adds URLs where an image was seen, each with its platform recognised."""
        cleaned = list(dict.fromkeys(clean_url(u) for u in batch(list(urls), "urls")))
        now = utcnow()
        with self.db.transaction() as session:
            row = self._row(session, number)
            known = set(
                session.scalars(
                    select(CaseItem.url).where(CaseItem.case_id == row.id, CaseItem.kind == "url")
                )
            )
            added = []
            for url in cleaned:
                if url in known:
                    continue
                item = CaseItem(
                    case_id=row.id,
                    kind="url",
                    url=url,
                    platform=platform_of(url),
                    status="pending",
                    created_at=now,
                )
                session.add(item)
                session.flush()
                custody.append(
                    session,
                    row.id,
                    "url.added",
                    actor,
                    {"item": item.id, "url": url, "platform": item.platform},
                    at=now,
                )
                added.append(item_info(item))
            row.updated_at = now
            return added

    def add_evidence(
        self, number: str, data: bytes, *, actor: str = "victim", limits: Limits | None = None
    ) -> ItemInfo:
        """Keeps an evidence file a victim explicitly chose to upload: it must be an image
        (checked by the media door) or a video (:func:`~bouclier.cases.videos.hash_video_evidence`),
        is fingerprinted, and stored sealed with the case key."""
        if len(data) > MAX_EVIDENCE_BYTES:
            raise InputError(
                f"an evidence file is at most {MAX_EVIDENCE_BYTES // (1024 * 1024)} MB",
                code="evidence_too_large",
            )
        video = hash_video_evidence(data, self.settings)
        if video is not None:
            signal_type, value, quality, sha256 = VPDQ_NAME, video.value, None, video.sha256
            media_type = video.media_type
        else:
            hashes = hash_bytes(data, limits=limits or Limits.from_settings(self.settings))
            signal_type, value, quality = pdq_hash.NAME, hashes.pdq.pdq, hashes.pdq.quality
            sha256, media_type = hashes.sha256, f"image/{hashes.format.lower()}"
        key = self._key()
        now = utcnow()
        with self.db.transaction() as session:
            row = self._row(session, number)
            if row.minor:
                raise InputError(
                    "for a case concerning a minor, Bouclier keeps hashes and links, never copies "
                    "of the images",
                    code="evidence_refused_minor",
                )
            item = CaseItem(
                case_id=row.id,
                kind="evidence",
                signal_type=signal_type,
                value=value,
                quality=quality,
                sha256=sha256,
                status="pending",
                created_at=now,
            )
            session.add(item)
            session.flush()
            session.add(
                EvidenceFile(
                    case_id=row.id,
                    item_id=item.id,
                    media_type=media_type,
                    size=len(data),
                    sha256=sha256,
                    ciphertext=sealing.seal(
                        key, data, purpose=f"evidence {item.id}", case_number=row.number
                    ),
                    key_id=key.key_id,
                    created_at=now,
                )
            )
            custody.append(
                session,
                row.id,
                "evidence.added",
                actor,
                {"item": item.id, "sha256": sha256, "size": len(data), "type": media_type},
                at=now,
            )
            row.updated_at = now
            return item_info(item, media_type)

    def evidence(self, number: str, item_id: int) -> tuple[bytes, str]:
        """An evidence file's bytes (decrypted) and media type."""
        with self.db.transaction() as session:
            row = self._row(session, number)
            found = session.scalar(
                select(EvidenceFile).where(
                    EvidenceFile.case_id == row.id, EvidenceFile.item_id == item_id
                )
            )
            if found is None:
                raise NotFound(
                    f"case {row.number} has no evidence item {item_id}", code="item_not_found"
                )
            key = self._key()
            data = sealing.unseal(
                key, found.ciphertext, purpose=f"evidence {item_id}", case_number=row.number
            )
            return data, found.media_type

    def remove_item(self, number: str, item_id: int, *, actor: str = "victim") -> ItemInfo:
        """Deletes one item of the case (see the module docstring); returns what it was."""
        now = utcnow()
        with self.db.transaction() as session:
            row = self._row(session, number)
            item = self._item(session, row, item_id)
            removed = item_info(item)
            entry_id = item.bank_entry_id
            session.execute(delete(EvidenceFile).where(EvidenceFile.item_id == item.id))
            session.delete(item)
            row.updated_at = now
            custody.append(
                session, row.id, "item.removed", actor, {"item": item_id, "kind": removed.kind}
            )
            session.flush()
            if entry_id is not None:
                bank = session.scalar(
                    select(Bank.name)
                    .join(BankEntry, BankEntry.bank_id == Bank.id)
                    .where(BankEntry.id == entry_id)
                )
                if bank is not None:
                    self.banks.remove_entries_in(session, bank, [entry_id])
                # the hash out of the change log, as a withdrawal does
                session.execute(
                    delete(HashChange).where(
                        HashChange.entry_id == entry_id, HashChange.op.in_(("add", "update"))
                    )
                )
                session.execute(
                    update(HashChange).where(HashChange.entry_id == entry_id).values(value="")
                )
                forget_entries(session, [entry_id])
        return removed
