"""C2PA Content Credentials: who signed the manifest, which tool made the image, and whether it
declares an AI source.

A manifest store is read with c2pa-python (pinned at 0.38: its API changed a lot between
releases) only when the bytes may hold one: every embedding (JPEG APP11 segments, PNG ``caBX``,
WebP ``C2PA``, ISO BMFF ``uuid`` boxes, GIF and TIFF) carries a JUMBF superbox (``jumb``) labelled
``c2pa``, so a file with neither string costs one substring search. Remote manifests and OCSP are
never fetched: reading a hostile upload must not make Bouclier call a URL of the uploader's choice.

The validation state is reported as c2pa-rs computes it, in four words: ``trusted`` (signer in the
configured trust list), ``untrusted_signer`` (well formed and intact, signer not in the trust list:
the usual case without a trust list), ``valid`` (intact, trust not assessed) and ``invalid`` (the
image or manifest was altered after signing, or the signature is broken). None of them means the
image is authentic: a valid manifest only says which tool signed which claim about the image.
"""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from typing import Any

from bouclier.detectors.base import Sample, Signal
from bouclier.detectors.provenance.labels import (
    AI_EDITED_TERM,
    AI_GENERATED_TERM,
    C2PA_AI_EDITED,
    C2PA_AI_GENERATED,
    C2PA_MANIFEST,
    IPTC_SOURCE_TYPES,
    error_signal,
    excerpt,
    signal,
    source_type_term,
)
from bouclier.errors import ModelUnavailable

# The MIME type c2pa-rs is told for each format Bouclier decodes; it checks it against the bytes.
_MIME_TYPES = {
    "jpeg": "image/jpeg",
    "png": "image/png",
    "webp": "image/webp",
    "gif": "image/gif",
    "tiff": "image/tiff",
    "heic": "image/heic",
    "avif": "image/avif",
}
_SETTINGS: dict[str, Any] = {"verify": {"remote_manifest_fetch": False, "ocsp_fetch": False}}
_UNTRUSTED = "signingCredential.untrusted"
# Manifests and assertions are walked to this depth and this many nodes at most: a manifest store
# is attacker-made JSON.
_MAX_DEPTH = 12
_MAX_NODES = 20_000
_SOURCE_TYPE_KEYS = frozenset({"digitalSourceType", "Iptc4xmpExt:DigitalSourceType"})


def may_hold_manifest(data: bytes) -> bool:
    """Whether the bytes may embed a C2PA manifest store (cheap: two substring searches)."""
    return b"jumb" in data or b"c2pa" in data


class C2paReader:
    """Reads a C2PA manifest store embedded in the image.

    ``trust_anchors`` is a PEM bundle of root certificates whose signers count as ``trusted``;
    without it every signer is ``untrusted_signer``, which says nothing against the manifest.
    """

    name = "c2pa"

    def __init__(self, *, trust_anchors: str | None = None) -> None:
        self._trust_anchors = trust_anchors
        self._context: Any = None
        self._c2pa: Any = None

    def load(self) -> None:
        if self._context is not None:
            return
        try:
            import c2pa  # loads a native library; only needed with a manifest
        except ImportError as error:
            raise ModelUnavailable(
                f"the C2PA reader needs c2pa-python: pip install c2pa-python ({error})"
            ) from error
        settings = dict(_SETTINGS)
        if self._trust_anchors is not None:
            settings["trust"] = {"trust_anchors": self._trust_anchors}
        self._context = c2pa.Context(settings=c2pa.Settings.from_dict(settings))
        self._c2pa = c2pa

    def read(self, sample: Sample) -> list[Signal]:
        return self.read_bytes(sample.data, sample.image.format)

    def read_bytes(self, data: bytes, image_format: str | None = None) -> list[Signal]:
        """Signals for the manifest store in ``data``; ``[]`` when there is none."""
        if not may_hold_manifest(data):
            return []
        self.load()
        try:
            reader = self._c2pa.Reader.try_create(
                _MIME_TYPES.get(image_format or ""), io.BytesIO(data), None, self._context
            )
            if reader is None:
                return []
            with reader:
                store = json.loads(reader.json())
            return manifest_signals(store)
        except Exception as error:  # c2pa-rs and hostile JSON fail in too many ways to list
            return [error_signal(self.name, error)]


def manifest_signals(store: dict[str, Any]) -> list[Signal]:
    """The signals for a manifest store as c2pa-python's ``Reader.json()`` gives it."""
    manifests = store.get("manifests")
    active_label = store.get("active_manifest")
    if not isinstance(manifests, dict) or not manifests:
        return []
    active = manifests.get(active_label) if isinstance(active_label, str) else None
    if not isinstance(active, dict):
        active = {}
    generator = claim_generator(active)
    state = store.get("validation_state")
    codes = _failure_codes(store)
    validation = validation_word(state if isinstance(state, str) else None, codes)
    common = {"generator": generator, "validation": validation}
    source_types: list[tuple[str, str, str | None]] = []  # (term, which manifest, software agent)
    for label, manifest in manifests.items():
        if isinstance(manifest, dict):
            which = "active" if label == active_label else "ingredient"
            source_types.extend((term, which, agent) for term, agent in _source_types(manifest))
    signature = active.get("signature_info")
    signer = None
    if isinstance(signature, dict):
        signer = _text(signature.get("issuer")) or _text(signature.get("common_name"))
    signals = [
        signal(
            C2PA_MANIFEST,
            1.0,
            **common,
            validation_state=state if isinstance(state, str) else None,
            status_codes=",".join(codes) or None,
            signer=signer,
            manifests=str(len(manifests)),
            source_types=",".join(sorted({t for t, _, _ in source_types})) or None,
        )
    ]
    for term, label in ((AI_GENERATED_TERM, C2PA_AI_GENERATED), (AI_EDITED_TERM, C2PA_AI_EDITED)):
        found = sorted(
            (which != "active", which, agent) for t, which, agent in source_types if t == term
        )
        if found:
            _, which, agent = found[0]  # the active manifest's declaration first
            signals.append(
                signal(
                    label,
                    1.0,
                    **common,
                    source_type=f"http://{IPTC_SOURCE_TYPES}{term}",
                    manifest=which,
                    software_agent=agent,
                )
            )
    return signals


def claim_generator(manifest: dict[str, Any]) -> str | None:
    """The tool that made the claim, ``name version``: ``claim_generator_info`` (C2PA 2) first,
    the legacy ``claim_generator`` string otherwise."""
    info = manifest.get("claim_generator_info")
    if isinstance(info, list):
        for entry in info:
            if isinstance(entry, dict) and _text(entry.get("name")):
                version = _text(entry.get("version"))
                name = str(entry["name"])
                return excerpt(f"{name} {version}" if version else name, 120)
    legacy = _text(manifest.get("claim_generator"))
    return excerpt(legacy, 120) if legacy else None


def validation_word(state: str | None, codes: list[str]) -> str:
    """``invalid``, ``untrusted_signer``, ``trusted``, ``valid`` or ``unknown`` for c2pa-rs's
    ``validation_state`` (``Invalid``, ``Valid``, ``Trusted``) and its failure codes."""
    if state == "Invalid":
        return "invalid"
    if _UNTRUSTED in codes:
        return "untrusted_signer"
    if state == "Trusted":
        return "trusted"
    if state == "Valid":
        return "valid"
    return "unknown"


def _failure_codes(store: dict[str, Any]) -> list[str]:
    """The failure codes of the store (``validation_status``) and of the active manifest."""
    entries: list[Any] = []
    status = store.get("validation_status")
    if isinstance(status, list):
        entries.extend(status)
    results = store.get("validation_results")
    if isinstance(results, dict):
        active = results.get("activeManifest")
        if isinstance(active, dict) and isinstance(active.get("failure"), list):
            entries.extend(active["failure"])
    codes: list[str] = []
    for entry in entries[:200]:
        code = _text(entry.get("code")) if isinstance(entry, dict) else None
        if code and code not in codes:
            codes.append(code)
    return codes


def _source_types(manifest: dict[str, Any]) -> Iterator[tuple[str, str | None]]:
    """The AI digital source types a manifest declares, anywhere in its assertions (actions of
    ``c2pa.actions``/``c2pa.actions.v2``, IPTC metadata assertions), with the action's software
    agent when it names one."""
    assertions = manifest.get("assertions")
    if not isinstance(assertions, list):
        return
    budget = [_MAX_NODES]
    for assertion in assertions:
        if isinstance(assertion, dict):
            yield from _walk(assertion.get("data"), 0, budget)


def _walk(node: Any, depth: int, budget: list[int]) -> Iterator[tuple[str, str | None]]:
    budget[0] -= 1
    if depth > _MAX_DEPTH or budget[0] < 0:
        return
    if isinstance(node, dict):
        for key in _SOURCE_TYPE_KEYS:
            value = node.get(key)
            term = source_type_term(value) if isinstance(value, str) else None
            if term is not None:
                yield term, _software_agent(node.get("softwareAgent"))
        for value in node.values():
            if isinstance(value, dict | list):
                yield from _walk(value, depth + 1, budget)
    elif isinstance(node, list):
        for value in node:
            if isinstance(value, dict | list):
                yield from _walk(value, depth + 1, budget)


def _software_agent(agent: Any) -> str | None:
    """An action's ``softwareAgent``: a string (C2PA 1) or ``{name, version}`` (C2PA 2)."""
    if isinstance(agent, dict):
        name, version = _text(agent.get("name")), _text(agent.get("version"))
        text = f"{name} {version}" if name and version else name
    else:
        text = _text(agent)
    return excerpt(text, 120) if text else None


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) and value.strip() else None
