"""Measuring the request guard on a labelled corpus: precision, recall, F1, false-positive rate.

A corpus is JSON lines, one prompt each: ``{"text", "label": "refuse"|"allow", "lang",
"concept"?, "trick"?, "split"?, "context"?, "group"?}`` (``context``: the conversation's
previous requests, oldest first; ``group``: the bank phrase a generated row comes from)
(``corpus/guard/`` holds Bouclier's own). "Positive" is
"refuse": recall is the share of harmful requests refused, the false-positive rate the share of
benign requests refused.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from bouclier.errors import FileUnreadable, InputError
from bouclier.guard.decision import GuardDecision

LABELS = ("refuse", "allow")
#: The files of corpus/guard/ the classifier is trained on (split ``tune``); the held-out files,
#: heldout-v*.jsonl (:func:`heldout_files`), are never among them (docs/guard-corpus.md).
TRAINING = (
    "tune",
    "concepts",
    "contrast",
    "edits",
    "paraphrases",
    "round5",
    "round6",
    "round7",
    "followups",
    "seen-v1",
    "seen-v2",
    "seen-v3",
    "seen-v4",
    "seen-v5",
    "seen-v6",
    "seen-v7",
    "seen-v8",
    "seen-v9",
    "seen-v10",
    "seen-v11",
    "seen-v12",
    "seen-v13",
    "seen-v14",
    "seen-v15",
    "seen-v16",
    "seen-v17",
    "seen-v18",
    "seen-v19",
    "seen-v20",
    "seen-v21",
    "seen-v22",
    "seen-v23",
    "seen-v24",
    "seen-v25",
    "lists-v1",  # hand-written lists of edits, never held out (the twenty-first round)
    "lists-v2",  # short lists and hard negatives, never held out (the twenty-third round)
    "lists-v3",  # clothes put on and their twins, short typed lists (the twenty-fourth round)
    "lists-v4",  # clothes put on, allowed only (the twenty-fifth round)
)
_HELDOUT = re.compile(r"heldout-v(\d+)\.jsonl")


@dataclass(frozen=True, slots=True)
class Example:
    text: str
    label: str
    lang: str
    concept: str | None = None
    trick: str | None = None
    split: str | None = None
    context: tuple[str, ...] = ()
    group: str | None = None  # generated rows: one per bank phrase (folds keep it together)


@dataclass
class Metrics:
    tp: int = 0
    fp: int = 0
    fn: int = 0
    tn: int = 0

    def add(self, expected: str, got: str) -> None:
        if expected == "refuse":
            self.tp += got == "refuse"
            self.fn += got != "refuse"
        else:
            self.fp += got == "refuse"
            self.tn += got != "refuse"

    @property
    def count(self) -> int:
        return self.tp + self.fp + self.fn + self.tn

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    @property
    def fpr(self) -> float:
        return self.fp / (self.fp + self.tn) if self.fp + self.tn else 0.0

    def to_dict(self) -> dict[str, float | int]:
        return {
            "n": self.count,
            "positives": self.tp + self.fn,
            "negatives": self.fp + self.tn,
            "precision": round(self.precision, 4),
            "recall": round(self.recall, 4),
            "f1": round(self.f1, 4),
            "fpr": round(self.fpr, 4),
        }


@dataclass
class Evaluation:
    """Metrics per language and overall, and the examples the guard got wrong."""

    by_lang: dict[str, Metrics] = field(default_factory=dict)
    overall: Metrics = field(default_factory=Metrics)
    errors: list[tuple[Example, GuardDecision]] = field(default_factory=list)

    def rows(self) -> list[dict[str, object]]:
        """One row per language (sorted), then ``all``."""
        rows: list[dict[str, object]] = [
            {"lang": lang, **self.by_lang[lang].to_dict()} for lang in sorted(self.by_lang)
        ]
        return [*rows, {"lang": "all", **self.overall.to_dict()}]


def heldout_files(corpus: Path) -> list[Path]:
    """The held-out files of a corpus directory (``heldout-v<N>.jsonl``), oldest first: the last
    is the newest. There may be none (a held-out set is written apart, on its own branch)."""
    found = [(int(m.group(1)), p) for p in corpus.iterdir() if (m := _HELDOUT.fullmatch(p.name))]
    return [path for _, path in sorted(found)]


def load_corpus(path: Path, *, split: str | None = None) -> list[Example]:
    """The examples of a JSON-lines corpus (of one split if given); InputError names a bad line."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise FileUnreadable(f"cannot read {path}: {exc.strerror or exc}") from None
    examples = []
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
            context = row.get("context", [])
            if not isinstance(context, list):
                raise TypeError("context must be a list of previous requests")
            example = Example(
                text=str(row["text"]),
                label=str(row["label"]),
                lang=str(row["lang"]),
                concept=row.get("concept"),
                trick=row.get("trick"),
                split=row.get("split"),
                context=tuple(str(turn) for turn in context),
                group=row.get("group"),
            )
        except (ValueError, KeyError, TypeError, AttributeError) as exc:
            raise InputError(f"{path}:{number}: not a corpus row ({exc})") from None
        if example.label not in LABELS:
            raise InputError(f"{path}:{number}: label must be refuse or allow, not {example.label}")
        if split is None or example.split == split:
            examples.append(example)
    return examples


def evaluate(
    examples: Iterable[Example],
    decide: Callable[[str], GuardDecision],
    in_context: Callable[[str, Sequence[str]], GuardDecision] | None = None,
) -> Evaluation:
    """``decide`` reads a prompt alone; ``in_context``, when given, a prompt with a conversation
    before it (an example without context, or with none given, is read alone)."""
    result = Evaluation()
    for example in examples:
        if example.context and in_context is not None:
            decision = in_context(example.text, example.context)
        else:
            decision = decide(example.text)
        got = decision.decision.value
        result.by_lang.setdefault(example.lang, Metrics()).add(example.label, got)
        result.overall.add(example.label, got)
        if got != example.label:
            result.errors.append((example, decision))
    return result
