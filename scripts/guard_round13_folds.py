"""The thirteenth round's estimate: whole hand-written files held out (issue 13).

    .venv/bin/python scripts/guard_round13_folds.py --cache FILE --e5-cache FILE \
        [--scores FILE] [--errors] [--cascades]

On the whole-file cross-validation of the rounds before (scripts/guard_folds.py: each
hand-written file seen-v2 … seen-v13 in fold ``k % 5``; the generated rows by bank phrase), the
harm readings are computed twice, on the same folds: **without** the round's bank
(corpus/guard/round13.jsonl, scripts/guard_round13.py) and **with** it. For each: intent-10's
recipe (the harm head on USE, stacked with the n-gram model and the lexicons) and the harm head on
USE and e5 side by side, stacked the same way; intent-11's cascade reads the second where the first
is in [0.2, 0.8) and the text is at most 32 e5 tokens. The guards, side by side
(guard_folds.report; the first is the baseline, the last the round's candidate):

* ``intent-10``: intent-10's recipe without the bank, the eleventh round's rules (the default);
* ``intent-11``: intent-11's cascade without the bank, the same rules (opt-in);
* ``bank, rules 11``: intent-10's recipe with the bank; ``bank+e5``: its cascade;
* ``rules 13``, ``bank, rules 13``, ``bank+e5, rules 13``: the same with the thirteenth round's
  rules (bouclier.guard.thirteenth).

seen-v13's line is in-sample for the round's banks and rules (the classes of its errors were
read to write them); the estimate is seen-v2 … seen-v12. ``--cascades`` adds cascades of other
bands and token caps (the second reading's cost, docs/guard.md, "The thirteenth round") with
the share of the measured prompts whose texts e5 reads, and of those over 16 tokens. The scores
are kept in ``--scores`` (a pickle) so that the guards can be run again without training.
"""

from __future__ import annotations

import os
import pickle

os.environ.setdefault("OMP_NUM_THREADS", "2")

import guard_folds as cv

from bouclier.guard.semantic import load_e5, plain

BANK = "round13"
SEEN_LAST = "seen-v13"
NOTE = "its errors' classes read: in-sample for the round's banks and rules"
BAND = (0.2, 0.8)
CAP = 32


def subset(folds: cv.Folds, keep: set[str]) -> cv.Folds:
    """``folds`` without the files not in ``keep`` (each example keeps its fold)."""
    index = [i for i, name in enumerate(folds.origin) if name in keep]
    position = {i: j for j, i in enumerate(index)}
    return cv.Folds(
        [folds.examples[i] for i in index],
        [folds.origin[i] for i in index],
        folds.fold_of[index],
        [position[i] for i in folds.written if i in position],
    )


def readings(folds: cv.Folds, use: cv.train.Embeddings, e5: cv.train.Embeddings) -> dict:
    """The stacked scores of intent-10's recipe and of the side-by-side head, and the follow-up
    head's scores, out of fold."""
    found = first_reading(folds, use)
    return {**found, "concat": second_reading(folds, found, use, e5)}


def first_reading(folds: cv.Folds, use: cv.train.Embeddings) -> dict:
    """intent-10's recipe out of fold: the stacked scores (``use``), the follow-up head's
    (``continues``) and the n-gram model's (``gram``, for :func:`second_reading`)."""
    oof, continues = cv.level_one(folds, use)
    return {"use": cv.level_two(folds, oof), "continues": continues, "gram": oof.gram}


def second_reading(
    folds: cv.Folds, first: dict, use: cv.train.Embeddings, e5: cv.train.Embeddings
) -> dict[str, float]:
    """The side-by-side head (USE and e5) out of fold, stacked with :func:`first_reading`'s
    n-gram scores."""
    oof = cv.train.Scored()
    oof.gram = first["gram"]
    oof.harm = cv.harm_out_of_fold(folds, cv.train.Joined(use, e5))
    return cv.level_two(folds, oof)


def cascade(
    found: dict, tokens: dict[str, int], band: tuple[float, float], cap: int
) -> tuple[dict[str, float], set[str]]:
    """The first reading, the second where the first is in ``band`` and the text at most
    ``cap`` e5 tokens; and the texts read again."""
    lo, hi = band
    again = {t for t, s in found["use"].items() if lo <= s < hi and tokens[t] <= cap}
    return {t: found["concat"][t] if t in again else s for t, s in found["use"].items()}, again


def main() -> None:
    parser = cv.fold_parser()
    parser.add_argument("--cascades", action="store_true", help="other bands and token caps")
    args = parser.parse_args()
    folds = cv.Folds.load()
    chosen, files = folds.chosen()
    if args.scores is not None and args.scores.exists():
        found = pickle.loads(args.scores.read_bytes())  # noqa: S301 (our own file)
    else:
        texts = folds.texts()
        use = cv.train.Embeddings(texts, args.cache)
        e5 = cv.train.e5_embeddings(texts, args.e5_cache)
        base = subset(folds, set(folds.origin) - {BANK})
        found = {"base": readings(base, use, e5), "bank": readings(folds, use, e5)}
        if args.scores is not None:
            args.scores.write_bytes(pickle.dumps(found))
    encoder = load_e5(1)
    measured = {t for e in chosen for t in cv.train.read(e)}
    tokens = {t: encoder.tokens(plain(t) or ".").count for t in measured}
    guards: dict[str, tuple[dict[str, float], dict[str, float], int]] = {}
    for name, data in (("", found["base"]), ("bank", found["bank"])):
        first, _ = cascade(data, tokens, BAND, 0)
        second, _ = cascade(data, tokens, BAND, CAP)
        for rules in (11, 13):
            label = name or ("intent-10" if rules == 11 else "rules 13")
            guards[label if not name else f"{name}, rules {rules}"] = (
                first,
                data["continues"],
                rules,
            )
            label = "intent-11" if rules == 11 else "e5, rules 13"
            guards[label if not name else f"{name}+e5, rules {rules}"] = (
                second,
                data["continues"],
                rules,
            )
    order = [
        "intent-10",
        "intent-11",
        "rules 13",
        "e5, rules 13",
        "bank, rules 11",
        "bank+e5, rules 11",
        "bank, rules 13",
        "bank+e5, rules 13",
    ]
    if args.cascades:
        data = found["bank"]
        for band in ((0.2, 0.8), (0.3, 0.7), (0.25, 0.75)):
            for cap in (12, 16, 20, 24):
                scores, _ = cascade(data, tokens, band, cap)
                name = f"bank+e5 {band[0]}-{band[1]} <= {cap}, rules 13"
                guards[name] = (scores, data["continues"], 13)
                order.insert(-1, name)
    decisions = {
        name: cv.decide(chosen, cv.Scores(*guards[name][:2]), rules=guards[name][2])
        for name in order
    }
    cv.report(chosen, files, decisions, SEEN_LAST, args.errors, NOTE)
    print("\nshare of the measured prompts read again by e5 (any text; any text over 16 tokens)")
    for band in ((0.2, 0.8), (0.3, 0.7), (0.25, 0.75)):
        for cap in (12, 16, 20, 24, 32):
            _, again = cascade(found["bank"], tokens, band, cap)
            hit = [e for e in chosen if any(t in again for t in cv.train.read(e))]
            long = [
                e for e in chosen if any(t in again and tokens[t] > 16 for t in cv.train.read(e))
            ]
            print(
                f"  {band[0]}-{band[1]} <= {cap}: {len(hit) / len(chosen):.3f}; "
                f"{len(long) / len(chosen):.3f}"
            )


if __name__ == "__main__":
    main()
