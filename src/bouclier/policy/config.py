"""Policy settings: the defaults of ../shared/DESIGN.md, or a TOML file that changes them.

```toml
[thresholds]
sexual = 0.5        # nudity.sexual score from which an image counts as sexual
revealing = 0.45    # nudity.revealing score from which it counts as revealing (swimwear, underwear)

[rules]
victim_match_sexual = "BLOCK"    # reviewed victim-bank match on a sexual or revealing image
victim_match_other = "REVIEW"    # reviewed victim-bank match on any other image
unreviewed_match_sexual = "BLOCK"   # unreviewed (a case's, not yet confirmed) on a sexual image
unreviewed_match_other = "REVIEW"   # unreviewed on any other image (never escalated)
enrolled_face = "REVIEW"         # enrolled person's face in a sexual or revealing image
minor = "BLOCK"                  # any of the above where a minor is concerned (and escalate)
robust_weak_match = "REVIEW"     # the most a weak robust-stage-only victim match can decide

[robust]
strong_inliers = 40   # ORB inliers from which a robust-stage-only match counts like any other
```
A match found only by the crop-robust stage (``stage == "robust"``, ORB) with fewer than
``robust.strong_inliers`` inliers is *weak*: it decides at most ``robust_weak_match`` (REVIEW), and
never escalates, because such matches can land on unrelated repetitive pictures (text, grids;
docs/robust-signal.md measures how often). From ``strong_inliers`` on, it counts like a PDQ match.

Unknown keys and bad values are refused with a ConfigError naming them. ``BOUCLIER_POLICY_FILE``
names the file the API, the guard and ``bouclier scan`` use (:meth:`Policy.from_settings`); the
thresholds reach every "sexual or revealing" decision through ``bouclier.policy.exposure``.

An *unreviewed* match is on a hash a case reported that no analyst has confirmed yet. Anyone can
open a case, so such a match is never escalated, and ``unreviewed_match_other`` should stay REVIEW
(BLOCK there lets anyone take down any picture, a public figure's photo included).
``unreviewed_match_sexual`` is the platform's choice: BLOCK catches a re-upload from the first
minute; REVIEW suits a platform of consensual adult content that a poisoner could target.

The default thresholds: NudeNet's detection threshold (the nudity detector's ``min_score``, 0.25;
NudeNet's own is 0.2-0.25) keeps weak boxes as facts; a verdict needs more, because the model is
noisy down there: on our benign portraits of clothed people it finds MALE_GENITALIA_EXPOSED at 0.27
and FEMALE_BREAST_COVERED at 0.40. 0.5 (sexual) and 0.45 (revealing) trade some recall for fewer
false blocks; the band between min_score and a threshold is the doubtful one, where the policy asks
a human (REVIEW) rather than decides. Revealing is a little lower since a "revealing" verdict weighs
less (no nudity) and the swimwear edit is common. Both are starting points, to be set on a labelled
evaluation set, not on tests.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, fields
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bouclier.errors import ConfigError
from bouclier.policy.verdict import Decision

if TYPE_CHECKING:
    from bouclier.settings import Settings


@dataclass(frozen=True, slots=True)
class Policy:
    sexual_threshold: float = 0.5
    revealing_threshold: float = 0.45
    victim_match_sexual: Decision = Decision.BLOCK
    victim_match_other: Decision = Decision.REVIEW
    unreviewed_match_sexual: Decision = Decision.BLOCK
    unreviewed_match_other: Decision = Decision.REVIEW
    enrolled_face: Decision = Decision.REVIEW
    minor: Decision = Decision.BLOCK
    robust_weak_match: Decision = Decision.REVIEW
    robust_strong_inliers: int = 40

    @classmethod
    def from_settings(cls, settings: Settings) -> Policy:
        """The policy of ``BOUCLIER_POLICY_FILE``, else the built-in one."""
        return cls.from_toml(settings.policy_file) if settings.policy_file else cls()

    @classmethod
    def from_toml(cls, path: str | Path) -> Policy:
        try:
            data = tomllib.loads(Path(path).read_text(encoding="utf-8"))
        except OSError as exc:
            raise ConfigError(f"cannot read the policy file {path}: {exc.strerror}") from None
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
            raise ConfigError(f"the policy file {path} is not valid TOML: {exc}") from None
        return cls.from_dict(data)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Policy:
        values: dict[str, Any] = {}
        unknown = set(data) - {"thresholds", "rules", "robust"}
        thresholds = _table(data, "thresholds")
        rules = _table(data, "rules")
        robust = _table(data, "robust")
        unknown |= {f"thresholds.{k}" for k in set(thresholds) - {"sexual", "revealing"}}
        unknown |= {f"robust.{k}" for k in set(robust) - {"strong_inliers"}}
        rule_names = {f.name for f in fields(cls) if f.name != "robust_strong_inliers"} - {
            f.name for f in fields(cls) if f.name.endswith("_threshold")
        }
        unknown |= {f"rules.{k}" for k in set(rules) - rule_names}
        if unknown:
            raise ConfigError(f"unknown policy settings: {', '.join(sorted(unknown))}")
        for key, value in thresholds.items():
            if isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value <= 1:
                raise ConfigError(f"thresholds.{key} must be a number from 0 to 1")
            values[f"{key}_threshold"] = float(value)
        if "strong_inliers" in robust:
            value = robust["strong_inliers"]
            if isinstance(value, bool) or not isinstance(value, int) or not 4 <= value <= 128:
                raise ConfigError("robust.strong_inliers must be a whole number from 4 to 128")
            values["robust_strong_inliers"] = value
        for key, value in rules.items():
            try:
                values[key] = Decision(str(value).upper())
            except ValueError:
                raise ConfigError(f"rules.{key} must be ALLOW, REVIEW or BLOCK") from None
        return cls(**values)


def _table(data: dict[str, Any], name: str) -> dict[str, Any]:
    table = data.get(name, {})
    if not isinstance(table, dict):
        raise ConfigError(f"[{name}] must be a table")
    return table
