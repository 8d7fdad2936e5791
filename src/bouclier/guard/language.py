"""Which language a prompt is in, and whether the guard covers it.

Coverage (:data:`COVERAGE`): ``full`` for the eight languages with a lexicon and the sentence
model (en, fr, es, de, it, pt, nl, pl), ``model`` for those the sentence model was trained on and
the classifier learnt (ru, ar, zh, ja, tr), ``none`` for any other: there the provider chooses
what happens (``BOUCLIER_GUARD_UNCOVERED``: refuse, allow or review). USE-multilingual v3 was not
trained on Ukrainian, Romanian or Swedish, so those are ``none`` (said, not guessed at).

The language comes from the script first (kana: ja; Han: zh; Hangul: ko; Thai; Arabic script;
Cyrillic, then py3langid among the Cyrillic languages), then, for Latin script, from py3langid
among 27 languages (its model, inside the wheel, pinned by SHA-256; not the close kin of a
covered language that short prompts are mistaken for: Galician, Catalan, Afrikaans). A prompt that
py3langid is unsure of (probability under :data:`SURE`) is taken as covered, in the language the
lexicons' words suggest, and so is one whose language py3langid gives under
:data:`LEXICON_OVER` when the lexicons read it ("desnúdala" is not Slovak): typos and slang
("mak her nakd") fool it, and the lexicons and the model
read them anyway.
"""

from __future__ import annotations

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
        elif 0x0600 <= point <= 0x06FF or 0x0750 <= point <= 0x077F:
            key = "arabic"
        elif 0x0400 <= point <= 0x04FF:
            key = "cyrillic"
        elif char.isalpha():
            key = "latin"
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
                    for name, langs in (("latin", LATIN), ("cyrillic", CYRILLIC)):
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
        if script in ("ja", "ko", "th"):
            return Language(script, COVERAGE.get(script, "none"), 1.0)
        if script == "han":
            return Language("zh", "model", 1.0)
        if script == "arabic":
            return Language("ar", "model", 1.0)
        if script == "cyrillic" and _RUSSIAN.intersection(text) and not _OTHER.intersection(text):
            return Language("ru", "model", 1.0)  # ы, э or ё, and no letter of another alphabet
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
