"""Enrolments: a protected person's encrypted face template and the consent it rests on.

Creating one decodes each photo through ``bouclier.media``, requires exactly one face in it, and
stores the template sealed with the template key (``bouclier.likeness.template``) beside the
consent. Withdrawing deletes the rows for real, the consent with them. Templates are decrypted
into memory only, by :class:`~bouclier.likeness.index.LikenessIndex`.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from bouclier.detectors.faces import FaceDetector
from bouclier.errors import ConfigError, InputError, MediaError, NotFound
from bouclier.keyfiles import TemplateKey
from bouclier.likeness.keys import load_key
from bouclier.likeness.template import Template, seal, unseal
from bouclier.media import Limits, decode
from bouclier.settings import Settings
from bouclier.storage import Database
from bouclier.storage.models import Case, LikenessConsent, LikenessEnrolment, utcnow
from bouclier.vocabulary import CONSENT_RELATIONSHIPS

#: Photos are decoded no larger than this (longer side): a face descriptor is computed from a
#: 150-pixel chip, so more pixels add nothing but memory.
ENROL_MAX_SIDE = 2048
_TEXT_MAX = 200


@dataclass(frozen=True, slots=True)
class Consent:
    """Who consented to an enrolment, in what capacity (``self``, ``parent``, ``guardian``) and
    for what purpose. A minor's enrolment names the guardian who consented for or with them."""

    consented_by: str
    relationship: str
    purpose: str
    minor: bool = False
    guardian_name: str | None = None
    consented_at: datetime = field(default_factory=utcnow)

    def __post_init__(self) -> None:
        if not self.consented_by.strip() or len(self.consented_by) > _TEXT_MAX:
            raise InputError(
                f"consented_by must name who consented (1 to {_TEXT_MAX} characters)",
                code="likeness.invalid_consent",
            )
        if self.relationship not in CONSENT_RELATIONSHIPS:
            raise InputError(
                f"relationship must be one of {', '.join(CONSENT_RELATIONSHIPS)}, "
                f"not {self.relationship!r}",
                code="likeness.invalid_consent",
            )
        if not self.purpose.strip():
            raise InputError(
                "the purpose of the enrolment is required", code="likeness.invalid_consent"
            )
        if self.minor and not (self.guardian_name and self.guardian_name.strip()):
            raise InputError(
                "the enrolment of a minor needs the name of the parent or guardian who consents",
                code="likeness.guardian_required",
            )
        if self.guardian_name is not None and len(self.guardian_name) > _TEXT_MAX:
            raise InputError(
                f"guardian_name is at most {_TEXT_MAX} characters", code="likeness.invalid_consent"
            )
        if self.consented_at.tzinfo is None:
            raise ValueError("consented_at must be an aware UTC datetime")


@dataclass(frozen=True, slots=True)
class Enrolment:
    """An enrolment as the rest of Bouclier sees it: never its template."""

    reference: str
    name: str | None
    created_at: datetime
    photo_count: int
    consent: Consent


def check_key(db: Database, settings: Settings) -> TemplateKey | None:
    """The template key, after checking it can serve the templates stored.

    Raises ConfigError when templates are stored and no key is configured (Bouclier must not start
    matching, or pretend to, without them) and when the key configured does not decrypt them.
    Returns None only when no key is configured and no template is stored.
    """
    key = load_key(settings)
    with db.transaction() as session:
        count = session.scalar(select(func.count()).select_from(LikenessEnrolment)) or 0
        if not count:
            return key
        if key is None:
            raise ConfigError(
                f"{count} enrolled templates are stored but no template key is configured: "
                "set BOUCLIER_TEMPLATE_KEY_FILE"
            )
        foreign = session.scalar(
            select(func.count())
            .select_from(LikenessEnrolment)
            .where(LikenessEnrolment.key_id != key.key_id)
        )
        if foreign:
            raise ConfigError(
                f"the template key configured does not decrypt the templates: {foreign} of "
                f"{count} were sealed with another key (set the BOUCLIER_TEMPLATE_KEY_FILE "
                "they were created with)"
            )
        first = session.scalars(select(LikenessEnrolment).limit(1)).one()
        unseal(first.template, key, first.reference)  # same key id, yet check it really opens
    return key


class Enrolments:
    """Create, list and withdraw enrolments. ``key`` may be None where no template is stored
    (listing and withdrawing need no key; creating does)."""

    def __init__(
        self,
        db: Database,
        key: TemplateKey | None,
        *,
        detector: FaceDetector | None = None,
        limits: Limits | None = None,
    ) -> None:
        self.db = db
        self.key = key
        self.detector = detector or FaceDetector()
        self.limits = limits or Limits()

    @classmethod
    def open(
        cls, db: Database, settings: Settings, *, detector: FaceDetector | None = None
    ) -> Enrolments:
        """Enrolments with the configured key, refusing to start as :func:`check_key` says."""
        return cls(
            db, check_key(db, settings), detector=detector, limits=Limits.from_settings(settings)
        )

    def create(
        self,
        name: str | None,
        photos: Sequence[bytes],
        consent: Consent,
        *,
        photo_names: Sequence[str] | None = None,
        case: str | None = None,
    ) -> Enrolment:
        """Enrols one person from photos that each show them, alone; InputError names the photo
        that does not (``likeness.no_face``, ``likeness.several_faces``, ``media.*``). With
        ``case`` (a case number), the enrolment belongs to that case: withdrawing the case
        erases it (NotFound ``case_not_found`` if there is no such case)."""
        key = self._require_key()
        case_ref = self._case_ref(case) if case is not None else None
        label = name.strip() if name is not None else None
        if label is not None and not (0 < len(label) <= _TEXT_MAX):
            raise InputError(
                f"the name is 1 to {_TEXT_MAX} characters (a pseudonym is fine)",
                code="likeness.invalid_name",
            )
        if not photos:
            raise InputError("enrolment needs at least one photo", code="likeness.no_photo")
        names = list(photo_names) if photo_names is not None else []
        if len(names) != len(photos):
            names = [f"photo {i}" for i in range(1, len(photos) + 1)]
        descriptors = []
        for data, which in zip(photos, names, strict=True):
            try:
                image = decode(data, limits=self.limits, max_side=ENROL_MAX_SIDE)
            except MediaError as exc:
                raise MediaError(f"{which}: {exc.message}", code=exc.code) from None
            faces = self.detector.describe(image.pixels)
            if not faces:
                raise InputError(
                    f"{which}: no face found; use a clear photo of the face, from the front",
                    code="likeness.no_face",
                )
            if len(faces) > 1:
                raise InputError(
                    f"{which}: {len(faces)} faces found; each photo must show only the person "
                    "enrolled",
                    code="likeness.several_faces",
                )
            descriptors.append(faces[0].descriptor)
        reference = "enr_" + secrets.token_hex(10)
        sealed = seal(Template.from_descriptors(descriptors), key, reference)
        with self.db.transaction() as session:
            row = LikenessEnrolment(
                reference=reference,
                label=label,
                template=sealed,
                key_id=key.key_id,
                photo_count=len(descriptors),
                created_at=utcnow(),
                case_ref=case_ref,
            )
            row.consents.append(
                LikenessConsent(
                    consented_by=consent.consented_by.strip(),
                    relationship=consent.relationship,
                    purpose=consent.purpose.strip(),
                    minor=consent.minor,
                    guardian_name=consent.guardian_name.strip() if consent.guardian_name else None,
                    consented_at=consent.consented_at,
                )
            )
            session.add(row)
            session.flush()
            return _enrolment(row)

    def _case_ref(self, case: str) -> str:
        from bouclier.cases.credentials import canonical_number  # lazy: not the case store

        number = canonical_number(case)
        with self.db.transaction() as session:
            found = (
                session.scalar(select(Case.number).where(Case.number == number)) if number else None
            )
        if found is None:
            raise NotFound("no such case", code="case_not_found")
        return found

    def list(self) -> list[Enrolment]:
        with self.db.transaction() as session:
            rows = session.scalars(select(LikenessEnrolment).order_by(LikenessEnrolment.id))
            return [_enrolment(row) for row in rows]

    def get(self, reference: str) -> Enrolment:
        with self.db.transaction() as session:
            return _enrolment(_row(session, reference))

    def withdraw(self, reference: str) -> None:
        """Deletes the enrolment, its template and its consent (real deletion, no tombstone)."""
        with self.db.transaction() as session:
            row = _row(session, reference)
            session.execute(delete(LikenessConsent).where(LikenessConsent.enrolment_id == row.id))
            session.execute(delete(LikenessEnrolment).where(LikenessEnrolment.id == row.id))

    def templates(self) -> Iterator[tuple[Enrolment, Template]]:
        """Every enrolment with its decrypted template (memory only; never log these)."""
        key = self._require_key() if self._any() else None
        if key is None:
            return
        with self.db.transaction() as session:
            rows = list(session.scalars(select(LikenessEnrolment).order_by(LikenessEnrolment.id)))
            pairs = [(_enrolment(row), row.template) for row in rows]
        for enrolment, sealed in pairs:
            yield enrolment, unseal(sealed, key, enrolment.reference)

    def _any(self) -> bool:
        with self.db.transaction() as session:
            return session.scalar(select(LikenessEnrolment.id).limit(1)) is not None

    def _require_key(self) -> TemplateKey:
        if self.key is None:
            raise ConfigError(
                "no template key is configured: create one with `bouclier enrol key-create` "
                "and set BOUCLIER_TEMPLATE_KEY_FILE"
            )
        return self.key


def _row(session: Session, reference: str) -> LikenessEnrolment:
    row = session.scalars(
        select(LikenessEnrolment).where(LikenessEnrolment.reference == reference)
    ).one_or_none()
    if row is None:
        raise NotFound(f"no enrolment {reference!r}", code="enrolment_not_found")
    return row


def _enrolment(row: LikenessEnrolment) -> Enrolment:
    consent = row.consents[0]
    return Enrolment(
        reference=row.reference,
        name=row.label,
        created_at=row.created_at,
        photo_count=row.photo_count,
        consent=Consent(
            consented_by=consent.consented_by,
            relationship=consent.relationship,
            purpose=consent.purpose,
            minor=consent.minor,
            guardian_name=consent.guardian_name,
            consented_at=consent.consented_at,
        ),
    )
