"""A capture's package: one ZIP that proves what a page showed, when, and who recorded it.

It holds, in this order:

- ``manifest.json``: the URL, the final URL after redirects, the HTTP status, the times, the
  images seen (SHA-256, PDQ, and the banks they match), what was refused, the TLS certificates'
  SHA-256, the key that signs it, and the SHA-256 and size of every other file but the
  signature and the timestamps;
- ``signature.json``: the manifest's Ed25519 signature by the instance's key
  (:mod:`bouclier.cases.bundle_signature`, the evidence bundles' format);
- ``timestamps/<n>.tsr``: RFC 3161 timestamps of the manifest (:mod:`bouclier.capture.timestamps`);
- ``capture.wacz``: the page as recorded, replayable (:mod:`bouclier.capture.archive`);
- ``screenshot.png`` (full page), ``page.html`` (the DOM once loaded), ``certificates.pem``
  (the chain the main document's server presented, for https).

:func:`verify` checks a package read from anywhere: files against the manifest, the signature
(pinned with ``expected_key``), every timestamp against the manifest (pinned to ``roots``), and
the WACZ with ``wacz validate``. It never raises on damaged bytes: every problem is a sentence.
"""

from __future__ import annotations

import base64
import hashlib
import io
import json
import zipfile
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from bouclier.capture import archive, timestamps
from bouclier.cases import bundle_signature
from bouclier.cases.bundle_signature import SIGNATURE
from bouclier.signing_key import PublicKey, SigningKey
from bouclier.storage.models import utc_iso

FORMAT = "bouclier-capture"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
WACZ = "capture.wacz"
SCREENSHOT = "screenshot.png"
HTML = "page.html"
CERTIFICATES = "certificates.pem"
TIMESTAMPS = "timestamps/"
MAX_ENTRIES = 64
MAX_UNCOMPRESSED = 512 * 1024**2


@dataclass(frozen=True, slots=True)
class PackageCheck:
    ok: bool
    problems: tuple[str, ...]
    signer: PublicKey | None = None
    timestamps: tuple[str, ...] = ()  # the authorities' times, ISO 8601
    pinned: bool = False  # every timestamp checked up to a trusted root
    manifest: Mapping[str, Any] | None = None


def build(
    content: Mapping[str, Any],
    files: Mapping[str, bytes],
    key: SigningKey,
    authorities: tuple[str, ...],
) -> tuple[bytes, bytes, list[str]]:
    """The package, its manifest's bytes, and the authorities that did not timestamp it."""
    manifest = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        **content,
        "signer": bundle_signature.signer_section(key.public),
        "files": {
            name: {"sha256": hashlib.sha256(data).hexdigest(), "size": len(data)}
            for name, data in files.items()
        },
    }
    manifest_bytes = json.dumps(manifest, indent=2, ensure_ascii=False).encode("utf-8") + b"\n"
    tokens, failures = timestamps.stamp(manifest_bytes, authorities) if authorities else ([], [])
    entries = {
        MANIFEST: manifest_bytes,
        SIGNATURE: bundle_signature.sign(key, manifest_bytes, MANIFEST),
        **{f"{TIMESTAMPS}{n}.tsr": token.data for n, token in enumerate(tokens, start=1)},
        **files,
    }
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zipped:
        for name, data in entries.items():
            info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
            # the WACZ and the PNG are compressed already
            stored = name in (WACZ, SCREENSHOT)
            info.compress_type = zipfile.ZIP_STORED if stored else zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            zipped.writestr(info, data)
    return buffer.getvalue(), manifest_bytes, failures


def certificates_pem(chain: tuple[bytes, ...]) -> bytes:
    lines: list[str] = []
    for der in chain:
        body = base64.encodebytes(der).decode("ascii").replace("\n", "")
        lines.append("-----BEGIN CERTIFICATE-----")
        lines.extend(body[i : i + 64] for i in range(0, len(body), 64))
        lines.append("-----END CERTIFICATE-----")
    return ("\n".join(lines) + "\n").encode("ascii") if lines else b""


def verify(
    data: bytes, *, expected_key: str | None = None, roots: list[object] | None = None
) -> PackageCheck:
    """Checks a capture package (see the module docstring)."""
    try:
        zipped = zipfile.ZipFile(io.BytesIO(data))
    except Exception as exc:  # hostile input: any failure to open it is a damaged package
        return PackageCheck(False, (f"not a ZIP file, or a damaged one ({exc})",))
    with zipped:
        infos = zipped.infolist()
        if len(infos) > MAX_ENTRIES or sum(i.file_size for i in infos) > MAX_UNCOMPRESSED:
            return PackageCheck(False, ("the package is too large to be a capture: not read",))
        members: dict[str, bytes] = {}
        problems: list[str] = []
        for info in infos:
            try:
                members[info.filename] = zipped.read(info)
            except Exception as exc:  # damaged entry
                problems.append(f"{info.filename} cannot be read ({exc})")
    manifest_bytes = members.get(MANIFEST)
    manifest = _manifest(manifest_bytes, problems)
    if manifest is None or manifest_bytes is None:
        return PackageCheck(False, tuple(problems))
    listed = manifest.get("files") if isinstance(manifest.get("files"), dict) else {}
    assert isinstance(listed, dict)
    for name, expected in listed.items():
        found = members.get(name)
        if found is None:
            problems.append(f"{name} is listed in the capture's manifest but missing")
        elif not isinstance(expected, dict) or hashlib.sha256(found).hexdigest() != expected.get(
            "sha256"
        ):
            problems.append(f"{name} was altered: it does not match the capture's manifest")
    for name in members:
        if name not in listed and name not in (MANIFEST, SIGNATURE) and not _is_token(name):
            problems.append(f"{name} is in the capture but not listed in its manifest (added)")
    signature = bundle_signature.check(
        manifest_bytes, manifest, members.get(SIGNATURE), expected_key=expected_key
    )
    problems.extend(signature.problems)
    times: list[str] = []
    pinned = True
    for name in sorted(n for n in members if _is_token(n)):
        result = timestamps.check(members[name], manifest_bytes, roots or [])
        problems.extend(f"{name}: {p}" for p in result.problems)
        pinned = pinned and result.pinned
        if result.time is not None and not result.problems:
            times.append(utc_iso(result.time))
    wacz = members.get(WACZ)
    if wacz is not None and WACZ in listed and not archive.validate(wacz):
        problems.append(f"{WACZ} is not a valid WACZ (wacz validate refuses it)")
    return PackageCheck(
        not problems,
        tuple(problems),
        signature.signer,
        tuple(times),
        pinned and bool(times),
        manifest,
    )


def _is_token(name: str) -> bool:
    return name.startswith(TIMESTAMPS) and name.endswith(".tsr") and "/" not in name[11:]


def _manifest(text: bytes | None, problems: list[str]) -> dict[str, Any] | None:
    if text is None:
        problems.append(f"{MANIFEST} is missing from the capture")
        return None
    try:
        value = json.loads(text)
    except (ValueError, RecursionError) as exc:
        problems.append(f"the capture's {MANIFEST} is not valid JSON ({exc})")
        return None
    if not isinstance(value, dict) or value.get("format") != FORMAT:
        problems.append(f"{MANIFEST} is not the manifest of a Bouclier capture")
        return None
    if value.get("format_version") != FORMAT_VERSION:
        problems.append(f"the capture is format version {value.get('format_version')!r}")
        return None
    return value


def iso(moment: datetime | None) -> str | None:
    return utc_iso(moment) if moment is not None else None
