"""Where a link of a case stands, following its takedown notices.

A URL item's ``link_status`` (:data:`bouclier.vocabulary.LINK_STATUSES`) is derived from the
notices written for it, under every law, and stored on the item so that every page (the victim's,
the console, the police summary) reads one word instead of working it out again:

- ``removed``: a platform answered that the post is gone (under any law: it is gone);
- ``acknowledged``: a platform acknowledged a notice, none removed it yet;
- ``notified``: a notice went out (sent, filed by hand in a web form, or past its deadline);
- ``refused``: every notice that went out was refused;
- ``pending``: nothing went out yet (drafts and web forms still to file count as nothing).

The notices store calls :func:`follow_notices` in the transaction of each change (send, answer,
expiry), so the item never disagrees with its notices.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from bouclier.storage.models import CaseItem, Notice
from bouclier.vocabulary import LinkStatus

#: the links worth a new notice: nobody notified yet, or a platform refused (another law may do)
TO_NOTIFY: tuple[LinkStatus, ...] = ("pending", "refused")

#: a notice's status -> what it says of its link, strongest first
_ORDER: tuple[tuple[LinkStatus, tuple[str, ...]], ...] = (
    ("removed", ("removed",)),
    ("acknowledged", ("acknowledged",)),
    ("notified", ("sent", "expired")),
    ("refused", ("refused",)),
)


def link_status(notice_statuses: list[str]) -> LinkStatus:
    """The link's status given the statuses of its notices (a pure function: the rule above)."""
    present = set(notice_statuses)
    for status, says in _ORDER:
        if present.intersection(says):
            return status
    return "pending"


def follow_notices(session: Session, item_id: int | None) -> LinkStatus | None:
    """Sets the URL item's ``link_status`` from its notices, in the caller's transaction;
    returns it (None when there is no such URL item)."""
    if item_id is None:
        return None
    item = session.get(CaseItem, item_id)
    if item is None or item.kind != "url":
        return None
    session.flush()  # the caller's change to a notice counts
    statuses = list(session.scalars(select(Notice.status).where(Notice.item_id == item_id)).all())
    status = link_status(statuses)
    item.link_status = status
    return status
