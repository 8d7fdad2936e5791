"""The metadata an image carries about the tool that made it, read from the file's bytes.

Generators write what they did into the file: PNG text chunks (AUTOMATIC1111 and Forge's
``parameters``, ComfyUI's ``prompt`` and ``workflow`` JSON, NovelAI's ``Software``/``Comment``,
InvokeAI's ``invokeai_metadata``), EXIF ``Software`` (0x0131) and ``UserComment`` (0x9286, where
AUTOMATIC1111 puts its parameters in a JPEG or WebP), and XMP (``xmp:CreatorTool``, IPTC's
``Iptc4xmpExt:DigitalSourceType``). This module collects those fields into :class:`Fields`;
:mod:`~bouclier.detectors.provenance.generators` recognises the tools in them.

The file already passed :func:`bouclier.media.decode`, but its metadata is still hostile: it is read
with Pillow's parsers only (opening the file with the one plugin its magic bytes name, and never
decoding pixels: PNG text chunks after the image data are therefore not seen), inside the decoder's
warnings window, each part on its own so that damaged EXIF does not hide a PNG text chunk, and
every value is cut to a bounded length before anything parses it. XMP is searched with regular
expressions, never handed to an XML parser (entity expansion).
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from typing import Any

from PIL import Image

from bouclier.detectors.base import Sample, Signal
from bouclier.detectors.provenance.generators import recognise
from bouclier.detectors.provenance.labels import error_signal
from bouclier.media.decoder import PILLOW_WARNINGS_IGNORED
from bouclier.media.formats import sniff_format

#: The longest text value kept (a ComfyUI workflow is rarely over a few hundred kilobytes); the
#: rest is dropped before anything parses it.
MAX_VALUE_CHARS = 1 << 20
_MAX_FIELDS = 256
# Formats whose metadata Pillow reads without decoding pixels.
_PILLOW_PLUGINS = {"jpeg": "JPEG", "png": "PNG", "webp": "WEBP", "tiff": "TIFF", "gif": "GIF"}
_SOFTWARE = 0x0131
_IMAGE_DESCRIPTION = 0x010E
_EXIF_IFD = 0x8769
_USER_COMMENT = 0x9286
_XMP_TAG = 700  # TIFF


@dataclass(slots=True)
class Fields:
    """What a file says about its making: text chunks by key, EXIF values by name, XMP text."""

    text: dict[str, str] = field(default_factory=dict)
    exif: dict[str, str] = field(default_factory=dict)
    xmp: str | None = None
    errors: list[tuple[str, BaseException]] = field(default_factory=list)


class MetadataReader:
    """Recognises generators from PNG text chunks, EXIF and XMP."""

    name = "metadata"

    def load(self) -> None:
        """Nothing to load: Pillow is already imported by the decoder."""

    def read(self, sample: Sample) -> list[Signal]:
        return self.read_bytes(sample.data)

    def read_bytes(self, data: bytes) -> list[Signal]:
        """Signals for the metadata in ``data``; ``[]`` when it names no generator."""
        try:
            fields = read_fields(data)
            signals = recognise(fields)
        except Exception as error:  # Pillow's parsers fail in many ways on hostile metadata
            return [error_signal(self.name, error)]
        return signals + [error_signal(f"{self.name}.{part}", e) for part, e in fields.errors]


def read_fields(data: bytes) -> Fields:
    """The metadata fields of an image file (nothing for formats without any Bouclier reads)."""
    fields = Fields()
    plugin = _PILLOW_PLUGINS.get(sniff_format(data) or "")
    if plugin is None:
        return fields
    with PILLOW_WARNINGS_IGNORED, Image.open(io.BytesIO(data), formats=[plugin]) as image:
        info: dict[str | tuple[int, int], Any] = dict(image.info)
        for key, value in list(info.items())[:_MAX_FIELDS]:
            if isinstance(key, str) and isinstance(value, str) and key != "XML:com.adobe.xmp":
                fields.text[key] = _bounded(value)
        comment = info.get("comment")  # a JPEG COM segment or a GIF comment
        if isinstance(comment, bytes):
            fields.text.setdefault("comment", _bounded(comment.decode("utf-8", "replace")))
        _read_xmp(info, fields)
        try:
            _read_exif(image, fields)
        except Exception as error:  # damaged EXIF must not hide the rest
            fields.errors.append(("exif", error))
    return fields


def _read_exif(image: Image.Image, fields: Fields) -> None:
    if image.format == "PNG" and "exif" not in image.info:
        return  # Pillow would decode the whole image to look for an eXIf chunk after the pixels
    exif = image.getexif()
    software = exif.get(_SOFTWARE)
    if isinstance(software, str | bytes):
        fields.exif["Software"] = _bounded(_as_text(software))
    description = exif.get(_IMAGE_DESCRIPTION)
    if isinstance(description, str | bytes):
        fields.exif["ImageDescription"] = _bounded(_as_text(description))
    xmp = exif.get(_XMP_TAG)
    if fields.xmp is None and isinstance(xmp, str | bytes):
        fields.xmp = _bounded(_as_text(xmp))
    comment = exif.get_ifd(_EXIF_IFD).get(_USER_COMMENT)
    if isinstance(comment, str | bytes):
        fields.exif["UserComment"] = _bounded(user_comment(comment))


def _read_xmp(info: dict[str | tuple[int, int], Any], fields: Fields) -> None:
    for key in ("xmp", "XML:com.adobe.xmp"):
        value = info.get(key)
        if isinstance(value, str | bytes):
            fields.xmp = _bounded(_as_text(value))
            return


def user_comment(value: str | bytes) -> str:
    """EXIF UserComment as text: an 8-byte character code (``ASCII``, ``UNICODE``, ``JIS`` or
    undefined) then the comment. ``UNICODE`` is UTF-16 in the byte order of the EXIF block, which
    Pillow does not pass on: AUTOMATIC1111 (through piexif) writes big-endian, others
    little-endian, so the order that reads as more ASCII characters wins (comments written by
    generators are mostly ASCII; the wrong order turns ASCII into CJK ideographs)."""
    if isinstance(value, str):
        return value.strip("\x00 ")
    code, body = value[:8], value[8:]
    if code.startswith(b"UNICODE"):
        candidates = [body.decode(order, "replace") for order in ("utf-16-be", "utf-16-le")]
        text = max(candidates, key=lambda t: sum(" " <= c < "\x7f" for c in t[:4096]))
    elif code.startswith(b"ASCII") or code.startswith(b"\x00"):
        text = body.decode("utf-8", "replace")
    elif code.startswith(b"JIS"):
        text = body.decode("shift_jis", "replace")
    else:
        text = value.decode("utf-8", "replace")
    return text.strip("\x00 ")


def _as_text(value: str | bytes) -> str:
    if isinstance(value, str):
        return value
    return value[: MAX_VALUE_CHARS * 4].decode("utf-8", "replace")


def _bounded(text: str) -> str:
    return text[:MAX_VALUE_CHARS]
