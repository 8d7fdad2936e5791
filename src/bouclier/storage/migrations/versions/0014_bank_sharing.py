"""Bank sharing: who each bank is published to, and the state of banks followed from another
Bouclier (the publisher's URL and bank, the cursor reached, the pinned key, and which local entry
mirrors which remote one, with the remote case's minor flag).

New tables only: nothing to alter, on SQLite or PostgreSQL. A bank with no publication row is
shared with every platform key, as before this migration.

Revision ID: 0014
Revises: 0013
"""

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None

_BIG = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
_TIME = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "bank_publications",
        sa.Column("bank_id", sa.Integer(), nullable=False),
        sa.Column("audience", sa.String(length=8), nullable=False),
        sa.Column("key_ids", sa.Text(), nullable=False),
        sa.Column("updated_at", _TIME, nullable=False),
        sa.CheckConstraint("audience IN ('all', 'keys', 'none')", name="bank_audience"),
        sa.ForeignKeyConstraint(["bank_id"], ["banks.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("bank_id"),
    )
    op.create_table(
        "bank_follows",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("source_url", sa.String(length=500), nullable=False),
        sa.Column("remote_bank", sa.String(length=64), nullable=False),
        sa.Column("bank_id", sa.Integer(), nullable=False),
        sa.Column("cursor", sa.BigInteger(), nullable=False),
        sa.Column("key_fingerprint", sa.String(length=80), nullable=False),
        sa.Column("created_at", _TIME, nullable=False),
        sa.Column("synced_at", _TIME, nullable=True),
        sa.ForeignKeyConstraint(["bank_id"], ["banks.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("source_url", "remote_bank", name="uq_bank_follows_source"),
        sa.UniqueConstraint("bank_id", name="uq_bank_follows_bank"),
    )
    op.create_table(
        "followed_entries",
        sa.Column("follow_id", sa.Integer(), nullable=False),
        sa.Column("remote_entry", sa.BigInteger(), nullable=False),
        sa.Column("entry_id", _BIG, nullable=False),
        sa.Column("minor", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.ForeignKeyConstraint(["follow_id"], ["bank_follows.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["entry_id"], ["bank_entries.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("follow_id", "remote_entry"),
    )
    op.create_index("ix_followed_entries_entry_id", "followed_entries", ["entry_id"])


def downgrade() -> None:
    op.drop_index("ix_followed_entries_entry_id", table_name="followed_entries")
    op.drop_table("followed_entries")
    op.drop_table("bank_follows")
    op.drop_table("bank_publications")
