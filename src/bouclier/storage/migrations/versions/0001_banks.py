"""Banks of hashes and their entries.

Revision ID: 0001
Revises:
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

big_id = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "banks",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("name", sa.String(64), nullable=False, unique=True),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("threshold", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("kind IN ('victim', 'known_false_positive')", name="bank_kind"),
        sa.CheckConstraint("threshold >= 0 AND threshold <= 128", name="bank_threshold"),
    )
    op.create_table(
        "bank_entries",
        sa.Column("id", big_id, primary_key=True, autoincrement=True),
        sa.Column(
            "bank_id",
            sa.Integer(),
            sa.ForeignKey("banks.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("pdq", sa.String(64), nullable=False),
        sa.Column("quality", sa.Integer(), nullable=True),
        sa.Column("sha256", sa.String(64), nullable=True),
        sa.Column("md5", sa.String(32), nullable=True),
        sa.Column("source", sa.String(200), nullable=False),
        sa.Column("case_ref", sa.String(64), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_bank_entries_bank_id", "bank_entries", ["bank_id"])
    op.create_index("ix_bank_entries_sha256", "bank_entries", ["sha256"])
    op.create_index("ix_bank_entries_case_ref", "bank_entries", ["case_ref"])


def downgrade() -> None:
    op.drop_table("bank_entries")
    op.drop_table("banks")
