"""Matching faces against the enrolled templates, in memory.

:func:`compare` is the reference (one face, one template: the smallest distance over the mean
and each enrolment photo); :class:`LikenessIndex` is the fast path over every template at once,
and a test proves it returns exactly what the reference does. The index takes faces and never
decides when to look: the analysis pipeline calls :meth:`LikenessIndex.match` only on sexual or
revealing images, because Bouclier is not a general face search.

The index is a snapshot: load it again after enrolments are created or withdrawn (a withdrawn
person must stop matching, so reload right after a withdrawal).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from bouclier.detectors.faces import DEFAULT_THRESHOLD, DESCRIPTOR_SIZE, Face, distance
from bouclier.likeness.enrolments import Enrolments
from bouclier.likeness.template import Template


@dataclass(frozen=True, slots=True)
class LikenessMatch:
    """An enrolled person whose template is within the threshold of a face of the image.

    ``face`` is the index, in the faces given, of the closest face to that person."""

    reference: str
    name: str | None
    distance: float
    face: int = 0


def compare(descriptor: np.ndarray, template: Template) -> float:
    """The reference distance of one face to one template."""
    return min(distance(descriptor, vector) for vector in template.vectors)


class LikenessIndex:
    def __init__(self, templates: Sequence[tuple[str, str | None, Template]]) -> None:
        self._people = [(reference, name) for reference, name, _ in templates]
        vectors = [template.vectors for _, _, template in templates]
        self._vectors = (
            np.vstack(vectors).astype(np.float64)
            if vectors
            else np.zeros((0, DESCRIPTOR_SIZE), dtype=np.float64)
        )
        # Each person's vectors are contiguous rows starting at these offsets.
        self._starts = np.cumsum([0] + [len(v) for v in vectors[:-1]]).astype(np.intp)

    @classmethod
    def load(cls, enrolments: Enrolments) -> LikenessIndex:
        """Decrypts every template into memory (ConfigError if the key does not open them)."""
        return cls(
            [(enrolment.reference, enrolment.name, t) for enrolment, t in enrolments.templates()]
        )

    def __len__(self) -> int:
        return len(self._people)

    def match(
        self, faces: Sequence[Face], threshold: float = DEFAULT_THRESHOLD
    ) -> list[LikenessMatch]:
        """The enrolled people within ``threshold`` (inclusive) of some face, closest first; one
        match per person, with the face closest to them."""
        if not faces or not self._people:
            return []
        queries = np.stack([np.asarray(f.descriptor, dtype=np.float64) for f in faces])
        # (faces, vectors) Euclidean distances, then the minimum per person.
        diff = queries[:, None, :] - self._vectors[None, :, :]
        distances = np.sqrt(np.einsum("fvd,fvd->fv", diff, diff))
        best = np.minimum.reduceat(distances, self._starts, axis=1)
        matches = []
        for person, (reference, name) in enumerate(self._people):
            face = int(np.argmin(best[:, person]))
            value = float(best[face, person])
            if value <= threshold:
                matches.append(LikenessMatch(reference, name, value, face))
        matches.sort(key=lambda m: (m.distance, m.reference))
        return matches
