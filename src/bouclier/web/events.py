"""Custody events as people read them: a label in the page's language instead of the stored code
(``notice.answered`` → "The platform answered"), the actor named plainly, and the few facts of the
event worth a glance (an item's number, a notice's reference, a status from → to, a platform).

The stored entry is untouched (its code and data are what the hash chain covers, and what the
evidence bundle exports); this is only how the console shows it. An event kind without a label
(one added later) shows its code rather than break the page.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from bouclier.cases.custody import Entry


@dataclass(frozen=True, slots=True)
class ReadableEvent:
    seq: int
    at: str
    label: str
    actor: str
    details: str
    kind: str  # the stored code, kept for the title attribute


def _word(words: Mapping[str, str], key: str, fallback: str, **params: object) -> str:
    text = words.get(key)
    if text is None:
        return fallback
    return text.format(**params) if params else text


def actor_label(actor: str, words: Mapping[str, str]) -> str:
    """``analyst:alice`` → "alice (analyst)", ``platform:x`` → "platform x", and so on."""
    role, _, name = actor.partition(":")
    if name:
        return _word(words, f"console.actor.{role}", actor, name=name)
    return _word(words, f"console.actor.{role}", actor)


def _time(at: str) -> str:
    try:
        moment = datetime.fromisoformat(at)
    except ValueError:
        return at
    return moment.strftime("%Y-%m-%d %H:%M UTC")


def _status(words: Mapping[str, str], kind: str, value: Any) -> str:
    prefix = "console.case_status." if kind.startswith("case.") else "console.notice_status."
    return _word(words, prefix + str(value), str(value))


def details(entry: Entry, words: Mapping[str, str]) -> str:
    """The event's facts worth showing, in words (never a hash, never contact details)."""
    data = entry.data
    parts: list[str] = []
    if "notice" in data:
        parts.append(str(data["notice"]))
    if "item" in data and data["item"] is not None:
        parts.append(_word(words, "console.event.item", f"#{data['item']}", item=data["item"]))
    if entry.kind in ("case.status", "notice.answered") and "to" in data:
        before = _status(words, entry.kind, data.get("from"))
        parts.append(f"{before} → {_status(words, entry.kind, data['to'])}")
    if entry.kind == "case.assigned":
        to = data.get("to")
        parts.append(str(to) if to else _word(words, "console.assigned.nobody", "—"))
    if entry.kind == "case.merged_into" and "into" in data:
        parts.append(str(data["into"]))
    if entry.kind == "case.merged" and "from" in data:
        parts.append(str(data["from"]))
    if "law" in data:
        parts.append(_word(words, f"console.law.{data['law']}", str(data["law"])))
    if "channel" in data:
        parts.append(_word(words, f"console.channel.{data['channel']}", str(data["channel"])))
    if "platform" in data:
        parts.append(str(data["platform"]))
    if entry.kind == "notice.sent" and data.get("filed_by_hand"):
        parts.append(_word(words, "console.event.filed_by_hand", "filed by hand"))
    if data.get("deadline_at"):
        deadline = _time(str(data["deadline_at"]))
        parts.append(_word(words, "console.event.deadline", deadline, time=deadline))
    if data.get("note"):
        parts.append(f"“{data['note']}”")
    return " · ".join(parts)


def readable(entries: list[Entry], words: Mapping[str, str]) -> list[ReadableEvent]:
    return [
        ReadableEvent(
            seq=e.seq,
            at=_time(e.at),
            label=_word(words, f"console.event.{e.kind}", e.kind),
            actor=actor_label(e.actor, words),
            details=details(e, words),
            kind=e.kind,
        )
        for e in entries
    ]
