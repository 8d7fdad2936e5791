"""bouclier.guard.folding: the folded copy of a text keeps every IGNORECASE match, and a Folded
pattern answers exactly as the pattern compiled with IGNORECASE."""

from __future__ import annotations

import importlib
import json
import pkgutil
import re
import sys
from pathlib import Path

import _sre  # type: ignore[import-not-found]
import pytest
from re._casefix import _EXTRA_CASES  # type: ignore[import-not-found]

import bouclier.guard
from bouclier.guard import folding
from bouclier.guard.folding import Folded, fold, folded

CORPUS = Path(__file__).resolve().parents[2] / "corpus" / "guard"


def _cased() -> str:
    """Every character that IGNORECASE relates to another one."""
    codes = set(folding._TABLE) | set(folding._TABLE.values())
    codes |= {c for members in _EXTRA_CASES.values() for c in members} | set(_EXTRA_CASES)
    return "".join(chr(c) for c in sorted(codes))


def test_fold_keeps_length_and_is_the_engines_case_rule_on_every_code_point() -> None:
    """fold maps each character to one character, the same for a character, its lower and its
    upper case; nothing above folding._CASED_BELOW changes; word, digit and space characters
    stay so (the quick patterns keep \\w, \\d and \\s)."""
    for code in range(sys.maxunicode + 1):
        if 0xD800 <= code <= 0xDFFF:
            continue  # surrogates: not in a str that can be encoded, and caseless anyway
        char = chr(code)
        same = fold(char)
        assert len(same) == 1, hex(code)
        assert fold(chr(_sre.unicode_tolower(code))) == same, hex(code)
        upper = char.upper()
        if len(upper) == 1:
            assert fold(upper) == same, hex(code)
        if code >= folding._CASED_BELOW:
            assert same == char, hex(code)
        for kind in (r"\w", r"\d", r"\s"):
            if re.fullmatch(kind, char):
                assert re.fullmatch(kind, same), (hex(code), kind)


def test_every_ignorecase_pair_folds_together() -> None:
    """Two characters that re.IGNORECASE takes for one another fold to the same character (the
    property that makes a quick pattern match wherever the exact one does)."""
    cased = _cased()
    for char in cased:
        for other in re.findall(re.escape(char), cased, re.IGNORECASE):
            assert fold(other) == fold(char), (hex(ord(char)), hex(ord(other)))


def test_folded_answers_as_the_exact_pattern() -> None:
    pattern = folded(r"\bsign\b|mannequin|k[ıi]z|[a-c]x\w*|σοφ|(?<![a-z])ai(?![a-z])|stra(?:ss|ß)e")
    exact = re.compile(pattern.pattern, re.IGNORECASE)
    assert pattern.quick is not None
    texts = [
        "DESIGN",  # the quick form (no \b) matches, the exact one does not
        "a MANNEQUİN in the window",  # dotted capital I: simple lower case i
        "KIZ",  # dotless ı and i are one class
        "Bxyz ÇX",
        "ΣΟΦ",  # final and medial sigma
        "Ai and said",
        "STRASSE and STRAẞE",
        "nothing here",
        "",
        "\u212a",  # KELVIN SIGN, folds to k
    ]
    for text in texts:
        assert repr(pattern.search(text)) == repr(exact.search(text)), text
        assert [m.span() for m in pattern.finditer(text)] == [
            m.span() for m in exact.finditer(text)
        ]
        assert pattern.findall(text) == exact.findall(text)
        assert pattern.sub("#", text) == exact.sub("#", text)
        assert pattern.subn("#", text) == exact.subn("#", text)
        assert pattern.split(text) == exact.split(text)
        assert repr(pattern.match(text)) == repr(exact.match(text))
        assert repr(pattern.fullmatch(text)) == repr(exact.fullmatch(text))
    assert pattern.search("say hi: AI", 4) is not None


@pytest.mark.parametrize(
    "source",
    [r"[^a-z]nu", r"(a)\1", r"\Wnude", r"[\u0100-\uffff]x", r"(?-i:Nude)", r"[^x]"],
)
def test_a_pattern_that_cannot_be_loosened_keeps_no_quick_form(source: str) -> None:
    """A negated class or category, a back-reference, a large range or an inline case flag: no
    quick form, every search is the exact pattern's."""
    pattern = Folded(source)
    assert pattern.quick is None
    assert repr(pattern.search("A NUDE")) == repr(re.search(source, "A NUDE", re.IGNORECASE))


def _guard_patterns() -> dict[str, Folded]:
    found: dict[str, Folded] = {}
    for module in pkgutil.iter_modules(bouclier.guard.__path__):
        loaded = importlib.import_module(f"bouclier.guard.{module.name}")
        for name, value in vars(loaded).items():
            if isinstance(value, Folded):
                found.setdefault(f"{module.name}.{name}", value)
    return found


def _variants(text: str) -> list[str]:
    return [text, text.upper(), text.title(), text.replace("i", "İ").replace("ı", "I")]


def test_the_guards_quick_patterns_match_wherever_their_exact_ones_do() -> None:
    """On a sample of the corpora's prompts and their case variants (upper case, title case,
    Turkish dotted capitals), no guard pattern's quick form misses a match of its exact one; and
    the largest alternations have a quick form (else they are as slow as before)."""
    patterns = _guard_patterns()
    assert len(patterns) > 200
    for name in ("topics.OBJECTS", "topics.TOPIC", "features.DRESS", "eleventh.GARMENT"):
        assert patterns[name].quick is not None, name
    texts: list[str] = []
    for path in sorted(CORPUS.glob("*.jsonl")):
        with path.open(encoding="utf-8") as rows:
            texts += [json.loads(line)["text"] for i, line in enumerate(rows) if i % 40 == 0]
    assert len(texts) > 500
    checked = 0
    for name, pattern in patterns.items():
        if pattern.quick is None:
            continue
        for text in texts:
            for variant in _variants(text):
                if pattern.quick.search(fold(variant)) is None:
                    assert pattern.exact.search(variant) is None, (name, variant)
                    checked += 1
    assert checked > 100_000
