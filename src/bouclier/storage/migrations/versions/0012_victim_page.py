"""The victim's page: invitation codes of their own, email updates, re-upload links.

- ``invitations``: each invitation code of a collective case on its own row, revocable one by one
  (before, a new code replaced the collective's only code, silently breaking the one other
  families held). Every collective's code is copied in, so codes already shared keep working.
  ``collectives.invite_sha256`` stays as the collective's first code (its identity); joining
  reads ``invitations`` only.
- ``cases.email_updates``: the victim's opt-in to an email when something changes (false for
  every existing case: nobody is written to who did not ask).
- ``case_updates``: the outbox of those emails (:mod:`bouclier.cases.updates`).
- ``case_matches.url``: where a platform said the blocked re-upload was (from its feedback).

New tables and nullable or defaulted columns only: nothing is rewritten on SQLite or PostgreSQL.

Revision ID: 0012
Revises: 0011
"""

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

_UTC = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "invitations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("collective_id", sa.Integer(), nullable=False),
        sa.Column("code_sha256", sa.String(length=64), nullable=False),
        sa.Column("hint", sa.String(length=8), nullable=False),
        sa.Column("created_by_case_id", sa.Integer(), nullable=True),
        sa.Column("created_at", _UTC, nullable=False),
        sa.Column("revoked_at", _UTC, nullable=True),
        sa.ForeignKeyConstraint(["collective_id"], ["collectives.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["created_by_case_id"], ["cases.id"], ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("code_sha256"),
    )
    op.create_index("ix_invitations_collective_id", "invitations", ["collective_id"])
    op.create_index("ix_invitations_created_by_case_id", "invitations", ["created_by_case_id"])
    # the codes already shared keep working; who made them was not recorded: the collective's
    # oldest case (the one that invited the others)
    op.execute(
        "INSERT INTO invitations (collective_id, code_sha256, hint, created_by_case_id, "
        "created_at) SELECT c.id, c.invite_sha256, '', (SELECT MIN(k.id) FROM cases k WHERE "
        "k.collective_id = c.id), c.created_at FROM collectives c"
    )
    op.add_column(
        "cases",
        sa.Column("email_updates", sa.Boolean(), nullable=False, server_default=sa.false()),
    )
    op.create_table(
        "case_updates",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("created_at", _UTC, nullable=False),
        sa.Column("next_attempt_at", _UTC, nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("sent_at", _UTC, nullable=True),
        sa.Column("failed_at", _UTC, nullable=True),
        sa.Column("last_error", sa.String(length=500), nullable=True),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_case_updates_case_id", "case_updates", ["case_id"])
    op.create_index("ix_case_updates_due", "case_updates", ["sent_at", "next_attempt_at"])
    op.add_column("case_matches", sa.Column("url", sa.String(length=2000), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("case_matches") as batch:
        batch.drop_column("url")
    op.drop_index("ix_case_updates_due", table_name="case_updates")
    op.drop_index("ix_case_updates_case_id", table_name="case_updates")
    op.drop_table("case_updates")
    with op.batch_alter_table("cases") as batch:
        batch.drop_column("email_updates")
    op.drop_index("ix_invitations_created_by_case_id", table_name="invitations")
    op.drop_index("ix_invitations_collective_id", table_name="invitations")
    op.drop_table("invitations")
