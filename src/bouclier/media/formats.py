"""What a file is, from its first bytes only: the formats Bouclier decodes, and names for the rest.

The name a file came with is never consulted: an upload called ``photo.jpg`` may be a web page, a
PDF or a video, and the decoder must only ever see bytes whose magic number it was built for.
:func:`sniff_format` names one of :data:`FORMATS` or returns ``None``; :func:`describe_unsupported`
then says, in words a person can act on, what the refused file looks like.
"""

from __future__ import annotations

import struct

#: The formats Bouclier decodes, by the name :class:`~bouclier.media.DecodedImage` reports.
FORMATS: tuple[str, ...] = ("jpeg", "png", "webp", "gif", "tiff", "bmp", "heic", "avif")

#: The Pillow plugin each format is opened with; no other plugin is ever tried on the bytes.
PILLOW_FORMATS: dict[str, str] = {
    "jpeg": "JPEG",
    "png": "PNG",
    "webp": "WEBP",
    "gif": "GIF",
    "tiff": "TIFF",
    "bmp": "BMP",
    "heic": "HEIF",  # pillow_heif's plugin, registered on first use
    "avif": "AVIF",
}

_TIFF_MAGIC = (
    b"II*\x00",
    b"MM\x00*",
    b"II+\x00",  # BigTIFF
    b"MM\x00+",
    b"II\x00*",  # byte order and magic swapped: wrong, but written by some tools and read by Pillow
    b"MM*\x00",
)
# BITMAPINFOHEADER sizes Pillow's BMP reader knows (OS/2 v1 and v2, Windows v3, v4 and v5). Checking
# the header size as well as "BM" keeps a text file that happens to start with "BM" out.
_BMP_HEADER_SIZES = frozenset({12, 40, 52, 56, 64, 108, 124})

# HEIF brands pillow_heif opens (it reads the major brand only), and AVIF brands Pillow opens.
_HEIC_BRANDS = frozenset({b"heic", b"heix", b"heim", b"heis", b"hevc", b"hevx", b"hevm", b"hevs"})
_AVIF_BRANDS = frozenset({b"avif", b"avis"})
# Generic still/sequence HEIF brands: the compatible brands say which codec is inside.
_HEIF_GENERIC_BRANDS = frozenset({b"mif1", b"msf1"})
# Brands of still images in an ISO media box that Bouclier cannot decode (other HEIF codecs...).
_OTHER_IMAGE_BRANDS = frozenset({b"mif2", b"miaf", b"jpeg", b"jpgs", b"avci", b"vvic", b"j2ki"})

_SUPPORTED_LIST = "JPEG, PNG, WebP, GIF, TIFF, BMP, HEIC or AVIF"


def sniff_format(data: bytes) -> str | None:
    """The format of an image from its magic bytes, or ``None`` when Bouclier does not decode it.

    Only the first bytes are read; a ``str`` here is a promise that the matching decoder accepts the
    file's signature, not that the rest of the file is sound.
    """
    head = bytes(data[:64])
    if head.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if head.startswith((b"GIF87a", b"GIF89a")):
        return "gif"
    if head.startswith(b"RIFF") and head[8:12] == b"WEBP":
        return "webp"
    if head.startswith(_TIFF_MAGIC):
        return "tiff"
    if (
        head.startswith(b"BM")
        and len(head) >= 18
        and struct.unpack_from("<I", head, 14)[0] in _BMP_HEADER_SIZES
    ):
        return "bmp"
    brands = _ftyp_brands(data)
    if brands is not None:
        return _heif_format(*brands)
    return None


def describe_unsupported(data: bytes) -> str:
    """A message for a file :func:`sniff_format` refused, naming what it looks like if it can."""
    head = bytes(data[:4096])
    brands = _ftyp_brands(data)
    if brands is not None:
        major, _ = brands
        shown = major.decode("ascii", "replace").strip()
        if major in _OTHER_IMAGE_BRANDS:
            return f"this HEIF variant (brand {shown!r}) is not supported; export it as PNG or JPEG"
        return (
            f"MP4/QuickTime video (brand {shown!r}) is not supported; "
            "take a still frame as PNG or JPEG"
        )
    if head[4:8] in (b"moov", b"mdat", b"wide", b"free", b"skip", b"pnot"):
        return "QuickTime video is not supported; take a still frame as PNG or JPEG"
    if head.startswith(b"\x1a\x45\xdf\xa3"):
        return "WebM/Matroska video is not supported; take a still frame as PNG or JPEG"
    if head.startswith(b"RIFF") and head[8:12] == b"AVI ":
        return "AVI video is not supported; take a still frame as PNG or JPEG"
    if b"%PDF-" in head[:1024]:
        return "PDF documents are not supported; export the page as PNG or JPEG"
    if head.startswith((b"PK\x03\x04", b"PK\x05\x06", b"PK\x07\x08")):
        return "ZIP archives are not supported; extract the image and send it on its own"
    if head.startswith(b"\x1f\x8b"):
        return "gzip-compressed files are not supported; decompress it first"
    if head.startswith((b"\x00\x00\x01\x00", b"\x00\x00\x02\x00")):
        return "ICO/CUR icons are not supported; export it as PNG"
    if head.startswith(b"8BPS"):
        return "Photoshop PSD files are not supported; export it as PNG or JPEG"
    if head.startswith((b"\xff\x0a", b"\x00\x00\x00\x0cJXL \r\n\x87\n")):
        return "JPEG XL images are not supported; export it as PNG or JPEG"
    if head.startswith(b"\x00\x00\x00\x0cjP  \r\n\x87\n") or head.startswith(b"\xff\x4f\xff\x51"):
        return "JPEG 2000 images are not supported; export it as PNG or JPEG"
    text = _as_text(head)
    if text is not None:
        return _describe_text(text)
    return f"unrecognised file type; Bouclier reads {_SUPPORTED_LIST} images"


def _ftyp_brands(data: bytes) -> tuple[bytes, frozenset[bytes]] | None:
    """Major and compatible brands of an ISO media file (HEIF, AVIF, MP4...), if it starts so."""
    if len(data) < 16 or data[4:8] != b"ftyp":
        return None
    size = struct.unpack_from(">I", data, 0)[0]
    # A sane ftyp box holds a handful of brands; a bigger claim is read only as far as 4 KiB.
    end = min(len(data), max(16, size), 4096)
    compatible = frozenset(bytes(data[i : i + 4]) for i in range(16, end - 3, 4))
    return bytes(data[8:12]), compatible


def _heif_format(major: bytes, compatible: frozenset[bytes]) -> str | None:
    # The plugins choose by the major brand alone, so that is what decides; for the generic
    # mif1/msf1 brands, the compatible brands say whether AV1 (AVIF) or HEVC (HEIC) is inside.
    if major in _AVIF_BRANDS:
        return "avif"
    if major in _HEIC_BRANDS:
        return "heic"
    if major in _HEIF_GENERIC_BRANDS:
        return "avif" if compatible & _AVIF_BRANDS else "heic"
    return None


def _as_text(head: bytes) -> str | None:
    """The start of the file as text, if it reads as UTF-8 or BOM-marked UTF-16 without controls."""
    text: str | None
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            text = head[: len(head) & ~1].decode("utf-16")
        except UnicodeDecodeError:
            return None
    else:
        text = _utf8_prefix(head)
    if text is None:
        return None
    text = text.removeprefix("\ufeff")
    if any(ch < " " and ch not in "\t\n\r\f\v" for ch in text):
        return None
    return text


def _utf8_prefix(head: bytes) -> str | None:
    # The head may cut a multi-byte character in two: allow up to 3 bytes cut off at the end.
    for cut in range(4):
        try:
            return head[: len(head) - cut].decode("utf-8")
        except UnicodeDecodeError:
            continue
    return None


def _describe_text(text: str) -> str:
    start = text.lstrip().lower()
    if start.startswith(("<!doctype html", "<html")):
        return "this is an HTML page, not an image; save the image itself and send that"
    if "<svg" in start and start.startswith(("<?xml", "<svg", "<!doctype svg", "<!--")):
        return "SVG vector images are not supported; export it as PNG or JPEG"
    if start.startswith("<") and any(tag in start for tag in ("<html", "<head", "<body")):
        return "this is an HTML page, not an image; save the image itself and send that"
    if start.startswith("<?xml"):
        return "this is an XML document, not an image"
    if start.startswith(("{", "[")):
        return "this is JSON text, not an image"
    return "this is plain text, not an image"
