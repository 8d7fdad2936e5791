"""Romanised Arabic (Arabizi) and Russian (translit) written back in their own scripts.

The sentence model reads Arabic and Russian in their scripts; people also write them in Latin
letters: Arabizi, with digits for the letters Latin lacks ("5alliha 3arya": 3 = ع, 7 = ح, 5 = خ,
2 = ء), and Russian translit ("razden' ee"). :func:`readings` gives, for a prompt that shows the
marks of either, the prompt written back in Arabic or Cyrillic letters: the guard reads it as
well and keeps the higher harm (:meth:`bouclier.guard.semantic.SemanticStage.read`). Rough rules,
not a dictionary: short vowels are dropped in Arabic as its script does, so the result is a
spelling a reader (and the model) recognises, not always the standard one. Chinese pinyin and
Japanese romaji are left to the training data (a syllable does not give back its character).
"""

from __future__ import annotations

import re

from bouclier.guard.folding import Pattern, folded

# A Latin word with an Arabizi digit between or before letters ("3arya", "shala7ha", "fas5ha").
_ARABIZI = re.compile(r"(?<![\w])[a-z]*[2379568][a-z']*[a-z](?![\w])|(?<![\w])[a-z]+[2379568]\b")
_ARABIC_DIGRAPHS = (
    ("3'", "غ"), ("7'", "خ"), ("sh", "ش"), ("ch", "ش"), ("kh", "خ"), ("gh", "غ"), ("th", "ث"),
    ("dh", "ذ"), ("aa", "ا"), ("ee", "ي"), ("ii", "ي"), ("oo", "و"), ("ou", "و"), ("ei", "ي"),
)  # fmt: skip
_ARABIC = {
    "2": "ء", "3": "ع", "5": "خ", "6": "ط", "7": "ح", "8": "ق", "9": "ص",
    "b": "ب", "t": "ت", "j": "ج", "g": "ج", "d": "د", "r": "ر", "z": "ز", "s": "س", "f": "ف",
    "q": "ق", "k": "ك", "l": "ل", "m": "م", "n": "ن", "h": "ه", "w": "و", "y": "ي", "i": "ي",
    "o": "و", "u": "و", "v": "ف", "p": "ب", "x": "كس", "c": "ك",
}  # fmt: skip
# Words of Russian translit that other Latin-script languages do not use (two are needed).
_RUSSIAN_WORDS = (
    "ee eyo eyo ego eto vot foto fotku fotka sdelai sdelay sdelaj razden razdeni razdet golaya "
    "goloy golaia golenkoy golenkaya davai davay pliz plz chtoby chtob mne nado bez odezhdy "
    "odezhdi sovsem polnostyu ty menya tebya ochen ona moya moyu kollega odnoklassnitsu trusy "
    "trusikah belye belie lifchik siski sis'ki snimi pokazhi hochu khochu devushku"
)
_RUSSIAN_MARKS = frozenset(_RUSSIAN_WORDS.split())
_RUSSIAN_DIGRAPHS = (
    ("shch", "щ"), ("sch", "щ"), ("zh", "ж"), ("kh", "х"), ("ts", "ц"), ("ch", "ч"), ("sh", "ш"),
    ("yu", "ю"), ("ju", "ю"), ("ya", "я"), ("ja", "я"), ("yo", "ё"), ("jo", "ё"), ("ey", "ей"),
    ("ay", "ай"), ("oy", "ой"), ("iy", "ий"), ("uy", "уй"), ("yy", "ый"),
)  # fmt: skip
_RUSSIAN = {
    "a": "а", "b": "б", "v": "в", "g": "г", "d": "д", "e": "е", "z": "з", "i": "и", "j": "й",
    "k": "к", "l": "л", "m": "м", "n": "н", "o": "о", "p": "п", "r": "р", "s": "с", "t": "т",
    "u": "у", "f": "ф", "h": "х", "c": "ц", "y": "ы", "w": "в", "x": "кс", "'": "ь", "q": "к",
}  # fmt: skip
_WORD = re.compile(r"[a-z0-9']+")
_VOWELS = frozenset("aeiou")


def arabizi(text: str) -> str | None:
    """The prompt in Arabic letters when it has an Arabizi word, else None."""
    folded = text.casefold()
    if not _ARABIZI.search(folded):
        return None
    return _WORD.sub(lambda m: _arabic_word(m.group(0)), folded)


def _arabic_word(word: str) -> str:
    if word.isdigit():
        return word
    if word in ("el", "al", "il"):
        return "ال"
    out: list[str] = []
    i = 0
    while i < len(word):
        pair = word[i : i + 2]
        found = next((ar for la, ar in _ARABIC_DIGRAPHS if la == pair), None)
        if found is not None:
            out.append(found)
            i += 2
            continue
        letter = word[i]
        last = i == len(word) - 1
        if (letter in "ae" and i == 0) or (letter == "a" and last):
            out.append("ا")
        elif letter == "e" and last:
            out.append("ة" if len(word) > 3 else "ي")
        elif letter not in "ae'" and not (out and out[-1] == _ARABIC.get(letter)):
            out.append(_ARABIC.get(letter, ""))
        i += 1
    return "".join(out)


def russian(text: str) -> str | None:
    """The prompt in Cyrillic letters when two or more of its words are Russian translit."""
    folded = text.casefold()
    words = _WORD.findall(folded)
    if sum(word.rstrip("'") in _RUSSIAN_MARKS for word in words) < 2:
        return None
    return _WORD.sub(lambda m: _cyrillic_word(m.group(0)), folded)


def _cyrillic_word(word: str) -> str:
    out: list[str] = []
    i = 0
    while i < len(word):
        for latin, cyrillic in _RUSSIAN_DIGRAPHS:
            if word.startswith(latin, i) and not (
                latin[1] == "y" and i + 2 < len(word) and word[i + 2] in _VOWELS
            ):
                out.append(cyrillic)
                i += len(latin)
                break
        else:
            out.append(_RUSSIAN.get(word[i], word[i]))
            i += 1
    return "".join(out)


# Digits inside a word of Cyrillic or Arabic letters, or a Latin word's "1" (thirteenth round):
# leetspeak in the prompt's own script ("р4зд3нь", "3ريها", "k133d h44r u1t").
_CYRILLIC_LEET = folded(r"\b(?=\w*[а-яё])(?=\w*\d)[а-яё0-9]+\b")
_ARABIC_LEET = re.compile(r"(?<!\w)(?=\w*[\u0621-\u064a])(?=\w*\d)[\u0621-\u065f0-9]+(?!\w)")
_LATIN_ONE = folded(r"\b(?=(?:[a-z0-9]*[a-z]){2})(?=[a-z0-9]*1)[a-z0-9]+\b")
#: Digits read as Cyrillic letters: 3 as е and, in a second reading, as з (both are written).
_CYRILLIC_DIGITS = (
    str.maketrans({"0": "о", "1": "и", "3": "е", "4": "а", "6": "б", "8": "в"}),
    str.maketrans({"0": "о", "1": "и", "3": "з", "4": "а", "6": "б", "8": "в"}),
)
#: Digits read as Arabic letters (the Arabizi digits, and 1 as lam).
_ARABIC_DIGITS = str.maketrans(
    {"1": "ل", "2": "ء", "3": "ع", "5": "خ", "6": "ط", "7": "ح", "8": "غ", "9": "ق"}
)
#: A Latin word's "1" read as "l".
_LATIN_DIGITS = str.maketrans({"1": "l"})


def _translated(words: Pattern, table: dict[int, str], text: str) -> str:
    """``text`` with each match of ``words`` translated by ``table``."""
    return words.sub(lambda m: m.group(0).translate(table), text)


def unleet_script(text: str) -> list[str]:
    """The prompt with the digits inside its Cyrillic or Arabic words read as letters, and with
    a Latin word's "1" read as "l" (the encoder reads it as "i"); none when there are none."""
    found: list[str] = []
    if _CYRILLIC_LEET.search(text):
        found += [_translated(_CYRILLIC_LEET, table, text) for table in _CYRILLIC_DIGITS]
    if _ARABIC_LEET.search(text):
        found.append(_translated(_ARABIC_LEET, _ARABIC_DIGITS, text))
    if _LATIN_ONE.search(text):
        found.append(_translated(_LATIN_ONE, _LATIN_DIGITS, text))
    return list(dict.fromkeys(t for t in found if t != text))


def readings(text: str) -> list[str]:
    """The prompt written back in Arabic or Cyrillic letters, when it looks romanised, and read
    without its leetspeak digits in its own script (:func:`unleet_script`)."""
    found = [found for found in (arabizi(text), russian(text)) if found]
    return list(dict.fromkeys([*found, *unleet_script(text)]))
