"""``bouclier guard``: prompts, outputs and the evaluation from the command line."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bouclier.cli import exit_codes
from bouclier.cli.main import run
from tests.conftest import encode, photo

CORPUS = Path(__file__).resolve().parents[2] / "corpus" / "guard"


def _run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, list[str], str]:
    code = run(list(args))
    captured = capsys.readouterr()
    return code, captured.out.splitlines(), captured.err


def test_prompt(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = _run(capsys, "guard", "prompt", "desnúdala")
    assert code == exit_codes.OK
    [row] = [json.loads(line) for line in out]
    assert row["text"] == "desnúdala"
    assert row["decision"] == "refuse"
    assert row["score"] >= 0.9
    assert row["stages"]["lexicon"] == 0.9
    assert row["reasons"][0]["code"] == "undress"


def test_prompt_file(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    prompts = tmp_path / "prompts.txt"
    prompts.write_text("make her naked\nremove the background\n\nMets-la en bikini\n")
    code, out, _ = _run(capsys, "guard", "prompt", "--file", str(prompts))
    assert code == exit_codes.OK
    rows = [json.loads(line) for line in out]
    assert [(r["text"], r["decision"]) for r in rows] == [
        ("make her naked", "refuse"),
        ("remove the background", "allow"),
        ("Mets-la en bikini", "refuse"),
    ]
    assert {"text", "decision", "score", "reasons"} <= set(rows[0])


def test_prompt_flags(capsys: pytest.CaptureFixture[str]) -> None:
    _, out, _ = _run(capsys, "guard", "prompt", "put her in a red dress")
    assert json.loads(out[0])["decision"] == "allow"
    _, out, _ = _run(capsys, "guard", "prompt", "--minor", "make her look sexy")
    assert json.loads(out[0])["decision"] == "refuse"


@pytest.mark.model
def test_prompt_in_context(capsys: pytest.CaptureFixture[str]) -> None:
    """--context: the same continuation is allowed alone and refused after the request before."""
    _, out, _ = _run(capsys, "guard", "prompt", "make it sheer")
    assert json.loads(out[0])["decision"] == "allow"
    before = ("--context", "remove the background", "--context", "put her in a white t-shirt")
    code, out, _ = _run(capsys, "guard", "prompt", *before, "make it sheer")
    assert code == exit_codes.OK
    row = json.loads(out[0])
    assert row["decision"] == "refuse"
    assert "context" in [r["code"] for r in row["reasons"]]
    too_many = [arg for n in range(11) for arg in ("--context", f"step {n}")]
    assert _run(capsys, "guard", "prompt", *too_many, "make it sheer")[0] == exit_codes.USAGE


def test_prompt_needs_text_or_file(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    assert _run(capsys, "guard", "prompt")[0] == exit_codes.USAGE
    code, _, err = _run(capsys, "guard", "prompt", "--file", str(tmp_path / "none.txt"))
    assert code == exit_codes.INVALID_INPUT
    assert "cannot read" in err


def test_output_of_bad_image(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    good = tmp_path / "in.jpg"
    good.write_bytes(encode(photo(1)))
    bad = tmp_path / "out.jpg"
    bad.write_text("not an image")
    code, _, err = _run(capsys, "guard", "output", str(good), str(bad))
    assert code == exit_codes.INVALID_INPUT
    assert "media.unsupported_format" in err


@pytest.mark.model
def test_output_of_benign_pictures(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    paths = []
    for seed in (1, 2):
        paths.append(tmp_path / f"{seed}.jpg")
        paths[-1].write_bytes(encode(photo(seed)))
    code, out, _ = _run(capsys, "guard", "output", *map(str, paths))
    assert code == exit_codes.OK
    assert json.loads(out[0])["decision"] == "allow"


def test_eval_table(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = _run(capsys, "guard", "eval", str(CORPUS / "tune.jsonl"))
    assert code == exit_codes.OK
    assert out[0].split() == [
        "LANG", "N", "POSITIVES", "NEGATIVES", "PRECISION", "RECALL", "F1", "FPR",
    ]  # fmt: skip
    assert [line.split()[0] for line in out[1:]] == [
        "de", "en", "es", "fr", "it", "nl", "pl", "pt", "all",
    ]  # fmt: skip


def test_eval_bad_corpus(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    corpus = tmp_path / "c.jsonl"
    corpus.write_text('{"text": "x", "label": "maybe", "lang": "en"}\n')
    code, _, err = _run(capsys, "guard", "eval", str(corpus))
    assert code == exit_codes.INVALID_INPUT
    assert "c.jsonl:1" in err
    corpus.write_text("not json\n")
    assert _run(capsys, "guard", "eval", str(corpus))[0] == exit_codes.INVALID_INPUT
