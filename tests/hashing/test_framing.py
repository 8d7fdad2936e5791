"""The framing stage finds the picture inside a frame, and nothing in a plain photo.

Every framed case is built from a generated benign picture, with the content's true box known;
each first checks that plain PDQ misses it (so the test fails without the stage), then that a
region the stage found is where the picture is and hashes within PDQ's threshold of it.
"""

from __future__ import annotations

import io
from datetime import UTC, datetime

import numpy as np
import pytest
from PIL import Image, ImageDraw

from bouclier.banks.hashes import BankHashes, BankInfo, SignalRows
from bouclier.banks.matcher import BankMatcher
from bouclier.hashing import hash_bytes
from bouclier.hashing.framing import Framed, Region, find_content, worth_a_look
from bouclier.hashing.pdq import DEFAULT_THRESHOLD, hash_pixels
from bouclier.media import DecodedImage
from bouclier.signals.pdq import PDQ
from tests.conftest import encode, photo

Box = tuple[int, int, int, int]


def _distance(a: np.ndarray, b: np.ndarray) -> int:
    """The smallest PDQ distance between ``a`` as it is and ``b`` in any orientation."""
    reference = int(hash_pixels(a).pdq, 16)
    return min((reference ^ int(h, 16)).bit_count() for h in hash_pixels(b).hashes)


def _jpeg(image: Image.Image, quality: int = 85, *, luma: bool = False) -> np.ndarray:
    """The image through a JPEG, read back in RGB or, with ``luma``, as libjpeg's luma plane
    (what ``decode(luma=True)`` gives the framing stage on the upload path)."""
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=quality)
    read = Image.open(buffer)
    if luma:
        read.draft("L", read.size)
        return np.asarray(read)
    return np.asarray(read.convert("RGB"))


READINGS = pytest.mark.parametrize("luma", [False, True], ids=["rgb", "luma"])


def bordered(picture: Image.Image) -> tuple[Image.Image, Box]:
    w, h = picture.size
    canvas = Image.new("RGB", (w + w // 5, h + h // 5), (250, 250, 250))
    canvas.paste(picture, (w // 10, h // 10))
    return canvas, (w // 10, h // 10, w, h)


def letterbox(picture: Image.Image) -> tuple[Image.Image, Box]:
    canvas = Image.new("RGB", (720, 1280), (0, 0, 0))
    fitted = picture.resize((720, 720 * picture.height // picture.width))
    top = (1280 - fitted.height) // 2
    canvas.paste(fitted, (0, top))
    return canvas, (0, top, fitted.width, fitted.height)


def screenshot(picture: Image.Image) -> tuple[Image.Image, Box]:
    """A phone screenshot of a post: status bar, header with a name, the picture, actions,
    likes and a caption, a navigation bar."""
    shot = Image.new("RGB", (1080, 1920), (255, 255, 255))
    draw = ImageDraw.Draw(shot)
    draw.text((60, 20), "12:34", fill=(0, 0, 0), font_size=40)
    draw.rectangle((900, 25, 1000, 60), outline=(0, 0, 0), width=4)
    draw.ellipse((30, 120, 130, 220), fill=(200, 120, 80))
    draw.text((160, 145), "someone_posted_this", fill=(0, 0, 0), font_size=44)
    fitted = picture.resize((1080, 1080 * picture.height // picture.width))
    shot.paste(fitted, (0, 260))
    y = 260 + fitted.height + 30
    for k in range(3):
        draw.ellipse((40 + k * 110, y, 110 + k * 110, y + 70), outline=(0, 0, 0), width=6)
    draw.text((40, y + 110), "1,234 likes", fill=(0, 0, 0), font_size=40)
    draw.text((40, y + 170), "another_user what a day", fill=(0, 0, 0), font_size=40)
    draw.line((0, 1770, 1080, 1770), fill=(200, 200, 200), width=2)
    for k in range(5):
        draw.ellipse((90 + k * 200, 1810, 160 + k * 200, 1880), outline=(0, 0, 0), width=6)
    return shot, (0, 260, fitted.width, fitted.height)


def caption(picture: Image.Image) -> tuple[Image.Image, Box]:
    w, h = picture.size
    bar = h // 4
    canvas = Image.new("RGB", (w, h + bar), (255, 255, 255))
    canvas.paste(picture, (0, bar))
    ImageDraw.Draw(canvas).text((20, bar // 3), "when the group chat", fill=(0, 0, 0), font_size=36)
    return canvas, (0, bar, w, h)


def rotated(picture: Image.Image, degrees: float = 6) -> tuple[Image.Image, Box]:
    turned = picture.rotate(degrees, Image.Resampling.BICUBIC, expand=True, fillcolor=(0, 0, 0))
    w, h = picture.size
    box_w, box_h = turned.size
    return turned, ((box_w - w) // 2, (box_h - h) // 2, w, h)  # the box's centre, for the test


def keystone(picture: Image.Image) -> tuple[Image.Image, Box]:
    """Photographed off a screen: a perspective warp on a dark surround."""
    import cv2

    w, h = picture.size
    pad = 60
    src = np.float32([[0, 0], [w, 0], [w, h], [0, h]])
    dst = np.float32([[pad + 30, pad + 10], [pad + w - 10, pad + 35], [pad + w, pad + h - 5],
                      [pad, pad + h - 30]])  # fmt: skip
    warped = cv2.warpPerspective(
        np.asarray(picture),
        cv2.getPerspectiveTransform(src, dst),
        (w + 2 * pad, h + 2 * pad),
        borderValue=(25, 25, 30),
    )
    return Image.fromarray(warped), (pad, pad, w, h)


def _blurred_fill(picture: Image.Image, size: tuple[int, int]) -> Image.Image:
    """The picture enlarged to cover ``size``, heavily blurred and darkened (a story's ground)."""
    from PIL import ImageEnhance, ImageFilter

    scale = max(size[0] / picture.width, size[1] / picture.height)
    cover = picture.resize((int(picture.width * scale) + 1, int(picture.height * scale) + 1))
    left, top = (cover.width - size[0]) // 2, (cover.height - size[1]) // 2
    cover = cover.crop((left, top, left + size[0], top + size[1]))
    small = cover.resize((size[0] // 8, size[1] // 8)).filter(ImageFilter.GaussianBlur(4))
    return ImageEnhance.Brightness(small.resize(size, Image.Resampling.BILINEAR)).enhance(0.8)


def blurred_border(picture: Image.Image) -> tuple[Image.Image, Box]:
    """A 25% frame on every side filled with the picture itself, blurred."""
    w, h = picture.size
    canvas = _blurred_fill(picture, (w * 3 // 2, h * 3 // 2))
    canvas.paste(picture, (w // 4, h // 4))
    return canvas, (w // 4, h // 4, w, h)


def story(picture: Image.Image) -> tuple[Image.Image, Box]:
    """A 9:16 story: the picture over its own blurred fill, a progress bar and a reply box."""
    shot = _blurred_fill(picture, (720, 1280))
    fitted = picture.resize((720, 720 * picture.height // picture.width))
    top = (1280 - fitted.height) // 2
    shot.paste(fitted, (0, top))
    draw = ImageDraw.Draw(shot)
    draw.rounded_rectangle((14, 60, 706, 64), 2, fill=(250, 250, 250))
    draw.rounded_rectangle((20, 1160, 600, 1220), 30, outline=(250, 250, 250), width=3)
    draw.text((50, 1175), "Send message", fill=(250, 250, 250), font_size=28)
    return shot, (0, top, fitted.width, fitted.height)


FRAMES = [bordered, letterbox, screenshot, caption, rotated, keystone, blurred_border, story]


def _found(frame: np.ndarray) -> tuple[Framed, ...]:
    return find_content(frame)


@READINGS
@pytest.mark.parametrize("make", FRAMES, ids=[f.__name__ for f in FRAMES])
@pytest.mark.parametrize("seed", [1, 2, 3])
def test_the_picture_inside_a_frame_is_found(make, seed: int, luma: bool) -> None:  # type: ignore[no-untyped-def]
    original = photo(seed, (640, 480))
    framed_image, (x, y, w, h) = make(Image.fromarray(original))
    query = _jpeg(framed_image, luma=luma)
    assert query.ndim == (2 if luma else 3)
    assert _distance(original, query) > DEFAULT_THRESHOLD  # plain PDQ misses it
    found = _found(query)
    assert found
    best = min(found, key=lambda f: _distance(original, f.pixels))
    assert _distance(original, best.pixels) <= DEFAULT_THRESHOLD
    region = best.region
    if not region.warped:  # a cut: its box is the picture's, within a reduced pixel or two
        tolerance = max(query.shape[:2]) // 80
        assert abs(region.x - x) <= tolerance
        assert abs(region.y - y) <= tolerance
        assert abs(region.width - w) <= 2 * tolerance
        assert abs(region.height - h) <= 2 * tolerance


@READINGS
def test_a_turned_picture_is_turned_back(luma: bool) -> None:
    original = photo(4, (640, 480))
    turned, _ = rotated(Image.fromarray(original), 8)
    [found, *_] = _found(_jpeg(turned, luma=luma))
    assert found.region.warped
    assert found.region.angle == pytest.approx(8, abs=1.0)
    assert found.pixels.shape[1] == pytest.approx(640, rel=0.05)


@READINGS
@pytest.mark.parametrize("seed", range(8))
def test_a_plain_photo_has_nothing_to_find(seed: int, luma: bool) -> None:
    assert _found(_jpeg(Image.fromarray(photo(seed, (800, 600))), luma=luma)) == ()


@pytest.mark.parametrize(
    "pixels",
    [
        np.full((400, 300, 3), 128, np.uint8),  # flat: a frame with nothing in it
        np.zeros((20, 20, 3), np.uint8),  # too small to hold a frame and a picture
        np.zeros((400, 20, 3), np.uint8),
        np.full((400, 300), 128, np.uint8),
        np.zeros((20, 20), np.uint8),
    ],
    ids=["flat", "tiny", "thin", "flat-luma", "tiny-luma"],
)
def test_nothing_is_found_in_degenerate_frames(pixels: np.ndarray) -> None:
    assert _found(pixels) == ()


def test_a_frame_must_be_an_rgb_array_or_a_luma_plane() -> None:
    with pytest.raises(ValueError, match="uint8"):
        find_content(np.zeros((100, 100), np.float32))
    with pytest.raises(ValueError, match="uint8"):
        find_content(np.zeros((100, 100, 4), np.uint8))


def test_a_region_scales_to_the_displayed_size() -> None:
    region = Region(10, 20, 100, 50, 3.0, warped=True)
    assert region.scaled(2, 2) == Region(20, 40, 200, 100, 3.0, warped=True)
    assert region.box() == (10, 20, 100, 50)


def _matcher(*values: str) -> BankMatcher:
    rows = PDQ.pack(list(values))
    ids = np.arange(1, len(values) + 1, dtype=np.int64)
    banks = {1: BankInfo(1, "victims", "victim", DEFAULT_THRESHOLD, datetime.now(UTC), 2)}
    part = SignalRows(ids, np.ones(len(values), np.int32), rows)
    return BankMatcher(BankHashes({PDQ.name: part}, banks))


def test_a_screenshot_matches_through_its_framing_stage() -> None:
    original = photo(5, (640, 480))
    shot, (x, y, w, h) = screenshot(Image.fromarray(original))
    data = encode(np.asarray(shot), quality=85)
    matcher = _matcher(hash_pixels(original).pdq, hash_pixels(photo(6, (640, 480))).pdq)
    assert matcher.match_image(hash_bytes(data, framing=False)).matches == ()
    hashes = hash_bytes(data)  # decoded at half size (shorter side >= 512): regions scaled back
    assert hashes.framed
    assert all(f.stage == "framing" and f.region for f in hashes.framed)
    [match] = matcher.match_image(hashes).matches
    assert (match.entry, match.stage) == (1, "framing")
    assert match.region is not None
    rx, ry, rw, rh = match.region
    assert abs(rx - x) <= 24
    assert abs(ry - y) <= 24
    assert abs(rw - w) <= 48
    assert abs(rh - h) <= 48
    assert match.to_dict()["region"] == list(match.region)


def test_a_plain_photo_matches_directly_and_has_no_regions() -> None:
    original = photo(7, (640, 480))
    hashes = hash_bytes(encode(original, quality=90))
    assert hashes.framed == ()
    [match] = _matcher(hash_pixels(original).pdq).match_image(hashes).matches
    assert (match.stage, match.region) == ("direct", None)
    assert match.to_dict()["stage"] == "direct"


def _pale_topped(seed: int) -> Image.Image:
    """A picture whose upper part is a near-white ground (a portrait against a pale wall), with
    its detail below and on one side: the content mask of a white frame breaks it apart."""
    pixels = photo(seed, (640, 480)).astype(np.int16)
    rng = np.random.default_rng(seed)
    ground = 252 + rng.normal(0, 1.0, size=(200, 420, 3))
    pixels[:200, :420] = ground.round().astype(np.int16)
    return Image.fromarray(np.clip(pixels, 0, 255).astype(np.uint8))


def _meme(picture: Image.Image, *, bottom: bool) -> tuple[Image.Image, Box]:
    """Two lines of caption on a white bar above (or below) the picture."""
    w, h = picture.size
    bar = h * 3 // 10
    canvas = Image.new("RGB", (w, h + bar), (255, 255, 255))
    top = 0 if bottom else bar
    canvas.paste(picture, (0, top))
    draw = ImageDraw.Draw(canvas)
    text_y = h if bottom else 0
    draw.text((30, text_y + bar // 6), "when the group chat", fill=(0, 0, 0), font_size=40)
    draw.text((30, text_y + bar // 2 + 8), "finds out", fill=(0, 0, 0), font_size=40)
    return canvas, (0, top, w, h)


@READINGS
@pytest.mark.parametrize("bottom", [False, True], ids=["above", "below"])
@pytest.mark.parametrize("seed", [1, 2])
def test_a_caption_band_over_a_pale_picture_is_cut_by_rows(
    bottom: bool, seed: int, luma: bool
) -> None:
    original = np.asarray(_pale_topped(seed) if not bottom else _pale_topped(seed).rotate(180))
    framed_image, (x, y, w, h) = _meme(Image.fromarray(original), bottom=bottom)
    assert x == 0
    query = _jpeg(framed_image, luma=luma)
    assert _distance(original, query) > DEFAULT_THRESHOLD
    found = _found(query)
    assert found
    best = min(found, key=lambda f: _distance(original, f.pixels))
    assert _distance(original, best.pixels) <= DEFAULT_THRESHOLD
    tolerance = max(query.shape[:2]) // 80
    assert abs(best.region.y - y) <= tolerance
    assert abs(best.region.height - h) <= 2 * tolerance
    assert (best.region.x, best.region.width) == (0, w)


def test_a_white_band_without_text_is_no_caption() -> None:
    """A blank band is a border (the content mask's to find), and a pale picture's top is not a
    band: without a line of text between blank rows, rows cut nothing."""
    from bouclier.hashing.framing import _caption_band

    pale = np.asarray(_pale_topped(3))
    blank = np.vstack([np.full((60, 640, 3), 255, np.uint8), pale])
    assert _caption_band(blank[::4, ::4]) == 0
    assert _caption_band(pale[::4, ::4]) == 0
    captioned, (_, y, _, _) = _meme(Image.fromarray(pale), bottom=False)
    small = np.asarray(captioned)[::4, ::4]
    assert abs(_caption_band(small) - y // 4) <= 2


@pytest.mark.parametrize("make", FRAMES, ids=[f.__name__ for f in FRAMES])
def test_the_gate_on_the_luma_plane_lets_every_framed_case_through(make) -> None:  # type: ignore[no-untyped-def]
    """The upload path decodes a JPEG to its luma plane and decodes it in colour for the search
    only when the gate, looking at the plane, says so: the gate must not shut out a frame."""
    framed_image, _ = make(Image.fromarray(photo(2, (640, 480))))
    assert worth_a_look(_jpeg(framed_image, luma=True))
    assert worth_a_look(_jpeg(framed_image))


def test_the_gate_shuts_out_plain_photos() -> None:
    plain = [_jpeg(Image.fromarray(photo(seed, (800, 600))), luma=True) for seed in range(8)]
    assert sum(worth_a_look(p) for p in plain) <= 2
    assert not worth_a_look(np.zeros((20, 20), np.uint8))


def test_a_luma_upload_is_searched_in_colour_only_when_the_gate_says_so() -> None:
    from bouclier.media import decode
    from bouclier.signals import MediaInput

    shot, _ = screenshot(Image.fromarray(photo(5, (640, 480))))
    plain = photo(7, (800, 600))
    for pixels, framed in ((np.asarray(shot), True), (plain, False)):
        data = encode(pixels, quality=85)
        calls: list[int] = []

        def colour(data: bytes = data, calls: list[int] = calls) -> DecodedImage:
            calls.append(1)
            return decode(data, min_side=512)

        media = MediaInput(data, decode(data, min_side=512, luma=True), colour)
        regions = [f.region for f in media.content]
        assert calls == ([1] if framed else [])
        rgb = [f.region for f in MediaInput(data, decode(data, min_side=512)).content]
        assert regions == rgb  # the same search, on the same colour pixels
        assert bool(regions) == framed
        assert all(f.pixels.ndim == 3 for f in media.content)
