"""The policy: signals and matches in, a verdict (ALLOW, REVIEW, BLOCK) with reasons out."""

from bouclier.policy.config import Policy
from bouclier.policy.decide import CaseFlags, decide
from bouclier.policy.exposure import Exposure, exposure
from bouclier.policy.verdict import Decision, Priority, Reason, Verdict

__all__ = [
    "CaseFlags",
    "Decision",
    "Exposure",
    "Policy",
    "Priority",
    "Reason",
    "Verdict",
    "decide",
    "exposure",
]
