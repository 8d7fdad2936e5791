"""The twenty-first round's candidate (issue 13): a lexicon refusal in a list of edits is not
overruled.

41 of heldout-v21's 57 misses were messages of several edits with an undressing among plain ones
("crop to 4:5, take out the trash can behind, remove her jeans and shirt, and fix the red eye"):
the lexicons read the undressing at 0.8–0.95, the model read the whole message, diluted by the
plain edits, at 0.001–0.15 and overruled them. The floor under the overrule (stages.NUDIFY) knows
undressing verbs ("undress", "strip"), not a garment taken off ("remove her jeans", "quítale el
top", "Kleid entfernen"). :func:`lists_undressing` is the class ``listed``: read when the model
allows (``TwoStageGuard(listed=True)``), pre-registered before its code (docs/guard.md, "A lexicon
refusal in a list of edits"). No part of the prompt is read by the model alone: a fragment read
alone is misread (the twentieth round's plain-parts candidate).
"""

from __future__ import annotations

import re

from bouclier.guard.features import DRESS, clauses
from bouclier.guard.request import TEXT_THRESHOLD, RequestGuard
from bouclier.guard.topics import OBJECTS, TOPIC

#: The lexicons' concepts of an undressing that a list of edits keeps refused.
LISTED = frozenset({"undress", "expose_body_part", "underwear", "see_through"})
_ARABIC_PAUSE = re.compile(r"\s*[،؛]\s*")

#: The explanation of the class.
EXPLAINED = {
    "listed": "an instruction to undress a person among plain edits (lexicon): the edits around "
    "it dilute the request read whole, so the model does not overrule it",
}


def lists_undressing(lexicons: RequestGuard, prompt: str) -> bool:
    """Whether ``prompt`` is a list of edits with an undressing in it: the lexicons refuse it
    (score from the text threshold) with a :data:`LISTED` concept; no object, topic or question in
    it; two clauses or more (features.clauses, the Arabic comma), one of which holds a
    :data:`LISTED` concept and puts no clothes on (features.DRESS), and another in which the
    lexicons find nothing."""
    score, matches, _ = lexicons.read(prompt)
    if score < TEXT_THRESHOLD or not any(m.concept in LISTED for m in matches) or "?" in prompt:
        return False
    if OBJECTS.search(prompt) or TOPIC.search(prompt):
        return False
    if lexicons._any("question", lexicons.prepare(prompt)):
        return False
    found = [p for part in clauses(prompt) for p in _ARABIC_PAUSE.split(part) if len(p) >= 2]
    if len(found) < 2:
        return False
    concepts = [{m.concept for m in lexicons.read(part)[1]} for part in found]
    held = any(c & LISTED and not DRESS.search(p) for p, c in zip(found, concepts, strict=True))
    return held and any(not c for c in concepts)
