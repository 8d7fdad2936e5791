"""The pipeline with fake detectors: stages, the likeness rule, verdicts, timings, thumbnails."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from bouclier.analysis import STAGES, Analyzer
from bouclier.banks.matcher import BankMatcher
from bouclier.banks.store import BankStore, NewEntry
from bouclier.cases import Cases, HashReport
from bouclier.cases.matched import MatchedEntries
from bouclier.detectors.base import Signal
from bouclier.detectors.registry import Registry
from bouclier.errors import ConfigError, MediaError
from bouclier.hashing import pdq
from bouclier.policy import CaseFlags, Decision
from bouclier.settings import Settings, load_settings
from bouclier.storage import Database
from tests.analysis.fakes import FakeDetector, FakeLikeness, nudity
from tests.conftest import encode, photo
from tests.detectors.tint import BRIGHTNESS, TintDetector

ENROLLED = Signal(
    "likeness", "likeness.enrolled", 0.9, details=(("reference", "enr_1"), ("minor", "false"))
)


def _analyzer(
    db: Database, detector: FakeDetector, likeness: FakeLikeness | None = None
) -> Analyzer:
    return Analyzer(
        matcher=BankMatcher.from_store(BankStore(db)),
        detectors=Registry([detector, FakeDetector("provenance")]),
        likeness=likeness,  # type: ignore[arg-type]
        entries=MatchedEntries(db),
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
    assert [m.reviewed for m in minor.matches] == [True]  # an operator's entry


def test_a_case_hash_is_a_claim_until_an_analyst_confirms_it(db: Database, tmp_path: Path) -> None:
    """List poisoning: a stranger's case "concerning a minor" with the hash of a clothed photo
    makes the analysis ask for review, not block and escalate, until an analyst confirms it."""
    pixels = photo(4)
    cases = Cases(db, Settings(data_dir=tmp_path))
    case, _ = cases.create(minor=True)
    [item] = cases.add_hashes(case.number, [HashReport(pdq.hash_pixels(pixels).pdq)])
    data = encode(pixels, "PNG")
    claimed = _analyzer(db, nudity(0.0, 0.0)).analyze(data)
    assert (claimed.verdict.decision, claimed.verdict.escalate) == (Decision.REVIEW, False)
    assert [m.reviewed for m in claimed.matches] == [False]
    assert claimed.to_dict()["matches"][0]["reviewed"] is False
    cases.review_item(case.number, item.id, "confirm", actor="analyst:ana")
    confirmed = _analyzer(db, nudity(0.0, 0.0)).analyze(data)
    assert (confirmed.verdict.decision, confirmed.verdict.escalate) == (Decision.BLOCK, True)
    assert confirmed.to_dict()["matches"][0]["reviewed"] is True


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


def test_other_detectors_run_after_nudity_into_the_result(db: Database) -> None:
    """A detector the analysis knows nothing of (tests/detectors/tint.py), given in its registry:
    run, timed under its name, its signal in the result and seen by the policy."""
    tint = TintDetector()
    registry = Registry([nudity(), FakeDetector("provenance"), tint])
    analyzer = Analyzer(matcher=BankMatcher.from_store(BankStore(db)), detectors=registry)
    analyzer.load()
    assert tint.loaded
    analysis = analyzer.analyze(encode(np.full((64, 64, 3), 51, np.uint8), "PNG"))
    assert [s.label for s in analysis.signals] == ["nudity.sexual", "nudity.revealing", BRIGHTNESS]
    assert analysis.signals[-1].score == pytest.approx(0.2)
    assert analysis.to_dict()["signals"][-1]["detector"] == "tint"
    assert list(analysis.timings_ms)[3:-1] == ["nudity", "faces", "provenance", "tint"]


def test_the_analysis_needs_the_nudity_detector(db: Database) -> None:
    with pytest.raises(ConfigError, match="'nudity' detector is needed but not configured"):
        Analyzer(
            matcher=BankMatcher.from_store(BankStore(db)),
            detectors=Registry([FakeDetector("provenance")]),
        )


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_the_policy_file_sets_what_is_sexual(database_url: str, tmp_path: Path) -> None:
    """BOUCLIER_POLICY_FILE's thresholds decide what the analysis calls sexual."""
    policy = tmp_path / "policy.toml"
    policy.write_text("[thresholds]\nsexual = 0.3\n")
    settings = load_settings(data_dir=tmp_path, database_url=database_url)
    data = encode(photo(7))
    found = []
    for chosen in (settings, settings.model_copy(update={"policy_file": policy})):
        registry = Registry([nudity(sexual=0.4), FakeDetector("provenance")])
        analyzer = Analyzer.from_settings(chosen, detectors=registry)
        found.append(analyzer.analyze(data).sexual)
    assert found == [False, True]
