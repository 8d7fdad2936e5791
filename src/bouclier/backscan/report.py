"""The back-scan report: one JSON object per line, a hit or a refused item, in source order.

A hit::

    {"id": "photo-1234", "line": 1236, "verdict": "REVIEW", "priority": "normal",
     "escalate": false, "reasons": ["victim_bank_match"],
     "matches": [{"bank": "victims", "bank_kind": "victim", "entry": 17, "distance": 4, ...}]}

A refused item: ``{"id": ... or null, "line": 7, "error": {"code": ..., "message": ...}}``.

Hashes are not repeated in the report (the platform has its own, the banks' are not its to see):
an entry number is what feedback and removals name. ``to_parquet`` writes the same rows as a
Parquet table (the optional extra ``bouclier[parquet]``), one row per report line, matches as a
list of structs.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from bouclier.backscan.chunks import Hit, Refused
from bouclier.banks.matcher import Match
from bouclier.errors import ConfigError
from bouclier.policy import Verdict

_MATCH_FIELDS = ("bank", "bank_kind", "entry", "signal_type", "distance", "orientation", "reviewed")


def hit_line(hit: Hit, matches: Sequence[Match], verdict: Verdict) -> dict[str, Any]:
    return {
        "id": hit.id,
        "line": hit.line,
        "verdict": verdict.decision.value,
        "priority": verdict.priority.value,
        "escalate": verdict.escalate,
        "reasons": [reason.code for reason in verdict.reasons],
        "matches": [{name: getattr(m, name) for name in _MATCH_FIELDS} for m in matches],
    }


def refused_line(refused: Refused) -> dict[str, Any]:
    return {
        "id": refused.id,
        "line": refused.line,
        "error": {"code": refused.code, "message": refused.message},
    }


def encode(line: dict[str, Any]) -> bytes:
    return (json.dumps(line, ensure_ascii=False) + "\n").encode("utf-8")


def to_parquet(report: Path, target: Path) -> int:
    """Writes the report's lines as Parquet; answers how many rows."""
    try:
        import pyarrow as pa
        import pyarrow.parquet as pq
    except ImportError:
        raise ConfigError("--parquet needs pyarrow: pip install 'bouclier[parquet]'") from None
    match_type = pa.struct(
        [
            ("bank", pa.string()),
            ("bank_kind", pa.string()),
            ("entry", pa.int64()),
            ("signal_type", pa.string()),
            ("distance", pa.int32()),
            ("orientation", pa.string()),
            ("reviewed", pa.bool_()),
        ]
    )
    schema = pa.schema(
        [
            ("id", pa.string()),
            ("line", pa.int64()),
            ("verdict", pa.string()),
            ("priority", pa.string()),
            ("escalate", pa.bool_()),
            ("reasons", pa.list_(pa.string())),
            ("matches", pa.list_(match_type)),
            ("error_code", pa.string()),
            ("error_message", pa.string()),
        ]
    )
    rows = 0
    temporary = target.with_name(target.name + ".tmp")
    with pq.ParquetWriter(temporary, schema) as writer, report.open(encoding="utf-8") as lines:
        batch: list[dict[str, Any]] = []
        for text in lines:
            line = json.loads(text)
            error = line.pop("error", None) or {}
            batch.append(
                {**line, "error_code": error.get("code"), "error_message": error.get("message")}
            )
            if len(batch) >= 50_000:
                writer.write_table(pa.Table.from_pylist(batch, schema=schema))
                rows += len(batch)
                batch = []
        if batch or not rows:
            writer.write_table(pa.Table.from_pylist(batch, schema=schema))
            rows += len(batch)
    temporary.replace(target)
    return rows
