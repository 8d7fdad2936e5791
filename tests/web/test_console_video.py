"""A video item in the analyst console: how many frames were hashed, over how long, its MD5, each
frame's time and hash, and the analyst's confirmation making its bank entry reviewed."""

from __future__ import annotations

import html

from sqlalchemy import select

from bouclier.cases.videos import parse_video_report
from bouclier.storage.models import BankEntry
from tests.cases.test_videos import MD5, report
from tests.web.test_console import Console, console

__all__ = ["console"]


def test_a_video_item_shows_its_frames_and_is_confirmed_like_a_picture(console: Console) -> None:
    info, _ = console.cases.create(language="en")
    sent = parse_video_report(report(), max_seconds=3600)
    item = console.cases.add_video(info.number, sent)
    assert item is not None
    console.login()
    page = html.unescape(console.client.get(f"/console/cases/{info.number}").text)
    last = sent.features[-1]
    minutes, seconds = divmod(int(last.timestamp), 60)
    assert f"Video: {len(sent.features)} frames hashed" in page
    assert f"over {minutes}:{seconds:02d}" in page
    assert f"MD5 {MD5}" in page
    for feature in (sent.features[0], last):
        assert f"<td>{feature.frame}</td><td>{feature.quality}</td>" in page
        assert feature.pdq in page

    answer = console.post(
        f"/console/cases/{info.number}/items/{item.id}/review", {"decision": "confirm"}
    )
    assert "done=item_confirmed" in answer.headers["location"]
    with console.services.db.transaction() as session:
        assert session.scalars(select(BankEntry.reviewed)).all() == [True]
