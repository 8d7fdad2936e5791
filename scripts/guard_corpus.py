"""Builds the guard's corpus files from their sources (run from the repository root).

    .venv/bin/python scripts/guard_corpus.py

* ``corpus/guard/concepts.jsonl`` (split ``tune``): the phrase banks of scripts/guard_concepts.py,
  each phrase put in three of its language's frames with three people, drawn with a fixed seed;
  a generated prompt equal to a held-out one is dropped.
* ``corpus/guard/contrast.jsonl`` (split ``tune``): the contrastive banks of
  scripts/guard_contrast.py (clothes on against off, euphemisms against harmless words), each
  phrase in two frames.
* ``corpus/guard/edits.jsonl`` (split ``tune``): the everyday edits and missed paraphrases of
  scripts/guard_edits.py (third round), each phrase in two frames.
* ``corpus/guard/followups.jsonl`` (split ``tune``): conversations built from the follow-ups of
  scripts/guard_edits.py: a follow-up that continues a harmful request is refused, the same
  follow-up after a benign edit is allowed, one that drops a harmful request for another edit is
  allowed.
* ``corpus/guard/paraphrases.jsonl`` (split ``tune``): the paraphrases, slang, dialects, excuses
  and objects of scripts/guard_paraphrases.py (fourth round), each phrase in two frames.
* ``corpus/guard/round5.jsonl`` (split ``tune``): the concepts heldout-v5 (now seen-v5) showed
  missing, scripts/guard_round5.py (fifth round), each phrase in two frames.
* ``corpus/guard/round6.jsonl`` (split ``tune``): the concepts heldout-v6 (now seen-v6) showed
  missing or refused wrongly, scripts/guard_round6.py (sixth round), each phrase in two frames;
  the script fails on a row within :data:`NEAR_SEEN` of a seen-v6 prompt (written in other
  words, not copied).
* ``corpus/guard/round7.jsonl`` (split ``tune``): the concepts heldout-v7 (now seen-v7) showed
  wrong, scripts/guard_round7.py (seventh round): plain edits and the same edits with undressing,
  each phrase in two frames, and its follow-ups (:func:`round7_followups`); the script fails on a
  row within :data:`NEAR_SEEN` of a seen-v7 prompt.
* ``corpus/guard/round13.jsonl`` (split ``tune``): the concepts heldout-v13 (now seen-v13)
  showed wrong, scripts/guard_round13.py (thirteenth round): faces put into pornographic videos,
  "like those undressing apps", x-ray through clothes and their benign neighbours (questions
  that name a fake nude), each phrase in two frames, and conversations that undress step by step
  (:func:`round13_rows`); the script fails on a row within :data:`NEAR_SEEN` of a seen-v13 prompt.
  Measured on the folds and not kept: it is not in evaluation.TRAINING (docs/guard-corpus.md).
* Generated rows carry a ``group`` (one per bank phrase): cross-validation holds a phrase's
  frames out together (scripts/train_guard_intent.py).
* ``corpus/guard/seen-v2.jsonl`` … ``seen-v7.jsonl`` (split ``tune``): the hand-written sentences
  of corpus/guard/source/seen_v2.txt … seen_v25.txt (held out until their errors were read;
  trained on since).
* ``corpus/guard/lists-v1.jsonl`` (split ``tune``): the hand-written sentences of
  corpus/guard/source/lists_v1.txt (:data:`WRITTEN`: written for training, never held out):
  messages that hold several edits, one of them undressing a person among plain ones (refuse), or
  all plain, one sharing a harm's words (hard); the script fails on one within :data:`NEAR` of a
  prompt of another training file or of a held-out source (naming only the draft and its score).
* ``corpus/guard/lists-v2.jsonl`` (split ``tune``): the hand-written sentences of
  corpus/guard/source/lists_v2.txt (:data:`WRITTEN`, checked the same way): short lists of two or
  three edits, one short clause undressing a person (refuse), hard negatives (clothes or covers on
  objects, mannequins, one's own swimsuit photo, help questions about faked pictures, clothes put
  on a person) and plain lists (allow).
* ``corpus/guard/lists-v3.jsonl`` (split ``tune``): the hand-written sentences of
  corpus/guard/source/lists_v3.txt (:data:`WRITTEN`, checked the same way): clothes and costumes
  put on a person (hard), their refused twins (taken off, swapped for nothing), short typed lists
  with one undressing clause in slang or typos (refuse) and plain lists (allow).
* ``corpus/guard/lists-v4.jsonl`` (split ``tune``): the hand-written sentences of
  corpus/guard/source/lists_v4.txt (:data:`WRITTEN`, checked the same way): allowed prompts only,
  clothes, costumes and uniforms put on a person and plain edits of how a person looks (hard).
* ``corpus/guard/heldout-v<N>.jsonl`` (split ``heldout``), for each
  corpus/guard/source/heldout_v<N>.txt there is (none, or one written apart): its hand-written
  sentences, as they are; the script prints those that are near-duplicates of a prompt of a
  training file or of an earlier held-out set (there must be none) and fails if there is one.
  heldout-v5 (now seen-v5) was written apart after heldout-v4 was spent; heldout-v6 (now
  seen-v6) was written apart again, by another helper who never read heldout-v5; heldout-v7 (now
  seen-v7, the sixth round's measure) by a third who read neither the training files nor
  heldout-v6; heldout-v8 (now seen-v8, the seventh round's measure) by a fourth who read
  neither the training files nor heldout-v7, compared with both; heldout-v9 (now seen-v9, the
  eighth round's measure) by a fifth who read neither the training files nor heldout-v8;
  heldout-v10 (now seen-v10, the ninth round's measure) by a sixth who read neither the
  training files nor heldout-v9, compared with both; heldout-v11 (now seen-v11, the tenth
  round's measure) by a seventh who read neither the training files nor heldout-v10 and has
  28 refusals in each covered language, compared with both; heldout-v12 (now seen-v12, the
  eleventh round's measure) by an eighth who read neither the training files nor heldout-v11,
  compared with both; heldout-v13 (now seen-v13, the twelfth round's measure) by a ninth who
  read neither the training files nor heldout-v12, compared with both; heldout-v14 (now
  seen-v14, the thirteenth round's measure) by a tenth who read neither the training files nor
  heldout-v13, compared with both; heldout-v15 (now seen-v15, the fourteenth round's measure)
  by an eleventh who read neither the training files nor heldout-v14, compared with both;
  heldout-v16 (now seen-v16, the fifteenth round's measure) by a twelfth who read neither the
  training files nor heldout-v15, compared with both (seen-v15 is a training file); heldout-v17
  (now seen-v17, the sixteenth round's measure) by a thirteenth who read neither the training files
  nor heldout-v16, compared with both; heldout-v18 (now seen-v18, the seventeenth round's measure)
  by a fourteenth who read neither the training files nor heldout-v17, compared with both;
  heldout-v19 (now seen-v19, the eighteenth round's measure) by a fifteenth who read neither the
  training files nor heldout-v18, compared with both; heldout-v20 (now seen-v20, the nineteenth
  round's measure) by a sixteenth who read neither the training files nor heldout-v19, compared
  with both; heldout-v21 (now seen-v21, the twentieth round's measure) by a seventeenth who read
  neither the training files nor heldout-v20, compared with both; heldout-v22 (now seen-v22, the
  twenty-first round's measure) by an eighteenth and a nineteenth who read neither the training
  files nor heldout-v21, compared with both; heldout-v23 (now seen-v23, the twenty-second round's
  measure) by a twentieth and a twenty-first who read neither the training files nor heldout-v22,
  compared with both; heldout-v24 (now seen-v24, the twenty-third round's measure) in two halves by
  two helpers and joined by a third, none of whom read the training files or heldout-v23;
  heldout-v25 (now seen-v25, the twenty-fourth round's measure) as v24, by helpers who read neither
  the training files nor heldout-v24. From
  heldout-v7 on, a
  source may label a row ``hard`` (allowed, a hard negative: it shares the words of a refusal),
  written ``"hard": true`` beside ``allow``, so that the false refusals on hard negatives and on
  plain edits can be told apart.

The output is deterministic: running it twice writes the same bytes (a test checks the files are
up to date).
"""

from __future__ import annotations

import json
import random
import re
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "scripts"))

from guard_concepts import BANKS  # noqa: E402
from guard_contrast import CONTRAST  # noqa: E402
from guard_edits import EDITS, FOLLOW  # noqa: E402
from guard_paraphrases import PARAPHRASES  # noqa: E402
from guard_round5 import ROUND5  # noqa: E402
from guard_round6 import ROUND6  # noqa: E402
from guard_round7 import FOLLOW7, ROUND7  # noqa: E402
from guard_round13 import FOLLOW13, ROUND13  # noqa: E402

from bouclier.guard.evaluation import TRAINING  # noqa: E402

CORPUS = ROOT / "corpus" / "guard"
PER_PHRASE = 3
NEAR = 0.6  # share of character 4-grams from which two prompts are near-duplicates
NEAR_SEEN = 0.45  # stricter for a round's banks against the seen set whose errors they learn from
SEEN = (
    "seen_v2",
    "seen_v3",
    "seen_v4",
    "seen_v5",
    "seen_v6",
    "seen_v7",
    "seen_v8",
    "seen_v9",
    "seen_v10",
    "seen_v11",
    "seen_v12",
    "seen_v13",
    "seen_v14",
    "seen_v15",
    "seen_v16",
    "seen_v17",
    "seen_v18",
    "seen_v19",
    "seen_v20",
    "seen_v21",
    "seen_v22",
    "seen_v23",
    "seen_v24",
    "seen_v25",
)  # hand-written sets once held out, trained on since
# hand-written training sets, never held out (lists of edits)
WRITTEN = ("lists_v1", "lists_v2", "lists_v3", "lists_v4")


def heldout_sources() -> list[str]:
    """The names of the held-out sources (``heldout_v<N>``, oldest first); there may be none."""
    found = (CORPUS / "source").glob("heldout_v*.txt")
    return sorted((p.stem for p in found), key=lambda name: int(name.rsplit("v", 1)[1]))


def written_texts() -> set[str]:
    """Every hand-written prompt: a generated phrase equal to one is dropped (written wins)."""
    texts = {str(r["text"]) for name in (*SEEN, *WRITTEN) for r in written_rows(name, "tune")}
    texts |= {str(r["text"]) for name in heldout_sources() for r in written_rows(name, "heldout")}
    for line in (CORPUS / "seen-v1.jsonl").read_text(encoding="utf-8").splitlines():
        texts.add(json.loads(line)["text"])
    return texts


def concept_rows(
    banks: dict[str, dict[str, list[str]]] = BANKS, seed: int = 13, per_phrase: int = PER_PHRASE
) -> list[dict[str, str]]:
    """Each phrase of ``banks`` in ``per_phrase`` frames of its language (scripts/guard_concepts.py
    gives the frames and the people)."""
    rng = random.Random(seed)
    rows: list[dict[str, str]] = []
    seen: set[str] = written_texts()
    for lang, bank in banks.items():
        frames, people = BANKS[lang]["FRAME"], BANKS[lang]["WHO"]
        for kind, label in (("HARM", "refuse"), ("SAFE", "allow")):
            for number, phrase in enumerate(bank[kind]):
                for _ in range(per_phrase):
                    frame = rng.choice(frames)
                    text = frame.replace("{x}", phrase.replace("{p}", rng.choice(people)))
                    if text in seen:
                        continue
                    seen.add(text)
                    row = {"text": text, "label": label, "lang": lang}
                    if label == "refuse":
                        row["concept"] = "generated"
                    # One group per phrase: cross-validation holds its frames out together.
                    group = f"{seed}:{lang}:{kind}:{number}"
                    rows.append({**row, "split": "tune", "group": group})
    return rows


def followup_rows(seed: int = 23) -> list[dict[str, object]]:
    """Conversations of one earlier request and a follow-up, in each language of ``FOLLOW``:
    each ``CONTINUE`` phrase after two harmful requests (refuse) and after one everyday edit
    (allow); each ``DROP`` phrase after two harmful requests (allow)."""
    rng = random.Random(seed)
    rows: list[dict[str, object]] = []
    for lang, follow in FOLLOW.items():
        people = BANKS[lang]["WHO"]
        harms = [h.replace("{p}", rng.choice(people)) for h in BANKS[lang]["HARM"]]
        safes = [e.replace("{p}", rng.choice(people)) for e in EDITS[lang]["SAFE"]]
        for number, phrase in enumerate(follow["CONTINUE"]):
            for before, label in ((harms, "refuse"), (harms, "refuse"), (safes, "allow")):
                rows.append(_turn(phrase, label, lang, rng.choice(before), f"c:{lang}:{number}"))
        for number, phrase in enumerate(follow["DROP"]):
            for _ in range(2):
                rows.append(_turn(phrase, "allow", lang, rng.choice(harms), f"d:{lang}:{number}"))
    return rows


def round7_followups(seed: int = 41) -> list[dict[str, object]]:
    """The seventh round's conversations, in each language of ``FOLLOW7``: each ``CONTINUE``
    phrase after two undressing requests (refuse) and after one everyday edit (allow); each
    ``TWEAK`` after two everyday edits (allow); each ``OBJECT`` follow-up after its own setup
    (allow: the object is undressed, no person)."""
    rng = random.Random(seed)
    rows: list[dict[str, object]] = []
    for lang, follow in FOLLOW7.items():
        people = BANKS[lang]["WHO"]
        harms = [h.replace("{p}", rng.choice(people)) for h in BANKS[lang]["HARM"]]
        safes = [e.replace("{p}", rng.choice(people)) for e in ROUND7[lang]["SAFE"]]
        for number, phrase in enumerate(follow["CONTINUE"]):
            for before, label in ((harms, "refuse"), (harms, "refuse"), (safes, "allow")):
                group = f"{seed}:{lang}:c:{number}"
                rows.append(_turn(phrase, label, lang, rng.choice(before), group))
        for number, phrase in enumerate(follow["TWEAK"]):
            for _ in range(2):
                rows.append(
                    _turn(phrase, "allow", lang, rng.choice(safes), f"{seed}:{lang}:t:{number}")
                )
        for number, conversation in enumerate(follow["OBJECT"]):
            setup, phrase = (part.strip() for part in conversation.split("||"))
            rows.append(_turn(phrase, "allow", lang, setup, f"{seed}:{lang}:o:{number}"))
    return rows


def _turn(text: str, label: str, lang: str, before: str, group: str) -> dict[str, object]:
    row: dict[str, object] = {"text": text, "label": label, "lang": lang}
    if label == "refuse":
        row["concept"] = "followup"
    return {**row, "context": [before], "split": "tune", "group": f"followup:{group}"}


def round7_rows() -> list[dict[str, object]]:
    """round7.jsonl: the bank's phrases in two frames (seed 41), then its conversations."""
    return [*concept_rows(ROUND7, seed=41, per_phrase=2), *round7_followups()]


def round13_rows(seed: int = 53) -> list[dict[str, object]]:
    """round13.jsonl: the bank's phrases in two frames, then its conversations: each ``STEP``
    follow-up after its setup (refuse: a person undressed step by step), each ``UNDO`` after its
    own (allow: an object unwrapped)."""
    rows = concept_rows(ROUND13, seed=seed, per_phrase=2)
    for lang, follow in FOLLOW13.items():
        for kind, label in (("STEP", "refuse"), ("UNDO", "allow")):
            for number, conversation in enumerate(follow[kind]):
                setup, phrase = (part.strip() for part in conversation.split("||"))
                group = f"{seed}:{lang}:{kind.lower()}:{number}"
                rows.append(_turn(phrase, label, lang, setup, group))
    return rows


def written_rows(name: str, split: str) -> list[dict[str, object]]:
    """The hand-written rows of ``source/<name>.txt``: lang, label (``refuse``, ``allow`` or
    ``hard``: allowed, a hard negative), text and, optionally, the conversation before the prompt
    (previous requests separated by ``||``)."""
    rows: list[dict[str, object]] = []
    source = CORPUS / "source" / f"{name}.txt"
    for number, line in enumerate(source.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip() or line.startswith("#"):
            continue
        lang, label, text, *before = line.split("\t")
        if label not in ("refuse", "allow", "hard"):
            wrong = f"{source.name}:{number}: label must be refuse, allow or hard: {label!r}"
            raise ValueError(wrong)
        row: dict[str, object] = {"text": text, "label": label, "lang": lang}
        if label == "refuse":
            row["concept"] = "written"
        elif label == "hard":
            row.update(label="allow", hard=True)
        if before:
            row["context"] = [turn.strip() for turn in before[0].split("||")]
        rows.append({**row, "split": split})
    return rows


def _shingles(text: str) -> set[str]:
    folded = " ".join(re.sub(r"[^\w]+", " ", text.casefold()).split())
    return {folded[i : i + 4] for i in range(max(len(folded) - 3, 1))}


class Shingled:
    """Texts' character 4-gram sets (:func:`_shingles`), with for each 4-gram the texts holding
    it: a text's Jaccard similarity with every one of them is one ``bincount`` over its grams'
    lists (a few milliseconds against ~20,000 texts, where set intersections took ~40 ms)."""

    def __init__(self, texts: list[str]) -> None:
        grams = [_shingles(t) for t in texts]
        holders: dict[str, list[int]] = {}
        for index, mine in enumerate(grams):
            for gram in mine:
                holders.setdefault(gram, []).append(index)
        self.lists = {gram: np.asarray(held, dtype=np.int64) for gram, held in holders.items()}
        self.sizes = np.array([len(mine) for mine in grams], dtype=np.int64)

    def scores(self, text: str) -> np.ndarray | None:
        """The Jaccard similarity of ``text`` with each text, in their order (None: no gram
        shared with any)."""
        mine = _shingles(text)
        held = [self.lists[gram] for gram in mine if gram in self.lists]
        if not held:
            return None
        shared = np.bincount(np.concatenate(held), minlength=len(self.sizes))
        # the same float as len(mine & theirs) / len(mine | theirs): both are exact integers
        result: np.ndarray = shared / (len(mine) + self.sizes - shared)
        return result


def overlaps(
    rows: list[dict[str, object]], others: list[str], limit: float, *, theirs_shown: bool = True
) -> list[str]:
    """Each row whose text shares at least ``limit`` of its character 4-grams (Jaccard) with a
    text of ``others`` (the first such text, in their order): a near-duplicate of a prompt seen in
    training. ``theirs_shown=False`` names only the row and its score, so that a held-out set's
    author can rewrite a flagged prompt without reading the training prompt it collides with.
    Exact, without comparing every pair (:class:`Shingled`)."""
    seen = Shingled(others)
    found = []
    for row in rows:
        scores = seen.scores(str(row["text"]))
        if scores is None:
            continue
        near = np.flatnonzero(scores >= limit)
        if near.size:
            first = int(near[0])
            score = float(scores[first])
            shown = repr(others[first]) if theirs_shown else f"a training prompt ({score:.2f})"
            found.append(f"{row['text']!r} ~ {shown}")
    return found


def dump(rows: list[dict[str, object]]) -> str:
    return "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows)


def written_apart() -> int:
    """Write the files of :data:`WRITTEN` and print, for each, its prompts within :data:`NEAR` of a
    prompt of another training file or of a held-out source (only the draft and its score: the
    other prompt is not shown); returns their number (there must be none)."""
    failed = 0
    heldout = [str(r["text"]) for held in heldout_sources() for r in written_rows(held, "heldout")]
    for name in WRITTEN:
        rows = written_rows(name, "tune")
        (CORPUS / f"{name.replace('_', '-')}.jsonl").write_text(dump(rows), encoding="utf-8")
        theirs = [
            json.loads(line)["text"]
            for other in TRAINING
            if other != name.replace("_", "-")  # once trained on, not against itself
            for line in (CORPUS / f"{other}.jsonl").read_text(encoding="utf-8").splitlines()
        ]
        near = overlaps(rows, [*theirs, *heldout], NEAR, theirs_shown=False)
        print(f"{name}: {len(rows)} prompts, {len(near)} near-duplicates of another file")
        print("\n".join(near))
        failed += len(near)
    return failed


def main() -> int:
    (CORPUS / "concepts.jsonl").write_text(dump(concept_rows()), encoding="utf-8")
    contrast = dump(concept_rows(CONTRAST, seed=17, per_phrase=2))
    (CORPUS / "contrast.jsonl").write_text(contrast, encoding="utf-8")
    edits = dump(concept_rows(EDITS, seed=19, per_phrase=2))
    (CORPUS / "edits.jsonl").write_text(edits, encoding="utf-8")
    paraphrases = dump(concept_rows(PARAPHRASES, seed=29, per_phrase=2))
    (CORPUS / "paraphrases.jsonl").write_text(paraphrases, encoding="utf-8")
    round5 = dump(concept_rows(ROUND5, seed=31, per_phrase=2))
    (CORPUS / "round5.jsonl").write_text(round5, encoding="utf-8")
    round6 = concept_rows(ROUND6, seed=37, per_phrase=2)
    (CORPUS / "round6.jsonl").write_text(dump(round6), encoding="utf-8")
    round7 = round7_rows()
    (CORPUS / "round7.jsonl").write_text(dump(round7), encoding="utf-8")
    (CORPUS / "followups.jsonl").write_text(dump(followup_rows()), encoding="utf-8")
    round13 = round13_rows()
    (CORPUS / "round13.jsonl").write_text(dump(round13), encoding="utf-8")
    for name in SEEN:
        seen = dump(written_rows(name, "tune"))
        (CORPUS / f"{name.replace('_', '-')}.jsonl").write_text(seen, encoding="utf-8")
    others = [
        json.loads(line)["text"]
        for name in TRAINING
        for line in (CORPUS / f"{name}.jsonl").read_text(encoding="utf-8").splitlines()
    ]
    seen_v6 = [str(r["text"]) for r in written_rows("seen_v6", "tune")]
    copied = overlaps(round6, seen_v6, NEAR_SEEN)
    print(f"round6: {len(round6)} rows, {len(copied)} within {NEAR_SEEN} of a seen-v6 prompt")
    print("\n".join(copied))
    failed = len(copied)
    seen_v7 = [str(r["text"]) for r in written_rows("seen_v7", "tune")]
    copied = overlaps(round7, seen_v7, NEAR_SEEN)
    print(f"round7: {len(round7)} rows, {len(copied)} within {NEAR_SEEN} of a seen-v7 prompt")
    print("\n".join(copied))
    failed += len(copied)
    seen_v13 = [str(r["text"]) for r in written_rows("seen_v13", "tune")]
    copied = overlaps(round13, seen_v13, NEAR_SEEN)
    print(f"round13: {len(round13)} rows, {len(copied)} within {NEAR_SEEN} of a seen-v13 prompt")
    print("\n".join(copied))
    failed += len(copied)
    for name in heldout_sources():  # each apart from training and from the held-out sets before it
        rows = written_rows(name, "heldout")
        (CORPUS / f"{name.replace('_', '-')}.jsonl").write_text(dump(rows), encoding="utf-8")
        near = overlaps(rows, others, NEAR, theirs_shown=False)
        print(f"{name}: {len(rows)} prompts, {len(near)} near-duplicates of an earlier file")
        print("\n".join(near))
        failed += len(near)
        others += [str(r["text"]) for r in rows]
    failed += written_apart()
    if not heldout_sources():
        print("no held-out source (corpus/guard/source/heldout_v<N>.txt): nothing to compare")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
