"""What the eighth round's classifier reads besides the sentence embedding (issue 13).

Until the seventh round the lexicons and the sentence model decided apart and a refusal by
either stood (an OR): a lexicon hit on "shirtless" refused "put a T-shirt on the boy, he is
shirtless at the beach" whatever the model read. Here the lexicons' reading becomes **inputs** of
the learned decision (:func:`lexicon_features`), with two readings the sentence embedding of the
whole prompt blurs:

* **clauses** (:func:`clauses`): the prompt cut at its sentence and clause boundaries (and before
  a "because", "since", "parce que", "weil", "因为"...), so that the requested act ("put a T-shirt
  on my son") and a description ("he is shirtless at the beach") are embedded apart; the
  classifier reads the element-wise maximum and minimum of the clauses' embeddings beside the
  whole prompt's;
* **direction** (:data:`DRESS`, :data:`UNDRESS`): whether a garment is put *on* someone (dress,
  put on, cover, add a jacket: "ponle", "zieh ... an", "наден", "giydir", "穿上", "着せ") or taken
  *off*, in the 13 covered languages; which way the edit goes is a feature the classifier learns
  to weigh with the others, not a rule.

Every function here is pure and cheap (regular expressions over a prompt of at most 4,000
characters).
"""

from __future__ import annotations

import itertools
import re

import numpy as np

from bouclier.guard.folding import Pattern, folded
from bouclier.guard.lexicon import CONCEPT_WEIGHTS
from bouclier.guard.memo import remembered
from bouclier.guard.request import MAX_PROMPT_CHARS, RequestGuard
from bouclier.guard.topics import OBJECTS, TOPIC

CONCEPTS = tuple(sorted(CONCEPT_WEIGHTS))
#: The names of :func:`lexicon_features`' columns, in order.
FEATURES = (
    *(f"concept_{c}" for c in CONCEPTS),
    "lexicon_score",
    "lexicon_refuses",
    "masked",
    "product",
    "person",
    "edit",
    "question",
    "object",
    "topic",
    "dress",
    "undress",
    "clauses",
)
#: The tenth round's columns (intent-10), after :data:`FEATURES`: a request in polite or formal
#: form, and such a request whose verb undresses (see :data:`REQUEST`). A stacker with fewer
#: weights (intent-8, intent-9) reads :data:`FEATURES` only, with the ninth round's words.
FEATURES_10 = ("request", "request_undress")

#: Putting a garment *on* someone, or covering them, in the covered languages.
DRESS = folded(
    r"\bput (?:a|an|the|some|his|her|their|my)?\s?[\w-]+(?: [\w-]+)? on\b|\bput on\b|"
    r"\bdress(?:es|ed)? "
    r"(?:him|her|them|the|my|up)\b|\bcover (?:him|her|them|up|the|his|her)\b|\bgive (?:him|her|"
    r"them) (?:a|an|some)\b|\bwearing\b.{0,30}\binstead\b|\bback on\b|\bon top of\b|"
    r"\bmets[- ]?(?:lui|leur)?\b|\bmettre\b|\bhabill|\brhabill|\bcouvr|\benfil|\bajoute|"
    r"\bpon(?:le|les|er)?\b|\bviste\b|\bvístel|\bvestir|\bañad|\bagreg|\bcubr|\btáp|"
    r"\bzieh\w* .{0,40}\ban\b|\banzieh|\bbekleid|\bbedeck|\bfüg|\bleg\w* .{0,30}\bum\b|"
    r"\bmett(?:i|ere|igli|ile)\b|\bvesti(?:lo|la|re)?\b|\brivesti|\baggiung|\bcopr|"
    r"\bcoloc|\bp[oõ]e\b|\bp[oô]r\b|\bvest(?:e|ir)\b|\badicion|\bcobr|"
    r"\bdoe .{0,40}\baan\b|\btrek .{0,40}\baan\b|\baankleden|\bbedek|\bvoeg|\bgeef (?:hem|haar)\b|"
    r"\bza[lł][oó][zż]|\bubierz|\bubra[cć]|\bdodaj|\bprzykryj|\bna[lł][oó][zż]|"
    r"наден|одень|одеть|наряд|накин|прикр|добав|"
    r"giydir|giy\b|giysin|ekle|ört|"
    r"ألبس|لبس|البس|أضف|اضف|ضيف|غط|"
    r"穿上|给.{0,8}穿|加上|添加|盖上|披上|"
    r"着せ|着て|羽織|かけて|追加",
)
#: What the tenth round adds to :data:`DRESS`: English "add a ... to" (every other lexicon
#: language had its "add" verb: "ajoute", "añade", "füg ... hinzu"), "swap ... for",
#: and the Arabic dressing verbs once their vowel marks are dropped (:func:`_plain_arabic`:
#: "لبّسه" is "لبسه").
DRESS_10 = folded(
    r"\badd(?:s|ed|ing)? (?:a|an|some|the|his|her|their)?\s?[\w-]+(?: [\w-]+)? (?:to|on)\b|"
    r"\bswap\w* .{0,40}\bfor (?:a|an|some)\b|\bfrost|\bmatt(?:e|ed)\b",
)
#: A request in polite or formal form (tenth round): "could you (kindly) ...", "would you be so
#: kind", "pourriez-vous", "könnten Sie", "¿podría usted", "potrebbe", "poderia", "zou u",
#: "czy mógłby Pan", "не могли бы вы", "rica ederim", "أرجو التكرم", "麻烦您", "いただけますか".
#: A request is not a question for help: beside an undressing verb (:data:`UNDRESS`, and no
#: :data:`~bouclier.guard.topics.TOPIC` word) it is the ``request_undress`` column, so that the
#: learned decision can tell "could you kindly remove her blouse" from "could you tell me how to
#: report a fake".
REQUEST = folded(
    r"\b(?:could|would|can|will) you(?: please| kindly| be so kind)?\b|\bkindly\b|\bplease\b|"
    r"\bi(?:'d| would) (?:like|appreciate)\b|\bpourri?(?:ez|ais)[- ](?:vous|tu)\b|"
    r"\bpouvez[- ]vous\b|\bpeux[- ]tu\b|s'il (?:vous|te) pla[iî]t|\bmerci de\b|"
    r"\bje (?:voudrais|souhaiterais)\b|\bpodr[ií]a(?:s|n)?\b|\bpuede(?:s|n)?\b|\bpor favor\b|"
    r"\bquisiera\b|\bk[öo]nn(?:t)?en sie\b|\bk[öo]nntest du\b|\bkannst du\b|\bw[üu]rden sie\b|"
    r"\bbitte\b|\bsehr geehrte|\bpotre(?:sti|bbe)\b|\bpu[oò]i\b|"
    r"\bper (?:favore|piacere|cortesia)\b|"
    r"\bvorrei\b|\bgentil|\bpoderi?a(?:s)?\b|\bpode(?:s)?\b|\bgostaria\b|\bkun(?:t)? (?:je|u)\b|"
    r"\bzou(?:dt)? (?:je|u)\b|\balstublieft\b|\balsjeblieft\b|\bgraag\b|\bgeachte\b|"
    r"\bczy (?:m[oó]g[lł]|mo[zż]e)\w*|\bprosz[eę]\b|\bpoprosz[eę]\b|\buprzejmie\b|"
    r"не могли бы|можете|можешь|пожалуйста|будьте добры|прошу|"
    r"lütfen|rica (?:ederim|etsem)|\b\w+ (?:misin|mısın|musun|müsün)\b|"
    r"أرجو|ارجو|لو سمحت|من فضلك|هل يمكنك|ممكن|يرجى|التكرم|"
    r"请|請|麻烦|麻煩|能不能|可以帮|可以幫|拜托|"
    r"ください|下さい|お願い|いただけ|もらえ",
)
#: What the tenth round adds to :data:`UNDRESS`: infinitives and verbs the ninth round's list
#: missed ("tirar", "verwijderen", "zdjąć", "uittrekken").
UNDRESS_10 = folded(
    r"\btirar\b|\bretirar|\bverwijder|\buittrek|\bzdj[aąęe]\w*|\bściągn|\bsci[aą]gn|\bsnim|"
    r"\bausziehen\b|\btogliere\b|\bquitar",
)
#: Spanish and Portuguese "por" (by, for) is not "pôr" (to put on): :data:`DRESS` read "por
#: favor", "por gentileza" as dressing (ninth round and before; kept for intent-9).
_POR = folded(
    r"\bpor (?:favor|gentileza|obs[eé]quio|que|qu[eé]|ejemplo|exemplo|fa|la|el|los|las|o|a|os|"
    r"as|un|una|um|uma|esta|este|essa|esse|aqui|ali|cima|dentro)\b",
)


@remembered
def dresses_10(text: str) -> bool:
    """The tenth round's reading of a garment put on (:data:`DRESS` and :data:`DRESS_10`, Arabic
    without vowel marks, "por" that is not "pôr" left out)."""
    plain = _POR.sub(" ", _plain_arabic(text))
    return DRESS.search(plain) is not None or DRESS_10.search(plain) is not None


_ARABIC_MARKS = re.compile(r"[\u064b-\u0652\u0640]")


def _plain_arabic(text: str) -> str:
    """``text`` without Arabic vowel marks and tatweel ("لبّسه" → "لبسه")."""
    return _ARABIC_MARKS.sub("", text)


#: Taking a garment *off* or making it disappear or see-through (the lexicons' ``undress`` and
#: ``see_through`` say more; these are the verbs alone, for the model languages too).
UNDRESS = folded(
    r"\b(?:take|took|taking|pull|strip|rip|peel)\w* .{0,40}\boff\b|\bremov\w*|\bstrip\w*|"
    r"\bwithout\b|\bno (?:clothes|top|shirt|bra)\b|\bless\b|\bd[ée]shabill|\benl[eè]v|\bôt|"
    r"\bretir|\bsans\b|\bquit|\bdesnud|\bsin\b|\bausz|\bentfern|\bohne\b|\btogli|\bspogli|\bsenza\b|"
    r"\btir[ae]\b|\bdespi|\bsem\b|\buitkle|\bhaal .{0,30}\bweg|\bzonder\b|\bzdejm|\brozbier|"
    r"\bbez\b|\bbez ubra|сним|раздень|разде|без\b|çıkar|soy|kaldır|اخلع|شيل|بدون|"
    r"脱|去掉|没有|外して|脱が|なし",
)
#: Where a prompt's clauses part: sentence and clause punctuation, and before a clause of
#: cause or time (the description that follows a request: "because he is shirtless").
_CLAUSE = folded(
    r"[.!?;:\n。！？；：，、,]+|\s[-–—]\s|"
    r"\s(?=(?:because|since|as he|as she|while|parce que|parce qu'|car|puisque|porque|ya que|weil|"
    r"da er|da sie|perché|poiché|pois|omdat|want|bo|ponieważ|потому что|так как|ведь|çünkü|لأن|"
    r"لان)\s)|(?=因为|因為)|(?<=ので)|(?<=から)",
)
MAX_CLAUSES = 6


def clauses(text: str) -> list[str]:
    """The prompt's clauses (at most :data:`MAX_CLAUSES`, the rest joined to the last), each
    with two characters or more; the whole prompt when it has one."""
    parts = [p.strip() for p in _CLAUSE.split(text[:MAX_PROMPT_CHARS])]
    parts = [p for p in parts if len(p) >= 2]
    if len(parts) > MAX_CLAUSES:
        parts = [*parts[: MAX_CLAUSES - 1], " ".join(parts[MAX_CLAUSES - 1 :])]
    return parts or [text]


def lexicon_features(lexicons: RequestGuard, text: str, tenth: bool = False) -> np.ndarray:
    """The lexicons' reading of ``text`` as numbers in [0, 1], in the order of :data:`FEATURES`:
    each concept found, the score and whether it reaches the text threshold, whether a benign
    phrase was masked, the lexicons' product, person, edit and question words, an object named,
    a topic word, the direction of the edit and the number of clauses (a sixth per clause).
    ``tenth``: the tenth round's reading (intent-10): the words of :data:`DRESS_10`,
    :data:`~bouclier.guard.topics.OBJECTS_10` and :data:`~bouclier.guard.topics.TOPIC_10` too,
    Arabic read without its vowel marks, and the columns of :data:`FEATURES_10` after the
    others."""
    from bouclier.guard.request import TEXT_THRESHOLD
    from bouclier.guard.topics import OBJECTS_10, TOPIC_10

    if tenth:
        return _tenth(lexicons, text, TEXT_THRESHOLD, OBJECTS_10, TOPIC_10)

    score, matches, _ = lexicons.read(text)
    found = {m.concept for m in matches}
    prepared = lexicons.prepare(text)
    row = [float(c in found) for c in CONCEPTS]
    row += [score, float(bool(matches) and score >= TEXT_THRESHOLD), float(lexicons.masked(text))]
    row += [float(lexicons._any(field, prepared)) for field in ("product", "person", "edit")]
    row += [float("?" in text or lexicons._any("question", prepared))]
    row += [float(OBJECTS.search(text) is not None), float(TOPIC.search(text) is not None)]
    row += [float(DRESS.search(text) is not None), float(UNDRESS.search(text) is not None)]
    row += [min(len(clauses(text)), MAX_CLAUSES) / MAX_CLAUSES]
    return np.asarray(row, dtype=np.float32)


def _tenth(
    lexicons: RequestGuard,
    text: str,
    text_threshold: float,
    objects: Pattern,
    topic: Pattern,
) -> np.ndarray:
    """:func:`lexicon_features` with the tenth round's words and columns."""
    score, matches, _ = lexicons.read(text)
    found = {m.concept for m in matches}
    prepared = lexicons.prepare(text)
    plain = _plain_arabic(text)
    row = [float(c in found) for c in CONCEPTS]
    row += [score, float(bool(matches) and score >= text_threshold), float(lexicons.masked(text))]
    row += [float(lexicons._any(field, prepared)) for field in ("product", "person", "edit")]
    row += [float("?" in text or lexicons._any("question", prepared))]
    named = OBJECTS.search(text) is not None or objects.search(text) is not None
    topical = TOPIC.search(text) is not None or topic.search(text) is not None
    dressed = dresses_10(text)
    undressed = UNDRESS.search(plain) is not None or UNDRESS_10.search(plain) is not None
    row += [float(named), float(topical), float(dressed), float(undressed)]
    row += [min(len(clauses(text)), MAX_CLAUSES) / MAX_CLAUSES]
    request = REQUEST.search(plain) is not None
    row += [float(request), float(request and undressed and not topical)]
    return np.asarray(row, dtype=np.float32)


NGRAM_BITS = 18
_NGRAM_SPACE = re.compile(r"\s+")
#: Han, kana and Hangul: scripts written without spaces, whose words are mostly one or two
#: characters ("扒光", "脱がせ"): a "word" there is a whole clause.
_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff]")


def ngrams(text: str, cjk: int = 3) -> np.ndarray:
    """The hashed word pairs and character n-grams (3 to 5, inside words padded by a space;
    CRC-32 into 2**:data:`NGRAM_BITS` buckets, the same in every process) of the prompt as the
    encoder reads it (:func:`bouclier.guard.semantic.plain`): the learned counterpart of the
    lexicons, for a linear model that reads which words are there where the sentence embedding
    blurs them. In a word with Han, kana or Hangul characters the n-grams start from ``cjk``
    characters (intent-8: 3; intent-9: 2, their pairs too)."""
    from zlib import crc32

    from bouclier.guard.semantic import plain

    mask = (1 << NGRAM_BITS) - 1
    words = [w for w in _NGRAM_SPACE.split(plain(text)) if w]
    found = {crc32(f"{a}_{b}".encode()) & mask for a, b in itertools.pairwise(words)}
    for word in words:
        padded = f" {word} "
        shortest = cjk if cjk < 3 and _CJK.search(word) else 3
        for n in range(shortest, 6):
            for i in range(max(len(padded) - n + 1, 1)):
                found.add(crc32(padded[i : i + n].encode("utf-8")) & mask)
    return np.fromiter(sorted(found), dtype=np.int64)


#: The stacker's inputs (intent-8), in order: the harm head's logit on the text, the n-gram
#: model's, and the lexicons' reading (:data:`FEATURES`). (The harm head's and the n-gram
#: model's scores of the text's clauses were measured as inputs too, and added nothing:
#: docs/benchmarks-log.md, "Issue 13, eighth round".)
STACK_INPUTS = ("harm", "ngram", *FEATURES)
#: intent-10's inputs: :data:`STACK_INPUTS`, then :data:`FEATURES_10`.
STACK_INPUTS_10 = (*STACK_INPUTS, *FEATURES_10)


def logit(p: np.ndarray) -> np.ndarray:
    """log(p / (1 - p)), with p kept inside [1e-4, 1 - 1e-4]."""
    p = np.clip(np.asarray(p, dtype=np.float64), 1e-4, 1 - 1e-4)
    return np.asarray(np.log(p / (1 - p)))


def stack_row(harm: float, gram: float, lexical: np.ndarray) -> np.ndarray:
    """One text's inputs of the stacker, in the order of :data:`STACK_INPUTS`."""
    return np.concatenate([logit(np.array([harm, gram])), lexical.astype(np.float64)])


def ngram_scores(weights: np.ndarray, bias: float, texts: list[str], cjk: int = 3) -> np.ndarray:
    """The n-gram model's probability for each text: a logistic regression on its hashed
    n-grams (:func:`ngrams`, from ``cjk`` characters in Han, kana and Hangul), each weighing
    1/sqrt(their number)."""
    logits = []
    for text in texts:
        found = ngrams(text, cjk)
        total = float(weights[found].astype(np.float64).sum()) if len(found) else 0.0
        logits.append(total / np.sqrt(max(len(found), 1)) + bias)
    return np.asarray(1.0 / (1.0 + np.exp(-np.array(logits, dtype=np.float64))))
