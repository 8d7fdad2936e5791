"""Trains the guard's classifiers (bouclier.guard.semantic) on the tune corpus only.

    .venv/bin/python scripts/train_guard_intent.py [--check] [--oof FILE]

Reads the training files of bouclier.guard.evaluation.TRAINING (split ``tune``; never a
corpus/guard/heldout-v<N>.jsonl), embeds them with USE-multilingual v3, and fits two heads on the
same embedding, each one hidden layer (ReLU) and a logistic output, trained with Adam,
class-balanced, L2-regularised, from a fixed seed:

* ``harm`` (64 hidden units): a prompt alone with its label; a follow-up also joined to the
  conversation before it (the text the guard reads for context), with its label; an allowed
  follow-up is harmless alone too;
* ``continues`` (16 hidden units): whether a follow-up carries on the previous request (the
  ``CONTINUE`` phrases of scripts/guard_edits.py and scripts/guard_round7.py, and the refused
  written follow-ups) or asks for
  an edit of its own (the ``DROP`` phrases, the allowed written follow-ups, every prompt that is
  not a follow-up).

and, since the eighth round (intent-8), the decision that weighs them with the lexicons:

* ``ngram``: a logistic regression on each text's hashed word pairs and character n-grams
  (bouclier.guard.features.ngrams), class-balanced, from zeros, with Adam;
* ``stack``: a logistic regression on bouclier.guard.features.STACK_INPUTS (the harm head's and
  the n-gram model's scores of the text, the lexicons' reading), trained on the
  **hand-written** tuning split (:data:`WRITTEN`, covered languages) scored **out of fold** by the
  harm head and the n-gram model (folds by group): the weights of each reader are learnt where the
  prompts are written as users write them, and where neither model has seen the prompt.

Prints 5-fold cross-validated precision and recall of both heads, then trains on all of it and
writes src/bouclier/guard/models/intent-10.npz and its SHA-256 (to pin in semantic.INTENT).
scripts/tune_guard.py chooses the guard's thresholds from the same cross-validation (``--oof``:
the stacked scores of the tuning split, the stacker itself cross-validated by the same folds).
"""

from __future__ import annotations

import argparse
import hashlib
import io
import json
import os
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

os.environ.setdefault("OMP_NUM_THREADS", "2")

import numpy as np
from scipy import sparse

from bouclier.detectors.models import locate
from bouclier.guard.evaluation import TRAINING, Example, load_corpus
from bouclier.guard.features import (
    NGRAM_BITS,
    STACK_INPUTS,
    STACK_INPUTS_10,
    lexicon_features,
    ngrams,
    stack_row,
)
from bouclier.guard.language import COVERAGE
from bouclier.guard.request import default_guard
from bouclier.guard.semantic import INTENT_10, SemanticStage, embed_e5, load_e5
from bouclier.guard.stages import CONTEXT_TURNS

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "scripts"))

from guard_edits import FOLLOW  # noqa: E402
from guard_round7 import FOLLOW7  # noqa: E402

CORPUS = ROOT / "corpus" / "guard"
MODELS = ROOT / "src" / "bouclier" / "guard" / "models"
OUT = MODELS / "intent-10.npz"
OUT_E5 = MODELS / "intent-11.npz"
HIDDEN = {"": 64, "continues_": 16}
EPOCHS = 400
L2 = 1e-4
RATE = 0.01
FOLDS = 5
#: The shortest character n-gram the n-gram model reads in a word of Han, kana or Hangul
#: (bouclier.guard.features.ngrams; intent-8: 3): chosen on seen-v9 trained without it
#: (scripts/guard_round9.py).
CJK = 2
#: The hand-written training files (held out once, trained on since): the stacker's data and the
#: tuning split of scripts/tune_guard.py; every seen-v<N> of evaluation.TRAINING but seen-v1 (of
#: templates), so a round that moves a held-out set into TRAINING needs no second list here.
WRITTEN = tuple(name for name in TRAINING if name.startswith("seen-v") and name != "seen-v1")
#: The band of intent-10's stacked harm in which intent-11 reads a text again with e5
#: (bouclier.guard.semantic.SecondReading): chosen on the whole-file folds of
#: scripts/guard_round12.py.
BAND = (0.2, 0.8)
#: The tenth round's stacker (intent-10): the lexicons' reading with the tenth round's words and
#: columns (bouclier.guard.features.FEATURES_10); False gives intent-9's recipe.
TENTH = True


def stack_names() -> tuple[str, ...]:
    return (*(STACK_INPUTS_10 if TENTH else STACK_INPUTS), "bias")


CONTINUE = {p for bank in (FOLLOW, FOLLOW7) for follow in bank.values() for p in follow["CONTINUE"]}


def joined(example: Example) -> str:
    """The text the guard reads for a follow-up (bouclier.guard.stages.TwoStageGuard)."""
    return "\n".join([*example.context[-CONTEXT_TURNS:], example.text])


def read(example: Example) -> tuple[str, ...]:
    """Every text the guard reads for an example: the prompt, and for a follow-up the joined
    conversation and the previous request alone."""
    return (example.text, joined(example), *example.context[-1:])


@dataclass
class Samples:
    """The texts of each head with their labels and the example each came from (for folds)."""

    texts: list[str]
    labels: list[float]
    origin: list[int]

    def add(self, text: str, label: bool, origin: int) -> None:
        self.texts.append(text)
        self.labels.append(float(label))
        self.origin.append(origin)


#: The joints of a padded copy (:func:`padded`), one drawn per copy.
JOINTS = (". ", ", ", " and ")
#: The seed of the padding augmentation (``--padding``: intent-17-first).
PADDING_SEED = 17
#: The padding augmentation's seed where the harm head and the n-gram model are trained with it
#: (scripts/guard_folds.py reads it; None: without, intent-16-first's recipe).
PADDING: int | None = None
#: Whether the padding augmentation keeps the refused prompts' copies only (``--padding-refused``:
#: intent-18-first; scripts/guard_folds.py reads it with :data:`PADDING`).
PADDING_REFUSED = False


def _join(first: str, second: str, joint: str) -> str:
    """Two prompts as one: the first's closing punctuation dropped; after a comma or "and" the
    second goes on in lower case."""
    head = first.rstrip(" .!?,;。！？、")
    return head + joint + (second if joint == ". " else second[:1].lower() + second[1:])


def padded(
    examples: list[Example], seed: int = PADDING_SEED, refused_only: bool = False
) -> list[tuple[int, str, bool]]:
    """The padding augmentation (intent-17-first, the twentieth round): each hand-written single
    prompt (no context) of a :data:`WRITTEN` file among ``examples`` gets one padded copy with
    its label, a plain allowed prompt (label allow, not "hard", no context) of the same file and
    language joined before or after it by one of :data:`JOINTS`, all drawn from ``seed``: benign
    padding does not make a harmful request benign, nor a benign one harmful. Returns the index
    in ``examples`` of each copy's prompt (its fold), the copy and whether it is refused.

    ``refused_only`` (intent-18-first, the twentieth round's third candidate): the copies of the
    refused prompts only. Every copy is still drawn, so those kept are intent-17-first's refused
    copies, the same texts."""
    rng = np.random.default_rng(seed)
    index: dict[Example, int] = {}
    for i, example in enumerate(examples):
        index.setdefault(example, i)
    out = []
    for name in WRITTEN:
        path = CORPUS / f"{name}.jsonl"
        lines = path.read_text(encoding="utf-8").splitlines()
        found = load_corpus(path)
        plain: dict[str, list[Example]] = {}
        rows = [json.loads(line) for line in lines if line.strip()]
        for example, row in zip(found, rows, strict=True):
            if example.label == "allow" and not example.context and not row.get("hard"):
                plain.setdefault(example.lang, []).append(example)
        for example in found:
            pool = plain.get(example.lang, [])
            if example.context or example not in index or len(pool) < 2:
                continue
            at = int(rng.integers(len(pool)))
            if pool[at] == example:
                at = (at + 1) % len(pool)
            joint, before = JOINTS[int(rng.integers(len(JOINTS)))], bool(rng.integers(2))
            pad = pool[at].text
            text = _join(pad, example.text, joint) if before else _join(example.text, pad, joint)
            if example.label == "refuse" or not refused_only:
                out.append((index[example], text, example.label == "refuse"))
    return out


def samples(
    examples: list[Example], padding: int | None = None, refused_only: bool = False
) -> dict[str, Samples]:
    """The training samples of both heads (see the module docstring); with ``padding`` (a
    seed), the harm head's also :func:`padded`'s copies (the n-gram model is trained on the
    harm head's samples), of the refused prompts only if ``refused_only``."""
    harm, continues = Samples([], [], []), Samples([], [], [])
    for i, example in enumerate(examples):
        refused = example.label == "refuse"
        if not example.context:
            harm.add(example.text, refused, i)
            continues.add(example.text, False, i)
            continue
        harm.add(joined(example), refused, i)
        if not refused:
            harm.add(example.text, False, i)
        carries_on = example.text in CONTINUE or (refused and example.concept == "written")
        continues.add(example.text, carries_on, i)
    if padding is not None:
        for i, text, refused in padded(examples, padding, refused_only):
            harm.add(text, refused, i)
    return {"": harm, "continues_": continues}


def fit(
    x: np.ndarray, y: np.ndarray, hidden: int = 64, seed: int = 13, dtype: type = np.float64
) -> dict[str, np.ndarray]:
    """One hidden layer (ReLU), a logistic output, Adam, class-balanced, L2; computed in ``dtype``
    (scripts/guard_intent13_folds.py --float32: the same initial weights, data, steps and seed,
    rounded to float32). The weights are returned in float32."""
    rng = np.random.default_rng(seed)
    x, y = x.astype(dtype, copy=False), y.astype(dtype, copy=False)
    params = {
        "w1": rng.normal(0, 1 / np.sqrt(x.shape[1]), (x.shape[1], hidden)).astype(dtype),
        "b1": np.zeros(hidden, dtype),
        "w2": rng.normal(0, 1 / np.sqrt(hidden), (hidden, 1)).astype(dtype),
        "b2": np.zeros(1, dtype),
    }
    weight = np.where(y == 1, 0.5 / y.mean(), 0.5 / (1 - y.mean())).astype(dtype)
    moments = {k: (np.zeros_like(v), np.zeros_like(v)) for k, v in params.items()}
    l2, rate = dtype(L2), dtype(RATE)
    for step in range(1, EPOCHS + 1):
        hidden_in = x @ params["w1"] + params["b1"]
        out = np.maximum(hidden_in, 0)
        p = 1 / (1 + np.exp(-(out @ params["w2"] + params["b2"]).ravel()))
        g_out = ((p - y) * weight / len(y))[:, None]
        g_hidden = (g_out @ params["w2"].T) * (hidden_in > 0)
        grads = {
            "w2": out.T @ g_out + l2 * params["w2"],
            "b2": g_out.sum(0),
            "w1": x.T @ g_hidden + l2 * params["w1"],
            "b1": g_hidden.sum(0),
        }
        for k, g in grads.items():
            m, v = moments[k]
            m[:] = 0.9 * m + 0.1 * g
            v[:] = 0.999 * v + 0.001 * g * g
            params[k] -= rate * (m / (1 - 0.9**step)) / (np.sqrt(v / (1 - 0.999**step)) + 1e-8)
    return {k: v.astype(np.float32) for k, v in params.items()}


def predict(params: dict[str, np.ndarray], x: np.ndarray) -> np.ndarray:
    hidden = np.maximum(x @ params["w1"] + params["b1"], 0)
    return 1 / (1 + np.exp(-(hidden @ params["w2"] + params["b2"]).ravel()))


class Embeddings:
    """Each distinct text embedded once (``cache``: an .npz of texts and vectors kept between
    runs, as scripts/guard_round10.py writes it; only the texts it lacks are embedded), by
    ``embed`` (USE-multilingual v3 unless given)."""

    def __init__(
        self,
        texts: list[str],
        cache: Path | None = None,
        embed: Callable[[list[str]], np.ndarray] | None = None,
    ) -> None:
        stored: dict[str, np.ndarray] = {}
        if cache is not None and cache.exists():
            with np.load(cache, allow_pickle=False) as kept:
                stored = dict(zip(kept["texts"].tolist(), kept["vectors"], strict=True))
        distinct = sorted(set(texts))
        missing = [t for t in distinct if t not in stored]
        if missing:
            found = (embed or SemanticStage(threads=2).embed)(missing).astype(np.float64)
            stored.update(zip(missing, found, strict=True))
            if cache is not None:
                names = sorted(stored)
                np.savez(cache, texts=np.array(names), vectors=np.stack([stored[n] for n in names]))
        self.row = {text: i for i, text in enumerate(distinct)}
        self.vectors = np.stack([stored[t] for t in distinct]).astype(np.float64)

    def of(self, texts: list[str]) -> np.ndarray:
        return self.vectors[[self.row[t] for t in texts]]


class Joined:
    """Embeddings of the same texts side by side (USE's, then e5's)."""

    def __init__(self, *parts: Embeddings) -> None:
        self.parts = parts

    def of(self, texts: list[str]) -> np.ndarray:
        return np.hstack([p.of(texts) for p in self.parts])


def e5_embeddings(texts: list[str], cache: Path | None) -> Embeddings:
    """The texts' multilingual-e5-small vectors (bouclier.guard.semantic.embed_e5)."""
    return Embeddings(texts, cache, lambda missing: embed_e5(load_e5(2), missing))


def training_set(
    cache: Path | None = None, padding: int | None = None, refused_only: bool = False
) -> tuple[list[Example], dict[str, Samples], Embeddings]:
    examples = [e for name in TRAINING for e in load_corpus(CORPUS / f"{name}.jsonl")]
    assert all(e.split == "tune" for e in examples), "only the tune split is trained on"
    heads = samples(examples, padding, refused_only)
    every = [t for e in examples for t in read(e)] + heads[""].texts
    return examples, heads, Embeddings(every, cache)


def folds(examples: list[Example]) -> np.ndarray:
    """The fold of each example, drawn per group: the frames of one bank phrase (their
    ``group``) are held out together, so a phrase's paraphrases never score one another; a
    hand-written prompt is its own group."""
    groups = [e.group or f"row:{i}" for i, e in enumerate(examples)]
    distinct = sorted(set(groups))
    fold_of_group = dict(
        zip(distinct, np.random.default_rng(7).permutation(len(distinct)) % FOLDS, strict=True)
    )
    return np.array([fold_of_group[g] for g in groups])


def out_of_fold(
    examples: list[Example], heads: dict[str, Samples], vectors: Embeddings
) -> dict[str, dict[str, float]]:
    """Each head's cross-validated score of every text the guard reads for an example (the
    prompt, and the joined conversation for a follow-up), from the fold that held it out: folds
    by group (:func:`folds`), so a follow-up, its joined text and its prompt alone are held out
    together, and so are the frames of one bank phrase."""
    fold_of = folds(examples)
    scores: dict[str, dict[str, float]] = {}
    for prefix, head in heads.items():
        x, y = vectors.of(head.texts), np.array(head.labels)
        head_fold = fold_of[np.array(head.origin)]
        found = np.zeros(len(y))
        scores[prefix] = {}
        for fold in range(FOLDS):
            params = fit(x[head_fold != fold], y[head_fold != fold], HIDDEN[prefix])
            found[head_fold == fold] = predict(params, x[head_fold == fold])
            held = [t for e, f in zip(examples, fold_of, strict=True) if f == fold for t in read(e)]
            held_scores = predict(params, vectors.of(held)).tolist()
            scores[prefix].update(zip(held, held_scores, strict=True))
        for threshold in (0.3, 0.4, 0.5, 0.6, 0.7):
            got = found >= threshold
            tp = float((got & (y == 1)).sum())
            print(
                f"cv {prefix or 'harm_'}head threshold {threshold}: "
                f"precision {tp / max(got.sum(), 1):.3f} recall {tp / max((y == 1).sum(), 1):.3f}"
            )
    return scores


def ngram_matrix(texts: list[str]) -> sparse.csr_matrix:
    """Each text's hashed n-grams (bouclier.guard.features.ngrams), each 1/sqrt(their number)."""
    rows = [ngrams(t, CJK) for t in texts]
    indptr = np.cumsum([0, *(len(r) for r in rows)])
    matrix = sparse.csr_matrix(
        (np.ones(indptr[-1]), np.concatenate(rows), indptr), shape=(len(texts), 1 << NGRAM_BITS)
    )
    return sparse.csr_matrix(sparse.diags(1 / np.sqrt(np.maximum(np.diff(indptr), 1))) @ matrix)


def fit_linear(
    x: np.ndarray | sparse.csr_matrix, y: np.ndarray, l2: float, steps: int, rate: float
) -> np.ndarray:
    """Class-balanced logistic regression, weights then bias, from zeros, full-batch Adam."""
    w = np.zeros(x.shape[1] + 1)
    weight = np.where(y == 1, 0.5 / y.mean(), 0.5 / (1 - y.mean()))
    m, v = np.zeros_like(w), np.zeros_like(w)
    xt = x.T
    for step in range(1, steps + 1):
        p = 1 / (1 + np.exp(-(x @ w[:-1] + w[-1])))
        r = (p - y) * weight / len(y)
        g = np.r_[xt @ r + l2 * w[:-1], r.sum()]
        m = 0.9 * m + 0.1 * g
        v = 0.999 * v + 0.001 * g * g
        w -= rate * (m / (1 - 0.9**step)) / (np.sqrt(v / (1 - 0.999**step)) + 1e-8)
    return w


def fit_ngram(x: sparse.csr_matrix, y: np.ndarray) -> np.ndarray:
    return fit_linear(x, y, l2=1e-5, steps=300, rate=0.02)


def fit_stack(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    return fit_linear(x, y, l2=1e-2, steps=3000, rate=0.05)


def apply_linear(w: np.ndarray, x: np.ndarray | sparse.csr_matrix) -> np.ndarray:
    return np.asarray(1 / (1 + np.exp(-(x @ w[:-1] + w[-1]))))


class Scored:
    """The harm head's and the n-gram model's scores of texts, and the lexicons' reading of
    them: the stacker's inputs (bouclier.guard.features.stack_row)."""

    def __init__(self) -> None:
        self.harm: dict[str, float] = {}
        self.gram: dict[str, float] = {}
        self.lexicons = default_guard()
        self.lexical: dict[str, np.ndarray] = {}

    def add(
        self,
        harm_params: dict[str, np.ndarray],
        gram_w: np.ndarray,
        vectors: Embeddings,
        texts: list[str],
    ) -> None:
        wanted = sorted(set(texts))
        self.harm.update(
            zip(wanted, predict(harm_params, vectors.of(wanted)).tolist(), strict=True)
        )
        self.gram.update(
            zip(wanted, apply_linear(gram_w, ngram_matrix(wanted)).tolist(), strict=True)
        )

    def rows(self, texts: list[str]) -> np.ndarray:
        out = []
        for t in texts:
            if t not in self.lexical:
                self.lexical[t] = lexicon_features(self.lexicons, t, TENTH)
            out.append(stack_row(self.harm[t], self.gram[t], self.lexical[t]))
        return np.stack(out)


def written(examples: list[Example]) -> list[int]:
    """The indices of the hand-written tuning split's examples in covered languages."""
    names = {e for n in WRITTEN for e in load_corpus(CORPUS / f"{n}.jsonl")}
    return [i for i, e in enumerate(examples) if e in names and e.lang in COVERAGE]


def stacked(
    examples: list[Example], heads: dict[str, Samples], vectors: Embeddings | Joined
) -> tuple[dict[str, np.ndarray], dict[str, float]]:
    """The n-gram model and the stacker trained on all of ``examples`` (the stacker on the
    hand-written split's out-of-fold scores), and the stacked out-of-fold score of every text the
    guard reads for a hand-written example (the stacker cross-validated by the same folds)."""
    fold_of = folds(examples)
    head = heads[""]
    x, y = vectors.of(head.texts), np.array(head.labels)
    grams = ngram_matrix(head.texts)
    head_fold = fold_of[np.array(head.origin)]
    oof = Scored()
    for fold in range(FOLDS):
        keep = head_fold != fold
        harm_params = fit(x[keep], y[keep], HIDDEN[""])
        gram_w = fit_ngram(grams[keep], y[keep])
        held = [t for e, f in zip(examples, fold_of, strict=True) if f == fold for t in read(e)]
        oof.add(harm_params, gram_w, vectors, held)
    chosen = written(examples)
    stack = samples([examples[i] for i in chosen])[""]
    stack_fold = fold_of[np.array(chosen)][np.array(stack.origin)]
    inputs, labels = oof.rows(stack.texts), np.array(stack.labels)
    scores: dict[str, float] = {}
    for fold in range(FOLDS):
        w = fit_stack(inputs[stack_fold != fold], labels[stack_fold != fold])
        held = [t for i in chosen if fold_of[i] == fold for t in read(examples[i])]
        scores.update(zip(held, apply_linear(w, oof.rows(held)).tolist(), strict=False))
    w = fit_stack(inputs, labels)
    gram_w = fit_ngram(grams, y)
    print("stacker:", " ".join(f"{n}={v:+.2f}" for n, v in zip(stack_names(), w, strict=True)))
    params = {
        "ngram_w": gram_w[:-1].astype(np.float16),
        "ngram_b": gram_w[-1:],
        "stack_w": w[:-1],
        "stack_b": w[-1:],
        "ngram_cjk": np.array([CJK]),
    }
    return params, scores


def second_reading(
    examples: list[Example],
    heads: dict[str, Samples],
    use: Embeddings,
    e5: Embeddings,
    band: tuple[float, float] = BAND,
) -> dict[str, np.ndarray]:
    """intent-11's second reading (bouclier.guard.semantic.SecondReading): the harm head on USE's
    and e5's vectors side by side, trained on all of ``examples``, and its stacker, trained on
    the hand-written split's out-of-fold scores as intent-10's (:func:`stacked`)."""
    both = Joined(use, e5)
    extra, _ = stacked(examples, heads, both)
    head = heads[""]
    fitted = fit(both.of(head.texts), np.array(head.labels), HIDDEN[""])
    return {
        **{f"e5_{k}": v for k, v in fitted.items()},
        "e5_stack_w": extra["stack_w"],
        "e5_stack_b": extra["stack_b"],
        "e5_band": np.array(band),
    }


def write(params: dict[str, np.ndarray], out: Path) -> None:
    buffer = io.BytesIO()
    np.savez_compressed(buffer, **params)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(buffer.getvalue())
    print(f"wrote {out} sha256 {hashlib.sha256(buffer.getvalue()).hexdigest()}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--check", action="store_true", help="cross-validate only, write nothing")
    parser.add_argument("--oof", type=Path, help="write the cross-validated scores (JSON) here")
    parser.add_argument(
        "--no-cv", action="store_true", help="skip the heads' cross-validation (train only)"
    )
    parser.add_argument("--cache", type=Path, help="embeddings kept here between runs (.npz)")
    parser.add_argument(
        "--out", type=Path, help=f"the file written (default {OUT.name}; --e5: {OUT_E5.name})"
    )
    parser.add_argument(
        "--e5",
        action="store_true",
        help="write intent-11: intent-10's arrays and the second reading on e5 (no CV)",
    )
    parser.add_argument("--e5-cache", type=Path, help="e5 embeddings kept here (.npz)")
    parser.add_argument(
        "--base",
        type=Path,
        help="with --e5: the first reading's file the second is added to (default intent-10's)",
    )
    parser.add_argument(
        "--band", type=float, nargs=2, default=BAND, help="with --e5: the band read again"
    )
    parser.add_argument(
        "--max-tokens", type=int, help="with --e5: the longest text read again (e5 tokens)"
    )
    padding = parser.add_mutually_exclusive_group()
    padding.add_argument(
        "--padding",
        action="store_true",
        help="the harm head and the n-gram model also on padded copies (padded(): intent-17-first)",
    )
    padding.add_argument(
        "--padding-refused",
        action="store_true",
        help="as --padding, the refused prompts' copies only (intent-18-first)",
    )
    args = parser.parse_args()
    seed = PADDING_SEED if args.padding or args.padding_refused else None
    examples, heads, vectors = training_set(args.cache, seed, args.padding_refused)
    if args.e5:
        e5 = e5_embeddings([t for e in examples for t in read(e)], args.e5_cache)
        with np.load(args.base or locate(INTENT_10), allow_pickle=False) as stored:
            params = {k: stored[k] for k in stored.files}
        params.update(second_reading(examples, heads, vectors, e5, tuple(args.band)))
        if args.max_tokens is not None:
            params["e5_max_tokens"] = np.array([args.max_tokens])
        write(params, args.out or OUT_E5)
        return
    scores = {} if args.no_cv else out_of_fold(examples, heads, vectors)
    extra, stacked_scores = stacked(examples, heads, vectors)
    scores[""] = {**scores.get("", {}), **stacked_scores}  # the guard's harm: stacked where written
    if args.oof:
        args.oof.write_text(json.dumps(scores, ensure_ascii=False), encoding="utf-8")
    if args.check:
        return
    params: dict[str, np.ndarray] = {}
    for prefix, head in heads.items():
        fitted = fit(vectors.of(head.texts), np.array(head.labels), HIDDEN[prefix])
        params.update({f"{prefix}{k}": v for k, v in fitted.items()})
    params.update(extra)
    write(params, args.out or OUT)


if __name__ == "__main__":
    sys.exit(main())
