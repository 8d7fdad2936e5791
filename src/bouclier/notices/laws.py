"""The laws a notice is written under, and the elements each one names.

Every notice is filed under one law, and that law lists what a valid notice must contain. Each
:class:`Law` holds that list as a tuple of element names, in the law's order; a notice's data
(:class:`~bouclier.notices.content.NoticeData`) fills each element with the text that satisfies
it, and :func:`missing_elements` checks that none is absent or empty, so a notice that the law
would not count as valid is never rendered (the templates also name each element explicitly).

* **DSA** — Regulation (EU) 2022/2065, Article 16(2): (a) a sufficiently substantiated explanation
  of why the information is illegal; (b) a clear indication of its exact electronic location (the
  URL) and what else identifies it; (c) the name and email address of the notifier, **except**
  for information considered to involve an offence of Articles 3 to 7 of Directive 2011/93/EU
  (child sexual abuse material), where the notice says why they are left out; (d) a statement of
  the notifier's bona fide belief that the notice is accurate and complete.
* **TAKE IT DOWN Act** (US, 2025), valid removal request: a physical or electronic signature of the
  depicted individual or a person authorised to act on their behalf; identification of the
  depiction and information reasonably sufficient to locate it; a brief statement of the good-faith
  belief that it is not consensual, with information supporting that; information to contact the
  individual or the authorised person. The platform removes it within 48 hours, with its known
  identical copies.
* **Pharos** (France, internet-signalement.gouv.fr), in French: the type of content, the date and
  time, the place (site or network), the URL, a description, the reporter's contact details.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Law:
    name: str  # as stored in notices.law
    title: str
    language: str
    elements: tuple[str, ...]
    #: where each element comes from in the law's text
    sources: Mapping[str, str]


DSA_ELEMENTS = ("explanation", "location", "notifier", "statement")
TAKE_IT_DOWN_ELEMENTS = ("signature", "identification", "good_faith_statement", "contact")
PHAROS_ELEMENTS = ("type", "date_time", "place", "url", "description", "contact")

DSA = Law(
    "dsa",
    "Notice of illegal content under Article 16 of Regulation (EU) 2022/2065 "
    "(Digital Services Act)",
    "en",
    DSA_ELEMENTS,
    {
        "explanation": "Art. 16(2)(a)",
        "location": "Art. 16(2)(b)",
        "notifier": "Art. 16(2)(c)",
        "statement": "Art. 16(2)(d)",
    },
)
TAKE_IT_DOWN = Law(
    "take_it_down",
    "Removal request under the TAKE IT DOWN Act (United States, 2025)",
    "en",
    TAKE_IT_DOWN_ELEMENTS,
    {
        "signature": "signature of the individual or a person authorised to act for them",
        "identification": "identification of the depiction and information to locate it",
        "good_faith_statement": "good-faith statement that the depiction is not consensual",
        "contact": "information to contact the individual or the authorised person",
    },
)
PHAROS = Law(
    "pharos",
    "Signalement à Pharos (plateforme d'harmonisation, d'analyse, de recoupement et "
    "d'orientation des signalements)",
    "fr",
    PHAROS_ELEMENTS,
    {
        "type": "type de contenu",
        "date_time": "date et heure",
        "place": "lieu (site, réseau social)",
        "url": "adresse URL",
        "description": "description",
        "contact": "coordonnées de l'auteur du signalement",
    },
)

#: Every law a notice can be filed under, by name (checked at import: no name twice).
LAWS: dict[str, Law] = {}
for _law in (DSA, TAKE_IT_DOWN, PHAROS):
    if _law.name in LAWS:
        raise RuntimeError(f"law {_law.name} declared twice")
    if set(_law.sources) != set(_law.elements):
        raise RuntimeError(f"law {_law.name}: every element needs its source")
    LAWS[_law.name] = _law

#: Pharos's reporting form, where a Pharos notice is filed by hand when no address is agreed.
PHAROS_FORM = "https://www.internet-signalement.gouv.fr/PharosS1/"


def missing_elements(law: Law | str, elements: Mapping[str, str]) -> list[str]:
    """The elements ``law`` names that ``elements`` does not fill (absent, or blank)."""
    chosen = LAWS[law] if isinstance(law, str) else law
    return [
        name
        for name in chosen.elements
        if not isinstance(elements.get(name), str) or not elements[name].strip()
    ]
