"""ORB values gain their frame's centre: the stored ``orb`` value is now 256 keypoint slots (the
whole frame's 128, then 128 of its centre, found at the centre's own detail: what a crop keeps),
and its header names the format (:mod:`bouclier.signals.orb_keypoints`).

Every ``orb`` value stored before (format 0: 128 slots, 5,124 hex characters) is padded with
empty slots to today's width in every table that holds values (bank entries, the change log,
platforms' feedback, case items): its keypoints and its matches are unchanged, and the database
holds only canonical values. Re-extracting them needs the image (an analyst re-adds it from the
case's evidence); until then they match at the recall they always had. Downgrade strips the
padding again, and refuses while a format-1 value is stored (the previous release cannot read
one: remove those entries first).

Revision ID: 0017
Revises: 0016
"""

import sqlalchemy as sa
from alembic import op

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None

_TABLES = ("bank_entries", "hash_changes", "match_feedback", "case_items")
_OLD = 2 * (2 + 128 * 20)  # hex characters of a format-0 value
_NEW = 2 * (2 + 256 * 20)
_PAD = "0" * (_NEW - _OLD)


def upgrade() -> None:
    for table in _TABLES:
        op.execute(
            sa.text(
                f"UPDATE {table} SET value = value || :pad "  # noqa: S608  # names from _TABLES
                "WHERE signal_type = 'orb' AND length(value) = :old"
            ).bindparams(pad=_PAD, old=_OLD)
        )


def downgrade() -> None:
    connection = op.get_bind()
    for table in _TABLES:
        # the header is little-endian: its second byte's first hex digit (the value's third)
        # is the format, 0 for a padded value of the previous release
        newer = connection.execute(
            sa.text(
                f"SELECT count(*) FROM {table} "  # noqa: S608
                "WHERE signal_type = 'orb' AND length(value) = :new "
                "AND (substr(value, 3, 1) <> '0' OR substr(value, :start) <> :pad)"
            ),
            {"new": _NEW, "start": _OLD + 1, "pad": _PAD},
        ).scalar()
        if newer:
            raise RuntimeError(
                f"{table} holds {newer} ORB value(s) of the centre format, which the previous "
                "release cannot read: remove those entries before downgrading"
            )
    for table in _TABLES:
        op.execute(
            sa.text(
                f"UPDATE {table} SET value = substr(value, 1, :old) "  # noqa: S608
                "WHERE signal_type = 'orb' AND length(value) = :new"
            ).bindparams(old=_OLD, new=_NEW)
        )
