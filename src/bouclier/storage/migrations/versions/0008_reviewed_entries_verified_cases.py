"""List poisoning: bank entries say whether they were reviewed, cases whether they were verified.

- ``bank_entries.reviewed``: an entry a case reported is a stranger's claim until an analyst
  confirms its case item; the policy never blocks or escalates on such an entry alone. Entries
  operators added or imported are reviewed. Backfill: an entry that came from a case (source
  ``case``, or pointed at by a case item) is reviewed iff a confirmed case item points at it.
- ``cases.verified``: a case opened without a solved challenge, or in a burst from one client,
  waits behind the others in the analysts' queue until an analyst looks. Existing cases are
  verified (nothing is known against them).
- ``spent_challenges``: case-creation challenges already used, so each is used once.

SQLite: the columns are added in place (ADD COLUMN), never by copying the tables (see 0006).

Revision ID: 0008
Revises: 0007
"""

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column(
        "bank_entries",
        sa.Column("reviewed", sa.Boolean(), nullable=False, server_default=sa.true()),
    )
    op.execute(
        sa.text(
            "UPDATE bank_entries SET reviewed = :no "
            "WHERE (source = 'case' OR id IN "
            "(SELECT bank_entry_id FROM case_items WHERE bank_entry_id IS NOT NULL)) "
            "AND id NOT IN (SELECT bank_entry_id FROM case_items "
            "WHERE status = 'confirmed' AND bank_entry_id IS NOT NULL)"
        ).bindparams(no=False)
    )
    op.add_column(
        "cases", sa.Column("verified", sa.Boolean(), nullable=False, server_default=sa.true())
    )
    op.create_table(
        "spent_challenges",
        sa.Column("digest", sa.String(length=64), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("digest"),
    )
    op.create_index(
        op.f("ix_spent_challenges_expires_at"), "spent_challenges", ["expires_at"], unique=False
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_spent_challenges_expires_at"), table_name="spent_challenges")
    op.drop_table("spent_challenges")
    op.drop_column("cases", "verified")
    op.drop_column("bank_entries", "reviewed")
