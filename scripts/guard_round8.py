"""The eighth round's measures: which inputs of the classifier make a better guard (issue 13).

    .venv/bin/python scripts/guard_round8.py [--cache FILE] [--oof] [VARIANT ...]

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
is 0.5 (main's) and the context ones are main's. ``--oof`` adds each variant's 5-fold
cross-validated scores on the tuning split (seen-v2 … seen-v8, folds by group as
scripts/train_guard_intent.py draws them), the whole guard at model thresholds 0.4-0.7.

The embeddings of every text and clause are kept in ``--cache`` (a .npz: texts and vectors) so
that a second run embeds nothing. Nothing else is written.
"""

from __future__ import annotations

import argparse
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
from bouclier.guard.semantic import Reading, SemanticStage

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "scripts"))

import train_guard_intent as train  # noqa: E402
from tune_guard import TUNING  # noqa: E402

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


class Scores:
    """A semantic stage that answers precomputed scores; ``learned`` as TwoStageGuard reads it."""

    def __init__(self, harm: dict[str, float], continues: dict[str, float], learned: bool):
        self.scores = {"": harm, "continues_": continues}
        self.reads_lexicons = learned

    def load(self) -> None:
        pass

    def read(self, texts: Sequence[str]) -> Reading:
        harm = np.array([self.scores[""][t] for t in texts])
        continues = np.array([self.scores["continues_"][t] for t in texts])
        return Reading(harm, continues)


def run_guard(
    examples: list[Example], harm: dict[str, float], continues: dict[str, float], learned: bool
) -> Evaluation:
    semantic = Scores(harm, continues, learned)
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
    parser.add_argument("--oof", action="store_true", help="also cross-validate on the tuning split")
    parser.add_argument("--errors", help="print seen-v8's errors of this variant (learned)")
    args = parser.parse_args()
    names = [n for n in TRAINING if n != SCORED]
    training = [e for n in names for e in load_corpus(train.CORPUS / f"{n}.jsonl")]
    scored = [e for e in load_corpus(train.CORPUS / f"{SCORED}.jsonl") if e.lang in COVERAGE]
    every = [e for n in TRAINING for e in load_corpus(train.CORPUS / f"{n}.jsonl")]
    vectors = Vectors(args.cache)
    vectors.ensure([t for e in every for t in train.read(e)])
    heads = train.samples(training)
    read = sorted({t for e in scored for t in train.read(e)})
    follow = heads["continues_"]
    fitted = train.fit(vectors.inputs(follow.texts, "use"), np.array(follow.labels), 16)
    continues = dict(zip(read, train.predict(fitted, vectors.inputs(read, "use")).tolist()))
    harm_head = heads[""]
    print(f"trained on {len(training)} examples without {SCORED}; scored {len(scored)} prompts")
    print("| inputs, decision | P | R | FPR | FP | FN | lowest recall |\n|---|---|---|---|---|---|---|")
    for variant in args.variants:
        x = vectors.inputs(harm_head.texts, variant)
        params = train.fit(x, np.array(harm_head.labels), 64)
        harm = dict(zip(read, train.predict(params, vectors.inputs(read, variant)).tolist()))
        for learned in (False, True):
            result = run_guard(scored, harm, continues, learned)
            print(line(f"{variant}, {'learned' if learned else 'or'}", result), flush=True)
            if learned and variant == args.errors:
                for example, decision in result.errors:
                    print(f"  {example.lang} {example.label} {dict(decision.stages)['model']:.2f}"
                          f" {example.text[:110]!r}")
    if args.oof:
        cross_validate(every, vectors, args.variants)


def cross_validate(every: list[Example], vectors: Vectors, variants: Sequence[str]) -> None:
    heads = train.samples(every)
    fold_of = train.folds(every)
    tuning = [
        e for n in TUNING for e in load_corpus(train.CORPUS / f"{n}.jsonl") if e.lang in COVERAGE
    ]
    read_all = sorted({t for e in tuning for t in train.read(e)})
    origin_of = {}
    for i, e in enumerate(every):
        for t in train.read(e):
            origin_of.setdefault(t, fold_of[i])
    scores: dict[str, dict[str, float]] = {}
    for variant in ["use", *variants] if "use" not in variants else variants:
        scores[variant] = {}
    follow = heads["continues_"]
    follow_fold = fold_of[np.array(follow.origin)]
    continues: dict[str, float] = {}
    harm_fold = fold_of[np.array(heads[""].origin)]
    for fold in range(train.FOLDS):
        keep = follow_fold != fold
        p = train.fit(vectors.inputs(follow.texts, "use")[keep], np.array(follow.labels)[keep], 16)
        held = [t for t in read_all if origin_of[t] == fold]
        continues.update(zip(held, train.predict(p, vectors.inputs(held, "use")).tolist()))
        for variant in scores:
            x = vectors.inputs(heads[""].texts, variant)
            keep = harm_fold != fold
            p = train.fit(x[keep], np.array(heads[""].labels)[keep], 64)
            scores[variant].update(
                zip(held, train.predict(p, vectors.inputs(held, variant)).tolist())
            )
        print(f"fold {fold} done", flush=True)
    print(f"tuning split, out of fold ({len(tuning)} prompts):")
    print("| inputs, decision, threshold | P | R | FPR | FP | FN | lowest recall |")
    print("|---|---|---|---|---|---|---|")
    for variant, harm in scores.items():
        for learned in (False, True):
            for threshold in (0.4, 0.5, 0.6, 0.7):
                stages.MODEL_THRESHOLD = threshold
                result = run_guard(tuning, harm, continues, learned)
                kind = "learned" if learned else "or"
                print(line(f"{variant}, {kind}, {threshold}", result), flush=True)
    stages.MODEL_THRESHOLD = 0.5


if __name__ == "__main__":
    main()
