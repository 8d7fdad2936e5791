"""The shared web layer: words, language, security headers, CSRF (the secret-guess limiter is
tested in tests/cases/test_attempts.py)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from bouclier.web import common

LOCALES = Path(common.__file__).resolve().parent / "locales"
TEMPLATES = Path(common.__file__).resolve().parent / "templates"


def test_the_three_languages_have_exactly_the_same_keys() -> None:
    keys = {
        lang: set(json.loads((LOCALES / f"{lang}.json").read_text())) for lang in common.LANGUAGES
    }
    assert keys["fr"] == keys["en"] == keys["es"]
    for lang in common.LANGUAGES:
        for key, text in json.loads((LOCALES / f"{lang}.json").read_text()).items():
            assert text.strip(), (lang, key)
            english = common.translate("en", key)
            placeholders = set(re.findall(r"\{(\w+)\}", english))
            assert set(re.findall(r"\{(\w+)\}", text)) == placeholders, (lang, key)


def test_every_literal_key_used_in_templates_exists() -> None:
    words = set(common.locale("en"))
    for template in TEMPLATES.rglob("*.j2"):
        for key in re.findall(r"""\bt\(\s*["']([a-z_.0-9]+)["']\s*[,)]""", template.read_text()):
            assert key in words, (template.name, key)


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("es-ES,es;q=0.9,en;q=0.8", "es"),
        ("fr-FR", "fr"),
        ("de-DE,fr;q=0.5,en;q=0.4", "fr"),
        ("en;q=0.2,es;q=0.8", "es"),
        ("", "en"),
        ("de", "en"),
        ("es;q=banana,fr", "fr"),
        ("*", "en"),
    ],
)
def test_accept_language(header: str, expected: str) -> None:
    assert common.accept_language(header) == expected


def test_a_missing_word_is_an_error_not_a_key_on_the_page() -> None:
    with pytest.raises(KeyError):
        common.translate("es", "no.such.key")
