"""Generator metadata: PNG text chunks, EXIF and XMP, written as generators write them."""

from __future__ import annotations

import json
from typing import Any

import numpy as np
import pytest
from PIL import Image, PngImagePlugin

from bouclier.detectors.provenance import MetadataReader
from bouclier.detectors.provenance.labels import LABELS
from bouclier.detectors.provenance.metadata import user_comment
from tests.conftest import photo
from tests.detectors.provenance.conftest import AI_EDITED, AI_GENERATED, encode, sample_of

PIXELS = photo(31, (96, 64))

A1111 = (
    "a lighthouse on a cliff at sunset, oil painting, dramatic sky\n"
    "Negative prompt: blurry, low quality\n"
    "Steps: 28, Sampler: DPM++ 2M Karras, CFG scale: 7, Seed: 1234, Size: 512x768, "
    "Model hash: abcdef1234, Model: dreamshaper_8, Version: v1.10.1"
)
COMFY_PROMPT = {
    "3": {"class_type": "KSampler", "inputs": {"seed": 5, "steps": 20}},
    "4": {"class_type": "CheckpointLoaderSimple", "inputs": {"ckpt_name": "sd_xl_base_1.0"}},
    "6": {"class_type": "CLIPTextEncode", "inputs": {"text": "a red bicycle by a canal"}},
    "7": {"class_type": "CLIPTextEncode", "inputs": {"text": "text, watermark"}},
}
COMFY_WORKFLOW = {
    "nodes": [
        {"id": 6, "type": "CLIPTextEncode", "widgets_values": ["a red bicycle by a canal"]},
        {"id": 3, "type": "KSampler", "widgets_values": [5, "fixed", 20]},
    ],
    "links": [],
}


def png_with(**text: str) -> bytes:
    info = PngImagePlugin.PngInfo()
    for key, value in text.items():
        info.add_text(key, value)
    return encode(PIXELS, "PNG", pnginfo=info)


def jpeg_with_exif(**tags: Any) -> bytes:
    exif = Image.Exif()
    for tag, value in tags.get("ifd0", {}).items():
        exif[tag] = value
    for tag, value in tags.get("exif_ifd", {}).items():
        exif.get_ifd(0x8769)[tag] = value
    return encode(PIXELS, "JPEG", exif=exif.tobytes(), quality=90)


def xmp_packet(source_type: str, *, element: bool = False) -> bytes:
    body = (
        f"<Iptc4xmpExt:DigitalSourceType>{source_type}</Iptc4xmpExt:DigitalSourceType>"
        if element
        else f'Iptc4xmpExt:DigitalSourceType="{source_type}"'
    )
    return (
        '<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF '
        'xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
        '<rdf:Description xmlns:Iptc4xmpExt="http://iptc.org/std/Iptc4xmpExt/2008-02-29/" '
        f"{'>' + body if element else body + '>'}"
        "</rdf:Description></rdf:RDF></x:xmpmeta>"
    ).encode()


def read(data: bytes) -> list:
    return MetadataReader().read(sample_of(data))


def generators(data: bytes) -> list[dict[str, str]]:
    return [dict(s.details) for s in read(data) if s.label == "provenance.metadata.generator"]


def test_automatic1111_parameters() -> None:
    [found] = generators(png_with(parameters=A1111))
    assert found["tool"] == "AUTOMATIC1111"
    assert found["key"] == "parameters"
    assert found["prompt"] == "a lighthouse on a cliff at sunset, oil painting, dramatic sky"
    assert found["model"] == "dreamshaper_8"
    assert found["version"] == "v1.10.1"


def test_forge_version_and_long_prompt_excerpt() -> None:
    text = "word " * 400 + "\nSteps: 20, Sampler: Euler a, Version: f2.0.1v1.10.1-previous-1-g"
    [found] = generators(png_with(parameters=text))
    assert found["tool"] == "Forge"
    assert len(found["prompt"]) <= 200
    assert found["prompt"].endswith("…")


def test_a1111_parameters_in_jpeg_user_comment() -> None:
    comment = b"UNICODE\x00" + A1111.encode("utf-16-be")
    [found] = generators(jpeg_with_exif(exif_ifd={0x9286: comment}))
    assert found["tool"] == "AUTOMATIC1111"
    assert found["key"] == "exif.UserComment"
    assert found["prompt"].startswith("a lighthouse")


def test_comfyui_prompt_and_workflow() -> None:
    data = png_with(prompt=json.dumps(COMFY_PROMPT), workflow=json.dumps(COMFY_WORKFLOW))
    [found] = generators(data)
    assert found["tool"] == "ComfyUI"
    assert found["key"] == "prompt,workflow"
    assert found["prompt"] == "a red bicycle by a canal"
    assert found["model"] == "sd_xl_base_1.0"


def test_comfyui_workflow_alone() -> None:
    [found] = generators(png_with(workflow=json.dumps(COMFY_WORKFLOW)))
    assert (found["tool"], found["key"]) == ("ComfyUI", "workflow")


def test_novelai() -> None:
    data = png_with(
        Software="NovelAI",
        Source="NovelAI Diffusion V4 ABCD1234",
        Description="a castle in the clouds",
        Comment=json.dumps({"prompt": "a castle in the clouds", "steps": 28}),
    )
    [found] = generators(data)
    assert found["tool"] == "NovelAI"
    assert found["prompt"] == "a castle in the clouds"
    assert found["model"] == "NovelAI Diffusion V4 ABCD1234"


def test_invokeai() -> None:
    metadata = {"positive_prompt": "a snowy forest", "model": {"name": "juggernaut"}}
    [found] = generators(png_with(invokeai_metadata=json.dumps(metadata)))
    assert (found["tool"], found["key"]) == ("InvokeAI", "invokeai_metadata")
    assert (found["prompt"], found["model"]) == ("a snowy forest", "juggernaut")


@pytest.mark.parametrize(
    ("software", "tool"),
    [
        ("Adobe Firefly", "Adobe Firefly"),
        ("DALL-E 3", "DALL·E"),
        ("OpenAI DALL.E", "DALL·E"),
        ("Midjourney v6", "Midjourney"),
    ],
)
def test_exif_software(software: str, tool: str) -> None:
    [found] = generators(jpeg_with_exif(ifd0={0x0131: software}))
    assert (found["tool"], found["key"], found["value"]) == (tool, "exif.Software", software)


@pytest.mark.parametrize("fmt", ["PNG", "WEBP"])
def test_exif_software_in_png_and_webp(fmt: str) -> None:
    exif = Image.Exif()
    exif[0x0131] = "Adobe Firefly"
    [found] = generators(encode(PIXELS, fmt, exif=exif.tobytes()))
    assert (found["tool"], found["key"]) == ("Adobe Firefly", "exif.Software")


@pytest.mark.parametrize(
    ("key", "value", "tool"),
    [
        ("Description", "a fox --ar 2:3 --v 6 Job ID: 1234 Midjourney", "Midjourney"),
        ("Software", "Made with DALL·E", "DALL·E"),
        ("Comment", "Created with Stable Diffusion XL", "Stable Diffusion"),
    ],
)
def test_png_text_naming_a_tool(key: str, value: str, tool: str) -> None:
    [found] = generators(png_with(**{key: value}))
    assert (found["tool"], found["key"]) == (tool, key)


@pytest.mark.parametrize(
    ("xmp", "kind"),
    [
        (xmp_packet(AI_GENERATED), "generated"),
        (xmp_packet(AI_EDITED, element=True), "edited"),
        (xmp_packet(AI_GENERATED.replace("http:", "https:")), "generated"),
    ],
)
def test_xmp_digital_source_type(xmp: bytes, kind: str) -> None:
    signals = read(encode(PIXELS, "JPEG", xmp=xmp))
    [found] = [s for s in signals if s.label == "provenance.metadata.ai_source_type"]
    assert found.detail("kind") == kind
    assert found.detail("key") == "xmp.DigitalSourceType"
    assert found.score == 1.0


def test_xmp_in_png_itxt() -> None:
    info = PngImagePlugin.PngInfo()
    info.add_itxt("XML:com.adobe.xmp", xmp_packet(AI_EDITED).decode())
    signals = read(encode(PIXELS, "PNG", pnginfo=info))
    assert [s.detail("kind") for s in signals] == ["edited"]


def test_camera_source_type_is_not_reported() -> None:
    """A digitalCapture declaration is never turned into an "authentic" signal."""
    xmp = xmp_packet("http://cv.iptc.org/newscodes/digitalsourcetype/digitalCapture")
    assert read(encode(PIXELS, "JPEG", xmp=xmp)) == []


@pytest.mark.parametrize(
    "data",
    [
        pytest.param(encode(PIXELS, "JPEG", quality=90), id="jpeg"),
        pytest.param(encode(PIXELS, "PNG"), id="png"),
        pytest.param(png_with(Software="GIMP 2.10", Comment="holiday 2019"), id="png-gimp"),
        pytest.param(jpeg_with_exif(ifd0={0x0131: "Adobe Photoshop 25.0"}), id="photoshop"),
        pytest.param(png_with(parameters="just some camera parameters"), id="not-a1111"),
        pytest.param(png_with(prompt="not json at all"), id="prompt-text"),
    ],
)
def test_ordinary_files_have_no_signal(data: bytes) -> None:
    assert read(data) == []


def _hostile_exif() -> bytes:
    jpeg = encode(PIXELS, "JPEG", quality=90)
    segment = b"Exif\x00\x00MM\x00*\x00\x00\x00\x08\xff\xff" + bytes(range(256)) * 4
    app1 = b"\xff\xe1" + (len(segment) + 2).to_bytes(2, "big") + segment
    return jpeg[:2] + app1 + jpeg[2:]


def _latin1_garbage_chunk() -> bytes:
    info = PngImagePlugin.PngInfo()
    info.add_text("parameters", bytes(range(128, 256)).decode("latin-1") * 100)
    return encode(PIXELS, "PNG", pnginfo=info)


@pytest.mark.parametrize(
    "data",
    [
        pytest.param(png_with(parameters="x" * 5_000_000), id="5mb-text-chunk"),
        pytest.param(png_with(prompt="{" * 100_000), id="deep-json"),
        pytest.param(png_with(prompt="[" * 50_000 + "]" * 50_000), id="nested-json"),
        pytest.param(png_with(workflow=json.dumps({"nodes": [1, None, {"type": 3}]})), id="bad"),
        pytest.param(_latin1_garbage_chunk(), id="invalid-utf8-chunk"),
        pytest.param(encode(PIXELS, "JPEG", xmp=b"<x:xmpmeta><<<\xff\xfe&lol;"), id="bad-xmp"),
        pytest.param(encode(PIXELS, "JPEG", xmp=b"DigitalSourceType=" * 3_500), id="xmp-spam"),
        pytest.param(_hostile_exif(), id="broken-exif"),
        pytest.param(jpeg_with_exif(exif_ifd={0x9286: b"UNICODE\x00\xff"}), id="odd-comment"),
    ],
)
def test_hostile_metadata_never_raises(data: bytes) -> None:
    signals = read(data)
    assert {s.label for s in signals} <= LABELS
    assert all(s.score == 0.0 for s in signals if s.label == "provenance.error")


def test_reader_on_bytes_it_cannot_open() -> None:
    """Used alone, the reader tolerates bytes that never went through the decoder."""
    reader = MetadataReader()
    assert reader.read_bytes(b"not an image") == []
    [error] = reader.read_bytes(b"\x89PNG\r\n\x1a\n" + bytes(40))
    assert (error.label, error.detail("reader")) == ("provenance.error", "metadata")


@pytest.mark.parametrize(
    ("raw", "text"),
    [
        (b"ASCII\x00\x00\x00hello", "hello"),
        (b"UNICODE\x00" + "héllo".encode("utf-16-be"), "héllo"),
        (b"UNICODE\x00" + "héllo".encode("utf-16-le"), "héllo"),
        (b"\x00" * 8 + b"plain", "plain"),
        ("already text", "already text"),
    ],
)
def test_user_comment_encodings(raw: bytes | str, text: str) -> None:
    assert user_comment(raw) == text


def test_pixels_are_never_needed() -> None:
    """Metadata comes from the bytes; the reader ignores the decoded frames."""
    data = png_with(parameters=A1111)
    assert MetadataReader().read_bytes(data) == read(data)
    assert np.array_equal(sample_of(data).pixels, PIXELS)
