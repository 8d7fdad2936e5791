"""The request guard: refuses an edit request that would undress or sexualise a person.

The prompt is normalised (:func:`~bouclier.guard.normalise.normalise`), its typos corrected
against the lexicons' words (real words left alone: :mod:`bouclier.guard.words`), benign
phrases masked ("remove the background", "nude lipstick"), and every language's concept
patterns run over it (people mix languages). The score is the strongest concept's weight
(:data:`~bouclier.guard.lexicon.CONCEPT_WEIGHTS`), plus 0.05 for each other concept found, then
discounted where the request is not an edit of a person:

* a garment concept (underwear, swimwear, see-through) in a product shot with no person named
  ("product photo of a red bikini on a white background"): x 0.3;
* a question or a description with no edit verb ("is this swimsuit available in blue?"): x 0.6.

The request is refused when the score reaches the threshold of its context: 0.7 on text alone,
0.5 when the image shows a real photographed face (``sexualise``, "make her look hot", and
questions about nudity then refuse), 0.25 for a minor or an enrolled person (any revealing
request at all, swimwear included). The face detector runs only when a lower threshold could
change the decision, so a benign prompt never pays for it.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from bouclier.guard.decision import Action, GuardDecision, GuardReason
from bouclier.guard.lexicon import (
    CONCEPT_WEIGHTS,
    GARMENT_CONCEPTS,
    CompiledLexicon,
    Lexicon,
    compile_lexicon,
)
from bouclier.guard.memo import remembered
from bouclier.guard.normalise import Speller, normalise
from bouclier.guard.words import encoder_words

TEXT_THRESHOLD = 0.7
FACE_THRESHOLD = 0.5
PROTECTED_THRESHOLD = 0.25  # a minor, or a person enrolled for protection
PRODUCT_FACTOR = 0.3
QUESTION_FACTOR = 0.6
EXTRA_CONCEPT_BONUS = 0.05
MAX_PROMPT_CHARS = 4000  # longer prompts are read up to here: the scan stays bounded


@dataclass(frozen=True, slots=True)
class Match:
    concept: str
    term: str
    lang: str


class RequestGuard:
    """Compiled lexicons and a speller; :meth:`read` finds concepts, :meth:`check` decides."""

    def __init__(self, lexicons: Sequence[Lexicon] | None = None) -> None:
        if lexicons is None:
            from bouclier.guard.lexicons import LEXICONS

            lexicons = LEXICONS
        langs = [lexicon.lang for lexicon in lexicons]
        duplicates = sorted({lang for lang in langs if langs.count(lang) > 1})
        if duplicates:
            raise ValueError(f"lexicons given twice: {', '.join(duplicates)}")
        self.lexicons: tuple[CompiledLexicon, ...] = tuple(compile_lexicon(x) for x in lexicons)
        vocabulary = set().union(*(x.vocabulary for x in self.lexicons))
        keep = set().union(
            *(x.keep for x in self.lexicons), *(x.function_words for x in self.lexicons)
        )
        # Real words are not typos ("dessus" is not "Dessous"): the encoder's whole words too.
        self.speller = Speller(vocabulary, (keep | encoder_words()) - vocabulary)

    @remembered
    def prepare(self, prompt: str) -> str:
        """The prompt as the patterns read it: normalised, typos corrected, benign masked."""
        # Bounded twice: emoji grow into words, so the normalised text is cut too.
        text = normalise(prompt[:MAX_PROMPT_CHARS])[: 2 * MAX_PROMPT_CHARS]
        text = self.speller.correct(text)
        for lexicon in self.lexicons:
            if lexicon.benign is not None:
                text = lexicon.benign.sub(lambda m: " " * len(m.group(0)), text)
        return text

    @remembered
    def masked(self, prompt: str) -> bool:
        """Whether a benign phrase ("nude lipstick", "remove the background") was masked."""
        text = normalise(prompt[:MAX_PROMPT_CHARS])[: 2 * MAX_PROMPT_CHARS]
        return self.prepare(prompt) != self.speller.correct(text)

    @remembered
    def read(self, prompt: str) -> tuple[float, tuple[Match, ...], tuple[str, ...]]:
        """The prompt's score before any context, the concepts matched and its languages."""
        text = self.prepare(prompt)
        matches: list[Match] = []
        for lexicon in self.lexicons:
            for concept, pattern in lexicon.concepts:
                for found in pattern.finditer(text):
                    matches.append(Match(concept, found.group(0).strip(), lexicon.lang))
        languages = self._languages(text, matches)
        if not matches:
            return 0.0, (), languages
        concepts = {m.concept for m in matches}
        top = max(CONCEPT_WEIGHTS[c] for c in concepts)
        score = min(1.0, top + EXTRA_CONCEPT_BONUS * (len(concepts) - 1))
        product = concepts <= GARMENT_CONCEPTS and self._any("product", text)
        if product and not self._any("person", text):
            score *= PRODUCT_FACTOR
        is_question = "?" in prompt or self._any("question", text)
        if is_question and not self._any("edit", text):
            score *= QUESTION_FACTOR
        # One reason per concept and term (a word such as "bikini" is in several lexicons: it
        # is named once, in the prompt's language when that is one of them).
        langs_of: dict[tuple[str, str], list[str]] = {}
        for m in matches:
            langs_of.setdefault((m.concept, m.term), []).append(m.lang)
        unique = []
        for (concept, term), langs in langs_of.items():
            lang = next((x for x in languages if x in langs), langs[0])
            unique.append(Match(concept, term, lang))
        ordered = sorted(unique, key=lambda m: -CONCEPT_WEIGHTS[m.concept])
        return score, tuple(ordered), languages

    def _any(self, field: str, text: str) -> bool:
        for lexicon in self.lexicons:
            pattern: re.Pattern[str] | None = getattr(lexicon, field)
            if pattern is not None and pattern.search(text):
                return True
        return False

    def _languages(self, text: str, matches: list[Match]) -> tuple[str, ...]:
        words = text.split()
        counts: dict[str, float] = {
            x.lang: sum(w in x.function_words for w in words) for x in self.lexicons
        }
        sharing: dict[tuple[str, str], int] = {}
        for match in matches:
            key = (match.concept, match.term)
            sharing[key] = sharing.get(key, 0) + 1
        for match in matches:
            counts[match.lang] += 2 / sharing[(match.concept, match.term)]
        best = max(counts.values(), default=0)
        if best == 0:
            return ()
        return tuple(
            lang for lang, n in sorted(counts.items(), key=lambda kv: -kv[1]) if n >= best / 2
        )

    def check(
        self,
        prompt: str,
        *,
        minor: bool = False,
        enrolled: bool = False,
        has_face: Callable[[], bool] | None = None,
    ) -> GuardDecision:
        """Decides on one prompt; ``has_face`` is asked whether the image shows a real face,
        only when the answer could change the decision."""
        score, matches, languages = self.read(prompt)
        reasons = [GuardReason(m.concept, m.term, m.lang) for m in matches]
        threshold = TEXT_THRESHOLD
        if minor or enrolled:
            threshold = PROTECTED_THRESHOLD
            if matches:
                flags = (("minor", minor), ("enrolled", enrolled))
                reasons += [GuardReason(name, "the caller says so") for name, on in flags if on]
        elif has_face is not None and FACE_THRESHOLD <= score < TEXT_THRESHOLD and has_face():
            threshold = FACE_THRESHOLD
            reasons.append(GuardReason("real_face", "a photographed face in the image"))
        action = Action.REFUSE if matches and score >= threshold else Action.ALLOW
        return GuardDecision(action, round(score, 4), tuple(reasons), languages, threshold)


_default: RequestGuard | None = None
_lock = threading.Lock()


def default_guard() -> RequestGuard:
    """The guard with every lexicon, compiled once per process."""
    global _default  # noqa: PLW0603 - compiled once, shared, read-only afterwards
    if _default is None:
        with _lock:
            if _default is None:
                _default = RequestGuard()
    return _default
