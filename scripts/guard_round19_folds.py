"""Rules 19: the seventeenth round's own classes judged again on the folds of intent-16-first's
"with" arm (issue 13, the nineteenth round).

    .venv/bin/python scripts/guard_round19_folds.py --cache FILE --scores FILE [--changed]

``--scores``: the readings kept by scripts/guard_intent16_folds.py (its "with" arm: intent-10's
recipe alone, seen-v2 … seen-v19 and the generated rows on the whole-file folds). The guard
reads them with rules 17 (the default); each class of round 17 (bouclier.guard.seventeenth's
EXPLAINED, "uncovered" among them) is then left out alone (guard_round14_folds.drop, the stack
kept otherwise) and its **changed answers** counted: the prompts rules 17 answers differently
with the class than without it, **right** where rules 17's answer is right. The pre-registered
rule (docs/guard.md, "The nineteenth round's estimates"): on **seen-v18 + seen-v19**, a class
whose changed answers are more often wrong than right is dropped (ties kept); rules 19 = rules 17
less the dropped classes. The same table on seen-v2 … seen-v14 is reported and decides nothing
(nor do seen-v15 … v17). Then rules 17 against rules 17 less the dropped classes (by ``drop``,
and by ``TwoStageGuard(rules=19)`` once it exists): false refusals, misses and errors on
seen-v18 + seen-v19 and on seen-v2 … seen-v14. ``--changed`` lists each class's changed answers
on seen-v18 + seen-v19.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import replace
from typing import Any

os.environ.setdefault("OMP_NUM_THREADS", "2")

import guard_folds as cv
import guard_round14_folds as r14

from bouclier.guard import eighteenth as rules18
from bouclier.guard import rounds, stages
from bouclier.guard import seventeenth as rules17
from bouclier.guard.decision import Action, GuardDecision
from bouclier.guard.evaluation import Example

RULES = 17
#: The sets the classes are judged on (the rule's), then reported on (deciding nothing).
JUDGED = ("seen-v18", "seen-v19")
REPORTED = tuple(f"seen-v{k}" for k in range(2, 15))


@contextmanager
def without(classes: set[str]) -> Iterator[None]:
    """The rules with ``classes`` left out (guard_round14_folds.drop) inside the block, as they
    were after it (drop patches the modules: it is undone here)."""
    patched = {key: getattr(*key) for key in r14.PREDICATES.values()}
    kept = (rounds.ROUNDS, rules17.DROPS, rules18.DROPS)
    r14.drop(classes)
    try:
        yield
    finally:
        for (module, name), function in patched.items():
            setattr(module, name, function)
        rounds.ROUNDS, rules17.DROPS, rules18.DROPS = kept


@contextmanager
def watched(seen: set[int], key: list[int]) -> Iterator[None]:
    """Round 17's parts (its refusal, allow, veto, follow-up alone, mends) recorded inside the
    block: ``key[0]`` (the prompt being checked) joins ``seen`` when one of them answers."""
    kept = rounds.ROUNDS

    def record(part: Callable[..., Any]) -> Callable[..., Any]:
        def read(*args: Any) -> Any:
            found = part(*args)
            if found:
                seen.add(key[0])
            return found

        return read

    rounds.ROUNDS = tuple(
        replace(
            each,
            refuses=record(each.refuses),
            allows=record(each.allows),
            alone=record(each.alone),
            vetoes=record(each.vetoes),
            mends=record(each.mends),
        )
        if each.number == 17
        else each
        for each in kept
    )
    try:
        yield
    finally:
        rounds.ROUNDS = kept


def answered(rows: list[Example], semantic: cv.Scores) -> tuple[list[GuardDecision], list[int]]:
    """Rules 17's answers, and the prompts one of round 17's parts answered for (dropping any
    of its classes only silences a part that answers: the other prompts' answers stay)."""
    seen: set[int] = set()
    key = [0]
    guard = stages.TwoStageGuard(semantic=semantic, uncovered=Action.ALLOW, rules=RULES)  # type: ignore[arg-type]
    found = []
    with watched(seen, key):
        for k, e in enumerate(rows):
            key[0] = k
            found.append(guard.check(e.text, context=e.context))
    return found, sorted(seen)


def count(
    chosen: list[Example],
    index: Sequence[int],
    less: list[GuardDecision],
    full: list[GuardDecision],
) -> tuple[int, int, list[int]]:
    """The prompts ``index`` answered differently by ``full`` than by ``less``: how many of
    ``full``'s answers are right, how many wrong, and which prompts."""
    changed = [i for i in index if less[i].decision is not full[i].decision]
    right = sum(full[i].refused == (chosen[i].label == "refuse") for i in changed)
    return right, len(changed) - right, changed


def errors(chosen: list[Example], index: Sequence[int], found: list[GuardDecision]) -> str:
    m = cv.metrics([(chosen[i], found[i]) for i in index])
    return f"FP {m.fp} / FN {m.fn} ({m.fp + m.fn} errors), P {m.precision:.3f} / R {m.recall:.3f}"


def main() -> None:
    parser = cv.fold_parser(e5=False)
    parser.add_argument("--changed", action="store_true", help="list the changed answers")
    args = parser.parse_args()
    found = cv.kept(args.scores).get("with")
    if found is None:
        sys.exit(f"no 'with' readings in {args.scores}: run scripts/guard_intent16_folds.py first")
    chosen, files = cv.Folds.load().chosen()
    semantic = cv.Scores(found["use"], found["continues"])
    sets = {
        " + ".join(JUDGED): [i for i, f in enumerate(files) if f in JUDGED],
        "seen-v2 … v14 (reported, deciding nothing)": [
            i for i, f in enumerate(files) if f in REPORTED
        ],
    }
    measured = sorted(i for index in sets.values() for i in index)
    rows = [chosen[i] for i in measured]
    place = {i: k for k, i in enumerate(measured)}
    sets = {label: [place[i] for i in index] for label, index in sets.items()}
    full, touched = answered(rows, semantic)
    assert [d.decision for d in full] == [d.decision for d in cv.decide(rows, semantic, RULES)]
    judged, reported = sets.values()
    print(f"round 17's parts answer for {len(touched)} of the {len(rows)} prompts")
    print(f"rules {RULES}, 'with' readings: {len(judged)} prompts judged, {len(reported)} reported")
    print("\n| class of round 17 | seen-v18 + v19: right / wrong | seen-v2 … v14: right / wrong |")
    print("|---|---|---|")
    dropped, listed = [], {}
    for name in rules17.EXPLAINED:
        less = list(full)
        with without({name}):
            answers = cv.decide([rows[i] for i in touched], semantic, rules=RULES)
        for i, d in zip(touched, answers, strict=True):
            less[i] = d
        a, b, changed = count(rows, judged, less, full)
        c, d, _ = count(rows, reported, less, full)
        if b > a:
            dropped.append(name)
        listed[name] = [(i, less[i]) for i in changed]
        print(f"| {name} | {a} / {b}{' (dropped)' if b > a else ''} | {c} / {d} |", flush=True)
    print(f"\ndropped (more often wrong than right on seen-v18 + v19): {dropped or 'none'}")
    if args.changed:
        for name, changed in listed.items():
            for i, less in changed:
                e, d = rows[i], full[i]
                mark = "right" if d.refused == (e.label == "refuse") else "WRONG"
                print(
                    f"  [{name}] {mark} {files[measured[i]]} {e.lang} {e.label}: "
                    f"{less.decision.value} -> {d.decision.value} {e.text[:90]!r}"
                    f"{' (ctx)' if e.context else ''}"
                )
    guards = {f"rules {RULES}": full}
    if dropped:
        with without(set(dropped)):
            guards[f"rules {RULES} less {', '.join(dropped)}"] = cv.decide(
                rows, semantic, rules=RULES
            )
        if any(each.number == 19 for each in rounds.ROUNDS):  # rules 19 as written
            guards["rules 19"] = cv.decide(rows, semantic, rules=19)
            less = list(guards.values())[1]
            ours = zip(less, guards["rules 19"], strict=True)
            differ = sum(a.decision is not b.decision for a, b in ours)
            print(f"\nrules 19 answer {differ} prompts differently from rules 17 less {dropped}")
    for label, index in sets.items():
        print(f"\n{label} ({len(index)} prompts):")
        for name, decisions in guards.items():
            print(f"  {name}: {errors(rows, index, decisions)}")


if __name__ == "__main__":
    main()
