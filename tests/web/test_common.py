"""The shared web layer: words, language, security headers, CSRF, the secret-guess limiter."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from bouclier.cases import attempts
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


def test_the_limiter_blocks_a_key_after_five_failures_in_the_window() -> None:
    now = [1000.0]
    limiter = attempts.SecretLimiter(clock=lambda: now[0])
    keys = ("number:BQ-AAAA-AAAA", "address:10.0.0.1")
    for _ in range(attempts.MAX_FAILURES):
        assert limiter.retry_after(keys) is None
        limiter.failed(keys)
    wait = limiter.retry_after(keys)
    assert wait is not None
    assert 0 < wait <= attempts.FAILURE_WINDOW
    # another number from the same address is not blocked yet (the address limit is higher)
    assert limiter.retry_after(("number:BQ-BBBB-BBBB", "address:10.0.0.1")) is None
    now[0] += attempts.FAILURE_WINDOW + 1
    assert limiter.retry_after(keys) is None


def test_the_address_limit_stops_one_machine_trying_many_numbers() -> None:
    limiter = attempts.SecretLimiter()
    for n in range(attempts.MAX_FAILURES_PER_ADDRESS):
        limiter.failed((f"number:{n}", "address:10.0.0.2"))
    assert limiter.retry_after(("number:fresh", "address:10.0.0.2")) is not None
    assert limiter.retry_after(("number:fresh", "address:10.0.0.3")) is None


def test_a_right_secret_clears_the_numbers_failures() -> None:
    limiter = attempts.SecretLimiter()
    keys = ("number:X", "address:10.0.0.4")
    for _ in range(attempts.MAX_FAILURES - 1):
        limiter.failed(keys)
    limiter.succeeded(keys)
    limiter.failed(keys)
    assert limiter.retry_after(keys) is None
