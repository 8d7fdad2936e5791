"""Import and export: the formats of hash-sharing tools, line numbers, all-or-nothing."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from bouclier.banks import transfer
from bouclier.banks.store import BankStore, NewEntry
from bouclier.errors import InvalidImport
from bouclier.storage import Database

H1 = "f8f8f0cee0f4a84f06370a22038f63f0b36e2ed596621e1d33e6b39c4e9c9b22"
H2 = "e64cc9d91c623882f8d1f1d9a398e78c9f199b3bd83924f2b7e11e0bf861b064"


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("hma.csv", f"pdq,quality\n{H1},100\n{H2},\n"),
        ("plain.csv", f"{H1}\n{H2}\n"),
        ("te.csv", f"signal_type,signal_value,note\npdq,{H1},x\nPDQ,{H2},\n"),
        ("upper.csv", f"PDQ_Hash\n{H1.upper()}\n\n{H2}\n"),
        ("rows.jsonl", json.dumps({"pdq": H1, "quality": 80}) + "\n\n" + json.dumps({"hash": H2})),
        ("list.txt", f"# exported\n{H1}\npdq {H2}  # trailing comment\n"),
        ("noext", f"pdq {H1}\n{H2}\n"),
        ("bom.csv", f"\ufeffpdq\n{H1}\n{H2}\n"),
    ],
)
def test_reads_the_formats(tmp_path: Path, name: str, content: str) -> None:
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    entries = transfer.read_entries(path)
    assert [(e.signal_type, e.value) for e in entries] == [("pdq", H1), ("pdq", H2)]
    assert all(e.source in (f"import:{name}",) for e in entries)


@pytest.mark.parametrize(
    ("name", "content", "line", "message"),
    [
        ("bad.csv", f"pdq\n{H1}\n{H2[:-1]}\n", 3, "has 63"),
        ("bad.csv", "note,other\nx,y\n", 1, "no PDQ column"),
        ("bad.csv", f"signal_type,signal_value\nvideo tmk!,{H1}\n", 2, "not a signal type"),
        ("bad.csv", f"signal_type,signal_value\nvideo_tmk,{H1}\n", None, "no row is of a"),
        ("bad.csv", f"signal_type,signal_value\nmd5,{H1}\n", 2, "MD5 hash is 32 hex"),
        ("bad.csv", f"pdq,quality\n{H1},high\n", 2, "quality"),
        ("bad.csv", f"pdq,quality\n{H1},101\n", 2, "quality"),
        ("bad.csv", f"pdq\n{H1},extra\n", 2, "fields"),
        ("bad.jsonl", json.dumps({"pdq": H1}) + "\n{oops\n", 2, "not valid JSON"),
        ("bad.jsonl", "[1, 2]\n", 1, "JSON object"),
        ("bad.jsonl", json.dumps({"quality": 3}) + "\n", 1, "no PDQ hash"),
        ("bad.txt", f"{H1}\n\n\n{H1} {H2}\n", 4, "one hash per line"),
        ("bad.txt", f"{H1}\npdq {H1},{H2}\n", 2, "one hash per line"),
        ("bad.te", f"{H1},1,2020,\n{H2[:9]},2,2021,a b\n", 2, "has 9"),
        ("bad.txt", f"{H1}\nzz{H1[2:]}\n", 2, "hex digits"),
    ],
)
def test_bad_rows_name_their_line(
    tmp_path: Path, name: str, content: str, line: int | None, message: str
) -> None:
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    with pytest.raises(InvalidImport, match=message) as caught:
        transfer.read_entries(path)
    assert caught.value.line == line
    if line is not None:
        assert caught.value.message.startswith(f"line {line}: ")


def test_every_bad_row_is_named_and_nothing_is_kept(tmp_path: Path) -> None:
    path = tmp_path / "bad.csv"
    rows = [H1, "x", H2, "y", "z", "1", "2", "3", "4"]
    path.write_text("pdq\n" + "\n".join(rows) + "\n")
    with pytest.raises(InvalidImport) as caught:
        transfer.read_import(path)
    assert caught.value.line == 3
    assert caught.value.message.endswith("(and 6 more bad rows: lines 5, 6, 7, 8, 9, ...)")


def test_not_utf8_and_empty(tmp_path: Path) -> None:
    binary = tmp_path / "x.csv"
    binary.write_bytes(b"pdq\n" + H1.encode() + b"\n\xff\xfe\n")
    with pytest.raises(InvalidImport, match="UTF-8") as caught:
        transfer.read_entries(binary)
    assert caught.value.line == 3
    empty = tmp_path / "empty.csv"
    empty.write_text("pdq\n")
    with pytest.raises(InvalidImport, match="no hashes"):
        transfer.read_entries(empty)


def test_export_import_round_trip(db: Database, tmp_path: Path) -> None:
    store = BankStore(db)
    store.create("src", "victim")
    source = tmp_path / "in.csv"
    source.write_text(
        "pdq,quality,source,case_ref,note\n"
        f'{H1},90,stopncii,C-7,=HYPERLINK("x")\n'
        f'{H2},,,,"comma, and quote"""\n'
    )
    store.add("src", transfer.read_entries(source))
    store.add("src", [NewEntry("0123456789abcdef" * 2, signal_type="md5", source="ncmec")])
    for fmt in ("csv", "jsonl"):
        out = io.StringIO()
        assert transfer.write_entries(store.entries("src"), fmt, out) == 3
        if fmt == "csv":
            assert "'=HYPERLINK" in out.getvalue()  # not a live formula in a spreadsheet
        path = tmp_path / f"out.{fmt}"
        path.write_text(out.getvalue())
        store.create(f"copy-{fmt}", "victim")
        store.add(f"copy-{fmt}", transfer.read_entries(path))
        copied = list(store.entries(f"copy-{fmt}"))
        original = list(store.entries("src"))
        for a, b in zip(original, copied, strict=True):
            assert (a.signal_type, a.value, a.quality, a.source, a.case_ref, a.note) == (
                b.signal_type,
                b.value,
                b.quality,
                b.source,
                b.case_ref,
                b.note,
            )
        assert copied[0].note == '=HYPERLINK("x")'
        assert copied[1].note == 'comma, and quote"'


def test_other_signal_types_by_row_or_by_default(tmp_path: Path) -> None:
    md5, sha = "0123456789abcdef" * 2, "ab" * 32
    mixed = tmp_path / "mixed.csv"
    mixed.write_text(f"signal_type,value\npdq,{H1}\nMD5,{md5.upper()}\nsha256,{sha}\n")
    entries = transfer.read_entries(mixed)
    assert [(e.signal_type, e.value) for e in entries] == [
        ("pdq", H1),
        ("md5", md5),
        ("sha256", sha),
    ]
    ncmec = tmp_path / "ncmec.txt"  # a bare list, its type given by the caller
    ncmec.write_text(f"{md5}\n")
    [entry] = transfer.read_entries(ncmec, signal_type="md5")
    assert (entry.signal_type, entry.value) == ("md5", md5)
    with pytest.raises(InvalidImport, match="PDQ hash is 64 hex"):
        transfer.read_entries(ncmec)  # the default is PDQ


@pytest.mark.parametrize(
    ("fmt", "suffix"), [("threatexchange", "txt"), ("threatexchange-csv", "csv")]
)
def test_threatexchange_exports_read_back(
    db: Database, tmp_path: Path, fmt: str, suffix: str
) -> None:
    store = BankStore(db)
    store.create("src", "victim")
    sha = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"
    store.add(
        "src",
        [
            NewEntry(H1, quality=90),
            NewEntry(H2, reviewed=False),
            NewEntry("0123456789abcdef" * 2, signal_type="md5"),
            NewEntry(sha, signal_type="sha256"),
        ],
    )
    out = io.StringIO()
    assert transfer.write_entries(store.entries("src"), fmt, out, collab="src") == 4
    text = out.getvalue()
    assert "photo_md5 " in text or "photo_md5," in text  # an image's MD5, never video_md5
    if fmt == "threatexchange-csv":
        assert text.splitlines()[0] == "signal_type,signal_str,collab,category,tags"
        assert f"pdq,{H2},src,INVESTIGATION_SEED,ncii" in text  # not reviewed: a seed
        assert f"pdq,{H1},src,POSITIVE_CLASS,ncii" in text
    path = tmp_path / f"out.{suffix}"
    path.write_text(text)
    store.create("copy", "victim")
    store.add("copy", transfer.read_entries(path))
    assert sorted((e.signal_type, e.value) for e in store.entries("copy")) == sorted(
        (e.signal_type, e.value) for e in store.entries("src")
    )


def test_threatexchanges_local_file_collab_fetches_an_export(db: Database, tmp_path: Path) -> None:
    """threatexchange's own ``local_file`` collaboration (HMA has it too) reads the export."""
    store = BankStore(db)
    store.create("src", "victim")
    store.add("src", [NewEntry(H1), NewEntry("0123456789abcdef" * 2, signal_type="md5")])
    export = tmp_path / "victims.txt"
    with export.open("w") as out:
        transfer.write_entries(store.entries("src"), "threatexchange", out)
    tx = str(Path(sys.executable).with_name("threatexchange"))
    env = {**os.environ, "HOME": str(tmp_path / "home")}

    def run(*args: str) -> str:
        done = subprocess.run(
            [tx, *args], env=env, capture_output=True, text=True, timeout=120, check=False
        )
        assert done.returncode == 0, done.stderr[-2000:]
        return done.stdout

    run("config", "extensions", "add", "tx_extension_bouclier")  # knows photo_md5
    run("config", "collab", "edit", "local_file", "--create", "victims", f"--filename={export}")
    run("fetch")
    listed = {tuple(line.split()[:2]) for line in run("dataset", "-P").splitlines()}
    assert listed == {("pdq", H1), ("photo_md5", "0123456789abcdef" * 2)}
