"""The portal's video form without a browser: the hashes video.js sends are checked at the door
(a clear message for anything else, nothing added), added once, listed on the case page and named
on the removal page."""

from __future__ import annotations

import html
import json

from tests.cases.test_videos import report
from tests.web.server import Portal, portal
from tests.web.test_portal import case_page, create, csrf

__all__ = ["portal"]


def test_a_video_s_hashes_are_checked_added_once_listed_and_removable(portal: Portal) -> None:
    number, _, _ = create(portal, lang="en")
    token = csrf(case_page(portal, "en"))
    for bad, said in (
        ("", "Choose a video first."),
        ("nonsense", "These video fingerprints could not be read."),
        ("[" * 100_000, "These video fingerprints could not be read."),
        (json.dumps(report(frames=[[0, 100, "xyz", 0]])), "could not be read"),
        (json.dumps(report(duration=99_999)), "This video is too long for Bouclier."),
    ):
        answer = portal.client.post("/case/videos", data={"csrf_token": token, "video": bad})
        assert answer.status_code == 400, bad[:20]
        assert said in html.unescape(answer.text)
    assert portal.cases.items(number) == []

    sent = json.dumps(report())
    for count in (1, 0):  # the same file again adds nothing
        answer = portal.client.post(
            "/case/videos", data={"csrf_token": token, "video": sent}, follow_redirects=False
        )
        assert answer.headers["location"] == f"/case?done=videos&n={count}"
    (item,) = portal.cases.items(number)
    frames = len(report()["frames"])
    assert f"Video: {frames} frames fingerprinted over 0:03" in html.unescape(
        case_page(portal, "en")
    )
    asked = portal.client.post(
        "/case/items/remove", data={"csrf_token": token, "item": str(item.id)}
    )
    assert f"Video: {frames} frames fingerprinted" in html.unescape(asked.text)
