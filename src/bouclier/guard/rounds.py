"""The rounds' rules as bouclier.guard.stages applies them after the model: one ordered table.

Each round of issue 13 wrote classes of request that the guard before it missed or refused
wrongly (bouclier.guard.eleventh, thirteenth, fourteenth, fifteenth,
sixteenth, seventeenth, eighteenth; the nineteenth only drops classes of the seventeenth,
bouclier.guard.nineteenth). A round (:class:`Round`)
has up to three parts, each read on a :class:`Ruling` (the prompt, the turns before it, the
lexicons' reading):

* ``refuses``: a class of refusal, read when the model allows;
* ``allows``: a class of allow, read when the model refuses (and no clause instructs
  undressing: stages.NUDIFY);
* ``drops``: classes of the rounds before (or its own) that a round no longer applies, as its
  pre-registered rule dropped them (``lifted_as``: the class a round's ``lifts`` belongs to);
* ``vetoes``: the prompt falls in one of the round's refusal classes, so that no round (an
  earlier one's "writing", say) allows it when the model refuses;
* ``alone``: a follow-up judged alone, the conversation before it not refusing it
  (``again``: except a follow-up that asks for the same again or the next layer,
  stages.TwoStageGuard._asks_again and _carries_on_11, which still refuse).

:data:`ROUNDS` lists them oldest first; ``TwoStageGuard(rules=N)`` applies the rounds numbered up
to N. The first class found wins, in the table's order, with two exceptions kept from the rounds
that wrote them: a **wide** round's refusals (the thirteenth's "porn", "app", "xray") are read
after every other round's, and not at all when a later round's ``lifts`` says the prompt is no
request (the fourteenth's text written about the harm). The first ``alone`` found decides a
follow-up's reading.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cached_property

from bouclier.guard import eighteenth as rules18
from bouclier.guard import eleventh as rules11
from bouclier.guard import fifteenth as rules15
from bouclier.guard import fourteenth as rules14
from bouclier.guard import nineteenth as rules19
from bouclier.guard import seventeenth as rules17
from bouclier.guard import sixteenth as rules16
from bouclier.guard import thirteenth as rules13
from bouclier.guard import twentieth as rules20
from bouclier.guard.request import Match


class Ruling:
    """What a round's rules read: the prompt, the last turns before it (``before``), the
    lexicons' score and matches, the newest round applied (``rules``), whether the guard's
    classifier is the tenth round's kind (``eleventh``: the eleventh round's follow-ups need it)
    whether the follow-up head reads the prompt as carrying on the turn before it
    (``carries_on``) and whether the model reads the prompt alone as clearly harmless
    (``clear``); the lexicons' concepts are built only when a round asks for them."""

    def __init__(
        self,
        prompt: str,
        before: Sequence[str],
        lexical: float,
        matches: Sequence[Match],
        *,
        rules: int,
        eleventh: bool,
        carries_on: bool = False,
        clear: bool = False,
    ) -> None:
        self.prompt, self.before, self.lexical, self.matches = prompt, before, lexical, matches
        self.rules, self.eleventh, self.carries_on = rules, eleventh, carries_on
        self.clear = clear

    @cached_property
    def concepts(self) -> frozenset[str]:
        """The lexicons' concepts found in the prompt."""
        return frozenset(m.concept for m in self.matches)

    @cached_property
    def gone(self) -> frozenset[str]:
        """The classes no longer applied by the rounds ``rules`` applies (:func:`dropped`):
        a round stacked on an older one reads them to leave that one's classes out (rules 19:
        round 17's)."""
        return dropped(applied(self.rules))

    @cached_property
    def refusals(self) -> dict[int, str | None]:
        """Each round's refusal class of this prompt, read once (:func:`_refused`): a round's
        refusal, allow and veto all ask for it, and it is the rounds' dearest reading."""
        return {}


def _refused(number: int, read: Callable[[Ruling], str | None]) -> Callable[[Ruling], str | None]:
    """Round ``number``'s refusal (``read``), computed once per ruling."""

    def refuses(r: Ruling) -> str | None:
        if number not in r.refusals:
            r.refusals[number] = read(r)
        return r.refusals[number]

    return refuses


_refuses16 = _refused(16, lambda r: rules16.refuses(r.prompt, r.concepts, r.before))
_refuses17 = _refused(17, lambda r: rules17.refuses(r.prompt, r.concepts, r.before, r.gone))
_refuses18 = _refused(18, lambda r: rules18.refuses(r.prompt, r.concepts, r.before))


def _none(_: Ruling) -> str | None:
    return None


def _never(_: Ruling) -> bool:
    return False


def _mends_nothing(_: Ruling, __: str) -> str | None:
    return None


@dataclass(frozen=True, slots=True)
class Round:
    """One round's rules (see the module docstring)."""

    number: int
    refuses: Callable[[Ruling], str | None] = _none
    allows: Callable[[Ruling], str | None] = _none
    alone: Callable[[Ruling], bool] = _never
    #: a follow-up ``alone`` judges is still refused when it asks for the same again
    again: bool = False
    #: its refusals are read after every other round's
    wide: bool = False
    #: the prompt is no request: the wide rounds' refusals are not read
    lifts: Callable[[Ruling], bool] = _never
    #: the prompt is in this round's refusal classes: no round allows it
    vetoes: Callable[[Ruling], bool] = _never
    #: the class ``lifts`` belongs to (a later round may drop it)
    lifted_as: str = ""
    #: earlier rounds' classes no longer applied from this round on (dropped by its
    #: pre-registered rule: more often wrong than right on its estimate)
    drops: frozenset[str] = frozenset()
    #: the newest earlier round it is stacked on (``None``: every earlier round): the rounds
    #: between that one and it are not applied with it (the seventeenth round's rules stack on
    #: the fourteenth's, as its pre-registered rule says, without the fifteenth's or the
    #: sixteenth's)
    on: int | None = None
    #: the class of this round that mends an earlier round's refusal class found for the
    #: prompt (a word read inside another, a question the older words took for a request):
    #: that refusal is not applied
    mends: Callable[[Ruling, str], str | None] = _mends_nothing


def _alone_11(r: Ruling) -> bool:
    """The eleventh round's follow-ups judged alone (with its kind of classifier): after a
    conversation about an object (a Christmas tree's baubles), or one asking for less ("less,
    it's too much"), unless, from the thirteenth round, it unfastens something."""
    if not r.eleventh:
        return False
    if rules11.context_is_object(r.before):
        return True
    return rules11.asks_less(r.prompt) and not (r.rules >= 13 and rules13.UNFASTEN.search(r.prompt))


def _alone_14(r: Ruling) -> bool:
    """The fourteenth round's: an object opened to show its inside (a scallop), or a turn that
    drops the request before it ("ok no, just crop it") and does not carry it on."""
    if rules14.shows_inside(r.prompt, r.concepts):
        return True
    return rules14.drops(r.prompt, r.before) and not r.carries_on


ROUNDS = (
    Round(
        11,
        refuses=lambda r: rules11.refuses(r.prompt),
        allows=lambda r: rules11.allows(r.prompt, r.lexical, r.before),
        alone=_alone_11,
    ),
    Round(
        13,
        refuses=lambda r: rules13.refuses(r.prompt),
        allows=lambda r: rules13.allows(r.prompt),
        wide=True,
    ),
    Round(
        14,
        refuses=lambda r: rules14.refuses(r.prompt, r.concepts),
        allows=lambda r: rules14.allows(r.prompt, r.concepts),
        alone=_alone_14,
        again=True,
        lifts=lambda r: rules14.writes_about(r.prompt),
        lifted_as="writing",
    ),
    Round(
        15,
        refuses=lambda r: rules15.refuses(r.prompt, r.concepts, r.before),
        allows=lambda r: rules15.allows(r.prompt, r.concepts, r.before),
        lifts=lambda r: rules15.lifts(r.prompt, r.concepts),
        lifted_as="worried",
    ),
    Round(
        16,
        refuses=_refuses16,
        allows=lambda r: None if _refuses16(r) else rules16.allowed(r.prompt, r.concepts),
        alone=lambda r: rules16.after_object(r.prompt, r.before),
        vetoes=lambda r: _refuses16(r) is not None or rules16.spreads(r.prompt),
        drops=rules16.DROPS,
    ),
    Round(
        17,
        refuses=_refuses17,
        allows=lambda r: None if _refuses17(r) else rules17.allowed(r.prompt, r.concepts),
        alone=lambda r: rules17.alone(r.prompt, r.before, r.gone),
        vetoes=lambda r: _refuses17(r) is not None,
        drops=rules17.DROPS,
        on=14,
        mends=lambda r, found: rules17.mends(r.prompt, r.concepts, found),
    ),
    Round(
        18,
        refuses=_refuses18,
        allows=lambda r: None if _refuses18(r) else rules18.allowed(r.prompt, r.concepts, r.before),
        alone=lambda r: rules18.alone(r.prompt, r.before),
        vetoes=lambda r: _refuses18(r) is not None,
        drops=rules18.DROPS,
        on=17,
        mends=lambda r, found: rules18.mends(r.prompt, r.concepts, found),
    ),
    # rules 17 less the seventeenth round's classes its pre-registered rule dropped
    Round(19, drops=rules19.DROPS, on=17),
    # rules 17 and a request taken back after a refusal judged alone
    Round(
        20,
        alone=lambda r: r.clear and rules20.takes_back(r.prompt, r.before, r.concepts),
        again=True,
        on=17,
    ),
)
#: The classes that allow (the others refuse).
ALLOWS = (
    rules11.ALLOWS
    | rules14.ALLOWS
    | rules15.ALLOWS
    | rules16.ALLOWS
    | rules17.ALLOWS
    | rules18.ALLOWS
)


def applied(rules: int) -> tuple[Round, ...]:
    """The rounds ``TwoStageGuard(rules=rules)`` applies, in the table's order: the newest
    round up to ``rules``, then, from the newest down, each earlier round up to the one the
    last taken is stacked on (:attr:`Round.on`; every earlier one when it is ``None``)."""
    taken, limit = [], rules
    for each in reversed(ROUNDS):
        if each.number <= limit:
            taken.append(each)
            limit = each.number if each.on is None else each.on
    return tuple(reversed(taken))


def dropped(rounds: Sequence[Round]) -> frozenset[str]:
    """The classes that the rounds ``rounds`` drop (no longer applied)."""
    return frozenset().union(*(each.drops for each in rounds))


def refusal(rounds: Sequence[Round], ruling: Ruling) -> str | None:
    """The first refusal class of ``rounds`` (a wide round's last; not at all if lifted), a
    dropped class read as none."""
    gone = dropped(rounds)

    def kept(found: str | None) -> bool:
        if not found or found in gone:
            return False
        return not any((m := each.mends(ruling, found)) and m not in gone for each in rounds)

    for each in rounds:
        if not each.wide and kept(found := each.refuses(ruling)):
            return found
    for each in rounds:
        if each.wide and kept(found := each.refuses(ruling)):
            lifted = any(later.lifts(ruling) for later in rounds if later.lifted_as not in gone)
            return None if lifted else found
    return None


def allowance(rounds: Sequence[Round], ruling: Ruling) -> str | None:
    """The first allow class of ``rounds``, none where a round vetoes it; a dropped class read
    as none."""
    if any(each.vetoes(ruling) for each in rounds):
        return None
    gone = dropped(rounds)
    for each in rounds:
        if (found := each.allows(ruling)) and found not in gone:
            return found
    return None


def alone(rounds: Sequence[Round], ruling: Ruling) -> Round | None:
    """The round that judges the follow-up ``ruling`` alone, if any."""
    return next((each for each in rounds if each.alone(ruling)), None)


def round_of(ruled: str) -> str:
    """The ordinal of the round that wrote class ``ruled``."""
    for words, module in (
        ("eighteenth", rules18),
        ("seventeenth", rules17),
        ("sixteenth", rules16),
        ("fifteenth", rules15),
        ("fourteenth", rules14),
        ("thirteenth", rules13),
    ):
        if ruled in module.EXPLAINED:
            return words
    return "eleventh"
