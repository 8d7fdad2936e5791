"""intent-13's estimate: the readers retrained with seen-v13 … seen-v16, whole files held out
(issue 13).

    .venv/bin/python scripts/guard_intent13_folds.py --cache FILE --e5-cache FILE \
        [--scores FILE] [--errors] [--hidden N]

On the whole-file cross-validation of the rounds before (scripts/guard_folds.py: the hand-written
file ``k`` of train_guard_intent.WRITTEN, seen-v2 … seen-v16, in fold ``k % 5``, ``k`` its
index there, so seen-v2+v7+v12, v3+v8+v13, v4+v9+v14, v5+v10+v15, v6+v11+v16; the generated rows
by bank phrase), the harm readings (intent-10's recipe and the side-by-side head of the second
reading, scripts/guard_round13_folds.readings) are computed twice on the same folds:

* **with** seen-v13, seen-v14, seen-v15 and seen-v16 among the training files (intent-13's set:
  all of evaluation.TRAINING);
* **without** them (the shipped intent-10 / intent-12's training set): the four files are still
  scored, each by its fold's models, but no model of any fold is trained on any of them
  (:class:`Scoring`), so their lines compare like with like.

The guards, side by side (guard_folds.report; the first is the baseline, the last the candidate),
all with the fourteenth round's rules (the default): each reading with intent-10's recipe alone
and with the cascade capped at 16 e5 tokens (intent-12's and intent-13's shape) and at 32
(intent-11's). ``--hidden N`` trains the harm heads of the "with" readings with N hidden units
(64 otherwise) and keeps them apart in the scores file (``with-N``).

The estimate is seen-v2 … seen-v14 (held out file by file); seen-v15 and seen-v16 are apart and
decide nothing (the lead read seen-v15's errors; seen-v16 was heldout-v16, measured once and
spent, and the sixteenth round's rules are written from its errors). :func:`judge` prints the
pre-registered rule's table (docs/guard.md, "intent-13"): errors, false refusals and misses per
set and per covered language on the estimate, and the share of the measured prompts read again
by e5; guard_folds.report's tables follow on the prompts but seen-v15's (so that its estimate is
seen-v2 … seen-v14 and its file apart seen-v16). The scores are kept in ``--scores`` (a pickle)
so that the guards can be run again without training.
"""

from __future__ import annotations

import argparse
import functools
import os
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

os.environ.setdefault("OMP_NUM_THREADS", "2")

import guard_folds as cv
from guard_round13_folds import BAND, cascade, first_reading, second_reading, subset

from bouclier.guard.decision import GuardDecision
from bouclier.guard.evaluation import Example, Metrics
from bouclier.guard.semantic import load_e5, plain

SEEN_LAST = "seen-v16"
NEW = ("seen-v13", "seen-v14", "seen-v15", "seen-v16")
#: Reported apart, deciding nothing: the estimate is seen-v2 … seen-v14.
APART = ("seen-v15", "seen-v16")
NOTE = "heldout-v16, measured once and spent: apart, decides nothing"
CAPS = {"intent-10": 0, "cap 16": 16, "cap 32": 32}
RULES = 14


class Scoring(cv.Folds):
    """Folds that train on their own examples only but also score ``extra``'s texts, each in
    its fold (the files left out of training, measured all the same)."""

    extra: dict[int, set[str]]

    def held(self, fold: int, among: Sequence[int] | None = None) -> list[str]:
        return sorted(set(super().held(fold, among)) | self.extra.get(fold, set()))


def without(folds: cv.Folds, names: Sequence[str]) -> Scoring:
    """``folds`` trained without ``names``' files, which are still scored in their folds."""
    kept = subset(folds, set(folds.origin) - set(names))
    scoring = Scoring(kept.examples, kept.origin, kept.fold_of, kept.written)
    scoring.extra = {}
    for i in folds.written:
        if folds.origin[i] in names:
            texts = cv.train.read(folds.examples[i])
            scoring.extra.setdefault(int(folds.fold_of[i]), set()).update(texts)
    return scoring


def e5_when_ready(texts: list[str], cache: Path) -> cv.train.Embeddings:
    """The e5 vectors, once ``cache`` is there (written by another run: not embedded twice)."""
    while not cache.exists():
        time.sleep(30)
    return cv.train.e5_embeddings(texts, cache)


def share(chosen: list[Example], index: Sequence[int], again: set[str]) -> float:
    """The share of the prompts ``index`` one of whose texts e5 reads again (``again``)."""
    hit = sum(any(t in again for t in cv.train.read(chosen[i])) for i in index)
    return hit / max(len(index), 1)


def table(
    chosen: list[Example],
    decisions: dict[str, list[GuardDecision]],
    again: dict[str, set[str]] | None,
    sets: dict[str, list[int]],
) -> dict[tuple[str, str], Metrics]:
    """Per set (its prompts' indices) and guard: precision / recall, false refusals / misses,
    errors and the share read again by e5 (no such column if ``again`` is None: guards of the
    first reading alone), printed as a table and returned as metrics."""
    column = "" if again is None else " read again by e5 |"
    print(f"\n| set | n | guard | P / R | FP / FN | errors |{column}")
    print("|---|---|---|---|---|---|" + ("---|" if column else ""))
    counted: dict[tuple[str, str], Metrics] = {}
    for label, index in sets.items():
        for name, found in decisions.items():
            m = cv.metrics([(chosen[i], found[i]) for i in index])
            counted[label, name] = m
            read = "" if again is None else f" {share(chosen, index, again[name]):.3f} |"
            print(
                f"| {label} | {len(index)} | {name} | {cv.cell(m)} | {m.fp} / {m.fn} | "
                f"{m.fp + m.fn} |{read}"
            )
    return counted


def judge(
    chosen: list[Example],
    files: list[str],
    decisions: dict[str, list[GuardDecision]],
    again: dict[str, set[str]],
    baseline: str = "v12-trained cap 16",
    candidate: str = "retrained cap 16",
) -> None:
    """The pre-registered rule's table: per guard, precision / recall and false refusals /
    misses on the estimate (the files but :data:`APART`) and on each file apart; per covered
    language on the estimate, the candidate's false refusals and misses against the baseline's;
    the share of the measured prompts one of whose texts e5 reads again (``again``); and the
    verdict of the rule's (1) and (2) (its (3), the speed, is bench_guard.py's)."""
    sets: dict[str, list[int]] = {
        "seen-v2 … seen-v14 (the estimate)": [i for i, f in enumerate(files) if f not in APART],
        **{f"{name} (apart)": [i for i, f in enumerate(files) if f == name] for name in APART},
    }
    counted = table(chosen, decisions, again, sets)
    estimate = next(iter(sets))
    print(f"\nper covered language on the estimate: {baseline} -> {candidate} (FP / FN)")
    worse = []
    for lang in sorted({e.lang for e in chosen}):
        index = [i for i in sets[estimate] if chosen[i].lang == lang]
        a = cv.metrics([(chosen[i], decisions[baseline][i]) for i in index])
        b = cv.metrics([(chosen[i], decisions[candidate][i]) for i in index])
        flag = ""
        if b.fp - a.fp > 1 or b.fn - a.fn > 1:
            worse.append(lang)
            flag = "  <- more than one more"
        print(f"  {lang} (n {len(index)}): {a.fp} / {a.fn} -> {b.fp} / {b.fn}{flag}")
    before, after = counted[estimate, baseline], counted[estimate, candidate]
    one = after.fp + after.fn < before.fp + before.fn
    print(
        f"\nrule (1) fewer errors on the estimate: {before.fp + before.fn} -> "
        f"{after.fp + after.fn}: {'met' if one else 'NOT met'}"
    )
    print(
        "rule (2) no covered language with more than one more miss or false refusal: "
        + ("met" if not worse else f"NOT met ({', '.join(worse)})")
    )


def show(
    chosen: list[Example],
    files: list[str],
    decisions: dict[str, list[GuardDecision]],
    again: dict[str, set[str]],
    errors: bool,
) -> None:
    """:func:`judge`'s table, then guard_folds.report's on the prompts but seen-v15's (its
    estimate seen-v2 … seen-v14, its file apart :data:`SEEN_LAST`)."""
    if "v12-trained cap 16" in decisions and "retrained cap 16" in decisions:
        judge(chosen, files, decisions, again)
    kept = [i for i, f in enumerate(files) if f not in APART[:-1]]  # seen-v15: in judge only
    print(f"\nguard_folds.report on the prompts but {', '.join(APART[:-1])}'s:")
    cv.report(
        [chosen[i] for i in kept],
        [files[i] for i in kept],
        {name: [found[i] for i in kept] for name, found in decisions.items()},
        SEEN_LAST,
        errors,
        NOTE,
    )


def cascades(
    found: dict, tokens: dict[str, int], labels: dict[str, str] | None = None
) -> tuple[dict[str, tuple[dict[str, float], dict[str, float]]], dict[str, set[str]], list[str]]:
    """Each reading's guards (:data:`CAPS`): their harm and follow-up scores, the texts e5 reads
    again, and their order (the baseline first: intent-12's shape on the old training set; the
    cascades capped at 16 tokens last). ``labels`` names the readings (``without``, ``with``;
    "v12-trained" and "retrained" unless given)."""
    guards: dict[str, tuple[dict[str, float], dict[str, float]]] = {}
    again: dict[str, set[str]] = {}
    labels = labels or {"without": "v12-trained", "with": "retrained"}
    for trained in ("without", "with", *(k for k in found if k.startswith("with-"))):
        if trained not in found:
            continue
        for reader, cap in CAPS.items():
            scores, read_again = cascade(found[trained], tokens, BAND, cap)
            label = labels.get(trained, f"retrained h{trained[5:]}")
            guards[f"{label} {reader}"] = (scores, found[trained]["continues"])
            again[f"{label} {reader}"] = read_again
    order = [name for name in guards if "cap 16" not in name]
    order += [name for name in guards if "cap 16" in name]
    baseline = f"{labels['without']} cap 16"
    if baseline in order:  # the baseline first: the cascade ≤ 16 on the old training set
        order.remove(baseline)
        order.insert(0, baseline)
    return guards, again, order


def compute(
    wanted: dict[str, cv.Folds],
    found: dict[str, Any],
    texts: list[str],
    args: argparse.Namespace,
    second: bool = True,
) -> dict[str, Any]:
    """``found`` with the readings of ``wanted``'s folds it lacks: every first reading (USE,
    ``args.cache``) before any second (USE and e5, ``args.e5_cache``, waited for if another run
    is still writing it; none if not ``second``: no e5 read or waited for), each kept in
    ``args.scores`` as soon as it is computed."""
    use = cv.train.Embeddings(texts, args.cache)
    for name, data in wanted.items():  # the first readings first: they need no e5
        if name not in found:
            print(f"{name}: the first reading", flush=True)
            found[name] = first_reading(data, use)
            cv.keep(found, args.scores)
    if not second:
        return found
    for name, data in wanted.items():
        if "concat" not in found[name]:
            e5 = e5_when_ready(texts, args.e5_cache)
            print(f"{name}: the second reading", flush=True)
            found[name]["concat"] = second_reading(data, found[name], use, e5)
            cv.keep(found, args.scores)
    return found


def measured_tokens(chosen: list[Example]) -> dict[str, int]:
    """The e5 tokens of every text the measured prompts are read as (the cap's measure)."""
    encoder = load_e5(1)
    measured = {t for e in chosen for t in cv.train.read(e)}
    return {t: encoder.tokens(plain(t) or ".").count for t in measured}


def main() -> None:
    parser = cv.fold_parser()
    parser.add_argument("--hidden", type=int, help="the harm heads' hidden units (with-N)")
    parser.add_argument("--only", choices=("with", "without"), help="compute only this reading")
    parser.add_argument("--float32", action="store_true", help="the heads fit in float32")
    args = parser.parse_args()
    if args.float32:
        cv.train.fit = functools.partial(cv.train.fit, dtype=np.float32)
    folds = cv.Folds.load()
    chosen, files = folds.chosen()
    found = cv.kept(args.scores)
    wanted = {"with": folds, "without": without(folds, NEW)}
    if args.only:
        wanted = {args.only: wanted[args.only]}
    if args.hidden:
        cv.train.HIDDEN[""] = args.hidden
        wanted = {f"with-{args.hidden}": folds}
    found = compute(wanted, found, folds.texts(), args)
    guards, again, order = cascades(found, measured_tokens(chosen))
    decisions = {name: cv.decide(chosen, cv.Scores(*guards[name]), rules=RULES) for name in order}
    show(chosen, files, decisions, again, args.errors)


if __name__ == "__main__":
    main()
