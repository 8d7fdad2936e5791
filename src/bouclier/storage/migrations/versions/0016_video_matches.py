"""Which frames matched: ``video_matches`` records a platform's upload that matched one of a
case's videos by vPDQ, with both shares and the frame pairs (query frame, banked frame, times,
distance), for the console and the evidence bundle.

A new table only: nothing existing is rewritten. A row goes with its case and with its item
(ON DELETE CASCADE: a withdrawal or a removed item takes it). Downgrade drops the table.

Revision ID: 0016
Revises: 0015
"""

import sqlalchemy as sa
from alembic import op

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None

_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "video_matches",
        sa.Column("id", _ID, primary_key=True, autoincrement=True),
        sa.Column(
            "case_id", sa.Integer(), sa.ForeignKey("cases.id", ondelete="CASCADE"), nullable=False
        ),
        sa.Column(
            "item_id", _ID, sa.ForeignKey("case_items.id", ondelete="CASCADE"), nullable=True
        ),
        sa.Column("entry_id", sa.BigInteger(), nullable=False),
        sa.Column("platform", sa.String(100), nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("query_percent", sa.Float(), nullable=False),
        sa.Column("target_percent", sa.Float(), nullable=False),
        sa.Column("frames", sa.Text(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("entry_id", "platform", "sha256", name="video_match_once"),
    )
    op.create_index("ix_video_matches_case_id", "video_matches", ["case_id"])
    op.create_index("ix_video_matches_item_id", "video_matches", ["item_id"])


def downgrade() -> None:
    op.drop_index("ix_video_matches_item_id", table_name="video_matches")
    op.drop_index("ix_video_matches_case_id", table_name="video_matches")
    op.drop_table("video_matches")
