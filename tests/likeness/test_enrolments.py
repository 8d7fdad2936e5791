"""Enrolments on SQLite and PostgreSQL: create, refuse, encrypt at rest, withdraw, key checks."""

from __future__ import annotations

import numpy as np
import pytest
from sqlalchemy import func, select, text

from bouclier.detectors.faces import FaceDetector
from bouclier.errors import ConfigError, InputError, MediaError, NotFound
from bouclier.likeness import (
    Consent,
    Enrolments,
    LikenessIndex,
    TemplateKey,
    check_key,
)
from bouclier.media import decode
from bouclier.settings import load_settings
from bouclier.storage import Database
from bouclier.storage.models import LikenessConsent, LikenessEnrolment
from tests.conftest import encode, photo
from tests.likeness.conftest import portrait

pytestmark = pytest.mark.model


@pytest.fixture
def enrolments(db: Database, key: TemplateKey, face_detector: FaceDetector) -> Enrolments:
    return Enrolments(db, key, detector=face_detector)


def _count(db: Database, model: type) -> int:
    with db.transaction() as session:
        return session.scalar(select(func.count()).select_from(model)) or 0


def test_create_list_withdraw(enrolments: Enrolments, db: Database, consent: Consent) -> None:
    created = enrolments.create(
        "Alice", [portrait("obama_1.jpg"), portrait("obama_2.jpg")], consent
    )
    assert created.reference.startswith("enr_")
    assert created.photo_count == 2
    assert created.name == "Alice"
    [listed] = enrolments.list()
    assert listed == created
    assert listed.consent.relationship == "self"
    assert listed.created_at.tzinfo is not None

    enrolments.withdraw(created.reference)
    assert enrolments.list() == []
    assert _count(db, LikenessEnrolment) == 0
    assert _count(db, LikenessConsent) == 0
    with pytest.raises(NotFound) as raised:
        enrolments.withdraw(created.reference)
    assert raised.value.code == "enrolment_not_found"


def test_name_is_optional(enrolments: Enrolments, consent: Consent) -> None:
    assert enrolments.create(None, [portrait("biden_1.jpg")], consent).name is None


@pytest.mark.parametrize(
    ("photos", "code", "named"),
    [
        ([portrait("obama_1.jpg"), encode(photo(1))], "likeness.no_face", "photo 2"),
        ([portrait("two_people.jpg")], "likeness.several_faces", "photo 1"),
        ([b"not an image"], "media.unsupported_format", "photo 1"),
        ([], "likeness.no_photo", "photo"),
    ],
    ids=["no-face", "two-faces", "not-an-image", "no-photo"],
)
def test_refused_photos(
    enrolments: Enrolments,
    db: Database,
    consent: Consent,
    photos: list[bytes],
    code: str,
    named: str,
) -> None:
    with pytest.raises(InputError) as raised:
        enrolments.create("Alice", photos, consent)
    assert raised.value.code == code
    assert named in raised.value.message
    if code.startswith("media."):
        assert isinstance(raised.value, MediaError)
    assert _count(db, LikenessEnrolment) == 0


def test_photo_names_in_errors(enrolments: Enrolments, consent: Consent) -> None:
    with pytest.raises(InputError, match=r"group\.jpg: 2 faces"):
        enrolments.create("A", [portrait("two_people.jpg")], consent, photo_names=["group.jpg"])


@pytest.mark.parametrize(
    ("fields", "code"),
    [
        ({"minor": True}, "likeness.guardian_required"),
        ({"minor": True, "guardian_name": "  "}, "likeness.guardian_required"),
        ({"relationship": "friend"}, "likeness.invalid_consent"),
        ({"consented_by": ""}, "likeness.invalid_consent"),
        ({"purpose": " "}, "likeness.invalid_consent"),
    ],
)
def test_consent_is_checked(fields: dict[str, object], code: str) -> None:
    values: dict[str, object] = {
        "consented_by": "B",
        "relationship": "parent",
        "purpose": "protection",
    }
    with pytest.raises(InputError) as raised:
        Consent(**(values | fields))  # type: ignore[arg-type]
    assert raised.value.code == code


def test_minor_with_guardian(enrolments: Enrolments) -> None:
    consent = Consent("C. Parent", "parent", "protect my daughter", True, "C. Parent")
    created = enrolments.create("pseudonym-7", [portrait("rose_leslie_1.jpg")], consent)
    [listed] = enrolments.list()
    assert listed.consent.minor
    assert listed.consent.guardian_name == "C. Parent"
    assert listed.reference == created.reference


def test_templates_are_encrypted_at_rest(
    enrolments: Enrolments, db: Database, consent: Consent, face_detector: FaceDetector
) -> None:
    created = enrolments.create("Alice", [portrait("obama_1.jpg")], consent)
    with db.engine.connect() as connection:
        raw = connection.execute(text("SELECT template FROM enrolments")).scalar_one()
    stored = bytes(raw)
    [face] = face_detector.describe(decode(portrait("obama_1.jpg")).pixels)
    plain = face.descriptor.astype("<f4").tobytes()
    assert plain[:16] not in stored
    assert plain[-16:] not in stored
    assert face.descriptor[:4].astype("<f8").tobytes() not in stored
    [(enrolment, template)] = list(enrolments.templates())
    assert enrolment.reference == created.reference
    np.testing.assert_array_equal(template.photos[0], face.descriptor)

    wrong = Enrolments(db, TemplateKey.generate())
    with pytest.raises(ConfigError, match="does not decrypt"):
        list(wrong.templates())


def test_ciphertext_is_bound_to_its_reference(
    enrolments: Enrolments, db: Database, consent: Consent
) -> None:
    enrolments.create("A", [portrait("obama_1.jpg")], consent)
    enrolments.create("B", [portrait("biden_1.jpg")], consent)
    with db.transaction() as session:
        first, second = session.scalars(select(LikenessEnrolment).order_by(LikenessEnrolment.id))
        second.template = first.template  # a swapped row must not decrypt
    with pytest.raises(ConfigError, match="does not decrypt"):
        LikenessIndex.load(enrolments)


def test_check_key(
    enrolments: Enrolments,
    db: Database,
    consent: Consent,
    key: TemplateKey,
    tmp_path,  # type: ignore[no-untyped-def]
) -> None:
    settings = load_settings(data_dir=tmp_path)
    assert check_key(db, settings) is None  # nothing stored, no key: fine

    enrolments.create("A", [portrait("obama_1.jpg")], consent)
    with pytest.raises(ConfigError) as raised:
        check_key(db, settings)
    assert raised.value.message == (
        "1 enrolled templates are stored but no template key is configured: "
        "set BOUCLIER_TEMPLATE_KEY_FILE"
    )
    with pytest.raises(ConfigError, match="does not decrypt the templates"):
        Enrolments.open(db, load_settings(template_key=TemplateKey.generate().encoded()))

    key_file = tmp_path / "template.key"
    key_file.write_bytes(key.secret)  # raw bytes work as well as base64
    assert check_key(db, load_settings(template_key_file=key_file)) == key
    assert check_key(db, load_settings(template_key=key.encoded())) == key


def test_bad_key_settings(db: Database, tmp_path) -> None:  # type: ignore[no-untyped-def]
    short = tmp_path / "short.key"
    short.write_text("c2hvcnQ=\n")
    with pytest.raises(ConfigError, match="does not hold a template key"):
        check_key(db, load_settings(template_key_file=short))
    with pytest.raises(ConfigError, match="cannot be read"):
        check_key(db, load_settings(template_key_file=tmp_path / "missing.key"))


def test_create_needs_a_key(db: Database, consent: Consent, face_detector: FaceDetector) -> None:
    with pytest.raises(ConfigError, match="no template key"):
        Enrolments(db, None, detector=face_detector).create("A", [portrait("obama_1.jpg")], consent)


def test_a_cases_enrolment_goes_with_the_case(
    enrolments: Enrolments, db: Database, consent: Consent, tmp_path
) -> None:  # type: ignore[no-untyped-def]
    from bouclier.cases import Cases
    from bouclier.settings import Settings

    cases = Cases(db, Settings(data_dir=tmp_path))
    case, _ = cases.create()
    kept = enrolments.create("Other", [portrait("biden_1.jpg")], consent)
    enrolments.create(None, [portrait("obama_1.jpg")], consent, case=case.number.lower())
    with pytest.raises(NotFound) as raised:
        enrolments.create(None, [portrait("obama_2.jpg")], consent, case="BQ-0000-0000")
    assert raised.value.code == "case_not_found"
    assert _count(db, LikenessEnrolment) == 2
    assert cases.withdraw(case.number).enrolments == 1
    assert [e.reference for e in enrolments.list()] == [kept.reference]
    assert _count(db, LikenessConsent) == 1
