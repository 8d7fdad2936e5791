"""Which generator wrote this metadata: the formats of the common image-generation tools.

Each recogniser looks at the :class:`~bouclier.detectors.provenance.metadata.Fields` of one file
and returns :class:`Finding`\\ s: the tool, the key it was found under, and, where the tool
writes one, a short excerpt of the prompt (at most 200 characters: prompts may be evidence of what
was asked for, but a signal is not the place for the whole text) and the model. Known formats:

* AUTOMATIC1111 / Forge / SD.Next: ``parameters`` text (PNG) or EXIF ``UserComment`` (JPEG, WebP):
  the prompt, ``Negative prompt: ...``, then ``Steps: 20, Sampler: ..., Model: ..., Version: ...``;
* ComfyUI: ``prompt`` (the API graph: node id -> ``{class_type, inputs}``) and ``workflow`` (the
  editor graph: ``{nodes: [...]}``) JSON;
* Fooocus: ``parameters`` JSON with ``fooocus_scheme``;
* NovelAI: ``Software: NovelAI``, ``Description`` (the prompt), ``Comment`` JSON;
* InvokeAI: ``invokeai_metadata`` / ``invokeai_graph`` JSON (3.x and later), ``sd-metadata`` and
  ``Dream`` (2.x);
* any other field (``Software``, ``Comment``, ``Description``, ``Source``, EXIF ``Software``,
  XMP ``CreatorTool``...) naming a known tool (Midjourney, DALL·E, Adobe Firefly, Imagen...);
* XMP ``Iptc4xmpExt:DigitalSourceType`` declaring ``trainedAlgorithmicMedia`` (AI-generated) or
  ``compositeWithTrainedAlgorithmicMedia`` (AI-edited).

Metadata is the weakest provenance: any tool can write it and every re-encode drops it.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from bouclier.detectors.base import Signal
from bouclier.detectors.provenance.labels import (
    AI_GENERATED_TERM,
    METADATA_AI_SOURCE_TYPE,
    METADATA_GENERATOR,
    excerpt,
    signal,
    source_type_term,
)

if TYPE_CHECKING:
    from bouclier.detectors.provenance.metadata import Fields

_MAX_JSON_CHARS = 1 << 20
_MAX_NODES = 5_000


@dataclass(frozen=True, slots=True)
class Finding:
    tool: str
    key: str
    prompt: str | None = None
    model: str | None = None
    version: str | None = None
    value: str | None = None  # the field that names the tool, when that is all there is


# Names of generators as they appear in free-text fields, matched case-insensitively as words.
# Only names that are not ordinary words: "Flux", "Runway" or "Gemini" alone would flag photos.
_KNOWN_TOOLS: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern, re.IGNORECASE), tool)
    for pattern, tool in (
        (r"\bmidjourney\b", "Midjourney"),
        (r"\bdall[\s·\-_.]?e\b", "DALL·E"),
        (r"\badobe firefly\b", "Adobe Firefly"),
        (r"\bnovelai\b", "NovelAI"),
        (r"\bstable[\s\-_]?diffusion\b|\bsdxl\b", "Stable Diffusion"),
        (r"\bcomfyui\b", "ComfyUI"),
        (r"\binvokeai\b", "InvokeAI"),
        (r"\bautomatic1111\b|\bstable-diffusion-webui\b", "AUTOMATIC1111"),
        (r"\bfooocus\b", "Fooocus"),
        (r"\bdreamstudio\b", "DreamStudio"),
        (r"\bimagen\b", "Imagen"),
        (r"\bbing image creator\b|\bimage creator from microsoft\b", "Bing Image Creator"),
        (r"\bleonardo\.ai\b", "Leonardo.Ai"),
        (r"\bideogram\b", "Ideogram"),
        (r"\bflux\.1\b", "FLUX.1"),
        (r"\bnightcafe\b", "NightCafe"),
        (r"\bcraiyon\b", "Craiyon"),
    )
)
# Text keys whose value is free text where a tool may be named (PNG tEXt/iTXt, JPEG COM).
_FREE_TEXT_KEYS = ("Software", "Comment", "comment", "Description", "Source", "Title", "Author")
_A1111_KEYS = re.compile(r"(?:^|\n)Steps: \d+, (?:Sampler|Seed|CFG scale)", re.MULTILINE)
_A1111_FIELD = re.compile(r"(?:^|, )(Model|Version|App): ([^,\n]{1,120})")
_XMP_CREATOR_TOOL = re.compile(r"CreatorTool(?:\s*=\s*[\"']|\s*>)\s*([^\"'<]{1,200})")
_XMP_SOURCE_TYPE = re.compile(
    r"DigitalSourceType(?:\s*=\s*[\"']|\s*>|[^>]{0,40}?resource\s*=\s*[\"'])\s*([^\"'<\s]{1,200})"
)
_IPTC_URI = re.compile(r"cv\.iptc\.org/newscodes/digitalsourcetype/([A-Za-z]{1,64})")


def recognise(fields: Fields) -> list[Signal]:
    """The ``provenance.metadata.*`` signals for a file's metadata fields."""
    findings: list[Finding] = []
    for recogniser in (_a1111, _comfyui, _fooocus, _novelai, _invokeai, _named_tools):
        for finding in recogniser(fields):
            if not any(f.tool == finding.tool and f.key == finding.key for f in findings):
                findings.append(finding)
    signals = [
        signal(
            METADATA_GENERATOR,
            1.0,
            tool=f.tool,
            key=f.key,
            prompt=f.prompt,
            model=f.model,
            version=f.version,
            value=f.value,
        )
        for f in _drop_repeats(findings)
    ]
    signals.extend(_source_types(fields.xmp))
    return signals


def _drop_repeats(findings: list[Finding]) -> list[Finding]:
    """A tool found by its own format and again by name (``Software: NovelAI``) is reported
    once, from the richer finding."""
    kept: list[Finding] = []
    for finding in findings:
        if finding.prompt is None and any(
            k.tool == finding.tool and k.prompt is not None for k in findings
        ):
            continue
        kept.append(finding)
    return kept


def parse_a1111(text: str, key: str) -> Finding | None:
    """AUTOMATIC1111's parameters text (also written by Forge, SD.Next, Civitai), or ``None``."""
    steps = _A1111_KEYS.search(text)
    if steps is None:
        return None
    head = text[: steps.start()]
    prompt = head.split("\nNegative prompt:", 1)[0] if "\nNegative prompt:" in head else head
    if head.startswith("Negative prompt:"):
        prompt = ""
    tail = text[steps.start() : steps.start() + 8000]
    found: dict[str, str] = {m.group(1): m.group(2) for m in _A1111_FIELD.finditer(tail)}
    version = found.get("Version", "").strip() or None
    tool = "AUTOMATIC1111"
    if version and re.match(r"f\d", version):
        tool = "Forge"
    app = found.get("App", "").strip()
    if app:
        tool = excerpt(app, 60)
    return Finding(tool, key, _prompt(prompt), _short(found.get("Model")), version)


def _a1111(fields: Fields) -> Iterator[Finding]:
    if "fooocus_scheme" in fields.text:
        return
    for key, text in (
        ("parameters", fields.text.get("parameters")),
        ("exif.UserComment", fields.exif.get("UserComment")),
    ):
        if text:
            finding = parse_a1111(text, key)
            if finding is not None:
                yield finding


def _comfyui(fields: Fields) -> Iterator[Finding]:
    prompt_graph = _json(fields.text.get("prompt"))
    workflow = _json(fields.text.get("workflow"))
    keys = []
    texts: list[str] = []
    model = None
    if isinstance(prompt_graph, dict) and any(
        isinstance(n, dict) and "class_type" in n for n in list(prompt_graph.values())[:_MAX_NODES]
    ):
        keys.append("prompt")
        for node in list(prompt_graph.values())[:_MAX_NODES]:
            if not isinstance(node, dict) or not isinstance(node.get("inputs"), dict):
                continue
            kind, inputs = str(node.get("class_type", "")), node["inputs"]
            if "TextEncode" in kind:
                texts.extend(v for k in ("text", "text_g") if isinstance(v := inputs.get(k), str))
            for name in ("ckpt_name", "unet_name"):
                if model is None and isinstance(inputs.get(name), str):
                    model = inputs[name]
    if isinstance(workflow, dict) and isinstance(workflow.get("nodes"), list):
        keys.append("workflow")
        for node in workflow["nodes"][:_MAX_NODES]:
            if isinstance(node, dict) and "TextEncode" in str(node.get("type", "")):
                values = node.get("widgets_values")
                if isinstance(values, list) and values and isinstance(values[0], str):
                    texts.append(values[0])
    if keys:
        prompt = next((t for t in texts if t.strip()), None)
        yield Finding("ComfyUI", ",".join(keys), _prompt(prompt), _short(model))


def _fooocus(fields: Fields) -> Iterator[Finding]:
    if "fooocus_scheme" not in fields.text:
        return
    data = _json(fields.text.get("parameters"))
    prompt = model = version = None
    if isinstance(data, dict):
        prompt = _str(data.get("prompt") or data.get("Prompt"))
        model = _str(data.get("base_model") or data.get("Base Model"))
        version = _str(data.get("version") or data.get("Version"))
    yield Finding("Fooocus", "parameters", _prompt(prompt), _short(model), _short(version))


def _novelai(fields: Fields) -> Iterator[Finding]:
    if fields.text.get("Software", "").strip() != "NovelAI":
        return
    comment = _json(fields.text.get("Comment"))
    prompt = fields.text.get("Description")
    if isinstance(comment, dict) and isinstance(comment.get("prompt"), str):
        prompt = prompt or comment["prompt"]
    yield Finding("NovelAI", "Software", _prompt(prompt), _short(fields.text.get("Source")))


def _invokeai(fields: Fields) -> Iterator[Finding]:
    for key in ("invokeai_metadata", "invokeai_graph", "sd-metadata", "Dream"):
        if key not in fields.text:
            continue
        data = _json(fields.text[key]) if key != "Dream" else None
        prompt = model = None
        if isinstance(data, dict):
            prompt = data.get("positive_prompt")
            image = data.get("image")
            if prompt is None and isinstance(image, dict):
                prompt = image.get("prompt")
                if isinstance(prompt, list) and prompt and isinstance(prompt[0], dict):
                    prompt = prompt[0].get("prompt")
            raw_model = data.get("model")
            model = (
                raw_model.get("name") if isinstance(raw_model, dict) else data.get("model_weights")
            )
        elif key == "Dream":
            prompt = fields.text[key].split(" -", 1)[0].strip('"')
        yield Finding("InvokeAI", key, _prompt(_str(prompt)), _short(_str(model)))
        return


def _named_tools(fields: Fields) -> Iterator[Finding]:
    """Known tool names in free-text fields."""
    sources: list[tuple[str, str]] = [
        (k, fields.text[k]) for k in _FREE_TEXT_KEYS if k in fields.text
    ]
    sources.extend((f"exif.{k}", v) for k, v in fields.exif.items())
    if fields.xmp:
        sources.extend(
            ("xmp.CreatorTool", m) for m in _XMP_CREATOR_TOOL.findall(fields.xmp[:65536])
        )
    for key, text in sources:
        head = text[:4096]
        for pattern, tool in _KNOWN_TOOLS:
            if pattern.search(head):
                yield Finding(tool, key, value=_short(head))
                break


def _source_types(xmp: str | None) -> Iterator[Signal]:
    if not xmp:
        return
    seen: set[str] = set()
    values = _XMP_SOURCE_TYPE.findall(xmp) + [
        f"http://cv.iptc.org/newscodes/digitalsourcetype/{t}" for t in _IPTC_URI.findall(xmp)
    ]
    for value in values[:64]:
        term = source_type_term(value)
        if term is not None and term not in seen:
            seen.add(term)
            yield signal(
                METADATA_AI_SOURCE_TYPE,
                1.0,
                source_type=term,
                kind="generated" if term == AI_GENERATED_TERM else "edited",
                key="xmp.DigitalSourceType",
            )


def _json(text: str | None) -> Any:
    if not text or len(text) > _MAX_JSON_CHARS or text.lstrip()[:1] not in ("{", "["):
        return None
    try:
        return json.loads(text)
    except (ValueError, RecursionError):  # not JSON, or nested to blow the stack
        return None


def _prompt(text: str | None) -> str | None:
    return excerpt(text) if text and text.strip() else None


def _short(value: Any) -> str | None:
    return excerpt(value, 120) if isinstance(value, str) and value.strip() else None


def _str(value: Any) -> str | None:
    return value if isinstance(value, str) else None
