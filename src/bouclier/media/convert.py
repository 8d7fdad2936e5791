"""From a decoded frame in any Pillow mode to the one form Bouclier hashes: (h, w, 3) uint8 RGB.

Every mode ends as 8-bit RGB by a fixed rule, so the same picture gives the same pixels whatever
the file's bit depth or colour model:

* transparency (RGBA, LA, PA, RGBa, palettes and colour keys with transparency) is composited over
  white. Transparent pixels still carry RGB values nobody sees; left in, they would let the same
  visible picture hash differently, and hide a second picture in the "invisible" channel;
* CMYK (Pillow already un-inverts Adobe JPEGs), YCbCr, LAB and HSV become RGB by Pillow's rules;
* 16-bit samples keep their top byte (``value >> 8``): a scale, not a clip, so that 16-bit white
  stays white and mid-grey stays mid-grey;
* 32-bit integer and float samples (scientific TIFFs), which have no nominal white, are stretched
  from their smallest to their largest finite value;
* 1-bit, grey and palette images become RGB.

Reducing happens in the middle, in a mode where averaging neighbours is meaningful: palette indices
and 1-bit pixels are expanded first, CMYK is converted first (its conversion is not linear), while
alpha is premultiplied and composited only after averaging, on the small image.

:func:`threatexchange_frame` is the other reading of a frame: the pixels python-threatexchange's
PDQ hasher (HMA's, and so the hashes HMA and its users share) takes from the same file, which
differ from the rule above for transparency, 16 bits and palettes (docs/interop.md).
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
from PIL import Image

from bouclier.errors import MediaError

# Modes resized as they are; everything else is first brought to one of them.
_REDUCIBLE = frozenset({"L", "LA", "La", "RGB", "RGBX", "RGBA", "RGBa"})
# Modes Pillow converts to RGB by a fixed formula.
_CONVERTED = frozenset({"CMYK", "YCbCr", "LAB", "HSV"})
# Rows are processed in blocks of about this many pixels, so a full-resolution composite or
# rescale needs a few megabytes of scratch space rather than several copies of the image.
_BLOCK_PIXELS = 1 << 20


def frame_to_rgb(
    frame: Image.Image,
    *,
    size: tuple[int, int] | None = None,
    box: tuple[float, float, float, float] | None = None,
    factor: int = 1,
    transpose: Image.Transpose | None = None,
) -> np.ndarray:
    """The frame as a read-only, C-contiguous (h, w, 3) uint8 RGB array.

    ``size``: resample to this size (stored orientation) by area averaging; ``box``: the part of
    the frame that covers it (the region a JPEG draft decoded). ``factor``: or average blocks of
    ``factor`` x ``factor`` pixels. ``transpose``: then turn it the way its EXIF orientation says.
    """
    pixels = _rgb(_reduced(_reducible(frame), size, box, factor, transpose))
    pixels.setflags(write=False)
    return pixels


def frame_to_luma(
    frame: Image.Image,
    *,
    size: tuple[int, int] | None = None,
    box: tuple[float, float, float, float] | None = None,
    factor: int = 1,
    transpose: Image.Transpose | None = None,
) -> np.ndarray:
    """A grey (mode ``L``) frame as a read-only, C-contiguous (h, w) uint8 array, reduced and
    turned as :func:`frame_to_rgb` would (the same arguments). For the luma plane libjpeg decodes
    straight from a JPEG's Y channel (``decode(luma=True)``): averaging grey is averaging the
    R = G = B image that :func:`frame_to_rgb` would make of it, channel by channel."""
    if frame.mode != "L" or "transparency" in frame.info:
        raise ValueError(f"frame_to_luma takes an opaque L frame, not {frame.mode}")
    pixels = np.asarray(_reduced(frame, size, box, factor, transpose))
    pixels.setflags(write=False)
    return pixels


def _reduced(
    image: Image.Image,
    size: tuple[int, int] | None,
    box: tuple[float, float, float, float] | None,
    factor: int,
    transpose: Image.Transpose | None,
) -> Image.Image:
    if factor > 1:
        image = _premultiplied(image).reduce(factor)
    elif size is not None and (image.size != size or box is not None):
        image = _premultiplied(image).resize(size, Image.Resampling.BOX, box=box)
    if transpose is not None:
        image = image.transpose(transpose)
    return image


def _premultiplied(image: Image.Image) -> Image.Image:
    # Averaging must weigh colour by alpha, as Pillow's own resize does; staying premultiplied
    # afterwards suits the composite over white, which takes that form directly.
    if image.mode in ("RGBA", "LA"):
        return image.convert("RGBa" if image.mode == "RGBA" else "La")
    return image


def _reducible(frame: Image.Image) -> Image.Image:
    mode = frame.mode
    if mode in ("L", "RGB") and "transparency" in frame.info:
        return frame.convert("LA" if mode == "L" else "RGBA")  # a colour key: make it alpha
    if mode in _REDUCIBLE:
        return frame
    if mode in ("P", "PA"):
        # Not frame.has_transparency_data: it asserts a palette, which a damaged GIF frame lacks.
        palette_alpha = frame.palette is not None and frame.palette.mode.endswith("A")
        alpha = mode == "PA" or "transparency" in frame.info or palette_alpha
        return frame.convert("RGBA" if alpha else "RGB")
    if mode == "1":
        return frame.convert("L")
    if mode in _CONVERTED:
        return frame.convert("RGB")
    if mode.startswith("I;16"):
        return _top_byte(frame)
    if mode in ("I", "F"):
        return _stretched(frame)
    raise MediaError(
        f"images with {mode} pixels are not supported; export it as PNG or JPEG",
        code="media.unsupported_format",
    )


def _top_byte(frame: Image.Image) -> Image.Image:
    """A 16-bit grey frame as 8-bit grey (value >> 8), with its colour key as alpha."""
    values = np.asarray(frame)  # uint16 in the file's byte order; numpy shifts the value
    grey = (values >> 8).astype(np.uint8)
    key = frame.info.get("transparency")
    if isinstance(key, int):
        alpha = np.where(values == key, 0, 255).astype(np.uint8)
        return Image.fromarray(np.dstack((grey, alpha)))
    return Image.fromarray(grey)


def _stretched(frame: Image.Image) -> Image.Image:
    """A 32-bit integer or float frame stretched from its finite minimum to its maximum."""
    values = np.asarray(frame)
    lo, hi = np.inf, -np.inf
    for rows in _row_blocks(values.shape[0], values.shape[1]):
        block = values[rows]
        block = block[np.isfinite(block)] if block.dtype.kind == "f" else block
        if block.size:
            lo, hi = min(lo, float(block.min())), max(hi, float(block.max()))
    grey = np.zeros(values.shape, dtype=np.uint8)
    if lo <= hi:  # some finite value exists; else the picture is all NaN and stays black
        scale = 255.0 / (hi - lo) if hi > lo else 0.0
        base = 0.0 if hi > lo else min(max(lo, 0.0), 255.0)  # a flat picture keeps its level
        with np.errstate(invalid="ignore", over="ignore"):
            for rows in _row_blocks(values.shape[0], values.shape[1]):
                scaled = (values[rows].astype(np.float64) - lo) * scale + base
                grey[rows] = np.nan_to_num(np.clip(np.rint(scaled), 0, 255), nan=0.0)
    return Image.fromarray(grey)


def _rgb(image: Image.Image) -> np.ndarray:
    mode = image.mode
    if mode == "RGB":
        return np.asarray(image)
    if mode == "RGBX":
        return np.asarray(image.convert("RGB"))
    if mode == "L":
        return np.repeat(np.asarray(image)[:, :, np.newaxis], 3, axis=2)
    return _on_white(np.asarray(image), premultiplied=mode in ("RGBa", "La"))


def _on_white(pixels: np.ndarray, *, premultiplied: bool) -> np.ndarray:
    """Composites (h, w, 2 or 4) grey/colour + alpha pixels over white into (h, w, 3) RGB."""
    height, width = pixels.shape[:2]
    out = np.empty((height, width, 3), dtype=np.uint8)
    for rows in _row_blocks(height, width):
        colour = pixels[rows, :, :-1].astype(np.uint16)
        alpha = pixels[rows, :, -1:].astype(np.uint16)
        if premultiplied:
            # Stored colour is already colour x alpha; white shows through the rest.
            flat = np.minimum(colour + (255 - alpha), 255)
        else:
            # colour x alpha + white x (1 - alpha), rounded: 255 - (255 - colour) x alpha.
            flat = 255 - ((255 - colour) * alpha + 127) // 255
        out[rows] = flat  # a grey channel broadcasts to all three
    return out


def _row_blocks(height: int, width: int) -> Iterator[slice]:
    step = max(1, _BLOCK_PIXELS // max(width, 1))
    for top in range(0, height, step):
        yield slice(top, top + step)


# Modes whose first three channels python-threatexchange hashes as R, G, B, whatever they mean.
_FIRST_THREE = frozenset({"RGBA", "RGBa", "CMYK", "YCbCr", "LAB", "HSV"})


def threatexchange_frame(frame: Image.Image) -> Image.Image | None:
    """The frame as python-threatexchange 1.2's ``pdq_hasher`` reads it, as an L or RGB image, where
    that differs from :func:`frame_to_rgb`'s rule; None where it is the same picture or where
    threatexchange cannot hash the frame at all.

    Its rule (``_convert_image_to_correct_array_dimension``, then ``pdqhash.compute`` on the first
    three channels of an 8-bit array): LA and I;16 go through Pillow's ``convert("RGB")``, which
    drops the alpha and clips 16-bit values at 255; RGBA, CMYK and the like keep their first three
    channels as they are (alpha dropped, CMYK read as RGB); a palette image is hashed by its
    palette indices as grey; a colour key is ignored. It refuses I;16B, I;16L, I, F and PA (numpy
    arrays pdqhash does not take), and 1-bit pixels give it the bits of the displayed picture
    (PDQ does not change when luma is scaled), so those have no second reading here.
    """
    mode = frame.mode
    if mode in ("LA", "I;16"):
        # Pillow makes the same grey of both as for "RGB", once rather than three times
        read = frame.convert("L")
    elif mode == "RGBA":
        read = frame.convert("RGB")  # the alpha dropped, in one pass
    elif mode in _FIRST_THREE:
        read = Image.merge("RGB", frame.split()[:3])
    elif mode == "P":
        read = Image.fromarray(np.asarray(frame))  # the indices, not the colours
    elif mode in ("L", "RGB") and "transparency" in frame.info:
        read = frame.copy()
    else:
        return None
    read.info.pop("transparency", None)  # a key Pillow carried over is no alpha to threatexchange
    return read
