"""An analyst's confirmation of a case's evidence file brings its ORB entry (crop-robust,
server-side only) into the victim bank beside its PDQ, as an image added to a bank does: a
reframed re-upload of it is then found; a hash item (no pixels) brings none; withdrawal takes
both out."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from PIL import Image, ImageDraw

from bouclier.banks.matcher import BankMatcher
from bouclier.cases import VICTIM_BANK, Cases, HashReport
from bouclier.hashing import hash_bytes
from bouclier.settings import Settings
from bouclier.storage import Database
from tests.conftest import encode, photo


@pytest.fixture
def cases(db: Database, tmp_path: Path) -> Cases:
    return Cases(db, Settings(data_dir=tmp_path))


def _reframed(data: bytes) -> bytes:
    """Cropped by 12% off-centre, a caption bar over the top, saved again as JPEG 70."""
    original = Image.open(io.BytesIO(data)).convert("RGB")
    w, h = original.size
    out = original.crop((int(w * 0.12), int(h * 0.05), w, h))
    ImageDraw.Draw(out).rectangle((0, 0, out.width, out.height // 8), fill="white")
    ImageDraw.Draw(out).text((6, 4), "look who it is", fill="black", font_size=h // 14)
    buffer = io.BytesIO()
    out.save(buffer, "JPEG", quality=70)
    return buffer.getvalue()


def test_confirmed_evidence_brings_its_orb_entry_which_finds_a_reframed_copy(cases: Cases) -> None:
    case, _ = cases.create()
    data = encode(photo(43), quality=92)
    item = cases.add_evidence(case.number, data)
    banks = cases.banks
    cases.review_item(case.number, item.id, "confirm", actor="analyst")
    entries = list(banks.entries(VICTIM_BANK))
    assert [(e.signal_type, e.case_ref) for e in entries] == [
        ("pdq", case.number),
        ("orb", case.number),
    ]
    matcher = BankMatcher.from_store(banks)
    reframed = hash_bytes(_reframed(data))
    assert not matcher.match_image(reframed, candidates=0).matches  # PDQ alone misses it
    [found] = matcher.match_image(reframed).matches
    assert (found.signal_type, found.entry, found.stage) == ("orb", entries[1].id, "robust")
    assert found.inliers is not None
    assert found.inliers >= 12
    done = cases.withdraw(case.number)  # withdrawal takes both entries out
    assert done.hashes >= 1
    assert list(banks.entries(VICTIM_BANK)) == []


def test_a_confirmed_hash_brings_no_orb_entry(cases: Cases) -> None:
    case, _ = cases.create()
    [item] = cases.add_hashes(case.number, [HashReport("a5" * 32, 90)])
    cases.review_item(case.number, item.id, "confirm", actor="analyst")
    assert [e.signal_type for e in cases.banks.entries(VICTIM_BANK)] == ["pdq"]
