"""The detectors production can build, by name: one explicit list, checked when it is made.

``BOUCLIER_DETECTORS`` (``Settings.detectors``) chooses which of them are built (by default, the
entries marked ``default``);
:meth:`Catalog.build` builds those into a :class:`~bouclier.detectors.registry.Registry`, which the
analysis pipeline, the guard, the API and ``bouclier scan`` take, each looking up there the
detectors it needs. Adding a
detector is one module (the detector, behind ``bouclier.detectors.base.Detector``) and one
:class:`Entry` line in :data:`CATALOG`: the analysis then runs it after nudity (its signals reach
the result, the report and the policy) and the contract suite (``tests/detectors/test_contract.py``)
tests it. Building a detector never loads its model: that is its ``load()``, at start or first use.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass

from bouclier.detectors.base import Detector
from bouclier.detectors.faces import FaceDetector
from bouclier.detectors.models import (
    DLIB_FACE_RECOGNITION,
    DLIB_SHAPE_5,
    NUDENET_320N,
    ModelFile,
    locate,
)
from bouclier.detectors.nudity import NudityDetector
from bouclier.detectors.provenance import ProvenanceDetector
from bouclier.detectors.registry import Registry
from bouclier.errors import ConfigError
from bouclier.settings import Settings


@dataclass(frozen=True, slots=True)
class Entry:
    """One detector production can build: its ``name`` (in BOUCLIER_DETECTORS and in its signals),
    the ``factory`` that builds it from the settings (cheap: no model is loaded), the pinned model
    files it loads (checked before a scan starts its workers) and whether it is built when
    BOUCLIER_DETECTORS is not set."""

    name: str
    factory: Callable[[Settings], Detector]
    models: tuple[ModelFile, ...] = ()
    default: bool = True


class Catalog:
    """Entries by unique name, in order; a duplicate name fails loudly."""

    def __init__(self, entries: Iterable[Entry]) -> None:
        self._entries: dict[str, Entry] = {}
        for entry in entries:
            if entry.name in self._entries:
                raise ValueError(f"two catalog entries are named {entry.name!r}")
            self._entries[entry.name] = entry

    def __iter__(self) -> Iterator[Entry]:
        return iter(self._entries.values())

    def __len__(self) -> int:
        return len(self._entries)

    def __getitem__(self, name: str) -> Entry:
        return self._entries[name]

    def chosen(self, names: Sequence[str] | None) -> list[Entry]:
        """The entries of ``names``, in that order (None: the default ones, in the catalog's
        order); ConfigError naming any unknown one."""
        if names is None:
            return [entry for entry in self if entry.default]
        unknown = [name for name in names if name not in self._entries]
        if unknown:
            raise ConfigError(
                f"BOUCLIER_DETECTORS: unknown detector {', '.join(map(repr, unknown))} "
                f"(known: {', '.join(self._entries)})"
            )
        return [self._entries[name] for name in names]

    def build(self, settings: Settings) -> Registry:
        """The detectors ``settings.detectors`` names (or the default ones), built (not loaded),
        in that order."""
        detectors = []
        for entry in self.chosen(settings.detector_names):
            detector = entry.factory(settings)
            if detector.name != entry.name:
                raise ValueError(
                    f"the catalog entry {entry.name!r} built a detector named {detector.name!r}"
                )
            detectors.append(detector)
        return Registry(detectors)

    def check(self, settings: Settings) -> None:
        """Checks, loading nothing, that the configured detectors exist (ConfigError) and that
        their model files are installed and pinned (ModelUnavailable)."""
        for entry in self.chosen(settings.detector_names):
            for model in entry.models:
                locate(model)


#: Every detector production can run, one line each; BOUCLIER_DETECTORS chooses among them.
CATALOG = Catalog(
    [
        Entry("nudity", lambda s: NudityDetector(threads=s.detector_threads), (NUDENET_320N,)),
        Entry("faces", lambda s: FaceDetector(), (DLIB_SHAPE_5, DLIB_FACE_RECOGNITION)),
        Entry("provenance", lambda s: ProvenanceDetector()),
    ]
)
