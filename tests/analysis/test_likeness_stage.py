"""The likeness stage with the real face models, called directly on benign portraits.

The pipeline calls this stage only on sexual or revealing images (tests/analysis/test_pipeline.py
proves that gate with fakes); no such image may exist in tests, so here the stage runs alone.
"""

from __future__ import annotations

import pytest

from bouclier.analysis.pipeline import Likeness
from bouclier.detectors.base import Sample
from bouclier.detectors.faces import FaceDetector
from bouclier.likeness import Consent, Enrolments, LikenessIndex, TemplateKey
from bouclier.media import decode
from bouclier.storage import Database
from tests.conftest import FACES

pytestmark = pytest.mark.model


def _sample(name: str) -> Sample:
    data = (FACES / name).read_bytes()
    return Sample(data=data, image=decode(data, min_side=512))


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_enrolled_face_becomes_a_signal_with_the_minor_flag(db: Database) -> None:
    detector = FaceDetector()
    enrolments = Enrolments(db, TemplateKey.generate(), detector=detector)
    adult = enrolments.create(
        "adult",
        [(FACES / "obama_1.jpg").read_bytes()],
        Consent(consented_by="self", relationship="self", purpose="test"),
    )
    child = enrolments.create(
        None,
        [(FACES / "kit_harington_1.jpg").read_bytes()],
        Consent(
            consented_by="parent",
            relationship="parent",
            purpose="test",
            minor=True,
            guardian_name="P. Example",
        ),
    )
    likeness = Likeness(
        LikenessIndex.load(enrolments), frozenset({child.reference}), 0.55, detector
    )
    found = likeness.signals(_sample("obama_2.jpg"))
    enrolled = [s for s in found if s.label == "likeness.enrolled"]
    assert [s.detail("reference") for s in enrolled] == [adult.reference]
    assert enrolled[0].detail("minor") == "false"
    assert enrolled[0].box is not None
    assert "adult" not in str(enrolled[0].details)  # the name never leaves the enrolment
    assert [s.label for s in found].count("faces.face") == 1

    minor = [
        s
        for s in likeness.signals(_sample("kit_harington_2.jpg"))
        if s.label == "likeness.enrolled"
    ]
    assert [(s.detail("reference"), s.detail("minor")) for s in minor] == [
        (child.reference, "true")
    ]
    nobody = likeness.signals(_sample("biden_1.jpg"))
    assert not [s for s in nobody if s.label == "likeness.enrolled"]
