"""Platforms' feedback on matches, and analysts' review of the false positives they report."""

from __future__ import annotations

from bouclier.feedback.store import (
    KNOWN_FALSE_POSITIVES,
    FeedbackInfo,
    FeedbackStore,
)

__all__ = ["KNOWN_FALSE_POSITIVES", "FeedbackInfo", "FeedbackStore"]
