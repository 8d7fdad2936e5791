"""Banks and archives for back-scan tests: near-duplicate families of PDQ hashes (a bank entry
and archive rows a few bits away from it, some beyond the threshold), and a reference answer
computed by comparing every row with every entry (bouclier.hashing.pdq.distance)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest

from bouclier.banks.store import BankStore, NewEntry
from bouclier.hashing import pdq
from bouclier.storage import Database

THRESHOLD = 31


def flipped(value: str, bits: int, rng: np.random.Generator) -> str:
    raw = bytearray(bytes.fromhex(value))
    for bit in rng.choice(256, size=bits, replace=False):
        raw[bit // 8] ^= 1 << (bit % 8)
    return raw.hex()


@dataclass
class Archive:
    store: BankStore
    rows: list[tuple[str, str]]  # (id, pdq)
    expected: dict[str, set[int]]  # id -> the entries it must match (reference, all pairs)

    def write_csv(self, path: Path, extra: list[str] = ()) -> Path:  # type: ignore[assignment]
        lines = ["uploaded,ID,pdq", *(f"2020-01-01,{i},{h}" for i, h in self.rows), *extra]
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
        return path

    def write_jsonl(self, path: Path, extra: list[str] = ()) -> Path:  # type: ignore[assignment]
        lines = [json.dumps({"id": i, "pdq": h, "size": 10}) for i, h in self.rows]
        path.write_text("\n".join([*lines, *extra]) + "\n", encoding="utf-8")
        return path


def make_archive(db: Database, families: int = 40, rows: int = 600, seed: int = 0) -> Archive:
    rng = np.random.default_rng(seed)
    store = BankStore(db)
    store.create("victims", "victim", THRESHOLD)
    store.create("fp", "known_false_positive", 10)
    bases = [bytes(rng.integers(0, 256, 32, dtype=np.uint8)).hex() for _ in range(families)]
    victims = store.add("victims", [NewEntry(h, quality=100) for h in bases[:-5]])
    fps = store.add("fp", [NewEntry(bases[-1], quality=100)])
    entries = dict(zip(bases[:-5], victims, strict=True)) | {bases[-1]: fps[0]}
    made: list[tuple[str, str]] = []
    for n in range(rows):
        if n % 3 == 0:  # a near-duplicate of a family (some beyond the threshold)
            base = bases[int(rng.integers(families))]
            made.append((f"img-{n}", flipped(base, int(rng.integers(0, 45)), rng)))
        else:
            made.append((f"img-{n}", bytes(rng.integers(0, 256, 32, dtype=np.uint8)).hex()))
    expected: dict[str, set[int]] = {}
    for item_id, value in made:
        found = {
            entry
            for base, entry in entries.items()
            if pdq.distance(value, base) <= (THRESHOLD if entry in victims else 10)
        }
        if found:
            expected[item_id] = found
    return Archive(store, made, expected)


@pytest.fixture
def archive(db: Database) -> Iterator[Archive]:
    return make_archive(db)


def report_lines(path: Path) -> list[dict[str, object]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def hits(path: Path) -> dict[str, set[int]]:
    return {
        str(line["id"]): {int(m["entry"]) for m in line["matches"]}  # type: ignore[index, union-attr, call-overload]
        for line in report_lines(path)
        if "matches" in line
    }
