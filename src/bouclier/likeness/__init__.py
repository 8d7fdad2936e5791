"""Likeness protection: people enrol with photos so that new fakes of them are caught.

An enrolment keeps a face template (dlib descriptors of the photos and their mean), sealed with
AES-256-GCM under a key kept outside the database, and the consent it rests on; withdrawal deletes
both. The analysis pipeline compares the faces of an image with the templates only when the image
is sexual or revealing: :meth:`LikenessIndex.match` takes faces, the caller decides when.

Start-up: ``Enrolments.open(db, settings)`` (which calls :func:`check_key`) refuses to run when
templates are stored and no key, or the wrong key, is configured::

    enrolments = Enrolments.open(db, settings)
    index = LikenessIndex.load(enrolments)
    matches = index.match(FaceDetector().describe(pixels), settings.likeness_threshold)
"""

from bouclier.keyfiles import TemplateKey, write_key_file
from bouclier.likeness.enrolments import Consent, Enrolment, Enrolments, check_key
from bouclier.likeness.index import LikenessIndex, LikenessMatch, compare
from bouclier.likeness.keys import load_key
from bouclier.likeness.template import Template

__all__ = [
    "Consent",
    "Enrolment",
    "Enrolments",
    "LikenessIndex",
    "LikenessMatch",
    "Template",
    "TemplateKey",
    "check_key",
    "compare",
    "load_key",
    "write_key_file",
]
