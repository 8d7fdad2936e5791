"""The bouclier command: output lines, errors on stderr, exit codes, on SQLite and PostgreSQL."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bouclier.cli import exit_codes


def _json(lines: list[str]) -> list[dict]:  # type: ignore[type-arg]
    return [json.loads(line) for line in lines]


def test_hash_folder_recursively(cli, photos_dir: Path) -> None:  # type: ignore[no-untyped-def]
    code, out, _ = cli("hash", str(photos_dir))
    rows = _json(out)
    assert code == exit_codes.INPUT_FAILED  # notes.jpg is text
    assert [Path(r["path"]).name for r in rows] == [
        "notes.jpg",
        "p0.jpg",
        "p1.jpg",
        "p2.jpg",
        "p3.png",
    ]
    error = rows[0]["error"]
    assert error["code"] == "media.unsupported_format"
    assert "text" in error["message"]
    for row in rows[1:]:
        assert set(row) == {"path", "sha256", "md5", "pdq", "quality", "width", "height", "signals"}
        assert row["signals"] == {"pdq": row["pdq"], "sha256": row["sha256"], "md5": row["md5"]}
        assert len(row["pdq"]) == 64
        assert (row["width"], row["height"]) == (640, 480)


def test_hash_table_and_missing_file(cli, photos_dir: Path) -> None:  # type: ignore[no-untyped-def]
    code, out, _ = cli("hash", "--format", "table", str(photos_dir / "p0.jpg"), "/no/such.jpg")
    assert code == exit_codes.INPUT_FAILED
    assert out[0].split()[:3] == ["PATH", "PDQ", "QUALITY"]
    assert "file.not_found" in out[2]


def test_bank_lifecycle_and_match(cli, photos_dir: Path, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    assert cli("bank", "create", "victims", "--kind", "victim")[0] == exit_codes.OK
    code, _, err = cli("bank", "create", "victims", "--kind", "victim")
    assert code == exit_codes.CONFLICT
    assert err.strip() == "bouclier: a bank named 'victims' already exists [bank_exists]"

    code, out, _ = cli("bank", "add", "victims", str(photos_dir / "p0.jpg"), "--case", "C-1")
    assert code == exit_codes.OK
    added, robust = _json(out)  # its PDQ, and its ORB keypoints (crop-robust, server-side)
    assert added["path"].endswith("p0.jpg")
    assert robust["signal_type"] == "orb"
    assert robust["path"] == added["path"]

    code, out, _ = cli("match", str(photos_dir / "p0.jpg"), str(photos_dir / "p1.jpg"))
    assert code == exit_codes.OK
    first, second = _json(out)
    assert first["matches"] == [
        {
            "bank": "victims",
            "bank_kind": "victim",
            "entry": added["entry"],
            "signal_type": "pdq",
            "distance": 0,
            "orientation": "original",
            "frame": 0,
            "reviewed": True,  # an operator's entry
            "stage": "direct",
            "region": None,
        }
    ]
    assert first["low_quality"] is False
    assert second["matches"] == []

    export = tmp_path / "export.csv"
    assert cli("bank", "export", "victims", "--out", str(export))[0] == exit_codes.OK
    assert export.read_text().splitlines()[0].startswith("pdq,quality")
    cli("bank", "create", "copy", "--kind", "known_false_positive", "--threshold", "10")
    assert cli("bank", "import", "copy", str(export))[0] == exit_codes.OK
    code, out, _ = cli("bank", "list", "--format", "jsonl")
    listed = {r["name"]: r for r in _json(out)}
    assert listed["copy"]["entries"] == 1
    assert listed["copy"]["threshold"] == 10

    code, out, _ = cli("match", "--bank", "copy", str(photos_dir / "p0.jpg"))
    assert [m["bank"] for m in _json(out)[0]["matches"]] == ["copy"]

    code, _, err = cli("bank", "remove", "victims")
    assert code == exit_codes.USAGE
    assert "--yes" in err
    assert cli("bank", "remove", "victims", "--yes")[0] == exit_codes.OK
    code, _, err = cli("match", "--bank", "victims", str(photos_dir / "p0.jpg"))
    assert code == exit_codes.NOT_FOUND
    assert "[bank_not_found]" in err


def test_bad_import_is_refused_whole(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    cli("bank", "create", "v", "--kind", "victim")
    bad = tmp_path / "bad.csv"
    bad.write_text("pdq\n" + "a" * 64 + "\n" + "b" * 63 + "\n")
    code, _, err = cli("bank", "import", "v", str(bad))
    assert code == exit_codes.INVALID_INPUT
    assert err.count("\n") == 1
    assert "line 3" in err
    assert "[invalid_import]" in err
    code, out, _ = cli("bank", "list", "--format", "jsonl")
    assert _json(out)[0]["entries"] == 0


def test_match_raw_hash_and_bad_hash(cli) -> None:  # type: ignore[no-untyped-def]
    cli("bank", "create", "v", "--kind", "victim")
    cli("bank", "add", "v", "--pdq", "0" * 64)
    code, out, _ = cli("match", "--pdq", "0" * 63 + "1")
    assert code == exit_codes.OK
    assert _json(out)[0]["matches"][0]["distance"] == 1
    code, _, err = cli("match", "--pdq", "xyz")
    assert code == exit_codes.INVALID_INPUT
    assert "[invalid_hash]" in err


def test_usage_and_config_errors(cli, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    assert cli("hash")[0] == exit_codes.USAGE
    assert cli("bank", "create", "x", "--kind", "nope")[0] == exit_codes.USAGE
    monkeypatch.setenv("BOUCLIER_MAX_FRAMES", "many")
    code, _, err = cli("bank", "list")
    assert code == exit_codes.CONFIG
    assert "BOUCLIER_MAX_FRAMES" in err
    monkeypatch.delenv("BOUCLIER_MAX_FRAMES")
    monkeypatch.setenv("BOUCLIER_DATABASE_URL", "mysql://nobody@127.0.0.1:1/x")
    code, _, err = cli("bank", "list")
    assert code == exit_codes.CONFIG
    assert "unsupported database" in err


def test_mixed_import_reports_what_it_skipped(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    cli("bank", "create", "v", "--kind", "victim")
    mixed = tmp_path / "te.csv"  # as threatexchange dataset -P --csv writes it
    mixed.write_text(
        "signal_type,signal_str,collab,category,tags\n"
        + f"pdq,{'a' * 64},Sample,INVESTIGATION_SEED,\n"
        + "video_md5,d41d8cd98f00b204e9800998ecf8427e,Sample,INVESTIGATION_SEED,\n"
        + f"pdq,{'b' * 64},Sample,INVESTIGATION_SEED,\n"
        + "url,https://example.org/,Sample,INVESTIGATION_SEED,\n"
        + "video_md5,cab08b36195edb1a1231d2d09fa450e0,Sample,INVESTIGATION_SEED,\n"
    )
    code, _, err = cli("bank", "import", "v", str(mixed))
    assert code == exit_codes.OK
    assert err.splitlines() == [
        "imported 2 entries into v",
        "skipped 3 rows of signal types Bouclier does not hold:",
        "  2 video_md5 rows (lines 3, 6)",
        "  1 url row (line 5)",
    ]
    code, out, _ = cli("bank", "list", "--format", "jsonl")
    assert _json(out)[0]["entries"] == 2


def test_match_robust_budget(cli, photos_dir: Path, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from PIL import Image, ImageDraw

    cli("bank", "create", "victims", "--kind", "victim")
    code, out, _ = cli("bank", "add", "victims", str(photos_dir / "p1.jpg"))
    _, robust = _json(out)
    with Image.open(photos_dir / "p1.jpg") as opened:  # cropped 12% off-centre, a caption bar
        w, h = opened.size
        reframed = opened.convert("RGB").crop((int(w * 0.12), 0, w, int(h * 0.9)))
    ImageDraw.Draw(reframed).rectangle((0, 0, reframed.width, h // 8), fill="white")
    ImageDraw.Draw(reframed).text((6, 4), "seen this?", fill="black", font_size=h // 14)
    query = tmp_path / "reframed.jpg"
    reframed.save(query, "JPEG", quality=75)

    code, out, _ = cli("match", str(query))  # the settings' budget: the ORB stage runs
    assert code == exit_codes.OK
    [found] = _json(out)[0]["matches"]
    assert (found["signal_type"], found["entry"], found["stage"]) == (
        "orb",
        robust["entry"],
        "robust",
    )
    assert found["inliers"] >= 12
    assert len(found["corners"]) == 4
    assert _json(cli("match", "--robust", "0", str(query))[1])[0]["matches"] == []  # PDQ only
    assert (
        _json(cli("match", "--robust", "8", str(query))[1])[0]["matches"][0]["entry"]
        == (robust["entry"])
    )
    code, _, err = cli("match", "--robust", "-1", str(query))
    assert code == exit_codes.USAGE
    assert "--robust" in err
