"""Evidence bundles: a case exported as one ZIP that a police officer or a court can check.

A bundle holds, in this order:

- ``manifest.json``: the case (with the other families' case numbers of a collective case), the
  hotline that issued it, its items (SHA-256, PDQ, URLs, UTC times), re-uploads blocked (with the
  re-upload's link a platform gave), platforms' uploads that matched a video of the case (both
  shares and which frames matched, ``video_matches``), notices (with the platforms' answers), the
  key that signs it, the custody log's length and head hash, and the SHA-256 and size of every
  other file;
- ``signature.json``: the manifest's Ed25519 signature by the instance's key, with the public key
  (:mod:`bouclier.cases.bundle_signature`);
- ``custody.jsonl``: the case's custody log, one entry per line (:mod:`bouclier.cases.custody`);
- ``summary.pdf``: a readable summary (:mod:`bouclier.cases.summary`);
- ``VERIFY.txt``: how to check the bundle, with a tool or by hand;
- ``evidence/<item>.<ext>``: the evidence files a victim chose to keep (never for a minor);
- ``captures/<id>.zip``: the captures of the case's URLs, each a signed and timestamped package
  (:mod:`bouclier.capture.package`), checked on verification too.

The export is itself an entry of the custody log (``bundle.exported``), and that entry records the
SHA-256 of the manifest's content (everything but its ``custody`` and ``files`` sections, in
canonical JSON) and of every file but the log. So a bundle checks itself end to end: each file
against the manifest, the log against its chain and the manifest's head hash, the manifest's
content and files against the log's last entry. Whoever would change anything must recompute the
last entry, which changes the head hash, and sign the new manifest with a key of their own:
the check (:func:`bouclier.cases.bundle_check.verify_bundle`) reports the signer's fingerprint,
which is not the issuing organisation's (and fails when that one is pinned, ``expected_key``); the
head also differs from the one the organisation holds (``bouclier evidence verify CASE``).
Bundles of format 1, made before bundles were signed, are still checked, and reported as unsigned.
"""

from __future__ import annotations

import hashlib
import io
import json
import zipfile
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select

from bouclier import __version__
from bouclier.cases import bundle_captures as captures
from bouclier.cases import bundle_signature, custody, summary
from bouclier.cases.bundle_signature import SIGNATURE
from bouclier.cases.store import Cases, ItemInfo
from bouclier.errors import Conflict
from bouclier.settings import Settings
from bouclier.signing_key import SigningKey, load_signing_key
from bouclier.storage.models import Notice, utc_iso, utcnow

FORMAT = "bouclier-evidence-bundle"
FORMAT_VERSION = 2
#: Format 1: the same bundle, unsigned (before the instance's signing key).
READABLE_VERSIONS = (1, 2)
MANIFEST = "manifest.json"
CUSTODY = "custody.jsonl"
SUMMARY = "summary.pdf"
VERIFY = "VERIFY.txt"
EVIDENCE_DIR = "evidence/"
_EXTENSIONS = {"jpeg": "jpg", "tiff": "tif", "svg+xml": "svg"}


def export_bundle(
    cases: Cases, number: str, *, actor: str, include_files: bool = True, attempts: int = 3
) -> bytes:
    """The case's evidence bundle; its export is appended to the case's custody log."""
    key = load_signing_key(cases.settings)
    assert key is not None  # made when missing
    for _ in range(attempts):
        bundle = _try_export(cases, number, key, actor=actor, include_files=include_files)
        if bundle is not None:
            return bundle
    raise Conflict("the case kept changing during the export; try again", code="case_busy")


def _try_export(
    cases: Cases, number: str, key: SigningKey, *, actor: str, include_files: bool
) -> bytes | None:
    info = cases.get(number)
    moment = utcnow()
    log = cases.custody_log(info.number)
    items = cases.items(info.number)
    family = cases.collective(info.number) if info.collective_id is not None else []
    with cases.db.transaction() as session:
        notices = session.scalars(
            select(Notice).where(Notice.case_id == info.id).order_by(Notice.id)
        ).all()
        notice_rows = [
            {
                "reference": n.reference,
                "platform": n.platform,
                "url": n.url,
                "law": n.law,
                "status": n.status,
                "sent_at": _iso(n.sent_at),
                "deadline_at": _iso(n.deadline_at),
                "answered_at": _iso(n.answered_at),
                "answer": n.answer,
            }
            for n in notices
        ]
    files: dict[str, bytes] = {}
    by_item: dict[int, str] = {}
    if include_files and not info.minor:
        for item in items:
            if item.kind == "evidence" and item.media_type:
                data, media_type = cases.evidence(info.number, item.id)
                by_item[item.id] = _evidence_name(item.id, media_type)
                files[by_item[item.id]] = data
    capture_rows = captures.rows(cases, info.number)
    if include_files:  # a minor's captures hold hashes and statuses only, unless an analyst asked
        files.update(captures.files(cases, info.number, capture_rows))
    content: dict[str, Any] = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "tool": {"name": "bouclier", "version": __version__},
        "generated_at": utc_iso(moment),
        "case": {
            "number": info.number,
            "created_at": utc_iso(info.created_at),
            "language": info.language,
            "minor": info.minor,
            "sextortion": info.sextortion,
            "status": info.status,
            # families who filed together: the police link their cases by number (a number
            # opens nothing without its secret)
            "collective": {
                "member": info.collective_id is not None,
                "cases": len(family),
                "numbers": [c.number for c in family if c.number != info.number],
            },
        },
        "hotline": _hotline(cases.settings),
        "items": [_item_row(item, by_item.get(item.id)) for item in items],
        "reuploads": [
            {
                "platform": r.platform,
                "action": r.action,
                "at": utc_iso(r.at),
                "item": r.item_id,
                "url": r.url,
            }
            for r in cases.reuploads(info.number)
        ],
        # platforms' uploads that matched a video of the case, and which frames matched
        "video_matches": [v.to_dict() for v in cases.video_matches(info.number)],
        "notices": notice_rows,
        "captures": capture_rows,
        "signer": bundle_signature.signer_section(key.public),
    }
    head = log[-1].sha256 if log else custody.GENESIS
    files[SUMMARY] = summary.render(
        content,
        custody_length=len(log),
        custody_head=head,
        generated_at=moment,
        timezone=cases.settings.hotline_timezone,
    )
    files[VERIFY] = _verify_text(info.number).encode("utf-8")
    file_digests = {name: _sha256(data) for name, data in sorted(files.items())}
    with cases.db.transaction() as session:
        if custody.count(session, info.id) != len(log):
            return None  # an event came in meanwhile: the summary would be stale
        entry = custody.append(
            session,
            info.id,
            "bundle.exported",
            actor,
            {
                "content_sha256": content_digest(content),
                "files": file_digests,
                "with_files": include_files and not info.minor,
            },
            at=moment,
        )
    log.append(entry)
    files[CUSTODY] = custody.to_jsonl(log)
    manifest = {
        **content,
        "custody": {"file": CUSTODY, "length": len(log), "head_sha256": entry.sha256},
        "files": {
            name: {"sha256": _sha256(data), "size": len(data)}
            for name, data in sorted(files.items(), key=lambda kv: _order(kv[0]))
        },
    }
    manifest_bytes = json.dumps(manifest, indent=2, ensure_ascii=False).encode("utf-8") + b"\n"
    return _zip(
        {
            MANIFEST: manifest_bytes,
            SIGNATURE: bundle_signature.sign(key, manifest_bytes, MANIFEST),
            **dict(sorted(files.items(), key=lambda kv: _order(kv[0]))),
        },
        moment,
    )


def content_digest(manifest: Mapping[str, Any]) -> str:
    """SHA-256 of a manifest's content: all of it but ``custody`` and ``files``, canonical."""
    content = {k: v for k, v in manifest.items() if k not in ("custody", "files")}
    return _sha256(custody.canonical(content))


def _hotline(settings: Settings) -> dict[str, str | None]:
    """Who issued the bundle and how to reach them (the settings' hotline)."""
    return {
        "name": settings.hotline_name,
        "email": settings.hotline_email,
        "phone": settings.hotline_phone,
        "website": settings.hotline_website,
        "address": settings.hotline_address,
    }


def _item_row(item: ItemInfo, file: str | None) -> dict[str, Any]:
    row: dict[str, Any] = {
        "id": item.id,
        "kind": item.kind,
        "status": item.status,
        "created_at": utc_iso(item.created_at),
        "sha256": item.sha256,
        "pdq": item.pdq,
        "quality": item.quality,
        "url": item.url,
        "platform": item.platform,
    }
    if file is not None:
        row["file"] = file
    frames = item.frames
    if frames:  # a video hashed on the victim's device: every hashed frame, with its time
        row["signal_type"] = item.signal_type
        row["md5"] = item.md5
        row["video"] = {
            "frames": len(frames),
            "last_frame_seconds": frames[-1].timestamp,
            # the reference's lines: frame number, PDQ quality, PDQ hash, time in seconds
            "vpdq": [frame.line() for frame in frames],
        }
    return row


def _evidence_name(item_id: int, media_type: str) -> str:
    subtype = media_type.rpartition("/")[2].lower()
    ext = _EXTENSIONS.get(subtype, "".join(ch for ch in subtype if ch.isalnum()) or "bin")
    return f"{EVIDENCE_DIR}{item_id}.{ext}"


def _item_id_of(name: str) -> int:
    return int(name[len(EVIDENCE_DIR) :].partition(".")[0])


def _order(name: str) -> tuple[int, int, str]:
    fixed = (MANIFEST, SIGNATURE, CUSTODY, SUMMARY, VERIFY)
    if name in fixed:
        return (fixed.index(name), 0, name)
    if name.startswith(EVIDENCE_DIR):
        return (len(fixed), _item_id_of(name), name)
    return (len(fixed) + 1, 0, name)


def _zip(files: Mapping[str, bytes], moment: datetime) -> bytes:
    """A ZIP of ``files`` in the given order, every entry stamped with ``moment`` in UTC."""
    stamp = moment.astimezone(UTC).timetuple()[:6]
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in files.items():
            info = zipfile.ZipInfo(name, date_time=stamp)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            archive.writestr(info, data)
    return buffer.getvalue()


def _verify_text(number: str) -> str:
    return f"""How to verify this evidence bundle (Bouclier case {number})
===================================================================

With Bouclier (any version that reads bundle format {FORMAT_VERSION}):

    bouclier evidence verify bundle.zip --expect-key SHA256:<the issuer's key fingerprint>

It prints "intact" with the fingerprint of the key that signed the bundle and exits with 0, or
lists every problem found and exits with 7. The issuing organisation publishes its key's
fingerprint (`bouclier evidence public-key`, or GET /v1/evidence/signing-key on its service):
compare it with the one printed, or pin it with --expect-key as above. The organisation can also
run `bouclier evidence verify {number}` on its database: the head hash it prints must be the
manifest's custody.head_sha256 (or, if the case went on after the export, appear in its log as
the hash of the bundle.exported entry).

By hand, with openssl, sha256sum and a JSON reader:

0. The signature: signature.json holds the Ed25519 signature (base64) of the exact bytes of
   manifest.json and the public key that made it (public_key_pem, also named in the
   manifest's "signer"). Save public_key_pem as key.pem and the decoded signature as sig.bin:
       openssl pkeyutl -verify -pubin -inkey key.pem -rawin -in manifest.json -sigfile sig.bin
   must print "Signature Verified Successfully"; the key's fingerprint, "SHA256:" and the
   SHA-256 of its 32 raw bytes (base64 "public_key", decoded), must be the issuer's.

1. Unzip the bundle. For every file listed under "files" in manifest.json, run
   `sha256sum FILE`: the result must be the "sha256" given there, and the size the "size".
   No file may be in the bundle that the manifest does not list, but signature.json.
2. Check the custody log, custody.jsonl, one JSON entry per line. For each entry, in order:
   - "seq" is its line number (1, 2, 3, ...);
   - "prev_sha256" is the "sha256" of the entry before it (64 zeros for the first);
   - "sha256" = SHA-256 of the text: prev_sha256, a newline, then the JSON object
     {{"seq", "at", "kind", "actor", "data"}} of the entry written canonically (keys sorted,
     no spaces, UTF-8, non-ASCII characters as they are).
   The "sha256" of the last entry must be custody.head_sha256 in manifest.json, and the
   number of entries custody.length.
3. The last entry (kind "bundle.exported") records this export: its data.content_sha256 is
   the SHA-256 of manifest.json without its "custody" and "files" keys, written canonically
   as above, and its data.files gives the SHA-256 of every file but custody.jsonl.

An entry that was edited no longer matches its hash; one removed, inserted or moved breaks the
sequence or the link to its neighbour; a change to the manifest, the summary or an evidence
file no longer matches what the last entry recorded.
"""


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _iso(moment: datetime | None) -> str | None:
    return utc_iso(moment) if moment is not None else None
