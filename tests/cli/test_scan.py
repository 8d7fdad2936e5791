"""`bouclier scan` end to end with the real models, on benign portraits (marked model)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from bouclier.cli import exit_codes
from bouclier.cli.main import run
from tests.conftest import FACES

pytestmark = pytest.mark.model


@pytest.fixture
def env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    monkeypatch.setenv("BOUCLIER_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.delenv("BOUCLIER_DATABASE_URL", raising=False)
    folder = tmp_path / "in"
    folder.mkdir()
    for name in ("biden_1.jpg", "obama_1.jpg", "rgba_32bit.png"):
        shutil.copy(FACES / name, folder / name)
    shutil.copy(FACES / "obama_2.jpg", folder / "<img src=x onerror=alert(1)>.jpg")
    (folder / "notes.jpg").write_text("not an image")
    return folder


@pytest.mark.parametrize("workers", ["1", "2"])
def test_scan_jsonl(env: Path, capsys: pytest.CaptureFixture[str], workers: str) -> None:
    assert run(["bank", "create", "victims", "--kind", "victim"]) == 0
    assert run(["bank", "add", "victims", str(env / "biden_1.jpg")]) == 0
    capsys.readouterr()
    code = run(["scan", str(env), "--workers", workers])
    rows = {Path(r["path"]).name: r for r in map(json.loads, capsys.readouterr().out.splitlines())}
    assert code == exit_codes.INPUT_FAILED  # notes.jpg
    assert rows["notes.jpg"]["error"]["code"] == "media.unsupported_format"
    biden = rows["biden_1.jpg"]
    assert biden["verdict"] == "REVIEW"  # a victim-bank match on an image not seen as sexual
    assert biden["matches"][0]["bank"] == "victims"
    assert rows["obama_1.jpg"]["verdict"] == "ALLOW"
    for row in rows.values():
        if "error" in row:
            continue
        assert {"decode", "hash", "match", "nudity", "faces", "provenance"} <= set(
            row["timings_ms"]
        )
        labels = {s["label"] for s in row["signals"]}
        assert {"nudity.sexual", "nudity.revealing"} <= labels
        assert row["sexual"] is False


def test_scan_html_report(env: Path, tmp_path: Path) -> None:
    out = tmp_path / "report.html"
    assert run(["scan", str(env), "--format", "html", "--out", str(out)]) == exit_codes.INPUT_FAILED
    html = out.read_text()
    assert html.count('class="thumb"') == 4  # blurred, not strongly: nothing sexual here
    assert "filter: blur(" in html
    assert "<img src=x onerror" not in html  # file names are escaped
    assert "&lt;img src=x onerror=alert(1)&gt;.jpg" in html
    assert "ALLOW" in html
    assert "media.unsupported_format" in html


def test_scan_refuses_to_start_with_templates_and_no_key(
    env: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    key = tmp_path / "template.key"
    assert run(["enrol", "key-create", "--out", str(key)]) == 0
    monkeypatch.setenv("BOUCLIER_TEMPLATE_KEY_FILE", str(key))
    photo = str(FACES / "obama_1.jpg")
    consent = ["--consented-by", "self", "--relationship", "self", "--purpose", "test"]
    assert run(["enrol", "create", "someone", photo, *consent]) == 0
    monkeypatch.delenv("BOUCLIER_TEMPLATE_KEY_FILE")
    capsys.readouterr()
    assert run(["scan", str(env / "obama_1.jpg"), "--workers", "2"]) == exit_codes.CONFIG
    err = capsys.readouterr().err
    assert "no template key is configured" in err
    assert err.count("\n") == 1


def test_scan_takes_its_policy_and_detectors_from_the_settings(
    env: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    policy = tmp_path / "policy.toml"
    policy.write_text("[thresholds]\nrevealing = 0.0\n")  # every image counts as revealing
    monkeypatch.setenv("BOUCLIER_POLICY_FILE", str(policy))
    monkeypatch.setenv("BOUCLIER_DETECTORS", "nudity,faces")
    assert run(["scan", str(env / "obama_1.jpg")]) == exit_codes.OK
    [row] = map(json.loads, capsys.readouterr().out.splitlines())
    assert row["revealing"] is True
    assert "provenance" not in row["timings_ms"]
    assert not [s for s in row["signals"] if s["detector"] == "provenance"]

    monkeypatch.setenv("BOUCLIER_DETECTORS", "nudity,deepfake")
    assert run(["scan", str(env / "obama_1.jpg")]) == exit_codes.CONFIG
    assert "unknown detector 'deepfake'" in capsys.readouterr().err
