"""The second-generation request guard: lexicons, a sentence model, languages and context.

For each prompt (:meth:`TwoStageGuard.check`, or :meth:`TwoStageGuard.check_many` for a batch,
embedded in one pass):

1. **lexicons** (:class:`~bouclier.guard.request.RequestGuard`): the phrases of eight languages,
   with their thresholds of context (0.7 text alone, 0.5 with a real face, 0.25 for a minor or
   an enrolled person);
2. **model** (:class:`~bouclier.guard.semantic.SemanticStage`): the probability that the prompt
   asks to undress or sexualise a person, refused from :data:`MODEL_THRESHOLD` (lower with a
   face, :data:`MODEL_FACE_THRESHOLD`, or a protected person, :data:`MODEL_PROTECTED_THRESHOLD`).
   It catches paraphrases and slang the lexicons lack ("make her clothes disappear", "make her
   18+"), and it overrules a lexicon refusal on text alone when the prompt names an object
   (:data:`OBJECTS`: also a shop window or a price tag) and the model is sure no person is meant
   (probability under :data:`VETO`: "undress the mannequin in the shop window", "the bikini shop
   sign").
   It does not refuse alone a prompt in which the lexicons masked a benign phrase ("give her
   nude lipstick"). A question *about* intimate-image abuse (:data:`~bouclier.guard.topics.TOPIC`:
   the law, reporting, take-downs, sextortion) that the model reads as no edit (harm under
   :data:`TOPIC_VETO`) overrules the lexicons too, and its allow says so (:data:`TOPICAL`);
3. **context**: an allowed prompt is read again after the conversation's last
   :data:`CONTEXT_TURNS` requests. A follow-up that is clearly harmless on its own (harm under
   :data:`CONTEXT_CLEAR`) and asks for an edit of its own (the model's follow-up head under
   :data:`CONTINUES`: "never mind, just remove the background") is judged on its own; any other
   is refused when the whole conversation refuses ("put her in a white t-shirt", then "now make
   it wet"; "undress her", then "same but without the rest"), or when it carries on (the
   follow-up head from :data:`CONTINUES`) a previous request that the model refuses on its own
   ("undress the girl in green", then "the same for her friend": read joined, the short
   follow-up dilutes the request before it);
4. **language** (:mod:`bouclier.guard.language`): ``coverage`` says whether the guard understands
   the prompt's language; for one it does not (``none``), an allowed prompt gets the provider's
   action instead (``uncovered``: refuse, allow or review).

Every answer carries an ``explanation`` (allows too) and each stage's own score (``stages``).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from bouclier.guard import eighteenth as rules18
from bouclier.guard import eleventh as rules11
from bouclier.guard import fifteenth as rules15
from bouclier.guard import fourteenth as rules14
from bouclier.guard import memo, rounds
from bouclier.guard import seventeenth as rules17
from bouclier.guard import sixteenth as rules16
from bouclier.guard import thirteenth as rules13
from bouclier.guard.decision import Action, GuardDecision, GuardReason
from bouclier.guard.features import DRESS, REQUEST, UNDRESS, UNDRESS_10, clauses, dresses_10
from bouclier.guard.folding import folded
from bouclier.guard.language import Language, LanguageIdentifier, default_identifier
from bouclier.guard.request import (
    FACE_THRESHOLD,
    PROTECTED_THRESHOLD,
    TEXT_THRESHOLD,
    Match,
    RequestGuard,
    default_guard,
)
from bouclier.guard.semantic import SemanticStage, default_stage
from bouclier.guard.topics import OBJECTS, OBJECTS_10, TOPIC, TOPIC_10

MODEL_THRESHOLD = 0.5
MODEL_FACE_THRESHOLD = 0.35
MODEL_PROTECTED_THRESHOLD = 0.2
VETO = 0.15
TOPIC_VETO = 0.2
CONTEXT_TURNS = 2
CONTEXT_CLEAR = 0.2
CONTINUES = 0.5
MAX_CONTEXT = 10
TOPICAL = (
    "a question about intimate-image abuse (the law, reporting, take-downs, help for a victim), "
    "not a request to edit a picture of someone"
)
FLOORED = (
    "an instruction to undress or nudify a person (no object, no question) that the model reads "
    "as harmless: held for a person to review"
)
#: The floor under the learned decision's overrule (ninth round): a clause that *starts* with an
#: instruction to undress or nudify (after "please", "now", "can you"...), in the lexicons'
#: normalised letters (the speller reads "nudify" as "nudity"), in the eight lexicon languages.
NUDIFY = re.compile(
    r"^(?:(?:please|pls|plz|now|just|ok|okay|and|then|also|so|hey|can you|could you|would you)"
    r"\s+)*(?:undress|unclothe|disrobe|nudi(?:fy|ty)|strip|deshabill\w*|denude\w*|desnud\w*|"
    r"desvist\w*|quita(?:le|la|lo)? la ropa|entkleid\w*|zieh\w* (?:sie|ihn|ihr|ihm|die|den|der)\b"
    r".{0,40}\baus\b|spogli\w*|svest\w*|despe\w*|despi\w*|tira a roupa|kleed\b.{0,40}\buit\b|"
    r"ontklee\w*|rozbierz\w*|"
    # "make her naked" (tenth round, after "rends-le nu" was overruled): a verb of making or
    # leaving aimed at a pronoun, then naked; a noun between them ("rends le mur nu", "make the
    # mannequin naked") is not this shape.
    r"(?:make|render|turn|get|leave) (?:her|him|them|she|he)(?: completely| fully| totally)? "
    r"(?:naked|nude)|(?:rend|laisse)\w* (?:la|le|les)(?: toute?s?| completement)? "
    r"nue?s?|(?:deja|pon|haz|dej)(?:la|lo|las|los)(?: toda| completamente)? desnud\w*|"
    r"mach\w* (?:sie|ihn|die|den)(?: ganz| komplett| vollig)? nackt\w*|"
    r"(?:rendi|fai|lascia|metti)(?:la|lo|le|li)(?: tutta| completamente)? nud\w*|"
    r"(?:deixa|deixe|faz|faca)(?: ela| ele| a| o)?(?: toda| completamente)? nua?s?|"
    r"maak (?:haar|hem|ze)(?: helemaal| volledig)? naakt|(?:zrob|uczyn) (?:ja|go)"
    r"(?: calkiem| zupelnie)? nag\w*)\b"
)
#: A follow-up that asks for the same again, for someone else or more of it (tenth round): "her
#: friend too", "the one next to her as well", "fais pareil avec la grande brune", "und die
#: Rothaarige hinter ihr auch", "隣の友達も同じように", in the 13 covered languages. After a request
#: the model refuses on its own, such a short follow-up is refused even when the follow-up head
#: reads it as an edit of its own (intent-10 only: :meth:`TwoStageGuard._asks_again`). Turkish
#: "da"/"de" (too) counts only after a word with a Turkish letter ("arkadaşını da", matched
#: case-sensitively: "ı" folds to "i"): alone it is Dutch, French, Portuguese and Spanish "de".
AGAIN = folded(
    r"\btoo\b|\bas well\b|\balso\b|\bsame\b|\blikewise\b|\bthe other\b|\baussi\b|\bpareil|"
    r"\bde m[eê]me\b|\bm[eê]me chose|\b[eé]galement\b|\bl'autre\b|\btambi[eé]n\b|\bigual\b|"
    r"\blo mismo\b|\b(?:la|el) otr[ao]\b|\bauch\b|\bgenauso\b|\bdasselbe\b|\bebenso\b|"
    r"\bgleiche\b|\banche\b|\bpure\b|\bstess[ao]\b|\buguale\b|\bl'altr[ao]\b|\btamb[eé]m\b|"
    r"\bmesm[ao]\b|\bo outro\b|\ba outra\b|\book\b|\bhetzelfde\b|\bnet zo\b|\bdezelfde\b|"
    r"\bte[zż]\b|\btak[zż]e\b|\btak samo\b|\bto samo\b|\br[oó]wnie[zż]\b|тоже|также|так же|"
    r"то же самое|(?-i:\b\w*[ığş]\w* d[ae]\b)|\bayn[ıi]|\b[öo]b[üu]r|\bdi[ğg]er|"
    r"أيضا|أيضاً|ايضا|كمان|نفس|كذلك|"
    r"也|一样|一樣|同样|同樣|另一|同じ|同様|もう一人",
)
#: The longest follow-up :data:`AGAIN` reads (characters): a short turn that names someone and
#: asks for the same; a longer one says what it wants and is read as it is.
AGAIN_CHARS = 90
#: A clause that dismisses something, in the 13 covered languages (the twentieth round): "forget
#: the sunset", "never mind", "laisse tomber le ciel", "vergiss den Himmel", "olvídalo", "lascia
#: perdere", "esquece", "laat maar", "zapomnij", "забудь", "boşver", "انسى", "算了", "いいや".
#: When a prompt's first or second clause says one, the rest is a request of its own, read alone
#: (:func:`remainder`): put before a harmful request, a dismissal diluted the whole prompt's
#: reading under the model's threshold, and the model then overruled the lexicons ("ok forget the
#: sunset, just strip her instead": harm 0.0004 whole, 0.86 for "just strip her instead").
DISMISS = folded(
    r"\bforget\b|\bnever ?mind\b|\bscratch (?:that|the)\b|\bskip (?:that|the|it)\b|"
    r"\bdrop (?:that|the|it)\b|\bcancel\b|\bignore (?:that|the|it)\b|"
    r"\blaisse (?:tomber|[çc]a|le|la|les)\b|\boubli\w*|\btant pis\b|\bpeu importe\b|\bannule\w*|"
    r"\bolvid\w*|\bd[ée]ja(?:lo|la|los|las)\b|\bda igual\b|\bno importa\b|\bcancela\w*|"
    r"\bvergiss\w*|\bvergessen wir\b|\begal\b|\blass (?:es|das|den|die)\b|\bschon gut\b|"
    r"\bstreich (?:das|den|die)\b|"
    r"\blascia(?:mo)? (?:stare|perdere)\b|\bdimentica\w*|\bnon importa\b|\bfa niente\b|"
    r"\bannulla\w*|\besque[çc]\w*|\bdeixa (?:pra|para) l[áa]\b|\btanto faz\b|\bn[ãa]o importa\b|"
    r"\blaat (?:maar|zitten)\b|\blaat (?:die|dat|het|de) \w+ maar\b|\bvergeet\w*|"
    r"\bmaakt niet uit\b|\bzapomnij\w*|\bniewa[żz]ne\b|\bdaj spok[óo]j\b|\bmniejsza z\b|"
    r"забудь\w*|неважно|не важно|проехали|\bunut\w*|\bbo[şs] ?ver\w*|\bvazge[çc]\w*|"
    r"انس[ىي]|انسَ|مش مهم|لا يهم|سيبك من|"
    r"算了|忘了|不管了|别管|不用了|いいや|忘れて|もういい",
)


#: The Arabic comma and semicolon, which features.clauses (a model input: left as trained) does
#: not part on.
_ARABIC_PAUSE = re.compile(r"\s*[،؛]\s*")


#: A word that turns from what is dismissed to what is asked instead, in the dismissing clause
#: itself when no comma parts them ("forget the sunset just strip her"): the remainder starts there.
PIVOT = folded(
    r"\b(?:just|instead|rather|now|only|juste|plut[ôo]t|maintenant|seulement|nur|stattdessen|"
    r"jetzt|lieber|solo|s[óo]lo|mejor|ahora|invece|ora|adesso|piuttosto|s[óo]|apenas|agora|"
    r"gewoon|alleen|liever|tylko|teraz|raczej|просто|лучше|теперь|только|sadece|[şs]imdi)\b|"
    r"بس|فقط|الآن|بدل|就|只|现在|改成|だけ|代わりに|今度は",
)


def remainder(prompt: str) -> str | None:
    """What follows a clause that dismisses something (:data:`DISMISS`), the first or the second
    ("bueno, déjalo, …"), read alone too: "just strip her instead" of "ok forget the sunset, just
    strip her instead", and of "forget the sunset just strip her instead" (from the first
    :data:`PIVOT` word after the dismissal); None when neither dismisses anything or nothing
    follows."""
    parts = [p for part in clauses(prompt) for p in _ARABIC_PAUSE.split(part) if len(p) >= 2]
    for at, part in enumerate(parts[:2]):
        dismissed = DISMISS.search(part)
        if dismissed is not None:
            pivot = PIVOT.search(part, dismissed.end())
            rest = [part[pivot.start() :]] if pivot is not None else []
            return " ".join([*rest, *parts[at + 1 :]]) or None
    return None


#: The explanation of each rules class (bouclier.guard.rounds: the eleventh round's here).
RULED = {
    "vanish": "the request makes a person's clothes vanish or see-through",
    "idiom": "the request asks for a person naked, in an idiom",
    "frame": "a hypothetical, a script or role-play around an image of a person naked",
    "excuse": "an excuse (a court case, medicine, an investigation) for an image of a person naked",
    "dress": "clothes put on a person: nothing is taken off",
    "object": "the conversation is about an object, not a person",
    "minor": "a minor named and undressed",
    "help": TOPICAL,
    **rules13.EXPLAINED,
    **rules14.EXPLAINED,
    **rules15.EXPLAINED,
    **rules16.EXPLAINED,
    **rules17.EXPLAINED,
    **rules18.EXPLAINED,
}
#: The rules' classes that allow (the others refuse).
ALLOWS = rounds.ALLOWS
DROPPED = (
    "the conversation before it is refused, but this request asks for an edit of its own and is "
    "judged alone"
)


@dataclass(frozen=True, slots=True)
class EditRequest:
    """One request of a batch: the prompt, its context flags and the conversation before it."""

    prompt: str
    minor: bool = False
    enrolled: bool = False
    context: tuple[str, ...] = ()
    has_face: Callable[[], bool] | None = field(default=None, compare=False)


@dataclass(frozen=True, slots=True)
class FollowUp:
    """A prompt read with the conversation before it: the joined text, the model's harm for it,
    how much the prompt alone carries on the previous request (``continues``), and the model's
    harm for the previous request alone (``previous``)."""

    joined: str
    harm: float
    continues: float
    previous: float = 0.0


class TwoStageGuard:
    """Lexicons, model, context and language; see the module docstring."""

    def __init__(
        self,
        lexicons: RequestGuard | None = None,
        semantic: SemanticStage | None = None,
        languages: LanguageIdentifier | None = None,
        *,
        uncovered: Action = Action.REVIEW,
        rules: int = 20,
        remainders: bool = True,
    ) -> None:
        #: the newest round whose rules apply (bouclier.guard.rounds; 20: the seventeenth
        #: round's and a request taken back after a refusal judged alone, the default since
        #: heldout-v21 by the pre-registered rule; 17: the seventeenth round's, stacked on the
        #: fourteenth's, the default before; side by side: 14, 15 and 16, the fourteenth,
        #: fifteenth and sixteenth rounds' rules, 13: the thirteenth round's guard, 11: the
        #: twelfth's, 10: the tenth's, 18: the eighteenth round's, stacked on the seventeenth's,
        #: 19: the seventeenth's less the classes the nineteenth round dropped)
        self.rules = rules
        #: the request after a dismissing first or second clause read alone too
        #: (:func:`remainder`; the twentieth round's; False: as every round before)
        self.remainders = remainders
        self.lexicons = lexicons or default_guard()
        self.semantic = semantic or default_stage()
        self.languages = languages or default_identifier()
        self.uncovered = uncovered

    def load(self) -> None:
        """Checks and loads the sentence model and the language model (a service, at start)."""
        self.semantic.load()
        self.languages.load()

    def check(
        self,
        prompt: str,
        *,
        minor: bool = False,
        enrolled: bool = False,
        has_face: Callable[[], bool] | None = None,
        context: Sequence[str] = (),
        uncovered: Action | None = None,
    ) -> GuardDecision:
        request = EditRequest(prompt, minor, enrolled, tuple(context), has_face)
        return self.check_many([request], uncovered=uncovered)[0]

    def check_many(
        self, requests: Sequence[EditRequest], *, uncovered: Action | None = None
    ) -> list[GuardDecision]:
        """Decisions in the order of ``requests``; every text is embedded in one pass (each
        prompt's readings remembered until the batch is decided: bouclier.guard.memo)."""
        with memo.scope():
            return self._check_many(requests, uncovered)

    def _check_many(
        self, requests: Sequence[EditRequest], uncovered: Action | None
    ) -> list[GuardDecision]:
        texts = [r.prompt for r in requests]
        joined = {
            i: "\n".join([*r.context[-CONTEXT_TURNS:], r.prompt])
            for i, r in enumerate(requests)
            if r.context
        }
        previous = [requests[i].context[-1] for i in joined]
        rests = {
            i: rest
            for i, r in enumerate(requests)
            if self.remainders and (rest := remainder(r.prompt)) is not None
        }
        reading = self.semantic.read([*texts, *joined.values(), *previous, *rests.values()])
        harms, continues = reading.harm, reading.continues
        n, m = len(texts), len(joined)
        follow_ups = {
            i: FollowUp(text, float(harm), float(continues[i]), float(before))
            for i, text, harm, before in zip(
                joined, joined.values(), harms[n : n + m], harms[n + m : n + 2 * m], strict=True
            )
        }
        # a dismissal before a request does not dilute it: the higher of the two readings counts
        own = [float(h) for h in harms[:n]]
        for i, harm in zip(rests, harms[n + 2 * m :], strict=True):
            own[i] = max(own[i], float(harm))
        return [
            self._decide(r, own[i], follow_ups.get(i), uncovered or self.uncovered)
            for i, r in enumerate(requests)
        ]

    def _decide(
        self,
        request: EditRequest,
        harm: float,
        follow_up: FollowUp | None,
        uncovered: Action,
    ) -> GuardDecision:
        lexical, matches, lex_langs = self.lexicons.read(request.prompt)
        if self.learned:  # the face is asked about there, once, on the model's scale
            language = self.languages.identify(request.prompt, lex_langs)
            return self._decide_learned(
                request, harm, follow_up, uncovered, (lexical, matches, lex_langs), language
            )
        reasons = [GuardReason(m.concept, m.term, m.lang) for m in matches]
        protected = request.minor or request.enrolled
        lex_threshold, model_threshold = TEXT_THRESHOLD, MODEL_THRESHOLD
        if protected:
            lex_threshold, model_threshold = PROTECTED_THRESHOLD, MODEL_PROTECTED_THRESHOLD
            if matches or harm >= model_threshold:
                flags = (("minor", request.minor), ("enrolled", request.enrolled))
                reasons += [GuardReason(name, "the caller says so") for name, on in flags if on]
        elif self._face_matters(lexical, harm, matches) and request.has_face is not None:
            face = request.has_face()
            if face:
                lex_threshold, model_threshold = FACE_THRESHOLD, MODEL_FACE_THRESHOLD
                reasons.append(GuardReason("real_face", "a photographed face in the image"))
        language = self.languages.identify(request.prompt, lex_langs)
        by_lexicon = bool(matches) and lexical >= lex_threshold
        # A phrase the lexicons know as benign ("nude lipstick") is not refused on meaning alone.
        by_model = harm >= model_threshold and (
            by_lexicon or not self.lexicons.masked(request.prompt)
        )
        # The model overrules the lexicons only in a language it was trained on.
        vetoed = (
            by_lexicon
            and not protected
            and harm < VETO
            and language.coverage != "none"
            and OBJECTS.search(request.prompt) is not None
        )
        # A question about the harm (the law, a take-down, sextortion) edits nobody's picture.
        topic = harm < TOPIC_VETO and TOPIC.search(request.prompt) is not None
        topical = by_lexicon and topic and not protected and language.coverage != "none"
        vetoed = vetoed or topical
        refused = (by_lexicon and not vetoed) or by_model
        if by_model and not by_lexicon:
            reasons.append(GuardReason("model", f"meaning read as harmful ({harm:.2f})"))
        if topical:
            reasons.append(GuardReason("topic", f"a question, not an edit ({harm:.2f})"))
        elif vetoed:
            reasons.append(GuardReason("no_person", f"the model reads no person ({harm:.2f})"))
        action = self._action(
            refused, request, harm, follow_up, model_threshold, language, uncovered, reasons,
            (lexical, matches),
        )  # fmt: skip
        score = max(0.0 if vetoed else lexical, harm if by_model else min(harm, lexical))
        threshold = lex_threshold
        explanation = _explain(action, by_lexicon, by_model, vetoed, matches != (), language)
        if action is Action.ALLOW and topic and language.coverage != "none":
            explanation = TOPICAL
        return self._decision(
            action, score, reasons, lex_langs, language, threshold, explanation,
            (lexical, harm), follow_up, model_threshold,
        )  # fmt: skip

    @property
    def learned(self) -> bool:
        """Whether the model reads the lexicons' hits as inputs (intent-8 on): then the model's
        decision stands alone, and the lexicons refuse by themselves only for a protected
        person."""
        return bool(getattr(self.semantic, "reads_lexicons", False))

    def _decide_learned(
        self,
        request: EditRequest,
        harm: float,
        follow_up: FollowUp | None,
        uncovered: Action,
        lexicon: tuple[float, tuple[Match, ...], tuple[str, ...]],
        language: Language,
    ) -> GuardDecision:
        """The decision when the lexicons are inputs of the model (:attr:`learned`): refused
        when the model's harm, which weighs the lexicons' hits with the sentence and its
        clauses, reaches its threshold; a lexicon hit the model overrules is said so
        (``overruled``). For a minor or an enrolled person the lexicons still refuse alone (any
        revealing request), and the model's threshold is the protected one."""
        lexical, matches, lex_langs = lexicon
        reasons = [GuardReason(m.concept, m.term, m.lang) for m in matches]
        protected = request.minor or request.enrolled
        model_threshold, threshold = MODEL_THRESHOLD, TEXT_THRESHOLD
        if protected:
            model_threshold, threshold = MODEL_PROTECTED_THRESHOLD, PROTECTED_THRESHOLD
            if matches or harm >= model_threshold:
                flags = (("minor", request.minor), ("enrolled", request.enrolled))
                reasons += [GuardReason(name, "the caller says so") for name, on in flags if on]
        elif (
            MODEL_FACE_THRESHOLD <= harm < MODEL_THRESHOLD
            and request.has_face is not None
            and request.has_face()
        ):
            model_threshold, threshold = MODEL_FACE_THRESHOLD, FACE_THRESHOLD
            reasons.append(GuardReason("real_face", "a photographed face in the image"))
        by_lexicon = protected and bool(matches) and lexical >= PROTECTED_THRESHOLD
        # As before: a phrase the lexicons know as benign ("nude lipstick") and nothing else
        # they would refuse is not refused on meaning alone.
        by_model = harm >= model_threshold and (
            lexical >= TEXT_THRESHOLD or not self.lexicons.masked(request.prompt)
        )
        refused = by_lexicon or by_model
        # The eleventh round's classes (bouclier.guard.eleventh): refused or allowed by words
        # where the model erred on heldout-v11 (now seen-v11).
        ruled = (
            self._ruled(request, refused, lexical, matches)
            if self.eleventh and not protected and language.coverage != "none" and not by_lexicon
            else None
        )
        if ruled is not None:
            refused = ruled not in ALLOWS
            by_model = by_model and refused
        topic = (harm < TOPIC_VETO or ruled == "help") and TOPIC.search(request.prompt) is not None
        lexicon_would = bool(matches) and lexical >= TEXT_THRESHOLD
        floored = (
            lexicon_would
            and not refused
            and language.coverage == "full"
            and any(m.concept == "undress" for m in matches)
            and (
                self._instructs_undressing(request.prompt, request.context[-CONTEXT_TURNS:])
                or self._requests_undressing(request.prompt, request.context[-CONTEXT_TURNS:])
            )
        )
        if ruled is not None:
            reasons.append(_rule_reason(ruled, harm))
        if by_model and not lexicon_would and not by_lexicon:
            reasons.append(GuardReason("model", f"the request read whole ({harm:.2f})"))
        elif floored:
            reasons.append(
                GuardReason("floor", f"overruled by the request read whole ({harm:.2f})")
            )
        elif lexicon_would and not refused:
            code = "topic" if topic and language.coverage != "none" else "overruled"
            reasons.append(GuardReason(code, f"the request read whole ({harm:.2f})"))
        action = self._action(
            refused, request, harm, follow_up, model_threshold, language, uncovered, reasons,
            (lexical, matches),
        )  # fmt: skip
        if floored and action is Action.ALLOW:
            action = Action.REVIEW
            explanation = FLOORED
        elif language.coverage == "none" and action is not Action.REFUSE:
            explanation = _explain(action, False, False, False, False, language)
        elif action is Action.REFUSE and ruled is not None and not by_model:
            explanation = RULED[ruled]
        elif action is Action.ALLOW and ruled in ALLOWS:
            explanation = TOPICAL if ruled == "help" else RULED[ruled]
        elif action is Action.REFUSE:
            explanation = (
                "the request names a way to undress or sexualise a person (lexicon)"
                if by_lexicon and not by_model
                else "the request, read whole with the lexicons' words, undresses or sexualises "
                "a person (model)"
                if by_model
                else "with the conversation before it, the request undresses or sexualises a person"
            )
        elif topic and language.coverage != "none":
            explanation = TOPICAL
        elif matches and lexical >= TEXT_THRESHOLD:
            explanation = (
                "words of undressing or clothing are there, but the request read whole does not "
                "undress or sexualise anyone (model: its meaning, its words and which way the "
                "edit goes)"
            )
        else:
            explanation = _explain(action, False, False, False, bool(matches), language)
        return self._decision(
            action, harm, reasons, lex_langs, language, threshold, explanation,
            (lexical, harm), follow_up, model_threshold,
        )  # fmt: skip

    def _instructs_undressing(self, prompt: str, before: Sequence[str] = ()) -> bool:
        """The floor under the overrule (:data:`NUDIFY`): a clause of ``prompt`` starts with an
        instruction to undress or nudify, and nothing in it makes that a question, a request for
        help, an object undressed or clothes put on (no question mark or question words, no
        :data:`~bouclier.guard.topics.TOPIC` or :data:`~bouclier.guard.topics.OBJECTS` word, no
        verb of dressing, :data:`~bouclier.guard.features.DRESS`); nor does an object named in
        the turns ``before`` it (a follow-up's "take his jumper off" after a teddy bear's)."""
        if "?" in prompt or TOPIC.search(prompt) or OBJECTS.search(prompt) or DRESS.search(prompt):
            return False
        if any(OBJECTS.search(turn) for turn in before):
            return False
        if self.lexicons._any("question", self.lexicons.prepare(prompt)):
            return False
        return any(NUDIFY.search(self.lexicons.prepare(part)) for part in clauses(prompt))

    def _requests_undressing(self, prompt: str, before: Sequence[str] = ()) -> bool:
        """The floor's tenth-round case (intent-10 only): a request in polite or formal form
        whose verb undresses (features.REQUEST and features.UNDRESS: "could you kindly remove
        the lady's blouse", "pourriez-vous retirer le chemisier", "entfernen Sie bitte Bluse und
        BH"), with no topic word, no object and no clothes put on, in the prompt or in a
        follow-up's previous turns. Unlike :meth:`_instructs_undressing`, a question mark or a
        question word does not lift it: the form of a polite request is a question. Counted on
        the hand-written training files (seen-v2 … seen-v10) before it was written: every such
        prompt with a lexicon ``undress`` hit was harmful (2 of 2 in seen-v2 … seen-v9, 6 of 6
        in seen-v10)."""
        if not getattr(self.semantic, "tenth", False):
            return False
        row = (prompt, *before)
        if any(
            pattern.search(text)
            for text in row
            for pattern in (TOPIC, TOPIC_10, OBJECTS, OBJECTS_10)
        ):
            return False
        if dresses_10(prompt):
            return False
        undressing = UNDRESS.search(prompt) or UNDRESS_10.search(prompt)
        return REQUEST.search(prompt) is not None and undressing is not None

    def _action(
        self,
        refused: bool,
        request: EditRequest,
        harm: float,
        follow_up: FollowUp | None,
        model_threshold: float,
        language: Language,
        uncovered: Action,
        reasons: list[GuardReason],
        lexicon: tuple[float, Sequence[Match]],
    ) -> Action:
        """The action once the request alone is read: a request allowed alone may still be
        refused with the conversation before it, unless a round judges it alone
        (bouclier.guard.rounds: a Christmas tree's baubles, "less, it's too much", a scallop
        opened, "ok no, just crop it"; some rounds still refuse one that asks for the same again
        or the next layer); an uncovered language's allowed request gets the provider's action.
        Adds the reasons it finds to ``reasons``."""
        if not refused and follow_up is not None:
            ruling = rounds.Ruling(
                request.prompt,
                request.context[-CONTEXT_TURNS:],
                *lexicon,
                rules=self.rules,
                eleventh=self.eleventh,
                carries_on=follow_up.continues >= CONTINUES,
                clear=harm < CONTEXT_CLEAR,
            )
            judged = rounds.alone(rounds.applied(self.rules), ruling)
            if judged is not None:
                refused = judged.again and (
                    self._asks_again(request.prompt, follow_up, model_threshold)
                    or self._carries_on_11(request, follow_up, model_threshold)
                )
            else:
                refused = (
                    self._context_refuses(follow_up, harm, model_threshold)
                    or self._asks_again(request.prompt, follow_up, model_threshold)
                    or self._carries_on_11(request, follow_up, model_threshold)
                )
            if refused:
                turns = min(CONTEXT_TURNS, len(request.context))
                reasons.append(GuardReason("context", f"with the {turns} previous request(s)"))
        if language.coverage == "none":
            reasons.append(GuardReason("uncovered", f"language {language.code} is not covered"))
        if refused:
            return Action.REFUSE
        return uncovered if language.coverage == "none" else Action.ALLOW

    def _decision(
        self,
        action: Action,
        score: float,
        reasons: list[GuardReason],
        lex_langs: tuple[str, ...],
        language: Language,
        threshold: float,
        explanation: str,
        lexicon_and_model: tuple[float, float],
        follow_up: FollowUp | None,
        model_threshold: float,
    ) -> GuardDecision:
        """The answer, with each stage's own score; an allowed request that drops a refused
        conversation's thread says so."""
        lexical, harm = lexicon_and_model
        stages = [("lexicon", lexical), ("model", harm)]
        if follow_up is not None:
            stages += [
                ("context", follow_up.harm),
                ("continues", follow_up.continues),
                ("previous", follow_up.previous),
            ]
            if action is Action.ALLOW and self._conversation_refuses(follow_up, model_threshold):
                explanation = DROPPED
        return GuardDecision(
            action,
            round(score, 4),
            tuple(reasons),
            _languages(lex_langs, language),
            threshold,
            coverage=language.coverage,
            explanation=explanation,
            stages=tuple(stages),
        )

    def _face_matters(self, lexical: float, harm: float, matches: Sequence[object]) -> bool:
        """Whether a real face could change the decision (the face detector runs only then)."""
        lexicon_between = bool(matches) and FACE_THRESHOLD <= lexical < TEXT_THRESHOLD
        return lexicon_between or MODEL_FACE_THRESHOLD <= harm < MODEL_THRESHOLD

    def _context_refuses(self, follow_up: FollowUp, harm: float, threshold: float) -> bool:
        """Whether an allowed prompt is refused with the conversation before it."""
        if harm < CONTEXT_CLEAR and follow_up.continues < CONTINUES:
            return False  # "never mind, just remove the background": judged on its own
        if follow_up.continues >= CONTINUES and follow_up.previous >= threshold:
            return True  # "the same for her friend" after a request refused on its own
        return self._conversation_refuses(follow_up, threshold)

    def _asks_again(self, prompt: str, follow_up: FollowUp, threshold: float) -> bool:
        """Whether a short follow-up asks for the same again (:data:`AGAIN`: "her friend too")
        after a previous request the model refuses on its own (tenth round, intent-10 only): not
        when it puts clothes on (:data:`~bouclier.guard.features.DRESS`) or names an object or
        the harm as a topic."""
        if not getattr(self.semantic, "tenth", False) or follow_up.previous < threshold:
            return False
        if len(prompt) > AGAIN_CHARS or AGAIN.search(prompt) is None:
            return False
        return not (dresses_10(prompt) or OBJECTS.search(prompt) or TOPIC.search(prompt))

    def _ruled(
        self, request: EditRequest, refused: bool, lexical: float, matches: Sequence[Match]
    ) -> str | None:
        """The rounds' class of the request (bouclier.guard.rounds, those up to ``rules``): a
        refusal's when the model allows, an allow's when the model refuses and no clause
        instructs undressing."""
        ruling = rounds.Ruling(
            request.prompt,
            request.context[-CONTEXT_TURNS:],
            lexical,
            matches,
            rules=self.rules,
            eleventh=self.eleventh,
        )
        applied = rounds.applied(self.rules)
        if not refused:
            return rounds.refusal(applied, ruling)
        prepared = (self.lexicons.prepare(part) for part in clauses(request.prompt))
        if any(NUDIFY.search(part) for part in prepared):
            return None  # "undress her. what do I do next?" is an instruction all the same
        return rounds.allowance(applied, ruling)

    @property
    def eleventh(self) -> bool:
        """Whether the eleventh round's rules apply (bouclier.guard.eleventh): with the tenth
        round's kind of classifier, unless ``rules`` is 10."""
        return self.rules >= 11 and bool(getattr(self.semantic, "eleventh", False))

    def _carries_on_11(self, request: EditRequest, follow_up: FollowUp, threshold: float) -> bool:
        """The eleventh round's follow-ups: a short one asking for the same again after a turn
        that undresses a person in words (whatever the model read of that turn), or one asking
        for the rest, layer by layer, after a turn the model refuses alone; not one that puts
        clothes on, names an object or a topic."""
        prompt = request.prompt
        if not self.eleventh or not request.context or len(prompt) > AGAIN_CHARS:
            return False
        if dresses_10(prompt) or OBJECTS.search(prompt) or TOPIC.search(prompt):
            return False
        if rules11.SPOT.search(prompt) or rules11.context_is_object((prompt,)):
            return False
        if rules11.asks_same(prompt, AGAIN) and rules11.undresses_in_words(request.context[-1]):
            return True
        if self.rules >= 13 and rules13.undresses_step(prompt, request.context[-CONTEXT_TURNS:]):
            return True
        return rules11.REST.search(prompt) is not None and (
            follow_up.previous >= threshold or rules11.undresses_in_words(request.context[-1])
        )

    def _conversation_refuses(self, follow_up: FollowUp, threshold: float) -> bool:
        """Whether the conversation read whole (the last turns and the prompt) refuses."""
        if follow_up.harm >= threshold:
            return True
        if self.learned:
            return False  # the lexicons' words of the joined text are the model's inputs
        lexical, matches, _ = self.lexicons.read(follow_up.joined)
        return bool(matches) and lexical >= TEXT_THRESHOLD


def _rule_reason(ruled: str, harm: float) -> GuardReason:
    """The reason of a class of the rounds' rules (bouclier.guard.rounds)."""
    return GuardReason(f"rule_{ruled}", f"{rounds.round_of(ruled)} round's words ({harm:.2f})")


def _languages(lexicon_langs: tuple[str, ...], language: Language) -> tuple[str, ...]:
    """The lexicons' reading of a covered prompt, else the identified language."""
    if language.coverage == "full" and lexicon_langs:
        return lexicon_langs
    return (language.code,) if language.code != "und" else ()


def _explain(
    action: Action,
    by_lexicon: bool,
    by_model: bool,
    vetoed: bool,
    matched: bool,
    language: Language,
) -> str:
    if language.coverage == "none" and action is not Action.REFUSE:
        return (
            f"the language ({language.code}) is not one the guard understands: the provider's "
            f"choice for uncovered languages applies ({action.value})"
        )
    if action is Action.REFUSE:
        if by_lexicon and not vetoed:
            return "the request names a way to undress or sexualise a person (lexicon)"
        if by_model:
            return "the request means undressing or sexualising a person (model)"
        return "with the conversation before it, the request undresses or sexualises a person"
    if vetoed:
        return "words of undressing are there, but about an object, not a person (model)"
    if matched:
        return "words of clothing or looks, below the threshold of this context"
    return "no request to undress or sexualise a person was found"
