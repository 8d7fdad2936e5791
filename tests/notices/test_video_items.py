"""A notice lists a case's video among its hashes: how many frames were fingerprinted and the
file's SHA-256 (every frame's hash is in the evidence bundle, too long for a notice)."""

from __future__ import annotations

from bouclier.cases import Cases
from bouclier.cases.videos import parse_video_report
from bouclier.notices import Notices
from tests.cases.test_videos import SHA, report
from tests.notices.conftest import CaseWithUrl

ANALYST = "analyst:Marie Dupont"


def test_a_notice_lists_the_video_with_its_frames_and_sha256(
    notices: Notices, cases: Cases, case: CaseWithUrl
) -> None:
    sent = parse_video_report(report(), max_seconds=3600)
    assert cases.add_video(case.number, sent) is not None
    notice = notices.create(
        case.number, case.url_item, "dsa", "email", "dsa@platform.example", actor=ANALYST
    )
    text = notices.render(notice.reference, "text").decode()
    assert f"vPDQ ({len(sent.features)} frames)  SHA-256 {SHA}" in text
    assert sent.features[0].pdq not in text  # the frames' hashes stay out of the notice
