"""Reports to Pharos (France, internet-signalement.gouv.fr), in French.

Pharos's form asks for the type of content, the date and time, the place (site or network), the
URL, a description and the reporter's contact details. It is a web form: the notice is what the
analyst copies into it (:data:`FORM`), unless an address is agreed with Pharos
(``BOUCLIER_PHAROS_EMAIL``; see :mod:`bouclier.notices.directory`).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from bouclier.notices.laws.base import Law, hash_lines, host, when_fr

if TYPE_CHECKING:
    from bouclier.notices.content import Hotline, ImageHash, NoticeFacts

ELEMENTS = ("type", "date_time", "place", "url", "description", "contact")

#: Pharos's reporting form, where a Pharos notice is filed by hand when no address is agreed.
FORM = "https://www.internet-signalement.gouv.fr/PharosS1/"


def write(
    facts: NoticeFacts, hotline: Hotline, hashes: Sequence[ImageHash]
) -> tuple[dict[str, str], str]:
    if facts.minor:
        kind = (
            "Atteinte aux mineurs : image à caractère pornographique d'un mineur "
            "(article 227-23 du code pénal)"
        )
    else:
        kind = (
            "Diffusion sans consentement d'une image à caractère sexuel "
            "(article 226-2-1 du code pénal)"
        )
    if facts.sextortion:
        kind += " ; chantage à la diffusion (sextorsion, article 312-10 du code pénal)"
    description = (
        "Image intime d'une personne diffusée sans son consentement, signalée à "
        f"{hotline.name} par la personne représentée"
        + (" (mineure) ou par un parent" if facts.minor else "")
        + f" (dossier {facts.case_number}). Aucune image n'est jointe à ce signalement."
    )
    if hashes:
        description += (
            "\nEmpreintes de l'image (PDQ et SHA-256), pour en retrouver les copies :\n"
            + hash_lines(hashes)
        )
    contact = [hotline.name, f"Courriel : {hotline.email}"]
    if hotline.address:
        contact.append(f"Adresse : {hotline.address}")
    contact.append(f"Référence à rappeler : {facts.reference}")
    elements = {
        "type": kind,
        "date_time": (
            f"Contenu vu pour la première fois par {hotline.name} {when_fr(facts.first_seen)} ; "
            "date de publication inconnue."
        ),
        "place": f"{facts.platform} ({host(facts.url)})",
        "url": facts.url,
        "description": description,
        "contact": "\n".join(contact),
    }
    subject = f"[{facts.reference}] Signalement Pharos : {facts.platform}"
    return elements, subject


LAW = Law(
    name="pharos",
    title="Signalement à Pharos (plateforme d'harmonisation, d'analyse, de recoupement et "
    "d'orientation des signalements)",
    label="Pharos",
    language="fr",
    elements=ELEMENTS,
    sources={
        "type": "type de contenu",
        "date_time": "date et heure",
        "place": "lieu (site, réseau social)",
        "url": "adresse URL",
        "description": "description",
        "contact": "coordonnées de l'auteur du signalement",
    },
    write=write,
    when=when_fr,
    reminder_prefix="Rappel : ",
)
