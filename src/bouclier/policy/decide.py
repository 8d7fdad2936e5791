"""The policy: a pure function from what was seen and matched to a verdict with reasons.

The rules, in ../shared/DESIGN.md's words (each outcome configurable in :class:`Policy`):

=======================================================  =======================================
evidence                                                 verdict
=======================================================  =======================================
match in a known-false-positive bank                     ALLOW (overrides the rest)
reviewed victim-bank match, image sexual or revealing    BLOCK
reviewed victim-bank match, image not sexual             REVIEW (a clothed version, or poisoning)
unreviewed victim-bank match, image sexual or revealing  BLOCK (``unreviewed_match_sexual``)
unreviewed victim-bank match, image not sexual           REVIEW (``unreviewed_match_other``)
weak robust-stage-only victim-bank match (any image)     at most REVIEW (``robust_weak_match``)
enrolled face in a sexual or revealing image             REVIEW, high priority (or BLOCK)
any of the above where a minor is concerned              BLOCK and escalate, urgent
nothing of the above                                     ALLOW
=======================================================  =======================================

A victim-bank entry is *reviewed* when an operator put it in the bank or an analyst confirmed the
case item it came from; a hash a case reported is *unreviewed* until then (``Match.reviewed``).
Anyone can open a case, so an unreviewed match is a stranger's claim: alone it never blocks an
image that is not itself sexual or revealing (the photo of a public figure put on the list), and
the case's flags (minor, sextortion), which are the same stranger's word, count only with a
reviewed match: an unreviewed match is never escalated. Whether a sexual or revealing image that
matches an unreviewed hash is blocked (the default: a re-upload is caught from the first minute)
or only reviewed (an adult platform whose content a poisoner could take down) is the platform's
choice, in its policy file.

A *weak* match is one found only by the crop-robust stage (``stage == "robust"``: ORB keypoints
on one homography) with fewer inliers than ``robust_strong_inliers`` (40 by default). That stage
finds crops, captions and screenshots that PDQ misses, but it can also land on an unrelated picture
with repetitive structure (lines of text in one font, grids; docs/robust-signal.md): a weak match
alone never blocks and never escalates; a human looks (REVIEW, high priority where the image is
sexual or revealing). With as many inliers as ``robust_strong_inliers``, or beside a PDQ match, it
counts like any other.

A minor is concerned when the case of a reviewed match says so or an enrolled person matched was
enrolled as a minor.
Whether the image is sexual or revealing is :func:`bouclier.policy.exposure.exposure`'s answer,
with this policy's thresholds. Several rules can fire: the most severe decision wins and every
reason is kept. Reasons also name
what was seen without deciding anything (exposed or covered body parts, the AI tool that left its
mark), because a reviewer needs them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from bouclier.detectors.base import Signal
from bouclier.detectors.nudity import REVEALING_CLASSES, SEXUAL_CLASSES
from bouclier.detectors.provenance.labels import ERROR as PROVENANCE_ERROR
from bouclier.policy.config import Policy
from bouclier.policy.exposure import exposure
from bouclier.policy.verdict import Decision, Priority, Reason, Verdict

_SEVERITY = {Decision.ALLOW: 0, Decision.REVIEW: 1, Decision.BLOCK: 2}
#: Body-part classes worth naming in reasons, and the score from which they are named.
_PART_SCORE = 0.4
_INTIMATE_PARTS = SEXUAL_CLASSES | REVEALING_CLASSES
#: The label of an enrolled person's face, as the analysis's likeness stage emits it (no detector
#: of the catalog does: likeness compares the faces of exposed images with enrolled templates).
ENROLLED = "likeness.enrolled"


class BankMatch(Protocol):
    """What the policy needs of a match (``bouclier.banks.matcher.Match`` has it)."""

    @property
    def bank(self) -> str: ...
    @property
    def bank_kind(self) -> str: ...
    @property
    def entry(self) -> int: ...
    @property
    def distance(self) -> int: ...
    @property
    def reviewed(self) -> bool: ...


def _weak(match: BankMatch, policy: Policy) -> bool:
    """Found only by the robust stage, on fewer inliers than the policy calls strong (matches
    without a ``stage``, as fakes or older callers make them, are direct matches)."""
    if getattr(match, "stage", "direct") != "robust":
        return False
    inliers = getattr(match, "inliers", None)
    return inliers is None or inliers < policy.robust_strong_inliers


@dataclass(frozen=True, slots=True)
class CaseFlags:
    minor: bool = False
    sextortion: bool = False


def decide(
    signals: Sequence[Signal],
    matches: Sequence[BankMatch],
    case_flags: CaseFlags = CaseFlags(),  # frozen: a shared default is safe
    policy: Policy = Policy(),  # noqa: B008 - frozen
) -> Verdict:
    """Applies the rules in this module's docstring; pure: same inputs, same verdict."""
    seen_as = exposure(signals, policy)
    sexual, revealing = seen_as.sexual, seen_as.revealing
    seen = _seen(signals, sexual, revealing)

    false_positives = [m for m in matches if m.bank_kind == "known_false_positive"]
    if false_positives:
        m = min(false_positives, key=lambda m: m.distance)
        reason = Reason(
            "known_false_positive",
            f"matches known false positive {m.bank}#{m.entry} (distance {m.distance})",
        )
        return Verdict(Decision.ALLOW, (reason, *seen))

    decision, priority, reasons = Decision.ALLOW, Priority.NORMAL, []
    exposed = sexual or revealing
    what = "a sexual or revealing image" if exposed else "an image not seen as sexual"
    all_victims = [m for m in matches if m.bank_kind == "victim"]
    weak = [m for m in all_victims if _weak(m, policy)]
    victims = [m for m in all_victims if not _weak(m, policy)]
    confirmed = [m for m in victims if m.reviewed]
    claimed = [m for m in victims if not m.reviewed]
    if confirmed:
        rule = policy.victim_match_sexual if exposed else policy.victim_match_other
        decision = _worse(decision, rule)
        reasons.append(Reason("victim_match", f"{what} matches {_best(confirmed)}"))
    if claimed:
        rule = policy.unreviewed_match_sexual if exposed else policy.unreviewed_match_other
        decision = _worse(decision, rule)
        reasons.append(
            Reason(
                "victim_match_unreviewed",
                f"{what} matches {_best(claimed)}, reported by a case and not yet reviewed by "
                "an analyst",
            )
        )
    if weak and not victims:
        rule = policy.unreviewed_match_sexual if exposed else policy.unreviewed_match_other
        if any(m.reviewed for m in weak):
            rule = policy.victim_match_sexual if exposed else policy.victim_match_other
        decision = _worse(decision, _milder(rule, policy.robust_weak_match))
        if exposed and decision is not Decision.ALLOW:
            priority = Priority.HIGH
        inliers = max(getattr(m, "inliers", None) or 0 for m in weak)
        reasons.append(
            Reason(
                "victim_match_robust",
                f"{what} may be a reframed copy of {_best(weak)}: found only by the crop-robust "
                f"signal, on {inliers} keypoints (under {policy.robust_strong_inliers}); a human "
                "confirms",
            )
        )
    # the case's flags are its reporter's word: they count only with a reviewed match
    claims = case_flags if confirmed else CaseFlags()

    enrolled = [s for s in signals if s.label == ENROLLED]
    minor_enrolled = any(s.detail("minor") == "true" for s in enrolled)
    if enrolled and (sexual or revealing):
        decision = _worse(decision, policy.enrolled_face)
        priority = Priority.HIGH
        names = ", ".join(sorted({s.detail("reference") or "?" for s in enrolled}))
        reasons.append(
            Reason(
                "enrolled_face",
                f"the face of enrolled person {names} in a sexual or revealing image",
            )
        )

    if reasons and (claims.minor or minor_enrolled):
        decision = _worse(decision, policy.minor)
        reasons.append(Reason("minor", "a minor is concerned: escalate"))
        return Verdict(decision, (*reasons, *seen), Priority.URGENT, escalate=True)
    if reasons and claims.sextortion:
        priority = Priority.URGENT
        reasons.append(Reason("sextortion", "the case reports sextortion"))
    return Verdict(decision, (*reasons, *seen), priority)


def _best(victims: Sequence[BankMatch]) -> str:
    best = min(victims, key=lambda m: m.distance)
    more = f" and {len(victims) - 1} more" if len(victims) > 1 else ""
    return f"victim bank {best.bank}#{best.entry} (distance {best.distance}){more}"


def _milder(a: Decision, b: Decision) -> Decision:
    return a if _SEVERITY[a] <= _SEVERITY[b] else b


def _worse(a: Decision, b: Decision) -> Decision:
    return a if _SEVERITY[a] >= _SEVERITY[b] else b


def _seen(signals: Sequence[Signal], sexual: bool, revealing: bool) -> list[Reason]:
    """Reasons that decide nothing: body parts, and the tool that made the image."""
    reasons = []
    parts = sorted(
        {
            s.label.removeprefix("nudity.").lower().replace("_", " ")
            for s in signals
            if s.label.removeprefix("nudity.") in _INTIMATE_PARTS and s.score >= _PART_SCORE
        }
    )
    if sexual or revealing or parts:
        kind = "sexual" if sexual else "revealing" if revealing else "not sexual"
        reasons.append(Reason("nudity", f"{kind}" + (f": {', '.join(parts)}" if parts else "")))
    tools = []
    for s in signals:
        if s.label.startswith("provenance.") and s.label != PROVENANCE_ERROR:
            tool = s.detail("generator") or s.detail("tool") or s.label.split(".", 1)[1]
            tools.append(f"{tool} ({s.label.removeprefix('provenance.')})")
    if tools:
        reasons.append(Reason("provenance", "made with " + "; ".join(dict.fromkeys(tools))))
    return reasons
