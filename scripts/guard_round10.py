"""The tenth round's estimate: intent-9 and intent-10 side by side, files held out (issue 13).

    .venv/bin/python scripts/guard_round10.py [--cache FILE] [--errors]

No held-out file is on the branch (heldout-v10 is spent: seen-v10), so each recipe is measured
on the **hand-written** training files (scripts/train_guard_intent.py's ``WRITTEN``, seen-v2 …
seen-v10: free sentences as users write them, not templates) by a cross-validation whose folds
hold **whole files** out: every hand-written file is in one fold (seen-v2 and seen-v7, seen-v3
and seen-v8, seen-v4 and seen-v9, seen-v5 and seen-v10, seen-v6), the generated rows by their
bank phrase (scripts/train_guard_intent.py's folds). For each fold, the harm head, the follow-up
head and the n-gram model are trained on the other folds; the stacker on the other folds'
hand-written prompts, scored by those models out of fold (the recipe of train_guard_intent.py,
one level down); the whole guard (bouclier.guard.stages, main's thresholds) is then run on the
fold's hand-written prompts in covered languages. A file's prompts are thus never scored by a
model that saw a prompt written by the same hand in the same sitting (a 5-fold split by prompt
would let one helper's paraphrases score one another).

Three guards, on the same folds and the same models:

* ``intent-9``: intent-9's recipe (the stacker on features.STACK_INPUTS with the ninth round's
  words) and the ninth round's rules;
* ``10-stacker``: intent-10's stacker (features.STACK_INPUTS_10: the tenth round's words, a
  polite request, a polite request to undress) with the ninth round's rules;
* ``intent-10``: the same stacker with the tenth round's rules (a short follow-up asking for the
  same again after a refused request, stages.AGAIN; the floor's polite requests).

Prints precision and recall (``review`` counted as not refused, as bench_guard's headline, and
counted as refused), per language, per file (the spread), and pooled over seen-v2 … seen-v9 and
over seen-v10 alone: the tenth round's rules and words were written after reading seen-v10's
errors (the ninth round's measure), so seen-v10's line is optimistic for them and seen-v2 …
seen-v9's is the estimate. Nothing is written but the embedding cache.
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

GUARDS = ("intent-9", "10-stacker", "intent-10")
SEEN_LAST = "seen-v10"


class Scores:
    """A semantic stage answering given scores (the fold's models'); ``tenth``: the tenth
    round's rules (bouclier.guard.stages reads it as SemanticStage.tenth)."""

    def __init__(self, harm: dict[str, float], continues: dict[str, float], tenth: bool) -> None:
        self.harm, self.continues, self.tenth = harm, continues, tenth
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
        continues, nine, ten = json.loads(args.scores.read_text(encoding="utf-8"))
        guards(examples, origin, written, {False: nine, True: ten}, continues, args.errors)
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
    stacked: dict[bool, dict[str, float]] = {}
    for tenth in (False, True):
        train.TENTH = tenth
        oof.lexical = {}
        inputs = oof.rows(stack.texts)
        stacked[tenth] = {}
        for fold in range(train.FOLDS):
            w = train.fit_stack(inputs[stack_fold != fold], labels[stack_fold != fold])
            held = sorted(
                {t for i in written if fold_of[i] == fold for t in train.read(examples[i])}
            )
            stacked[tenth].update(
                zip(held, train.apply_linear(w, oof.rows(held)).tolist(), strict=True)
            )
    train.TENTH = True
    if args.scores is not None:
        kept = [continues, stacked[False], stacked[True]]
        args.scores.write_text(json.dumps(kept, ensure_ascii=False), encoding="utf-8")
    guards(examples, origin, written, stacked, continues, args.errors)


def guards(
    examples: list[Example],
    origin: list[str],
    written: list[int],
    stacked: dict[bool, dict[str, float]],
    continues: dict[str, float],
    errors: bool,
) -> None:
    """The three guards on the hand-written prompts, read by the scores of the fold that held
    each out, and the report."""
    chosen = [examples[i] for i in written]
    files = [origin[i] for i in written]
    recipes = {"intent-9": (False, False), "10-stacker": (True, False), "intent-10": (True, True)}
    decisions = {
        name: decide(chosen, Scores(stacked[tenth], continues, rules))
        for name, (tenth, rules) in recipes.items()
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
        "seen-v2 … seen-v9 (the estimate)": lambda i: files[i] != SEEN_LAST,
        "seen-v10 (its errors read)": lambda i: files[i] == SEEN_LAST,
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
    print("\nper file, seen-v2 … seen-v9: mean ± sd (min-max) of precision, then of recall")
    for g in GUARDS:
        for k, what in enumerate(("P", "R")):
            v = [s[k] for s in spread[g]]
            print(
                f"  {g} {what}: {statistics.mean(v):.3f} ± {statistics.stdev(v):.3f} "
                f"({min(v):.3f}-{max(v):.3f})"
            )
    langs = sorted({e.lang for e in chosen})
    for label, keep in list(sets.items())[:2]:
        print(f"\n{label}, per language (P / R)\n| lang | n | {head} |\n|---|---|" + "---|" * 3)
        for lang in langs:
            index = [i for i, e in enumerate(chosen) if e.lang == lang and keep(i)]
            cells = " | ".join(_cell(_metrics([pairs[g][i] for i in index])) for g in GUARDS)
            print(f"| {lang} | {len(index)} | {cells} |")
    changed = [
        (e, a, b)
        for e, a, b in zip(chosen, decisions["intent-9"], decisions["intent-10"], strict=True)
        if a.decision is not b.decision
    ]
    print(f"\n{len(changed)} prompts answered differently by intent-10 than by intent-9:")
    for e, a, b in changed:
        right = "right" if (b.refused == (e.label == "refuse")) else "WRONG"
        print(
            f"  {right} {e.lang} {e.label}: {a.decision.value} -> {b.decision.value} "
            f"{e.text[:90]!r}{' (ctx)' if e.context else ''}"
        )
    if errors:
        print("\nintent-10's errors:")
        for e, d in pairs["intent-10"]:
            if d.refused != (e.label == "refuse"):
                print(
                    f"  {e.lang} {e.label} {d.decision.value} {dict(d.stages)['model']:.2f} "
                    f"{e.text[:100]!r}{' (ctx)' if e.context else ''}"
                )


if __name__ == "__main__":
    main()
