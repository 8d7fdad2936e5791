"""The HTML report of a scan: a summary and one row per file, thumbnails blurred by default.

The report is one self-contained file (thumbnails inlined). Sexual or revealing images get a strong
blur in grey; any image is revealed only by a click on it, one at a time. File names come from the
scanned folders, so everything is escaped (Jinja autoescape).
"""

from __future__ import annotations

import base64
from collections import Counter
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape

_TEMPLATES = Path(__file__).parent / "templates"
_ORDER = ("BLOCK", "REVIEW", "ALLOW", "ERROR")


def render(rows: Sequence[dict[str, Any]]) -> str:
    """Rows are scan output lines (dicts) with an optional ``thumbnail`` (JPEG bytes)."""
    env = Environment(
        loader=FileSystemLoader(_TEMPLATES), autoescape=select_autoescape(["html", "j2"])
    )
    counts = Counter(row.get("verdict", "ERROR") for row in rows)
    prepared = []
    for row in rows:
        thumb = row.get("thumbnail")
        prepared.append(
            {
                **row,
                "verdict": row.get("verdict", "ERROR"),
                "strong": bool(row.get("sexual") or row.get("revealing")),
                "thumbnail": base64.b64encode(thumb).decode() if thumb else None,
            }
        )
    return env.get_template("report.html.j2").render(
        rows=prepared,
        total=len(rows),
        counts=[(name, counts[name]) for name in _ORDER if counts[name]],
        generated=datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
    )
