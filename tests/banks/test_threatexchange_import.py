"""Import of what python-threatexchange writes: files made by its own CLI and serializers.

The CLI runs in a temporary home on its built-in sample collaboration (no network): 16 PDQ hashes
beside url, url_md5, raw_text, trend_query, video_md5 and video_sha256 signals, a mixed export
like the one the issue saw refused whole.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from threatexchange.cli.dataset.simple_serialization import (
    CliIndicatorSerialization,
    HMASerialization,
)
from threatexchange.exchanges.clients.fb_threatexchange.descriptor import SimpleDescriptorRollup

from bouclier.banks import transfer
from bouclier.banks.store import BankStore
from bouclier.errors import InvalidImport
from bouclier.storage import Database

H1 = "f8f8f0cee0f4a84f06370a22038f63f0b36e2ed596621e1d33e6b39c4e9c9b22"
H2 = "e64cc9d91c623882f8d1f1d9a398e78c9f199b3bd83924f2b7e11e0bf861b064"
SAMPLE_SKIPPED = {
    "raw_text": 3,
    "video_md5": 2,
    "video_sha256": 2,
    "trend_query": 1,
    "url": 1,
    "url_md5": 1,
}


@pytest.fixture(scope="module")
def dataset(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """``threatexchange dataset -P`` in its output variants, written by the real CLI."""
    home = tmp_path_factory.mktemp("txhome")
    out = tmp_path_factory.mktemp("exports")
    variants = {
        "plain.txt": [],
        "signals-only.txt": ["-S"],
        "one-collab.txt": ["-c", "Sample Signals"],
        "only-pdq.txt": ["-s", "pdq"],
        "export.csv": ["--csv"],
    }
    files = {}
    for name, options in variants.items():
        done = subprocess.run(
            [sys.executable, "-m", "threatexchange", "dataset", "-P", *options],
            env={**os.environ, "HOME": str(home)},
            capture_output=True,
            check=True,
            timeout=300,
        )
        files[name] = out / name
        files[name].write_bytes(done.stdout)
    return files


@pytest.mark.parametrize(
    "name", ["plain.txt", "signals-only.txt", "one-collab.txt", "only-pdq.txt", "export.csv"]
)
def test_dataset_print_imports_every_pdq_and_counts_the_rest(
    dataset: dict[str, Path], name: str
) -> None:
    found = transfer.read_import(dataset[name])
    assert len(found.entries) == 16
    assert {e.signal_type for e in found.entries} == {"pdq"}
    assert H1 in {e.value for e in found.entries}
    expected = {} if name == "only-pdq.txt" else SAMPLE_SKIPPED
    assert {s.signal_type: s.count for s in found.skipped} == expected
    assert found.skipped_rows == sum(expected.values())
    for skipped in found.skipped:  # the lines named are the lines of that type
        lines = dataset[name].read_text().splitlines()
        assert all(
            lines[n - 1].split(",")[0].split()[0] == skipped.signal_type for n in skipped.lines
        )


def test_skipped_rows_are_told_by_type_with_lines(dataset: dict[str, Path]) -> None:
    lines = dataset["plain.txt"].read_text().splitlines()
    # threatexchange prints the types in a set's order, which changes from run to run
    raw_text = [n for n, line in enumerate(lines, start=1) if line.startswith("raw_text ")]
    found = transfer.read_import(dataset["plain.txt"])
    assert str(found.skipped[0]) == f"3 raw_text rows (lines {', '.join(map(str, raw_text))})"
    assert [s.signal_type for s in found.skipped][:3] == ["raw_text", "video_md5", "video_sha256"]


def _te_file(folder: Path, kind: str, hashes: list[str], *, hma: bool = False) -> Path:
    """A ``simple.<kind>.te`` file, written by threatexchange's own serializer."""
    folder.mkdir(exist_ok=True)
    rollups = [
        SimpleDescriptorRollup(100 + i, "2024-05-01T10:00:00+0000", {"nsfw"})
        for i in range(len(hashes))
    ]
    items: list[CliIndicatorSerialization] = [
        HMASerialization(h, kind, str(9000 + i), r)
        if hma
        else CliIndicatorSerialization(kind, h, r)
        for i, (h, r) in enumerate(zip(hashes, rollups, strict=True))
    ]
    [path] = CliIndicatorSerialization.store(folder, items)
    return path


@pytest.mark.parametrize(("kind", "hma"), [("pdq", False), ("HASH_PDQ", False), ("HASH_PDQ", True)])
def test_local_simple_te_files(tmp_path: Path, kind: str, hma: bool) -> None:
    path = _te_file(tmp_path / "state", kind, [H1, H2], hma=hma)
    assert path.name == f"simple.{kind}.te"
    assert b"\r\n" in path.read_bytes()  # its CSV writer's line ends, no header
    entries = transfer.read_entries(path)
    assert [(e.signal_type, e.value, e.source) for e in entries] == [
        ("pdq", H1, f"import:{path.name}"),
        ("pdq", H2, f"import:{path.name}"),
    ]
    renamed = path.rename(tmp_path / "list.csv")  # the same rows under another name: headerless
    assert [e.value for e in transfer.read_entries(renamed)] == [H1, H2]


def test_te_file_of_a_type_bouclier_does_not_hold(tmp_path: Path) -> None:
    path = _te_file(tmp_path / "state", "video_md5", ["d41d8cd98f00b204e9800998ecf8427e"])
    with pytest.raises(InvalidImport, match=r"no row is of a .*skipped 1 video_md5 row \(line 1\)"):
        transfer.read_import(path)


def test_mixed_export_lands_in_a_bank(db: Database, dataset: dict[str, Path]) -> None:
    store = BankStore(db)
    store.create("te", "victim")
    found = transfer.read_import(dataset["export.csv"])
    store.add("te", list(found.entries))
    assert len(list(store.entries("te"))) == 16
