"""The generative-AI guardrail: refuse "undress her" requests, block undressed outputs.

For a provider that puts Bouclier in front of its image model::

    from bouclier.guard import check_request, check_output

    check_request("mets-la en bikini", photo_bytes).decision   # "refuse"
    check_request("remove the background", photo_bytes).decision  # "allow"
    check_output(photo_bytes, generated_bytes)                 # refuse if revealing + real face

Both return a :class:`GuardDecision` (decision, score, reasons, languages). The request check is
text rules over eight languages' lexicons (:mod:`bouclier.guard.request`); the output check runs
the nudity and face detectors (:mod:`bouclier.guard.guard`). For detectors of your own (or fakes)
build a :class:`Guard`.
"""

from __future__ import annotations

from bouclier.guard.decision import Action, GuardDecision, GuardReason
from bouclier.guard.guard import Guard, ImageInput, default
from bouclier.guard.request import RequestGuard


def check_request(
    prompt: str,
    image: ImageInput | None = None,
    *,
    minor: bool = False,
    enrolled: bool = False,
) -> GuardDecision:
    """Refuse or allow an edit request (the prompt, and the image it applies to if any)."""
    return default().check_request(prompt, image, minor=minor, enrolled=enrolled)


def check_output(input_image: ImageInput, output_image: ImageInput) -> GuardDecision:
    """Refuse or allow a generated image, given the image it was made from."""
    return default().check_output(input_image, output_image)


__all__ = [
    "Action",
    "Guard",
    "GuardDecision",
    "GuardReason",
    "RequestGuard",
    "check_output",
    "check_request",
]
