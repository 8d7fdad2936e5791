"""Limit counters: the state of rate limits and secret back-offs, shared by every process.

One row per key (its SHA-256), with a level, a time to wait until and a time after which the row
is void (Unix seconds, double precision). A new table only: nothing to alter, on SQLite or
PostgreSQL.

Revision ID: 0009
Revises: 0007
"""

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "limit_counters",
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("level", sa.Float(), nullable=False),
        sa.Column("until", sa.Float(), nullable=False),
        sa.Column("expires", sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint("key"),
    )
    op.create_index("ix_limit_counters_expires", "limit_counters", ["expires"])


def downgrade() -> None:
    op.drop_index("ix_limit_counters_expires", table_name="limit_counters")
    op.drop_table("limit_counters")
