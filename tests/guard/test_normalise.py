"""Normalisation and spelling correction: the tricks undone, ordinary text left alone."""

from __future__ import annotations

import pytest

from bouclier.guard.normalise import Speller, normalise, osa_distance
from bouclier.guard.request import default_guard


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Make her NAKED", "make her naked"),
        ("Déshabille-la", "deshabille la"),
        ("desnúdala", "desnudala"),
        ("Zieh ihr Unterwäsche an, groß", "zieh ihr unterwasche an gross"),
        ("rozbierz ją, załóż bieliznę", "rozbierz ja zaloz bielizne"),
        ("n u d e", "nude"),
        ("n.a.k.e.d please", "naked please"),
        ("n-u-d-e", "nude"),
        ("undr3ss her", "undress her"),
        ("m4ke her n4ked", "make her naked"),
        ("b1k1ni", "bikini"),
        ("n@ked", "naked"),
        ("$exy", "sexy"),
        ("👙 on her", "bikini on her"),
        ("🍑🍑", "butt butt"),
        ("🩱", "swimsuit"),
        ("@maria_22 desnuda", "desnuda"),
        ("see https://example.com/x.jpg now", "see now"),
        ("nuuuuude", "nuude"),
        ("remove the background!", "remove the background"),
        ("the 2 of us in 2024", "the 2 of us in 2024"),
        ("put her in a b i k i n i", "put her in abikini\na bikini"),
        ("", ""),
        ("   \t\n ", ""),
        ("ᴺᵁᴰᴱ", "nude"),
    ],
)
def test_normalise(raw: str, expected: str) -> None:
    assert normalise(raw) == expected


@pytest.mark.parametrize(
    ("a", "b", "distance"),
    [("naked", "naked", 0), ("naked", "nakde", 1), ("naked", "naket", 1), ("naked", "nked", 1)],
)
def test_osa_distance(a: str, b: str, distance: int) -> None:
    assert osa_distance(a, b) == distance
    assert osa_distance(b, a) == distance


def test_osa_distance_is_capped() -> None:
    assert osa_distance("naked", "dressed") == 2


@pytest.mark.parametrize(
    ("word", "expected"),
    [
        ("nakde", "naked"),  # neighbours swapped
        ("lingeire", "lingerie"),
        ("bikni", "bikini"),
        ("deshabile", "deshabill"),  # a stem: its ending is kept for the pattern
        ("naked", "naked"),
        ("strong", "strong"),  # a real word one edit from "string": kept
        ("nude", "nude"),  # too short to correct
        ("background", "background"),
    ],
)
def test_speller_on_the_lexicons(word: str, expected: str) -> None:
    assert default_guard().speller.correct_word(word) == expected


def test_speller_keeps_word_endings() -> None:
    speller = Speller(["desnud"])
    assert speller.correct("desmudala") == "desnudala"
    assert speller.correct("zebra") == "zebra"
