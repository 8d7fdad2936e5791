"""Finding a case's rows, and the case key: what every part of the case store shares.

:class:`CaseLookup` holds the database, the settings and the bank store, and looks rows up inside
the caller's transaction. The store's parts (:mod:`~bouclier.cases.items`,
:mod:`~bouclier.cases.review`, :mod:`~bouclier.cases.withdrawal`) build on it, and
:class:`bouclier.cases.store.Cases` is all of them together.
"""

from __future__ import annotations

import contextlib

from sqlalchemy import select
from sqlalchemy.orm import Session

from bouclier.banks.store import BankStore
from bouclier.cases import credentials, custody, sealing
from bouclier.errors import Conflict, NotFound
from bouclier.keyfiles import TemplateKey
from bouclier.settings import Settings
from bouclier.storage import Database
from bouclier.storage.models import Case, CaseItem, Invitation, utcnow


class CaseLookup:
    """The case store's base: its database, settings and bank store, and finding rows in a
    transaction. ``settings`` gives the case key's location and the limits."""

    def __init__(self, db: Database, settings: Settings, *, banks: BankStore | None = None) -> None:
        self.db = db
        self.settings = settings
        self.banks = banks or BankStore(db, default_threshold=settings.default_threshold)

    def _key(self) -> TemplateKey:
        key = sealing.load_case_key(self.settings, create=True)
        assert key is not None
        return key

    def _ensure_bank(self, name: str, kind: str) -> None:
        with contextlib.suppress(Conflict):
            self.banks.create(name, kind)

    def _row(self, session: Session, number: str) -> Case:
        canonical = credentials.canonical_number(number) if isinstance(number, str) else None
        row = session.scalar(select(Case).where(Case.number == canonical)) if canonical else None
        if row is None:
            raise NotFound("no such case", code="case_not_found")
        return row

    def _item(self, session: Session, row: Case, item_id: int) -> CaseItem:
        item = session.scalar(
            select(CaseItem).where(CaseItem.id == item_id, CaseItem.case_id == row.id)
        )
        if item is None:
            raise NotFound(f"case {row.number} has no item {item_id}", code="item_not_found")
        return item

    def _join(self, session: Session, row: Case, invitation: str, actor: str) -> None:
        """Puts the case in the collective of ``invitation``, a code not revoked
        (:mod:`bouclier.cases.invitations`)."""
        digest = credentials.invitation_digest(invitation)
        collective_id = session.scalar(
            select(Invitation.collective_id).where(
                Invitation.code_sha256 == digest, Invitation.revoked_at.is_(None)
            )
        )
        if collective_id is None:
            raise NotFound(
                "this invitation code is not known or was revoked (check it with the family who "
                "shared it)",
                code="invitation_not_found",
            )
        if row.collective_id == collective_id:
            return
        row.collective_id = collective_id
        row.updated_at = utcnow()
        custody.append(
            session, row.id, "case.collective_joined", actor, {"collective": collective_id}
        )
