"""What a notice says: the facts of a case and a URL, written out as each law's elements.

:func:`build` is pure: given the facts of one notice (:class:`NoticeFacts`, read by the store) and
the hotline's details (the notifier, from settings), it returns the :class:`NoticeData` that every
format renders. It never includes an image, nor anything that identifies the victim: the case
number, the URL, when it was first seen, and the hashes of the case's images (PDQ and SHA-256),
which is how a platform finds the copies it holds — that is what hash sharing is for.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from urllib.parse import urlsplit

from bouclier.errors import ConfigError
from bouclier.notices.laws import LAWS, Law, missing_elements
from bouclier.settings import Settings
from bouclier.storage.models import utc_iso

#: At most this many hashes are listed in one notice (a case with more lists the first ones).
MAX_HASHES = 20


@dataclass(frozen=True, slots=True)
class ImageHash:
    pdq: str | None
    sha256: str | None


@dataclass(frozen=True, slots=True)
class Hotline:
    """The notifier: the hotline acting on the victim's behalf."""

    name: str
    email: str
    address: str | None = None

    @classmethod
    def from_settings(cls, settings: Settings) -> Hotline:
        if not settings.hotline_name or not settings.hotline_email:
            raise ConfigError(
                "notices need the hotline's name and email: set BOUCLIER_HOTLINE_NAME and "
                "BOUCLIER_HOTLINE_EMAIL",
                code="hotline_not_configured",
            )
        return cls(settings.hotline_name, settings.hotline_email, settings.hotline_address)


@dataclass(frozen=True, slots=True)
class NoticeFacts:
    """What the store knows of one notice and its case."""

    reference: str
    law: str
    channel: str
    recipient: str
    platform: str
    url: str
    case_number: str
    minor: bool
    sextortion: bool
    first_seen: datetime
    created_at: datetime
    deadline_hours: float
    sent_at: datetime | None = None
    deadline_at: datetime | None = None
    signer: str | None = None
    hashes: Sequence[ImageHash] = ()
    reminder: bool = False


@dataclass(frozen=True, slots=True)
class NoticeData:
    """Everything a notice shows; ``elements`` fills each element of its law, in order."""

    reference: str
    law: Law
    subject: str
    recipient: str
    platform: str
    url: str
    case_number: str
    minor: bool
    first_seen: str
    created_at: str
    deadline_hours: float
    deadline_at: str | None
    hotline: Hotline
    elements: Mapping[str, str]
    hashes: tuple[ImageHash, ...] = field(default=())
    reminder: bool = False
    #: the date, the deadline and its hours as the notice writes them (in its language)
    date_text: str = ""
    deadline_text: str | None = None

    @property
    def language(self) -> str:
        return self.law.language

    @property
    def hours(self) -> str:
        return f"{self.deadline_hours:g}"

    def missing(self) -> list[str]:
        """The law's elements this notice leaves empty (none, for a notice built here)."""
        return missing_elements(self.law, self.elements)


def _when_en(moment: datetime) -> str:
    return utc_iso(moment.replace(microsecond=0)).replace("T", " ").replace("Z", " UTC")


def _when_fr(moment: datetime) -> str:
    stamp = utc_iso(moment.replace(microsecond=0))
    return f"le {stamp[8:10]}/{stamp[5:7]}/{stamp[0:4]} à {stamp[11:16]} (heure UTC)"


def _hash_lines(hashes: Sequence[ImageHash]) -> str:
    return "\n".join(f"PDQ {h.pdq or '-'}  SHA-256 {h.sha256 or '-'}" for h in hashes[:MAX_HASHES])


def build(facts: NoticeFacts, hotline: Hotline) -> NoticeData:
    """The notice's data for its law; ValueError if the law is unknown."""
    law = LAWS.get(facts.law)
    if law is None:
        raise ValueError(f"unknown law {facts.law!r}")
    hashes = tuple(facts.hashes[:MAX_HASHES])
    writers = {"dsa": _dsa, "take_it_down": _take_it_down, "pharos": _pharos}
    elements, subject = writers[law.name](facts, hotline, hashes)
    when = _when_fr if law.language == "fr" else _when_en
    if facts.reminder:
        subject = ("Rappel : " if law.language == "fr" else "Reminder: ") + subject
    return NoticeData(
        reference=facts.reference,
        law=law,
        subject=subject,
        recipient=facts.recipient,
        platform=facts.platform,
        url=facts.url,
        case_number=facts.case_number,
        minor=facts.minor,
        first_seen=utc_iso(facts.first_seen),
        created_at=utc_iso(facts.created_at),
        deadline_hours=facts.deadline_hours,
        deadline_at=utc_iso(facts.deadline_at) if facts.deadline_at else None,
        hotline=hotline,
        elements=elements,
        hashes=hashes,
        reminder=facts.reminder,
        date_text=when(facts.sent_at or facts.created_at),
        deadline_text=when(facts.deadline_at) if facts.deadline_at else None,
    )


def _contact_en(facts: NoticeFacts, hotline: Hotline) -> str:
    lines = [hotline.name, f"Email: {hotline.email}"]
    if hotline.address:
        lines.append(f"Postal address: {hotline.address}")
    lines.append(f"Please quote the reference {facts.reference} in any answer.")
    return "\n".join(lines)


def _location_en(facts: NoticeFacts, hashes: Sequence[ImageHash]) -> str:
    lines = [
        f"URL: {facts.url}",
        f"Platform: {facts.platform}",
        f"First seen by the hotline: {_when_en(facts.first_seen)}",
    ]
    if hashes:
        lines.append(
            "Hashes of the image(s) of this case, to find the copies you hold "
            "(PDQ perceptual hash and SHA-256 of the file):"
        )
        lines.append(_hash_lines(hashes))
    return "\n".join(lines)


def _dsa(
    facts: NoticeFacts, hotline: Hotline, hashes: Sequence[ImageHash]
) -> tuple[dict[str, str], str]:
    if facts.minor:
        explanation = (
            "The information at the location below is a sexually explicit image of a minor. "
            "It is child sexual abuse material, whose distribution is an offence under Article 5 "
            "of Directive 2011/93/EU and the laws of every Member State. The hotline acts on the "
            "report of the child or of a parent."
        )
        notifier = (
            "Name and email address not given: under Article 16(2)(c) of Regulation (EU) "
            "2022/2065 they are not required, because this notice concerns information "
            "considered to involve one of the offences referred to in Articles 3 to 7 of "
            "Directive 2011/93/EU (child sexual abuse material). "
            f"Please answer by quoting the reference {facts.reference}."
        )
    else:
        explanation = (
            "The information at the location below is an intimate image of a person, made "
            "available without that person's consent (a non-consensual intimate image). Its "
            "distribution is illegal under the laws of the Member States (for example Article "
            "226-2-1 of the French Penal Code) and is an offence that Article 5 of Directive "
            "(EU) 2024/1385 requires every Member State to punish. The hotline acts on the "
            "report of the person depicted, who did not consent to its publication."
        )
        notifier = f"{hotline.name}\nEmail: {hotline.email}"
        if hotline.address:
            notifier += f"\nPostal address: {hotline.address}"
    if facts.sextortion:
        explanation += " The image is also being used to extort the person depicted (sextortion)."
    explanation += f" Hotline case number: {facts.case_number}."
    elements = {
        "explanation": explanation,
        "location": _location_en(facts, hashes),
        "notifier": notifier,
        "statement": (
            f"{hotline.name if not facts.minor else 'The notifier'} confirms its bona fide "
            "belief that the information and allegations contained in this notice are "
            "accurate and complete."
        ),
    }
    subject = f"[{facts.reference}] DSA notice: illegal content at {_host(facts.url)}"
    return elements, subject


def _take_it_down(
    facts: NoticeFacts, hotline: Hotline, hashes: Sequence[ImageHash]
) -> tuple[dict[str, str], str]:
    signature = ""
    if facts.signer:
        signature = (
            f"/s/ {facts.signer}\n"
            f"Electronic signature of {facts.signer}, analyst of {hotline.name}, a person "
            "authorised to act on behalf of the identifiable individual depicted."
        )
    identification = (
        "The intimate visual depiction of the identifiable individual is located at the URL "
        "below. No copy of it is attached to this request.\n" + _location_en(facts, hashes)
    )
    if hashes:
        identification += (
            "\nThe Act asks you to make reasonable efforts to identify and remove known "
            "identical copies: the hashes above find them."
        )
    statement = (
        "The identifiable individual has a good-faith belief that the intimate visual depiction "
        "identified above is not consensual: they did not consent to its publication, and "
        f"reported it to {hotline.name} (case {facts.case_number})."
    )
    if facts.minor:
        statement += " The individual depicted is a minor."
    if facts.sextortion:
        statement += " The depiction is being used to extort the individual (sextortion)."
    elements = {
        "signature": signature,
        "identification": identification,
        "good_faith_statement": statement,
        "contact": _contact_en(facts, hotline),
    }
    subject = f"[{facts.reference}] TAKE IT DOWN Act removal request: {_host(facts.url)}"
    return elements, subject


def _pharos(
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
            + _hash_lines(hashes)
        )
    contact = [hotline.name, f"Courriel : {hotline.email}"]
    if hotline.address:
        contact.append(f"Adresse : {hotline.address}")
    contact.append(f"Référence à rappeler : {facts.reference}")
    elements = {
        "type": kind,
        "date_time": (
            f"Contenu vu pour la première fois par {hotline.name} {_when_fr(facts.first_seen)} ; "
            "date de publication inconnue."
        ),
        "place": f"{facts.platform} ({_host(facts.url)})",
        "url": facts.url,
        "description": description,
        "contact": "\n".join(contact),
    }
    subject = f"[{facts.reference}] Signalement Pharos : {facts.platform}"
    return elements, subject


def _host(url: str) -> str:
    return urlsplit(url).hostname or url
