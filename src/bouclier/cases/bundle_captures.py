"""The captures of a case in its evidence bundle: ``captures/<id>.zip``, and their check.

Each capture's package goes into the bundle as it is stored (decrypted), so its own signature and
RFC 3161 timestamps still hold; the bundle's manifest lists the captures (``captures``: id, URL,
outcome, times, the manifest's SHA-256) and, like every file, each package's SHA-256. Checking a
bundle checks each package as :func:`bouclier.capture.package.verify` does (files, signature,
timestamps, ``wacz validate``) and that it is the capture the bundle's manifest names.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from bouclier.storage.models import utc_iso

if TYPE_CHECKING:
    from bouclier.cases.store import Cases

DIRECTORY = "captures/"


def is_capture(name: str) -> bool:
    return name.startswith(DIRECTORY) and name.endswith(".zip") and "/" not in name[9:]


def rows(cases: Cases, number: str) -> list[dict[str, Any]]:
    """The bundle manifest's ``captures`` section."""
    from bouclier.capture import Captures

    return [
        {
            "id": info.id,
            "item": info.item_id,
            "url": info.url,
            "final_url": info.final_url,
            "reason": info.reason,
            "outcome": info.outcome,
            "http_status": info.http_status,
            "matched": info.matched,
            "at": utc_iso(info.created_at),
            "manifest_sha256": info.manifest_sha256,
            "file": f"{DIRECTORY}{info.id}.zip",
        }
        for info in Captures(cases.db, cases.settings, banks=cases.banks).list(number)
    ]


def files(cases: Cases, number: str, listed: list[dict[str, Any]]) -> dict[str, bytes]:
    from bouclier.capture import Captures

    store = Captures(cases.db, cases.settings, banks=cases.banks)
    return {row["file"]: store.package(number, int(row["id"])) for row in listed}


def check(
    texts: Mapping[str, bytes], *, expected_key: str | None, roots: list[object]
) -> list[str]:
    """Every problem of the bundle's capture packages (``texts``: file name to bytes)."""
    import json

    from bouclier.capture import package

    problems: list[str] = []
    manifest: Any = None
    try:
        manifest = json.loads(texts.get("manifest.json", b"null"))
    except ValueError:
        manifest = None
    named = {}
    if isinstance(manifest, dict) and isinstance(manifest.get("captures"), list):
        named = {str(row.get("file")): row for row in manifest["captures"] if isinstance(row, dict)}
    for name in sorted(n for n in texts if is_capture(n)):
        result = package.verify(texts[name], expected_key=expected_key, roots=roots)
        problems.extend(f"{name}: {p}" for p in result.problems)
        row = named.get(name)
        inner = texts[name]
        if row is None:
            problems.append(f"{name} is not named in the bundle's list of captures")
            continue
        found = _manifest_sha256(inner)
        if found is not None and found != row.get("manifest_sha256"):
            problems.append(f"{name} is not the capture the bundle's manifest names (swapped?)")
    return problems


def _manifest_sha256(data: bytes) -> str | None:
    import io
    import zipfile

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zipped:
            return hashlib.sha256(zipped.read("manifest.json")).hexdigest()
    except Exception:  # damaged: package.verify said so already
        return None
