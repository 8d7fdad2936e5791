"""Bouclier."""
