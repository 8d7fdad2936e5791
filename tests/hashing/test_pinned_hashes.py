"""Pinned fingerprints of fixture photos: what ``hash_bytes`` gives, bit for bit, is fixed.

Faster decoding or hashing (the JPEG fast path, PDQ's C) must not move a single bit: each photo is
fingerprinted in RGB and from its luma plane, reduced (the default ``min_side``) and at full size,
and its PDQ (orientation ``original``), quality, framed region count and a digest of all 8
orientations, the quality and every framed fingerprint with its region are compared with the
values main gave before those changes (computed once, with main's ``src``). The generated JPEGs
depend on Pillow's encoder: a Pillow upgrade that changes their bytes fails here, and the values
are then recomputed with the reference.
"""

from __future__ import annotations

import hashlib
import io
from pathlib import Path

import pytest
from PIL import Image

from bouclier.hashing import hash_bytes
from tests.conftest import FACES, photo

#: name:decode:min_side -> (pdq, quality, framed fingerprints, digest of everything)
PINNED = {
    "alex_lacamoire_1.jpg:rgb:512": (
        "3c9c878de73c23083839fb6d63754f3a9a3dac3469b0bcb2206370fdc183d616",
        100,
        0,
        "1a34dc279fee930a",
    ),
    "alex_lacamoire_1.jpg:rgb:None": (
        "3c9c878de73c23083839fb6d63754f3a9a3dac3469b0bcb2206370fdc183d616",
        100,
        0,
        "1a34dc279fee930a",
    ),
    "alex_lacamoire_1.jpg:luma:512": (
        "3c9c878de73c23083839fb6d63754f3a9a3dac3469b0bcb2206370fdc183d616",
        100,
        0,
        "1a34dc279fee930a",
    ),
    "alex_lacamoire_1.jpg:luma:None": (
        "3c9c878de73c23083839fb6d63754f3a9a3dac3469b0bcb2206370fdc183d616",
        100,
        0,
        "1a34dc279fee930a",
    ),
    "biden_1.jpg:rgb:512": (
        "b2d59aa79996d5d8fef82ae6212a5b595d48086cdfeaeaf4245404f7d002d155",
        100,
        0,
        "435ad94b01835983",
    ),
    "biden_1.jpg:rgb:None": (
        "b2d59aa79996d5d8fef82ae6212a5b595d48086cdfeaeaf4245404f7d002d155",
        100,
        0,
        "435ad94b01835983",
    ),
    "biden_1.jpg:luma:512": (
        "b2d59aa79996d5d8fef82ae6212a5b595d48086cdfeaeaf4245404f7d002d155",
        100,
        0,
        "2edcd4cbc4d2d7d4",
    ),
    "biden_1.jpg:luma:None": (
        "b2d59aa79996d5d8fef82ae6212a5b595d48086cdfeaeaf4245404f7d002d155",
        100,
        0,
        "2edcd4cbc4d2d7d4",
    ),
    "kit_harington_1.jpg:rgb:512": (
        "6c5bbf699d3c99709264934edb436ccf7a6c6b2c931e049325dd6603ba03948d",
        100,
        0,
        "8eb2042712176d0c",
    ),
    "kit_harington_1.jpg:rgb:None": (
        "6c5bbf699d3c99709264934edb436ccf7a6c6b2c931e049325dd6603ba03948d",
        100,
        0,
        "8eb2042712176d0c",
    ),
    "kit_harington_1.jpg:luma:512": (
        "6c5bbf699d3c99709364934edb436ccf7a6c6b24931e049325dd6603ba03948d",
        100,
        0,
        "e886d842a787e85e",
    ),
    "kit_harington_1.jpg:luma:None": (
        "6c5bbf699d3c99709364934edb436ccf7a6c6b24931e049325dd6603ba03948d",
        100,
        0,
        "e886d842a787e85e",
    ),
    "kit_harington_2.jpg:rgb:512": (
        "2cd3e1b2bd26fc64964c96e3309797645e6c4ccc1ecc489a4c9c1b9199d66f78",
        100,
        0,
        "f6e02df93ea73770",
    ),
    "kit_harington_2.jpg:rgb:None": (
        "2cd3e1b2bd26fc64964c96e3309797645e6c4ccc1ecc489a4c9c1b9199d66f78",
        100,
        0,
        "f6e02df93ea73770",
    ),
    "kit_harington_2.jpg:luma:512": (
        "2cd3e1b2bd26fc64964c96e3309797645e6c4ccc1ecc409a4c9c1b919bd66f78",
        100,
        0,
        "8f08f2e934d3edcd",
    ),
    "kit_harington_2.jpg:luma:None": (
        "2cd3e1b2bd26fc64964c96e3309797645e6c4ccc1ecc409a4c9c1b919bd66f78",
        100,
        0,
        "8f08f2e934d3edcd",
    ),
    "lin_manuel_miranda_1.png:rgb:512": (
        "290465336bb3e4134eb3ad10d693a3729ccb2d3c13c86a67b39eccc3cf1273cc",
        100,
        8,
        "e19c77250347ebb9",
    ),
    "lin_manuel_miranda_1.png:rgb:None": (
        "290465336bb3e4134eb3ad10d693a3729ccb2d3c13c86a67b39eccc3cf1273cc",
        100,
        8,
        "e19c77250347ebb9",
    ),
    "lin_manuel_miranda_1.png:luma:512": (
        "290465336bb3e4134eb3ad10d693a3729ccb2d3c13c86a67b39eccc3cf1273cc",
        100,
        8,
        "e19c77250347ebb9",
    ),
    "lin_manuel_miranda_1.png:luma:None": (
        "290465336bb3e4134eb3ad10d693a3729ccb2d3c13c86a67b39eccc3cf1273cc",
        100,
        8,
        "e19c77250347ebb9",
    ),
    "obama_1.jpg:rgb:512": (
        "aeac10c9fe8843fe004bff147fe9035be937db288a1c35f42a0be9b64d604b4c",
        100,
        0,
        "763bc38c23adbb9e",
    ),
    "obama_1.jpg:rgb:None": (
        "aeac10c9fe8843fe004bff147fe9035be937db288a1c35f42a0be9b64d604b4c",
        100,
        0,
        "763bc38c23adbb9e",
    ),
    "obama_1.jpg:luma:512": (
        "aeac10c9fe8843fe004bff147fe9035be937db288a1c35f42a0be9b64d604b4c",
        100,
        0,
        "763bc38c23adbb9e",
    ),
    "obama_1.jpg:luma:None": (
        "aeac10c9fe8843fe004bff147fe9035be937db288a1c35f42a0be9b64d604b4c",
        100,
        0,
        "763bc38c23adbb9e",
    ),
    "obama_2.jpg:rgb:512": (
        "8407e1a793f69cd2bdd36fc1dbc392c82c9cc92d96653cd3b9a6c66c118781a4",
        100,
        0,
        "e3c2071df30b87fd",
    ),
    "obama_2.jpg:rgb:None": (
        "8407e1a793f69cd2bdd36fc1dbc392c82c9cc92d96653cd3b9a6c66c118781a4",
        100,
        0,
        "e3c2071df30b87fd",
    ),
    "obama_2.jpg:luma:512": (
        "8407e1a793f69cd2bdd36fc1dbc392c82c9cc92d96653cd3b9a6c66c118781a4",
        100,
        0,
        "e3c2071df30b87fd",
    ),
    "obama_2.jpg:luma:None": (
        "8407e1a793f69cd2bdd36fc1dbc392c82c9cc92d96653cd3b9a6c66c118781a4",
        100,
        0,
        "e3c2071df30b87fd",
    ),
    "rgba_32bit.png:rgb:512": (
        "8405e1a793f69cd2bfd36fc1dbc392c82c9cc92d96653cd3b9a6c66c118781a4",
        100,
        0,
        "8480fdb8a9615af1",
    ),
    "rgba_32bit.png:rgb:None": (
        "8405e1a793f69cd2bfd36fc1dbc392c82c9cc92d96653cd3b9a6c66c118781a4",
        100,
        0,
        "8480fdb8a9615af1",
    ),
    "rgba_32bit.png:luma:512": (
        "8405e1a793f69cd2bfd36fc1dbc392c82c9cc92d96653cd3b9a6c66c118781a4",
        100,
        0,
        "8480fdb8a9615af1",
    ),
    "rgba_32bit.png:luma:None": (
        "8405e1a793f69cd2bfd36fc1dbc392c82c9cc92d96653cd3b9a6c66c118781a4",
        100,
        0,
        "8480fdb8a9615af1",
    ),
    "rose_leslie_1.jpg:rgb:512": (
        "96b34b41a94db4a49ad8cb4ba59b3296791b2dbb3594ca53b13b74966650516b",
        100,
        8,
        "81f56ca9f2865697",
    ),
    "rose_leslie_1.jpg:rgb:None": (
        "96b34b41a94db4a49ad8cb4ba59b3296791b2dbb3594ca53b13b74966650516b",
        100,
        8,
        "81f56ca9f2865697",
    ),
    "rose_leslie_1.jpg:luma:512": (
        "96b34b41a94db4a49ad8cb4ba59b3696791b2dbb3594ca53b11b74966650516b",
        100,
        8,
        "853528d7e02d8399",
    ),
    "rose_leslie_1.jpg:luma:None": (
        "96b34b41a94db4a49ad8cb4ba59b3696791b2dbb3594ca53b11b74966650516b",
        100,
        8,
        "853528d7e02d8399",
    ),
    "two_people.jpg:rgb:512": (
        "8dac5e40e3b941961fcb4e6df681e3d8d1ba1aa35e296611d0ca89f64d55265d",
        100,
        0,
        "e1b59af913eb1642",
    ),
    "two_people.jpg:rgb:None": (
        "8dac5e40e3b941961fcb4e6df681e3d8d1ba1aa35e296611d0ca89f64d55265d",
        100,
        0,
        "e1b59af913eb1642",
    ),
    "two_people.jpg:luma:512": (
        "8dac5e40e3b941961fcb4e6df681e3d8d1ba1aa35e296611d0ca89f64d55265d",
        100,
        0,
        "e1b59af913eb1642",
    ),
    "two_people.jpg:luma:None": (
        "8dac5e40e3b941961fcb4e6df681e3d8d1ba1aa35e296611d0ca89f64d55265d",
        100,
        0,
        "e1b59af913eb1642",
    ),
    "framed-obama:rgb:512": (
        "59278b7056ee7ca50873978be4142cf0978bf9244afe46c9358b2c33e354d3cc",
        100,
        8,
        "9fc5fb8dbef77b9f",
    ),
    "framed-obama:luma:512": (
        "59278b7056ee7ca50873978be4142cf0978bf9244afe46c9358b2c33e354d3cc",
        100,
        8,
        "9fc5fb8dbef77b9f",
    ),
    "large-420:rgb:512": (
        "7876fcfd17aae810bfc54a71e7e10d174466be813d7ca0a56b0c94bc6948a643",
        100,
        0,
        "91357ce3cfe80d65",
    ),
    "large-420:rgb:None": (
        "78767cfd17aae818bfc54a71e7e10d174466be813d7ca0a56b0c94bc6948a643",
        100,
        0,
        "603f953b2e7afd9a",
    ),
    "large-420:luma:512": (
        "7876fcfd17aae810bfc54a71e7e10d174466be813d7ca0a56b0c94bc6948a643",
        100,
        0,
        "91357ce3cfe80d65",
    ),
    "large-420:luma:None": (
        "7876fcfd17aae818bfc50a71e7e10d174466be813d7ca0a56b0c94bc6948a643",
        100,
        0,
        "97562708034d565c",
    ),
    "large-444:rgb:512": (
        "f87e6cf516aae910bfc54a79e7e10d1e4666be81397ca0a56f0c94bc6948a603",
        100,
        0,
        "151fb6904bcce4db",
    ),
    "large-444:rgb:None": (
        "f87e6cf516aae912bfc50a79e7e10d1e4666be81397ca0a56b0c94bc694ca603",
        100,
        0,
        "2cef2a50cff1c88b",
    ),
    "large-444:luma:512": (
        "f87e6cf516aae910bfc54a79e7e10d1e4666be81397ca0a56f0c94bc6948a603",
        100,
        0,
        "151fb6904bcce4db",
    ),
    "large-444:luma:None": (
        "f87e6cf516aae912bfc50a79e7e10d1e4666be81397ca0a56b0c94bc694ca603",
        100,
        0,
        "2cef2a50cff1c88b",
    ),
}


def _framed_png(name: str) -> bytes:
    """A face on a wide pale canvas: the framing stage finds it."""
    with Image.open(FACES / name) as image:
        picture = image.convert("RGB")
    canvas = Image.new("RGB", (picture.width + 200, picture.height * 2), (250, 250, 250))
    canvas.paste(picture, (100, picture.height // 2))
    out = io.BytesIO()
    canvas.save(out, "PNG")
    return out.getvalue()


def _generated(size: tuple[int, int], subsampling: int) -> bytes:
    out = io.BytesIO()
    Image.fromarray(photo(7, size)).save(out, "JPEG", quality=85, subsampling=subsampling)
    return out.getvalue()


def _file(name: str) -> bytes:
    if name == "framed-obama":
        return _framed_png("obama_1.jpg")
    if name == "large-420":
        return _generated((2400, 1800), 2)
    if name == "large-444":
        return _generated((1600, 1300), 0)
    return Path(FACES / name).read_bytes()


@pytest.mark.parametrize("case", sorted(PINNED))
def test_fingerprints_are_pinned(case: str) -> None:
    name, reading, side = case.split(":")
    hashes = hash_bytes(
        _file(name), luma=reading == "luma", min_side=None if side == "None" else int(side)
    )
    every = "|".join(
        [
            *hashes.pdq.hashes,
            str(hashes.pdq.quality),
            *(f"{f.value}:{f.region}" for f in hashes.framed),
        ]
    )
    assert (
        hashes.pdq.pdq,
        hashes.pdq.quality,
        len(hashes.framed),
        hashlib.sha256(every.encode()).hexdigest()[:16],
    ) == PINNED[case]
