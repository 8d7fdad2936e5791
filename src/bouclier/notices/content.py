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

from bouclier.errors import ConfigError
from bouclier.notices.laws import LAWS, Law
from bouclier.notices.laws.base import MAX_HASHES
from bouclier.settings import Settings
from bouclier.storage.models import utc_iso


@dataclass(frozen=True, slots=True)
class ImageHash:
    pdq: str | None
    sha256: str | None
    #: a video's hashed frames (vPDQ), for a video item; its file's SHA-256 is ``sha256``
    video_frames: int | None = None


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
        return self.law.missing(self.elements)


def build(facts: NoticeFacts, hotline: Hotline, laws: Mapping[str, Law] = LAWS) -> NoticeData:
    """The notice's data, written by its law (one of ``laws``); ValueError if the law is unknown."""
    law = laws.get(facts.law)
    if law is None:
        raise ValueError(f"unknown law {facts.law!r}")
    hashes = tuple(facts.hashes[:MAX_HASHES])
    elements, subject = law.write(facts, hotline, hashes)
    if facts.reminder:
        subject = law.reminder_prefix + subject
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
        date_text=law.when(facts.sent_at or facts.created_at),
        deadline_text=law.when(facts.deadline_at) if facts.deadline_at else None,
    )
