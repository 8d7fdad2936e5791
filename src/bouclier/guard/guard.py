"""The guard of a generative-AI provider: the request before generation, the output after.

:class:`Guard` holds the request guard (lexicons, compiled once), a registry of detectors in which
the image checks look up ``nudity`` and ``faces`` (production's: :meth:`Guard.from_settings`,
models loaded on first use, once; fakes in tests) and a policy whose thresholds say what is sexual
or revealing (:func:`bouclier.policy.exposure.exposure`, as in the analysis).
:meth:`Guard.check_output` blocks an output that is sexual or revealing when it shows the input's
person — a face of the output within the likeness threshold of a face of the input — or when the
input showed a real face at all: an edit of a real person's photo into a revealing image is the
harm, whether or not the face survived.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence

import numpy as np

from bouclier.detectors.base import Detector, Sample, Signal
from bouclier.detectors.catalog import CATALOG
from bouclier.detectors.faces import DEFAULT_THRESHOLD, Face, FaceDescriber, describer, distance
from bouclier.detectors.nudity import DETECTOR as NUDITY
from bouclier.detectors.nudity import face_boxes
from bouclier.detectors.registry import Registry
from bouclier.errors import MediaError
from bouclier.guard.decision import Action, GuardDecision, GuardReason
from bouclier.guard.request import RequestGuard, default_guard
from bouclier.guard.semantic import INTENT_14, INTENT_21_FIRST, INTENTS, default_stage
from bouclier.guard.stages import EditRequest, TwoStageGuard
from bouclier.media import DecodedImage, decode
from bouclier.policy import Policy, exposure
from bouclier.settings import Settings

#: Images are decoded with their longer side reduced to this: faces and body parts stay
#: detectable (both detectors work on smaller copies anyway) and a huge output costs no more.
MAX_SIDE = 1024


ImageInput = bytes | np.ndarray


def to_sample(image: ImageInput) -> Sample:
    """A Sample from image bytes (decoded by ``bouclier.media``) or (h, w, 3) uint8 RGB pixels."""
    if isinstance(image, bytes | bytearray | memoryview):
        data = bytes(image)
        return Sample(data, decode(data, max_side=MAX_SIDE))
    pixels = np.asarray(image)
    if pixels.dtype != np.uint8 or pixels.ndim != 3 or pixels.shape[2] != 3 or 0 in pixels.shape:
        raise MediaError(
            f"pixels must be (h, w, 3) uint8 RGB, not {pixels.shape} {pixels.dtype}",
            code="media.unsupported_format",
        )
    height, width = pixels.shape[:2]
    decoded = DecodedImage(
        format="raw", width=width, height=height, frames=(pixels,), frame_count=1
    )
    return Sample(b"", decoded)


class Guard:
    """Checks edit requests and their outputs; see the module docstring."""

    def __init__(
        self,
        detectors: Registry | None = None,
        *,
        policy: Policy | None = None,
        requests: RequestGuard | TwoStageGuard | None = None,
        face_threshold: float = DEFAULT_THRESHOLD,
    ) -> None:
        """``detectors`` must hold ``nudity`` and ``faces`` for the checks of images (ConfigError
        when one is needed and missing); without any, the guard checks text alone. ``policy``:
        the thresholds of sexual and revealing (default: the built-in policy). ``requests``: the
        lexicons alone (the default here) or the second-generation :class:`TwoStageGuard`."""
        self.detectors = detectors if detectors is not None else Registry(())
        self.policy = policy or Policy()
        self.requests: RequestGuard | TwoStageGuard = requests or default_guard()
        self.face_threshold = face_threshold

    @classmethod
    def from_settings(cls, settings: Settings) -> Guard:
        """The guard as configured: the detectors of ``BOUCLIER_DETECTORS`` (built, not loaded)
        and the policy of ``BOUCLIER_POLICY_FILE``."""
        return cls(
            CATALOG.build(settings),
            policy=Policy.from_settings(settings),
            requests=requests_from_settings(settings),
        )

    @property
    def nudity(self) -> Detector:
        return self.detectors.require(NUDITY)

    @property
    def faces(self) -> FaceDescriber:
        return describer(self.detectors)

    def load(self) -> None:
        """Loads both models now (a service does it at start, not on its first request)."""
        self.nudity.load()
        self.faces.load()
        if isinstance(self.requests, TwoStageGuard):
            self.requests.load()

    def _described(self, sample: Sample, signals: list[Signal] | None = None) -> Sequence[Face]:
        """Faces with descriptors: at NudeNet's face boxes when it found any (HOG detection is
        most of dlib's cost), else by dlib's own detector."""
        found = face_boxes(self.nudity.detect(sample) if signals is None else signals)
        return self.faces.describe(sample.pixels, found or None)

    def check_request(
        self,
        prompt: str,
        image: ImageInput | None = None,
        *,
        minor: bool = False,
        enrolled: bool = False,
        context: Sequence[str] = (),
        uncovered: Action | None = None,
    ) -> GuardDecision:
        """Refuse or allow an edit request; the image is decoded and searched for a face only
        when a face would change the decision (see ``bouclier.guard.request``). ``context``:
        the conversation's previous requests, oldest first; ``uncovered``: the action for a
        language the guard does not cover (both read by the second-generation guard only)."""
        has_face = self._face_check(image)
        if isinstance(self.requests, TwoStageGuard):
            return self.requests.check(
                prompt,
                minor=minor,
                enrolled=enrolled,
                has_face=has_face,
                context=context,
                uncovered=uncovered,
            )
        return self.requests.check(prompt, minor=minor, enrolled=enrolled, has_face=has_face)

    def check_requests(
        self, requests: Sequence[EditRequest], *, uncovered: Action | None = None
    ) -> list[GuardDecision]:
        """A batch of text requests, in order (the second stage embeds them in one pass)."""
        if isinstance(self.requests, TwoStageGuard):
            return self.requests.check_many(requests, uncovered=uncovered)
        lexicons = self.requests
        return [lexicons.check(r.prompt, minor=r.minor, enrolled=r.enrolled) for r in requests]

    def _face_check(self, image: ImageInput | None) -> Callable[[], bool] | None:
        if image is None:
            return None
        source = image

        def has_face() -> bool:
            return bool(self.faces.describe(to_sample(source).pixels))

        return has_face

    def check_output(self, input_image: ImageInput, output_image: ImageInput) -> GuardDecision:
        """Refuse an output that is sexual or revealing and shows the input's person or comes
        from a photo of a real face; allow it otherwise."""
        source = to_sample(input_image)  # both checked first: a bad input is an error
        output = to_sample(output_image)
        signals = self.nudity.detect(output)
        seen = exposure(signals, self.policy)
        sexual, revealing = seen.sexual_score, seen.revealing_score
        score = max(sexual, revealing)
        threshold = self.policy.revealing_threshold
        reasons = []
        if seen.sexual:
            reasons.append(GuardReason("output_sexual", f"nudity.sexual {sexual:.2f}"))
        if seen.revealing:
            reasons.append(GuardReason("output_revealing", f"nudity.revealing {revealing:.2f}"))
        if not reasons:
            return GuardDecision(Action.ALLOW, round(score, 4), threshold=threshold)
        source_faces = self._described(source)
        if not source_faces:
            reasons.append(GuardReason("no_face", "no face in the input image"))
            return GuardDecision(Action.ALLOW, round(score, 4), tuple(reasons), (), 1.0)
        output_faces = self._described(output, signals)
        nearest = min(
            (distance(a.descriptor, b.descriptor) for a in source_faces for b in output_faces),
            default=None,
        )
        if nearest is not None and nearest <= self.face_threshold:
            reasons.append(GuardReason("same_person", f"face distance {nearest:.2f}"))
        else:
            reasons.append(GuardReason("real_face", "a photographed face in the input image"))
        return GuardDecision(Action.REFUSE, round(score, 4), tuple(reasons), (), threshold)


#: The service's first reading when no setting names one (intent-21-first since the twenty-second
#: round's folds; intent-20-first, intent-19-first and intent-16-first before).
SERVICE_INTENT = INTENT_21_FIRST


def requests_from_settings(settings: Settings) -> RequestGuard | TwoStageGuard:
    """The request guard of ``BOUCLIER_GUARD_MODEL``, ``BOUCLIER_GUARD_INTENT`` (or
    ``BOUCLIER_GUARD_SECOND_READING``), ``BOUCLIER_GUARD_RULES``, ``BOUCLIER_GUARD_E5_ENGINE`` and
    ``BOUCLIER_GUARD_UNCOVERED``: by default intent-21-first (the first reading alone, since the
    twenty-second round's folds) and the twentieth round's rules (the seventeenth's, take-backs)."""
    if not settings.guard_model:
        return default_guard()
    if settings.guard_intent is not None:
        intent = INTENTS[settings.guard_intent]
    else:
        intent = INTENT_14 if settings.guard_second_reading else SERVICE_INTENT
    return TwoStageGuard(
        semantic=default_stage(intent, settings.guard_e5_engine),
        uncovered=Action(settings.guard_uncovered),
        rules=settings.guard_rules,
    )


_default: Guard | None = None
_lock = threading.Lock()


def default() -> Guard:
    """The process's guard, as the settings configure it (models loaded on first use)."""
    global _default  # noqa: PLW0603 - one guard per process, built on first use
    if _default is None:
        with _lock:
            if _default is None:
                from bouclier.settings import load_settings

                _default = Guard.from_settings(load_settings())
    return _default
