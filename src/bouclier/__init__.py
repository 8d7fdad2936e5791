"""Bouclier: an open system against non-consensual intimate images."""

__version__ = "0.1.0"
