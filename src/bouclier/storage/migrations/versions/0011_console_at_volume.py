"""The console at real volume: cases are claimed or assigned, links follow their notices.

- ``cases.assigned_to_id`` / ``assigned_at``: the analyst who claimed the case or was assigned
  it (not a foreign key: accounts are never deleted, see the model), indexed for the queue.
- ``cases.status`` and ``case_items.platform``: indexed for the queue's filters.
- ``case_items.link_status``: where a URL stands after its notices (pending, notified,
  acknowledged, removed, refused), checked against the vocabulary. Backfill: from the notices
  already answered or sent (a removal under any law wins).

SQLite: columns are added in place (ADD COLUMN with its CHECK), never by copying tables (0006).

Revision ID: 0011
Revises: 0010
"""

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

LINK_STATUSES = ("pending", "notified", "acknowledged", "removed", "refused")
_WORDS = ", ".join(f"'{w}'" for w in LINK_STATUSES)


def upgrade() -> None:
    # not a foreign key: see the model (accounts are never deleted; a FK would stop SQLite
    # from dropping the column in place on downgrade)
    op.add_column("cases", sa.Column("assigned_to_id", sa.Integer(), nullable=True))
    op.add_column("cases", sa.Column("assigned_at", sa.DateTime(timezone=True), nullable=True))
    op.create_index(op.f("ix_cases_assigned_to_id"), "cases", ["assigned_to_id"], unique=False)
    op.create_index(op.f("ix_cases_status"), "cases", ["status"], unique=False)
    op.create_index(op.f("ix_case_items_platform"), "case_items", ["platform"], unique=False)
    op.execute(
        "ALTER TABLE case_items ADD COLUMN link_status VARCHAR(16) DEFAULT 'pending' NOT NULL "
        f"CONSTRAINT case_item_link_status CHECK (link_status IN ({_WORDS}))"
    )
    # the links notices already speak of: the best answer of any law wins
    for status, notices in (
        ("refused", ("refused",)),
        ("notified", ("sent", "expired")),
        ("acknowledged", ("acknowledged",)),
        ("removed", ("removed",)),
    ):
        op.execute(
            sa.text(
                "UPDATE case_items SET link_status = :status WHERE kind = 'url' AND id IN "
                "(SELECT item_id FROM notices WHERE item_id IS NOT NULL AND status IN :notices)"
            ).bindparams(sa.bindparam("notices", expanding=True), status=status, notices=notices)
        )


def downgrade() -> None:
    # columns dropped in place (SQLite 3.35+), never by copying a table: a copy of ``cases``
    # would cascade-delete the items, notices and custody log of every case
    op.drop_index(op.f("ix_case_items_platform"), table_name="case_items")
    op.drop_index(op.f("ix_cases_status"), table_name="cases")
    op.drop_index(op.f("ix_cases_assigned_to_id"), table_name="cases")
    op.drop_column("case_items", "link_status")
    op.drop_column("cases", "assigned_at")
    op.drop_column("cases", "assigned_to_id")
