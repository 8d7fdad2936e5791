"""Invitation codes of collective cases: each family makes, lists and revokes its own.

A collective case is joined with an invitation code. Each code is a row of its own
(:class:`~bouclier.storage.models.Invitation`, the code's SHA-256 and its first characters), so a
new code never ends the codes other families already hold: before, the collective had one code
and a new one replaced it, and a family typing the code they had been given got "not known". A
case lists the codes it made (when, first characters, revoked or not: the code itself is shown
once) and revokes one at a time; revoking ends that code only, never a membership.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from bouclier.cases import credentials, custody
from bouclier.cases.lookup import CaseLookup
from bouclier.errors import NotFound
from bouclier.storage.models import Collective, Invitation, utcnow

#: Characters of a code kept to tell codes apart ("INV-7KQ2…"): 4 of its 20 random symbols.
HINT = 8


@dataclass(frozen=True, slots=True)
class InvitationInfo:
    id: int
    hint: str
    created_at: datetime
    revoked_at: datetime | None

    @property
    def active(self) -> bool:
        return self.revoked_at is None


class CaseInvitations(CaseLookup):
    """Invitation codes: made, listed and revoked by the case that made them; joined by any."""

    def invite(self, number: str, *, actor: str = "victim") -> str:
        """A new invitation code into the case's collective (made if the case has none). The
        codes made before keep working. Returned once: only its digest is stored."""
        code = credentials.new_invitation()
        digest = credentials.invitation_digest(code)
        now = utcnow()
        with self.db.transaction() as session:
            row = self._row(session, number)
            if row.collective_id is None:
                collective = Collective(invite_sha256=digest, created_at=now)
                session.add(collective)
                session.flush()
                row.collective_id = collective.id
                custody.append(
                    session, row.id, "case.collective_created", actor, {"collective": collective.id}
                )
            invitation = Invitation(
                collective_id=row.collective_id,
                code_sha256=digest,
                hint=code[:HINT],
                created_by_case_id=row.id,
                created_at=now,
            )
            session.add(invitation)
            session.flush()
            custody.append(
                session, row.id, "invitation.created", actor, {"invitation": invitation.id}, at=now
            )
        return code

    def invitations(self, number: str) -> list[InvitationInfo]:
        """The codes this case made, newest first (a code's own text is never kept)."""
        with self.db.transaction() as session:
            row = self._row(session, number)
            found = session.scalars(
                select(Invitation)
                .where(Invitation.created_by_case_id == row.id)
                .order_by(Invitation.id.desc())
            ).all()
            return [InvitationInfo(i.id, i.hint, i.created_at, i.revoked_at) for i in found]

    def revoke_invitation(
        self, number: str, invitation_id: int, *, actor: str = "victim"
    ) -> InvitationInfo:
        """Ends one code this case made (again: no change). A case that joined with it stays."""
        with self.db.transaction() as session:
            row = self._row(session, number)
            found = session.scalar(
                select(Invitation).where(
                    Invitation.id == invitation_id, Invitation.created_by_case_id == row.id
                )
            )
            if found is None:
                raise NotFound(
                    f"case {row.number} made no invitation {invitation_id}",
                    code="invitation_not_found",
                )
            if found.revoked_at is None:
                found.revoked_at = utcnow()
                custody.append(
                    session, row.id, "invitation.revoked", actor, {"invitation": found.id}
                )
            return InvitationInfo(found.id, found.hint, found.created_at, found.revoked_at)
