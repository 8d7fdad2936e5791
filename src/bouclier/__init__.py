"""Bouclier: an open system against non-consensual intimate images."""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bouclier.analysis import Analysis

__version__ = "0.1.0"


def analyze(source: bytes | str | os.PathLike[str]) -> Analysis:
    """Analyses image bytes or a file: verdict, reasons, signals, matches (see bouclier.analysis).

    Imported lazily so that ``import bouclier`` stays cheap and loads no model.
    """
    from bouclier.analysis import analyze as analyze_with_defaults

    return analyze_with_defaults(source)
