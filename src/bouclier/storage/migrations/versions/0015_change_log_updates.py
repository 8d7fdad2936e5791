"""The change log records updates: ``hash_changes.op`` may be ``update``.

An ``update`` row says that what is shared of an entry besides its hash changed after it was
added (an analyst confirmed it, its case became a minor's by a merge, a followed publisher said
so), so that followers, webhooks and HMA reproduce the new verdict. Only the CHECK constraint
``hash_change_op`` widens; no row is rewritten.

PostgreSQL: the constraint is dropped and added again ``NOT VALID``, then validated (a scan that
does not block reads or writes of the log). SQLite cannot alter a CHECK: ``hash_changes`` is
copied into a new table with the new constraint (nothing refers to it by a foreign key, so
nothing cascades; its ids, the cursors, are kept).

Downgrade: the ``update`` rows are deleted first (the previous release would read them as
removals), then the constraint narrows back.

Revision ID: 0015
Revises: 0014
"""

import sqlalchemy as sa
from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None

_NAME = "hash_change_op"
_BIG = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def _check(ops: tuple[str, ...]) -> str:
    return "op IN (" + ", ".join(f"'{word}'" for word in ops) + ")"


def _set_ops(ops: tuple[str, ...]) -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.drop_constraint(_NAME, "hash_changes", type_="check")
        op.execute(
            f"ALTER TABLE hash_changes ADD CONSTRAINT {_NAME} CHECK ({_check(ops)}) NOT VALID"
        )
        op.execute(f"ALTER TABLE hash_changes VALIDATE CONSTRAINT {_NAME}")
        return
    # the table as it is (0004, 0006) with the new CHECK: batch mode copies the rows into it
    table = sa.Table(
        "hash_changes",
        sa.MetaData(),
        sa.Column("id", _BIG, primary_key=True),
        sa.Column("bank_id", sa.Integer(), nullable=False),
        sa.Column("entry_id", sa.BigInteger(), nullable=False),
        sa.Column("op", sa.String(8), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("signal_type", sa.String(32), nullable=False, server_default="pdq"),
        sa.Column("value", sa.Text(), nullable=False, server_default=""),
        sa.CheckConstraint(_check(ops), name=_NAME),
        sa.Index("ix_hash_changes_bank_id_id", "bank_id", "id"),
    )
    with op.batch_alter_table("hash_changes", copy_from=table, recreate="always"):
        pass


def upgrade() -> None:
    _set_ops(("add", "remove", "update"))


def downgrade() -> None:
    op.execute("DELETE FROM hash_changes WHERE op = 'update'")
    _set_ops(("add", "remove"))
