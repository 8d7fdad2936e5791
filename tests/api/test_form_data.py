"""The lean path's multipart parser (bouclier.api.form_data) against the route's, Starlette's
``MultiPartParser`` over python-multipart with the route's limits (one file, 16 fields): on every
body it takes, the same parts with the same bytes, or the same refusal; fed to the reference in
one chunk and in several cuts. Bodies: what httpx sends, hand-made RFC 7578 bodies with varied
names, quoting, headers and data that comes near the boundary, then the same mutated (bytes
flipped, inserted, deleted, cut), by hypothesis (derandomized: the same examples each run)."""

from __future__ import annotations

import asyncio
import random
from collections.abc import AsyncGenerator
from typing import Any

import httpx
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from starlette.datastructures import Headers, UploadFile
from starlette.formparsers import MultiPartException, MultiPartParser

from bouclier.api.form_data import (
    MAX_FIELD_BYTES,
    MAX_HEADER_LINE,
    Malformed,
    boundary_of,
    parse_form,
)

Outcome = tuple[str, tuple[tuple[str, str, bytes | str], ...]]
MALFORMED: Outcome = ("malformed", ())


def reference(content_type: bytes, body: bytes, cuts: list[int]) -> Outcome:
    """What the route's parser makes of ``body`` fed in the pieces that ``cuts`` mark."""
    pieces = [body[a:b] for a, b in zip([0, *cuts], [*cuts, len(body)], strict=True)]

    async def stream() -> AsyncGenerator[bytes, None]:
        for piece in pieces:
            if piece:
                yield piece

    async def parse() -> Outcome:
        headers = Headers(raw=[(b"content-type", content_type)])
        parser = MultiPartParser(headers, stream(), max_files=1, max_fields=16)
        try:
            form = await parser.parse()
        except MultiPartException:
            return MALFORMED
        items: list[tuple[str, str, bytes | str]] = []
        for name, value in form.multi_items():
            if isinstance(value, UploadFile):
                items.append((name, "file", await value.read()))
            else:
                items.append((name, "field", value))
        await form.close()
        return "ok", tuple(items)

    return asyncio.run(parse())


def _decoded(raw: bytes) -> str:
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return raw.decode("latin-1")


def ours(content_type: bytes, body: bytes) -> Outcome | None:
    try:
        parts = parse_form(content_type, body)
    except Malformed:
        return MALFORMED
    if parts is None:
        return None
    items: list[tuple[str, str, bytes | str]] = []
    for part in parts:
        data = body[part.start : part.end]
        value: bytes | str = data if part.is_file else _decoded(data)
        items.append((_decoded(part.name), "file" if part.is_file else "field", value))
    return "ok", tuple(items)


class Tally:
    """How many bodies the parser answered (parts or refusal) and handed back."""

    def __init__(self) -> None:
        self.parsed = self.refused = self.handed = 0


def check(content_type: bytes, body: bytes, rng: random.Random, tally: Tally | None = None) -> None:
    mine = ours(content_type, body)
    if tally is not None:
        if mine is None:
            tally.handed += 1
        elif mine == MALFORMED:
            tally.refused += 1
        else:
            tally.parsed += 1
    if mine is None:
        return
    whole = reference(content_type, body, [])
    assert mine == whole, (content_type, body[:400])
    for _ in range(2):
        cuts = sorted(rng.sample(range(1, max(2, len(body))), min(len(body) - 1, 4)))
        assert reference(content_type, body, cuts) == whole, (cuts, body[:400])


BOUNDARY = b"b0und4ry"
CT = b"multipart/form-data; boundary=" + BOUNDARY


def part(disposition: bytes, data: bytes, *extra: bytes, boundary: bytes = BOUNDARY) -> bytes:
    head = b"".join(line + b"\r\n" for line in (disposition, *extra))
    return b"--" + boundary + b"\r\n" + head + b"\r\n" + data + b"\r\n"


def close(boundary: bytes = BOUNDARY) -> bytes:
    return b"--" + boundary + b"--\r\n"


FILE = b'Content-Disposition: form-data; name="file"; filename="a.jpg"'
JPEG = b"\xff\xd8\xff\xe0" + bytes(range(256)) * 4 + b"\r\n-\r\n--b0und4\r\n--\xff\xd9"


def test_what_httpx_sends_is_parsed_as_the_route_parses_it() -> None:
    rng = random.Random(1)
    for files, data in (
        ({"file": ("p.jpg", JPEG, "image/jpeg")}, None),
        ({"file": ("p.jpg", JPEG, "image/jpeg")}, {"note": "hello", "x": "é"}),
        ({"file": ("", b"", "application/octet-stream")}, None),
        ({"file": ("a b.png", JPEG[:50], "image/png")}, None),
    ):
        request = httpx.Request("POST", "http://x/v1/match", files=files, data=data)
        body = request.read()
        content_type = request.headers["content-type"].encode()
        got = ours(content_type, body)
        assert got is not None  # taken, not handed back
        assert got[0] == "ok"
        assert got == reference(content_type, body, [])
        check(content_type, body, rng)


def test_the_named_cases() -> None:
    """Each case of the task's list: answered (parts or refused) or handed back, and equal to the
    reference when answered."""
    rng = random.Random(2)
    plain = part(FILE, JPEG) + close()
    field = part(b'Content-Disposition: form-data; name="note"', b"hi")
    cases: dict[str, tuple[bytes, bytes, str]] = {
        "plain": (CT, plain, "ok"),
        "quoted boundary": (b'multipart/form-data; boundary="b0und4ry"', plain, "ok"),
        "no space before boundary": (b"multipart/form-data;boundary=b0und4ry", plain, "ok"),
        "epilogue": (CT, plain + b"some epilogue\r\n", "ok"),
        "no CRLF after the last boundary": (CT, plain[:-2], "ok"),
        "unquoted name": (
            CT,
            part(b"Content-Disposition: form-data; name=file; filename=a", JPEG) + close(),
            "ok",
        ),
        "a field, then the file": (CT, field + part(FILE, JPEG) + close(), "ok"),
        "the file, then a field named file": (
            CT,
            part(FILE, JPEG) + part(b'Content-Disposition: form-data; name="file"', b"x") + close(),
            "ok",
        ),
        "more headers": (
            CT,
            part(FILE, JPEG, b"Content-Type: image/jpeg", b"X-A:", b"X-B:    v") + close(),
            "ok",
        ),
        "16 fields": (CT, field * 16 + part(FILE, JPEG) + close(), "ok"),
        "a header line of the most bytes": (
            CT,
            part(FILE, JPEG, b"X-Big: " + b"a" * (MAX_HEADER_LINE - 7)) + close(),
            "ok",
        ),
        "a header line one byte over": (
            CT,
            part(FILE, JPEG, b"X-Big: " + b"a" * (MAX_HEADER_LINE - 6)) + close(),
            "malformed",
        ),
        "an empty header name": (CT, part(FILE, JPEG, b": v") + close(), "malformed"),
        "two file parts": (CT, part(FILE, JPEG) + part(FILE, JPEG) + close(), "malformed"),
        "17 fields": (CT, field * 17 + part(FILE, JPEG) + close(), "malformed"),
        "a field over 1 MiB": (
            CT,
            part(b'Content-Disposition: form-data; name="n"', bytes(MAX_FIELD_BYTES + 1)) + close(),
            "malformed",
        ),
        "a huge header": (
            CT,
            part(FILE, JPEG, b"X-Big: " + b"a" * MAX_HEADER_LINE) + close(),
            "malformed",
        ),
        "nine headers": (CT, part(FILE, JPEG, *[b"X-H: v"] * 8) + close(), "malformed"),
        "no Content-Disposition": (
            CT,
            part(b"Content-Type: image/jpeg", JPEG) + close(),
            "malformed",
        ),
        "no name": (
            CT,
            part(b'Content-Disposition: form-data; filename="a"', JPEG) + close(),
            "malformed",
        ),
        "a header name with a space": (CT, part(FILE, JPEG, b"X A: v") + close(), "malformed"),
        "a header without colon": (CT, part(FILE, JPEG, b"XA") + close(), "malformed"),
        "LF without CR in the framing": (CT, plain.replace(b"\r\n", b"\n"), "handed"),
        "CR without LF after a header": (
            CT,
            plain.replace(b'a.jpg"\r\n', b'a.jpg"\rX'),
            "malformed",
        ),
        "missing final boundary": (CT, part(FILE, JPEG), "handed"),
        "cut inside the data": (CT, plain[:300], "handed"),
        "boundary inside the data": (
            CT,
            part(FILE, JPEG + b"\r\n--b0und4ryX" + JPEG) + close(),
            "handed",
        ),
        "transport padding": (
            CT,
            plain.replace(b"--b0und4ry--", b"--b0und4ry  \r\n--b0und4ry--"),
            "handed",
        ),
        "preamble": (CT, b"preamble\r\n" + plain, "handed"),
        "preamble after CRLF": (CT, b"\r\nsome text -- and more\r\n" + plain, "handed"),
        "escapes in the name": (
            CT,
            part(b'Content-Disposition: form-data; name="fi\\"le"; filename="a"', JPEG) + close(),
            "handed",
        ),
        "a backslash in the filename": (
            CT,
            part(b'Content-Disposition: form-data; name="file"; filename="C:\\\\a.jpg"', JPEG)
            + close(),
            "handed",
        ),
        "upper-case parameter": (
            CT,
            part(b'Content-Disposition: form-data; NAME="file"; filename="a"', JPEG) + close(),
            "handed",
        ),
        "a semicolon in a quoted filename": (
            CT,
            part(b'Content-Disposition: form-data; name="file"; filename="a;b"', JPEG) + close(),
            "handed",
        ),
        "attachment": (
            CT,
            part(b'Content-Disposition: attachment; name="file"; filename="a"', JPEG) + close(),
            "handed",
        ),
        "repeated disposition": (CT, part(FILE, JPEG, FILE) + close(), "handed"),
        "charset": (CT + b"; charset=latin-1", plain, "handed"),
        "boundary of 71": (
            b"multipart/form-data; boundary=" + b"a" * 71,
            part(FILE, JPEG, boundary=b"a" * 71) + close(b"a" * 71),
            "handed",
        ),
        "no boundary": (b"multipart/form-data", plain, "handed"),
        "empty form": (CT, close(), "handed"),
        "garbage after the last boundary": (CT, plain[:-2] + b"junk", "handed"),
    }
    for name, (content_type, body, expected) in cases.items():
        got = ours(content_type, body)
        kind = "handed" if got is None else got[0]
        assert kind == expected, (name, got)
        check(content_type, body, rng)


# -- fuzzing -----------------------------------------------------------------------------------

_names = st.sampled_from(
    [b"file", b"note", b"File", b"fil", b"x;y", b"", b"caf\xc3\xa9", b"\xe9t\xe9"]
)
_quote = st.sampled_from(["quoted", "bare", "quoted", "quoted"])
_data = st.lists(
    st.sampled_from(
        [
            b"\r\n",
            b"--",
            b"\r",
            b"\n",
            b"-",
            b"b0und4ry",
            b"--b0und4ry",
            b"\r\n--b0und4",
            b" ",
            b"\t",
            b"abc",
            b"\xff\xd8",
            b":",
        ]
    )
    | st.binary(max_size=24),
    max_size=12,
).map(b"".join)


@st.composite
def bodies(draw: Any) -> tuple[bytes, bytes]:
    boundary = draw(
        st.sampled_from(
            [b"b0und4ry", b"x", b"----WebKitFormBoundary7MA4YWxkTrZu0gW", b"a'(+_,-./:=?)"]
        )
    )
    quoted_boundary = draw(st.booleans())
    value = b'"' + boundary + b'"' if quoted_boundary else boundary
    content_type = b"multipart/form-data; boundary=" + value
    body = b""
    for _ in range(draw(st.integers(0, 4))):
        name = draw(_names)
        params = [(b"name", name)]
        if draw(st.booleans()):
            params.append((b"filename", draw(st.sampled_from([b"a.jpg", b"", b"my photo.png"]))))
        if draw(st.integers(0, 5)) == 0:
            params.reverse()
        rendered = b"".join(
            b"; " + key + b"=" + (b'"' + val + b'"' if draw(_quote) == "quoted" or not val else val)
            for key, val in params
        )
        headers = [b"Content-Disposition: form-data" + rendered]
        for _ in range(draw(st.integers(0, 3))):
            headers.append(
                draw(
                    st.sampled_from(
                        [
                            b"Content-Type: image/jpeg",
                            b"X-A:",
                            b"x-b:  v",
                            b'content-disposition: form-data; name="file"',
                        ]
                    )
                )
            )
        draw(st.randoms()).shuffle(headers)
        body += part(headers[0], draw(_data), *headers[1:], boundary=boundary)
    body += close(boundary) if draw(st.integers(0, 6)) else b""
    return content_type, body


@st.composite
def mutated(draw: Any) -> tuple[bytes, bytes]:
    content_type, body = draw(bodies())
    data = bytearray(body)
    for _ in range(draw(st.integers(0, 3))):
        kind = draw(st.sampled_from(["flip", "insert", "delete", "cut"]))
        at = draw(st.integers(0, max(0, len(data))))
        if kind == "flip" and at < len(data):
            data[at] = draw(st.sampled_from([13, 10, 45, 32, 58, 34, 92, 59, 0, 255]))
        elif kind == "insert":
            data[at:at] = draw(
                st.sampled_from(
                    [b"\r\n", b"\r", b"\n", b"-", b"--", b'"', b"\\", b" ", b"\r\n\r\n"]
                )
            )
        elif kind == "delete":
            del data[at : at + draw(st.integers(1, 3))]
        else:
            del data[at:]
    return content_type, bytes(data)


@settings(
    max_examples=300, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow]
)
@given(case=bodies())
def test_generated_bodies(case: tuple[bytes, bytes]) -> None:
    check(*case, random.Random(len(case[1])))


@settings(
    max_examples=800, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow]
)
@given(case=mutated())
def test_mutated_bodies(case: tuple[bytes, bytes]) -> None:
    check(*case, random.Random(len(case[1])))


PIECES = [
    b"\r\n",
    b"\r",
    b"\n",
    b"-",
    b"--",
    b'"',
    b"\\",
    b" ",
    b":",
    b";",
    b"\r\n\r\n",
    b"--b0und4ry",
]


def _seeded_body(rng: random.Random) -> bytes:
    body = b""
    for _ in range(rng.randint(1, 3)):
        name = rng.choice([b"file", b'"file"', b"note", b'"a b"'])
        disposition = b"Content-Disposition: form-data; name=" + name
        if rng.random() < 0.7:
            disposition += rng.choice([b'; filename="a.jpg"', b"; filename=a", b'; filename=""'])
        extra = [b"Content-Type: image/jpeg"] * rng.randint(0, 2)
        data = bytes(rng.getrandbits(8) for _ in range(rng.randint(0, 40)))
        body += part(disposition, data, *extra)
    body += close()
    data = bytearray(body)
    for _ in range(rng.randint(0, 3)):
        at = rng.randint(0, len(data))
        kind = rng.randrange(4)
        if kind == 0 and at < len(data):
            data[at] = rng.choice(b'\r\n- :;"\\\x00')
        elif kind == 1:
            data[at:at] = rng.choice(PIECES)
        elif kind == 2:
            del data[at : at + rng.randint(1, 3)]
        elif kind == 3:
            del data[at:]
    return bytes(data)


def test_a_seeded_mutator_reaches_each_answer() -> None:
    """2,000 bodies from a seeded generator and mutator: each compared, and among them bodies
    parsed, refused and handed back (the comparison is not vacuous)."""
    rng = random.Random(18)
    tally = Tally()
    for _ in range(2000):
        check(CT, _seeded_body(rng), rng, tally)
    assert tally.parsed > 300, vars(tally)
    assert tally.refused > 50, vars(tally)
    assert tally.handed > 50, vars(tally)


def test_boundary_of() -> None:
    assert boundary_of(b"multipart/form-data; boundary=abc") == b"abc"
    assert boundary_of(b'multipart/form-data; boundary="a:b"') == b"a:b"
    for refused in (
        b"multipart/form-data; boundary=",
        b'multipart/form-data; boundary="a b"',
        b"multipart/form-data; boundary=abc; charset=utf-8",
        b"multipart/form-data ; boundary=abc",
        b"multipart/mixed; boundary=abc",
    ):
        assert boundary_of(refused) is None
