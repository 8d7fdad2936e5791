"""Interop: a file hashed here gives the PDQ python-threatexchange (HMA) gives the same file.

threatexchange reads some files otherwise than Bouclier does (alpha dropped, 16 bits clipped,
palette indices hashed as grey); for those, Bouclier looks up the hashes of both readings. Each row
below is a generated, benign picture saved in one Pillow mode, hashed by threatexchange's own
``pdq_from_bytes`` in the test and by Bouclier at full resolution: its hash must be one of
Bouclier's first-frame fingerprints, exactly.
"""

from __future__ import annotations

import io
from collections.abc import Callable

import numpy as np
import pytest
from PIL import Image
from threatexchange.signal_type.pdq.pdq_hasher import pdq_from_bytes

from bouclier.banks.matcher import BankMatcher
from bouclier.banks.store import BankStore, NewEntry
from bouclier.hashing import hash_bytes, pdq
from bouclier.media import decode
from bouclier.media.convert import threatexchange_frame
from bouclier.storage import Database
from tests.conftest import photo
from tests.media.samples import png_chunk, raw_png

SIZE = (256, 192)


def _rgb(seed: int = 5) -> np.ndarray:
    return photo(seed, SIZE)


def _grey(seed: int = 5) -> np.ndarray:
    return np.asarray(Image.fromarray(_rgb(seed)).convert("L"))


def _hole() -> np.ndarray:
    width, height = SIZE
    y, x = np.mgrid[0:height, 0:width]
    return np.asarray((x - width // 3) ** 2 + (y - height // 2) ** 2 < (height // 4) ** 2)


def _keyed(pixels: np.ndarray, key: int | tuple[int, int, int]) -> np.ndarray:
    """The picture with a disc of its colour-key colour (transparent to a viewer)."""
    keyed = pixels.copy()
    keyed[_hole()] = key
    return keyed


def _alpha() -> np.ndarray:
    """Opaque on the left, fading to fully transparent on the right, with a transparent hole:
    the hidden pixels still carry colours, which only threatexchange's reading sees."""
    width, height = SIZE
    alpha = np.tile(np.linspace(255, 0, width), (height, 1))
    alpha[_hole()] = 0
    return alpha.astype(np.uint8)


def _save(image: Image.Image, fmt: str = "PNG", **options: object) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, fmt, **options)
    return buffer.getvalue()


def _png16(samples: np.ndarray, colour_type: int, extra: bytes = b"") -> bytes:
    """A 16-bit PNG (Pillow writes 16 bits only for grey) from (h, w, channels) uint16."""
    height, width = samples.shape[:2]
    big = samples.astype(">u2").reshape(height, -1)
    rows = b"".join(b"\x00" + row.tobytes() for row in big)
    return raw_png(width, height, 16, colour_type, rows, extra=extra)


def _wide(pixels: np.ndarray) -> np.ndarray:
    """8-bit samples spread over 16 bits (v * 257), with low bytes that differ from the high."""
    return pixels.astype(np.uint16) * 257 ^ (np.arange(pixels.size).reshape(pixels.shape) % 7)


def _palette(transparent: bool) -> bytes:
    image = Image.fromarray(_rgb()).convert("P", palette=Image.Palette.ADAPTIVE, colors=64)
    return _save(image, transparency=3) if transparent else _save(image)


FILES: dict[str, Callable[[], bytes]] = {
    "L": lambda: _save(Image.fromarray(_grey())),
    "L colour key": lambda: _save(Image.fromarray(_keyed(_grey(), 0)), transparency=0),
    "LA": lambda: _save(Image.fromarray(np.dstack([_grey(), _alpha()]), "LA")),
    "RGB": lambda: _save(Image.fromarray(_rgb())),
    "RGB colour key": lambda: _save(
        Image.fromarray(_keyed(_rgb(), (0, 0, 0))), transparency=(0, 0, 0)
    ),
    "RGBA": lambda: _save(Image.fromarray(np.dstack([_rgb(), _alpha()]), "RGBA")),
    "RGBA WebP": lambda: _save(
        Image.fromarray(np.dstack([_rgb(), _alpha()]), "RGBA"), "WEBP", lossless=True
    ),
    "P": lambda: _palette(transparent=False),
    "P with tRNS": lambda: _palette(transparent=True),
    "GIF": lambda: _save(Image.fromarray(_rgb()).convert("P"), "GIF"),
    "1": lambda: _save(Image.fromarray(_grey()).convert("1")),
    "CMYK JPEG": lambda: _save(Image.fromarray(_rgb()).convert("CMYK"), "JPEG", quality=95),
    "I;16": lambda: _png16(_wide(_grey())[..., np.newaxis], 0),
    "I;16 in 8 bits": lambda: _save(Image.fromarray(_grey().astype(np.uint16))),
    "I;16 colour key": lambda: _png16(
        _keyed(_wide(_grey()), 0)[..., np.newaxis], 0, png_chunk(b"tRNS", b"\x00\x00")
    ),
    "RGB 48-bit": lambda: _png16(_wide(_rgb()), 2),
    "RGBA 64-bit": lambda: _png16(_wide(np.dstack([_rgb(), _alpha()])), 6),
    "LA 32-bit": lambda: _png16(_wide(np.dstack([_grey(), _alpha()])), 4),
}
# Where threatexchange reads the pixels as Bouclier displays them: no second reading is needed.
SAME_READING = {"L", "RGB", "RGB 48-bit", "1"}


def _first_frame_pdq(data: bytes) -> dict[str, str]:
    """Bouclier's PDQ fingerprints of the first frame as it is: {hash: reading}."""
    hashes = hash_bytes(data, min_side=None)
    return {
        f.value: f.reading
        for f in hashes.fingerprints
        if f.signal_type == "pdq" and f.frame == 0 and f.orientation == "original"
    }


@pytest.mark.parametrize("name", FILES)
def test_threatexchange_hash_is_one_of_ours(name: str) -> None:
    data = FILES[name]()
    theirs, _quality = pdq_from_bytes(data)
    ours = _first_frame_pdq(data)
    assert theirs in ours, f"nearest: {min(pdq.distance(theirs, h) for h in ours)} bits"
    displayed = next(h for h, reading in ours.items() if reading == "displayed")
    if name in SAME_READING:
        assert ours == {theirs: "displayed"}
    else:  # a second reading, looked up after Bouclier's own, which stays the visible picture
        assert ours[theirs] == "threatexchange"
        assert pdq.distance(theirs, displayed) > pdq.DEFAULT_THRESHOLD


def test_displayed_reading_is_unchanged_by_the_second() -> None:
    # Transparent pixels over white, as before: the displayed hash is that of the composite.
    rgba = np.dstack([_rgb(), _alpha()])
    composite = Image.alpha_composite(
        Image.new("RGBA", SIZE, "white"), Image.fromarray(rgba, "RGBA")
    ).convert("RGB")
    ours = _first_frame_pdq(_save(Image.fromarray(rgba, "RGBA")))
    expected = pdq.hash_pixels(np.asarray(composite)).pdq
    nearest = min(pdq.distance(expected, h) for h, r in ours.items() if r == "displayed")
    assert nearest <= 2  # Pillow's composite rounds differently by one level here and there


def test_every_orientation_of_the_second_reading_is_looked_up() -> None:
    data = FILES["RGBA"]()
    theirs = [f for f in hash_bytes(data).fingerprints if f.reading == "threatexchange"]
    assert [f.orientation for f in theirs] == list(pdq.ORIENTATIONS)
    assert {f.frame for f in theirs} == {0}


@pytest.mark.parametrize("mode", ["I;16B", "I;16L", "I", "F", "PA"])
def test_modes_threatexchange_cannot_hash_have_one_reading(mode: str) -> None:
    image = Image.new(mode, (8, 8))
    assert threatexchange_frame(image) is None
    with pytest.raises((ValueError, IndexError)):
        _refuse(image)


def _refuse(image: Image.Image) -> None:
    """threatexchange's own array rule on an in-memory image (the file formats that hold these
    modes open differently), which pdqhash then refuses."""
    from threatexchange.signal_type.pdq.pdq_hasher import (
        _convert_image_to_correct_array_dimension,
        _pdq_from_numpy_array,
    )

    _pdq_from_numpy_array(_convert_image_to_correct_array_dimension(image))


def test_reduced_decoding_stays_near_threatexchange() -> None:
    # Larger than 2 x 512 on the short side: the default decode averages blocks of pixels first.
    big = np.asarray(Image.fromarray(photo(8, (1600, 1200))))
    alpha = np.asarray(Image.fromarray(_alpha()).resize((1600, 1200)))
    data = _save(Image.fromarray(np.dstack([big, alpha]), "RGBA"))
    theirs, _quality = pdq_from_bytes(data)
    image = decode(data, min_side=512)
    assert image.pixels.shape[:2] == (600, 800)
    assert image.threatexchange is not None
    ours = pdq.hash_pixels(image.threatexchange).pdq
    assert pdq.distance(theirs, ours) <= 8  # the reduction's usual noise (docs/benchmarks-log.md)


def test_hmas_hash_of_a_transparent_png_matches_its_bank_entry(db: Database) -> None:
    data = FILES["RGBA"]()
    theirs, quality = pdq_from_bytes(data)
    store = BankStore(db)
    store.create("stopncii", "victim")
    [entry] = store.add("stopncii", [NewEntry(value=theirs, quality=quality)])
    result = BankMatcher.from_store(store).match_image(hash_bytes(data))
    assert [(m.bank, m.entry, m.distance, m.orientation) for m in result.matches] == [
        ("stopncii", entry, 0, "original")
    ]
