"""Back-scan of (id, PDQ) rows: exactly the hits that comparing every row with every entry gives,
with the policy's verdicts, bad rows reported by line, resumption after an interruption."""

from __future__ import annotations

from pathlib import Path

import pytest

from bouclier.backscan.run import Options, backscan
from bouclier.backscan.sources import Source
from bouclier.errors import ConfigError, InputError
from tests.backscan.conftest import Archive, hits, report_lines


@pytest.mark.parametrize("workers", [1, 2])
def test_csv_rows_find_exactly_the_reference_matches(
    archive: Archive, tmp_path: Path, workers: int
) -> None:
    rows = archive.write_csv(tmp_path / "rows.csv")
    out = tmp_path / "report.jsonl"
    summary = backscan(
        archive.store, Source.open(str(rows)), Options(out, workers=workers, chunk_size=64)
    )
    assert hits(out) == archive.expected
    assert len(archive.expected) >= 20  # the families make real hits, not a lucky empty set
    assert (summary.scanned, summary.hits, summary.refused) == (600, len(archive.expected), 0)
    lines = report_lines(out)
    assert [line["line"] for line in lines] == sorted(line["line"] for line in lines)
    verdicts = {str(line["id"]): line["verdict"] for line in lines}
    kinds = {
        str(line["id"]): {m["bank_kind"] for m in line["matches"]}  # type: ignore[attr-defined]
        for line in lines
    }
    for item_id, seen in kinds.items():
        # a false-positive bank match overrides; a victim match with no detector is REVIEW
        assert verdicts[item_id] == ("ALLOW" if "known_false_positive" in seen else "REVIEW")


def test_jsonl_rows_and_bad_rows_reported_by_line(archive: Archive, tmp_path: Path) -> None:
    bad = [
        '{"id": "x1", "pdq": "zz"}',
        "not json",
        '{"id": "x2"}',
        '{"id": "", "pdq": "' + "0" * 64 + '"}',
        '{"id": "x\\u0000", "pdq": "' + "0" * 64 + '"}',
        '{"id": true, "pdq": "' + "0" * 64 + '"}',
        '{"id": "' + "x" * 200_000 + '", "pdq": "' + "0" * 64 + '"}',  # cut at 64 KiB
    ]
    rows = archive.write_jsonl(tmp_path / "rows.jsonl", bad)
    out = tmp_path / "report.jsonl"
    summary = backscan(archive.store, Source.open(str(rows)), Options(out, workers=1))
    refused = [line for line in report_lines(out) if "error" in line]
    assert [(r["line"], r["error"]["code"]) for r in refused] == [  # type: ignore[index]
        (601, "invalid_hash"),
        (602, "invalid_row"),
        (603, "invalid_row"),
        (604, "invalid_row"),
        (605, "invalid_row"),
        (606, "invalid_row"),
        (607, "invalid_row"),
    ]
    assert summary.refused == 7
    assert hits(out) == archive.expected


def test_an_interrupted_backscan_resumes_to_the_same_report(
    archive: Archive, tmp_path: Path
) -> None:
    rows = archive.write_csv(tmp_path / "rows.csv")
    whole = tmp_path / "whole.jsonl"
    backscan(archive.store, Source.open(str(rows)), Options(whole, workers=1, chunk_size=50))

    out = tmp_path / "report.jsonl"

    def stop_after_four(chunks: int, scanned: int) -> None:
        if chunks == 4:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        backscan(
            archive.store,
            Source.open(str(rows)),
            Options(out, workers=2, chunk_size=50),
            progress=stop_after_four,
        )
    with out.open("ab") as torn:  # a chunk half written after the last checkpoint
        torn.write(b'{"id": "img-9999", "li')
    summary = backscan(
        archive.store, Source.open(str(rows)), Options(out, workers=2, chunk_size=50)
    )
    assert summary.resumed_from == 4
    assert summary.chunks == 12
    assert summary.scanned == 600  # the counts carry over from before the interruption
    assert out.read_bytes() == whole.read_bytes()


def test_a_checkpoint_of_another_backscan_is_not_used(archive: Archive, tmp_path: Path) -> None:
    rows = archive.write_csv(tmp_path / "rows.csv")
    out = tmp_path / "report.jsonl"

    def stop(chunks: int, scanned: int) -> None:
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        backscan(archive.store, Source.open(str(rows)), Options(out, chunk_size=50), progress=stop)
    with pytest.raises(ConfigError, match="--restart"):
        backscan(archive.store, Source.open(str(rows)), Options(out, chunk_size=50, banks=["fp"]))
    summary = backscan(
        archive.store, Source.open(str(rows)), Options(out, chunk_size=50, restart=True)
    )
    assert summary.resumed_from == 0
    assert hits(out) == archive.expected


@pytest.mark.parametrize(
    ("name", "text", "code"),
    [
        ("rows.csv", "id,hash\n1," + "0" * 64 + "\n", "invalid_source"),
        ("rows.txt", "1," + "0" * 64 + "\n", "invalid_source"),
    ],
)
def test_a_source_that_is_not_rows_is_refused_at_the_door(
    tmp_path: Path, name: str, text: str, code: str
) -> None:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    with pytest.raises(InputError) as refused:
        Source.open(str(path))
    assert refused.value.code == code
