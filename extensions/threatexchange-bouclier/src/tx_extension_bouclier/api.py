"""The ``bouclier`` SignalExchangeAPI: an HMA instance (or the ``threatexchange`` CLI) subscribes
to one bank of a Bouclier instance.

:meth:`BouclierSignalExchangeAPI.fetch_iter` pulls the bank's signed delta sync from the
checkpoint's cursor, one verified page per :class:`FetchDelta`, keyed by Bouclier's ``entry_id``:
an addition is a :class:`BouclierSignalMetadata` record, an update (the entry's review status or
minor flag changed at the publisher) is the entry's whole new record, which replaces the old one
as threatexchange's merge does for any record under the same key, and a removal (an analyst's, a
victim's withdrawal, whose value is null) is ``None``, which the merge turns into a deletion. An
update of an entry gone since carries no standing: ``None`` as well, never a resurrection.
The checkpoint holds the cursor and the publisher key's fingerprint, pinned on the first fetch
(or named by the collab's ``expect_key``): a page signed by another key stops the fetch, and
nothing of it is yielded. Signal types map to threatexchange's: ``pdq`` to ``pdq``, ``md5`` and
``sha256`` (an image file's) to ``photo_md5`` and ``photo_sha256`` (:mod:`.signals`).
"""

# No ``from __future__ import annotations``: threatexchange reads the dataclasses' field types
# at run time (CLI arguments, state files).
import time
import typing as t
from dataclasses import dataclass, field
from urllib.parse import quote, urlsplit

import httpx
from threatexchange.exchanges import auth, signal_exchange_api
from threatexchange.exchanges import fetch_state as state
from threatexchange.exchanges.collab_config import CollaborationConfigWithDefaults
from threatexchange.signal_type.signal_base import SignalType

from tx_extension_bouclier import pages

#: Bouclier's signal type names → threatexchange's.
SIGNAL_TYPES = {"pdq": "pdq", "md5": "photo_md5", "sha256": "photo_sha256"}
PAGE_SIZE = 1000
_TIMEOUT_S = 30.0


@dataclass
class _Required:
    url: str = field(metadata={"help": "the Bouclier's base URL (https://host[:port])"})
    bank: str = field(metadata={"help": "the bank to subscribe to"})


@dataclass
class BouclierCollabConfig(CollaborationConfigWithDefaults, _Required):
    expect_key: t.Optional[str] = field(  # noqa: UP045 (threatexchange reads t.Optional)
        default=None,
        metadata={
            "help": "the publisher's signing key fingerprint (SHA256:...); default: "
            "pinned on the first fetch"
        },
    )


@dataclass
class BouclierCheckpoint(state.FetchCheckpointBase):
    cursor: int
    key_fingerprint: str
    fetched_at: int

    def get_progress_timestamp(self) -> int | None:
        return None  # a cursor, not a time: threatexchange's rewind check does not apply


@dataclass
class BouclierSignalMetadata(state.FetchedSignalMetadata):
    """An entry of the bank: its hash, and the publisher's standing of it."""

    entry_id: int
    signal_type: str  # threatexchange's name
    value: str
    quality: t.Optional[int]  # noqa: UP045 (threatexchange reads t.Optional)
    reviewed: bool
    minor: bool

    def get_as_opinions(self) -> t.Sequence[state.SignalOpinion]:
        # An unreviewed entry is a victim's report no analyst has confirmed: a seed, not a verdict.
        category = (
            state.SignalOpinionCategory.POSITIVE_CLASS
            if self.reviewed
            else state.SignalOpinionCategory.INVESTIGATION_SEED
        )
        tags = {"ncii"} | ({"minor"} if self.minor else set())
        return [state.SignalOpinion(False, category, tags)]


@dataclass
class BouclierCredentials(auth.CredentialHelper):
    ENV_VARIABLE: t.ClassVar[str] = "TX_BOUCLIER_KEY"
    FILE_NAME: t.ClassVar[str] = "~/.tx_bouclier_key"

    api_key: str

    @classmethod
    def _from_str(cls, s: str) -> "BouclierCredentials":
        return cls(s.strip())

    def _are_valid(self) -> bool:
        return bool(self.api_key)


_Delta = state.FetchDelta[int, BouclierSignalMetadata, BouclierCheckpoint]


class BouclierSignalExchangeAPI(
    auth.SignalExchangeWithAuth[BouclierCollabConfig, BouclierCredentials],
    signal_exchange_api.SignalExchangeAPI[
        BouclierCollabConfig,
        BouclierCheckpoint,
        BouclierSignalMetadata,
        int,
        BouclierSignalMetadata,
    ],
):
    """One Bouclier bank, by signed delta sync."""

    def __init__(
        self,
        collab: BouclierCollabConfig,
        credentials: BouclierCredentials,
        client: httpx.Client | None = None,
    ) -> None:
        parts = urlsplit(collab.url.strip())
        if parts.scheme not in ("http", "https") or not parts.hostname or parts.query:
            raise ValueError("the Bouclier URL is http(s)://host[:port][/path], without a query")
        self.collab = collab
        self.base = f"{parts.scheme}://{parts.netloc}{parts.path.rstrip('/')}"
        self.client = client or httpx.Client(timeout=_TIMEOUT_S)
        self.headers = {"Authorization": f"Bearer {credentials.api_key}"}

    @classmethod
    def get_name(cls) -> str:
        return "bouclier"

    @staticmethod
    def get_config_cls() -> type[BouclierCollabConfig]:
        return BouclierCollabConfig

    @staticmethod
    def get_checkpoint_cls() -> type[BouclierCheckpoint]:
        return BouclierCheckpoint

    @staticmethod
    def get_record_cls() -> type[BouclierSignalMetadata]:
        return BouclierSignalMetadata

    @staticmethod
    def get_credential_cls() -> type[BouclierCredentials]:
        return BouclierCredentials

    @classmethod
    def for_collab(
        cls, collab: BouclierCollabConfig, credentials: BouclierCredentials | None = None
    ) -> "BouclierSignalExchangeAPI":
        return cls(collab, credentials or BouclierCredentials.get(cls))

    def fetch_iter(
        self,
        supported_signal_types: t.Sequence[type[SignalType]],
        checkpoint: BouclierCheckpoint | None,
    ) -> t.Iterator[_Delta]:
        key = self._signing_key(checkpoint)
        cursor = checkpoint.cursor if checkpoint else 0
        while True:
            path = f"/v1/banks/{quote(self.collab.bank, safe='')}/changes"
            answer = self._get(path, {"since": cursor, "limit": PAGE_SIZE})
            data = pages.verify(key, answer.content, answer.headers.get(pages.SIGNATURE_HEADER))
            page = pages.parse(data, self.collab.bank, cursor)
            updates: dict[int, BouclierSignalMetadata | None] = {}
            for change in page.changes:  # in order: a later change of an entry wins
                updates[change.entry_id] = _record(change)
            cursor = page.next
            yield _Delta(
                updates, BouclierCheckpoint(cursor, pages.fingerprint(key), int(time.time()))
            )
            if not page.more:
                return

    @classmethod
    def naive_convert_to_signal_type(
        cls,
        signal_types: t.Sequence[type[SignalType]],
        collab: BouclierCollabConfig,
        fetched: t.Mapping[int, BouclierSignalMetadata],
    ) -> dict[type[SignalType], dict[str, BouclierSignalMetadata]]:
        by_name = {s.get_name(): s for s in signal_types}
        found: dict[type[SignalType], dict[str, BouclierSignalMetadata]] = {}
        for record in fetched.values():
            kind = by_name.get(record.signal_type)
            if kind is None:
                continue
            try:
                value = kind.validate_signal_str(record.value)
            except ValueError:
                continue  # checked at the door already; a type's own rule stays the last word
            found.setdefault(kind, {})[value] = record
        return found

    def _signing_key(self, checkpoint: BouclierCheckpoint | None) -> bytes:
        answer = self._get("/v1/evidence/signing-key")
        try:
            raw = pages.parse_key(answer.json()["public_key"])
        except (ValueError, KeyError, TypeError):
            raise pages.BouclierPageError("the publisher's signing key is not one") from None
        pinned = checkpoint.key_fingerprint if checkpoint else self.collab.expect_key
        if pinned and not pages.same_key(raw, pinned):
            raise pages.BouclierPageError(
                f"the publisher's key is {pages.fingerprint(raw)}, not the pinned {pinned}"
            )
        return raw

    def _get(self, path: str, params: dict[str, t.Any] | None = None) -> httpx.Response:
        answer = self.client.get(self.base + path, params=params, headers=self.headers)
        if answer.status_code != 200:
            raise pages.BouclierPageError(f"{self.base}{path} answered HTTP {answer.status_code}")
        return answer


def _record(change: pages.Change) -> BouclierSignalMetadata | None:
    """The record of an addition or update of an entry still at the publisher, in a type
    threatexchange names; None (a deletion) for anything else."""
    kind = SIGNAL_TYPES.get(change.signal_type)
    value, reviewed = change.value, change.reviewed
    if change.op not in ("add", "update") or value is None or reviewed is None or kind is None:
        return None
    return BouclierSignalMetadata(
        entry_id=change.entry_id,
        signal_type=kind,
        value=value,
        quality=change.quality,
        reviewed=reviewed,
        minor=bool(change.minor),
    )
