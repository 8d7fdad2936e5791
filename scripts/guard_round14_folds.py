"""The fourteenth round's estimate: whole hand-written files held out (issue 13).

    .venv/bin/python scripts/guard_round14_folds.py --cache FILE --e5-cache FILE \
        [--scores FILE] [--errors]

On the whole-file cross-validation of the rounds before (scripts/guard_folds.py: each
hand-written file seen-v2 … seen-v14 in fold ``k % 5``; the generated rows by bank phrase), the
harm readings (intent-10's recipe and the side-by-side head of the second reading,
scripts/guard_round13_folds.readings) are computed **with** seen-v14 among the training files
(a retrained intent-13's set) and, with ``--without``, also without it (the shipped intent-10 /
intent-12's training set; seen-v14's own scores are the same either way, its fold never trains
on it). The guards, side by side (guard_folds.report; the first is the baseline,
the last the round's candidate): each reading with intent-10's recipe alone, with the cascade
capped at 16 e5 tokens (intent-12's) and at 32 (intent-11's), with the thirteenth round's rules
and the fourteenth's (bouclier.guard.fourteenth).

seen-v14's line is in-sample for the round's rules (the classes of its errors were read to
write them); the estimate is seen-v2 … seen-v13. The scores are kept in ``--scores`` (a pickle)
so that the guards can be run again without training.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace

os.environ.setdefault("OMP_NUM_THREADS", "2")

import guard_folds as cv
from guard_round13_folds import BAND, cascade, first_reading, readings, second_reading, subset

from bouclier.guard import eighteenth as rules18
from bouclier.guard import fifteenth as rules15
from bouclier.guard import rounds
from bouclier.guard import seventeenth as rules17
from bouclier.guard import sixteenth as rules16
from bouclier.guard.rounds import Ruling
from bouclier.guard.semantic import load_e5, plain

NOTE = "its errors' classes read: in-sample for the round's rules"
CAPS = {"intent-10": 0, "intent-12": 16, "cap 32": 32}


#: The classes whose predicate a round's module answers by (patched out when dropped, so that
#: a later class of the same round may still answer; the sixteenth round's "sells",
#: "takes_off" and "place", the seventeenth's "exposes" and "seeks_app", and the eighteenth's
#: "fakes_of", "minor_bared" and "persists", dropped on 2026-12-05 with this option, are gone
#: from their modules).
PREDICATES = {
    "sextortion": (rules15, "sextortion"),
    "acts": (rules15, "acts_on"),
    "program_15": (rules15, "program"),
    "threat": (rules16, "threatens"),
    "into_porn": (rules16, "into_porn"),
    "applies": (rules16, "applies"),
    "strips": (rules16, "strips"),
    "nude_of": (rules16, "nude_of"),
    "extortion": (rules17, "extorts"),
    "sells": (rules17, "sells"),
    "child": (rules17, "child"),
    "tooling": (rules17, "tooling"),
    "again": (rules17, "again"),
    "bares": (rules17, "bares"),
    "seeks_working": (rules18, "seeks_working"),
    "sells_nudes": (rules18, "sells_nudes"),
    "unclothes": (rules18, "unclothes"),
    "dissolves": (rules18, "dissolves"),
    "xray_on": (rules18, "xray_on"),
    "skin_fill": (rules18, "skin_fill"),
    "slips": (rules18, "slips"),
    "leaked": (rules18, "leaked"),
}
#: The allow classes that also lift the thirteenth round's wide refusals.
LIFTING = {15: ("worried",), 16: ("staff", "takedown")}


def drop(classes: set[str]) -> None:
    """The rounds' table without the rules' ``classes`` (the pre-registered rule drops a class
    whose changed answers on the estimate are more often wrong than right): a refusal class's
    predicate answers no (:data:`PREDICATES`), an allow class no longer allows, lifts, mends an
    older refusal or judges a follow-up alone (it still keeps its round's refusals off a
    question), other classes' answers are filtered."""
    if not classes:
        return
    for name in classes & set(PREDICATES):
        module, function = PREDICATES[name]
        setattr(module, function, lambda *_, **__: False)
    # the seventeenth and eighteenth rounds' follow-ups judged alone read their DROPS
    rules17.DROPS = frozenset(rules17.DROPS | classes)
    rules18.DROPS = frozenset(rules18.DROPS | classes)

    def keep(part: Callable[[Ruling], str | None]) -> Callable[[Ruling], str | None]:
        return lambda r: None if (found := part(r)) in classes else found

    def mends(part: Callable[[Ruling, str], str | None]) -> Callable[[Ruling, str], str | None]:
        return lambda r, found: None if (mended := part(r, found)) in classes else mended

    def lifts(number: int) -> Callable[[Ruling], bool]:
        kept = [name for name in LIFTING.get(number, ()) if name not in classes]
        module = {15: rules15, 16: rules16}.get(number)
        return lambda r: any(getattr(module, name)(r.prompt) for name in kept)

    rounds.ROUNDS = tuple(
        replace(
            each,
            refuses=keep(each.refuses),
            allows=keep(each.allows),
            lifts=lifts(each.number) if each.number in LIFTING else each.lifts,
            mends=mends(each.mends),
        )
        for each in rounds.ROUNDS
    )


def judge(
    found: dict,
    chosen: list,
    files: list[str],
    rounds_: tuple[int, int],
    errors: bool,
    judged: Sequence[int] | None = None,
    apart_of: Mapping[int, Sequence[str]] | None = None,
) -> None:
    """The guards on the folds' scores ``found``: the default's rules (``rounds_[0]``) and each
    later round's up to ``rounds_[1]`` (those of ``judged`` if given), each candidate reported
    against the default's, with its in-sample files apart (``apart_of[r]``; seen-v<default+1>
    … seen-v<r> unless given)."""
    before, newest = rounds_
    encoder = load_e5(1)
    measured = {t for e in chosen for t in cv.train.read(e)}
    tokens = {t: encoder.tokens(plain(t) or ".").count for t in measured}
    candidates = range(before + 1, newest + 1) if judged is None else judged
    guards = {}
    for trained, label in (("without", f"v{newest - 1}-trained "), ("with", "")):
        if trained not in found:
            continue
        for reader, cap in CAPS.items():
            if cap and "concat" not in found[trained]:
                continue
            scores, _ = cascade(found[trained], tokens, BAND, cap)
            for rules in (before, *candidates):
                name = f"{label}{reader}, rules {rules}"
                guards[name] = (scores, found[trained]["continues"], rules)
    decisions = {
        name: cv.decide(chosen, cv.Scores(*guards[name][:2]), rules=guards[name][2])
        for name in guards
    }
    for rules in candidates:
        order = [f"{reader}, rules {before}" for reader in ("intent-10", "intent-12", "cap 32")]
        order += [f"{reader}, rules {rules}" for reader in ("intent-10", "cap 32", "intent-12")]
        if "without" in found:
            prefix = f"v{newest - 1}-trained "
            order[:0] = [f"{prefix}{name}" for name in order if f"rules {before}" in name]
        order = [name for name in order if name in guards]
        apart = [f"seen-v{k}" for k in range(before + 1, rules + 1)]
        if apart_of is not None and rules in apart_of:
            apart = list(apart_of[rules])
        print(f"\n## rules {rules} against rules {before}: {' + '.join(apart)} apart")
        cv.report(
            chosen,
            files,
            {name: decisions[name] for name in order},
            apart[0] if len(apart) == 1 else apart,
            errors,
            NOTE,
        )


def main(
    newest: int = 14,
    default: int | None = None,
    judged: Sequence[int] | None = None,
    apart_of: Mapping[int, Sequence[str]] | None = None,
) -> None:
    """The folds of round ``newest``: its rules (and those of every round after ``default``,
    the default's rules, ``newest - 1`` unless given; only the rounds ``judged`` if given)
    against the default's; each candidate ``r`` judged on the estimate without
    seen-v<default+1> … seen-v<r> (in-sample for its rules, reported apart), or without the
    files ``apart_of[r]``. scripts/guard_round15_folds.py calls it with 15,
    scripts/guard_round16_folds.py with 16 and 14, scripts/guard_round17_folds.py with 17, 14,
    (17,) and seen-v17 alone apart."""
    seen_last, before = f"seen-v{newest}", newest - 1 if default is None else default
    parser = cv.fold_parser()
    parser.add_argument("--no-e5", action="store_true", help="intent-10's recipe only (no e5)")
    parser.add_argument(
        "--without", action="store_true", help=f"also the readings without {seen_last} in training"
    )
    parser.add_argument(
        "--drop", default="", help="rules' classes left out (comma-separated), as the rule says"
    )
    args = parser.parse_args()
    drop({c for c in args.drop.split(",") if c})
    folds = cv.Folds.load()
    chosen, files = folds.chosen()
    found = cv.kept(args.scores)
    if args.scores is None or "with" not in found:
        use = cv.train.Embeddings(folds.texts(), args.cache)
        found["with"] = first_reading(folds, use)
        cv.keep(found, args.scores)
    if not args.no_e5 and "concat" not in found["with"]:
        texts = folds.texts()
        use = cv.train.Embeddings(texts, args.cache)
        e5 = cv.train.e5_embeddings(texts, args.e5_cache)
        found["with"]["concat"] = second_reading(folds, found["with"], use, e5)
        cv.keep(found, args.scores)
    if args.without and "without" not in found:
        texts = folds.texts()
        use = cv.train.Embeddings(texts, args.cache)
        e5 = cv.train.e5_embeddings(texts, args.e5_cache)
        trained = readings(subset(folds, set(folds.origin) - {seen_last}), use, e5)
        found["without"] = {k: {**found["with"][k], **trained[k]} for k in trained}
        cv.keep(found, args.scores)
    judge(found, chosen, files, (before, newest), args.errors, judged, apart_of)


if __name__ == "__main__":
    main()
