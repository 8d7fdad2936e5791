"""Likeness matching: the right person matches, others do not; the index equals the reference."""

from __future__ import annotations

import pytest

from bouclier.detectors.faces import DEFAULT_THRESHOLD, FaceDetector
from bouclier.likeness import Consent, Enrolments, LikenessIndex, TemplateKey, compare
from bouclier.media import decode
from bouclier.storage import Database
from tests.likeness.conftest import portrait

pytestmark = pytest.mark.model


def _faces(detector: FaceDetector, name: str):  # type: ignore[no-untyped-def]
    return detector.describe(decode(portrait(name)).pixels)


def test_enrolled_face_matches(
    db: Database, key: TemplateKey, face_detector: FaceDetector, consent: Consent
) -> None:
    enrolments = Enrolments(db, key, detector=face_detector)
    alice = enrolments.create("Alice", [portrait("obama_1.jpg")], consent)
    index = LikenessIndex.load(enrolments)
    assert len(index) == 1

    [match] = index.match(_faces(face_detector, "obama_2.jpg"))
    assert (match.reference, match.name, match.face) == (alice.reference, "Alice", 0)
    assert match.distance <= DEFAULT_THRESHOLD
    assert index.match(_faces(face_detector, "biden_1.jpg")) == []
    assert index.match([]) == []

    enrolments.withdraw(alice.reference)
    assert len(LikenessIndex.load(enrolments)) == 0


def test_index_equals_reference(face_detector: FaceDetector) -> None:
    from bouclier.likeness import Template

    people = {
        "obama": ["obama_1.jpg"],
        "kit": ["kit_harington_1.jpg", "rose_leslie_1.jpg"],  # a mixed template on purpose
        "biden": ["biden_1.jpg"],
    }
    templates = {
        who: Template.from_descriptors([_faces(face_detector, n)[0].descriptor for n in names])
        for who, names in people.items()
    }
    index = LikenessIndex([(who, who, t) for who, t in templates.items()])
    queries = [
        *_faces(face_detector, "two_people.jpg"),
        *_faces(face_detector, "obama_2.jpg"),
        *_faces(face_detector, "kit_harington_2.jpg"),
    ]
    for threshold in (0.3, DEFAULT_THRESHOLD, 0.9, 2.0):
        expected = []
        for who, template in templates.items():
            distances = [compare(face.descriptor, template) for face in queries]
            best = min(range(len(queries)), key=lambda i: distances[i])
            if distances[best] <= threshold:
                expected.append((who, best, distances[best]))
        got = index.match(queries, threshold)
        assert [(m.reference, m.face) for m in got] == [
            (w, f) for w, f, _ in sorted(expected, key=lambda e: (e[2], e[0]))
        ]
        for m, (_, _, d) in zip(got, sorted(expected, key=lambda e: (e[2], e[0])), strict=True):
            assert m.distance == pytest.approx(d, abs=1e-6)


def test_template_holds_mean_and_photos(face_detector: FaceDetector) -> None:
    from bouclier.likeness import Template

    template = Template.from_descriptors(
        [_faces(face_detector, n)[0].descriptor for n in ("obama_1.jpg", "obama_2.jpg")]
    )
    assert template.vectors.shape == (3, 128)
    assert template.mean == pytest.approx(template.photos.mean(axis=0))
    assert not template.vectors.flags.writeable
