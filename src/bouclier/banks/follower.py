"""Following another Bouclier's banks: delta sync into the local database, so that platforms match
locally with no call per upload (``bouclier bank follow URL --key ...``).

For each followed bank a row of ``bank_follows`` keeps where it comes from, the cursor reached and
the fingerprint of the publisher's key. A sync pulls ``GET /v1/banks/{name}/changes`` from that
cursor, verifies each page's signature with the pinned key (:mod:`bouclier.banks.sharing`) and
applies it **in one transaction with the move of its cursor**: a page is applied whole or not at
all, so a follower stopped at any moment resumes where it was, and nothing is applied twice.
Additions become local entries (with the publisher's quality and review status; the minor flag
is kept in ``followed_entries``, which :mod:`bouclier.cases.matched` reads), removals (a victim's
withdrawal, an analyst's removal) delete the local entry, and updates (an analyst confirmed the
entry, its case became a minor's) replace the local entry's quality, review status and minor
flag. Local writes go through the local change log, so the local API processes' indexes,
webhooks and followers see them like any other.

Updates are safe to apply twice or late: a change carries its entry's standing as it is when the
page is sent, so an update that finds the entry already so changes nothing (and logs nothing),
and an update of an entry this Bouclier does not mirror (removed since, or of a type it does not
hold) or that the publisher no longer has (its standing is null) is skipped: a stale update
never brings a removed entry back.

The key is pinned on first contact (trust on first use) unless ``expect_key`` names it; after
that, a page signed by any other key is refused (``remote_bad_signature``) and nothing of it is
applied. Everything the publisher sends is checked as any stranger's input.
"""

from __future__ import annotations

import contextlib
import logging
import threading
import time
from collections.abc import Callable, Sequence
from typing import Any
from urllib.parse import quote, urlsplit

import httpx
from pydantic import ValidationError
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from bouclier.banks.remote import Applied, RemoteBank, RemoteChange, RemotePage, Synced
from bouclier.banks.sharing import SIGNATURE_HEADER, verify_page
from bouclier.banks.store import BankStore, NewEntry, validate_name
from bouclier.errors import BouclierError, Conflict, InputError, NotFound, RemoteError
from bouclier.signing_key import PublicKey
from bouclier.storage.models import Bank, BankEntry, BankFollow, FollowedEntry, utcnow

log = logging.getLogger(__name__)

#: Changes asked for per page.
PAGE = 1000
_TIMEOUT_S = 30.0


def normalise_url(url: str) -> str:
    """The publisher's base URL, checked: http(s), a host, no query; no trailing slash."""
    parts = urlsplit(url.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname or parts.query:
        raise InputError(
            "the publisher's URL is http(s)://host[:port][/path], without a query",
            code="invalid_url",
        )
    return f"{parts.scheme}://{parts.netloc}{parts.path.rstrip('/')}"


class Follower:
    """Mirrors banks of the Bouclier at ``url`` into ``store``'s database, with API ``key``."""

    def __init__(
        self,
        store: BankStore,
        url: str,
        key: str,
        *,
        expect_key: str | None = None,
        prefix: str = "",
        client: httpx.Client | None = None,
        page: int = PAGE,
        on_applied: Callable[[], None] | None = None,
    ) -> None:
        self.store = store
        #: Called after a sync that changed a local bank, before :meth:`sync` returns: an
        #: in-process matcher refreshes there (``LiveMatcher.refresh``) instead of waiting for its
        #: next read of the change log, so the lag to a local match is the poll interval alone.
        self.on_applied = on_applied
        self.db = store.db
        self.url = normalise_url(url)
        self.expect_key = expect_key
        self.prefix = prefix
        self.page = page
        self._client = client or httpx.Client(timeout=_TIMEOUT_S)
        self._headers = {"Authorization": f"Bearer {key}"}
        self._public: PublicKey | None = None

    def close(self) -> None:
        self._client.close()

    def remote_banks(self) -> list[RemoteBank]:
        """The banks the publisher shares with this key."""
        body = self._get_json("/v1/banks")
        try:
            return [RemoteBank.model_validate(b) for b in body["banks"]]
        except (KeyError, TypeError, ValidationError):
            raise RemoteError("the bank list is not one", code="remote_invalid") from None

    def sync(self, names: Sequence[str] | None = None) -> list[Synced]:
        """Pulls and applies every change of the named banks (every shared bank if None) until
        each is up to date."""
        shared = {b.name: b for b in self.remote_banks()}
        followed = self._followed()
        wanted = list(names) if names else sorted(shared.keys() | followed.keys())
        for name in wanted:
            if name not in shared and name not in followed:
                raise RemoteError(
                    f"the publisher shares no bank named {name!r} with this key",
                    code="remote_refused",
                )
        done = [
            self._sync_bank(shared[name]) if name in shared else self._drop(name, followed[name])
            for name in wanted
        ]
        if self.on_applied is not None and any(s.changed for s in done):
            self.on_applied()
        return done

    def keep_following(
        self,
        names: Sequence[str] | None,
        interval: float,
        *,
        wake: threading.Event,
        stop: threading.Event,
        report: Callable[[list[Synced]], None] | None = None,
        on_error: Callable[[RemoteError], None] | None = None,
    ) -> None:
        """Syncs now, then every ``interval`` seconds counted from the start of the previous
        sync (so a change waits at most one interval and one pull, however long a sync took),
        and at once when ``wake`` is set (a change notice). Returns once ``stop`` is set (set
        ``wake`` too, to end a wait). A :class:`RemoteError` goes to ``on_error`` and the next
        sync is tried; without ``on_error`` it is raised."""
        while not stop.is_set():
            started = time.monotonic()
            try:
                done = self.sync(names)
            except RemoteError as exc:
                if on_error is None:
                    raise
                on_error(exc)
            else:
                if report is not None:
                    report(done)
            wake.wait(max(0.0, started + interval - time.monotonic()))
            wake.clear()

    def _sync_bank(self, remote: RemoteBank) -> Synced:
        follow_id, local, cursor = self._follow_row(remote)
        total = Applied()
        while True:
            page = self._page(remote.name, cursor)
            total += self._apply(follow_id, local, page)
            cursor = page.next
            if not page.more:
                break
        return Synced(
            remote.name,
            local,
            total.added,
            total.removed,
            total.skipped,
            cursor,
            updated=total.updated,
        )

    def _followed(self) -> dict[str, tuple[int, str | None]]:
        """The banks of this publisher followed here: remote name → (follow id, local name)."""
        with self.db.transaction() as session:
            rows = session.execute(
                select(BankFollow.remote_bank, BankFollow.id, Bank.name)
                .outerjoin(Bank, Bank.id == BankFollow.bank_id)
                .where(BankFollow.source_url == self.url)
            ).all()
        return {remote: (follow_id, local) for remote, follow_id, local in rows}

    def _drop(self, remote: str, followed: tuple[int, str | None]) -> Synced:
        """Removes the mirror of a bank the publisher no longer lists for this key (deleted, or
        no longer published to it): its entries leave through the local change log, so local
        matchers, webhooks and followers drop them, then the follow is forgotten. A publisher
        that shares the bank again is followed from its first change."""
        follow_id, local = followed
        removed = 0
        if local is not None:
            with contextlib.suppress(NotFound):  # deleted meanwhile
                removed = self.store.delete(local)
        with self.db.transaction() as session:
            session.execute(delete(FollowedEntry).where(FollowedEntry.follow_id == follow_id))
            session.execute(delete(BankFollow).where(BankFollow.id == follow_id))
        log.info("follow: a bank is no longer shared by the publisher; its mirror was removed")
        return Synced(remote, local or "", 0, removed, 0, 0, gone=True)

    def _follow_row(self, remote: RemoteBank) -> tuple[int, str, int]:
        """The follow's id, local bank and cursor; made (with its local bank) on first sync."""
        public = self._key()
        local = validate_name(self.prefix + remote.name)
        with self.db.transaction() as session:
            row = session.scalar(
                select(BankFollow).where(
                    BankFollow.source_url == self.url, BankFollow.remote_bank == remote.name
                )
            )
            if row is not None:
                if row.key_fingerprint != public.fingerprint:
                    raise RemoteError(
                        f"the publisher's key is now {public.fingerprint}, not the pinned "
                        f"{row.key_fingerprint}; nothing was applied",
                        code="remote_bad_signature",
                    )
                name = session.scalar(select(Bank.name).where(Bank.id == row.bank_id))
                return row.id, str(name), row.cursor
        try:
            self.store.create(local, remote.kind, remote.threshold)
        except Conflict:
            raise Conflict(
                f"a local bank named {local!r} exists and does not follow {self.url}; "
                "choose another --prefix",
                code="bank_exists",
            ) from None
        with self.db.transaction() as session:
            bank_id = session.scalar(select(Bank.id).where(Bank.name == local))
            row = BankFollow(
                source_url=self.url,
                remote_bank=remote.name,
                bank_id=bank_id,
                cursor=0,
                key_fingerprint=public.fingerprint,
                created_at=utcnow(),
            )
            session.add(row)
            session.flush()
            return row.id, local, 0

    def _key(self) -> PublicKey:
        """The publisher's public key, checked against ``expect_key`` when given."""
        if self._public is None:
            body = self._get_json("/v1/evidence/signing-key")
            try:
                public = PublicKey.parse(str(body["public_key"]))
            except (KeyError, TypeError, ValueError):
                raise RemoteError("the signing key is not one", code="remote_invalid") from None
            if self.expect_key is not None and not public.matches(self.expect_key):
                raise RemoteError(
                    f"the publisher's key is {public.fingerprint}, not the one expected",
                    code="remote_bad_signature",
                )
            self._public = public
        return self._public

    def _page(self, bank: str, since: int) -> RemotePage:
        path = f"/v1/banks/{quote(bank, safe='')}/changes"
        answer = self._get(path, {"since": since, "limit": self.page})
        data = verify_page(self._key(), answer.content, answer.headers.get(SIGNATURE_HEADER))
        try:
            page = RemotePage.model_validate(data)
        except ValidationError as exc:
            first = exc.errors()[0]
            where = ".".join(map(str, first["loc"]))
            raise RemoteError(
                f"a page of changes is malformed at {where}: {first['msg']}",
                code="remote_invalid",
            ) from None
        if page.bank != bank or page.since != since or page.next < since:
            raise RemoteError(
                "a signed page answers another bank or cursor than asked", code="remote_invalid"
            )
        return page

    def _apply(self, follow_id: int, local: str, page: RemotePage) -> Applied:
        """Applies a verified page and moves the cursor, in one transaction."""
        done = Applied()
        with self.db.transaction() as session:
            row = session.get(BankFollow, follow_id)
            if row is None or row.cursor != page.since:  # another follower moved it meanwhile
                return done
            pending: list[RemoteChange] = []
            for change in page.changes:
                if change.op == "add":
                    pending.append(change)
                    continue
                done.added += self._add(session, follow_id, local, pending)
                pending = []
                if change.op == "remove":
                    done.removed += self._remove(session, follow_id, local, change.entry_id)
                else:
                    done.updated += self._update(session, follow_id, change)
            done.added += self._add(session, follow_id, local, pending)
            done.skipped = sum(1 for c in page.changes if c.op == "add") - done.added
            row.cursor = page.next
            row.synced_at = utcnow()
        return done

    def _add(
        self, session: Session, follow_id: int, local: str, changes: list[RemoteChange]
    ) -> int:
        """Adds the entries of ``changes`` still at the publisher whose signal type this
        Bouclier holds; the others are skipped (an entry gone there is removed later in its
        log, or was a withdrawn case's)."""
        kept: list[tuple[RemoteChange, NewEntry]] = []
        for change in changes:
            if (
                change.reviewed is None
                or change.value is None
                or change.signal_type not in self.store.signal_types
            ):
                continue
            entry = NewEntry(
                value=change.value,
                signal_type=change.signal_type,
                quality=change.quality,
                source=f"follow:{urlsplit(self.url).netloc}"[:200],
                reviewed=change.reviewed,
            )
            try:
                kept.append((change, entry.validated(self.store.signal_types)))
            except BouclierError as exc:
                raise RemoteError(
                    f"change {change.cursor} of the publisher is refused: {exc.message}",
                    code="remote_invalid",
                ) from None
        if not kept:
            return 0
        ids = self.store.add_in(session, local, [entry for _, entry in kept])
        session.add_all(
            FollowedEntry(
                follow_id=follow_id,
                remote_entry=change.entry_id,
                entry_id=entry_id,
                minor=bool(change.minor),
            )
            for (change, _), entry_id in zip(kept, ids, strict=True)
        )
        session.flush()
        return len(ids)

    def _update(self, session: Session, follow_id: int, change: RemoteChange) -> int:
        """Gives the local mirror of the change's entry the standing the change carries, and
        logs an update of it locally; 0 when there is nothing to change (see the module's
        docstring: a replay, an entry not mirrored here or gone at the publisher)."""
        if change.reviewed is None:  # gone at the publisher: its removal follows in the log
            return 0
        mirror = session.get(FollowedEntry, (follow_id, change.entry_id))
        entry = session.get(BankEntry, mirror.entry_id) if mirror is not None else None
        if mirror is None or entry is None:
            return 0
        standing = (change.quality, change.reviewed, bool(change.minor))
        if (entry.quality, entry.reviewed, mirror.minor) == standing:
            return 0
        entry.quality, entry.reviewed, mirror.minor = standing
        session.flush()
        return self.store.log_updates_in(session, [entry.id])

    def _remove(self, session: Session, follow_id: int, local: str, remote_entry: int) -> int:
        where = (FollowedEntry.follow_id == follow_id, FollowedEntry.remote_entry == remote_entry)
        entries = list(session.scalars(select(FollowedEntry.entry_id).where(*where)))
        if not entries:
            return 0
        session.execute(delete(FollowedEntry).where(*where))
        return self.store.remove_entries_in(session, local, entries)

    def _get(self, path: str, params: dict[str, Any] | None = None) -> httpx.Response:
        try:
            answer = self._client.get(self.url + path, params=params, headers=self._headers)
        except httpx.HTTPError as exc:
            raise RemoteError(
                f"{self.url} is unreachable: {type(exc).__name__}", code="remote_unreachable"
            ) from None
        if answer.status_code != 200:
            raise RemoteError(
                f"{self.url}{path} answered HTTP {answer.status_code}", code="remote_refused"
            )
        return answer

    def _get_json(self, path: str) -> dict[str, Any]:
        try:
            body = self._get(path).json()
        except ValueError:
            raise RemoteError(
                f"{self.url}{path} did not answer JSON", code="remote_invalid"
            ) from None
        if not isinstance(body, dict):
            raise RemoteError(f"{self.url}{path} did not answer an object", code="remote_invalid")
        return body


def follows(session: Session) -> list[BankFollow]:
    """Every bank followed, for ``bouclier bank follows``."""
    return list(session.scalars(select(BankFollow).order_by(BankFollow.id)))
