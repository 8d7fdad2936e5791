"""Whether an image is sexual or revealing: decided here only, with a policy's thresholds.

The scores are the nudity detector's facts (``bouclier.detectors.nudity``: ``nudity.sexual``, the
strongest exposed intimate part; ``nudity.revealing``, the strongest covered one, the swimwear and
underwear edits); the thresholds are the policy's (``[thresholds]`` of a policy file,
``BOUCLIER_POLICY_FILE``). Every caller that asks the question asks it here: the policy's rules
(:func:`bouclier.policy.decide`), the analysis before it compares faces with enrolled people
(likeness: only on exposed images) and reports ``sexual``/``revealing`` (the API, ``bouclier
scan``), and the guard on a generated image. So one policy file moves them all together.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from bouclier.detectors.base import Signal
from bouclier.detectors.nudity import revealing_score, sexual_score
from bouclier.policy.config import Policy


@dataclass(frozen=True, slots=True)
class Exposure:
    """What the nudity signals say of one image under a policy's thresholds (inclusive)."""

    sexual: bool
    revealing: bool
    sexual_score: float
    revealing_score: float

    @property
    def exposed(self) -> bool:
        """Sexual or revealing: what lets likeness compare faces and a victim match BLOCK."""
        return self.sexual or self.revealing


def exposure(
    signals: Iterable[Signal],
    policy: Policy = Policy(),  # noqa: B008 - frozen
) -> Exposure:
    """Sexual when the ``nudity.sexual`` score (or any exposed intimate part's) reaches the
    policy's ``sexual_threshold``; revealing when the ``nudity.revealing`` score (or any covered
    intimate part's) reaches its ``revealing_threshold``. Pure; no nudity signal: neither."""
    signals = list(signals)
    sexual, revealing = sexual_score(signals), revealing_score(signals)
    return Exposure(
        sexual=sexual >= policy.sexual_threshold,
        revealing=revealing >= policy.revealing_threshold,
        sexual_score=sexual,
        revealing_score=revealing,
    )
