"""The laws a notice is written under: one module each, registered by its name.

Every notice is filed under one law, and that law lists what a valid notice must contain. A law is
one module of this package whose ``LAW`` (a :class:`~bouclier.notices.laws.base.Law`) declares it
whole: its elements in the law's order and where each comes from in its text, the writer that fills
them from a case's facts, its language and its deadline. The module is named as the law is stored
(``notices.law``), and that name is its one registration: :data:`LAWS` loads the modules named in
:data:`bouclier.vocabulary.NOTICE_LAWS`, checking each at import. Its templates are found by the
same name (``templates/NAME.txt.j2``, ``NAME.html.j2``; else the generic ``notice.*.j2``).

* **DSA** (:mod:`~bouclier.notices.laws.dsa`) — Regulation (EU) 2022/2065, Article 16(2).
* **TAKE IT DOWN Act** (:mod:`~bouclier.notices.laws.take_it_down`) — United States, 2025.
* **Pharos** (:mod:`~bouclier.notices.laws.pharos`) — France's reporting platform, in French.

The database checks the law of each notice against the vocabulary (``notice_law``), so a new law
also needs the migration that widens that constraint (``tests/test_vocabulary.py`` says so).
"""

from __future__ import annotations

from collections.abc import Mapping, MutableMapping
from importlib import import_module

from bouclier.notices.laws.base import Law
from bouclier.vocabulary import NOTICE_LAWS

__all__ = ["LAWS", "Law", "missing_elements", "register"]


def register(law: Law, laws: MutableMapping[str, Law]) -> None:
    """Adds ``law`` to ``laws``; a name given twice fails loudly."""
    if not isinstance(law, Law):
        raise TypeError(f"{law!r} is not a Law")
    if law.name in laws:
        raise ValueError(f"law {law.name} declared twice")
    laws[law.name] = law


def _load(name: str) -> Law:
    law = getattr(import_module(f"{__name__}.{name}"), "LAW", None)
    if not isinstance(law, Law) or law.name != name:
        raise RuntimeError(f"{__name__}.{name} must declare LAW = Law(name={name!r}, ...)")
    return law


#: Every law a notice can be filed under, by name, in the vocabulary's order.
LAWS: dict[str, Law] = {}
for _name in NOTICE_LAWS:
    register(_load(_name), LAWS)


def missing_elements(law: Law | str, elements: Mapping[str, str]) -> list[str]:
    """The elements ``law`` names that ``elements`` does not fill (absent, or blank)."""
    return (LAWS[law] if isinstance(law, str) else law).missing(elements)
