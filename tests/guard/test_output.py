"""The output guard: fake detectors for every combination, real ones on benign portraits."""

from __future__ import annotations

import numpy as np
import pytest

from bouclier.errors import MediaError
from bouclier.guard import Action, Guard
from tests.conftest import FACES
from tests.guard.fakes import FakeFaces, FakeNudity, face, image

INPUT, OUTPUT_SAME, OUTPUT_OTHER, NO_FACE = 10, 20, 30, 40
FACES_BY_SHADE = {
    INPUT: [face(0.1, 0.2)],
    OUTPUT_SAME: [face(0.1, 0.3)],  # 0.1 from the input's face: the same person
    OUTPUT_OTHER: [face(0.9, 0.9)],  # about 1.0 away: someone else
}


@pytest.mark.parametrize(
    ("nudity", "source", "output", "expected", "why"),
    [
        # sexual output
        (FakeNudity(sexual=0.9), INPUT, OUTPUT_SAME, Action.REFUSE, "same_person"),
        (FakeNudity(sexual=0.9), INPUT, OUTPUT_OTHER, Action.REFUSE, "real_face"),
        (FakeNudity(sexual=0.9), NO_FACE, NO_FACE, Action.ALLOW, "no_face"),
        (FakeNudity(sexual=0.9), NO_FACE, OUTPUT_SAME, Action.ALLOW, "no_face"),
        # revealing output (swimwear, underwear)
        (FakeNudity(revealing=0.8), INPUT, OUTPUT_SAME, Action.REFUSE, "same_person"),
        (FakeNudity(revealing=0.8), INPUT, OUTPUT_OTHER, Action.REFUSE, "real_face"),
        (FakeNudity(revealing=0.8), NO_FACE, NO_FACE, Action.ALLOW, "no_face"),
        # neither: allowed whatever the faces, without looking for them
        (FakeNudity(sexual=0.3, revealing=0.3), INPUT, OUTPUT_SAME, Action.ALLOW, None),
        (FakeNudity(), INPUT, OUTPUT_OTHER, Action.ALLOW, None),
    ],
)
def test_output_decisions(
    nudity: FakeNudity, source: int, output: int, expected: Action, why: str | None
) -> None:
    faces = FakeFaces(FACES_BY_SHADE)
    decision = Guard(nudity=nudity, faces=faces).check_output(image(source), image(output))
    assert decision.decision == expected
    if why is None:
        assert decision.reasons == ()
        assert faces.calls == 0
    else:
        assert why in decision.concepts
        assert {"output_sexual", "output_revealing"} & set(decision.concepts)


def test_output_score_is_the_strongest_nudity_score() -> None:
    guard = Guard(nudity=FakeNudity(sexual=0.6, revealing=0.8), faces=FakeFaces(FACES_BY_SHADE))
    decision = guard.check_output(image(INPUT), image(OUTPUT_SAME))
    assert decision.score == pytest.approx(0.8)
    assert decision.concepts[:2] == ("output_sexual", "output_revealing")


def test_bad_images_are_refused_with_a_media_error() -> None:
    guard = Guard(nudity=FakeNudity(), faces=FakeFaces())
    with pytest.raises(MediaError):
        guard.check_output(b"not an image", image(0))
    with pytest.raises(MediaError):
        guard.check_output(image(0), np.zeros((4, 4), np.uint8))


def test_detectors_are_built_lazily() -> None:
    guard = Guard()
    assert guard._nudity is None
    assert guard._faces is None
    guard.check_request("remove the background")
    assert guard._nudity is None
    assert guard._faces is None


@pytest.mark.model
def test_real_detectors_allow_a_clothed_portrait() -> None:
    source = (FACES / "obama_1.jpg").read_bytes()
    output = (FACES / "obama_2.jpg").read_bytes()
    guard = Guard()
    decision = guard.check_output(source, output)
    assert decision.decision == Action.ALLOW
    assert decision.reasons == ()
    # The same portrait with a request: the real face is found, a weak request refused.
    assert guard.check_request("make him look sexy", source).refused
    assert not guard.check_request("put him in a tuxedo", source).refused


def test_nudenet_face_boxes_spare_the_face_detector_its_search() -> None:
    from bouclier.detectors.base import Box

    box = Box(1, 2, 30, 40)
    faces = FakeFaces({10: [face(1.0)], 20: [face(1.0)]})
    guard = Guard(nudity=FakeNudity(sexual=0.9, face_box=box), faces=faces)
    assert guard.check_output(image(10), image(20)).decision == Action.REFUSE
    assert faces.boxes_given == [[box], [box]]  # input and output described at NudeNet's box
    no_box = FakeFaces({10: [face(1.0)], 20: [face(1.0)]})
    Guard(nudity=FakeNudity(sexual=0.9), faces=no_box).check_output(image(10), image(20))
    assert no_box.boxes_given == [None, None]  # no face from NudeNet: dlib searches itself
