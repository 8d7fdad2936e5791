"""Real words of the languages the guard reads, so that the speller leaves them alone.

The lexicons' speller (:class:`~bouclier.guard.normalise.Speller`) turns a word one edit away
from a lexicon word into it: "nakd" → naked. Unchecked, it also turns real words of other
languages into harms: French "dessus" (on top) became the German "Dessous" (lingerie), Spanish
"manga" (sleeve) "tanga", "nubes" (clouds) "nudes", English "wants" "pants", Portuguese
"tornozelo" (ankle) "porno" and an ending. A real word is not a typo: :func:`encoder_words` gives
the whole words of the sentence encoder's own vocabulary (USE-multilingual v3's SentencePiece
model, 128k pieces for 16 languages, already shipped and SHA-256 pinned in
:data:`~bouclier.detectors.models.USE_SENTENCEPIECE`), normalised as the lexicons read text, five
letters or more: about 40,000 frequent words the speller keeps as they are. Rare real words are
not in it ("nubes", "cuela"): they can still be corrected.
"""

from __future__ import annotations

import re
from functools import lru_cache

from bouclier.detectors.models import USE_SENTENCEPIECE, locate
from bouclier.guard.normalise import fold

_WORD_START = "\u2581"  # SentencePiece's mark of a piece that begins a word
_LATIN = re.compile("[a-z]+")
_REPEATS = re.compile(r"([a-z])\1{2,}")  # squeezed to two, as normalise does


def _varint(data: bytes, pos: int) -> tuple[int, int]:
    value, shift = 0, 0
    while True:
        byte = data[pos]
        pos += 1
        value |= (byte & 0x7F) << shift
        if not byte & 0x80:
            return value, pos
        shift += 7


def _pieces(data: bytes) -> list[str]:
    """The pieces of a SentencePiece model (its protobuf's repeated field 1, each a message whose
    field 1 is the piece); other fields are skipped by their wire type."""
    pieces: list[str] = []
    pos = 0
    while pos < len(data):
        key, pos = _varint(data, pos)
        field, wire = key >> 3, key & 7
        if wire == 0:
            _, pos = _varint(data, pos)
        elif wire == 1:
            pos += 8
        elif wire == 5:
            pos += 4
        elif wire == 2:
            length, pos = _varint(data, pos)
            if field == 1:
                pieces.append(_first_string(data[pos : pos + length]))
            pos += length
        else:
            raise ValueError(f"not a SentencePiece model: wire type {wire} at byte {pos}")
    return pieces


def _first_string(message: bytes) -> str:
    key, pos = _varint(message, 0)
    if key != (1 << 3 | 2):
        return ""
    length, pos = _varint(message, pos)
    return message[pos : pos + length].decode("utf-8", errors="replace")


@lru_cache(maxsize=1)
def encoder_words(min_length: int = 5) -> frozenset[str]:
    """The whole words of the encoder's vocabulary, as :func:`normalise` writes them."""
    data = locate(USE_SENTENCEPIECE).read_bytes()
    pieces = (p[1:] for p in _pieces(data) if p.startswith(_WORD_START) and len(p) > min_length)
    # A word the speller reads is Latin letters once folded ("dessus", "tornozelo").
    words = {_REPEATS.sub(r"\1\1", fold(p)) for p in pieces if p.isalpha()}
    return frozenset(w for w in words if len(w) >= min_length and _LATIN.fullmatch(w))
