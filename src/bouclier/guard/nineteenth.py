"""The nineteenth round's rules (issue 13): the seventeenth round's own classes judged again,
none written anew.

``TwoStageGuard(rules=19)`` (bouclier.guard.rounds) applies **rules 17 less the classes of
:data:`DROPS`**: the seventeenth round's rules stacked on the fourteenth's, as with ``rules=17``
(the eighteenth round's are not applied: ``Round.on``), with those classes no longer applied
(``Round.drops``): a dropped refusal class no longer refuses nor vetoes an allow (the round's next
class is read: seventeenth.refuses reads the rounds' dropped classes), a dropped allow class no
longer allows.

The pre-registered rule (docs/guard.md, "The nineteenth round's estimates"): each class of round
17 left out alone from rules 17, on the folds of intent-16-first's "with" arm
(scripts/guard_intent16_folds.py: intent-10's recipe alone, seen-v2 … seen-v19 in the training
folds), its changed answers counted on **seen-v18 + seen-v19**; a class more often wrong than
right there is dropped (ties kept). scripts/guard_round19_folds.py gives the table.
"""

from __future__ import annotations

#: The seventeenth round's classes that rules 19 no longer apply, more often wrong than right on
#: seen-v18 + seen-v19 (right / wrong changed answers against rules 17 without the class): an
#: undressing model or tool set up on real people's photos ("tooling", 0 / 1), an object
#: uncovered ("uncovered", 0 / 2) and an undressing word used figuratively ("figurative", 0 / 1).
#: Their code stays in bouclier.guard.seventeenth: rules 17 apply them.
DROPS: frozenset[str] = frozenset({"tooling", "uncovered", "figurative"})
