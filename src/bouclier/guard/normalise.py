"""Prompt normalisation: the spelling tricks undone before any lexicon reads the text.

:func:`normalise` maps emoji to words (👙 → bikini), drops @mentions and URLs, strips accents
(NFKD, then the letters NFKD keeps whole: ł, ø, ß...), folds case, reads leetspeak inside words
("n4k3d" → naked), joins letters spelt one by one ("n u d e", "n.u.d.e" → nude), squeezes repeated
letters ("nuuuude" → nuude) and leaves only ``a-z``, ``0-9`` and single spaces. A joined run that
starts with a one-letter word ("a b i k i n i") is also given without it, on a second line.
Before all of it, look-alike letters of another script are folded into their word's script
(:func:`unconfuse`: "nаked" with a Cyrillic а).
:class:`Speller` then corrects the remaining typos: a word within one edit (insertion, deletion,
substitution or swap of two neighbours) of a lexicon word of five letters or more becomes it.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from functools import lru_cache

from bouclier.guard.folding import folded
from bouclier.guard.memo import remembered

#: Emoji that carry a concept, as the words the lexicons know. Variation selectors are dropped.
EMOJI: dict[str, str] = {
    "👙": "bikini",
    "🩱": "swimsuit",
    "🩲": "underwear",
    "👘": "robe",
    "🍑": "butt",
    "🍒": "boobs",
    "🍈": "boobs",
    "🥥": "boobs",
    "🍆": "penis",
    "🔞": "nsfw",
    "💦": "wet",
    "👅": "sexy",
    "🥵": "sexy",
    "😈": "sexy",
}
_EMOJI = re.compile("|".join(re.escape(e) for e in EMOJI))
_URL = folded(r"(?:https?://|www\.)\S+")
_MENTION = re.compile(r"(?<![\w@])@[\w.]+")
# Letters that NFKD does not decompose into a base letter and a mark.
_FOLD = str.maketrans({"ł": "l", "Ł": "l", "ø": "o", "Ø": "o", "đ": "d", "Đ": "d", "ı": "i"})
_FOLD_AFTER = str.maketrans({"æ": "ae", "œ": "oe", "þ": "th"})
_LEET = str.maketrans({"0": "o", "1": "i", "3": "e", "4": "a", "5": "s", "7": "t", "8": "b"})
_LEET_SYMBOLS = re.compile(r"(?<=[a-z0-9])[@$!|](?=[a-z0-9])|(?<![a-z0-9])[$](?=[a-z])")
_LEET_SYMBOL_MAP = {"@": "a", "$": "s", "!": "i", "|": "i"}
_NOT_WORD = re.compile(r"[^a-z0-9]+")
_MIXED = re.compile(r"\b(?=[a-z0-9]*[a-z])(?=[a-z0-9]*[0-9])[a-z0-9]+\b")
_REPEATS = re.compile(r"([a-z])\1{2,}")
# Letters spelt one by one, separated by spaces, dots, dashes or underscores (3 letters or more).
_SPELT = re.compile(r"(?<![a-z0-9])[a-z](?:[ ._\-*]+[a-z]){2,}(?![a-z0-9])")
_ONE_LETTER_WORDS = frozenset("aeiouyzw")


# Invisible characters that split a word without showing ("nu\u200bde"): dropped everywhere.
_INVISIBLE = re.compile("[\u00ad\u180e\u200b-\u200f\u2060-\u2064\ufeff]")
# A letter of any script (not a digit or "_"), and a run of 3+ letters spelt one by one.
_LETTER = r"[^\W\d_]"
# Arabic writes the object pronoun onto the verb: a spelt verb may end in one, written whole
# ("ع ر ي ها": strip her), and it joins the verb like a letter.
_ARABIC_SUFFIX = r"(?:[ .\-_*·•/|]+(?:ها|هم|هن|كم|ني)(?!\w))?"
_SPELT_ANY = re.compile(rf"(?<!\w){_LETTER}(?:[ .\-_*·•/|]+{_LETTER}(?!\w)){{2,}}{_ARABIC_SUFFIX}")
_GAP = re.compile(r"[ .\-_*·•/|]+")


# Look-alike letters of Latin, Cyrillic and Greek (Unicode's confusables, the ones that pass for
# each other in ordinary fonts), as pairs: the Latin letter, then its Cyrillic or Greek twin.
_LATIN_CYRILLIC = "aаAАbьBВcсCСeеEЕHНiіIІjјJЈkкKКMМoоOОpрPРsѕSЅTТxхXХyуYУhһdԁ"
_LATIN_GREEK = "AΑBΒEΕHΗIΙKΚMΜNΝOΟPΡTΤXΧYΥZΖaαoοiιkκvνxχpρuυ"
_TWINS = {
    "Latn": {
        **dict(zip(_LATIN_CYRILLIC[1::2], _LATIN_CYRILLIC[::2], strict=True)),
        **dict(zip(_LATIN_GREEK[1::2], _LATIN_GREEK[::2], strict=True)),
    },
    "Cyrl": dict(zip(_LATIN_CYRILLIC[::2], _LATIN_CYRILLIC[1::2], strict=True)),
    "Grek": dict(zip(_LATIN_GREEK[::2], _LATIN_GREEK[1::2], strict=True)),
}
_LOOKALIKES = frozenset(_LATIN_CYRILLIC + _LATIN_GREEK)
# A word with a Latin letter and a Cyrillic or Greek one (either order): the only words folded.
_MIXED_SCRIPT = re.compile(
    r"\w*(?:[A-Za-z]\w*[\u0370-\u03ff\u0400-\u04ff]|[\u0370-\u03ff\u0400-\u04ff]\w*[A-Za-z])\w*"
)


def _script(letter: str) -> str | None:
    if "a" <= letter.casefold() <= "z":
        return "Latn"
    if "\u0400" <= letter <= "\u04ff":
        return "Cyrl"
    if "\u0370" <= letter <= "\u03ff":
        return "Grek"
    return None


def _dominant(letters: str) -> str | None:
    """The script most of ``letters`` are written in, counting only letters that have no twin
    in another script (a "д" is Cyrillic, an "о" could be either); None when nothing tells."""
    counts: dict[str, int] = {}
    for letter in letters:
        script = _script(letter)
        if script is not None and letter not in _LOOKALIKES:
            counts[script] = counts.get(script, 0) + 1
    return max(counts, key=lambda s: (counts[s], s == "Latn")) if counts else None


@remembered
def unconfuse(text: str) -> str:
    """Look-alike letters folded into the script of the word they hide in: Latin letters inside
    a Cyrillic or Greek word ("рaздeнь" with a Latin a and e → "раздень") and Cyrillic or Greek
    ones inside a Latin word ("nаked" with a Cyrillic а → "naked"), so that neither the lexicons
    nor the sentence model read a word they do not know. Only words that mix scripts change; a
    word made of look-alikes alone takes the script of the text around it."""
    if _MIXED_SCRIPT.search(text) is None:
        return text  # the usual case, one regular-expression scan

    def fold(match: re.Match[str]) -> str:
        word = match.group(0)
        script = _dominant(word) or _dominant(text)
        if script is None:
            return word
        twins = _TWINS[script]
        return "".join(twins.get(c, c) if _script(c) != script else c for c in word)

    return _MIXED_SCRIPT.sub(fold, text)


def unspell(text: str, variants: list[str] | None = None) -> str:
    """Zero-width characters dropped, and letters spelt one by one joined, in every script
    ("u n d r e s s", "н-а-г-а-я", "ع ا ر ي ة", "脱 光 她"; an Arabic pronoun written whole at the
    end joins too: "ع ر ي ها"): within a run of 3+ single letters the
    most frequent separator joins letters and any other separator ("   ", " - ") parts words
    ("f a i s - l a   n u e" → "fais la nue"). A joined Latin word that may start with a
    one-letter word ("a b i k i n i") is also added to ``variants`` without it ("a bikini")."""
    text = _INVISIBLE.sub("", text)

    def join(match: re.Match[str]) -> str:
        run = match.group(0)
        letters, gaps = _GAP.split(run), _GAP.findall(run)
        joiner = max(set(gaps), key=lambda gap: (gaps.count(gap), -len(gap)))
        words = [letters[0]]
        for gap, letter in zip(gaps, letters[1:], strict=True):
            if gap == joiner:
                words[-1] += letter
            else:
                words.append(letter)
        for word in words:
            folded = word.casefold()
            if variants is not None and folded[0] in _ONE_LETTER_WORDS and len(folded) >= 4:
                variants.append(f"{folded[0]} {folded[1:]}")
        return " ".join(words)

    return _SPELT_ANY.sub(join, text)


@remembered
def unleet(text: str) -> str:
    """Leetspeak read inside lower-case Latin words that mix letters and digits ("n4k3d")."""
    return _MIXED.sub(lambda m: m.group(0).translate(_LEET), text)


def fold(text: str) -> str:
    """Accents stripped (NFKD, then the letters NFKD keeps whole: ł, ø, ß...), case folded."""
    text = unicodedata.normalize("NFKD", text.translate(_FOLD))
    text = "".join(c for c in text if not unicodedata.combining(c)).casefold()
    return text.translate(_FOLD_AFTER)


@remembered
def normalise(text: str) -> str:
    """The text as the lexicons read it; see the module docstring."""
    variants: list[str] = []
    text = unspell(unconfuse(text), variants)
    text = _EMOJI.sub(lambda m: f" {EMOJI[m.group(0)]} ", text.replace("\ufe0f", ""))
    text = _URL.sub(" ", text)
    text = _MENTION.sub(" ", text)
    text = fold(text)
    text = _LEET_SYMBOLS.sub(lambda m: _LEET_SYMBOL_MAP[m.group(0)], text)

    def join(match: re.Match[str]) -> str:
        letters = re.sub(r"[^a-z]", "", match.group(0))
        if letters[0] in _ONE_LETTER_WORDS and len(letters) >= 4:
            variants.append(f"{letters[0]} {letters[1:]}")
        return f" {letters} "

    text = _SPELT.sub(join, text)
    text = _NOT_WORD.sub(" ", text)
    text = unleet(text)
    text = _REPEATS.sub(r"\1\1", text)
    lines = [" ".join(text.split()), *variants]
    return "\n".join(line for line in lines if line)


def osa_distance(a: str, b: str, limit: int = 2) -> int:
    """Optimal string alignment distance (edits and swaps of neighbours), at most ``limit``."""
    if abs(len(a) - len(b)) >= limit:
        return limit
    previous2: list[int] = []
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i] + [0] * len(b)
        for j, cb in enumerate(b, 1):
            cost = 0 if ca == cb else 1
            value = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            if i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                value = min(value, previous2[j - 2] + 1)
            current[j] = value
        if min(current) >= limit:
            return limit
        previous2, previous = previous, current
    return min(previous[-1], limit)


def _deletions(word: str) -> Iterable[str]:
    yield word
    for i in range(len(word)):
        yield word[:i] + word[i + 1 :]


class Speller:
    """Corrects words one edit away from a lexicon word (or stem) of ``min_length`` letters or more.

    A letter missing or added must make the whole word; a letter changed or two
    letters swapped may be followed by an ending ("desmudala" → desnudala). A word that starts
    with a lexicon word, or is one of the ``keep`` words (real words of the
    languages that happen to be one edit from a lexicon word: "strong" and "string"), is left
    alone. Candidates come from a symmetric-deletion index (every word and its one-letter
    deletions), so a lookup costs a few dictionary probes per prefix length, not a scan.
    """

    def __init__(
        self, vocabulary: Iterable[str], keep: Iterable[str] = (), *, min_length: int = 5
    ) -> None:
        self.vocabulary = frozenset(w for w in vocabulary if len(w) >= min_length)
        self.keep = frozenset(keep)
        self.min_length = min_length
        self.lengths = tuple(sorted({len(w) for w in self.vocabulary}))
        self._index: dict[str, set[str]] = {}
        for word in self.vocabulary:
            for key in _deletions(word):
                self._index.setdefault(key, set()).add(word)
        self.correct_word = lru_cache(maxsize=65536)(self._correct_word)

    def correct(self, text: str) -> str:
        return "\n".join(
            " ".join(self.correct_word(word) for word in line.split(" "))
            for line in text.split("\n")
        )

    def _correct_word(self, word: str) -> str:
        if len(word) < self.min_length or word in self.keep or not word.isalpha():
            return word
        if word[-1] == "s" and word[:-1] in self.keep:  # a real word's plural: "mangas"
            return word
        if any(word[:n] in self.vocabulary for n in self.lengths if n <= len(word)):
            return word
        best: tuple[int, str] | None = None
        for n in self.lengths:
            for take in (n, n - 1, n + 1):
                # A letter missing or added: the whole word, so that "werkt" does not become
                # "twerk" + "t"; a letter changed or two swapped: a stem and its ending.
                if take > len(word) or take < self.min_length - 1:
                    continue
                if take != n and take != len(word):
                    continue
                head = word[:take]
                for key in _deletions(head):
                    for candidate in self._index.get(key, ()):
                        if len(candidate) != n or osa_distance(head, candidate) > 1:
                            continue
                        found = candidate + word[take:]  # the rest of the word: its ending
                        # The longest lexicon word; between two as long ("nakkt": "naakt" or
                        # "nackt"), the first in alphabetical order, whatever order the index's
                        # sets give them in (it changes with each process's hash seed).
                        if best is None or n > best[0] or (n == best[0] and found < best[1]):
                            best = (n, found)
        return best[1] if best else word
