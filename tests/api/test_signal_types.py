"""A signal type added in one module and one registration line works everywhere a hash goes:
the bank API, the change log, matching an upload, the snapshot, export and the CLI. The type
is the tests' own average hash (tests/signals/average_hash.py); nothing in Bouclier names it."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from bouclier.banks import snapshot as snapshots
from bouclier.errors import SnapshotError
from bouclier.hashing import hash_bytes
from bouclier.signals import SIGNAL_TYPES, SignalTypes, registry
from tests.api.conftest import Api, image, upload
from tests.conftest import CliResult, encode, photo
from tests.signals.average_hash import AHASH

WITH_AHASH = SignalTypes([*SIGNAL_TYPES, AHASH])  # the one registration line


@pytest.fixture
def with_ahash(monkeypatch: pytest.MonkeyPatch) -> SignalTypes:
    monkeypatch.setattr(registry, "SIGNAL_TYPES", WITH_AHASH)
    return WITH_AHASH


def _ahash(data: bytes) -> str:
    return next(f.value for f in hash_bytes(data).fingerprints if f.signal_type == "ahash")


def test_a_new_signal_type_through_the_api(with_ahash: SignalTypes, api: Api) -> None:
    analyst, platform = api.auth("analyst"), api.auth("platform")
    value = _ahash(image(1))
    api.client.post("/v1/banks", json={"name": "victims", "kind": "victim"}, headers=analyst)
    added = api.client.post(
        "/v1/banks/victims/hashes",
        json={"entries": [{"signal_type": "ahash", "value": value.upper()}]},
        headers=analyst,
    )
    assert added.status_code == 201, added.text
    [entry] = added.json()["entries"]

    [change] = api.client.get("/v1/banks/victims/changes", headers=platform).json()["changes"]
    assert change | {"created_at": ""} == {
        "cursor": change["cursor"],
        "op": "add",
        "entry": entry,  # deprecated alias of entry_id
        "entry_id": entry,
        "signal_type": "ahash",
        "value": value,  # canonical: lower case
        "pdq": None,  # not a PDQ hash: followers that read only pdq skip it
        "created_at": "",
        "quality": None,  # a hash added as a value has no quality
        "reviewed": True,  # an analyst's entry
        "minor": False,
    }

    # an upload is looked up by every registered type: a re-encode matches by its average hash
    again = encode(photo(1), quality=60)
    found = api.client.post("/v1/match", headers=platform, **upload(again)).json()  # type: ignore[arg-type]
    [match] = found["matches"]
    assert (match["signal_type"], match["entry"], found["verdict"]) == ("ahash", entry, "REVIEW")
    assert match["distance"] <= AHASH.default_threshold
    other = api.client.post("/v1/match", headers=platform, **upload(image(2))).json()  # type: ignore[arg-type]
    assert other["matches"] == []

    by_value = api.client.post(
        "/v1/match/hashes", headers=platform, json={"signal_type": "ahash", "values": [value]}
    ).json()
    [result] = by_value["results"]
    assert (result["signal_type"], result["value"], result["pdq"]) == ("ahash", value, None)
    assert [m["entry"] for m in result["matches"]] == [entry]

    unknown = api.client.post(
        "/v1/match/hashes", headers=platform, json={"signal_type": "tmk_pdqf", "values": [value]}
    )
    assert unknown.status_code == 422
    assert unknown.json()["error"]["code"] == "unknown_signal_type"
    assert "pdq, sha256, md5, orb, vpdq, ahash" in unknown.json()["error"]["message"]


def test_a_new_signal_type_in_the_snapshot(
    with_ahash: SignalTypes, api: Api, tmp_path: Path
) -> None:
    analyst = api.auth("analyst")
    api.client.post("/v1/banks", json={"name": "victims", "kind": "victim"}, headers=analyst)
    entries = [
        {"signal_type": "ahash", "value": _ahash(image(1))},
        {"signal_type": "md5", "value": "0123456789abcdef" * 2},
        {"pdq": hash_bytes(image(3)).pdq.pdq},
    ]
    api.client.post("/v1/banks/victims/hashes", json={"entries": entries}, headers=analyst)
    assert api.services.write_snapshot()
    path = api.services.snapshot_path
    assert path is not None
    key = snapshots.database_key(api.services.settings.resolved_database_url)
    assert key is not None
    held = snapshots.read(path, key)
    assert sorted(held.signals) == ["ahash", "md5"]
    assert list(held.indexed) == ["pdq"]  # held as its built index
    assert AHASH.unpack(held.signals["ahash"].rows) == [_ahash(image(1))]
    # a Bouclier that does not know the type rebuilds from its database instead
    with pytest.raises(SnapshotError, match="'ahash', unknown here"):
        snapshots.read(path, key, SIGNAL_TYPES)


def test_a_new_signal_type_through_the_cli(
    with_ahash: SignalTypes, cli: Callable[..., CliResult], tmp_path: Path
) -> None:
    picture = tmp_path / "p.jpg"
    picture.write_bytes(image(4))
    value = _ahash(image(4))
    assert cli("bank", "create", "victims", "--kind", "victim")[0] == 0
    code, out, _ = cli("bank", "add", "victims", str(picture), "--signal-type", "ahash")
    assert code == 0, out
    code, out, _ = cli("bank", "export", "victims", "--format", "jsonl")
    [row] = [json.loads(line) for line in out]
    assert (row["signal_type"], row["value"], row["pdq"]) == ("ahash", value, None)
    code, out, _ = cli("match", "--signal-type", "ahash", "--value", value)
    [found] = [json.loads(line) for line in out]
    assert (found["signal_type"], found["value"]) == ("ahash", value)
    assert [m["signal_type"] for m in found["matches"]] == ["ahash"]
    code, out, err = cli("match", "--signal-type", "nope", "--value", value)
    assert code == 2
    assert "nope" in err


def test_exact_signal_types_match_only_identical_files(api: Api) -> None:
    """SHA-256 and MD5 are registered in production: an NCMEC-style MD5 entry blocks the very
    same file, and a re-encode of it (same picture, other bytes) is not an MD5 match."""
    analyst, platform = api.auth("analyst"), api.auth("platform")
    data = image(5)
    md5 = hash_bytes(data).md5
    api.client.post("/v1/banks", json={"name": "ncmec", "kind": "victim"}, headers=analyst)
    api.client.post(
        "/v1/banks/ncmec/hashes",
        json={"entries": [{"signal_type": "md5", "value": md5}]},
        headers=analyst,
    )
    same = api.client.post("/v1/match", headers=platform, **upload(data)).json()  # type: ignore[arg-type]
    assert [(m["signal_type"], m["distance"]) for m in same["matches"]] == [("md5", 0)]
    reencoded = encode(photo(5), quality=70)
    assert (
        api.client.post("/v1/match", headers=platform, **upload(reencoded)).json()["matches"] == []
    )  # type: ignore[arg-type]
