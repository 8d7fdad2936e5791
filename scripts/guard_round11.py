"""The eleventh round's estimate: intent-10 and intent-11 side by side, files held out (issue 13).

    .venv/bin/python scripts/guard_round11.py [--cache FILE] [--scores FILE] [--errors]

No held-out file is on the branch (heldout-v11 is spent: seen-v11), so, as the tenth round did
(scripts/guard_round10.py), each guard is measured on the **hand-written** training files
(scripts/train_guard_intent.py's ``WRITTEN``, seen-v2 … seen-v11) by a cross-validation whose
folds hold **whole files** out (seen-v2 and seen-v7, seen-v3 and seen-v8, seen-v4 and seen-v9,
seen-v5 and seen-v10, seen-v6 and seen-v11), the generated rows by their bank phrase. For each
fold the harm head, the follow-up head and the n-gram model are trained on the other folds, the
stacker (intent-10's: features.STACK_INPUTS_10) on the other folds' hand-written prompts scored
out of fold; the whole guard (bouclier.guard.stages, main's thresholds) is then run on the
fold's hand-written prompts in covered languages.

Two guards, on the same folds and the same scores:

* ``intent-10``: intent-10's recipe and the tenth round's rules;
* ``intent-11``: the same scores with the eleventh round's rules (bouclier.guard.eleventh:
  clothes made to vanish or see-through, idioms for naked, a hypothetical or scripted frame, an
  excuse, a follow-up asking for the same, a victim or parent asking for help).

The eleventh round's rules were written after reading seen-v11's errors (heldout-v11, the tenth
round's one-time measure), so seen-v11's line is in-sample for them and seen-v2 … seen-v10's is
the estimate. Nothing is written but the embedding cache and ``--scores``.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

os.environ.setdefault("OMP_NUM_THREADS", "2")

import numpy as np

from bouclier.guard import stages
from bouclier.guard.decision import Action, GuardDecision
from bouclier.guard.evaluation import TRAINING, Example, Metrics, load_corpus
from bouclier.guard.language import COVERAGE
from bouclier.guard.semantic import Reading

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "scripts"))

import train_guard_intent as train  # noqa: E402

GUARDS = ("intent-10", "intent-11")
SEEN_LAST = "seen-v11"


class Scores:
    """A semantic stage answering given scores (the fold's models'), with the tenth round's
    rules; ``eleventh``: the eleventh round's too (bouclier.guard.stages reads them as
    SemanticStage.tenth and SemanticStage.eleventh)."""

    def __init__(self, harm: dict[str, float], continues: dict[str, float], eleventh: bool) -> None:
        self.harm, self.continues, self.eleventh = harm, continues, eleventh
        self.tenth = True
        self.reads_lexicons = True

    def load(self) -> None:
        pass

    def read(self, texts: Sequence[str]) -> Reading:
        return Reading(
            np.array([self.harm[t] for t in texts]), np.array([self.continues[t] for t in texts])
        )


def file_folds(examples: list[Example], origin: list[str]) -> np.ndarray:
    """The fold of each example: a hand-written file's whole, the generated rows by group."""
    fold_of = train.folds(examples)
    for i, name in enumerate(origin):
        if name in train.WRITTEN:
            fold_of[i] = train.WRITTEN.index(name) % train.FOLDS
    return fold_of


Embedded = train.Embeddings


def decide(examples: list[Example], semantic: Scores) -> list[GuardDecision]:
    guard = stages.TwoStageGuard(semantic=semantic, uncovered=Action.ALLOW)  # type: ignore[arg-type]
    return [guard.check(e.text, context=e.context) for e in examples]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cache", type=Path, help="embeddings kept here between runs (.npz)")
    parser.add_argument("--errors", action="store_true", help="print intent-10's errors")
    parser.add_argument(
        "--scores",
        type=Path,
        help="the models' out-of-fold scores kept here (JSON): rerun the guards alone on them",
    )
    args = parser.parse_args()
    examples, origin = [], []
    for name in TRAINING:
        for e in load_corpus(train.CORPUS / f"{name}.jsonl"):
            examples.append(e)
            origin.append(name)
    fold_of = file_folds(examples, origin)
    written = [
        i for i, (e, n) in enumerate(zip(examples, origin, strict=True))
        if n in train.WRITTEN and e.lang in COVERAGE
    ]  # fmt: skip
    if args.scores is not None and args.scores.exists():
        continues, ten = json.loads(args.scores.read_text(encoding="utf-8"))
        guards(examples, origin, written, ten, continues, args.errors)
        return
    heads = train.samples(examples)
    vectors = Embedded([t for e in examples for t in train.read(e)], args.cache)
    harm_head, follow = heads[""], heads["continues_"]
    x, y = vectors.of(harm_head.texts), np.array(harm_head.labels)
    grams = train.ngram_matrix(harm_head.texts)
    harm_fold = fold_of[np.array(harm_head.origin)]
    xf, yf = vectors.of(follow.texts), np.array(follow.labels)
    follow_fold = fold_of[np.array(follow.origin)]
    # Level one: each fold's texts scored by the harm head, the n-gram model and the follow-up
    # head trained on the other folds (the stacker's inputs, and the guard's follow-up reading).
    oof = train.Scored()
    continues: dict[str, float] = {}
    for fold in range(train.FOLDS):
        keep = harm_fold != fold
        harm_params = train.fit(x[keep], y[keep], train.HIDDEN[""])
        gram_w = train.fit_ngram(grams[keep], y[keep])
        follow_params = train.fit(
            xf[follow_fold != fold], yf[follow_fold != fold], train.HIDDEN["continues_"]
        )
        held = sorted(
            {t for i, f in enumerate(fold_of) if f == fold for t in train.read(examples[i])}
        )
        oof.add(harm_params, gram_w, vectors, held)
        continues.update(
            zip(held, train.predict(follow_params, vectors.of(held)).tolist(), strict=True)
        )
        print(f"fold {fold}: models trained, {len(held)} texts scored", flush=True)
    # Level two: the stacker of each recipe, trained on the other folds' hand-written prompts.
    stack = train.samples([examples[i] for i in written])[""]
    stack_fold = fold_of[np.array(written)][np.array(stack.origin)]
    labels = np.array(stack.labels)
    train.TENTH = True
    oof.lexical = {}
    inputs = oof.rows(stack.texts)
    stacked: dict[str, float] = {}
    for fold in range(train.FOLDS):
        w = train.fit_stack(inputs[stack_fold != fold], labels[stack_fold != fold])
        held = sorted({t for i in written if fold_of[i] == fold for t in train.read(examples[i])})
        stacked.update(zip(held, train.apply_linear(w, oof.rows(held)).tolist(), strict=True))
    if args.scores is not None:
        kept = [continues, stacked]
        args.scores.write_text(json.dumps(kept, ensure_ascii=False), encoding="utf-8")
    guards(examples, origin, written, stacked, continues, args.errors)


def guards(
    examples: list[Example],
    origin: list[str],
    written: list[int],
    stacked: dict[str, float],
    continues: dict[str, float],
    errors: bool,
) -> None:
    """The three guards on the hand-written prompts, read by the scores of the fold that held
    each out, and the report."""
    chosen = [examples[i] for i in written]
    files = [origin[i] for i in written]
    decisions = {
        name: decide(chosen, Scores(stacked, continues, name == "intent-11")) for name in GUARDS
    }
    report(chosen, files, decisions, errors)


def _metrics(
    rows: Sequence[tuple[Example, GuardDecision]], review_refuses: bool = False
) -> Metrics:
    m = Metrics()
    for e, d in rows:
        held = d.refused or (review_refuses and d.decision is Action.REVIEW)
        m.add(e.label, "refuse" if held else "allow")
    return m


def _cell(m: Metrics) -> str:
    return f"{m.precision:.3f} / {m.recall:.3f}"


def report(
    chosen: list[Example],
    files: list[str],
    decisions: dict[str, list[GuardDecision]],
    errors: bool,
) -> None:
    pairs = {name: list(zip(chosen, found, strict=True)) for name, found in decisions.items()}
    head = " | ".join(GUARDS)
    print(f"\n| set | n | {head} (P / R) |\n|---|---|" + "---|" * len(GUARDS))
    sets: dict[str, Callable[[int], bool]] = {
        "seen-v2 … seen-v10 (the estimate)": lambda i: files[i] != SEEN_LAST,
        "seen-v11 (its errors read)": lambda i: files[i] == SEEN_LAST,
        "all hand-written": lambda i: True,
    }
    for label, keep in sets.items():
        n = sum(keep(i) for i in range(len(chosen)))
        cells = " | ".join(
            _cell(_metrics([p for i, p in enumerate(pairs[g]) if keep(i)])) for g in GUARDS
        )
        held = " | ".join(
            _cell(_metrics([p for i, p in enumerate(pairs[g]) if keep(i)], True)) for g in GUARDS
        )
        print(f"| {label} | {n} | {cells} |")
        print(f"| {label}, refused or review | {n} | {held} |")
    for label, keep in list(sets.items())[:2]:
        print(f"\n{label}: FP / FN / review (harmful, allowed) per guard")
        for g in GUARDS:
            rows = [p for i, p in enumerate(pairs[g]) if keep(i)]
            m = _metrics(rows)
            rev = [e.label for e, d in rows if d.decision is Action.REVIEW]
            print(
                f"  {g}: FP {m.fp} FN {m.fn} FPR {m.fpr:.3f}; review "
                f"{rev.count('refuse')} harmful, {rev.count('allow')} allowed"
            )
    print(f"\n| file | n | {head} (P / R) |\n|---|---|" + "---|" * len(GUARDS))
    spread: dict[str, list[tuple[float, float]]] = {g: [] for g in GUARDS}
    for name in train.WRITTEN:
        index = [i for i, f in enumerate(files) if f == name]
        found = []
        for g in GUARDS:
            m = _metrics([pairs[g][i] for i in index])
            found.append(_cell(m))
            if name != SEEN_LAST:
                spread[g].append((m.precision, m.recall))
        print(f"| {name} | {len(index)} | {' | '.join(found)} |")
    print("\nper file, seen-v2 … seen-v10: mean ± sd (min-max) of precision, then of recall")
    for g in GUARDS:
        for k, what in enumerate(("P", "R")):
            v = [s[k] for s in spread[g]]
            print(
                f"  {g} {what}: {statistics.mean(v):.3f} ± {statistics.stdev(v):.3f} "
                f"({min(v):.3f}-{max(v):.3f})"
            )
    langs = sorted({e.lang for e in chosen})
    for label, keep in list(sets.items())[:2]:
        print(
            f"\n{label}, per language (P / R)\n| lang | n | {head} |\n|---|---|"
            + "---|" * len(GUARDS)
        )
        for lang in langs:
            index = [i for i, e in enumerate(chosen) if e.lang == lang and keep(i)]
            cells = " | ".join(_cell(_metrics([pairs[g][i] for i in index])) for g in GUARDS)
            print(f"| {lang} | {len(index)} | {cells} |")
    changed = [
        (e, a, b)
        for e, a, b in zip(chosen, decisions["intent-10"], decisions["intent-11"], strict=True)
        if a.decision is not b.decision
    ]
    print(f"\n{len(changed)} prompts answered differently by intent-11 than by intent-10:")
    for e, a, b in changed:
        right = "right" if (b.refused == (e.label == "refuse")) else "WRONG"
        print(
            f"  {right} {e.lang} {e.label}: {a.decision.value} -> {b.decision.value} "
            f"{e.text[:90]!r}{' (ctx)' if e.context else ''}"
        )
    if errors:
        print("\nintent-11's errors:")
        for e, d in pairs["intent-11"]:
            if d.refused != (e.label == "refuse"):
                print(
                    f"  {e.lang} {e.label} {d.decision.value} {dict(d.stages)['model']:.2f} "
                    f"{e.text[:100]!r}{' (ctx)' if e.context else ''}"
                )


if __name__ == "__main__":
    main()
