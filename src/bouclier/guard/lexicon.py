"""A language's lexicon of harmful edit requests, and its compilation into regular expressions.

A :class:`Lexicon` is data: for each concept (``undress``, ``underwear``, ``swimwear``,
``see_through``, ``sexual_pose``, ``expose_body_part``, ``sexualise``) the phrases that express it,
written as regular expressions over *normalised* text (:mod:`bouclier.guard.normalise`: lower
case ASCII letters, digits and single spaces), where ``<slot>`` stands for one of the lexicon's
shared word lists (``<clothes>``, ``<remove>``, ``<gap>``...). Beside the concepts it lists benign
phrases that are masked before matching ("nude lipstick", "transparent background"), the words
that make a request a product shot, a question or an edit, and the words of the language's
everyday grammar (to name the language of a prompt). Lexicons are compiled once, all languages
together: people mix languages in one prompt, so every prompt is read with every lexicon.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field

#: The concepts a request can express, with the weight of one match (0-1): how sure a match
#: alone makes us of harmful intent. ``sexualise`` ("make her look hot") is weak on its own: it is
#: refused only when the stakes are raised (a real face in the image, a minor, an enrolled person).
CONCEPT_WEIGHTS: dict[str, float] = {
    "undress": 0.9,
    "expose_body_part": 0.9,
    "sexual_pose": 0.85,
    "underwear": 0.8,
    "see_through": 0.8,
    "swimwear": 0.75,
    "sexualise": 0.55,
}
#: Concepts about garments: a product shot of them without a person is not an edit of anyone.
GARMENT_CONCEPTS = frozenset({"underwear", "swimwear", "see_through"})

#: Concepts whose words the speller corrects towards. Not ``sexualise``: its words ("tight",
#: "hot") are everyday words, one edit from many others ("light", "not").
SPELLED_CONCEPTS = frozenset(CONCEPT_WEIGHTS) - {"sexualise"}

_SLOT = re.compile(r"<([a-z_]+)>")
_WORD = re.compile(r"[a-z]{5,}")
_OPTIONAL = re.compile(r"[a-z]\?")


@dataclass(frozen=True)
class Lexicon:
    """One language's phrases; see the module docstring. Every field is regex sources."""

    lang: str
    concepts: Mapping[str, tuple[str, ...]]
    slots: Mapping[str, str] = field(default_factory=dict)
    benign: tuple[str, ...] = ()  # masked before matching: "nude lipstick", "naked eye"
    product: tuple[str, ...] = ()  # a product shot: "product photo", "no model"
    person: tuple[str, ...] = ()  # a person is meant: "her", "this woman"
    edit: tuple[str, ...] = ()  # an edit is asked: "make", "put", "change"
    question: tuple[str, ...] = ()  # a question or a description: "what", "describe"
    function_words: str = ""  # the grammar words that name the language, space-separated
    keep: frozenset[str] = frozenset()  # real words that spelling correction must leave alone

    def expand(self, source: str) -> str:
        """``source`` with every ``<slot>`` replaced by its alternatives (slots may nest)."""
        for _ in range(4):
            if _SLOT.search(source) is None:  # "(?<!sans )" is a lookbehind, not a slot
                return source
            source = _SLOT.sub(lambda m: f"(?:{self.slots[m.group(1)]})", source)
        raise ValueError(f"{self.lang}: slots nest too deep in {source!r}")


@dataclass(frozen=True)
class CompiledLexicon:
    lang: str
    concepts: tuple[tuple[str, re.Pattern[str]], ...]
    benign: re.Pattern[str] | None
    product: re.Pattern[str] | None
    person: re.Pattern[str] | None
    edit: re.Pattern[str] | None
    question: re.Pattern[str] | None
    function_words: frozenset[str]
    vocabulary: frozenset[str]  # the words (and stems) of its concepts, for spelling correction
    keep: frozenset[str]


def _words(source: str) -> list[str]:
    """The literal words of a pattern (an optional letter, ``s?``, dropped), for the speller."""
    return _WORD.findall(_OPTIONAL.sub("", _SLOT.sub(" ", source)))


def _alternation(sources: tuple[str, ...], lexicon: Lexicon) -> re.Pattern[str] | None:
    if not sources:
        return None
    body = "|".join(lexicon.expand(s) for s in sources)
    return re.compile(rf"(?<![a-z0-9])(?:{body})(?![a-z0-9])")


def compile_lexicon(lexicon: Lexicon) -> CompiledLexicon:
    """The lexicon's regular expressions, compiled; raises ValueError on an unknown concept,
    an unknown slot or a pattern that does not compile (with the language and the pattern)."""
    concepts = []
    vocabulary: set[str] = set()
    for concept, sources in lexicon.concepts.items():
        if concept not in CONCEPT_WEIGHTS:
            raise ValueError(f"{lexicon.lang}: unknown concept {concept!r}")
        try:
            pattern = _alternation(sources, lexicon)
        except (re.error, KeyError) as exc:
            raise ValueError(f"{lexicon.lang}/{concept}: bad pattern: {exc}") from exc
        if pattern is not None:
            concepts.append((concept, pattern))
        if concept in SPELLED_CONCEPTS:
            for source in sources:
                vocabulary.update(_words(source))
    for name in ("clothes", "part", "undress_verb"):
        if name in lexicon.slots:
            vocabulary.update(_words(lexicon.slots[name]))
    keep = set(lexicon.keep)
    for sources in (lexicon.benign, lexicon.product, lexicon.edit, lexicon.question):
        for source in sources:
            keep.update(_words(source))
    return CompiledLexicon(
        lang=lexicon.lang,
        concepts=tuple(concepts),
        benign=_alternation(lexicon.benign, lexicon),
        product=_alternation(lexicon.product, lexicon),
        person=_alternation(lexicon.person, lexicon),
        edit=_alternation(lexicon.edit, lexicon),
        question=_alternation(lexicon.question, lexicon),
        function_words=frozenset(lexicon.function_words.split()),
        vocabulary=frozenset(vocabulary),
        keep=frozenset(keep),
    )
