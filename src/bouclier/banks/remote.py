"""What a publisher's pages of changes may say, checked as any stranger's input, and what a sync
of a followed bank did (:mod:`bouclier.banks.follower`).

A change is an ``add``, a ``remove`` or an ``update`` (:data:`bouclier.vocabulary.CHANGE_OPS`) of
one entry of the publisher's bank, with the entry's standing as it was when the page was sent
(:mod:`bouclier.banks.sharing`): null once the entry is gone there.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from bouclier.banks.store import MAX_CHANGES, MAX_CURSOR
from bouclier.vocabulary import BANK_KINDS, CHANGE_OPS


class _Strict(BaseModel):
    model_config = ConfigDict(extra="ignore", strict=True)


class RemoteChange(_Strict):
    cursor: int = Field(ge=1, le=MAX_CURSOR)
    op: str = Field(pattern="^(" + "|".join(CHANGE_OPS) + ")$")
    entry_id: int = Field(ge=0, le=MAX_CURSOR)
    signal_type: str = Field(max_length=32)
    value: str | None = Field(default=None, max_length=4096)  # null: a withdrawn case's removal
    quality: int | None = Field(default=None, ge=0, le=100)
    reviewed: bool | None = None
    minor: bool | None = None


class RemotePage(_Strict):
    bank: str
    since: int = Field(ge=0, le=MAX_CURSOR)
    changes: list[RemoteChange] = Field(max_length=MAX_CHANGES)
    next: int = Field(ge=0, le=MAX_CURSOR)
    more: bool


class RemoteBank(_Strict):
    name: str
    kind: str = Field(pattern="^(" + "|".join(BANK_KINDS) + ")$")
    threshold: int = Field(ge=0, le=128)


@dataclass(frozen=True, slots=True)
class Synced:
    """What one sync of one bank did."""

    bank: str
    local_bank: str
    added: int
    removed: int
    skipped: int
    cursor: int
    #: The publisher deleted the bank or stopped sharing it with this key: the mirror is gone.
    gone: bool = False
    #: Local entries whose standing (quality, review status, minor flag) an update changed.
    updated: int = 0

    def to_dict(self) -> dict[str, Any]:
        return {
            "bank": self.bank,
            "local_bank": self.local_bank,
            "added": self.added,
            "removed": self.removed,
            "updated": self.updated,
            "skipped": self.skipped,
            "cursor": self.cursor,
            "gone": self.gone,
        }

    @property
    def changed(self) -> bool:
        """Whether the sync changed the local bank."""
        return bool(self.added or self.removed or self.updated or self.gone)


@dataclass
class Applied:
    """What applying pages of changes did, counted."""

    added: int = 0
    removed: int = 0
    updated: int = 0
    skipped: int = 0

    def __iadd__(self, other: Applied) -> Applied:
        self.added += other.added
        self.removed += other.removed
        self.updated += other.updated
        self.skipped += other.skipped
        return self
