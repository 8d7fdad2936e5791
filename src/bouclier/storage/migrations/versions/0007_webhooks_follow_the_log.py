"""Webhooks follow the bank change log: a fan-out cursor, and the names of deleted banks.

``hash.added`` / ``hash.removed`` deliveries were written by the bank store itself, in the
transaction of each bank write. They are now made from the change log by the webhook fan-out
(:mod:`bouclier.webhooks.fanout`), which keeps how far it has read in ``webhook_fanout``: it starts
at the end of the log, whose changes were all announced the old way. A deleted bank's name and
kind stay in ``deleted_banks``, so the removals it left in the log can still be announced.

Revision ID: 0007
Revises: 0006
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    fanout = op.create_table(
        "webhook_fanout",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("cursor", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    last = op.get_bind().execute(sa.text("SELECT max(id) FROM hash_changes")).scalar()
    op.bulk_insert(fanout, [{"id": 1, "cursor": int(last or 0)}])
    op.create_table(
        "deleted_banks",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )


def downgrade() -> None:
    op.drop_table("deleted_banks")
    op.drop_table("webhook_fanout")
