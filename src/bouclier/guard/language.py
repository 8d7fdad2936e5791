"""Which language a prompt is in, and whether the guard covers it.

Coverage (:data:`COVERAGE`): ``full`` for the eight languages with a lexicon and the sentence
model (en, fr, es, de, it, pt, nl, pl), ``model`` for those the sentence model was trained on and
the classifier learnt (ru, ar, zh, ja, tr), ``none`` for any other: there the provider chooses
what happens (``BOUCLIER_GUARD_UNCOVERED``: refuse, allow or review). USE-multilingual v3 was not
trained on Ukrainian, Romanian or Swedish, so those are ``none`` (said, not guessed at).

The language comes from the script first (kana: ja; Han: zh; Hangul: ko; Thai; Greek; Hebrew;
Devanagari: hi; any other non-Latin alphabet: ``und``, uncovered; Arabic script: ar, unless letters
of Persian or Urdu are there; Cyrillic, then py3langid among the Cyrillic languages), then, for
Latin script, from letters that no covered language writes (å, ø, ș, ț, ă, ő, ř, ě, š, č, ž...:
Nordic, Romanian, Hungarian, Czech and their neighbours) or a few of their commonest words
("henne", "och", "mea"): py3langid among the uncovered languages; then from py3langid among 27
languages (its model, inside the wheel, pinned by SHA-256; not the close kin of a
covered language that short prompts are mistaken for: Galician, Catalan, Afrikaans). A prompt that
py3langid is unsure of (probability under :data:`SURE`) is taken as covered, in the language the
lexicons' words suggest, and so is one whose language py3langid gives under
:data:`LEXICON_OVER` when the lexicons read it ("desnúdala" is not Slovak): typos and slang
("mak her nakd") fool it, and the lexicons and the model
read them anyway.
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass
from typing import Any

from bouclier.detectors.models import LANGID_MODEL, locate

FULL = frozenset({"en", "fr", "es", "de", "it", "pt", "nl", "pl"})
MODEL_ONLY = frozenset({"ru", "ar", "zh", "ja", "tr"})
COVERAGE: dict[str, str] = {**dict.fromkeys(FULL, "full"), **dict.fromkeys(MODEL_ONLY, "model")}
SURE = 0.6
LEXICON_OVER = 0.9  # under this, the lexicons' reading of a Latin prompt beats py3langid's
#: The languages py3langid chooses among for Latin script (its 97 include many a short prompt is
#: mistaken for: Turkmen, Pidgin...).
LATIN = [
    "en",
    "fr",
    "es",
    "de",
    "it",
    "pt",
    "nl",
    "pl",
    "tr",
    "ro",
    "sv",
    "da",
    "no",
    "cs",
    "sk",
    "hu",
    "fi",
    "et",
    "lv",
    "lt",
    "hr",
    "sl",
    "sq",
    "id",
    "ms",
    "vi",
    "tl",
]
CYRILLIC = ("ru", "uk", "bg", "be", "sr", "mk", "kk")
_RUSSIAN = frozenset("ыэёЫЭЁ")
_OTHER = frozenset("іїєґўјљњћџѓќѕәғқңөұүһІЇЄҐЎЈЉЊЋЏЃЌЅ")
#: Letters of the Arabic script that Arabic does not write: Persian (پ چ ژ گ ک ی) and Urdu.
_PERSIAN = frozenset("پچژگکی")
_URDU = frozenset("ٹڈڑںےۓھ")
#: Latin letters that none of the covered languages writes (Nordic, Romanian, Hungarian, Czech,
#: Slovak, the Baltic and South Slavic languages, Icelandic): a prompt with one is not covered.
_UNCOVERED_LATIN = frozenset("åøæășțőűřůěňťďľĺŕšžčđāēīūķļņģėįųðþÅØÆĂȘȚŐŰŘŮĚŇŤĎĽĹŔŠŽČĐĀĒĪŪĶĻŅĢĖĮŲÐÞ")
#: Common words of uncovered Latin-script languages that no covered language has (Swedish,
#: Danish, Norwegian pronouns and particles; Romanian "mea", "dezbrac"): short prompts without
#: a telling letter ("gör henne naken") that py3langid alone takes for English or Italian.
_UNCOVERED_WORDS = frozenset(
    [
        "henne",
        "hennes",
        "honom",
        "hon",
        "och",
        "bort",
        "mig",
        "helt",
        "hende",
        "hun",
        "ikke",
        "mea",
        "dezbrac",
        "dezbraca",
    ]
)
_WORD = re.compile(r"\w+")


@dataclass(frozen=True, slots=True)
class Language:
    code: str  # ISO 639-1, or "und" when it cannot be told
    coverage: str  # full, model or none
    probability: float


def _script(text: str) -> str | None:
    counts: dict[str, int] = {}
    for char in text:
        point = ord(char)
        if 0x3040 <= point <= 0x30FF:
            return "ja"  # kana: Japanese, whatever Han characters surround it
        if 0x4E00 <= point <= 0x9FFF or 0x3400 <= point <= 0x4DBF:
            key = "han"
        elif 0xAC00 <= point <= 0xD7AF or 0x1100 <= point <= 0x11FF:
            key = "ko"
        elif 0x0E00 <= point <= 0x0E7F:
            key = "th"
        elif 0x0600 <= point <= 0x06FF or 0x0750 <= point <= 0x077F or 0xFB50 <= point <= 0xFEFF:
            key = "arabic"
        elif 0x0400 <= point <= 0x04FF:
            key = "cyrillic"
        elif 0x0370 <= point <= 0x03FF or 0x1F00 <= point <= 0x1FFF:
            key = "el"
        elif 0x0590 <= point <= 0x05FF:
            key = "he"
        elif 0x0900 <= point <= 0x097F:
            key = "hi"
        elif point < 0x0250 or 0x1E00 <= point <= 0x1EFF:
            if not char.isalpha():
                continue
            key = "latin"
        elif char.isalpha():
            key = "other"  # another alphabet (Georgian, Armenian, Bengali, Tamil...): uncovered
        else:
            continue
        counts[key] = counts.get(key, 0) + 1
    if not counts:
        return None
    return max(counts.items(), key=lambda kv: kv[1])[0]


class LanguageIdentifier:
    """py3langid's model, loaded on first use, with the script rules of the module docstring."""

    def __init__(self) -> None:
        self._models: dict[str, Any] = {}
        self._lock = threading.Lock()

    def load(self) -> None:
        self._model("latin")

    def _model(self, script: str) -> Any:
        model = self._models.get(script)
        if model is None:
            with self._lock:
                if not self._models:
                    from py3langid.langid import LanguageIdentifier as Identifier

                    path = locate(LANGID_MODEL)  # ModelUnavailable on a missing or changed file
                    uncovered = [code for code in LATIN if code not in COVERAGE]
                    for name, langs in (
                        ("latin", LATIN),
                        ("cyrillic", CYRILLIC),
                        ("uncovered", uncovered),
                    ):
                        found = Identifier.from_model_file(path, norm_probs=True)
                        found.set_languages(list(langs))
                        self._models[name] = found
                model = self._models[script]
        return model

    def identify(self, text: str, lexicon_langs: tuple[str, ...] = ()) -> Language:
        """The language of ``text``; ``lexicon_langs``: those the lexicons' words suggest."""
        script = _script(text)
        if script is None:
            return Language("und", "full", 0.0)
        if script in ("ja", "ko", "th", "el", "he", "hi", "other"):
            code = "und" if script == "other" else script
            return Language(code, COVERAGE.get(code, "none"), 1.0)
        if script == "han":
            return Language("zh", "model", 1.0)
        if script == "arabic":
            if _URDU.intersection(text):
                return Language("ur", "none", 1.0)
            if _PERSIAN.intersection(text):
                return Language("fa", "none", 1.0)
            return Language("ar", "model", 1.0)
        if script == "cyrillic" and _RUSSIAN.intersection(text) and not _OTHER.intersection(text):
            return Language("ru", "model", 1.0)  # ы, э or ё, and no letter of another alphabet
        words = set(_WORD.findall(text.casefold()))
        if script == "latin" and (
            _UNCOVERED_LATIN.intersection(text) or _UNCOVERED_WORDS.intersection(words)
        ):
            code, probability = self._model("uncovered").classify(text)
            return Language(str(code), "none", float(probability))
        code, probability = self._model(script).classify(text)
        code, probability = str(code), float(probability)
        coverage = COVERAGE.get(code, "none")
        if coverage == "none" and lexicon_langs and probability < LEXICON_OVER:
            return Language(lexicon_langs[0], "full", probability)
        if coverage == "none" and probability < SURE:
            if script == "cyrillic":
                return Language("ru", "model", probability)
            code = lexicon_langs[0] if lexicon_langs else "und"
            return Language(code, "full", probability)
        return Language(code, coverage, probability)


_default: LanguageIdentifier | None = None
_default_lock = threading.Lock()


def default_identifier() -> LanguageIdentifier:
    global _default  # noqa: PLW0603 - one model per process, read-only once loaded
    if _default is None:
        with _default_lock:
            if _default is None:
                _default = LanguageIdentifier()
    return _default
