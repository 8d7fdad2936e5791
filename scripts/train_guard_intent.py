"""Trains the guard's intent classifier (bouclier.guard.semantic) on the tune corpus only.

    .venv/bin/python scripts/train_guard_intent.py [--check]

Reads the training files of bouclier.guard.evaluation.TRAINING (tune, concepts, contrast, seen-v1,
seen-v2: never
corpus/guard/heldout-v3.jsonl), embeds
them with USE-multilingual v3, and fits one hidden layer of 64 (ReLU) and a logistic output with
Adam, class-balanced, L2-regularised, from a fixed seed. Prints 5-fold cross-validated precision
and recall on the tune corpus at the thresholds of bouclier.guard.stages, then trains on all of it
and writes src/bouclier/guard/models/intent.npz and its SHA-256 (to pin in semantic.INTENT).
"""

from __future__ import annotations

import argparse
import hashlib
import io
import os
import sys
from pathlib import Path

os.environ.setdefault("OMP_NUM_THREADS", "2")

import numpy as np

from bouclier.guard.evaluation import TRAINING, load_corpus
from bouclier.guard.semantic import SemanticStage

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / "corpus" / "guard"
OUT = ROOT / "src" / "bouclier" / "guard" / "models" / "intent.npz"
HIDDEN = 64
EPOCHS = 400
L2 = 1e-4
RATE = 0.01


def fit(x: np.ndarray, y: np.ndarray, seed: int = 13) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(seed)
    params = {
        "w1": rng.normal(0, 1 / np.sqrt(x.shape[1]), (x.shape[1], HIDDEN)),
        "b1": np.zeros(HIDDEN),
        "w2": rng.normal(0, 1 / np.sqrt(HIDDEN), (HIDDEN, 1)),
        "b2": np.zeros(1),
    }
    weight = np.where(y == 1, 0.5 / y.mean(), 0.5 / (1 - y.mean()))
    moments = {k: (np.zeros_like(v), np.zeros_like(v)) for k, v in params.items()}
    for step in range(1, EPOCHS + 1):
        hidden_in = x @ params["w1"] + params["b1"]
        hidden = np.maximum(hidden_in, 0)
        p = 1 / (1 + np.exp(-(hidden @ params["w2"] + params["b2"]).ravel()))
        g_out = ((p - y) * weight / len(y))[:, None]
        g_hidden = (g_out @ params["w2"].T) * (hidden_in > 0)
        grads = {
            "w2": hidden.T @ g_out + L2 * params["w2"],
            "b2": g_out.sum(0),
            "w1": x.T @ g_hidden + L2 * params["w1"],
            "b1": g_hidden.sum(0),
        }
        for k, g in grads.items():
            m, v = moments[k]
            m[:] = 0.9 * m + 0.1 * g
            v[:] = 0.999 * v + 0.001 * g * g
            params[k] -= RATE * (m / (1 - 0.9**step)) / (np.sqrt(v / (1 - 0.999**step)) + 1e-8)
    return {k: v.astype(np.float32) for k, v in params.items()}


def predict(params: dict[str, np.ndarray], x: np.ndarray) -> np.ndarray:
    hidden = np.maximum(x @ params["w1"] + params["b1"], 0)
    return 1 / (1 + np.exp(-(hidden @ params["w2"] + params["b2"]).ravel()))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--check", action="store_true", help="cross-validate only, write nothing")
    args = parser.parse_args()
    examples = [e for name in TRAINING for e in load_corpus(CORPUS / f"{name}.jsonl")]
    assert all(e.split == "tune" for e in examples), "only the tune split is trained on"
    stage = SemanticStage(threads=2)
    x = stage.embed([e.text for e in examples]).astype(np.float64)
    y = np.array([e.label == "refuse" for e in examples], dtype=np.float64)
    folds = np.random.default_rng(7).permutation(len(y)) % 5
    scores = np.zeros(len(y))
    for fold in range(5):
        train, test = folds != fold, folds == fold
        scores[test] = predict(fit(x[train], y[train]), x[test])
    for threshold in (0.3, 0.4, 0.5, 0.6, 0.7):
        got = scores >= threshold
        tp = float((got & (y == 1)).sum())
        precision = tp / max(got.sum(), 1)
        recall = tp / (y == 1).sum()
        print(f"cv threshold {threshold}: precision {precision:.3f} recall {recall:.3f}")
    if args.check:
        return
    params = fit(x, y)
    buffer = io.BytesIO()
    np.savez(buffer, **params)
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_bytes(buffer.getvalue())
    print(f"wrote {OUT.relative_to(ROOT)} sha256 {hashlib.sha256(buffer.getvalue()).hexdigest()}")


if __name__ == "__main__":
    sys.exit(main())
