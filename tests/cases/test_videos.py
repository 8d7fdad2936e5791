"""A video hashed on the victim's device as a case item: the report checked at the door, the
item in the victim bank at once (vPDQ matched, MD5 on its entry), the evidence bundle and its
PDF listing it with every frame's hash and time, and removal and withdrawal deleting it."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from bouclier.cases import VICTIM_BANK, Cases
from bouclier.cases.bundle_check import verify_bundle
from bouclier.cases.evidence import export_bundle
from bouclier.cases.records import VPDQ_NAME
from bouclier.cases.videos import parse_video_report
from bouclier.errors import InputError
from bouclier.hashing import vpdq
from bouclier.media.video import read_video
from bouclier.settings import Settings
from bouclier.signals import vpdq as vpdq_signal
from bouclier.storage import Database
from bouclier.storage.models import BankEntry, CaseItem
from tests.cases.test_evidence import pdf_text
from tests.conftest import photo
from tests.media.videos import pan_frames, write_video

REFERENCE = Path(__file__).parents[1] / "data" / "vpdq" / "doorknob-hd-no-bar.txt"
SHA = "ab" * 32
MD5 = "cd" * 16


@pytest.fixture
def cases(db: Database, tmp_path: Path) -> Cases:
    return Cases(db, Settings(data_dir=tmp_path))


def report(**changes: Any) -> dict[str, Any]:
    """What video.js sends for ThreatExchange's published doorknob video (its reference hashes)."""
    features = vpdq.parse_reference(REFERENCE.read_text())
    sent = {
        "frames": [[f.frame, f.quality, f.pdq, f.timestamp] for f in features],
        "md5": MD5,
        "sha256": SHA,
        "duration": features[-1].timestamp + 1,
    }
    return {**sent, **changes}


def test_the_signal_type_name_is_the_registry_s() -> None:
    assert VPDQ_NAME == vpdq_signal.NAME


@pytest.mark.parametrize(
    ("changes", "code"),
    [
        ({"frames": []}, "invalid_video_hashes"),
        ({"frames": "0,100,ab,0"}, "invalid_video_hashes"),
        ({"frames": [[0, 100, "zz" * 32, 0.0]]}, "invalid_video_hashes"),
        ({"frames": [[0, 101, "ab" * 32, 0.0]]}, "invalid_video_hashes"),
        ({"frames": [[0, True, "ab" * 32, 0.0]]}, "invalid_video_hashes"),
        ({"frames": [[1, 90, "ab" * 32, 1.0], [0, 90, "ab" * 32, 0.0]]}, "invalid_video_hashes"),
        ({"frames": [[0, 90, "ab" * 32, 99.0]], "duration": 3}, "invalid_video_hashes"),
        ({"frames": [[0, 90, "ab" * 32, float("nan")]]}, "invalid_video_hashes"),
        ({"md5": "not hex"}, "invalid_video_hashes"),
        ({"sha256": None}, "invalid_video_hashes"),
        ({"duration": "long"}, "invalid_video_hashes"),
        ({"duration": 7200}, "video_too_long"),
    ],
)
def test_a_bad_report_is_refused_with_what_is_wrong(changes: dict[str, Any], code: str) -> None:
    with pytest.raises(InputError) as refused:
        parse_video_report(report(**changes), max_seconds=3600)
    assert refused.value.code == code
    assert refused.value.message


def test_a_video_goes_to_the_victim_bank_the_bundle_and_away_on_withdrawal(
    cases: Cases, db: Database
) -> None:
    case, _ = cases.create(language="es")
    sent = parse_video_report(json.loads(json.dumps(report())), max_seconds=3600)
    item = cases.add_video(case.number, sent)
    assert item is not None
    assert item.kind == "hash"
    assert item.signal_type == VPDQ_NAME
    assert cases.add_video(case.number, sent) is None  # the same file twice: one item
    (listed,) = cases.items(case.number)
    assert listed.md5 == MD5
    assert listed.sha256 == SHA
    assert [f.pdq for f in listed.frames] == [f.pdq for f in sent.features]
    with db.transaction() as session:
        entry = session.scalars(select(BankEntry)).one()
        assert (entry.signal_type, entry.md5, entry.reviewed) == (VPDQ_NAME, MD5, False)

    bundle = export_bundle(cases, case.number, actor="victim")
    assert verify_bundle(bundle).ok
    with zipfile.ZipFile(io.BytesIO(bundle)) as archive:
        manifest = json.loads(archive.read("manifest.json"))
        summary = pdf_text(archive.read("summary.pdf"))
    (row,) = manifest["items"]
    assert row["md5"] == MD5
    assert row["sha256"] == SHA
    assert row["video"]["frames"] == len(sent.features)
    assert vpdq.parse_reference("\n".join(row["video"]["vpdq"])) == list(sent.features)
    assert "huella de v" in summary
    assert MD5 in summary

    other, _ = cases.create(language="en")  # the wrong video, removed by the victim
    wrong = cases.add_video(other.number, sent)
    assert wrong is not None
    cases.remove_item(other.number, wrong.id)
    assert cases.items(other.number) == []
    assert cases.banks.get(VICTIM_BANK).size == 1

    cases.withdraw(case.number)
    with db.transaction() as session:
        assert session.scalars(select(BankEntry)).all() == []
        assert session.scalars(select(CaseItem)).all() == []
    assert cases.banks.get(VICTIM_BANK).size == 0


def test_a_video_she_chooses_to_keep_is_sealed_hashed_and_in_the_bundle(
    cases: Cases, tmp_path: Path
) -> None:
    path = write_video(tmp_path / "kept.mp4", pan_frames(photo(5, (320, 240)), 20, (160, 120)))
    data = path.read_bytes()
    case, _ = cases.create(language="fr")
    kept = cases.add_evidence(case.number, data)
    assert (kept.kind, kept.signal_type, kept.media_type) == ("evidence", VPDQ_NAME, "video/mp4")
    assert [f.pdq for f in kept.frames] == [f.pdq for f in read_video(path).features]
    assert cases.evidence(case.number, kept.id) == (data, "video/mp4")
    confirmed = cases.review_item(case.number, kept.id, "confirm", actor="analyst:ana")
    assert confirmed.status == "confirmed"
    (entry,) = cases.banks.entries(VICTIM_BANK)
    assert entry.signal_type == VPDQ_NAME
    with zipfile.ZipFile(io.BytesIO(export_bundle(cases, case.number, actor="victim"))) as archive:
        assert archive.read(f"evidence/{kept.id}.mp4") == data
        (row,) = json.loads(archive.read("manifest.json"))["items"]
    assert row["video"]["frames"] == len(kept.frames)
