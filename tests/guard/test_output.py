"""The output guard: fake detectors for every combination, real ones on benign portraits."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from bouclier.detectors.registry import Registry
from bouclier.errors import ConfigError, MediaError
from bouclier.guard import Action, Guard
from bouclier.policy import Policy
from bouclier.settings import load_settings
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
    decision = Guard(Registry([nudity, faces])).check_output(image(source), image(output))
    assert decision.decision == expected
    if why is None:
        assert decision.reasons == ()
        assert faces.calls == 0
    else:
        assert why in decision.concepts
        assert {"output_sexual", "output_revealing"} & set(decision.concepts)


def test_output_score_is_the_strongest_nudity_score() -> None:
    guard = Guard(Registry([FakeNudity(sexual=0.6, revealing=0.8), FakeFaces(FACES_BY_SHADE)]))
    decision = guard.check_output(image(INPUT), image(OUTPUT_SAME))
    assert decision.score == pytest.approx(0.8)
    assert decision.concepts[:2] == ("output_sexual", "output_revealing")


@pytest.mark.parametrize(
    ("scores", "thresholds", "default", "configured"),
    [
        # a lenient policy file lets through what the built-in thresholds refuse...
        ((0.9, 0.8), "sexual = 0.95\nrevealing = 0.85", Action.REFUSE, Action.ALLOW),
        # ...and a strict one refuses what they let through
        ((0.1, 0.3), "revealing = 0.25", Action.ALLOW, Action.REFUSE),
        ((0.4, 0.0), "sexual = 0.4", Action.ALLOW, Action.REFUSE),
    ],
)
def test_a_policy_files_thresholds_change_the_answer(
    tmp_path: Path,
    scores: tuple[float, float],
    thresholds: str,
    default: Action,
    configured: Action,
) -> None:
    path = tmp_path / "policy.toml"
    path.write_text(f"[thresholds]\n{thresholds}\n")
    detectors = Registry([FakeNudity(*scores), FakeFaces(FACES_BY_SHADE)])
    policy = Guard.from_settings(load_settings(policy_file=path)).policy
    assert policy == Policy.from_toml(path)
    before = Guard(detectors).check_output(image(INPUT), image(OUTPUT_SAME))
    after = Guard(detectors, policy=policy).check_output(image(INPUT), image(OUTPUT_SAME))
    assert (before.decision, after.decision) == (default, configured)
    assert after.threshold == policy.revealing_threshold


def test_bad_images_are_refused_with_a_media_error() -> None:
    guard = Guard(Registry([FakeNudity(), FakeFaces()]))
    with pytest.raises(MediaError):
        guard.check_output(b"not an image", image(0))
    with pytest.raises(MediaError):
        guard.check_output(image(0), np.zeros((4, 4), np.uint8))


def test_a_guard_without_detectors_checks_text_alone() -> None:
    guard = Guard()
    assert guard.check_request("make her naked").refused
    with pytest.raises(ConfigError, match="'nudity' detector is needed"):
        guard.check_output(image(INPUT), image(OUTPUT_SAME))


def test_models_are_loaded_lazily() -> None:
    guard = Guard.from_settings(load_settings())
    guard.check_request("remove the background")
    assert guard.detectors["nudity"]._session is None  # type: ignore[attr-defined]
    assert guard.detectors["faces"]._models is None  # type: ignore[attr-defined]


@pytest.mark.model
def test_real_detectors_allow_a_clothed_portrait() -> None:
    source = (FACES / "obama_1.jpg").read_bytes()
    output = (FACES / "obama_2.jpg").read_bytes()
    guard = Guard.from_settings(load_settings())
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
    guard = Guard(Registry([FakeNudity(sexual=0.9, face_box=box), faces]))
    assert guard.check_output(image(10), image(20)).decision == Action.REFUSE
    assert faces.boxes_given == [[box], [box]]  # input and output described at NudeNet's box
    no_box = FakeFaces({10: [face(1.0)], 20: [face(1.0)]})
    Guard(Registry([FakeNudity(sexual=0.9), no_box])).check_output(image(10), image(20))
    assert no_box.boxes_given == [None, None]  # no face from NudeNet: dlib searches itself
