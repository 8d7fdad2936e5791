"""The analysis of an image: fingerprints, bank matches, detectors, likeness, verdict.

``bouclier.analyze(bytes | path)`` is the library entry: it builds, once, an
:class:`~bouclier.analysis.pipeline.Analyzer` from the settings (banks from the database, the real
models) and returns an :class:`~bouclier.analysis.result.Analysis`.
"""

from __future__ import annotations

import os
import threading

from bouclier.analysis.pipeline import Analyzer
from bouclier.analysis.result import STAGES, Analysis
from bouclier.policy import CaseFlags
from bouclier.settings import load_settings

__all__ = ["STAGES", "Analysis", "Analyzer", "analyze"]

_default: Analyzer | None = None
_lock = threading.Lock()


def analyze(
    source: bytes | str | os.PathLike[str],
    *,
    case_flags: CaseFlags = CaseFlags(),  # noqa: B008 - frozen
) -> Analysis:
    """Analyses image bytes or a file with the configured banks, models and policy."""
    global _default  # noqa: PLW0603 - the library's lazily built default pipeline
    with _lock:
        if _default is None:
            analyzer = Analyzer.from_settings(load_settings())
            analyzer.load()
            _default = analyzer
    return _default.analyze(source, case_flags=case_flags)
