"""Format sniffing from magic bytes, and the words used for what is refused."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from PIL import Image

from bouclier.errors import MediaError
from bouclier.media import decode, decode_file, sniff_format
from bouclier.media.formats import FORMATS, describe_unsupported

from .samples import WRITERS, encode, gradient


def _ftyp(major: bytes, *compatible: bytes) -> bytes:
    body = major + b"\x00\x00\x00\x00" + b"".join(compatible)
    return (8 + len(body)).to_bytes(4, "big") + b"ftyp" + body + b"\x00" * 32


def _pdf() -> bytes:
    buffer = io.BytesIO()
    Image.fromarray(gradient()).save(buffer, "PDF")
    return buffer.getvalue()


def _zip() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("picture.png", encode(Image.fromarray(gradient()), "png"))
    return buffer.getvalue()


def _ico() -> bytes:
    buffer = io.BytesIO()
    Image.fromarray(gradient(16, 16)).save(buffer, "ICO")
    return buffer.getvalue()


@pytest.mark.parametrize("fmt", sorted(WRITERS))
def test_sniffs_every_generated_format(fmt: str) -> None:
    assert sniff_format(encode(Image.fromarray(gradient()), fmt)) == fmt


@pytest.mark.parametrize(
    ("head", "expected"),
    [
        (b"\xff\xd8\xff\xe0" + b"\x00" * 16, "jpeg"),
        (b"\x89PNG\r\n\x1a\n" + b"\x00" * 16, "png"),
        (b"GIF87a" + b"\x00" * 16, "gif"),
        (b"GIF89a" + b"\x00" * 16, "gif"),
        (b"RIFF\x10\x00\x00\x00WEBPVP8 " + b"\x00" * 16, "webp"),
        (b"II*\x00\x08\x00\x00\x00" + b"\x00" * 16, "tiff"),
        (b"MM\x00*\x00\x00\x00\x08" + b"\x00" * 16, "tiff"),
        (b"II+\x00\x08\x00\x00\x00" + b"\x00" * 16, "tiff"),  # BigTIFF
        (b"BM" + b"\x00" * 12 + b"\x28\x00\x00\x00" + b"\x00" * 16, "bmp"),
        (b"BM is how this text starts, not a bitmap header", None),
        (_ftyp(b"heic", b"mif1", b"heic"), "heic"),
        (_ftyp(b"heix", b"mif1"), "heic"),
        (_ftyp(b"hevc", b"msf1"), "heic"),
        (_ftyp(b"mif1", b"mif1", b"heic"), "heic"),
        (_ftyp(b"mif1", b"mif1", b"avif", b"miaf"), "avif"),
        (_ftyp(b"avif", b"mif1", b"miaf"), "avif"),
        (_ftyp(b"avis", b"msf1"), "avif"),
        (_ftyp(b"isom", b"isom", b"mp41"), None),
        (_ftyp(b"qt  "), None),
        (b"", None),
        (b"\xff\xd8", None),
    ],
)
def test_sniff_table(head: bytes, expected: str | None) -> None:
    assert sniff_format(head) == expected


@pytest.mark.parametrize(
    ("data", "says"),
    [
        (b'<svg xmlns="http://www.w3.org/2000/svg"><rect/></svg>', "SVG vector images"),
        (b'<?xml version="1.0"?>\n<!-- a drawing -->\n<svg width="10"></svg>', "SVG vector images"),
        (b"\xef\xbb\xbf<svg></svg>", "SVG vector images"),
        (_pdf(), "PDF documents"),
        (b"<!DOCTYPE html><html><body><img src=x></body></html>", "HTML page"),
        (b"<html lang=fr><head></head></html>", "HTML page"),
        (b'{"image": "not here"}', "JSON"),
        (b"une photo de vacances, promis\n", "plain text"),
        ("\ufeffhello in UTF-16".encode("utf-16"), "plain text"),
        ("une légende en UTF-8, accentuée\n".encode(), "plain text"),
        (_zip(), "ZIP archives"),
        (_ftyp(b"isom", b"isom", b"mp41"), "MP4/QuickTime video"),
        (_ftyp(b"qt  ", b"qt  "), "MP4/QuickTime video"),
        (b"\x00\x00\x00\x08wide\x00\x00\x00\x10mdat" + b"\x00" * 16, "QuickTime video"),
        (b"\x1a\x45\xdf\xa3\x9f\x42\x86\x81\x01" + b"\x00" * 16, "WebM/Matroska video"),
        (b"RIFF\x10\x00\x00\x00AVI LIST" + b"\x00" * 16, "AVI video"),
        (_ico(), "ICO/CUR icons"),
        (b"8BPS\x00\x01" + b"\x00" * 32, "Photoshop PSD"),
        (b"\x1f\x8b\x08\x00" + b"\x00" * 16, "gzip"),
        (b"\xff\x0a\xfa\x7f" + b"\x00" * 16, "JPEG XL"),
        (_ftyp(b"mif2", b"mif2"), "HEIF variant"),
        (bytes(range(256)) * 4, "unrecognised file type"),
    ],
)
def test_refused_files_are_named(data: bytes, says: str) -> None:
    assert sniff_format(data) is None
    with pytest.raises(MediaError) as caught:
        decode(data)
    assert caught.value.code == "media.unsupported_format"
    assert says in caught.value.message


def test_svg_message_says_what_to_do() -> None:
    assert describe_unsupported(b"<svg></svg>") == (
        "SVG vector images are not supported; export it as PNG or JPEG"
    )


def test_a_text_file_named_jpg_is_refused_by_content(tmp_path: Path) -> None:
    path = tmp_path / "holiday.jpg"
    path.write_text("this is not a photo\n")
    with pytest.raises(MediaError) as caught:
        decode_file(path)
    assert caught.value.code == "media.unsupported_format"
    assert "plain text" in caught.value.message


def test_the_file_name_is_never_consulted(tmp_path: Path) -> None:
    path = tmp_path / "drawing.svg"
    path.write_bytes(encode(Image.fromarray(gradient()), "png"))
    assert decode_file(path).format == "png"


def test_formats_are_the_documented_names() -> None:
    assert set(FORMATS) == set(WRITERS)


@given(st.binary(max_size=96))
def test_sniffing_and_naming_never_fail(data: bytes) -> None:
    fmt = sniff_format(data)
    assert fmt is None or fmt in FORMATS
    if fmt is None:
        assert describe_unsupported(data)
