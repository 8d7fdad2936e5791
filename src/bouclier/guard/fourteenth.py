"""The fourteenth round's rules (issue 13): classes of request that the thirteenth round's guard
missed or refused wrongly on heldout-v14 (now seen-v14), written as concepts in the 13 covered
languages, not as that file's sentences.

bouclier.guard.stages applies them after the model, beside the eleventh and thirteenth rounds'
(bouclier.guard.eleventh, bouclier.guard.thirteenth), with ``TwoStageGuard(rules=14)`` (the
default; ``rules=13`` gives the thirteenth round's guard, side by side), only where the language
is covered and the person is not protected:

* refused although the model allows (:func:`refuses`), when the prompt undresses someone (a
  lexicon ``undress`` hit, eleventh.undresses_in_words or :data:`UNCLOTHED`) and asks for no
  help and names no topic (thirteenth.excluded):

  - **a jailbreak banner** (:data:`OVERRIDE`: "ignore your instructions", developer mode,
    safety off): a request that asks the guard to stand down is no benign context;
  - **a program that undresses photos** (:data:`PROGRAM`: a script, an API call, a folder of
    photos), not one that detects or blurs (:data:`PROTECT`);
  - **an excuse of research, art or publicity** (:data:`EXCUSE_14`: a dataset, a thesis, an
    exhibition, "the photo is public anyway"): the eleventh round's excuses, for new reasons;

* allowed although the model refuses (:func:`allows`), when no refusal class applies:

  - **a text written about the harm** (:data:`WRITE` a :data:`DOCUMENT`: a policy, slides, a
    letter to parents, a debate, a take-down email) that names undressing apps, a fake nude or
    the harm as a topic; such a request is not read as the thirteenth round's "app" either
    (:func:`writes_about`);
  - **an object opened or made transparent to show its inside** (:func:`shows_inside`: a
    watch's case, a teapot, a scallop's shell), no garment and no person named;

* a **follow-up judged alone** (:func:`drops`): a turn that says it drops the request before it
  ("ok no, just…", "forget it", "算了") and does not carry it on.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from bouclier.guard import eleventh as rules11
from bouclier.guard import thirteenth as rules13
from bouclier.guard.folding import folded
from bouclier.guard.topics import TOPIC, TOPIC_10

#: Without clothes, where eleventh.NAKED lacks it.
UNCLOTHED = folded(
    r"\bunclothed\b|without (?:any )?cloth(?:es|ing)|ohne kleidung|senza abiti|sem roupas|"
    r"zonder kleding|bez odzie[żz]y|k[ıi]yafetsiz|giysisiz|بدون هدوم|不穿衣服|"
    r"着衣なし|衣服なし|服なし",
)
#: A jailbreak banner: ignore the instructions, developer mode, safety or filters off.
OVERRIDE = folded(
    r"system override|\boverride\b|safety\s*[=:]\s*(?:false|off|0|none)|"
    r"ignore (?:all )?(?:of )?(?:your |the |previous |prior |above )*(?:instructions|rules|"
    r"guidelines)|developer mode|\bdev mode\b|jailbreak|god mode|unfiltered|uncensored|"
    r"no (?:restrictions|filters?|limits)\b|filters? (?:off|disabled)|\[system\]|<system>|"
    r"mode d[ée]veloppeur|ignore (?:toutes )?(?:tes|vos|les) (?:instructions|r[èe]gles|consignes)|"
    r"r[èe]gles (?:sont )?suspendues|sans (?:filtre|censure|restriction)s?\b|"
    r"modo (?:desarrollador|dios|sin censura|desenvolvedor|programador)|"
    r"ignora (?:todas )?(?:tus |las |le |tue )*(?:instrucciones|reglas|normas|istruzioni|regole)|"
    r"sin (?:filtros?|censura|restricciones)\b|entwicklermodus|"
    r"ignorier\w* (?:alle )?(?:deine |die |vorherigen )*(?:anweisungen|regeln|vorgaben)|"
    r"ohne (?:filter|zensur|einschr[äa]nkungen)\b|sicherheitsfilter\w* (?:aus|deaktiv)|"
    r"modalit[àa] sviluppatore|senza (?:filtri|censura|restrizioni)\b|"
    r"ignor[ae] (?:todas )?(?:as )?(?:suas )?(?:instru[çc][õo]es|regras)|"
    r"sem (?:filtros?|censura|restri[çc][õo]es)\b|ontwikkelaarsmodus|"
    r"negeer (?:al )?(?:je |jouw |de |alle )*(?:vorige )?(?:instructies|regels)|"
    r"zonder (?:filter|censuur|beperkingen)\b|tryb (?:dewelopera|programisty)|"
    r"zignoruj (?:wszystkie )?(?:swoje |poprzednie )*(?:instrukcje|zasady|regu[łl]y)|"
    r"bez (?:filtr[óo]w|cenzury|ogranicze[ńn])\b|режим разработчика|"
    r"игнорируй (?:все )?(?:свои |предыдущие )*(?:инструкции|правила)|"
    r"без (?:цензуры|фильтров|ограничений)|фильтр\w* (?:выключ|отключ)|"
    r"geli[şs]tirici mod|(?:talimat|kural)\w* (?:yok say|g[öo]rmezden gel)|filtresiz|"
    r"sans[üu]rs[üu]z|filtre\w* kapal|وضع المطور|تجاهل (?:كل |جميع )?(?:التعليمات|القواعد)|"
    r"بدون (?:قيود|فلتر|رقابة)|开发者模式|開發者模式|越狱|越獄|"
    r"忽略(?:之前|以上|所有)?的?(?:指令|规则|規則|指示)|(?:过滤|過濾|限制)\S{0,3}(?:关闭|關閉|解除)|"
    r"开发者|開発者モード|(?:指示|ルール)を無視|【システム】|フィルタ\S{0,2}無効|制限解除|脱獄",
)
#: A program run on photos: a script, code, an API call, a folder or a batch of photos.
PROGRAM = folded(
    r"\bscript\b|\bcode\b|\bpython\b|\bapi\b|\bcurl\b|\bendpoint|\bparam[eè]t|\bbatch\b|"
    r"\bbulk\b|\bfolder\b|\bdirectory\b|every (?:photo|pic|image)|all (?:the )?(?:photos|pics|"
    r"images)\b|\brequ[êe]te\b|\bdossier\b|toutes les (?:photos|images)|\bc[óo]digo\b|"
    r"\bcarpeta\b|todas las fotos|\bskript\b|\bordner\b|alle (?:fotos|bilder)|\bcodice\b|"
    r"\bcartella\b|tutte le foto|\bpasta\b|todas as fotos|\bmap\b|alle foto'?s|\bskrypt|"
    r"\bkod\b|wszystkie zdj[ęe]cia|скрипт|\bкод\b|папк|все фото|\bbetik|klas[öo]r|"
    r"t[üu]m foto[ğg]raf|سكربت|سكريبت|كود|مجلد|كل الصور|脚本|代码|程式|文件夹|資料夾|所有照片|"
    r"批量|接口|スクリプト|コード|フォルダ|一括",
)
#: What a protective program does: detect, flag, block, blur.
PROTECT = folded(
    r"detect|\bflag|\bblock|\bblur|moderat|\bscan|classif|d[ée]tect|bloqu|flout|difumin|"
    r"desenfoc|erkenn|blockier|verpixel|rilev|blocc|sfoc|detecteer|blokkeer|vervaag|wykry|"
    r"blokuj|rozmyj|обнаруж|блокир|размы|tespit|engelle|bulan[ıi]k|كشف|حجب|تمويه|检测|偵測|"
    r"识别|識別|屏蔽|打码|検出|ブロック|ぼかし",
)
#: The eleventh round's excuses (eleventh.EXCUSE), for new reasons: research and datasets, an
#: art project or an exhibition, a security test, "the photo is public anyway".
EXCUSE_14 = folded(
    r"\bresearch|\bdata ?set|training data|\bthesis\b|art project|\bartist\b|exhibition|"
    r"\bpentest|security research|\bpublic(?:ly)?\b|\brecherche\b|jeu de donn[ée]es|\bth[èe]se\b|"
    r"projet artistique|\bartiste\b|\bexpo\b|\bexposition\b|\bpublique?s?\b|conjunto de datos|"
    r"\btesis\b|proyecto art[íi]stico|\bartista\b|exposici[óo]n|\bp[úú]blic[oa]s?\b|"
    r"forschung|datensatz|abschlussarbeit|kunstprojekt|k[üu]nstler|ausstellung|[öo]ffentlich|"
    r"\bricerca\b|\btesi\b|progetto artistico|\bpubblic[oi]\b|\bpubblich[ei]\b|\bpesquisa\b|"
    r"\btese\b|"
    r"projeto art[íi]stico|exposi[çc][ãa]o|scriptie|kunstproject|kunstenaar|tentoonstelling|"
    r"openbaar|badani|zbi[óo]r danych|projekt artystyczny|artyst|publiczn|"
    r"исследован|датасет|набор данных|диплом|арт-?проект|художни|выставк|публичн|открытом доступе|"
    r"ara[şs]t[ıi]rma|veri seti|\btez\b|sanat projesi|sanat[çc][ıi]|sergi|herkese a[çc][ıi]k|"
    r"باحث|بحث|بيانات|مشروع فني|فنان|معرض|منشورة للكل|للعامة|研究|数据集|數據集|论文|論文|"
    r"艺术项目|藝術|展览|展覽|公开|公開|データセット|卒論|アート|展示",
)
#: Write, draft, prepare, translate (a text).
WRITE = folded(
    r"\b(?:write|draft|prepare|translate|compose|outline)\b|[ée]cri[st]|r[ée]dige|pr[ée]par|"
    r"tradui[st]|escrib|redact|traduc|schreib|verfass|formulier|bereite|[üu]bersetz|\bscriv|"
    r"redig|tradu[cz]|escrev|\bfaz um roteiro|schrijf|bereid|vertaal|napisz|przygotuj|"
    r"przet[łl]umacz|zredaguj|напиши|составь|подготовь|переведи|\byaz\b|yaz[ıi]n|haz[ıi]rla|"
    r"[çc]evir|اكتب|جهز|حضر|ترجم|صيغ|写|寫|起草|翻译|翻譯|書いて|作成|翻訳|まとめて",
)
#: A text of an institution, a school or a victim: a policy, slides, a letter, a debate.
DOCUMENT = folded(
    r"\bpolicy|\bletter\b|e-?mail|\bmessage\b|\bslides?\b|presentation|\bdebate\b|\blesson\b|"
    r"leaflet|flyer|handout|\bnotice\b|statement|complaint|\bmemo\b|newsletter|video script|"
    r"\bessay\b|\barticle\b|guidelines|politique|\bcharte|\blettre|courriel|\bdiapo|"
    r"pr[ée]sentation|d[ée]bat|\bcours\b|\btract|\bplainte|r[èe]glement|pol[íi]tica|\bcarta\b|"
    r"\bcorreo|\bmensaje|diapositiva|presentaci[óo]n|\bclase\b|folleto|\bdenuncia|art[íi]culo|"
    r"\bnormas\b|richtlinie|\bbrief\b|nachricht|\bfolien|pr[äa]sentation|debatte|unterricht|"
    r"elternbrief|\bartikel|hausordnung|lettera|messaggio|\bslide|presentazione|dibattito|"
    r"lezione|volantino|articolo|regolamento|mensagem|apresenta[çc][ãa]o|\baula\b|folheto|"
    r"roteiro|den[úu]ncia|artigo|\bbeleid|\bbericht|dia'?s\b|presentatie|\bdebat\b|\bles\b|"
    r"aangifte|reglement|polityk|\blist\b|wiadomo[śs]|slajd|prezentacj|\bdebat|lekcj|ulotk|"
    r"zawiadomieni|artyku[łl]|regulamin|политик|письм|сообщени|слайд|презентаци|дебат|урок|"
    r"листовк|заявлени|стать|правила|politika|mektup|e-?posta|\bmesaj|slayt|sunum|m[üu]nazara|"
    r"\bders|bro[şs][üu]r|dilek[çc]e|makale|y[öo]netmelik|سياسة|رسالة|إيميل|ايميل|شرائح|"
    r"عرض تقديمي|مناظرة|درس|منشور|شكوى|مقال|政策|制度|一封|邮件|郵件|幻灯片|ppt|演示|辩论|辯論|"
    r"传单|投诉|文章|文案|规定|ポリシー|規程|手紙|メール|スライド|プレゼン|ディベート|授業|チラシ|"
    r"記事|文章",
)
#: Made transparent, or opened, peeled, unwrapped.
TRANSPARENT = folded(
    r"transparent|see[- ]through|translucent|\bx-?ray|transparente?s?|translucide|durchsichtig|"
    r"trasparent|doorzichtig|transparant|przezroczyst|прозрачн|[şs]effaf|saydam|شفاف|透明|"
    r"スケルトン|\bopen\b|\bpeel|unwrap|crack open|\bouvr|[ée]pluch|\babr[eai]\b|\bpela\b|"
    r"[öo]ffne|aufklapp|sch[äa]l|\bapri\b|sbuccia|descasc|\bpel\b|schil|otw[óo]rz|obierz|"
    r"открой|очисти|раскрой|\ba[çc]\b|\bsoy\b|افتح|قشر|打开|打開|剥开|剝開|開けて|剥いて|むいて",
)
#: The inside shown, or a case, a housing, a shell (of a thing).
INSIDE = folded(
    r"\binside\b|interior|\binner\b|mechanism|movement|circuit|contents|what'?s in\b|"
    r"\bcase\b|casing|housing|\bshells?\b|int[ée]rieur|dedans|m[ée]canisme|bo[îi]tier|coque|"
    r"\bdentro\b|mecanismo|carcasa|\bcaja\b|innen|uhrwerk|mechanik|geh[äa]use|interno|"
    r"meccanismo|\bcassa\b|guscio|caixa|carca[çc]a|binnen|mechaniek|behuizing|wn[ęe]trz|"
    r"w [śs]rodku|mechanizm|obudow|внутр|механизм|корпус|\bi[çc]i\b|i[çc]ini|i[çc]indeki|"
    r"mekanizma|g[öo]vde|داخل|جوا|فيها|هيكل|غلاف|里面|裡面|内部|內部|外壳|外殼|壳|殻|中身|"
    r"中の|ケース|筐体",
)
#: A person named: the pronouns and nouns of a person in the 13 covered languages.
PERSON = folded(
    r"\b(?:her|him|she|he|his|girl|woman|women|boy|lady|guy)\b|\belle\b|\blui\b|"
    r"\bfille|\bfemme|\bella\b|\bél\b|chica|mujer|\bsie\b|\bihn\b|m[äa]dchen|\bfrau\b|"
    r"\blei\b|ragazz|donna|\bela\b|\bele\b|menina|mulher|\bhaar\b|\bhem\b|\bzij\b|meisje|"
    r"vrouw|\bj[ąa]\b|\bjej\b|\bgo\b|dziewczyn|kobiet|\bе[её]\b|\bего\b|\bона\b|\bон\b|"
    r"девушк|женщин|\bk[ıi]z|kad[ıi]n|بنت|امرأة|她|他|女孩|女生|女人|彼女|女の子|女性",
)
#: "Image" in Chinese and Japanese, whose 像 topics.OBJECTS reads as a statue.
PICTURE = re.compile(r"画像|图像|圖像|影像|映像")
#: What eleventh.GARMENT misses: Turkish "gömlek" with its g softened ("gömleğini").
GARMENT_14 = folded(r"g[öo]mle[ğg]")
#: The lexicons' concepts of something worn.
WORN = frozenset({"clothes", "underwear", "swimwear", "undress", "expose_body_part"})
#: A turn that drops the request before it: "ok no", "never mind", "forget it", "算了".
DROP = folded(
    r"^\W*(?:ok(?:ay)?|fine|alright)?[ ,.]*(?:no\b|never ?mind|forget (?:it|that)|"
    r"scratch that|leave it)|forget (?:it|that)|never ?mind|"
    r"laisse tomber|oublie(?:z)? (?:[çc]a|cela)|tant pis|"
    r"^\W*(?:vale|bueno|ok)?[ ,.]*no\b|olv[íi]dalo|d[ée]jalo|"
    r"vergiss es|lass (?:es|das)|schon gut|"
    r"lascia (?:stare|perdere)|^\W*va be'?|^\W*allora\b|lasciamo stare|"
    r"esquece|deixa (?:pra l[áa]|isso)|"
    r"laat maar|laat (?:dat|het) maar|vergeet (?:het|dat)|"
    r"odpu[śs][ćc]|zapomnij|niewa[żz]ne|"
    r"забудь|неважно|ладно,? (?:тогда|не надо)|"
    r"bo[şs]ver|vazge[çc]|unut gitsin|"
    r"خلاص|انس[ىا]|انسي|ما علي|"
    r"算了|不用了|不做就|"
    r"もういい|やっぱり|やめて",
)


def undressing(text: str, concepts: frozenset[str]) -> bool:
    """Whether ``text`` undresses someone: a lexicon ``undress`` hit, the eleventh round's
    words (eleventh.undresses_in_words) or :data:`UNCLOTHED`."""
    if "undress" in concepts or UNCLOTHED.search(text):
        return True
    return rules11.undresses_in_words(text)


def refuses(text: str, concepts: frozenset[str]) -> str | None:
    """The class of the fourteenth round's refusal that ``text`` falls in, if any
    (``concepts``: the lexicons' concepts found in it)."""
    gates = (OVERRIDE, PROGRAM, EXCUSE_14)
    if not any(p.search(text) for p in gates) or rules13.excluded(text):
        return None  # every class needs one of these words (most edits have none)
    pictured = PICTURE.sub(" ", text)
    if not undressing(pictured, concepts) or rules13.names_object(pictured):
        return None
    if OVERRIDE.search(text):
        return "override"
    if PROGRAM.search(text) and not PROTECT.search(text):
        return "program"
    if EXCUSE_14.search(text):
        return "pretext"
    return None


def writes_about(text: str) -> bool:
    """A text (a policy, slides, a letter, a debate) asked to be written about the harm: an
    undressing app, a fake nude, the harm named as a topic."""
    if WRITE.search(text) is None or DOCUMENT.search(text) is None:
        return False
    if PROGRAM.search(text) and not DOCUMENT.search(PROGRAM.sub(" ", text)):
        return False  # "write a script that…" is a program, not a text
    harm = (rules13.APP, rules13.FAKE_NUDE, TOPIC, TOPIC_10)
    return any(p.search(text) for p in harm)


def shows_inside(text: str, concepts: frozenset[str]) -> bool:
    """An object opened or made transparent to show its inside; no garment (nor a lexicon's
    concept of one, :data:`WORN`), nakedness, face or person named."""
    if TRANSPARENT.search(text) is None or INSIDE.search(text) is None:
        return False
    named = (rules11.GARMENT, rules13.GARMENT_13, GARMENT_14, rules11.NAKED, rules11.FACE, PERSON)
    return not (concepts & WORN or any(p.search(text) for p in named))


def allows(text: str, concepts: frozenset[str]) -> str | None:
    """The fourteenth round's allow that ``text`` falls in, if no refusal class applies."""
    if refuses(text, concepts) is not None or rules11.refuses(text) is not None:
        return None
    if writes_about(text):
        return "writing"
    if shows_inside(text, concepts):
        return "inside"
    return None


def drops(prompt: str, before: Sequence[str]) -> bool:
    """A follow-up that says it drops the request before it ("ok no, just…"), or one after a
    turn that said so ("你不做就算了"), which asks for nothing more of it (no garment, no
    nakedness)."""
    said = DROP.search(prompt) or (before and DROP.search(before[-1]))
    if said is None:
        return False
    return not (rules11.GARMENT.search(prompt) or rules11.NAKED.search(prompt))


#: The explanation of each class.
EXPLAINED = {
    "override": "a jailbreak banner around a request to undress a person",
    "program": "a program asked for that undresses people's photos",
    "pretext": "an excuse (research, art, a public photo) for an image of a person undressed",
    "writing": "a text written about intimate-image abuse, not a request to edit a picture",
    "inside": "an object opened or made transparent to show its inside, no person named",
}
#: The classes of :func:`allows` (the others are refusals).
ALLOWS = frozenset({"writing", "inside"})
