"""Each /v1 operation as data: method, path, body, whether it may be sent twice, and the model
that reads its answer. The sync and async clients send the same calls; only the I/O differs.

An operation is *idempotent* when sending it twice does what sending it once does: every read,
every match, hash, analysis and guard check (they change nothing), the deletes, and setting a
webhook's events (the same list twice is the same list). Creations
(a bank, hashes, feedback, a webhook) are not: the client retries them only where the server
cannot have acted (the connection was refused, or a 429, given before any work).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Generic, TypeVar
from urllib.parse import quote

from pydantic import BaseModel

from bouclier.client import models

T = TypeVar("T")
M = TypeVar("M", bound=BaseModel)

#: An image (or a video): its bytes, or a path to read them from (read once, so a retry sends the
#: same bytes).
ImageInput = bytes | str | os.PathLike[str]


@dataclass(frozen=True)
class Call(Generic[T]):
    method: str
    path: str
    parse: Callable[[Any], T]
    idempotent: bool
    params: dict[str, str | int] = field(default_factory=dict)
    json: Any = None
    files: dict[str, tuple[str, bytes]] | None = None
    data: dict[str, str] | None = None


def _reader(model: type[M]) -> Callable[[Any], M]:
    return model.model_validate


def _image(image: ImageInput, name: str = "image") -> tuple[str, bytes]:
    if isinstance(image, bytes):
        return (name, image)
    path = Path(image)
    return (path.name, path.read_bytes())


def _segment(value: str) -> str:
    return quote(value, safe="")


def _nothing(body: Any) -> Any:
    return body


def healthz() -> Call[Any]:
    return Call("GET", "/healthz", _nothing, True)


def readyz() -> Call[Any]:
    return Call("GET", "/readyz", _nothing, True)


def hash_image(image: ImageInput) -> Call[models.Hashes]:
    return Call("POST", "/v1/hash", _reader(models.Hashes), True, files={"file": _image(image)})


def match_image(image: ImageInput, robust: int | None = None) -> Call[models.ImageMatch]:
    params: dict[str, str | int] = {} if robust is None else {"robust": robust}
    return Call(
        "POST",
        "/v1/match",
        _reader(models.ImageMatch),
        True,
        params=params,
        files={"file": _image(image)},
    )


def hash_video(video: ImageInput, purpose: str = "match") -> Call[models.VideoHashes]:
    """A video's digests and vPDQ: ``purpose`` ``match`` (one frame a second, a query) or
    ``bank`` (at the server's bank rate, for a bank entry)."""
    return Call(
        "POST",
        "/v1/hash",
        _reader(models.VideoHashes),
        True,
        params={"for": purpose},
        files={"file": _image(video, "video")},
    )


def match_video(video: ImageInput) -> Call[models.VideoMatch]:
    files = {"file": _image(video, "video")}
    return Call("POST", "/v1/match", _reader(models.VideoMatch), True, files=files)


def match_hashes(values: Sequence[str], signal_type: str = "pdq") -> Call[models.HashMatches]:
    body: dict[str, Any] = (
        {"pdq": list(values)}
        if signal_type == "pdq"
        else {"signal_type": signal_type, "values": list(values)}
    )
    return Call("POST", "/v1/match/hashes", _reader(models.HashMatches), True, json=body)


def analyze(image: ImageInput) -> Call[models.Analysis]:
    return Call(
        "POST", "/v1/analyze", _reader(models.Analysis), True, files={"file": _image(image)}
    )


def guard_request(
    prompt: str, image: ImageInput | None = None, *, minor: bool = False, enrolled: bool = False
) -> Call[models.GuardDecision]:
    read = _reader(models.GuardDecision)
    if image is None:
        body = {"prompt": prompt, "minor": minor, "enrolled": enrolled}
        return Call("POST", "/v1/guard/request", read, True, json=body)
    form = {"prompt": prompt, "minor": str(minor).lower(), "enrolled": str(enrolled).lower()}
    return Call("POST", "/v1/guard/request", read, True, data=form, files={"image": _image(image)})


def guard_output(source: ImageInput, output: ImageInput) -> Call[models.GuardDecision]:
    files = {"input": _image(source, "input"), "output": _image(output, "output")}
    return Call("POST", "/v1/guard/output", _reader(models.GuardDecision), True, files=files)


def banks() -> Call[models.Banks]:
    return Call("GET", "/v1/banks", _reader(models.Banks), True)


def bank(name: str) -> Call[models.Bank]:
    return Call("GET", f"/v1/banks/{_segment(name)}", _reader(models.Bank), True)


def create_bank(name: str, kind: str, threshold: int | None = None) -> Call[models.Bank]:
    body: dict[str, Any] = {"name": name, "kind": kind}
    if threshold is not None:
        body["threshold"] = threshold
    return Call("POST", "/v1/banks", _reader(models.Bank), False, json=body)


def delete_bank(name: str) -> Call[models.BankDeleted]:
    return Call("DELETE", f"/v1/banks/{_segment(name)}", _reader(models.BankDeleted), True)


def bank_changes(name: str, since: int = 0, limit: int = 1000) -> Call[models.Changes]:
    return Call(
        "GET",
        f"/v1/banks/{_segment(name)}/changes",
        _reader(models.Changes),
        True,
        params={"since": since, "limit": limit},
    )


def add_hashes(name: str, entries: Sequence[dict[str, Any] | str]) -> Call[models.EntriesAdded]:
    """``entries``: PDQ strings, or entry objects as the API takes them (``signal_type``,
    ``value``, ``quality``, ``note``...)."""
    body = {"entries": [{"pdq": e} if isinstance(e, str) else dict(e) for e in entries]}
    path = f"/v1/banks/{_segment(name)}/hashes"
    return Call("POST", path, _reader(models.EntriesAdded), False, json=body)


def remove_hash(name: str, entry: int) -> Call[models.EntryRemoved]:
    path = f"/v1/banks/{_segment(name)}/hashes/{int(entry)}"
    return Call("DELETE", path, _reader(models.EntryRemoved), True)


def add_image(name: str, image: ImageInput, source: str = "api") -> Call[models.ImageAdded]:
    return Call(
        "POST",
        f"/v1/banks/{_segment(name)}/images",
        _reader(models.ImageAdded),
        False,
        params={"source": source},
        files={"file": _image(image)},
    )


def feedback(
    entry_id: int,
    value: str,
    action: str,
    *,
    signal_type: str = "pdq",
    url: str | None = None,
) -> Call[models.Feedback]:
    body: dict[str, Any] = {"entry_id": entry_id, "action": action}
    if signal_type == "pdq":
        body["pdq"] = value
    else:
        body.update(signal_type=signal_type, value=value)
    if url is not None:
        body["url"] = url
    return Call("POST", "/v1/feedback", _reader(models.Feedback), False, json=body)


def create_webhook(
    name: str, url: str, events: Sequence[str] | None = None
) -> Call[models.WebhookCreated]:
    body: dict[str, Any] = {"name": name, "url": url}
    if events is not None:
        body["events"] = list(events)
    return Call("POST", "/v1/webhooks", _reader(models.WebhookCreated), False, json=body)


def webhooks() -> Call[models.Webhooks]:
    return Call("GET", "/v1/webhooks", _reader(models.Webhooks), True)


def set_webhook_events(webhook_id: int, events: Sequence[str]) -> Call[models.Webhook]:
    """Replaces a webhook's events: sent twice, it leaves the same list."""
    path = f"/v1/webhooks/{int(webhook_id)}/events"
    return Call("PUT", path, _reader(models.Webhook), True, json={"events": list(events)})


def delete_webhook(webhook_id: int) -> Call[models.WebhookDeleted]:
    path = f"/v1/webhooks/{int(webhook_id)}"
    return Call("DELETE", path, _reader(models.WebhookDeleted), True)


def deliveries(
    webhook_id: int, *, status: str | None = None, before: int | None = None, limit: int = 100
) -> Call[models.Deliveries]:
    params: dict[str, str | int] = {"limit": limit}
    if status is not None:
        params["status"] = status
    if before is not None:
        params["before"] = before
    path = f"/v1/webhooks/{int(webhook_id)}/deliveries"
    return Call("GET", path, _reader(models.Deliveries), True, params=params)


def retry_delivery(webhook_id: int, delivery_id: int) -> Call[models.Delivery]:
    path = f"/v1/webhooks/{int(webhook_id)}/deliveries/{int(delivery_id)}/retry"
    return Call("POST", path, _reader(models.Delivery), False)
