"""What the victim's pages show beyond the case's rows: times, the hotline, links' status.

- **Times** are written as ``<time datetime="...Z">`` with the UTC time as text; ``localtime.js``
  rewrites each in the browser's own time zone and the page's language (without JavaScript the
  UTC time stays, said so).
- **Words with markup**: :func:`markup_translator` fills a sentence's placeholders with markup
  (a ``<time>``) while escaping the sentence and every other value.
- **The hotline** (:func:`hotline`): its name and contact from the settings, and the promises the
  case page makes ("what happens next"): when someone looks, the platforms' deadline, how long a
  case is kept.
- **A link's status** (:func:`link_states`) is read from the notices sent for it, the latest
  first: the one place to change when links carry a status of their own.
- **Pictures** are keyed by the first characters of their hash (:func:`thumb_key`), under which
  ``thumbnails.js`` keeps their previews on the victim's device.
- **Secrets and codes** (:func:`groups`) are shown group by group, so a line breaks only between
  groups, never inside one.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime

from markupsafe import Markup, escape

from bouclier.cases.store import ItemInfo, NoticeState
from bouclier.settings import Settings
from bouclier.storage.models import utc_iso
from bouclier.web import common


def local_time(moment: datetime | None) -> Markup:
    """A time as ``<time>``: UTC for a page without JavaScript, local once localtime.js ran."""
    if moment is None:
        return Markup("")
    return Markup('<time datetime="{}" data-local>{}</time>').format(
        utc_iso(moment), moment.strftime("%Y-%m-%d %H:%M UTC")
    )


def markup_translator(lang: str) -> Callable[..., Markup]:
    """``t`` for sentences whose values may be markup (a ``<time>``): the rest is escaped."""

    def th(key: str, **params: object) -> Markup:
        # escape() makes the sentence markup, escaped; format() escapes every non-markup value
        return escape(common.locale(lang)[key]).format(**params)

    return th


#: Characters of a PDQ hash that key a picture's preview on the victim's device (thumbnails.js):
#: enough to tell her pictures apart, and the page never holds a whole hash.
THUMB_KEY = 16


def thumb_key(pdq: str | None) -> str:
    return (pdq or "")[:THUMB_KEY]


def groups(text: str) -> list[str]:
    """``INV-ABCDE-FGHIJ`` as ``["INV-", "ABCDE-", "FGHIJ"]``: each group keeps its dash."""
    parts = text.split("-")
    return [part + "-" for part in parts[:-1]] + [parts[-1]]


@dataclass(frozen=True, slots=True)
class Hotline:
    name: str | None
    email: str | None
    phone: str | None
    website: str | None
    review_hours: float
    deadline_hours: float
    retention_days: int


def hotline(settings: Settings) -> Hotline:
    return Hotline(
        settings.hotline_name,
        settings.hotline_email,
        settings.hotline_phone,
        settings.hotline_website,
        settings.review_within_hours,
        settings.notice_deadline_hours,
        settings.case_retention_days,
    )


@dataclass(frozen=True, slots=True)
class VideoLimits:
    """What ``video.js`` checks and how often it hashes: the server's limits (a video over them
    would be refused by the API too), and the rate at which the server hashes a video it banks
    (her video goes into the victim bank)."""

    bytes: int
    seconds: int
    pixels: int
    seconds_per_hash: float

    @property
    def megabytes(self) -> int:
        return self.bytes // (1024 * 1024)

    @classmethod
    def of(cls, settings: Settings) -> VideoLimits:
        # a victim's video goes into her bank: hashed at the bank rate, as `bouclier bank add`
        return cls(
            settings.max_video_bytes,
            int(settings.max_video_seconds),
            settings.max_video_pixels,
            settings.vpdq_bank_seconds_per_hash,
        )


def hours(value: float) -> str:
    """48.0 as "48", 1.5 as "1.5"."""
    return f"{value:g}"


def link_states(
    items: Sequence[ItemInfo], notices: Sequence[NoticeState]
) -> dict[int, NoticeState]:
    """Each link's latest notice, by item id (a link without one is not notified yet)."""
    links = {item.id for item in items if item.kind == "url"}
    latest: dict[int, NoticeState] = {}
    for notice in notices:  # oldest first: a later one replaces an earlier one
        if notice.item_id in links:
            latest[notice.item_id] = notice
    return latest
