"""Detectors: nudity, faces and provenance, each behind the same small protocol."""

from bouclier.detectors.base import Box, Detector, Sample, Signal
from bouclier.detectors.registry import Registry

__all__ = ["Box", "Detector", "Registry", "Sample", "Signal"]
