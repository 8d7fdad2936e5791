"""The eighth round's measures: which inputs of the classifier make a better guard (issue 13).

    .venv/bin/python scripts/guard_round8.py [VARIANT ...] [--cache FILE]
    .venv/bin/python scripts/guard_round8.py use --stack written [--without INPUT ...]

Each VARIANT is a set of inputs of the harm head, joined by ``+`` (default: all of those below):

* ``use``: the sentence embedding of the whole prompt (512; the seventh round's intent-7 recipe);
* ``lex``: the lexicons' reading as numbers (bouclier.guard.features.lexicon_features: the
  concepts found, the score, masks, product, person, edit and question words, objects, topic
  words, the edit's direction, the number of clauses);
* ``nodir``: ``lex`` without the two direction columns (what the direction adds);
* ``clause``: the element-wise maximum and minimum of the embeddings of the prompt's clauses
  (bouclier.guard.features.clauses; 1,024).

For each variant, the harm head (one hidden layer of 64, the intent-7 recipe: same epochs,
rate, L2, seed) is trained on every training file of bouclier.guard.evaluation.TRAINING **but
seen-v8** (the former heldout-v8, measured once on main: its errors were read, so a model
trained on it says nothing about it), the follow-up head as intent-7's (the sentence embedding),
and the whole guard is run on seen-v8's covered languages twice: the lexicons OR'ed with the
model as on main (``or``: bouclier.guard.stages's rules), and the lexicons as inputs only
(``learned``: TwoStageGuard.learned). Thresholds are not tuned on seen-v8: the model threshold
is 0.5 (main's) and the context ones are main's.

``--stack written`` (the eighth round's method, intent-8): the harm head's and a hashed n-gram
model's scores of the text and of its clauses, out of fold, and the lexicons' reading, weighed by
a logistic regression trained on the hand-written tuning split without seen-v8; seen-v8 scored by
the models trained without it, at model thresholds 0.4-0.7 (the table's 0.5 is the one the tuning
split chooses), and the tuning split itself out of fold. ``--without`` leaves inputs out of the
stacker (``ngram``, ``clause``, ``lex``): the ablation.

The embeddings of every text and clause are kept in ``--cache`` (a .npz: texts and vectors) so
that a second run embeds nothing. Nothing else is written.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from collections.abc import Sequence
from pathlib import Path

os.environ.setdefault("OMP_NUM_THREADS", "2")

import numpy as np

from bouclier.guard import stages
from bouclier.guard.decision import Action
from bouclier.guard.evaluation import TRAINING, Evaluation, Example, evaluate, load_corpus
from bouclier.guard.features import FEATURES, clauses, lexicon_features
from bouclier.guard.language import COVERAGE
from bouclier.guard.request import default_guard
from bouclier.guard.semantic import SemanticStage

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "scripts"))

import train_guard_intent as train  # noqa: E402
from tune_guard import TUNING, OutOfFold  # noqa: E402

SCORED = "seen-v8"
VARIANTS = ("use", "use+lex", "use+nodir", "use+clause", "use+lex+clause", "use+nodir+clause")
DIRECTION = [FEATURES.index("dress"), FEATURES.index("undress")]


class Vectors:
    """Embeddings of texts and their clauses, cached in a file; lexicon features per text."""

    def __init__(self, cache: Path | None) -> None:
        self.cache = cache
        self.row: dict[str, int] = {}
        self.vectors = np.zeros((0, 512), dtype=np.float32)
        if cache is not None and cache.exists():
            with np.load(cache, allow_pickle=False) as stored:
                self.row = {str(t): i for i, t in enumerate(stored["texts"])}
                self.vectors = stored["vectors"]
        self.lexicons = default_guard()
        self.features: dict[str, np.ndarray] = {}

    def ensure(self, texts: Sequence[str]) -> None:
        wanted = {c for t in texts for c in (t, *clauses(t))}
        missing = sorted(wanted - set(self.row))
        if missing:
            started = time.time()
            found = SemanticStage(threads=2).embed(missing)
            print(f"embedded {len(missing)} texts in {time.time() - started:.0f} s", flush=True)
            self.row.update({t: len(self.row) + i for i, t in enumerate(missing)})
            self.vectors = np.concatenate([self.vectors, found.astype(np.float32)])
            if self.cache is not None:
                ordered = sorted(self.row, key=self.row.__getitem__)
                np.savez(self.cache, texts=np.array(ordered), vectors=self.vectors)
        for t in texts:
            if t not in self.features:
                self.features[t] = lexicon_features(self.lexicons, t)

    def inputs(self, texts: Sequence[str], variant: str) -> np.ndarray:
        parts = []
        names = variant.split("+")
        if "use" in names:
            parts.append(self.vectors[[self.row[t] for t in texts]])
        if "lex" in names:
            parts.append(np.stack([self.features[t] for t in texts]))
        if "nodir" in names:
            lex = np.stack([self.features[t] for t in texts]).copy()
            lex[:, DIRECTION] = 0.0
            parts.append(lex)
        if "clause" in names:
            pooled = []
            for t in texts:
                rows = self.vectors[[self.row[c] for c in clauses(t)]]
                pooled.append(np.concatenate([rows.max(0), rows.min(0)]))
            parts.append(np.stack(pooled))
        return np.concatenate(parts, axis=1).astype(np.float64)


def run_guard(
    examples: list[Example], harm: dict[str, float], continues: dict[str, float], learned: bool
) -> Evaluation:
    semantic = OutOfFold({"": harm, "continues_": continues}, learned)
    guard = stages.TwoStageGuard(semantic=semantic, uncovered=Action.ALLOW)  # type: ignore[arg-type]
    return evaluate(examples, guard.check, lambda text, before: guard.check(text, context=before))


def line(name: str, result: Evaluation) -> str:
    m = result.overall
    worst = sorted((r.recall, lang) for lang, r in result.by_lang.items())[:3]
    low = ", ".join(f"{lang} {r:.2f}" for r, lang in worst)
    return (
        f"| {name} | {m.precision:.3f} | {m.recall:.3f} | {m.fpr:.3f} | {m.fp} | {m.fn} | {low} |"
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("variants", nargs="*", default=list(VARIANTS))
    parser.add_argument("--cache", type=Path, help="embeddings kept here between runs (.npz)")
    parser.add_argument(
        "--oof", action="store_true", help="also cross-validate on the tuning split"
    )
    parser.add_argument("--errors", help="print seen-v8's errors of this variant (learned)")
    parser.add_argument("--stack", choices=("written", "all"), help="the stacker experiment")
    parser.add_argument(
        "--without",
        nargs="*",
        default=[],
        choices=sorted(USED),
        help="the stacker's inputs left out (ablation)",
    )
    args = parser.parse_args()
    names = [n for n in TRAINING if n != SCORED]
    training = [e for n in names for e in load_corpus(train.CORPUS / f"{n}.jsonl")]
    scored = [e for e in load_corpus(train.CORPUS / f"{SCORED}.jsonl") if e.lang in COVERAGE]
    every = [e for n in TRAINING for e in load_corpus(train.CORPUS / f"{n}.jsonl")]
    vectors = Vectors(args.cache)
    vectors.ensure([t for e in every for t in train.read(e)])
    for name in args.without:
        USED[name] = False
    if args.stack:
        stack_experiment(vectors, args.stack, args.variants[0] if args.variants else "use")
        return
    heads = train.samples(training)
    read = sorted({t for e in scored for t in train.read(e)})
    follow = heads["continues_"]
    fitted = train.fit(vectors.inputs(follow.texts, "use"), np.array(follow.labels), 16)
    continues = dict(
        zip(read, train.predict(fitted, vectors.inputs(read, "use")).tolist(), strict=False)
    )
    harm_head = heads[""]
    print(f"trained on {len(training)} examples without {SCORED}; scored {len(scored)} prompts")
    print("| inputs, decision | P | R | FPR | FP | FN | lowest recall |")
    print("|---|---|---|---|---|---|---|")
    for variant in args.variants:
        x = vectors.inputs(harm_head.texts, variant)
        params = train.fit(x, np.array(harm_head.labels), 64)
        harm = dict(
            zip(read, train.predict(params, vectors.inputs(read, variant)).tolist(), strict=False)
        )
        for learned in (False, True):
            result = run_guard(scored, harm, continues, learned)
            print(line(f"{variant}, {'learned' if learned else 'or'}", result), flush=True)
            if learned and variant == args.errors:
                for example, decision in result.errors:
                    print(
                        f"  {example.lang} {example.label} {dict(decision.stages)['model']:.2f}"
                        f" {example.text[:110]!r}"
                    )


def logit(p: np.ndarray) -> np.ndarray:
    p = np.clip(p, 1e-4, 1 - 1e-4)
    return np.log(p / (1 - p))


STACK = ["harm", "clause_max", "clause_min", "clause_first"]
NGRAM = ["ngram", "ngram_clause_max", "ngram_clause_min"]
USED = {"lex": True, "ngram": True, "clause": True}


def stack_inputs(
    vectors: Vectors,
    texts: Sequence[str],
    harm: dict[str, float],
    grams: dict[str, float] | None = None,
) -> np.ndarray:
    """The stacker's inputs of each text: the harm head's logit on the whole text, on its most
    and least harmful clause and on its first, the n-gram model's on the text and its clauses,
    and the lexicon features (those :data:`USED` leaves out are zeros)."""
    rows = []
    for t in texts:
        parts = clauses(t)
        each = np.array([harm[c] for c in parts])
        row = [logit(np.array([harm[t], each.max(), each.min(), each[0]]))]
        if not USED["clause"]:
            row[0][1:] = 0.0
        if grams is not None:
            g = np.array([grams[c] for c in parts])
            row.append(logit(np.array([grams[t], g.max(), g.min()])))
            if not USED["clause"]:
                row[-1][1:] = 0.0
            if not USED["ngram"]:
                row[-1][:] = 0.0
        row.append(vectors.features[t] if USED["lex"] else 0 * vectors.features[t])
        rows.append(np.concatenate(row))
    return np.stack(rows)


def fit_logistic(x: np.ndarray, y: np.ndarray, l2: float = 1e-2, steps: int = 3000) -> np.ndarray:
    """Class-balanced logistic regression (weights then bias), full-batch Adam."""
    xb = np.concatenate([x, np.ones((len(x), 1))], axis=1)
    w = np.zeros(xb.shape[1])
    weight = np.where(y == 1, 0.5 / y.mean(), 0.5 / (1 - y.mean()))
    m, v = np.zeros_like(w), np.zeros_like(w)
    for step in range(1, steps + 1):
        p = 1 / (1 + np.exp(-(xb @ w)))
        g = xb.T @ ((p - y) * weight) / len(y) + l2 * np.r_[w[:-1], 0.0]
        m = 0.9 * m + 0.1 * g
        v = 0.999 * v + 0.001 * g * g
        w -= 0.05 * (m / (1 - 0.9**step)) / (np.sqrt(v / (1 - 0.999**step)) + 1e-8)
    return w


def apply_logistic(w: np.ndarray, x: np.ndarray) -> np.ndarray:
    return 1 / (1 + np.exp(-(x @ w[:-1] + w[-1])))


def harm_everywhere(
    vectors: Vectors, training: list[Example], targets: Sequence[str], variant: str = "use"
) -> tuple[dict[str, float], dict[str, float]]:
    """The harm head's scores: out of fold (by group) for every text of ``training`` and its
    clauses, and by the model trained on all of ``training`` for ``targets`` and their clauses."""
    heads = train.samples(training)
    head = heads[""]
    x, y = vectors.inputs(head.texts, variant), np.array(head.labels)
    fold_of = train.folds(training)
    head_fold = fold_of[np.array(head.origin)]
    oof: dict[str, float] = {}
    for fold in range(train.FOLDS):
        params = train.fit(x[head_fold != fold], y[head_fold != fold], 64)
        held = sorted(
            {
                c
                for e, f in zip(training, fold_of, strict=True)
                if f == fold
                for t in train.read(e)
                for c in (t, *clauses(t))
            }
        )
        oof.update(
            zip(held, train.predict(params, vectors.inputs(held, variant)).tolist(), strict=False)
        )
    params = train.fit(x, y, 64)
    wanted = sorted({c for t in targets for c in (t, *clauses(t))})
    full = dict(
        zip(wanted, train.predict(params, vectors.inputs(wanted, variant)).tolist(), strict=False)
    )
    return oof, full


def stack_experiment(vectors: Vectors, on: str, variant: str = "use") -> None:  # noqa: PLR0915
    """The harm head's scores on the whole prompt and on its clauses, and the lexicons' reading,
    weighed by a logistic regression trained on out-of-fold scores (``on``: ``written``, the
    hand-written tuning split, or ``all`` the training rows), trained without seen-v8."""
    names = [n for n in TRAINING if n != SCORED]
    training = [e for n in names for e in load_corpus(train.CORPUS / f"{n}.jsonl")]
    scored = [e for e in load_corpus(train.CORPUS / f"{SCORED}.jsonl") if e.lang in COVERAGE]
    read = sorted({t for e in scored for t in train.read(e)})
    kept = vectors.cache.with_name(f"harm-{variant}.json") if vectors.cache else None
    if kept is not None and kept.exists():
        oof, full, goof, gfull = json.loads(kept.read_text(encoding="utf-8"))
    else:
        oof, full = harm_everywhere(vectors, training, read, variant)
        goof, gfull = ngram_everywhere(training, read)
        if kept is not None:
            kept.write_text(json.dumps([oof, full, goof, gfull]), encoding="utf-8")
    tuning_names = [n for n in TUNING if n != SCORED]
    if on == "written":
        base = [
            e
            for n in tuning_names
            for e in load_corpus(train.CORPUS / f"{n}.jsonl")
            if e.lang in COVERAGE
        ]
    else:
        base = training
    sample = train.samples(base)[""]
    x = stack_inputs(vectors, sample.texts, oof, goof)
    w = fit_logistic(x, np.array(sample.labels))
    print(
        "stacker weights:",
        " ".join(
            f"{n}={v:+.2f}" for n, v in zip([*STACK, *NGRAM, *FEATURES, "bias"], w, strict=True)
        ),
    )
    stacked = dict(
        zip(
            read, apply_logistic(w, stack_inputs(vectors, read, full, gfull)).tolist(), strict=False
        )
    )
    follow = train.samples(training)["continues_"]
    fitted = train.fit(vectors.inputs(follow.texts, "use"), np.array(follow.labels), 16)
    continues = dict(
        zip(read, train.predict(fitted, vectors.inputs(read, "use")).tolist(), strict=False)
    )
    plain = {t: full[t] for t in read}
    print(f"| stack on {on}, {variant} | P | R | FPR | FP | FN | lowest recall |")
    print("|---|---|---|---|---|---|---|")
    print(line("head alone, or (main's rule)", run_guard(scored, plain, continues, False)))
    for threshold in (0.4, 0.5, 0.6, 0.7):
        stages.MODEL_THRESHOLD = threshold
        result = run_guard(scored, stacked, continues, True)
        print(line(f"stacked, learned, {threshold}", result), flush=True)
    stages.MODEL_THRESHOLD = 0.5
    before = run_guard(scored, plain, continues, False)
    after = run_guard(scored, stacked, continues, True)
    print(f"{SCORED} per language, main's rule | stacked at 0.5 (P / R):")
    print("| lang | n | main's rule P / R | stacked P / R |\n|---|---|---|---|")
    for a, b in zip(before.rows(), after.rows(), strict=True):
        print(
            f"| {a['lang']} | {a['n']} | {a['precision']:.3f} / {a['recall']:.3f} | "
            f"{b['precision']:.3f} / {b['recall']:.3f} |"
        )
    for example, decision in after.errors:
        print(f"  wrong: {example.lang} {example.label} {dict(decision.stages)['model']:.2f}")
    # the stacker's own out-of-fold threshold on the tuning split (its choice, not seen-v8's)
    tuning = [
        e
        for n in tuning_names
        for e in load_corpus(train.CORPUS / f"{n}.jsonl")
        if e.lang in COVERAGE
    ]
    groups = train.folds(tuning)
    tuned_read = {t for e in tuning for t in train.read(e)}
    oof_stacked: dict[str, float] = {}
    for fold in range(train.FOLDS):
        keep = [e for e, f in zip(tuning, groups, strict=True) if f != fold]
        held = sorted(
            {t for e, f in zip(tuning, groups, strict=True) if f == fold for t in train.read(e)}
        )
        s = train.samples(keep)[""] if on == "written" else sample
        wf = fit_logistic(stack_inputs(vectors, s.texts, oof, goof), np.array(s.labels))
        oof_stacked.update(
            zip(
                held,
                apply_logistic(wf, stack_inputs(vectors, held, oof, goof)).tolist(),
                strict=False,
            )
        )
    cont_oof = {t: continues.get(t, 0.0) for t in tuned_read}
    follow_scores = dict(
        zip(
            sorted(tuned_read),
            train.predict(fitted, vectors.inputs(sorted(tuned_read), "use")).tolist(),
            strict=False,
        )
    )
    cont_oof.update(follow_scores)
    print("tuning split (without seen-v8), stacker out of fold:")
    for threshold in (0.4, 0.5, 0.6, 0.7):
        stages.MODEL_THRESHOLD = threshold
        print(
            line(f"stacked, learned, {threshold}", run_guard(tuning, oof_stacked, cont_oof, True))
        )
        print(
            line(
                f"head, or, {threshold}",
                run_guard(tuning, {t: oof[t] for t in tuned_read}, cont_oof, False),
            )
        )
    stages.MODEL_THRESHOLD = 0.5


def ngram_matrix(texts: Sequence[str]):  # type: ignore[no-untyped-def]
    from scipy import sparse

    from bouclier.guard.features import NGRAM_BITS, ngrams

    rows = [ngrams(t) for t in texts]
    indptr = np.cumsum([0, *(len(r) for r in rows)])
    data = np.ones(indptr[-1], dtype=np.float64)
    matrix = sparse.csr_matrix(
        (data, np.concatenate(rows), indptr), shape=(len(texts), 1 << NGRAM_BITS)
    )
    norms = np.sqrt(np.maximum(np.diff(indptr), 1))
    return sparse.diags(1 / norms) @ matrix


def ngram_everywhere(
    training: list[Example], targets: Sequence[str]
) -> tuple[dict[str, float], dict[str, float]]:
    """The n-gram model's scores, out of fold for the texts of ``training`` and their clauses,
    and by the model trained on all of it for ``targets`` and their clauses."""
    head = train.samples(training)[""]
    x, y = ngram_matrix(head.texts), np.array(head.labels)
    fold_of = train.folds(training)
    head_fold = fold_of[np.array(head.origin)]
    oof: dict[str, float] = {}
    for fold in range(train.FOLDS):
        w = train.fit_linear(x[head_fold != fold], y[head_fold != fold], 1e-5, 300, 0.02)
        held = sorted(
            {
                c
                for e, f in zip(training, fold_of, strict=True)
                if f == fold
                for t in train.read(e)
                for c in (t, *clauses(t))
            }
        )
        oof.update(zip(held, apply_logistic(w, ngram_matrix(held)).tolist(), strict=False))
    w = train.fit_linear(x, y, 1e-5, 300, 0.02)
    wanted = sorted({c for t in targets for c in (t, *clauses(t))})
    return oof, dict(zip(wanted, apply_logistic(w, ngram_matrix(wanted)).tolist(), strict=False))


if __name__ == "__main__":
    main()
