"""The whole-file cross-validation the guard's rounds are estimated by (issue 13).

Shared by scripts/guard_round10.py, guard_round11.py and guard_round12.py. No held-out file is on
a round's branch, so a guard is measured on the **hand-written** training files
(scripts/train_guard_intent.py's ``WRITTEN``: free sentences as users write them) by a
cross-validation whose folds hold **whole files** out (file ``k`` of ``WRITTEN`` in fold
``k % FOLDS``), the generated rows by their bank phrase (train_guard_intent.folds). For each fold
the harm head, the follow-up head and the n-gram model are trained on the other folds
(:func:`level_one`), the stacker on the other folds' hand-written prompts scored out of fold
(:func:`level_two`); the whole guard (bouclier.guard.stages, main's thresholds) is then run on
the fold's hand-written prompts in covered languages (:func:`decide`) and :func:`report` prints
the guards side by side. A file's prompts are thus never scored by a model that saw a prompt
written by the same hand in the same sitting.
"""

from __future__ import annotations

import argparse
import pickle
import statistics
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from bouclier.guard import stages
from bouclier.guard.decision import Action, GuardDecision
from bouclier.guard.evaluation import TRAINING, Example, Metrics, load_corpus
from bouclier.guard.language import COVERAGE
from bouclier.guard.semantic import Reading

sys.path.insert(0, str(Path(__file__).resolve().parent))

import train_guard_intent as train


class Vectors(Protocol):
    """Embeddings of texts (train_guard_intent.Embeddings, or several side by side)."""

    def of(self, texts: list[str]) -> np.ndarray: ...


class Scores:
    """A semantic stage answering given scores (the fold's models'); ``tenth``, ``eleventh``:
    which rounds' rules bouclier.guard.stages applies (it reads them as SemanticStage.tenth and
    SemanticStage.eleventh)."""

    def __init__(
        self,
        harm: dict[str, float],
        continues: dict[str, float],
        *,
        tenth: bool = True,
        eleventh: bool = True,
    ) -> None:
        self.harm, self.continues = harm, continues
        self.tenth, self.eleventh = tenth, eleventh
        self.reads_lexicons = True

    def load(self) -> None:
        pass

    def read(self, texts: Sequence[str]) -> Reading:
        return Reading(
            np.array([self.harm[t] for t in texts]), np.array([self.continues[t] for t in texts])
        )


@dataclass
class Folds:
    """Every training example, the file it comes from, its fold, and the hand-written ones in
    covered languages (the prompts the guards are measured on)."""

    examples: list[Example]
    origin: list[str]
    fold_of: np.ndarray
    written: list[int]

    @classmethod
    def load(cls) -> Folds:
        examples, origin = [], []
        for name in TRAINING:
            for e in load_corpus(train.CORPUS / f"{name}.jsonl"):
                examples.append(e)
                origin.append(name)
        fold_of = train.folds(examples)
        for i, name in enumerate(origin):
            if name in train.WRITTEN:
                fold_of[i] = train.WRITTEN.index(name) % train.FOLDS
        written = [
            i for i, (e, n) in enumerate(zip(examples, origin, strict=True))
            if n in train.WRITTEN and e.lang in COVERAGE
        ]  # fmt: skip
        return cls(examples, origin, fold_of, written)

    def texts(self) -> list[str]:
        """Every text the guard reads for an example (train_guard_intent.read)."""
        return [t for e in self.examples for t in train.read(e)]

    def held(self, fold: int, among: Sequence[int] | None = None) -> list[str]:
        """The texts the guard reads for the examples of ``fold`` (of ``among`` if given)."""
        index = range(len(self.examples)) if among is None else among
        return sorted(
            {t for i in index if self.fold_of[i] == fold for t in train.read(self.examples[i])}
        )

    def chosen(self) -> tuple[list[Example], list[str]]:
        """The measured examples and their files."""
        return [self.examples[i] for i in self.written], [self.origin[i] for i in self.written]


def harm_out_of_fold(folds: Folds, vectors: Vectors) -> dict[str, float]:
    """Each text's score by the harm head trained, on ``vectors``, on the other folds."""
    head = train.samples(folds.examples, train.PADDING, train.PADDING_REFUSED)[""]
    x, y = vectors.of(head.texts), np.array(head.labels)
    head_fold = folds.fold_of[np.array(head.origin)]
    scores: dict[str, float] = {}
    for fold in range(train.FOLDS):
        params = train.fit(x[head_fold != fold], y[head_fold != fold], train.HIDDEN[""])
        held = folds.held(fold)
        scores.update(zip(held, train.predict(params, vectors.of(held)).tolist(), strict=True))
    return scores


def level_one(folds: Folds, vectors: train.Embeddings) -> tuple[train.Scored, dict[str, float]]:
    """Each fold's texts scored by the harm head, the n-gram model and the follow-up head trained
    on the other folds: the stacker's inputs, and the guard's follow-up reading."""
    heads = train.samples(folds.examples, train.PADDING, train.PADDING_REFUSED)
    harm_head, follow = heads[""], heads["continues_"]
    y = np.array(harm_head.labels)
    grams = train.ngram_matrix(harm_head.texts)
    harm_fold = folds.fold_of[np.array(harm_head.origin)]
    xf, yf = vectors.of(follow.texts), np.array(follow.labels)
    follow_fold = folds.fold_of[np.array(follow.origin)]
    oof = train.Scored()
    oof.harm = harm_out_of_fold(folds, vectors)
    continues: dict[str, float] = {}
    for fold in range(train.FOLDS):
        gram_w = train.fit_ngram(grams[harm_fold != fold], y[harm_fold != fold])
        follow_params = train.fit(
            xf[follow_fold != fold], yf[follow_fold != fold], train.HIDDEN["continues_"]
        )
        held = folds.held(fold)
        oof.gram.update(
            zip(held, train.apply_linear(gram_w, train.ngram_matrix(held)).tolist(), strict=True)
        )
        continues.update(
            zip(held, train.predict(follow_params, vectors.of(held)).tolist(), strict=True)
        )
        print(f"fold {fold}: models trained, {len(held)} texts scored", flush=True)
    return oof, continues


def level_two(
    folds: Folds, oof: train.Scored, extra: Sequence[dict[str, float]] = ()
) -> dict[str, float]:
    """The stacker of each fold, trained on the other folds' hand-written prompts, on
    ``oof``'s inputs (and ``extra`` columns: one more score of each text), and its score of the
    fold's hand-written texts."""

    def rows(texts: list[str]) -> np.ndarray:
        return np.column_stack([oof.rows(texts), *([s[t] for t in texts] for s in extra)])

    stack = train.samples([folds.examples[i] for i in folds.written])[""]
    stack_fold = folds.fold_of[np.array(folds.written)][np.array(stack.origin)]
    inputs, labels = rows(stack.texts), np.array(stack.labels)
    stacked: dict[str, float] = {}
    for fold in range(train.FOLDS):
        w = train.fit_stack(inputs[stack_fold != fold], labels[stack_fold != fold])
        held = folds.held(fold, folds.written)
        stacked.update(zip(held, train.apply_linear(w, rows(held)).tolist(), strict=True))
    return stacked


def decide(
    examples: list[Example], semantic: Scores, rules: int = 11, remainders: bool = True
) -> list[GuardDecision]:
    """The guard's answers with ``semantic``'s scores and the rules of round ``rules`` (11 for
    the rounds before the thirteenth, whose scripts reproduce them; 13: the thirteenth's too);
    ``remainders=False``: without the remainder reading (the twentieth round's), for the scripts
    whose scores hold no remainder's text."""
    guard = stages.TwoStageGuard(
        semantic=semantic,  # type: ignore[arg-type]
        uncovered=Action.ALLOW,
        rules=rules,
        remainders=remainders,
    )
    return [guard.check(e.text, context=e.context) for e in examples]


def metrics(rows: Sequence[tuple[Example, GuardDecision]], review_refuses: bool = False) -> Metrics:
    m = Metrics()
    for e, d in rows:
        held = d.refused or (review_refuses and d.decision is Action.REVIEW)
        m.add(e.label, "refuse" if held else "allow")
    return m


def cell(m: Metrics) -> str:
    return f"{m.precision:.3f} / {m.recall:.3f}"


def _ruled(decision: GuardDecision) -> str:
    """The rules' class that answered (its reason ``rule_<class>``), if any."""
    return next((c[5:] for c in decision.concepts if c.startswith("rule_")), "")


def _changes(
    chosen: list[Example],
    files: list[str],
    answers: tuple[list[GuardDecision], list[GuardDecision]],
    names: tuple[str, str],
    apart: set[str],
) -> None:
    """The prompts the second guard answers differently from the first, with the rules' class
    of each, and the right and wrong ones per class, on the estimate and apart."""
    first, final = names
    changed = [
        (i, e, a, b)
        for i, (e, a, b) in enumerate(zip(chosen, *answers, strict=True))
        if a.decision is not b.decision
    ]
    print(f"\n{len(changed)} prompts answered differently by {final} than by {first}:")
    tally: dict[tuple[str, str], list[int]] = {}
    for i, e, a, b in changed:
        right = b.refused == (e.label == "refuse")
        ruled = _ruled(b) or f"({_ruled(a) or 'model'} undone)"
        where = "apart" if files[i] in apart else "estimate"
        tally.setdefault((ruled, where), [0, 0])[0 if right else 1] += 1
        print(
            f"  {'right' if right else 'WRONG'} {files[i]} {e.lang} {e.label}: "
            f"{a.decision.value} -> {b.decision.value} [{ruled}] "
            f"{e.text[:90]!r}{' (ctx)' if e.context else ''}"
        )
    print("\nchanged answers per class (right / wrong), on the estimate and apart:")
    for (ruled, where), (right, wrong) in sorted(tally.items()):
        print(f"  {ruled} {where}: {right} right, {wrong} wrong")


def report(
    chosen: list[Example],
    files: list[str],
    decisions: dict[str, list[GuardDecision]],
    last: str | Sequence[str],
    errors: bool,
    note: str = "its errors read",
) -> None:
    """The guards side by side (the first is the baseline, the last the round's): pooled over
    the files but ``last`` (the estimate; ``last``: the file, or the files, whose errors the
    round read, their line in-sample for the round's changes) and over ``last`` alone, per fold,
    per file (the spread), per language; the prompts the last guard answers differently from
    the first, with the rules' class of each answer, right and wrong per class on the estimate
    and apart, and with ``errors`` the last guard's errors. ``note`` says what ``last`` is."""
    apart = {last} if isinstance(last, str) else set(last)
    last = last if isinstance(last, str) else " + ".join(last)
    guards = list(decisions)
    pairs = {name: list(zip(chosen, found, strict=True)) for name, found in decisions.items()}
    head = " | ".join(guards)
    rule = "|---|---|" + "---|" * len(guards)
    print(f"\n| set | n | {head} (P / R) |\n{rule}")
    sets: dict[str, Callable[[int], bool]] = {
        f"written files but {last} (the estimate)": lambda i: files[i] not in apart,
        f"{last} ({note})": lambda i: files[i] in apart,
        "all hand-written": lambda i: True,
    }
    for label, keep in sets.items():
        n = sum(keep(i) for i in range(len(chosen)))
        for review, named in ((False, label), (True, f"{label}, refused or review")):
            cells = " | ".join(
                cell(metrics([p for i, p in enumerate(pairs[g]) if keep(i)], review))
                for g in guards
            )
            print(f"| {named} | {n} | {cells} |")
    for label, keep in list(sets.items())[:2]:
        print(f"\n{label}: FP / FN / review (harmful, allowed) per guard")
        for g in guards:
            rows = [p for i, p in enumerate(pairs[g]) if keep(i)]
            m = metrics(rows)
            rev = [e.label for e, d in rows if d.decision is Action.REVIEW]
            print(
                f"  {g}: FP {m.fp} FN {m.fn} FPR {m.fpr:.3f}; review "
                f"{rev.count('refuse')} harmful, {rev.count('allow')} allowed"
            )
    print(f"\n| fold (files) | n | {head} (P / R / FPR) |\n{rule}")
    for fold in range(train.FOLDS):
        names = train.WRITTEN[fold :: train.FOLDS]
        index = [i for i, f in enumerate(files) if f in names]
        found = []
        for g in guards:
            m = metrics([pairs[g][i] for i in index])
            found.append(f"{cell(m)} / {m.fpr:.3f}")
        print(f"| {fold} ({', '.join(names)}) | {len(index)} | {' | '.join(found)} |")
    print(f"\n| file | n | {head} (P / R) |\n{rule}")
    spread: dict[str, list[tuple[float, float]]] = {g: [] for g in guards}
    for name in train.WRITTEN:
        index = [i for i, f in enumerate(files) if f == name]
        found = []
        for g in guards:
            m = metrics([pairs[g][i] for i in index])
            found.append(cell(m))
            if name not in apart:
                spread[g].append((m.precision, m.recall))
        print(f"| {name} | {len(index)} | {' | '.join(found)} |")
    print(f"\nper file but {last}: mean ± sd (min-max) of precision, then of recall")
    for g in guards:
        for k, what in enumerate(("P", "R")):
            v = [s[k] for s in spread[g]]
            print(
                f"  {g} {what}: {statistics.mean(v):.3f} ± {statistics.stdev(v):.3f} "
                f"({min(v):.3f}-{max(v):.3f})"
            )
    langs = sorted({e.lang for e in chosen})
    for label, keep in list(sets.items())[:2]:
        print(f"\n{label}, per language (P / R)\n| lang | n | {head} |\n{rule}")
        for lang in langs:
            index = [i for i, e in enumerate(chosen) if e.lang == lang and keep(i)]
            cells = " | ".join(cell(metrics([pairs[g][i] for i in index])) for g in guards)
            print(f"| {lang} | {len(index)} | {cells} |")
    first, final = guards[0], guards[-1]
    _changes(chosen, files, (decisions[first], decisions[final]), (first, final), apart)
    if errors:
        print(f"\n{final}'s errors:")
        for e, d in pairs[final]:
            if d.refused != (e.label == "refuse"):
                print(
                    f"  {e.lang} {e.label} {d.decision.value} {dict(d.stages)['model']:.2f} "
                    f"{e.text[:100]!r}{' (ctx)' if e.context else ''}"
                )


def fold_parser(e5: bool = True) -> argparse.ArgumentParser:
    """The arguments every folds script takes: the embeddings' caches (no e5 cache if not
    ``e5``: a script of the first reading alone), the out-of-fold scores kept between runs, and
    whether to print the last guard's errors."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--cache", type=Path, required=True, help="USE embeddings (.npz)")
    if e5:
        parser.add_argument("--e5-cache", type=Path, required=True, help="e5 embeddings (.npz)")
    parser.add_argument("--scores", type=Path, help="the out-of-fold scores kept here (pickle)")
    parser.add_argument("--errors", action="store_true", help="print the last guard's errors")
    return parser


def kept(path: Path | None) -> dict[str, Any]:
    """The scores an earlier run kept in ``path`` ({} when there are none)."""
    if path is None or not path.exists():
        return {}
    found: dict[str, Any] = pickle.loads(path.read_bytes())  # noqa: S301 (our own file)
    return found


def keep(found: dict[str, Any], path: Path | None) -> None:
    """The scores so far, kept in ``path`` (a training run is long; the guards are not)."""
    if path is not None:
        path.write_bytes(pickle.dumps(found))
