"""Checking an evidence bundle (:mod:`bouclier.cases.evidence` makes them), as a police officer,
a court or the hotline itself would: each file against the manifest, the custody log against its
chain and the manifest's head hash, the manifest's content and files against the log's last entry,
the manifest's signature, and each capture inside (:mod:`bouclier.cases.bundle_captures`).

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
from typing import Any

from bouclier.cases import bundle_captures as captures
from bouclier.cases import bundle_signature, custody
from bouclier.cases.bundle_signature import SIGNATURE
from bouclier.cases.evidence import (
    CUSTODY,
    FORMAT,
    MANIFEST,
    READABLE_VERSIONS,
    content_digest,
)
from bouclier.signing_key import PublicKey

#: What verify_bundle will read of a ZIP, at most: anything bigger is reported, not read.
MAX_ENTRIES = 10_000
MAX_UNCOMPRESSED = 1024**3
MAX_TEXT_FILE = 256 * 1024**2  # manifest.json and custody.jsonl are held in memory
_CHUNK = 1024**2


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
