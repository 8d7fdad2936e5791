"""The police summary's words: every language has every key, and every value a case can hold
has words (never a raw code on paper)."""

from __future__ import annotations

import pytest

from bouclier.cases.records import LANGUAGES as CASE_LANGUAGES
from bouclier.cases.summary_words import LANGUAGES, words
from bouclier.vocabulary import (
    CASE_ITEM_KINDS,
    CASE_ITEM_STATUSES,
    CASE_STATUSES,
    FEEDBACK_ACTIONS,
    NOTICE_LAWS,
    NOTICE_STATUSES,
)

VALUES = {
    "kind": CASE_ITEM_KINDS,
    "item": CASE_ITEM_STATUSES,
    "case": CASE_STATUSES,
    "action": FEEDBACK_ACTIONS,
    "law": NOTICE_LAWS,
    "notice": NOTICE_STATUSES,
    "lang": CASE_LANGUAGES,
}


def test_the_summary_speaks_every_language_of_the_portal() -> None:
    assert set(CASE_LANGUAGES) <= set(LANGUAGES)


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_value_has_words(language: str) -> None:
    table = words(language)
    for prefix, values in VALUES.items():
        for value in values:
            said = table[f"{prefix}.{value}"]
            assert said
            assert "_" not in said  # words, not a code such as in_progress


def test_the_languages_differ_and_an_unknown_one_is_english() -> None:
    assert words("es")["h.items"] == "Elementos denunciados"
    assert words("fr")["notice.removed"] == "image retirée"
    assert words("de") == words("en")
