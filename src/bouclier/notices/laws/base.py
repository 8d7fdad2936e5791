"""What a law is to Bouclier (:class:`Law`), and the wording every law's writer shares.

A law lists what a valid notice must contain: :attr:`Law.elements`, in the law's order, each with
where it comes from in the law's text (:attr:`Law.sources`). Its writer (:attr:`Law.write`) fills
each element from the facts of one notice with the text that satisfies it, and writes the subject;
:meth:`Law.missing` checks that none is absent or empty, so a notice that the law would not count
as valid is never rendered.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from bouclier.storage.models import utc_iso

if TYPE_CHECKING:
    from bouclier.notices.content import Hotline, ImageHash, NoticeFacts

#: At most this many hashes are listed in one notice (a case with more lists the first ones).
MAX_HASHES = 20

#: A law's writer: the facts of one notice, the notifier and the hashes to list, to the text of
#: each element (by name) and the subject.
Writer = Callable[["NoticeFacts", "Hotline", Sequence["ImageHash"]], tuple[dict[str, str], str]]


def when_en(moment: datetime) -> str:
    """``2026-11-20 21:05:00 UTC``."""
    return utc_iso(moment.replace(microsecond=0)).replace("T", " ").replace("Z", " UTC")


def when_fr(moment: datetime) -> str:
    """``le 20/11/2026 à 21:05 (heure UTC)``."""
    stamp = utc_iso(moment.replace(microsecond=0))
    return f"le {stamp[8:10]}/{stamp[5:7]}/{stamp[0:4]} à {stamp[11:16]} (heure UTC)"


@dataclass(frozen=True, slots=True)
class Law:
    """One law a notice is written under; registered by ``name`` in :mod:`bouclier.notices.laws`.

    ``templates/NAME.txt.j2`` and ``NAME.html.j2`` lay a notice out when the law has them; else the
    generic ``notice.*.j2`` lists the elements under their ``headings`` and ends with ``closing``.
    """

    name: str  # as stored in notices.law
    title: str
    #: a short name for lists and buttons (the console's words may translate it)
    label: str
    language: str
    elements: tuple[str, ...]
    #: where each element comes from in the law's text
    sources: Mapping[str, str]
    write: Writer
    #: each element's heading in the generic templates (default: its name, capitalised)
    headings: Mapping[str, str] = field(default_factory=dict)
    #: the generic templates' last paragraph
    closing: str = ""
    #: hours a platform has to act, when the law sets them (None: BOUCLIER_NOTICE_DEADLINE_HOURS)
    deadline_hours: float | None = None
    #: how the notice writes a date and time, in its language
    when: Callable[[datetime], str] = when_en
    #: what a reminder's subject starts with, in its language
    reminder_prefix: str = "Reminder: "

    def __post_init__(self) -> None:
        if set(self.sources) != set(self.elements):
            raise ValueError(f"law {self.name}: every element needs its source")
        if not set(self.headings) <= set(self.elements):
            raise ValueError(f"law {self.name}: a heading names no element")
        if self.deadline_hours is not None and not self.deadline_hours > 0:
            raise ValueError(f"law {self.name}: its deadline is a positive number of hours")

    def missing(self, elements: Mapping[str, str]) -> list[str]:
        """The elements this law names that ``elements`` does not fill (absent, or blank)."""
        return [
            name
            for name in self.elements
            if not isinstance(elements.get(name), str) or not elements[name].strip()
        ]


# --- wording shared by the laws' writers ---------------------------------------------------------


def host(url: str) -> str:
    return urlsplit(url).hostname or url


def hash_lines(hashes: Sequence[ImageHash]) -> str:
    return "\n".join(_hash_line(h) for h in hashes[:MAX_HASHES])


def _hash_line(h: ImageHash) -> str:
    if (
        h.video_frames is not None
    ):  # the frame hashes are too many for a notice; the bundle has them
        return f"vPDQ ({h.video_frames} frames)  SHA-256 {h.sha256 or '-'}"
    return f"PDQ {h.pdq or '-'}  SHA-256 {h.sha256 or '-'}"


def contact_en(facts: NoticeFacts, hotline: Hotline) -> str:
    lines = [hotline.name, f"Email: {hotline.email}"]
    if hotline.address:
        lines.append(f"Postal address: {hotline.address}")
    lines.append(f"Please quote the reference {facts.reference} in any answer.")
    return "\n".join(lines)


def location_en(facts: NoticeFacts, hashes: Sequence[ImageHash]) -> str:
    lines = [
        f"URL: {facts.url}",
        f"Platform: {facts.platform}",
        f"First seen by the hotline: {when_en(facts.first_seen)}",
    ]
    if hashes:
        lines.append(
            "Hashes of the image(s) of this case, to find the copies you hold "
            "(PDQ perceptual hash and SHA-256 of the file):"
        )
        lines.append(hash_lines(hashes))
    return "\n".join(lines)
