"""The client against a real API served by uvicorn on loopback: every operation a platform or an
AI provider calls, and the API's errors as typed exceptions."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from bouclier import errors
from bouclier.client import (
    AsyncClient,
    Client,
    ConflictError,
    Forbidden,
    InvalidRequest,
    NotFoundError,
    Unauthenticated,
    calls,
)
from bouclier.media.video import read_video
from tests.api.conftest import image
from tests.api.test_video_matches import banked_video, re_encoded
from tests.client.conftest import Served

SEED_IN_BANK, SEED_ELSEWHERE = 11, 12


def _bank_with_image(served: Served) -> tuple[int, str]:
    with Client(served.url, served.keys["analyst"]) as analyst:
        analyst.create_bank("victims", "victim")
        added = analyst.add_image("victims", image(SEED_IN_BANK))
    return added.entry, added.pdq


def test_match_on_upload_blocks_or_reviews_a_banked_image_and_allows_another(
    served: Served,
) -> None:
    entry, pdq = _bank_with_image(served)
    with Client(served.url, served.keys["platform"]) as platform:
        hit = platform.match_image(image(SEED_IN_BANK))
        miss = platform.match_image(image(SEED_ELSEWHERE))
        hashed = platform.hash_image(image(SEED_IN_BANK))
        [by_hash, unknown] = platform.match_hashes([pdq, "0" * 64])
    assert hit.verdict == "REVIEW"  # a victim-bank match with no detector saying "sexual"
    assert [(m.bank, m.entry, m.distance) for m in hit.matches] == [("victims", entry, 0)]
    assert miss.verdict == "ALLOW"
    assert miss.matches == []
    assert hashed.pdq == pdq
    assert len(hashed.sha256) == 64
    assert len(hashed.orientations) == 8
    assert [m.entry for m in by_hash.matches] == [entry]
    assert by_hash.value == pdq
    assert unknown.verdict == "ALLOW"


def test_delta_sync_pages_through_every_change_including_removals(served: Served) -> None:
    values = [f"{i:02x}" * 32 for i in range(1, 6)]
    with Client(served.url, served.keys["analyst"]) as analyst:
        analyst.create_bank("victims", "victim", threshold=20)
        ids = analyst.add_hashes("victims", values).entries
        assert analyst.remove_hash("victims", ids[0]).removed == ids[0]
        changes = list(analyst.iter_changes("victims", limit=2))  # three pages
        banks = analyst.banks()
    assert [(c.op, c.entry) for c in changes] == [
        *(("add", i) for i in ids),
        ("remove", ids[0]),
    ]
    assert [c.pdq for c in changes[:5]] == values
    assert [c.cursor for c in changes] == sorted(c.cursor for c in changes)
    assert [(b.name, b.threshold, b.size) for b in banks] == [("victims", 20, 4)]


def test_errors_come_back_typed_with_the_servers_code(served: Served) -> None:
    with Client(served.url, "bk_not_a_key") as stranger, pytest.raises(Unauthenticated) as no:
        stranger.match_hashes(["0" * 64])
    assert no.value.status == 401
    assert no.value.code == "unauthenticated"
    with Client(served.url, served.keys["platform"]) as platform:
        with pytest.raises(Forbidden):
            platform.create_bank("mine", "victim")
        with pytest.raises(InvalidRequest) as bad:
            platform.match_hashes(["not a hash"])
        assert bad.value.code == "invalid_hash"
        assert bad.value.status == 422
        assert isinstance(bad.value, errors.InputError)
    with Client(served.url, served.keys["analyst"]) as analyst:
        with pytest.raises(NotFoundError) as missing:
            analyst.bank("nowhere")
        assert missing.value.code == "bank_not_found"
        assert isinstance(missing.value, errors.NotFound)
        analyst.create_bank("victims", "victim")
        with pytest.raises(ConflictError) as taken:
            analyst.create_bank("victims", "victim")
        assert taken.value.code == "bank_exists"
        with pytest.raises(InvalidRequest) as shape:
            analyst.create_bank("other", "victim", threshold=9999)
        assert shape.value.code in {"invalid_request", "invalid_threshold"}


def test_feedback_and_webhooks_round_trip(served: Served) -> None:
    entry, pdq = _bank_with_image(served)
    with Client(served.url, served.keys["platform"]) as platform:
        given = platform.feedback(entry, pdq, "false_positive", url="https://example.org/p/1")
        created = platform.create_webhook("takedowns", "http://127.0.0.1:9/hook")
        listed = platform.webhooks()
        changed = platform.set_webhook_events(created.id, ["hash.updated", "hash.added"])
        deliveries = platform.deliveries(created.id)
        deleted = platform.delete_webhook(created.id)
        with pytest.raises(NotFoundError):
            platform.delete_webhook(created.id)
    assert (given.entry_id, given.action, given.status) == (entry, "false_positive", "pending")
    assert created.secret.startswith("whsec_")
    assert [w.id for w in listed] == [created.id]
    assert (changed.id, changed.events) == (created.id, ["hash.added", "hash.updated"])
    assert {d.webhook_id for d in deliveries.deliveries} <= {created.id}
    assert deleted.deleted == created.id


def test_analysis_and_the_generative_ai_guard(served: Served) -> None:
    with Client(served.url, served.keys["ai-provider"]) as provider:
        analysis = provider.analyze(image(3))
        refused = provider.guard_request("put her in a bikini")
        allowed = provider.guard_request("a watercolour of a lighthouse at dawn")
    assert analysis.verdict == "ALLOW"
    assert {s.detector for s in analysis.signals} >= {"nudity"}
    assert refused.refused
    assert refused.reasons
    assert not allowed.refused


def test_the_async_client_matches_and_syncs_like_the_blocking_one(served: Served) -> None:
    entry, pdq = _bank_with_image(served)

    async def scenario() -> tuple[list[int], list[int], list[str]]:
        async with AsyncClient(served.url, served.keys["platform"]) as platform:
            matched = await platform.match_image(image(SEED_IN_BANK))
            [result] = await platform.match_hashes([pdq])
        async with AsyncClient(served.url, served.keys["analyst"]) as analyst:
            changes = [c.op async for c in analyst.iter_changes("victims")]
            bank = await analyst.send(calls.bank("victims"))  # any operation, through send
        assert bank.size >= 1
        return [m.entry for m in matched.matches], [m.entry for m in result.matches], changes

    image_entries, hash_entries, ops = asyncio.run(scenario())
    # the image went in as its PDQ and, with enough ORB keypoints, a robust entry beside it
    assert image_entries == [entry]
    assert hash_entries == [entry]
    assert ops[0] == "add"


def test_a_video_is_hashed_for_a_bank_banked_and_its_re_encode_matched(
    served: Served, tmp_path: Path
) -> None:
    """``hash_video(purpose="bank")`` gives the bank-rate hash file that ``add_hashes`` takes;
    ``match_video`` finds a re-encode, with which frames matched; the async client does too."""
    original = banked_video(tmp_path / "a.mp4", 41)
    copy = re_encoded(original, tmp_path / "b.webm")
    with Client(served.url, served.keys["platform"]) as platform:
        query = platform.hash_video(original)
        for_bank = platform.hash_video(original.read_bytes(), purpose="bank")
        with pytest.raises(InvalidRequest) as refused:
            platform.hash_video(original, purpose="everything")
    assert query.vpdq == [f.line() for f in read_video(original).features]
    assert for_bank.vpdq == [f.line() for f in read_video(original, seconds_per_hash=0.1).features]
    assert (for_bank.sha256, for_bank.codec, for_bank.width) == (query.sha256, "h264", 320)
    assert refused.value.status == 422
    with Client(served.url, served.keys["analyst"]) as analyst:
        analyst.create_bank("victims", "victim")
        [entry] = analyst.add_hashes(
            "victims", [{"signal_type": "vpdq", "value": for_bank.vpdq_text}]
        ).entries

    with Client(served.url, served.keys["platform"]) as platform:
        found = platform.match_video(copy)
        missed = platform.match_video(banked_video(tmp_path / "c.mp4", 42))
    [hit] = found.matches
    assert (hit.entry, hit.signal_type, found.verdict) == (entry, "vpdq", "REVIEW")
    assert found.sha256 == read_video(copy).sha256
    assert hit.frames
    assert all(f.distance <= 31 for f in hit.frames)
    usable = {f.pdq for f in read_video(copy).features if f.quality >= 50}
    assert len(hit.frames) == round((hit.query_percent or 0) * len(usable) / 100)
    assert missed.matches == []
    assert missed.verdict == "ALLOW"

    async def scenario() -> list[int]:
        async with AsyncClient(served.url, served.keys["platform"]) as platform:
            hashed = await platform.hash_video(copy)
            matched = await platform.match_video(copy)
        assert hashed.sha256 == found.sha256
        return [m.entry for m in matched.matches]

    assert asyncio.run(scenario()) == [entry]
