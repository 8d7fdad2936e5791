"""Signal types: every stored hash becomes a ``(signal_type, value)`` pair.

``bank_entries``, ``hash_changes``, ``match_feedback`` and ``case_items`` gain ``signal_type``
(every existing row is PDQ) and their ``pdq`` column becomes ``value`` (text: a new signal type
may be longer than 64 characters). The data is kept.

SQLite: the tables are altered in place (ADD COLUMN, copy, DROP COLUMN), never copied and
re-created as Alembic's batch mode does: dropping ``case_items`` with foreign keys on would
cascade into evidence files, re-upload matches and notices.

Revision ID: 0006
Revises: 0005
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

# table -> whether its value is required (case items hold URLs and evidence too)
_TABLES = {
    "bank_entries": True,
    "hash_changes": True,
    "match_feedback": True,
    "case_items": False,
}


def upgrade() -> None:
    sqlite = op.get_bind().dialect.name == "sqlite"
    for table, required in _TABLES.items():
        if required:
            op.add_column(
                table,
                sa.Column("signal_type", sa.String(32), nullable=False, server_default="pdq"),
            )
        else:
            op.add_column(table, sa.Column("signal_type", sa.String(32), nullable=True))
            op.execute(f"UPDATE {table} SET signal_type = 'pdq' WHERE pdq IS NOT NULL")  # noqa: S608
        if sqlite:
            default = " NOT NULL DEFAULT ''" if required else ""
            op.execute(f"ALTER TABLE {table} ADD COLUMN value TEXT{default}")
            op.execute(f"UPDATE {table} SET value = pdq")  # noqa: S608
            op.execute(f"ALTER TABLE {table} DROP COLUMN pdq")
        else:
            op.alter_column(
                table,
                "pdq",
                new_column_name="value",
                type_=sa.Text(),
                existing_type=sa.String(64),
                existing_nullable=not required,
            )


def downgrade() -> None:
    raise NotImplementedError("0006 is not reversible: other signal types than PDQ would be lost")
