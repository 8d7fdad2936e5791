"""The detectors Bouclier runs, as an explicit list checked at construction."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from bouclier.detectors.base import Detector


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

    def load(self) -> None:
        for detector in self:
            detector.load()
