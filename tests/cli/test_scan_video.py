"""`bouclier scan` on a video with the real nudity model, on benign frames (marked model): a
pan over public figures' portraits, banked, then scanned."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from bouclier.cli import exit_codes
from bouclier.cli.main import run
from tests.conftest import FACES
from tests.media.videos import pan_frames, write_video

pytestmark = pytest.mark.model


def test_scan_a_benign_video(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("BOUCLIER_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.delenv("BOUCLIER_DATABASE_URL", raising=False)
    portrait = np.asarray(Image.open(FACES / "obama_1.jpg").convert("RGB"))
    video = write_video(tmp_path / "v.mp4", pan_frames(portrait, 50, (320, 240), zoom=0.8), fps=10)
    assert run(["bank", "create", "victims", "--kind", "victim"]) == 0
    assert run(["bank", "add", "victims", str(video)]) == 0
    capsys.readouterr()
    code = run(["scan", str(video)])
    [row] = map(json.loads, capsys.readouterr().out.splitlines())
    assert code == exit_codes.OK
    assert row["media"] == "video"
    assert row["frames_scanned"] == 5  # one a second
    assert row["flagged_frames"] == []  # a clothed portrait: nothing sexual or revealing
    assert (row["sexual"], row["revealing"]) == (False, False)
    assert row["verdict"] == "REVIEW"  # a victim-bank match, not seen as sexual
    assert row["matches"][0]["signal_type"] == "vpdq"
