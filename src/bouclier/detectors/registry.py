"""The detectors Bouclier runs, as an explicit list checked at construction.

A :class:`Registry` holds built detectors by name; the pipeline, the guard and the scan look up the
ones they need in it. Which detectors production builds, and how, is ``bouclier.detectors.catalog``.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from bouclier.detectors.base import Detector
from bouclier.errors import ConfigError


class Registry:
    """An ordered set of detectors by unique name; a duplicate name fails loudly."""

    def __init__(self, detectors: Iterable[Detector]) -> None:
        self._by_name: dict[str, Detector] = {}
        for detector in detectors:
            if not isinstance(detector, Detector):
                raise TypeError(f"{detector!r} does not implement the Detector protocol")
            if detector.name in self._by_name:
                raise ValueError(f"two detectors are named {detector.name!r}")
            self._by_name[detector.name] = detector

    def __iter__(self) -> Iterator[Detector]:
        return iter(self._by_name.values())

    def __len__(self) -> int:
        return len(self._by_name)

    def __getitem__(self, name: str) -> Detector:
        return self._by_name[name]

    def __contains__(self, name: object) -> bool:
        return name in self._by_name

    def require(self, name: str) -> Detector:
        """The detector ``name``, for a caller that cannot work without it; ConfigError naming
        the setting that chooses the detectors when it is not there."""
        try:
            return self._by_name[name]
        except KeyError:
            configured = ", ".join(self._by_name) or "none"
            raise ConfigError(
                f"the {name!r} detector is needed but not configured "
                f"(BOUCLIER_DETECTORS: {configured})"
            ) from None

    def load(self) -> None:
        for detector in self:
            detector.load()
