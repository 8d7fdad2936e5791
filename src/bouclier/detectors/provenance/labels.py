"""The labels provenance signals carry, and the few rules every provenance reader shares.

Provenance names the tool that made or edited an image: a C2PA manifest that declares an AI source,
an invisible watermark a generator stamps on its output, the metadata a generator writes. It never
says that an image is authentic, real or a camera original: a manifest can be stripped, metadata
can be forged and a watermark erased, so the absence of these signals proves nothing, and no label
here names the opposite of "made by a tool". Every signal's ``detector`` is ``provenance``.

A reader never lets a library's exception out: a file it cannot parse gives either no signal or one
``provenance.error`` signal (score 0: a failure to read is not evidence about the image) whose
details say which reader failed and why.
"""

from __future__ import annotations

from typing import Protocol

from bouclier.detectors.base import Sample, Signal

DETECTOR = "provenance"

C2PA_MANIFEST = "provenance.c2pa.manifest"
C2PA_AI_GENERATED = "provenance.c2pa.ai_generated"
C2PA_AI_EDITED = "provenance.c2pa.ai_edited"
WATERMARK_SDXL = "provenance.watermark.sdxl"
WATERMARK_SD1 = "provenance.watermark.sd1"
WATERMARK_SD2 = "provenance.watermark.sd2"
METADATA_GENERATOR = "provenance.metadata.generator"
METADATA_AI_SOURCE_TYPE = "provenance.metadata.ai_source_type"
ERROR = "provenance.error"

#: Every label a provenance reader may emit.
LABELS: frozenset[str] = frozenset(
    {
        C2PA_MANIFEST,
        C2PA_AI_GENERATED,
        C2PA_AI_EDITED,
        WATERMARK_SDXL,
        WATERMARK_SD1,
        WATERMARK_SD2,
        METADATA_GENERATOR,
        METADATA_AI_SOURCE_TYPE,
        ERROR,
    }
)

# IPTC's digital source types (https://cv.iptc.org/newscodes/digitalsourcetype/), used by C2PA
# actions and by XMP's Iptc4xmpExt:DigitalSourceType. Only the two that declare a trained model
# are read: the others (digitalCapture...) would be a claim of authenticity Bouclier never makes.
IPTC_SOURCE_TYPES = "cv.iptc.org/newscodes/digitalsourcetype/"
AI_GENERATED_TERM = "trainedAlgorithmicMedia"
AI_EDITED_TERM = "compositeWithTrainedAlgorithmicMedia"

#: The longest prompt excerpt a signal carries: enough to recognise a request, no more.
EXCERPT_CHARS = 200


class ProvenanceReader(Protocol):
    """One source of provenance (C2PA, watermarks, metadata); usable alone or in the detector."""

    name: str

    def load(self) -> None:
        """Imports the reader's libraries (idempotent)."""

    def read(self, sample: Sample) -> list[Signal]:
        """Signals for one image; never raises on a damaged file."""


def source_type_term(value: str) -> str | None:
    """``trainedAlgorithmicMedia`` or ``compositeWithTrainedAlgorithmicMedia`` for an IPTC digital
    source type (a full URI, http or https, or the bare term), else ``None``."""
    term = value.strip().rsplit("/", 1)[-1]
    if term in (AI_GENERATED_TERM, AI_EDITED_TERM) and (
        "/" not in value or IPTC_SOURCE_TYPES in value
    ):
        return term
    return None


def signal(label: str, score: float, **details: str | None) -> Signal:
    """A provenance signal; details whose value is ``None`` are left out."""
    return Signal(
        detector=DETECTOR,
        label=label,
        score=score,
        details=tuple((key, value) for key, value in details.items() if value is not None),
    )


def error_signal(reader: str, error: BaseException) -> Signal:
    """The ``provenance.error`` signal for a reader that failed on this file."""
    reason = f"{type(error).__name__.lstrip('_')}: {error}"
    return signal(ERROR, 0.0, reader=reader, reason=excerpt(reason, 300))


def excerpt(text: str, limit: int = EXCERPT_CHARS) -> str:
    """The first ``limit`` characters of ``text`` on one line, with an ellipsis when cut."""
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"
