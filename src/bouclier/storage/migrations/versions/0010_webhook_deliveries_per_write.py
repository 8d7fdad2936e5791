"""Webhook deliveries per bank write: a delivery names a range of the change log.

``hash.added`` / ``hash.removed`` deliveries were one row per hash and webhook, each holding its
body (24 webhooks and an import of 200,000 hashes: 4.8 million rows, 2.4 GB). A delivery is now
one bank write (at most ``CHANGES_PER_DELIVERY`` changes) for one webhook: ``first_cursor`` and
``last_cursor`` name its changes in ``hash_changes``, read when the body is sent. Rows written
before keep both columns null and are sent as they are.

Both columns are added in place (nullable, no default): nothing is copied on SQLite.

Revision ID: 0010
Revises: 0007
"""

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("webhook_deliveries", sa.Column("first_cursor", sa.BigInteger(), nullable=True))
    op.add_column("webhook_deliveries", sa.Column("last_cursor", sa.BigInteger(), nullable=True))


def downgrade() -> None:
    raise NotImplementedError("0010 is not reversible: the per-write deliveries would be lost")
