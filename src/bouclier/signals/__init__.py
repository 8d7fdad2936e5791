"""Signal types: the kinds of fingerprint that banks hold and the matcher searches.

A signal type (:class:`SignalType`) is one module; :data:`SIGNAL_TYPES` lists them. PDQ (look-
alikes, the default everywhere a type is not named), SHA-256 and MD5 (exact copies) are the three
registered today.
"""

from bouclier.signals.base import Fingerprint, MediaInput, SignalIndex, SignalType
from bouclier.signals.registry import DEFAULT, SIGNAL_TYPES, SignalTypes, signal_types

__all__ = [
    "DEFAULT",
    "SIGNAL_TYPES",
    "Fingerprint",
    "MediaInput",
    "SignalIndex",
    "SignalType",
    "SignalTypes",
    "signal_types",
]
