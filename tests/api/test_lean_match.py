"""The lean upload path (bouclier.api.lean_match): each case is sent to the app with the lean path
on and off, and the answers compared: status, body bytes, the headers that matter, the access-log
line and the request metrics; the lean path must have taken the cases it should, and left the
others to the route before counting anything."""

from __future__ import annotations

import io
import logging
import struct
import tempfile
import zlib
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from PIL import Image

from bouclier.api import lean_match
from bouclier.api.lean_match import LeanMatch
from bouclier.api.metrics import HttpMetrics
from bouclier.api.ratelimit import RateLimiter
from bouclier.hashing import hash_bytes
from tests.api.conftest import Api, image, upload
from tests.api.test_robust_match import _reframed
from tests.api.test_video_uploads import _video
from tests.conftest import encode, photo

PATH = "/v1/match"
PDF = b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
#: The headers compared besides the body (content-length follows from the body).
HEADERS = ("content-type", "x-request-id", "retry-after", "www-authenticate", "allow")


def _huge_png() -> bytes:
    """A PNG whose header says 20,000 x 20,000 pixels (more than BOUCLIER_MAX_IMAGE_PIXELS)."""
    header = struct.pack(">IIBBBBB", 20_000, 20_000, 8, 0, 0, 0, 0)
    chunk = b"IHDR" + header
    ihdr = struct.pack(">I", len(header)) + chunk + struct.pack(">I", zlib.crc32(chunk))
    data = zlib.compress(bytes(20_001 * 4))
    idat = (
        struct.pack(">I", len(data))
        + b"IDAT"
        + data
        + struct.pack(">I", zlib.crc32(b"IDAT" + data))
    )
    return b"\x89PNG\r\n\x1a\n" + ihdr + idat


def _webp(seed: int) -> bytes:
    buffer = io.BytesIO()
    Image.fromarray(photo(seed)).save(buffer, "WEBP", quality=90)
    return buffer.getvalue()


class Taken:
    """Counts the uploads the lean path answered itself."""

    def __init__(self) -> None:
        self.count = 0


@pytest.fixture
def taken(monkeypatch: pytest.MonkeyPatch) -> Taken:
    seen = Taken()
    answer = LeanMatch._answer

    async def counted(self: LeanMatch, *args: Any) -> int:
        seen.count += 1
        return await answer(self, *args)

    monkeypatch.setattr(LeanMatch, "_answer", counted)
    return seen


#: The request metrics observed: (method, route, status) each.
observed: list[tuple[str, str, int]] = []


@pytest.fixture(autouse=True)
def _metrics(monkeypatch: pytest.MonkeyPatch) -> None:
    observe = HttpMetrics.observe

    def seen(self: HttpMetrics, method: str, route: str, status: int, seconds: float) -> None:
        observed.append((method, route, status))
        observe(self, method, route, status, seconds)

    monkeypatch.setattr(HttpMetrics, "observe", seen)


@pytest.fixture
def access(caplog: pytest.LogCaptureFixture) -> Iterator[pytest.LogCaptureFixture]:
    with caplog.at_level(logging.INFO, logger="bouclier.access"):
        yield caplog


Send = Callable[[], httpx.Response]


def _side(
    api: Api,
    monkeypatch: pytest.MonkeyPatch,
    access: pytest.LogCaptureFixture,
    send: Send,
    *,
    on: bool,
    prepare: Callable[[], None] | None,
) -> tuple[Any, ...]:
    settings = api.services.settings.model_copy(update={"lean_match": on})
    monkeypatch.setattr(api.services, "settings", settings)
    for token in api.keys.values():  # the key cache as after a recent request
        api.services.keys.authenticate(token)
    api.client.app.state.rate_limiter = RateLimiter(1000.0, 1000)  # type: ignore[attr-defined]
    if prepare is not None:
        prepare()
    access.clear()
    observed.clear()
    answer = send()
    lines = [
        (r.__dict__["method"], r.__dict__["route"], r.__dict__["status"], r.__dict__["key_id"])
        for r in access.records
        if r.name == "bouclier.access"
    ]
    rids = [r.__dict__["request_id"] for r in access.records if r.name == "bouclier.access"]
    headers = {name: answer.headers.get(name) for name in HEADERS}
    return answer.status_code, answer.content, headers, lines, rids, list(observed)


def _same(
    api: Api,
    monkeypatch: pytest.MonkeyPatch,
    access: pytest.LogCaptureFixture,
    taken: Taken,
    send: Send,
    *,
    lean: bool,
    prepare: Callable[[], None] | None = None,
) -> tuple[int, dict[str, Any]]:
    """The answer, once the lean path and the route gave the same; ``lean``: whether the lean
    path must have answered it itself."""
    before = taken.count
    fast = _side(api, monkeypatch, access, send, on=True, prepare=prepare)
    assert taken.count - before == (1 if lean else 0)
    slow = _side(api, monkeypatch, access, send, on=False, prepare=prepare)
    assert taken.count - before == (1 if lean else 0)  # off: the route answered
    assert fast[0] == slow[0]
    assert fast[1] == slow[1], (fast[1], slow[1])
    assert fast[2] == slow[2]
    assert fast[3] == slow[3]  # the access-log line: method, route, status, key id
    assert len(fast[4]) == len(slow[4]) == 1
    assert fast[5] == slow[5] == [fast[3][0][:3]]  # the metrics: method, route, status
    assert fast[4] == [fast[2]["x-request-id"]]
    assert slow[4] == [slow[2]["x-request-id"]]
    return fast[0], httpx.Response(fast[0], content=fast[1]).json()


def _post(
    api: Api,
    data: bytes = b"",
    *,
    query: str = "",
    role: str = "platform",
    headers: dict[str, str] | None = None,
    **options: Any,
) -> Send:
    sent = {**(api.auth(role) if headers is None else headers), "X-Request-ID": "case-1"}
    extra = options or upload(data)
    return lambda: api.client.post(f"{PATH}{query}", headers=sent, **extra)


@pytest.fixture
def banked(api: Api) -> dict[str, bytes]:
    """A victim bank holding a JPEG's PDQ, a PNG added as an image (PDQ and ORB), a known false
    positive."""
    analyst = api.auth("analyst")
    for name, kind in (("victims", "victim"), ("harmless", "known_false_positive")):
        created = api.client.post("/v1/banks", headers=analyst, json={"name": name, "kind": kind})
        assert created.status_code == 201
    files = {"jpeg": image(3), "png": encode(photo(7), "PNG"), "fp": image(8), "orb": image(31)}
    for name, bank in (("jpeg", "victims"), ("fp", "harmless")):
        entries = [{"pdq": hash_bytes(files[name]).pdq.pdq}]
        added = api.client.post(
            f"/v1/banks/{bank}/hashes", headers=analyst, json={"entries": entries}
        )
        assert added.status_code == 201
    for name in ("png", "orb"):
        added = api.client.post("/v1/banks/victims/images", headers=analyst, **upload(files[name]))
        assert added.status_code == 201, added.text
    return files


def test_valid_uploads_answer_as_the_route(
    api: Api,
    monkeypatch: pytest.MonkeyPatch,
    access: pytest.LogCaptureFixture,
    taken: Taken,
    banked: dict[str, bytes],
) -> None:
    cases = [
        (banked["jpeg"], "", "REVIEW"),
        (banked["fp"], "", "ALLOW"),
        (banked["png"], "", "REVIEW"),
        (image(4), "", "ALLOW"),
        (_webp(5), "", "ALLOW"),
        (encode(photo(6), "PNG"), "?robust=0", "ALLOW"),
        (_reframed(banked["orb"]), "", "REVIEW"),  # found by the robust stage
        (_reframed(banked["orb"]), "?robust=0", "ALLOW"),  # the stage off
        (_reframed(banked["orb"]), "?robust=0016", "REVIEW"),
    ]
    for data, query, verdict in cases:
        for role in ("platform", "analyst"):
            status, body = _same(
                api, monkeypatch, access, taken, _post(api, data, query=query, role=role), lean=True
            )
            assert status == 200
            assert body["verdict"] == verdict, (query, body)
    stages = _same(api, monkeypatch, access, taken, _post(api, _reframed(banked["orb"])), lean=True)
    assert stages[1]["matches"][0]["stage"] == "robust"


def test_refusals_answer_as_the_route(
    api: Api, monkeypatch: pytest.MonkeyPatch, access: pytest.LogCaptureFixture, taken: Taken
) -> None:
    big = b"\x89PNG" + bytes(2_500_000)  # over the image limit, under the upload limit
    cases: list[tuple[Send, int, str]] = [
        (_post(api, files={"file": ("e.jpg", b"", "image/jpeg")}), 422, "media.empty"),
        (
            _post(api, PDF, files={"file": ("d.pdf", PDF, "application/pdf")}),
            415,
            "media.unsupported_format",
        ),
        (
            _post(api, files={"file": ("c.jpg", image()[:3000], "image/jpeg")}),
            422,
            "media.truncated",
        ),
        (
            _post(api, files={"picture": ("p.jpg", image(), "image/jpeg")}),
            422,
            "invalid_request",
        ),
        (_post(api, files={"file": ("b.png", big, "image/png")}), 413, "media.too_large"),
        (
            _post(api, files={"file": ("h.png", _huge_png(), "image/png")}),
            422,
            "media.too_many_pixels",
        ),
        (_post(api, content=image()), 422, "invalid_request"),  # not multipart
        (
            _post(
                api,
                content=b"--x\r\nbroken",
                headers={**api.auth("platform"), "Content-Type": "multipart/form-data; boundary=x"},
            ),
            422,
            "invalid_request",
        ),
    ]
    for send, status, code in cases:
        got, body = _same(api, monkeypatch, access, taken, send, lean=True)
        assert (got, body["error"]["code"]) == (status, code), body


class Handed:
    """Counts the bodies the lean path's parser handed to the route's (``read_media``)."""

    def __init__(self) -> None:
        self.count = 0


@pytest.fixture
def handed(monkeypatch: pytest.MonkeyPatch) -> Handed:
    seen = Handed()
    general = lean_match.read_media

    def counted(request: Any) -> Any:
        seen.count += 1
        return general(request)

    monkeypatch.setattr(lean_match, "read_media", counted)
    return seen


def _part(disposition: bytes, data: bytes, *extra: bytes, boundary: bytes = b"bb") -> bytes:
    head = b"".join(line + b"\r\n" for line in (disposition, *extra))
    return b"--" + boundary + b"\r\n" + head + b"\r\n" + data + b"\r\n"


def test_malformed_multipart_answers_as_the_route(
    api: Api,
    monkeypatch: pytest.MonkeyPatch,
    access: pytest.LogCaptureFixture,
    taken: Taken,
    handed: Handed,
) -> None:
    """Bodies the lean path's own parser (bouclier.api.form_data) answers, and bodies it hands to
    the route's parser: each answered as the route answers it."""
    data = image(2)
    file = b'Content-Disposition: form-data; name="file"; filename="a.jpg"'
    field = b'Content-Disposition: form-data; name="note"'
    plain = _part(file, data) + b"--bb--\r\n"
    ours, theirs = "ours", "handed"
    cases: list[tuple[str, bytes, bytes, int, str | None, str]] = [
        ("plain", b"boundary=bb", plain, 200, None, ours),
        ("quoted boundary", b'boundary="bb"', plain, 200, None, ours),
        ("epilogue", b"boundary=bb", plain + b"an epilogue", 200, None, ours),
        ("a field first", b"boundary=bb", _part(field, b"x") + plain, 200, None, ours),
        ("two file parts", b"boundary=bb", _part(file, data) + plain, 422, "malformed", ours),
        (
            "huge header",
            b"boundary=bb",
            _part(file, data, b"X: " + b"a" * 5000),
            422,
            "malformed",
            ours,
        ),
        ("17 fields", b"boundary=bb", _part(field, b"x") * 17 + plain, 422, "malformed", ours),
        ("no name", b"boundary=bb", plain.replace(b' name="file";', b""), 422, "malformed", ours),
        (
            "a field named file last",
            b"boundary=bb",
            plain[:-8] + _part(b'Content-Disposition: form-data; name="file"', b"x") + b"--bb--",
            422,
            "no image",
            ours,
        ),
        ("no file", b"boundary=bb", _part(field, b"x") + b"--bb--", 422, "no image", ours),
        ("empty file", b"boundary=bb", _part(file, b"") + b"--bb--", 422, "no bytes", ours),
        ("missing final boundary", b"boundary=bb", _part(file, data), 422, "no image", theirs),
        (
            "the file, then a part cut short",
            b"boundary=bb",
            _part(file, data) + b"--bb\r\nContent-Disp",
            200,
            None,
            theirs,
        ),
        (
            "boundary inside data",
            b"boundary=bb",
            _part(file, data[:500] + b"\r\n--bbX" + data[500:]) + b"--bb--",
            200,
            None,
            theirs,
        ),
        ("no CRLF", b"boundary=bb", plain.replace(b"\r\n", b"\n"), 422, "malformed", theirs),
        ("preamble", b"boundary=bb", b"\r\nthe preamble\r\n" + plain, 200, None, theirs),
        (
            "a field name with escapes",
            b"boundary=bb",
            plain.replace(b'name="file"', b'name="fi\\le"'),
            422,
            "no image",
            theirs,
        ),
        ("no boundary", b"charset=utf-8", plain, 422, "malformed", theirs),
    ]
    for case, params, body, status, message, parser in cases:
        content_type = "multipart/form-data; " + params.decode()
        headers = {**api.auth("platform"), "Content-Type": content_type}
        before = handed.count
        got, answer = _same(
            api, monkeypatch, access, taken, _post(api, content=body, headers=headers), lean=True
        )
        assert handed.count - before == (1 if parser == theirs else 0), case
        assert got == status, (case, answer)
        if message is not None:
            assert message in answer["error"]["message"], (case, answer)


def test_over_the_rate_answers_as_the_route(
    api: Api, monkeypatch: pytest.MonkeyPatch, access: pytest.LogCaptureFixture, taken: Taken
) -> None:
    def spent() -> None:
        limiter = RateLimiter(0.001, 1)
        limiter.check(api.services.keys.cached(api.keys["platform"]).id)  # type: ignore[union-attr]
        api.client.app.state.rate_limiter = limiter  # type: ignore[attr-defined]

    status, body = _same(
        api, monkeypatch, access, taken, _post(api, image()), lean=True, prepare=spent
    )
    assert (status, body["error"]["code"]) == (429, "rate_limited")


def test_requests_left_to_the_route_answer_as_before(
    api: Api, monkeypatch: pytest.MonkeyPatch, access: pytest.LogCaptureFixture, taken: Taken
) -> None:
    data = image()

    def chunks() -> Iterator[bytes]:  # no Content-Length: streamed
        for _ in range(40):
            yield bytes(100_000)

    streamed = {**api.auth("platform"), "Content-Type": "multipart/form-data; boundary=x"}
    rid = {"X-Request-ID": "case-1"}
    cases: list[tuple[Send, int]] = [
        (_post(api, data, headers={}), 401),
        (_post(api, data, headers={"Authorization": "Bearer bk_nope"}), 401),
        (_post(api, data, headers={"Authorization": "Basic eDp5"}), 401),
        (_post(api, data, headers={"Authorization": "bearer " + api.keys["platform"]}), 200),
        (_post(api, data, query="?robust=-1"), 422),
        (_post(api, data, query="?robust=1025"), 422),
        (_post(api, data, query="?robust=3&x=1"), 200),
        (_post(api, files={"file": ("b.png", b"\x89PNG" + bytes(3_200_000), "image/png")}), 413),
        (lambda: api.client.post(PATH, headers={**streamed, **rid}, content=chunks()), 413),
        (lambda: api.client.get(PATH, headers={**api.auth("platform"), **rid}), 405),
    ]
    for send, status in cases:
        got, _ = _same(api, monkeypatch, access, taken, send, lean=False)
        assert got == status


def test_videos_answer_as_the_route(
    api: Api,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    access: pytest.LogCaptureFixture,
    taken: Taken,
) -> None:
    spool = tmp_path / "spool"
    spool.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(spool))
    data = _video(tmp_path / "a.mp4", 2)
    status, body = _same(
        api,
        monkeypatch,
        access,
        taken,
        _post(api, **upload(data, "a.mp4", "video/mp4")),
        lean=True,
    )
    assert (status, body["media"]) == (200, "video")
    cut = _post(api, **upload(data[:700], "a.mp4", "video/mp4"))
    status, body = _same(api, monkeypatch, access, taken, cut, lean=True)
    assert (status, body["error"]["code"]) == (422, "media.corrupt")
    assert list(spool.iterdir()) == []  # each temporary file deleted


def test_the_schema_is_unchanged(api: Api) -> None:
    assert lean_match.PATH in api.client.app.openapi()["paths"]  # type: ignore[attr-defined]
    operation = api.client.app.openapi()["paths"][PATH]["post"]  # type: ignore[attr-defined]
    assert operation["operationId"] == "match_image_v1_match_post"
