"""Back-scan of images: a folder and an S3-compatible object store (moto's server on loopback),
hashed in the workers and matched like an upload; the report also as Parquet."""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path

import pytest

from bouclier.backscan.report import to_parquet
from bouclier.backscan.run import Options, backscan
from bouclier.backscan.sources import Source
from bouclier.banks.store import BankStore, NewEntry
from bouclier.hashing import hash_bytes
from bouclier.storage import Database
from tests.backscan.conftest import report_lines
from tests.conftest import encode, photo


def _bank_of(db: Database, data: bytes) -> tuple[BankStore, int]:
    store = BankStore(db)
    store.create("victims", "victim")
    hashes = hash_bytes(data)
    [entry] = store.add("victims", [NewEntry(hashes.pdq.pdq, quality=hashes.pdq.quality)])
    return store, entry


def test_a_folder_of_images_is_hashed_and_matched(
    db: Database, photos_dir: Path, tmp_path: Path
) -> None:
    store, entry = _bank_of(db, (photos_dir / "p0.jpg").read_bytes())
    # a re-encoded, resized copy of the banked picture, elsewhere in the archive
    (photos_dir / "sub" / "copy.jpg").write_bytes(encode(photo(0, (480, 360)), quality=60))
    out = tmp_path / "report.jsonl"
    summary = backscan(store, Source.open(str(photos_dir)), Options(out, workers=2, chunk_size=2))
    lines = report_lines(out)
    found = {Path(str(line["id"])).name: line for line in lines}
    assert set(found) == {"p0.jpg", "copy.jpg", "notes.jpg"}
    assert [m["entry"] for m in found["p0.jpg"]["matches"]] == [entry]  # type: ignore[index, union-attr]
    assert found["copy.jpg"]["verdict"] == "REVIEW"
    assert found["notes.jpg"]["error"]["code"] == "media.unsupported_format"  # type: ignore[index]
    assert (summary.scanned, summary.hits, summary.refused) == (6, 2, 1)

    parquet = tmp_path / "report.parquet"
    assert to_parquet(out, parquet) == 3
    import pyarrow.parquet as pq

    table = pq.read_table(parquet).to_pylist()
    assert [row["id"] for row in table] == [line["id"] for line in lines]
    assert [row["error_code"] for row in table].count("media.unsupported_format") == 1
    assert (
        next(r for r in table if r["id"] == found["p0.jpg"]["id"])["matches"][0]["entry"] == entry
    )


@pytest.fixture
def s3(monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """moto's S3 server on a loopback port the system picks; fake credentials."""
    from moto.server import ThreadedMotoServer

    for name, value in {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": "us-east-1",
    }.items():
        monkeypatch.setenv(name, value)
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    try:
        yield f"http://{host}:{port}"
    finally:
        server.stop()


def test_images_in_an_object_store_are_read_and_matched(
    db: Database, s3: str, tmp_path: Path
) -> None:
    import boto3

    banked = encode(photo(5), quality=92)
    store, entry = _bank_of(db, banked)
    client = boto3.client("s3", endpoint_url=s3)
    client.create_bucket(Bucket="archive")
    objects = {
        "uploads/2019/a.jpg": banked,
        "uploads/2019/b.jpg": encode(photo(6), quality=92),
        "uploads/2020/c.png": encode(photo(5), "PNG"),
        "uploads/2020/broken.jpg": banked[:200],
        "other/d.jpg": banked,  # outside the prefix
    }
    for key, data in objects.items():
        client.upload_fileobj(io.BytesIO(data), "archive", key)
    out = tmp_path / "report.jsonl"
    summary = backscan(
        store,
        Source.open("s3://archive/uploads/", endpoint_url=s3),
        Options(out, workers=2, chunk_size=1),
    )
    lines = {str(line["id"]): line for line in report_lines(out)}
    assert set(lines) == {"uploads/2019/a.jpg", "uploads/2020/c.png", "uploads/2020/broken.jpg"}
    assert [m["entry"] for m in lines["uploads/2019/a.jpg"]["matches"]] == [entry]  # type: ignore[index, union-attr]
    assert lines["uploads/2020/broken.jpg"]["error"]["code"].startswith("media.")  # type: ignore[index]
    assert (summary.scanned, summary.hits, summary.refused) == (4, 2, 1)
