"""The contract every signal type must keep, each fed by its own examples (in the spirit of
python-threatexchange's SignalTypeAutoTest): the production types and the tests' own."""

from __future__ import annotations

import functools
import random

import numpy as np
import pytest

from bouclier.errors import InvalidHash
from bouclier.media import decode
from bouclier.signals import SIGNAL_TYPES, Fingerprint, MediaInput, SignalIndex, SignalType
from tests.conftest import encode, photo
from tests.signals.average_hash import AHASH

TYPES = [*SIGNAL_TYPES, AHASH]
IDS = [kind.name for kind in TYPES]


def _media(seed: int, fmt: str = "JPEG") -> MediaInput:
    data = encode(photo(seed, (320, 240)), fmt)
    return MediaInput(data, decode(data))


def _values(kind: SignalType, count: int, seed: int = 0) -> list[str]:
    """Distinct valid values: from benign pictures, then random bits near and far from them."""
    rng = random.Random(seed)
    found = [kind.fingerprint(_media(i))[0].value for i in range(3)]
    width = kind.packed_bytes
    while len(found) < count:
        base = bytearray(bytes.fromhex(rng.choice(found))) if rng.random() < 0.5 else None
        raw = base if base is not None else bytearray(rng.randbytes(width))
        for _ in range(rng.randint(1, 12)):
            raw[rng.randrange(width)] ^= 1 << rng.randrange(8)
        found.append(kind.unpack(np.frombuffer(bytes(raw), np.uint8).reshape(1, width))[0])
    return list(dict.fromkeys(found))


@pytest.fixture(params=TYPES, ids=IDS)
def kind(request: pytest.FixtureRequest) -> SignalType:
    value: SignalType = request.param
    return value


def test_declares_itself(kind: SignalType) -> None:
    assert isinstance(kind, SignalType)
    assert kind.name.isidentifier()
    assert kind.name == kind.name.lower()
    assert kind.description
    assert kind.packed_bytes > 0
    assert 0 <= kind.default_threshold <= kind.max_threshold


def test_fingerprints_a_benign_image_deterministically(kind: SignalType) -> None:
    first = kind.fingerprint(_media(7))
    assert first
    assert all(isinstance(f, Fingerprint) and f.signal_type == kind.name for f in first)
    assert all(kind.validate(f.value) == f.value for f in first)  # canonical already
    assert kind.fingerprint(_media(7)) == first
    assert kind.fingerprint(_media(8))[0].value != first[0].value


def test_validate_normalises_and_refuses(kind: SignalType) -> None:
    value = _values(kind, 1)[0]
    assert kind.validate(value) == value
    assert kind.validate(f"  {value.upper()}\n") == value
    for bad in ("", "zz", value[:-1], value + "0", "x" * 10_000, value[:-1] + "g"):
        with pytest.raises(InvalidHash) as caught:
            kind.validate(bad)
        assert len(caught.value.message) < 200  # never echoes a long input back
    with pytest.raises(InvalidHash):
        kind.validate(12345)  # type: ignore[arg-type]


def test_pack_and_unpack_are_inverse(kind: SignalType) -> None:
    values = _values(kind, 20)
    rows = kind.pack(values)
    assert rows.shape == (len(values), kind.packed_bytes)
    assert rows.dtype == np.uint8
    assert kind.unpack(rows) == values
    assert kind.pack([]).shape == (0, kind.packed_bytes)


def test_distance_is_a_metric_on_examples(kind: SignalType) -> None:
    a, b, c = _values(kind, 3, seed=1)
    assert kind.distance(a, a) == 0
    assert kind.distance(a, b) == kind.distance(b, a) > 0
    assert kind.distance(a, c) <= kind.distance(a, b) + kind.distance(b, c)
    assert kind.distance(a, b) <= kind.max_threshold or kind.max_threshold == 0


@functools.cache
def _distance_table(name: str) -> tuple[list[str], list[str], list[list[int]]]:
    """The values an index holds, the queries, and every query's distance to every value by the
    type's own ``distance`` (the reference), computed once for the three radii below: a video
    distance matches frame sets in Python, and the table is 2,400 of them."""
    kind = next(k for k in TYPES if k.name == name)
    values = _values(kind, 120, seed=2)
    queries = values[:10] + _values(kind, 10, seed=3)
    return values, queries, [[kind.distance(q, v) for v in values] for q in queries]


@pytest.mark.parametrize("radius_at", ["zero", "default", "wide"])
def test_the_index_finds_exactly_what_the_distance_says(kind: SignalType, radius_at: str) -> None:
    values, queries, table = _distance_table(kind.name)
    labels = np.arange(1000, 1000 + len(values), dtype=np.int64)
    index = kind.new_index()
    assert isinstance(index, SignalIndex)
    index.add(kind.pack(values), labels)
    assert len(index) == len(values)
    assert 1000 in index
    assert 999 not in index
    radius = {"zero": 0, "default": kind.default_threshold, "wide": kind.max_threshold // 4}[
        radius_at
    ]
    found = index.search_many(kind.pack(queries), radius)
    for distances, hits in zip(table, found, strict=True):
        expected = sorted(
            (d, int(label)) for d, label in zip(distances, labels, strict=True) if d <= radius
        )
        assert list(zip(hits.distances.tolist(), hits.labels.tolist(), strict=True)) == expected


def test_the_index_removes_refuses_repeats_and_lists_what_it_holds(kind: SignalType) -> None:
    values = _values(kind, 30, seed=4)
    labels = np.arange(1, len(values) + 1, dtype=np.int64)
    index = kind.new_index()
    index.add(kind.pack(values), labels)
    with pytest.raises(ValueError, match="label 3"):
        index.add(kind.pack(values[:1]), np.array([3]))
    assert index.remove([2, 3, 99]) == 2
    assert 2 not in index
    assert len(index) == len(values) - 2
    [hits] = index.search_many(kind.pack([values[1]]), 0)
    assert 2 not in hits.labels.tolist()
    rows, held = index.live()
    assert held.tolist() == [x for x in labels.tolist() if x not in (2, 3)]
    assert kind.unpack(rows) == [v for i, v in enumerate(values) if i not in (1, 2)]


def test_the_registry_refuses_repeats_and_bad_names() -> None:
    from bouclier.signals import SignalTypes

    with pytest.raises(ValueError, match="two signal types"):
        SignalTypes([*SIGNAL_TYPES, SIGNAL_TYPES.get("pdq")])
    with pytest.raises(TypeError):
        SignalTypes([object()])  # type: ignore[list-item]
    assert SIGNAL_TYPES.get(None).name == "pdq"  # the default everywhere
    with pytest.raises(Exception, match="unknown signal type 'tmk_pdqf'"):
        SIGNAL_TYPES.get("tmk_pdqf")
