"""The HTTP service (``bouclier serve``): hashes, matches, analyses and banks under ``/v1``."""

from bouclier.api.app import create_app

__all__ = ["create_app"]
