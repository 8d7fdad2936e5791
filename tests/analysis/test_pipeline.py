"""The pipeline with fake detectors: stages, the likeness rule, verdicts, timings, thumbnails."""

from __future__ import annotations

import numpy as np
import pytest

from bouclier.analysis import STAGES, Analyzer
from bouclier.banks.matcher import BankMatcher
from bouclier.banks.store import BankStore, NewEntry
from bouclier.detectors.base import Signal
from bouclier.errors import MediaError
from bouclier.hashing import pdq
from bouclier.policy import CaseFlags, Decision
from bouclier.storage import Database
from tests.analysis.fakes import FakeDetector, FakeLikeness, nudity
from tests.conftest import encode, photo

ENROLLED = Signal(
    "likeness", "likeness.enrolled", 0.9, details=(("reference", "enr_1"), ("minor", "false"))
)


def _analyzer(
    db: Database, detector: FakeDetector, likeness: FakeLikeness | None = None
) -> Analyzer:
    return Analyzer(
        matcher=BankMatcher.from_store(BankStore(db)),
        nudity=detector,
        provenance=FakeDetector("provenance"),
        likeness=likeness,  # type: ignore[arg-type]
    )


def test_every_stage_is_timed_and_reported(db: Database) -> None:
    data = encode(photo(1, (1200, 900)), quality=90)
    analysis = _analyzer(db, nudity()).analyze(data, thumbnail=True)
    assert set(analysis.timings_ms) == set(STAGES)
    assert analysis.verdict.decision == Decision.ALLOW
    assert (analysis.width, analysis.height, analysis.format) == (1200, 900, "jpeg")
    assert analysis.thumbnail is not None
    assert analysis.thumbnail.startswith(b"\xff\xd8")
    row = analysis.to_dict()
    assert row["verdict"] == "ALLOW"
    assert len(row["pdq"]) == 64


def test_faces_are_only_compared_on_sexual_or_revealing_images(db: Database) -> None:
    data = encode(photo(2))
    for detector, looked, decision in [
        (nudity(0.1, 0.1), 0, Decision.ALLOW),
        (nudity(0.9, 0.0), 1, Decision.REVIEW),
        (nudity(0.0, 0.7), 1, Decision.REVIEW),
    ]:
        likeness = FakeLikeness([ENROLLED])
        analysis = _analyzer(db, detector, likeness).analyze(data)
        assert likeness.calls == looked
        assert analysis.verdict.decision == decision
        assert ("likeness.enrolled" in {s.label for s in analysis.signals}) == bool(looked)


def test_bank_match_makes_the_verdict(db: Database) -> None:
    pixels = photo(3)
    store = BankStore(db)
    store.create("victims", "victim")
    [entry] = store.add("victims", [NewEntry(value=pdq.hash_pixels(pixels).pdq)])
    data = encode(pixels, "PNG")
    analyzer = _analyzer(db, nudity(0.95, 0.0))
    analysis = analyzer.analyze(data)
    assert [m.entry for m in analysis.matches] == [entry]
    assert analysis.verdict.decision == Decision.BLOCK
    clothed = _analyzer(db, nudity(0.0, 0.0)).analyze(data)
    assert clothed.verdict.decision == Decision.REVIEW
    minor = _analyzer(db, nudity(0.0, 0.0)).analyze(data, case_flags=CaseFlags(minor=True))
    assert minor.verdict.decision == Decision.BLOCK
    assert minor.verdict.escalate


def test_bad_bytes_raise_the_media_error(db: Database) -> None:
    with pytest.raises(MediaError) as caught:
        _analyzer(db, nudity()).analyze(b"%PDF-1.7 not an image")
    assert caught.value.code == "media.unsupported_format"


def test_animated_images_are_matched_frame_by_frame(db: Database, tmp_path: object) -> None:
    import io

    from PIL import Image

    frames = [Image.fromarray(photo(s, (320, 240))) for s in (4, 5, 6)]
    buffer = io.BytesIO()
    frames[0].save(buffer, "GIF", save_all=True, append_images=frames[1:], duration=100)
    store = BankStore(db)
    store.create("v", "victim")
    first = pdq.hash_pixels(np.asarray(Image.open(buffer).convert("RGB"))).pdq
    store.add("v", [NewEntry(value=first)])
    analysis = _analyzer(db, nudity()).analyze(buffer.getvalue())
    assert len(analysis.frames) == 3
    assert analysis.matches
