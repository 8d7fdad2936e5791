"""Likeness protection: enrolments (encrypted face templates) and their consents.

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "enrolments",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("reference", sa.String(40), nullable=False, unique=True),
        sa.Column("label", sa.String(200), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("template", sa.LargeBinary(), nullable=False),
        sa.Column("key_id", sa.String(32), nullable=False),
        sa.Column("photo_count", sa.Integer(), nullable=False),
        sa.CheckConstraint("photo_count >= 1", name="enrolment_photo_count"),
    )
    op.create_table(
        "consents",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "enrolment_id",
            sa.Integer(),
            sa.ForeignKey("enrolments.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("consented_by", sa.String(200), nullable=False),
        sa.Column("relationship", sa.String(16), nullable=False),
        sa.Column("purpose", sa.Text(), nullable=False),
        sa.Column("minor", sa.Boolean(), nullable=False),
        sa.Column("guardian_name", sa.String(200), nullable=True),
        sa.Column("consented_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "relationship IN ('self', 'parent', 'guardian')", name="consent_relationship"
        ),
        sa.CheckConstraint("NOT minor OR guardian_name IS NOT NULL", name="consent_minor_guardian"),
    )
    op.create_index("ix_consents_enrolment_id", "consents", ["enrolment_id"])


def downgrade() -> None:
    op.drop_table("consents")
    op.drop_table("enrolments")
