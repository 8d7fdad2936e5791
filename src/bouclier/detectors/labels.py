"""The labels signals carry, declared once: what the detectors emit and the policy reads.

A label is namespaced by what saw it (``nudity.sexual``). The policy decides on ``nudity.sexual``,
``nudity.revealing`` and ``likeness.enrolled``, and names the body parts and the provenance it was
shown in its reasons; the detectors (and the analysis pipeline, for likeness) emit them from here.
Provenance's labels are declared with its readers (:mod:`bouclier.detectors.provenance.labels`);
:data:`LABELS` gathers every one, and ``tests/detectors/test_labels.py`` proves that each detector
emits only those.
"""

from __future__ import annotations

from bouclier.detectors.provenance.labels import LABELS as PROVENANCE_LABELS

# --- nudity --------------------------------------------------------------------------------------

NUDITY = "nudity"

#: NudeNet's classes, in the order of its output rows (``nudenet/nudenet.py``); each box the model
#: finds is a signal labelled ``nudity.CLASS``.
NUDENET_CLASSES: tuple[str, ...] = (
    "FEMALE_GENITALIA_COVERED",
    "FACE_FEMALE",
    "BUTTOCKS_EXPOSED",
    "FEMALE_BREAST_EXPOSED",
    "FEMALE_GENITALIA_EXPOSED",
    "MALE_BREAST_EXPOSED",
    "ANUS_EXPOSED",
    "FEET_EXPOSED",
    "BELLY_COVERED",
    "FEET_COVERED",
    "ARMPITS_COVERED",
    "ARMPITS_EXPOSED",
    "FACE_MALE",
    "BELLY_EXPOSED",
    "MALE_GENITALIA_EXPOSED",
    "ANUS_COVERED",
    "FEMALE_BREAST_COVERED",
    "BUTTOCKS_COVERED",
)

# What counts as sexual content: exposed intimate parts. MALE_BREAST_EXPOSED, BELLY_EXPOSED,
# ARMPITS_EXPOSED and FEET_EXPOSED are not on the list: a bare-chested man at the beach is not
# an intimate image.
SEXUAL_CLASSES = frozenset(
    {
        "FEMALE_BREAST_EXPOSED",
        "FEMALE_GENITALIA_EXPOSED",
        "MALE_GENITALIA_EXPOSED",
        "BUTTOCKS_EXPOSED",
        "ANUS_EXPOSED",
    }
)
# The same parts covered: the swimwear/underwear "undressing" edit, harmful without nudity.
REVEALING_CLASSES = frozenset(
    {
        "FEMALE_BREAST_COVERED",
        "FEMALE_GENITALIA_COVERED",
        "BUTTOCKS_COVERED",
        "ANUS_COVERED",
    }
)

#: The strongest sexual (exposed) and revealing (covered) part: the two scores the policy reads.
NUDITY_SEXUAL = f"{NUDITY}.sexual"
NUDITY_REVEALING = f"{NUDITY}.revealing"


def nudity_class(name: str) -> str:
    """The label of a box of NudeNet's class ``name``: ``nudity.FEMALE_BREAST_EXPOSED``."""
    return f"{NUDITY}.{name}"


NUDITY_LABELS = frozenset({NUDITY_SEXUAL, NUDITY_REVEALING, *map(nudity_class, NUDENET_CLASSES)})

# --- faces and likeness --------------------------------------------------------------------------

#: A face the face detector found (its box; never its descriptor).
FACE = "faces.face"

#: A face of an enrolled person (details: the enrolment's reference, the distance, minor or not).
LIKENESS_ENROLLED = "likeness.enrolled"

#: Every label a signal may carry.
LABELS: frozenset[str] = NUDITY_LABELS | {FACE, LIKENESS_ENROLLED} | PROVENANCE_LABELS
