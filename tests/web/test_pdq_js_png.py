"""pdq.js on transparent and 16-bit PNGs agrees with the server's reading of the same files.

The server hashes what is displayed: transparency composited on white, 16-bit samples by their
top byte (bouclier.media.convert). The browser decodes the same files itself (createImageBitmap,
a canvas filled white first); a victim's hash must land where the server's does, or a hash sent
from the portal would not match the image when a platform uploads it. The pictures are benign
synthetic ones (tests.conftest.photo); the 16-bit files carry noise in their low byte, so that a
decoder that rounds rather than truncates is seen.
"""

from __future__ import annotations

import io
import struct
import zlib

import numpy as np
import pytest
from PIL import Image
from playwright.sync_api import Page

from bouclier.hashing import hash_bytes, pdq
from tests.conftest import photo
from tests.web.conftest import StaticServer
from tests.web.test_pdq_js import MAX_BITS, MAX_QUALITY_GAP, hash_in_browser, open_blank

pytestmark = pytest.mark.browser


def _png(image: Image.Image) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return buffer.getvalue()


def _png16(samples: np.ndarray) -> bytes:
    """A 16-bit PNG (RGB or RGBA, big-endian samples) written by hand: Pillow cannot write one."""
    height, width, channels = samples.shape
    colour_type = {3: 2, 4: 6}[channels]
    rows = samples.astype(">u2").reshape(height, width * channels)
    raw = b"".join(b"\x00" + row.tobytes() for row in rows)  # filter type 0 on every row

    def chunk(kind: bytes, body: bytes) -> bytes:
        return (
            struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))
        )

    header = struct.pack(">IIBBBBB", width, height, 16, colour_type, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(raw, 6))
        + chunk(b"IEND", b"")
    )


def _alpha(height: int, width: int) -> np.ndarray:
    """Opaque in a soft-edged ellipse, half transparent in a band, clear in the corners."""
    y, x = np.mgrid[0:height, 0:width].astype(np.float32)
    inside = ((x - width / 2) / (width * 0.42)) ** 2 + ((y - height / 2) / (height * 0.45)) ** 2
    alpha = np.clip((1.2 - inside) * 4, 0, 1) * 255
    alpha[height // 3 : height // 3 + 40] *= 0.5
    return alpha.astype(np.uint8)


def _sixteen(rgb: np.ndarray, seed: int) -> np.ndarray:
    """8-bit samples spread to 16 bits, with noise in the low byte."""
    low = np.random.default_rng(seed).integers(0, 256, rgb.shape)
    return rgb.astype(np.uint32) * 256 + low


def files() -> list[tuple[str, bytes]]:
    rgb = photo(21)
    h, w = rgb.shape[:2]
    grey = np.asarray(Image.fromarray(photo(22)).convert("L"))
    alpha = _alpha(h, w)
    return [
        ("rgba.png", _png(Image.fromarray(np.dstack([rgb, alpha]), "RGBA"))),
        ("grey-alpha.png", _png(Image.fromarray(np.dstack([grey, alpha]), "LA"))),
        ("grey-16.png", _png(Image.fromarray(_sixteen(grey, 1).astype(np.uint16)))),
        ("rgb-16.png", _png16(_sixteen(rgb, 2))),
        ("rgba-16.png", _png16(np.dstack([_sixteen(rgb, 3), alpha.astype(np.uint32) * 257]))),
    ]


def test_transparent_and_16_bit_pngs_hash_like_the_server(
    page: Page, static_server: StaticServer
) -> None:
    served = files()
    folder = static_server.files / "png"
    folder.mkdir(exist_ok=True)
    for name, data in served:
        (folder / name).write_bytes(data)
    open_blank(page, static_server)
    results = hash_in_browser(page, [f"/png/{name}" for name, _ in served])
    problems = []
    for (name, data), js in zip(served, results, strict=True):
        assert "error" not in js, f"{name}: {js}"
        server = hash_bytes(data)
        assert server.pdq.quality >= 50, name  # a picture with detail, not a blank
        bits = pdq.distance(js["pdq"], server.pdq.pdq)
        if bits > MAX_BITS or abs(js["quality"] - server.pdq.quality) > MAX_QUALITY_GAP:
            problems.append(f"{name}: {bits} bits, quality {js['quality']} / {server.pdq.quality}")
    assert not problems, "; ".join(problems)


def test_the_files_are_what_they_claim() -> None:
    """The test's files really are transparent and 16-bit (else the test above proves nothing)."""
    found = {}
    for name, data in files():
        with Image.open(io.BytesIO(data)) as opened:
            found[name] = (opened.mode, opened.info.get("transparency"), data[24], data[25])
    assert found["rgba.png"][0] == "RGBA"
    assert found["grey-alpha.png"][0] == "LA"
    assert found["grey-16.png"][0].startswith("I;16") or found["grey-16.png"][2] == 16
    assert (found["rgb-16.png"][2], found["rgb-16.png"][3]) == (16, 2)  # IHDR: depth, colour type
    assert (found["rgba-16.png"][2], found["rgba-16.png"][3]) == (16, 6)
