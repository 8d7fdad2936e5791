"""Captures of a case's URLs: made on request or by the liveness sweep, kept sealed, logged.

:meth:`Captures.capture` visits a URL item of a case (:mod:`bouclier.capture.recorder`), hashes
every image the page loaded (SHA-256, PDQ) and matches it against the banks, so the capture says
which banked picture it shows; builds the signed, timestamped package
(:mod:`bouclier.capture.package`), seals it with the case key like evidence files, and appends
``capture.made`` to the custody log in the transaction that stores it.

For a case concerning a minor, no copy is kept (the design's rule): the package then holds only
the manifest (URL, status, times, the images' hashes and matches), signed and timestamped, unless
an analyst explicitly asks for the full capture (``allow_minor``, logged as such).

A capture's ``outcome`` says where the page stands compared with the one before it of the same
URL: ``gone`` (unreachable, or 404/410/451), ``online`` (a banked picture is still shown, or the
same images as before), ``changed`` (it answers, without the pictures seen before).
"""

from __future__ import annotations

import builtins
import hashlib
import json
import ssl
import time
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select

from bouclier.banks.matcher import BankMatcher
from bouclier.banks.store import BankStore
from bouclier.capture import package, recorder
from bouclier.capture.fetcher import Fetcher
from bouclier.cases import custody, sealing
from bouclier.cases.credentials import canonical_number
from bouclier.errors import BouclierError, InputError, MediaError, NotFound
from bouclier.hashing import hash_bytes
from bouclier.media import Limits
from bouclier.settings import Settings
from bouclier.signing_key import load_signing_key
from bouclier.storage import Database
from bouclier.storage.models import Capture, Case, CaseItem, utc_iso, utcnow
from bouclier.webhooks.destinations import Destinations
from bouclier.webhooks.transport import tls_context

REASONS = ("request", "deadline", "recheck", "removal")
OUTCOMES = ("online", "changed", "gone")
GONE_STATUSES = (404, 410, 451)
MAX_IMAGES = 200  # images hashed per capture (the rest are in the WARC, not matched)


@dataclass(frozen=True, slots=True)
class CaptureInfo:
    id: int
    case_number: str
    item_id: int | None
    notice_id: int | None
    url: str
    final_url: str | None
    reason: str
    outcome: str
    http_status: int | None
    matched: int
    size: int
    manifest_sha256: str
    created_at: datetime
    actor: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "case": self.case_number,
            "item": self.item_id,
            "notice": self.notice_id,
            "url": self.url,
            "final_url": self.final_url,
            "reason": self.reason,
            "outcome": self.outcome,
            "http_status": self.http_status,
            "matched": self.matched,
            "size": self.size,
            "manifest_sha256": self.manifest_sha256,
            "created_at": utc_iso(self.created_at),
        }


class Captures:
    """The captures of one database. ``tls`` replaces the public certificate authorities (tests
    with their own CA); the network rules are the settings' (BOUCLIER_CAPTURE_ALLOWED_HOSTS)."""

    def __init__(
        self,
        db: Database,
        settings: Settings,
        *,
        banks: BankStore | None = None,
        tls: ssl.SSLContext | None = None,
    ) -> None:
        self.db = db
        self.settings = settings
        self.banks = banks or BankStore(db, default_threshold=settings.default_threshold)
        self.tls = tls

    # --- capturing ------------------------------------------------------------------------------

    def capture(
        self,
        number: str,
        item_id: int,
        *,
        actor: str,
        reason: str = "request",
        notice_id: int | None = None,
        allow_minor: bool = False,
    ) -> CaptureInfo:
        """Captures URL item ``item_id`` of case ``number`` now (see the module docstring)."""
        if reason not in REASONS:
            raise ValueError(f"unknown capture reason {reason!r}")
        with self.db.transaction() as session:
            case = _case(session, number)
            item = session.scalar(
                select(CaseItem).where(CaseItem.id == item_id, CaseItem.case_id == case.id)
            )
            if item is None:
                raise NotFound(f"case {case.number} has no item {item_id}", code="item_not_found")
            if item.kind != "url" or not item.url:
                raise InputError("only a URL item of a case is captured", code="invalid_item")
            if case.minor and reason == "request" and not allow_minor:
                raise InputError(
                    "this case concerns a minor: Bouclier keeps links and hashes, not copies; "
                    "an analyst may ask for a capture explicitly",
                    code="capture_refused_minor",
                )
            url, case_number, minor = item.url, case.number, case.minor
            before = _previous(session, case.id, item.id)
        keep = not minor or allow_minor
        key = load_signing_key(self.settings)
        assert key is not None  # made when missing
        case_key = sealing.load_case_key(self.settings, create=True)
        assert case_key is not None
        recording = self.visit(url)
        images = self._images(recording)
        outcome = _outcome(recording, images, before)
        content = {
            "case": case_number,
            "item": item_id,
            "reason": reason,
            "outcome": outcome,
            "url": url,
            "final_url": recording.final_url,
            "http_status": recording.status,
            "error": recording.error,
            "title": recording.title if keep else None,
            "started_at": utc_iso(recording.started_at),
            "finished_at": package.iso(recording.finished_at),
            "copies_kept": keep,
            "requests": len(recording.exchanges),
            "bytes": sum(len(e.body) for e in recording.exchanges),
            "refused": recording.refused[:100],
            "tls_chain_sha256": [hashlib.sha256(c).hexdigest() for c in recording.main_chain],
            "images": images,
        }
        files = self._files(recording) if keep else {}
        data, manifest_bytes, failures = package.build(
            content, files, key, self.settings.capture_authorities
        )
        manifest_sha256 = hashlib.sha256(manifest_bytes).hexdigest()
        matched = sum(1 for image in images if image["matches"])
        now = utcnow()
        with self.db.transaction() as session:
            case = _case(session, case_number)
            row = Capture(
                case_id=case.id,
                item_id=item_id,
                notice_id=notice_id,
                url=url,
                final_url=(recording.final_url or None) and recording.final_url[:2000],
                reason=reason,
                outcome=outcome,
                http_status=recording.status,
                images=json.dumps(sorted({i["sha256"] for i in images})),
                matched=matched,
                manifest_sha256=manifest_sha256,
                size=len(data),
                ciphertext=b"",
                key_id=case_key.key_id,
                actor=actor[:120],
                created_at=now,
            )
            session.add(row)
            session.flush()
            row.ciphertext = sealing.seal(
                case_key, data, purpose=f"capture {row.id}", case_number=case.number
            )
            event: dict[str, Any] = {
                "capture": row.id,
                "item": item_id,
                "reason": reason,
                "outcome": outcome,
                "http_status": recording.status,
                "manifest_sha256": manifest_sha256,
                "package_sha256": hashlib.sha256(data).hexdigest(),
                "matched": matched,
                "timestamps": len(self.settings.capture_authorities) - len(failures),
            }
            if notice_id is not None:
                event["notice_id"] = notice_id
            if minor and allow_minor:
                event["minor_capture_asked_by_analyst"] = True
            if failures:
                event["timestamp_failures"] = [f[:300] for f in failures]
            custody.append(session, case.id, "capture.made", actor, event, at=now)
            case.updated_at = now
            return _info(row, case.number)

    def visit(self, url: str) -> recorder.Recording:
        """One recorded visit of ``url`` under the settings' limits and network rules."""
        fetcher = Fetcher(
            destinations=Destinations.allowing(self.settings.capture_allowed),
            context=self.tls or tls_context(),
            budget=self.settings.capture_max_bytes,
            deadline=time.monotonic() + self.settings.capture_timeout,
        )
        try:
            return recorder.record(
                url,
                fetcher,
                browser=self.settings.capture_browser,
                timeout=self.settings.capture_timeout,
            )
        except Exception as exc:  # the browser itself did not start: an operator's problem
            if isinstance(exc, BouclierError):
                raise
            raise CaptureUnavailable(
                f"the capture browser {self.settings.capture_browser} could not run: "
                f"{str(exc).strip().splitlines()[0][:300] if str(exc).strip() else exc!r}"
            ) from None

    # --- reading ----------------------------------------------------------------------------------

    def list(self, number: str) -> list[CaptureInfo]:
        with self.db.transaction() as session:
            case = _case(session, number)
            rows = session.scalars(
                select(Capture).where(Capture.case_id == case.id).order_by(Capture.id)
            ).all()
            return [_info(row, case.number) for row in rows]

    def package(self, number: str, capture_id: int) -> bytes:
        """A capture's package (decrypted)."""
        with self.db.transaction() as session:
            case = _case(session, number)
            row = session.scalar(
                select(Capture).where(Capture.id == capture_id, Capture.case_id == case.id)
            )
            if row is None:
                raise NotFound(
                    f"case {case.number} has no capture {capture_id}", code="capture_not_found"
                )
            key = sealing.load_case_key(self.settings, create=True)
            assert key is not None
            return sealing.unseal(
                key, row.ciphertext, purpose=f"capture {row.id}", case_number=case.number
            )

    def preview(self, number: str, capture_id: int, *, blur: bool = True) -> bytes | None:
        """The capture's screenshot as a small PNG, blurred unless ``blur`` is false; None when
        the capture kept no copy."""
        import io
        import zipfile

        from PIL import Image, ImageFilter

        data = self.package(number, capture_id)
        with zipfile.ZipFile(io.BytesIO(data)) as zipped:
            if package.SCREENSHOT not in zipped.namelist():
                return None
            shot = zipped.read(package.SCREENSHOT)
        image = Image.open(io.BytesIO(shot)).convert("RGB")
        image.thumbnail((480, 1600))
        if blur:
            image = image.filter(ImageFilter.GaussianBlur(radius=12))
        out = io.BytesIO()
        image.save(out, "PNG")
        return out.getvalue()

    # --- internals --------------------------------------------------------------------------------

    def _images(self, recording: recorder.Recording) -> builtins.list[dict[str, Any]]:
        matcher: BankMatcher | None = None
        limits = Limits.from_settings(self.settings)
        images: builtins.list[dict[str, Any]] = []
        for exchange in recording.exchanges:
            kind = (exchange.header("content-type") or "").split(";")[0].strip().lower()
            if not kind.startswith("image/") or exchange.status != 200 or not exchange.body:
                continue
            if len(images) >= MAX_IMAGES:
                break
            try:
                hashes = hash_bytes(exchange.body, limits=limits, framing=False)
            except MediaError:
                continue  # an SVG, an icon Bouclier does not decode: in the WARC, not matched
            if matcher is None:
                matcher = BankMatcher.from_store(self.banks)
            found = matcher.match_image(hashes, candidates=0).matches
            images.append(
                {
                    "url": exchange.url[:2000],
                    "sha256": hashes.sha256,
                    "pdq": hashes.pdq.pdq,
                    "quality": hashes.pdq.quality,
                    "matches": [
                        {
                            "bank": m.bank,
                            "kind": m.bank_kind,
                            "entry": m.entry,
                            "distance": m.distance,
                        }
                        for m in found
                    ],
                }
            )
        return images

    def _files(self, recording: recorder.Recording) -> dict[str, bytes]:
        from bouclier.capture import archive

        files: dict[str, bytes] = {}
        if recording.exchanges:
            files[package.WACZ] = archive.package(
                recording.warc,
                recording.final_url or recording.url,
                recording.title,
                recording.started_at,
            )
        if recording.screenshot:
            files[package.SCREENSHOT] = recording.screenshot
        if recording.html is not None:
            files[package.HTML] = recording.html.encode("utf-8")
        if recording.main_chain:
            files[package.CERTIFICATES] = package.certificates_pem(recording.main_chain)
        return files


class CaptureUnavailable(BouclierError):
    """The capture browser is missing or does not start (BOUCLIER_CAPTURE_BROWSER)."""

    code = "capture_unavailable"


def _outcome(
    recording: recorder.Recording, images: list[dict[str, Any]], before: set[str] | None
) -> str:
    if recording.status is None or recording.status in GONE_STATUSES:
        return "gone"
    if any(image["matches"] for image in images):
        return "online"
    seen = {image["sha256"] for image in images}
    if before is None or (before and before & seen) or (not before and not seen):
        return "online"
    return "changed"


def _previous(session: Any, case_id: int, item_id: int) -> set[str] | None:
    """The images of the item's last capture that answered (None: no such capture)."""
    row = session.scalar(
        select(Capture)
        .where(Capture.case_id == case_id, Capture.item_id == item_id, Capture.outcome != "gone")
        .order_by(Capture.id.desc())
        .limit(1)
    )
    return set(json.loads(row.images)) if row is not None else None


def _case(session: Any, number: str) -> Case:
    canonical = canonical_number(number) if isinstance(number, str) else None
    row = session.scalar(select(Case).where(Case.number == canonical)) if canonical else None
    if row is None:
        raise NotFound("no such case", code="case_not_found")
    return row  # type: ignore[no-any-return]


def _info(row: Capture, number: str) -> CaptureInfo:
    return CaptureInfo(
        id=row.id,
        case_number=number,
        item_id=row.item_id,
        notice_id=row.notice_id,
        url=row.url,
        final_url=row.final_url,
        reason=row.reason,
        outcome=row.outcome,
        http_status=row.http_status,
        matched=row.matched,
        size=row.size,
        manifest_sha256=row.manifest_sha256,
        created_at=row.created_at,
        actor=row.actor,
    )
