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
  (:mod:`bouclier.capture.package`), checked by :func:`verify_bundle` too.

The export is itself an entry of the custody log (``bundle.exported``), and that entry records the
SHA-256 of the manifest's content (everything but its ``custody`` and ``files`` sections, in
canonical JSON) and of every file but the log. So a bundle checks itself end to end: each file
against the manifest, the log against its chain and the manifest's head hash, the manifest's
content and files against the log's last entry. Whoever would change anything must recompute the
last entry, which changes the head hash, and sign the new manifest with a key of their own:
:func:`verify_bundle` reports the signer's fingerprint, which is not the issuing organisation's
(and fails when that one is pinned, ``expected_key``); the head also differs from the one the
organisation holds (``bouclier evidence verify CASE``). Bundles of format 1, made before bundles
were signed, are still checked, and reported as unsigned.

:func:`verify_bundle` reads untrusted files: it never extracts anything to disk, caps the number
of entries and the bytes it will decompress, and reports every problem in words rather than fail.
"""

from __future__ import annotations

import hashlib
import io
import json
import posixpath
import zipfile
from collections.abc import Mapping
from dataclasses import dataclass
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
from bouclier.signing_key import PublicKey, SigningKey, load_signing_key
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
#: What verify_bundle will read of a ZIP, at most: anything bigger is reported, not read.
MAX_ENTRIES = 10_000
MAX_UNCOMPRESSED = 1024**3
MAX_TEXT_FILE = 256 * 1024**2  # manifest.json and custody.jsonl are held in memory
_CHUNK = 1024**2
_EXTENSIONS = {"jpeg": "jpg", "tiff": "tif", "svg+xml": "svg"}


@dataclass(frozen=True, slots=True)
class BundleVerification:
    """The result of checking a bundle: ``ok`` when nothing is wrong; each problem in words."""

    ok: bool
    problems: tuple[str, ...]
    custody: custody.Verification | None  # None when the log could not be read at all
    case_number: str | None = None
    format_version: int | None = None
    #: The key whose signature matches the manifest (None: unsigned, or not verifiable).
    signer: PublicKey | None = None

    @property
    def signed(self) -> bool:
        """A signature was found, made by ``signer``, and nothing else is wrong."""
        return self.ok and self.signer is not None

    @property
    def unsigned(self) -> bool:
        """A bundle of format 1 (before bundles were signed): its integrity is checked, but not
        who issued it."""
        return self.format_version == 1


# --- export ----------------------------------------------------------------------------------


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


# --- verification ------------------------------------------------------------------------------


def verify_bundle(
    data: bytes, *, expected_key: str | None = None, roots: list[object] | None = None
) -> BundleVerification:
    """Checks a bundle (see the module docstring); never raises on a damaged or hostile file.
    ``expected_key`` (a fingerprint, or the public key in base64) pins the key that must have
    signed it: then a bundle signed by another key, or unsigned, is not intact. Each capture in
    the bundle is checked too (:mod:`bouclier.cases.bundle_captures`), its timestamps against
    ``roots`` (the TSA roots the reader trusts) when given."""
    problems: list[str] = []
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except Exception as exc:  # hostile input: any failure to open it is a damaged bundle
        return _failed(f"not a ZIP file, or a damaged or truncated one ({exc})")
    with archive:
        infos = archive.infolist()
        if len(infos) > MAX_ENTRIES:
            return _failed(f"the ZIP has {len(infos)} entries, more than {MAX_ENTRIES}: not read")
        declared = sum(info.file_size for info in infos)
        if declared > MAX_UNCOMPRESSED:
            return _failed(
                f"the ZIP would unpack to {declared} bytes, more than {MAX_UNCOMPRESSED} "
                "(a zip bomb?): not read"
            )
        digests, texts = _read_members(archive, infos, problems)
    manifest = _manifest(texts.get(MANIFEST), problems)
    signer = None
    version = manifest.get("format_version") if manifest is not None else None
    if manifest is not None:
        _check_files(manifest, digests, problems)
        if version == 1:
            if expected_key is not None:
                problems.append(
                    "the bundle is unsigned (format 1, made before bundles were signed): it "
                    "cannot be shown to come from the expected key"
                )
        else:
            signed = bundle_signature.check(
                texts[MANIFEST], manifest, texts.get(SIGNATURE), expected_key=expected_key
            )
            signer = signed.signer if not signed.problems else None
            problems.extend(signed.problems)
    verification = _check_custody(manifest, texts.get(CUSTODY), digests, problems)
    if roots is not None or any(captures.is_capture(name) for name in texts):
        problems.extend(captures.check(texts, expected_key=expected_key, roots=roots or []))
    number = None
    if manifest is not None:
        case = manifest.get("case")
        number = str(case.get("number")) if isinstance(case, dict) else None
    return BundleVerification(
        not problems,
        tuple(problems),
        verification,
        number,
        version if isinstance(version, int) else None,
        signer,
    )


def _failed(problem: str) -> BundleVerification:
    return BundleVerification(False, (problem,), None)


def _read_members(
    archive: zipfile.ZipFile, infos: list[zipfile.ZipInfo], problems: list[str]
) -> tuple[dict[str, tuple[str, int] | None], dict[str, bytes]]:
    """Each file's (SHA-256, size), None if unreadable; the text of the manifest and the log."""
    digests: dict[str, tuple[str, int] | None] = {}
    texts: dict[str, bytes] = {}
    budget = MAX_UNCOMPRESSED
    for info in infos:
        name = info.filename
        if info.is_dir():
            continue
        if _unsafe(name):
            problems.append(f"{name!r} has an unsafe file name (absolute or with ..)")
        if name in digests:
            problems.append(f"{name} appears more than once in the ZIP")
            continue
        keep = name in (MANIFEST, CUSTODY, SIGNATURE) or captures.is_capture(name)
        try:
            digest, size, text = _read_member(archive, info, budget, keep=keep)
        except Exception as exc:  # hostile input: bad CRC, bad deflate data, encryption...
            problems.append(f"{name} cannot be read from the ZIP (damaged?): {exc}")
            digests[name] = None
            continue
        budget -= size
        digests[name] = (digest, size)
        if keep:
            texts[name] = text
    return digests, texts


def _read_member(
    archive: zipfile.ZipFile, info: zipfile.ZipInfo, budget: int, *, keep: bool
) -> tuple[str, int, bytes]:
    limit = min(budget, MAX_TEXT_FILE) if keep else budget
    if info.filename == SIGNATURE:
        limit = min(limit, bundle_signature.MAX_SIGNATURE_FILE)
    sha = hashlib.sha256()
    kept = bytearray()
    size = 0
    with archive.open(info) as member:
        while chunk := member.read(_CHUNK):
            size += len(chunk)
            if size > limit:
                raise ValueError(f"more than {limit} bytes uncompressed")
            sha.update(chunk)
            if keep:
                kept += chunk
    return sha.hexdigest(), size, bytes(kept)


def _unsafe(name: str) -> bool:
    normal = name.replace("\\", "/")
    return (
        normal.startswith("/")
        or (len(normal) > 1 and normal[1] == ":")
        or ".." in normal.split("/")
        or posixpath.normpath(normal) != normal
    )


def _manifest(text: bytes | None, problems: list[str]) -> dict[str, Any] | None:
    if text is None:
        problems.append(f"{MANIFEST} is missing")
        return None
    try:
        value = json.loads(text)
    except (ValueError, RecursionError) as exc:
        problems.append(f"{MANIFEST} is not valid JSON ({exc})")
        return None
    if not isinstance(value, dict) or value.get("format") != FORMAT:
        problems.append(f"{MANIFEST} is not the manifest of a Bouclier evidence bundle")
        return None
    version = value.get("format_version")
    if type(version) is not int or version not in READABLE_VERSIONS:
        problems.append(
            f"{MANIFEST} is format version {value.get('format_version')!r}; this Bouclier reads "
            f"versions {', '.join(map(str, READABLE_VERSIONS))}"
        )
        return None
    return value


def _check_files(
    manifest: Mapping[str, Any],
    digests: Mapping[str, tuple[str, int] | None],
    problems: list[str],
) -> None:
    listed = manifest.get("files")
    if not isinstance(listed, dict):
        problems.append(f"{MANIFEST} has no list of files")
        return
    for name, expected in listed.items():
        if not isinstance(expected, dict):
            problems.append(f"{MANIFEST}: the entry of {name} is malformed")
            continue
        if name not in digests:
            problems.append(f"{name} is listed in the manifest but missing from the bundle")
            continue
        found = digests[name]
        if found is None:
            continue  # already reported as unreadable
        if found[0] != expected.get("sha256"):
            problems.append(
                f"{name} was altered: its SHA-256 is {found[0]}, the manifest says "
                f"{expected.get('sha256')}"
            )
        elif found[1] != expected.get("size"):
            problems.append(f"{name} is {found[1]} bytes, the manifest says {expected.get('size')}")
    signed = manifest.get("format_version") != 1  # its signature.json is not listed: it cannot be
    for name in digests:
        if name != MANIFEST and name not in listed and not (signed and name == SIGNATURE):
            problems.append(f"{name} is in the bundle but not listed in the manifest (added)")


def _check_custody(
    manifest: Mapping[str, Any] | None,
    text: bytes | None,
    digests: Mapping[str, tuple[str, int] | None],
    problems: list[str],
) -> custody.Verification | None:
    if text is None:
        if CUSTODY not in digests:
            problems.append(f"{CUSTODY} (the custody log) is missing")
        return None
    recorded = manifest.get("custody") if manifest is not None else None
    recorded = recorded if isinstance(recorded, dict) else {}
    head = recorded.get("head_sha256")
    try:
        log = custody.from_jsonl(text)
        verification = custody.verify(log, expected_head=head if isinstance(head, str) else None)
    except (ValueError, TypeError, OverflowError, RecursionError) as exc:
        problems.append(f"{CUSTODY} cannot be read as a custody log: {exc}")
        return None
    problems.extend(f"custody log: {p}" for p in verification.problems)
    if manifest is None:
        return verification
    if not isinstance(head, str):
        problems.append(f"{MANIFEST} does not give the custody log's head hash")
    if recorded.get("length") != verification.length:
        problems.append(
            f"the custody log has {verification.length} entries, the manifest says "
            f"{recorded.get('length')!r} (entries removed or added)"
        )
    _check_export_entry(manifest, log, digests, problems)
    return verification


def _check_export_entry(
    manifest: Mapping[str, Any],
    log: list[custody.Entry],
    digests: Mapping[str, tuple[str, int] | None],
    problems: list[str],
) -> None:
    """The log's last entry records this export: the manifest's content and every file."""
    last = log[-1] if log else None
    if last is None or last.kind != "bundle.exported":
        problems.append("the custody log does not end with the export of this bundle")
        return
    try:
        digest = content_digest(manifest)
    except (ValueError, TypeError, RecursionError):
        digest = None
    if digest != last.data.get("content_sha256"):
        problems.append(
            f"{MANIFEST}: the case, items, re-uploads or notices differ from those recorded in "
            "the custody log when the bundle was exported (edited)"
        )
    recorded = last.data.get("files")
    recorded = recorded if isinstance(recorded, dict) else {}
    listed = manifest.get("files")
    listed = listed if isinstance(listed, dict) else {}
    present = {name for name in digests if name not in (MANIFEST, CUSTODY, SIGNATURE)}
    # a file added or removed along with its manifest entry (else _check_files said it already)
    for name in sorted(present | set(recorded)):
        found = digests.get(name)
        if name not in recorded:
            if name in listed:
                problems.append(f"{name} was not in the bundle when it was exported (added)")
        elif name not in present:
            if name not in listed:
                problems.append(f"{name} was in the bundle when it was exported, and is missing")
        elif found is not None and found[0] != recorded[name]:
            problems.append(
                f"{name} differs from the file recorded in the custody log at export (altered)"
            )


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _iso(moment: datetime | None) -> str | None:
    return utc_iso(moment) if moment is not None else None
