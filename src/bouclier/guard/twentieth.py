"""The twentieth round's rule (issue 13): a request taken back after a refusal, judged alone.

Half of the false refusals of heldout-v20 (15 of 31, in 13 languages) were one conversation: a
request refused, then the user accepts it and asks for a plain edit instead ("d'accord, alors
juste flou l'arrière-plan", "ладно, тогда пусть будет в пуховике", "好吧，那就给她加件羽绒服",
"tamam o zaman kaban giydir, soğuk"). The follow-up head read most of them as carrying the
refused request on (0.52–0.95), which vetoes the fourteenth round's take-back class
(fourteenth.drops) and refuses the turn with the conversation.

``TwoStageGuard(rules=20)`` (bouclier.guard.rounds) applies the seventeenth round's rules (the
default) and :func:`takes_back`: a follow-up judged alone when it opens by accepting what was
said (:data:`ACCEPT`), the model reads it alone as clearly harmless (stages.CONTEXT_CLEAR), the
lexicons find nothing in it, and it names no nakedness, no undressing verb, no garment unless one
is put on, nothing made to vanish or see-through, no more or less of anything (:data:`MORE`:
"ok, then the rest"), no next photo and nothing covered (:data:`CARRIED`), and no threat to spread
it (sixteenth.spreads). One that asks for the same again or the next layer is still refused
(``Round.again``). Written from seen-v20's errors (out of sample for the model, but read), its
exclusions of :data:`CARRIED` added after a first count on seen-v2 … seen-v19 (in sample); it is
measured on heldout-v21 (docs/guard.md, "A request taken back after a refusal").
"""

from __future__ import annotations

from collections.abc import Sequence

from bouclier.guard.eleventh import GARMENT, NAKED, VANISH
from bouclier.guard.features import UNDRESS, dresses_10
from bouclier.guard.folding import folded
from bouclier.guard.sixteenth import spreads

#: A follow-up's opening that accepts what was said (a refusal): "ok", "alright", "got it",
#: "fair enough", "sorry", and "then" at the start, in the 13 covered languages.
ACCEPT = folded(
    r"^\W*(?:ok(?:ay|ey)?|alright|all right|fine|understood|got it|i see|i get it|sorry|my bad|"
    r"fair enough|then\b|"
    r"d'accord|bon\b|compris|je vois|tant pis|dommage|pardon|alors\b|"
    r"vale\b|bueno|entiendo|entendido|perd[oó]n|lo siento|entonces\b|"
    r"verstehe|verstanden|schade|na gut|schon gut|sorry|dann\b|"
    r"ho capito|capito|va bene|pazienza|scusa|peccato|allora\b|"
    r"entendi|t[áa] bom|foi mal|beleza|desculpa|ent[ãa]o\b|"
    r"ok[ée]|begrepen|jammer|snap ik|sorry|dan\b|"
    r"rozumiem|dobra|dobrze|trudno|sorki|przepraszam|to\b|"
    r"ладно|понял|понятно|ясно|извини|тогда|"
    r"tamam|anlad[ıi]m|peki|pardon|o zaman|"
    r"فهمت|طيب|ماشي|تمام|آسف|"
    r"明白|好吧|行吧|知道了|抱歉|那就|那|"
    r"わかった|分かった|了解|ごめん|じゃあ|では)",
)
#: More or less of something, the rest, further (what carries a request on), in the 13
#: covered languages.
MORE = folded(
    r"\b(?:more|less|rest|further|even|remaining|left|still|again|"
    r"plus|moins|reste|encore|"
    r"m[áa]s|menos|resto|a[úu]n|todav[íi]a|"
    r"mehr|weniger|rest\w*|noch|"
    r"pi[uù]|meno|resto|ancora|"
    r"mais|ainda|"
    r"meer|minder|nog|"
    r"wi[eę]cej|mniej|reszt\w*|jeszcze|"
    r"daha|geri\w*|kalan\w*)\b|"
    r"больше|меньше|остальн\w*|ещ[ёе]|"
    r"أكثر|أقل|الباقي|كمان|"
    r"更|再|剩下|其余|其他的|"
    r"もっと|残り|さらに",
)
#: The next photo, a body part covered by something ("only foam covers") and the picture posted
#: or sent: an undressing carried on or implied, in the 13 covered languages (the next photo, the
#: cover and "貼" added after the rule's first count on seen-v2 … v19 showed them among its 4
#: wrong answers; posting after the rule's own test found it).
CARRIED = folded(
    r"\bnext\b|\bcover\w*|\bsuivant\w*|\bcouvr\w*|\bcache\b|\bsiguiente|\bcubr\w*|\bn[äa]chst\w*|"
    r"verdeck\w*|bedeck\w*|\bdopo\b|\bsuccessiv\w*|\bcopr\w*|\bpr[óo]xim\w*|\bvolgend\w*|"
    r"\bbedek\w*|doorkijk\w*|nast[eę]pn\w*|zas[łl]ani\w*|zakry\w*|следующ\w*|прикры\w*|закры\w*|sonraki|"
    r"kapat\w*|التالي|غطي|يغطي|下一|遮|挡|次の|隠|"
    r"\b(?:post|share|send|upload|publish)\w*|\b(?:poste|partage|envoie|publie)\w*|"
    r"\b(?:publica|comparte|env[ií]a)\w*|\b(?:poste|teile|schick|versend|hochlad)\w*|"
    r"\b(?:pubblica|condividi|invia|manda)\w*|\b(?:posta|compartilh|envi[ae]|mand[ae])\w*|"
    r"\b(?:deel|stuur|plaats|verstuur)\w*|\b(?:wrzu[ćc]|udost[eę]pnij|wy[śs]lij|opublikuj)\w*|"
    r"выложи\w*|отправ\w*|скинь\w*|опублику\w*|перешли\w*|\b(?:payla[şs]|g[öo]nder)\w*|"
    r"انشر|ارسل|أرسل|شارك|发到|发给|发出|分享|上传|投稿|送って|アップ|貼|拡散",
)


def takes_back(prompt: str, before: Sequence[str], concepts: frozenset[str]) -> bool:
    """Whether the follow-up ``prompt`` accepts what was said and asks for an edit of its own
    (see the module docstring; the model's reading of it alone is the caller's)."""
    if not before or ACCEPT.search(prompt) is None or concepts:
        return False
    if MORE.search(prompt) or NAKED.search(prompt) or UNDRESS.search(prompt):
        return False
    if VANISH.search(prompt) or CARRIED.search(prompt) or spreads(prompt):
        return False
    return GARMENT.search(prompt) is None or dresses_10(prompt)
