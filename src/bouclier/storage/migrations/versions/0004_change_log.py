"""The change log of banks (``hash_changes``), filled with an 'add' for every existing entry.

Revision ID: 0004
Revises: 0003
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

big_id = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "hash_changes",
        sa.Column("id", big_id, sa.Identity(), primary_key=True),
        sa.Column("bank_id", sa.Integer(), nullable=False),
        sa.Column("entry_id", sa.BigInteger(), nullable=False),
        sa.Column("op", sa.String(8), nullable=False),
        sa.Column("pdq", sa.String(64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("op IN ('add', 'remove')", name="hash_change_op"),
    )
    op.create_index("ix_hash_changes_bank_id_id", "hash_changes", ["bank_id", "id"])
    # Entries from before the log: replaying it from 0 must give every bank's current hashes.
    op.execute(
        "INSERT INTO hash_changes (bank_id, entry_id, op, pdq, created_at) "
        "SELECT bank_id, id, 'add', pdq, created_at FROM bank_entries ORDER BY id"
    )


def downgrade() -> None:
    op.drop_table("hash_changes")
