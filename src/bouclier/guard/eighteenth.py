"""The eighteenth round's rules (issue 13): classes of request that the shipped guard
(intent-14-first with the seventeenth round's rules) missed or refused wrongly on seen-v18 (the
former heldout-v18), written as concepts in the 13 covered languages, not as that file's
sentences.

bouclier.guard.rounds applies them after the model with ``TwoStageGuard(rules=18)``, **stacked on
the seventeenth round's rules** (``Round.on``: rounds 11, 13, 14, 17 and 18), only where the
language is covered and the person not protected:

* refused although the model allows (:func:`refuses`), never for a question about the harm, help
  or the law asked about, a campaign against the harm or a picture with no person
  (:func:`_excluded`), and, as a veto, never allowed by an earlier round:

  - **an undressing bot or app sought that still works** (:func:`seeks_working`): "which bot
    still undresses, the old one was banned";
  - **nudes sold by subscription or a fan account** (:func:`sells_nudes`): a nude of a real or
    named person and a price, a subscription, a fan account, a second-hand market;
  - **a person's garment taken off** (:func:`unclothes`): a garment (not a coat, a hat or
    glasses) taken off or erased, a person named in the prompt or the turns before;
  - **a garment dissolved** (:func:`dissolves`): washed away by the rain, turned into mist;
  - **an x-ray on a person** (:func:`xray_on`): an x-ray mode, glasses or vision on a person;
  - **a garment filled with skin** (:func:`skin_fill`): "inpaint the shirt area with skin";
  - **a garment slipped off** (:func:`slips`): a wardrobe malfunction, "make it look like it
    fell off" after a turn that named a garment;
  - **a picture passed off as leaked** (:func:`leaked`): "as if it leaked", a stolen shot;

* allowed although the model refuses (:func:`allowed`), when no refusal class applies:

  - **a nudity word of a thing** (:func:`lookalike`): nude lipstick, a naked cake, 裸分, bare
    brick, a leafless tree, a convertible "oben ohne", clothes picked up off the floor;
  - **the outfit kept as it is** (:func:`keeps_outfit`): "don't change my outfit";
  - **a person taken out of a photo** (:func:`removes_person`): "enlève-la de la photo";
  - **glasses, a hat, a bridal veil or a mascot's costume taken off** (:func:`accessory`);
  - **an effigy undressed** (:func:`effigy`): Judas, Marzanna, a scarecrow (judged alone after
    turns that name it and no person, :func:`alone`);

* **mends** (:func:`mends`): an earlier round's refusal of a thing's word ("lookalike"), or of
  glasses or a mascot's costume taken off ("accessory").

Dropped by the round's pre-registered rule (:data:`DROPS`; docs/guard.md, "The eighteenth
round"), their code gone: a nude of a person the one asking knows, a minor bared, an undressing
carried on after a turn (refusals); a request given up, clothes put on, the picture laid out, a
question about the law, no person pictured (allows): their changed answers on the estimate were
more often wrong than right.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from bouclier.guard import eleventh as rules11
from bouclier.guard import fourteenth as rules14
from bouclier.guard import seventeenth as rules17
from bouclier.guard import thirteenth as rules13
from bouclier.guard.features import dresses_10
from bouclier.guard.folding import folded
from bouclier.guard.topics import TOPIC, TOPIC_10

_I = re.IGNORECASE

#: Nakedness beyond eleventh.NAKED and seventeenth.NUDE_17: "sans rien", "golutka", 露点, ню.
NUDE_18 = folded(
    r"\btopless\b|\btoples\w*|\bsans rien\b|\bà poil\b|\ben pelotas\b|\bsin nada\b|"
    r"\bin pelota\b|\bnackig\w*|\bohne (?:alles|nichts)\b|\bsenza (?:niente|nulla)\b|"
    r"\bsem nada\b|\bpelad[ao]s?\b|\bzonder iets\b|\bbez niczego\b|\bgolutk\w*|\bgoł[aąeyi]\w*|"
    r"\bnagusie\w*|\bбез ничего\b|\bню\b|\bнюд\w*|\bголеньк\w*|\bголышом\b|топлес\w*|"
    r"[çc][ıi]r[ıi]l[çc][ıi]plak|üstsüz|ملط|عري\w*|عرّي\w*|عارية الصدر|露点|露點|光屁股|"
    r"光着|一丝不挂|全裸|上空|すっぽんぽん|トップレス|بدون (?:ولا )?شي|بلا شي|"
    r"\bunzensiert\w*|\buncensored\b|\bsans censure\b|\bsin censura\b|\bsenza censura\b|"
    r"\bsem censura\b|\bongecensureerd\b|\bbez cenzury\b|\bбез цензуры\b|\bsans[üu]rs[üu]z\b|"
    r"بدون رقابة|无码|無修正",
)
#: Without a garment: "senza vestito", "without her dress".
WITHOUT_GARMENT = re.compile(
    r"\b(?:without|sans|sin|ohne|senza|sem|zonder|bez|без|بدون)\s+"
    r"(?:(?:her|his|the|a|any|its|sa|son|ses|la|le|les|su|sus|el|ihr\w*|sein\w*|die|der|das|il|"
    r"lo|i|o|os|as|haar|zijn|de|het|jej|jego|е[её]|его)\s+)?(?:" + rules11.GARMENT.pattern + ")",
    _I,
)
#: Bare feet are no nakedness: 裸足, barefoot, descalzo.
BAREFOOT = folded(
    r"裸足|裸脚|赤脚|barefoot|bare feet|pieds nus|descalz\w*|barfu[ßs]\w*|scalz\w*|descal[çc]\w*|"
    r"blootsvoets|\bbos[aey]?\b|босик\w*|босой|yal[ıi]nayak|حافي\w*",
)
#: Spanish "soy" (I am), which eleventh.NAKED reads as the Turkish "undress".
_SOY = folded(
    r"\bsoy\b(?=\s+(?:un|una|el|la|de|del|muy|tu|su|mam[áa]|[a-záéíóúñ]+(?:ora|ero|era|ista|ante|"
    r"ente|ado|ada|ico|ica|[íi]a|[íi]o)\b))",
)
#: Underwear and swim briefs a person is put in (a thong, "slip de bain", стринги).
UNDIES = folded(
    r"\bthong\b|\bg-string\b|\bunderwear\b|\bbriefs\b|\bknickers\b|\bpanties\b|\blingerie\b|"
    r"\bstring\b|\bslip\b|\bslip de bain\b|\bculotte\b|\bsous-v[êe]tements?\b|\btanga\b|"
    r"\bbragas?\b|\bcalzoncillos?\b|\bropa interior\b|unterw[äa]sche|\bunterhose\b|\bslips?\b|"
    r"\bmutande\b|\bintimo\b|\bcalcinha\b|\bcueca\b|\broupa [íi]ntima\b|\bondergoed\b|"
    r"\bonderbroek\b|\bmajtk\w*|\bstring[io]\b|\bbielizn\w*|\bkąpielówk\w*|\bтрус\w*|\bстринг\w*|"
    r"нижн\w* бель\w*|плавк\w*|\bk[üu]lot\w*|\bi[çc] ?[çc]ama[şs]\w*|\bmayo\b|سروال داخلي|"
    r"ملابس داخلية|كلوت|内裤|內褲|丁字裤|泳裤|内衣|下着|パンツ一丁|海パン",
)


def _bare(text: str) -> bool:
    """Nakedness named (eleventh.NAKED, seventeenth.NUDE_17, :data:`NUDE_18`, a garment gone),
    bare feet and the Spanish "soy" aside."""
    text = _SOY.sub(" ", BAREFOOT.sub(" ", text))
    found = (rules11.NAKED, rules17.NUDE_17, NUDE_18, WITHOUT_GARMENT)
    return any(p.search(text) for p in found)


#: A person the one asking knows or names by a role: an ex, a landlord, a teacher, a vicar, a
#: boss, a neighbour, a classmate, an instructor, "the one from reception".
RELATION = folded(
    r"\bex\b|\bex-\w+|landlord|landlady|\bteacher\b|\bprof\b|professor|\bvicar\b|\bpriest\b|"
    r"\bpastor\b|\bboss\b|\bmanager\b|colleague|co-?worker|neighbou?r|classmate|instructor|"
    r"\btrainer\b|\btutor\b|\bcoach\b|\bcousin\b|sister-in-law|roommate|flatmate|receptionist|"
    r"secretary|news anchor|\banchor\b|presenter|\bcrush\b|polonist\w*|anglist\w*|"
    r"propri[ée]taire|\bprof\b|professeure?|\bcur[ée]\b|\bpasteur\b|\bpatron(?:ne)?\b|"
    r"\bcoll[èe]gue|\bvoisin\w*|\bcamarade|instructrice|instructeur|moniteur|monitrice|"
    r"\bcousine\b|belle-s[œoe]ur|\bcoloc\w*|r[ée]ceptionniste|secr[ée]taire|"
    r"\bcaser[oa]\b|\bprofe\w*|\bcura\b|\bjef[ae]\b|\bcompañer[oa]\w*|\bvecin[oa]\w*|"
    r"\binstructor[a]?\b|entrenador\w*|\bprima\b|cuñad[ao]|recepcionista|\bsecretaria\b|"
    r"vermieter\w*|\blehrer\w*|\bpfarrer\w*|\bchef(?:in)?\b|\bkolleg\w*|\bnachbar\w*|"
    r"mitsch[üu]ler\w*|\btrainer\w*|schw[äa]gerin|mitbewohner\w*|"
    r"padron\w* di casa|insegnant\w*|\bparroco\b|\bprete\b|\bcapo\b|\bcollega\b|\bvicin[oa]\b|"
    r"istruttric\w*|istruttore|allenat\w*|\bcugina\b|\bcognata\b|coinquilin\w*|"
    r"senhori\w*|professor[a]?\b|\bpadre\b|\bchefe\b|\bcolega\b|vizinh[oa]\w*|instrutor[a]?\b|"
    r"treinador\w*|cunhad[ao]|"
    r"huisbaas|\bleraar\b|lerares|\bdocent\w*|\bjuf\b|\bpastoor\b|\bbaas\b|buurvrouw|buurman|"
    r"klasgeno\w*|\binstructrice\b|schoonzus|"
    r"\bby[łl](?:ej|ego|a|y)\b|w[łl]a[śs]ciciel\w*|nauczyciel\w*|\bwikar\w*|\bksi[ęe]dz\w*|"
    r"proboszcz\w*|\bszef\w*|kole[żz]an\w*|\bkoleg\w*|s[ąa]siad\w*|instruktor\w*|\btrener\w*|"
    r"kuzynk\w*|szwagierk\w*|\bz recepcji\b|recepcjonistk\w*|"
    r"бывш\w*|арендодател\w*|\bхозя\w*|учител\w*|училк\w*|\bпрепод(?:а|у|ом|е|ы|ов)?\b|"
    r"преподавател[ьяюе]\b|"
    r"батюшк\w*|священник\w*|начальни\w*|\bбосс\w*|коллег\w*|сосед\w*|одноклассни\w*|"
    r"одногруппни\w*|\bтренер\w*|\bкузин\w*|"
    r"eski sevgili\w*|ev sahib\w*|[öo][ğg]retmen(?:im|imiz|in|i|e)?\b|"
    r"\bhoca(?:m|m[ıi]z[ıi]?|n[ıi]n|y[ıi]|s[ıi]n[ıi]|s[ıi])?\b|\bimam\w*|\bpatron\w*|"
    r"m[üu]d[üu]r\w*|"
    r"i[şs] arkada[şs]\w*|kom[şs]u\w*|s[ıi]n[ıi]f arkada[şs]\w*|e[ğg]itmen\w*|antren[öo]r\w*|"
    r"\bkuzen\w*|"
    r"طليقت\w*|طليقتي|صاحب البيت|مدرس\w*|معلم\w*|أستاذ\w*|استاذ\w*|مدير\w*|زميلت\w*|زميل\w*|"
    r"جارت\w*|جيران|"
    r"前女友|前任|前妻|房东|老师|神父|牧师|老板|上司|同事|邻居|同学|教练|表姐|表妹|"
    r"元カノ|元彼|元妻|大家さん|先生|牧師|社長|同僚|隣人|近所の|同級生|クラスメイト|コーチ",
)
#: A person named beyond fourteenth.PERSON and seventeenth.HUMAN: "la morena", "la signora".
PERSON_18 = folded(
    r"\b(?:lady|brunette|blonde|redhead|stranger)\b|\bdame\b|\bbrune\b|\bblonde\b|"
    r"\bse[ñn]ora\b|\bmorena\b|\brubia\b|\bpelirroja\b|\bsignora\b|\bsignorina\b|\bbionda\b|"
    r"\bmora\b|\bsenhora\b|\bloira\b|\bmevrouw\b|\bblondje\b|\bpani\b|\bpaniusi\w*|\bblondynk\w*|"
    r"\bbrunetk\w*|\bтётк\w*|\bтетк\w*|\bдам\w*|\bблондинк\w*|\bбрюнетк\w*|\bbayan\w*|"
    r"\bsar[ıi][şs][ıi]n\w*|\besmer\w*|سيدة|الشقراء|السمراء|女士|大姐|美女|お姉さん|女の人|"
    r"\bface\b|\bvisage\b|\bcara\b|\brostro\b|\bgesicht\b|\bviso\b|\brosto\b|\bgezicht\b|"
    r"\btwarz\w*|\bлиц[оа]\b|\by[üu]z[üu]?\b|الوجه|وجه\w*|脸|臉|顔|"
    r"\b(?:leva|togli|sfila|strappa)(?:le|gli)\b|\b(?:qu[íi]ta|saca|arranca)le\b|\btira-lhe\b|"
    r"\b(?:enl[èe]ve|retire)-lui\b|\bzieh (?:ihr|ihm)\b|\bzdejmij (?:jej|mu)\b|\bсними с не[её]\b",
)


def _person(text: str) -> bool:
    """A person named: a pronoun or a noun of a person, a role, a relation, a face."""
    found = (
        rules14.PERSON,
        rules17.HUMAN,
        RELATION,
        PERSON_18,
        rules17.WORKER,
        rules17.CHILD_17,
        rules11.FACE,
    )
    return any(p.search(text) for p in found)


#: Garments beyond the earlier rounds': a school uniform in Turkish, a Polish "strój", a slip.
GARMENT_18 = folded(
    r"\bforma(?:s[ıi]n[ıi]|y[ıi]|s[ıi])\b|\bstr[óo]j\w*|\bstroj\w*|\bszmat\w*|\bciuch\w*",
)
#: Outer garments and what is worn on the head or face: taking them off bares no body.
OUTER = folded(
    r"\bcoat\b|\bjacket\b|\bhat\b|\bcap\b|\bscarf\b|\bgloves?\b|\bshoes?\b|\bboots?\b|"
    r"sunglasses|\bglasses\b|\bhelmet\b|\bmask\b|\bhood\b|\bmanteau\b|\bveste\b|\bchapeau\b|"
    r"casquette|[ée]charpe|\bgants?\b|chaussures|lunettes|\bcasque\b|\bmasque\b|\babrigo\b|"
    r"\bchaqueta\b|\bsombrero\b|\bgorra\b|\bbufanda\b|\bguantes\b|\bzapatos\b|\bgafas\b|"
    r"\bcasco\b|\bm[áa]scara\b|\bmantel\b|\bjacke\b|\bhut\b|\bm[üu]tze\b|\bschal\b|"
    r"handschuhe|\bschuhe\b|\bbrille\b|\bhelm\b|\bmaske\b|\bcappotto\b|\bgiacca\b|"
    r"\bgiubbotto\b|\bcappello\b|\bsciarpa\b|\bguanti\b|\bscarpe\b|\bocchiali\b|\bcasaco\b|"
    r"\bjaqueta\b|\bchap[ée]u\b|\bbon[ée]\b|\bcachecol\b|\bluvas\b|\bsapatos\b|[óo]culos|"
    r"\bjas\b|\bhoed\b|\bpet\b|\bsjaal\b|handschoenen|\bschoenen\b|\bbril\b|\bp[łl]aszcz\w*|"
    r"\bkurtk\w*|\bczapk\w*|\bszalik\w*|r[ęe]kawiczk\w*|\bbuty\b|okular\w*|\bkask\w*|"
    r"\bпальто\b|\bкуртк\w*|\bшапк\w*|\bшарф\w*|перчатк\w*|\bобув\w*|\bочк\w*|\bшлем\w*|"
    r"\bmont\w*|\bceket\w*|\bkaban\w*|[şs]apka\w*|atk[ıi]\w*|eldiven\w*|ayakkab[ıi]\w*|"
    r"g[öo]zl[üu]k\w*|معطف|جاكيت|جاكيت\w*|قبع\w*|طاقي\w*|شال|قفاز\w*|حذاء|جزم\w*|نظار\w*|"
    r"外套|大衣|夹克|帽子|围巾|手套|鞋|眼镜|墨镜|头盔|コート|ジャケット|帽子|マフラー|手袋|靴|"
    r"メガネ|眼鏡|サングラス",
)


def _garment(text: str) -> bool:
    return rules17._garment(text) or GARMENT_18.search(text) is not None


def _bodily_garment(text: str) -> bool:
    """A garment that covers the body (not a coat, a hat, shoes, glasses, a mascot's costume)."""
    return _garment(OUTER.sub(" ", ACCESSORY.sub(" ", text)))


#: Taken off beyond seventeenth.REMOVE_17: "levale", "precz", امسح, erased.
REMOVE_18 = folded(
    r"\berase\w*|\bwipe\w*|\bdelete\w*|\bget rid of\b|\beffac\w*|\bborra\w*|\bl[öo]sch\w*|"
    r"\bcancella\w*|\bleva(?:le|gli|la|lo)?\b|\bapaga\w*|\bweg\b|\bwis\w*|\bwyma[żz]\w*|"
    r"\bprecz\b|\bsotri\b|\bсотри\w*|\bудали\w*|\bsil\b|\bsilin\w*|امسح\w*|احذف\w*|طير\w*|"
    r"طيّر\w*|删掉|删除|擦掉|消して|消す",
)


#: "zdjęcie" (a photo), which seventeenth.REMOVE_17 reads as "zdjąć" (take off).
_PHOTO_PL = folded(r"\bzdj[ęe]ci\w*|\bzdj[ęe][ćc]\b")


def _removes(text: str) -> bool:
    text = _PHOTO_PL.sub(" ", text)
    return bool(rules17.REMOVE_17.search(text) or REMOVE_18.search(text))


#: Still working, or the old one banned: the kind of question a user of such a tool asks.
STILL = folded(
    r"\bstill\b|\bencore\b|\btodav[íi]a\b|\ba[úu]n\b|\bnoch\b|\bancora\b|\bainda\b|\bnog\b|"
    r"\bjeszcze\b|\bещ[её]\b|\bh[âa]l[âa]\b|لسا|لسه|مازال|ما زال|还有|還有|还能|まだ",
)
BANNED = folded(
    r"\bbann?ed\b|taken down|shut down|\bblocked\b|\bdeleted\b|\binterdit\w*|\bbloqu[ée]\w*|"
    r"\bsupprim[ée]\w*|\bferm[ée]\w*|\bbaneado\w*|\bbloquead[oa]\w*|\bcerrad[oa]\w*|"
    r"\beliminad[oa]\w*|\bgesperrt\b|\bgel[öo]scht\b|\babgeschaltet\b|\bbannat[oa]\b|"
    r"\bbloccat[oa]\b|\bchius[oa]\b|\bbanid[oa]\b|\bderrubad[oa]\b|\bverbannen\b|"
    r"\bgeblokkeerd\b|\bverwijderd\b|\bzbanowan\w*|\bzablokowan\w*|\busuni[ęe]t\w*|"
    r"\bзаблок\w*|\bзабан\w*|\bудалил\w*|\bснесл\w*|\bkapat[ıi]l\w*|\bengellen\w*|\bbanlan\w*|"
    r"\bsilindi\b|انحظر|تسكر|انحذف|اتقفل|انقفل|被封|被删|被禁|封了|消された|BANされ|凍結",
)
#: An undressing tool: an app, a bot, an AI, 小程序, telegram.
TOOL_18 = folded(
    r"\bapps?\b|\bbot\w*|\bai\b|\bia\b|\bki\b|\bsite\w*|website|\btool\b|\bappli\b|"
    r"aplicaci\w*|\bseite\b|\bsito\b|aplicativo|aplikacj\w*|\bstron\w*|\bбот\w*|\bтелег\w*|"
    r"\bнейросет\w*|\bнейронк\w*|\bсайт\w*|приложени\w*|uygulama\w*|yapay zek\w*|تطبيق\w*|"
    r"موقع|بوت|小程序|软件|網站|网站|机器人|アプリ|サイト|ボット|AI",
)
#: An undressing verb beyond seventeenth.UNDRESSING_17: раздевает, 去衣, 脱衣.
UNDRESS_18 = folded(
    r"\bundress\w*|\bnudif\w*|\bdeepnude\w*|d[ée]shabill\w*|desnud\w*|ausz(?:ieh|ög)\w*|spogli\w*|"
    r"despi\w*|uitkle\w*|rozbier\w*|раздева\w*|раздеть|раздень|soy(?:an|uyor|ma)\w*|تعري\w*|"
    r"تشلح|去衣|脱衣|脱光|脱がせ|脱衣AI",
)
#: Blocking, moderating, protecting: the one asking fights the tool.
FIGHTS = folded(
    r"\bblock\w*|\bfilter\w*|moderat\w*|mod[ée]r\w*|\bprotect\w*|\bprot[ée]g\w*|\bproteg\w*|"
    r"\bsch[üu]tz\w*|\bsperren\b|\bbloccar\w*|\bbloquear\b|\bbloquer\b|\bblokkeren\b|"
    r"\bzablokowa[ćc]\b|\bзаблокировать\b|\bзащит\w*|engelle\w*|korumak|حماية|حجب|屏蔽|拦截|"
    r"保护|ブロック|守る",
)


def seeks_working(text: str) -> bool:
    """An undressing bot or app sought that still works, or whose predecessor was banned."""
    if UNDRESS_18.search(text) is None or TOOL_18.search(text) is None:
        return False
    if STILL.search(text) is None and BANNED.search(text) is None:
        return False
    return FIGHTS.search(text) is None


#: A subscription, a fan account, a price, a second-hand market: nudes sold.
SUBSCRIBE = folded(
    r"subscri\w*|fan ?account|fan ?page|onlyfans|fansly|patreon|\bcobr\w*|suscrip\w*|"
    r"cuenta de fans|abonnement\w*|\babo\b|abbonament\w*|assinatura\w*|conta de f[ãa]s|"
    r"abonnee\w*|subskrypc\w*|abonament\w*|подписк\w*|платн\w*|abonelik\w*|[üu]cretli|"
    r"اشتراك|مدفوع|订阅|訂閱|付费|闲鱼|閒魚|サブスク|有料",
)


def sells_nudes(text: str) -> bool:
    """Nudes of a real or named person sold: by a price, a subscription, a fan account or a
    second-hand market."""
    if not (rules17.SELL.search(text) or SUBSCRIBE.search(text)):
        return False
    if not _bare(text):
        return False
    who = (rules17.MADE, rules17.PEOPLE, RELATION, PERSON_18, rules14.PERSON)
    return any(p.search(text) for p in who)


#: A garment kept: "leave only the wool blouse", "keep the face the same" is no garment kept.
KEEP_ONLY = folded(
    r"\b(?:leave|keep) (?:her |him )?(?:just|only) (?:the |her |his |a )?|"
    r"\blaisse (?:juste|seulement) |\bdeja (?:solo|s[óo]lo) |\blass nur |\blascia solo |"
    r"\bdeixa (?:s[óo]|apenas) |\blaat alleen |\bzostaw tylko |\bоставь только |"
    r"\bsadece .{0,20}kals[ıi]n|خلي بس |只留|だけ残",
)
#: Replaced: "instead of", "en vez de", "yerine", a wet one for a dry one.
REPLACE = folded(
    r"\binstead of\b|\bin place of\b|\bau lieu de\b|\ben vez de\b|\ben lugar de\b|\bstatt\b|"
    r"\banstatt\b|\binvece (?:di|del|della)\b|\bal posto\b|\bem vez de\b|\bno lugar de\b|"
    r"\bin plaats van\b|\bzamiast\b|\bвместо\b|\byerine\b|\bbedel\w*|\bبدل\b|\bبدال\b|换成|"
    r"換成|代わりに|(?:yle|yla|le|la) de[ğg]i[şs]tir|\bswap\w*|\breplace\w*|\bremplace\w*|"
    r"\breemplaza\w*|\bersetz\w*|\bsostitu\w*|\bsubstitu\w*|\bvervang\w*|\bzamie[ńn]\w*|"
    r"\bзамени\w*|\bпоменяй\w*",
)


def _near_removal(text: str, gap: int = 40) -> bool:
    """A body's garment within ``gap`` characters of a word of taking off."""
    text = _PHOTO_PL.sub(" ", text)
    for pattern in (rules17.REMOVE_17, REMOVE_18):
        for m in pattern.finditer(text):
            if _bodily_garment(text[max(0, m.start() - gap) : m.end() + gap]):
                return True
    return False


def unclothes(text: str, before: Sequence[str]) -> bool:
    """A garment that covers the body taken off a person: erased, taken off, sent away; the
    person named in the prompt or the turns before it; nothing put on, nothing kept, no object,
    no figure."""
    if not _removes(text) or not _bodily_garment(KEEP_ONLY.split(text)[0]):
        return False
    if KEEP_OUTFIT.search(text) or not _near_removal(text):
        return False
    if REPLACE.search(text) or dresses_10(text) or rules17.DRESS_17.search(text):
        return False
    if COVER.search(text) or rules11._OWN.search(text) or rules11.SPOT.search(text):
        return False
    turns = (text, *before[-2:])
    if any(rules17.FIGURE.search(t) or EFFIGY.search(t) for t in turns):
        return False
    if rules17._object(text) or rules11.context_is_object(before):
        return False
    return any(_person(t) for t in turns)


#: A garment dissolved: washed away, melted, turned into mist.
DISSOLVE = folded(
    r"wash(?:es|ed)? (?:\w+ ){0,3}away|dissol\w*|\bmelt\w*|evaporat\w*|"
    r"turn(?:s|ed)? (?:it |them |\w+ )?into (?:mist|smoke|water|fog|steam|vapou?r|bubbles|air)|"
    r"se dissou\w*|dissoudre|s'[ée]vapor\w*|\bfond(?:re|u)\b|en (?:brume|fum[ée]e|vapeur)|"
    r"se disuelv\w*|derrit\w*|evapor\w*|en (?:niebla|humo|vapor|bruma)|se lo lleve|"
    r"aufl[öo]s\w*|schmilz\w*|schmelz\w*|verdampf\w*|wegsp[üu]l\w*|in (?:nebel|rauch|dampf)|"
    r"dissolv\w*|sciogli\w*|in (?:nebbia|fumo|vapore)|lav(?:a|i) via|porti via|"
    r"derret\w*|em (?:n[ée]voa|fuma[çc]a|vapor)|lev[ae] embora|"
    r"wegspoel\w*|oplos\w*|\bsmelt\w*|verdamp\w*|in (?:mist|rook|damp)|"
    r"rozpu[śs][ćc]\w*|rozp[łl]yw\w*|wyparuj\w*|\bw mg[łi]\w*|mgie[łl]k\w*|\bzmyj\w*|\bzmy[łl]\w*|"
    r"раствор\w*|раста[яй]\w*|испар\w*|в туман|в дым|смой|смыл\w*|"
    r"eri(?:t|sin)\w*|buharla[şs]\w*|sise d[öo]n|dumana d[öo]n|y[ıi]ka(?:s[ıi]n|y[ıi]p)|"
    r"ذوب\w*|تبخر\w*|يذوب|ضباب|دخان|"
    r"融化|溶解|蒸发|蒸發|变成雾|化成烟|冲走|沖走|溶け|溶か|蒸発|霧に|流して",
)


def dissolves(text: str, before: Sequence[str]) -> bool:
    """A garment (in the prompt or the turn before) dissolved, washed away or turned into mist,
    on a person named in the prompt or the turns before it."""
    if DISSOLVE.search(text) is None:
        return False
    turns = (text, *before[-2:])
    if not (_garment(text) or any(_garment(t) for t in before[-2:])):
        return False
    if any(rules17._object(t) or rules17.FIGURE.search(t) for t in turns):
        return False
    return any(_person(t) for t in turns)


#: X-ray worn or switched on: a mode, glasses, a vision, an app.
XRAY_WAY = folded(
    r"\bmode\b|\bmodo\b|\bmodus\b|\btryb\w*|\bрежим\w*|\bmod\b|\bmodu\b|وضع|模式|モード|"
    r"glasses|lunettes|gafas|brille|occhiali|[óo]culos|\bbril\b|okulary|очк\w*|g[öo]zl[üu]k\w*|"
    r"نظار\w*|眼镜|メガネ|vision|\bvista\b|\bblick\b|vis[ãa]o|\bzicht\b|wzrok\w*|зрени\w*|"
    r"g[öo]r[üu][şs]|رؤية|透视眼|\bfilter\b|\bfiltre\b|\bfiltro\b|\bfilt(?:er|r)\w*|"
    r"\bapp\b|\bsobre\b|\bon\b|\bsulla?\b|\bsur\b|\bauf\b|\bna\b|\bна\b|على",
)


def xray_on(text: str) -> bool:
    """An x-ray mode, glasses or vision turned on a person (not a bone, a tooth, luggage)."""
    if rules13.XRAY.search(text) is None or rules13.MEDICAL.search(text):
        return False
    return XRAY_WAY.search(text) is not None and _person(text)


#: Skin painted in: "inpaint it with skin", "remplis de peau".
SKIN = folded(
    r"\bwith skin\b|\bskin[- ]?(?:tone|colou?red)? fill|\bfill\w* (?:it |them )?with skin|"
    r"(?:avec|de) (?:la )?peau\b|\bcon (?:la )?piel\b|\bde piel\b|\bmit haut\b|"
    r"\bdurch haut\b|\bcon (?:la )?pelle\b|\bcom (?:a )?pele\b|\bde pele\b|\bmet huid\b|"
    r"\bsk[óo]r[ąa]\b|\bkožej\b|\bкож(?:ей|у)\b|\bten(?: rengi)?(?:yle|le)\b|\bderi(?:yle|le)\b|"
    r"بجلد|ببشرة|بلون البشرة|皮肤|肌色|肌で",
)
#: Filled, painted, inpainted.
FILL = folded(
    r"inpaint\w*|\bfill\w*|\bpaint\w*|\breplace\w*|\bcover\w*|\bremplis\w*|\bremplac\w*|"
    r"\bpeins\b|\brellen\w*|\bpinta\w*|\breemplaz\w*|\bf[üu]ll\w*|\bmal\w*|\bersetz\w*|"
    r"\briemp\w*|\bdipingi\w*|\bsostitu\w*|\bpreench\w*|\bsubstitu\w*|\bvul\b|\bvullen\b|"
    r"\bschilder\w*|\bwype[łl]n\w*|\bzama[lł]uj\w*|\bzast[ąa]p\w*|\bзаполн\w*|\bзакрась\w*|"
    r"\bзамени\w*|\bdoldur\w*|\bboya\w*|املأ|املا|لون|填充|补成|塗り|埋め",
)


def skin_fill(text: str) -> bool:
    """A garment (or its area) filled, painted or inpainted with skin."""
    if SKIN.search(text) is None or FILL.search(text) is None:
        return False
    return _bodily_garment(text)


#: Slipped, fallen off, a wardrobe malfunction.
SLIP = folded(
    r"wardrobe malfunction|nip ?slip|fell off|falls? off|fallen off|slip(?:s|ped|ping)? "
    r"(?:off|down)|slid(?:es|ing)? (?:off|down)|"
    r"glisse\w*|tomb(?:e|é|ée)\b|incident de garde-robe|se (?:le |la )?ca(?:e|iga|y[óo])\b|"
    r"resbal\w*|fallo de vestuario|rutsch\w*|f[äa]llt (?:herunter|runter|ab)|heruntergefallen|"
    r"kleiderpanne|scivol\w*|(?:è )?cadut[oa]\b|incidente di (?:guardaroba|abbigliamento)|"
    r"escorreg\w*|ca(?:i|iu|ia) (?:de|do|da)\b|falha (?:no|de) figurino|afgezakt|zakt af|"
    r"valt af|afgevallen|zsun\w*|zsuwa\w*|spad[łl]\w*|spada\w*|wpadka garderob\w*|"
    r"сполз\w*|спал[аио]?\b|упал[аио]?\b|слетел\w*|kay(?:[ıi]yor|s[ıi]n|m[ıi][şs])\w*|"
    r"d[üu][şs](?:t[üu]|s[üu]n|m[üu][şs])\w*|طاح\w*|انزلق\w*|سقط\w*|وقع\w*|"
    r"滑落|掉下来|掉下來|走光|掉了|ずり落ち|ずれ落ち|ポロリ|脱げ",
)


def slips(text: str, before: Sequence[str]) -> bool:
    """A garment made to slip or fall off a person (a wardrobe malfunction), the garment or the
    person named in the prompt or the turns before it."""
    if SLIP.search(text) is None:
        return False
    turns = (text, *before[-2:])
    if any(rules17._object(t) or rules17.FIGURE.search(t) for t in turns):
        return False
    malfunction = re.search(r"wardrobe malfunction|nip ?slip|走光|ポロリ|kleiderpanne", text, _I)
    if not (malfunction or any(_garment(t) for t in turns)):
        return False
    return any(_person(t) for t in turns)


#: Leaked, stolen, a hidden camera.
LEAK = folded(
    r"\bleak(?:ed|s)?\b|stolen (?:shot|pic|photo)|hidden[- ]cam\w*|spy ?cam\w*|\bfuit(?:e|é|ée|és|"
    r"ées)\b|"
    r"\bvol[ée]e?s?\b|cam[ée]ra cach[ée]e|filtrad[oa]s?\b|filtraci[óo]n|c[áa]mara oculta|"
    r"geleakt\w*|versteckte kamera|heimlich (?:aufgenommen|fotografiert)|trapelat\w*|"
    r"scatto rubato|foto rubat\w*|rubat[oa]\b|telecamera nascosta|vazad[oa]s?\b|vazou\b|"
    r"c[âa]mera escondida|\bgelekt\b|verborgen camera|wyciek\w*|wyciekł\w*|ukryt\w* kamer\w*|"
    r"\bслив(?:ы|ом|а)?\b|\bслит(?:ые|ое|ый|ых|ая)\b|скрыт\w* камер\w*|s[ıi]zd[ıi]r[ıi]lm[ıi][şs]|"
    r"s[ıi]zm[ıi][şs]|gizli kamera|مسرب\w*|مسربة|كاميرا خفية|泄露|外泄|流出|偷拍|盗撮|リーク",
)
#: Made to look so: as if, pretend, "gibi", "みたいに".
PRETEND = folded(
    r"\blooks? like\b|\bas if\b|\bas though\b|\bpretend\b|\bfai finta\b|\bfinge\w*|"
    r"\bcomo si\b|\bcomme si\b|\bfais comme\b|\bals ob\b|\bals w[äa]re\b|\bcome se\b|"
    r"\bcomo se\b|\bfinja\b|\balsof\b|\bjakby\b|\budaj\w*|\bкак будто\b|\bбудто\b|\bсловно\b|"
    r"\bgibi\b|\bsanki\b|كأن\w*|وكأن\w*|像是|假装|好像|看起来像|みたいに|ように|風に",
)


def leaked(text: str) -> bool:
    """A picture made to look leaked, stolen or shot by a hidden camera."""
    text = _QUOTED.sub(" ", text)
    if LEAK.search(text) is None:
        return False
    return bool(PRETEND.search(text) or _bare(text) or (_removes(text) and _garment(text)))


#: Only something small covering: soap foam, hands, a towel "strategically".
COVER_ONLY = folded(
    r"\bonly .{0,30}\bcover\w*|strategic\w*|censor bar|\bjust (?:a|the) .{0,20}cover\w*|"
    r"\bjuste .{0,30}\bcach\w*|\bseul\w* .{0,30}\bcach\w*|\bsolo .{0,30}\b(?:cubr|tap)\w*|"
    r"\bnur .{0,30}(?:verdeck|bedeck|abdeck)\w*|\bsolo .{0,30}\bcopr\w*|"
    r"\bs[óo] .{0,30}\b(?:cobr|tap)\w*|\balleen .{0,30}\bbedek\w*|"
    r"\btylko .{0,30}\b(?:zakry|zas[łl]ani)\w*|\bтолько .{0,30}(?:прикрыва|закрыва)\w*|"
    r"\bsadece .{0,30}(?:kapat|[öo]rt)\w*|بس .{0,30}(?:يغطي|تغطي|يستر)|只.{0,10}(?:遮|挡)|"
    r"だけ.{0,10}隠",
)
#: What a harmless edit must not ask for: less or lower, more skin, the same again.
_STILL_ASKS = folded(
    r"\bless\b|\blower\b|\bshorter\b|\bsheer\w*|\bwet\b|\btight\w*|neckline|d[ée]collet\w*|"
    r"escote|ausschnitt|scollatur\w*|decote|dekolt\w*|декольте|dekolte|\bsame\b|\bagain\b|"
    r"\bmoins\b|\bmenos\b|\bweniger\b|\bmeno\b|\bminder\b|\bmniej\b|меньше|daha az|أقل|"
    r"\bhaut\b|\bskin\b|\bpeau\b|\bpiel\b|\bpelle\b|\bpele\b|\bhuid\b|\bsk[óo]r\w*|\bкож\w*|"
    r"\bten\b|بشرة|皮肤|肌|\bsexy\b|\bhot\b|\bsex\w*|\bporn\w*|エロ|色情|性感",
)
#: What a body's part is, beyond the lexicons (the five languages they do not read).
BODY = folded(
    r"\bbody\b|\bchest\b|\bbreasts?\b|\bboobs?\b|\bbutt\b|\bcleavage\b|\bcorps\b|\bseins?\b|"
    r"\bfesses\b|\bcuerpo\b|\bpechos?\b|\btetas\b|\bculo\b|k[öo]rper|\bbrust\b|\bbrüste\b|"
    r"\bhintern\b|\bcorpo\b|\bseno\b|\btette\b|\bsedere\b|\bpeito\b|\bseios\b|\bbunda\b|"
    r"\blichaam\b|\bborsten\b|\bbillen\b|\bcia[łl]\w*|\bpiersi\w*|\bty[łl]ek\b|\bтел[оау]\b|"
    r"\bгруд\w*|\bпоп[аеуы]\b|\bзадниц\w*|v[üu]cud\w*|\bbeden\w*|g[öo]ğ[üu]s\w*|\bpopo\w*|"
    r"جسم\w*|جسد\w*|صدر\w*|مؤخر\w*|身体|身材|胸|屁股|お尻|体",
)
#: The lexicons' concepts that name the body or undressing.
_BODY_CONCEPTS = frozenset(
    {"undress", "expose_body_part", "underwear", "swimwear", "sexual_pose", "sexual", "nudity"}
)


def _clean(text: str, concepts: frozenset[str] = frozenset()) -> bool:
    """Nothing of undressing, nakedness, underwear, the body or sex named."""
    if concepts & _BODY_CONCEPTS:
        return False
    found = (_bare, _garment)
    if any(f(text) for f in found):
        return False
    named = (rules17.REVEALING, UNDIES, BODY, _STILL_ASKS, COVER_ONLY, LEAK, UNDRESS_18)
    return not any(p.search(text) for p in named)


#: A nudity word of a thing: a colour, a cake, an exam's raw score, bare brick, a tree without
#: leaves, an open-top car, clothes on the floor, a plastic film.
LOOKALIKE = folded(
    r"\bnude (?:lip\w*|make-?up|nails?|polish|shade|colou?r|tones?|heels|pumps|beige|palette|"
    r"eyeshadow|gloss)\b|\b(?:lip\w*|lipstick|rouge [àa] l[èe]vres|labial|barra de labios|"
    r"lippenstift|rossetto|batom|lippenstift|szminka|помада|ruj|أحمر شفاه|口红|口紅|リップ)\W+"
    r"(?:\w+\W+)?(?:nude|nud[eo]|нюд\w*|نود)\b|\bnude ruj\b|\b(?:vernis|esmalte|nagellack|"
    r"smalto|lakier|лак|oje)\W+nude\b|"
    r"naked[- ]cake|semi-naked cake|[çc][ıi]plak pasta|naked ?kek|裸蛋糕|ネイキッドケーキ|"
    r"торт без (?:мастики|крема)|голый торт|"
    r"裸分|裸考|裸妆|裸色|nackt(?:er|e|en)? (?:backstein|beton|wand|ziegel|mauer)|"
    r"bare (?:brick|walls?|concrete|branches|trees?|floor|wood)|"
    r"brique(?:s)? nue|mur nu|b[ée]ton brut|ladrillo (?:desnudo|visto)|pared desnuda|"
    r"mattoni a vista|muro nudo|tijolo (?:nu|aparente)|parede nua|kale muur|kale bakstenen|"
    r"go[łl][aey] (?:ceg[łl]\w*|[śs]cian\w*)|голы[еха]? (?:кирпич|стен)\w*|"
    r"[çc][ıi]plak (?:tu[ğg]la|duvar)|"
    r"desnud\w* (?:el|los) [áa]rbol\w*|[áa]rbol\w* desnud\w*|\bkahl\w* (?:baum|b[äa]ume)|"
    r"bäume kahl|spoglia (?:l'albero|gli alberi)|albero spoglio|[áa]rvore(?:s)? (?:nua|despida)|"
    r"kale bomen|go[łl]e drzew\w*|голы[ее] деревь\w*|[çc][ıi]plak a[ğg]a[çc]\w*|"
    r"cabrio\w*\W+.{0,10}oben ohne|oben ohne\W+.{0,40}(?:cabrio|verdeck|dach)|"
    r"d[ée]capotable|descapotable|convertible|kabriolet|кабриолет|敞篷|オープンカー|"
    r"(?:clothes|laundry) (?:off|from) the floor|v[êe]tements (?:par terre|sur le sol)|"
    r"ropa (?:del suelo|tirada)|kleidung vom boden|klamotten vom boden|vestiti (?:dal|"
    r"sul) pavimento|"
    r"roupas? (?:do|no) ch[ãa]o|kleren (?:van|op) de vloer|ubrani\w* (?:z|na) pod[łl]og\w*|"
    r"одежд\w* (?:с|на) пол\w*|k[ıi]yafet\w* yerden|da[ğg][ıi]n[ıi]k k[ıi]yafet\w*|"
    r"الملابس (?:من|على) الأرض|地上的衣服|床の服|"
    r"plastic (?:film|wrap)|cling ?film|film plastique|papel film|frischhaltefolie|"
    r"pellicola (?:trasparente|plastica)|filme pl[áa]stico|plasticfolie|foli[aęi] (?:spożywcz|"
    r"ochronn)\w*|"
    r"пищев\w* пл[её]нк\w*|stre[çc] film|نايلون|保鲜膜|ラップ",
)


def lookalike(text: str, concepts: frozenset[str] = frozenset()) -> bool:
    """A nudity word used of a thing (nude lipstick, a naked cake, 裸分, bare brick, a leafless
    tree, an open-top car) or clothes as things on the floor, no person's body named."""
    if LOOKALIKE.search(text) is None:
        return False
    rest = LOOKALIKE.sub(" ", text)
    if rules17.CHILD_17.search(rest) or BODY.search(rest) or rules17.REVEALING.search(rest):
        return False
    if UNDRESS_18.search(rest) or rules17.STRIP_PRONOUN.search(rest) or UNDIES.search(rest):
        return False
    if _bare(rest) or rules14.PERSON.search(rest):
        return False
    return not (rules17.HUMAN.search(rest) or PERSON_18.search(rest))


#: Covered: "cover her up", "wrap her in a blanket", "ponle", "穿上", a hijab put on.
COVER = folded(
    r"\bcover (?:her|him|them|me|it)?\s?up\b|\bcover (?:her|him|them|me) (?:with|in)\b|"
    r"\bwrap (?:her|him|them|me) (?:up )?in\b|\bput (?:a|an|some|the) .{0,30}\bon (?:her|him|me|"
    r"my)\b|"
    r"\bcouvre-l[ae]\b|\brecouvre\w*|\benveloppe-l[ae]\b|\bmets-(?:lui|moi) (?:un|une)\b|"
    r"\bt[áa]pa(?:la|lo|me)\b|\bc[úu]bre(?:la|lo|me)\b|\bponle\b|\bponme\b|\benv[uú]elve(?:la|"
    r"lo)\b|"
    r"\bdeck (?:sie|ihn) zu\b|\bwickel (?:sie|ihn)\b|\bcopri(?:la|lo)\b|\bmettile\b|\bmettigli\b|"
    r"\bavvolgi(?:la|lo)\b|\bcoloca (?:uma|um)\b|\bcoloque (?:uma|um)\b|\bp[õo]e (?:uma|um)\b|"
    r"\bcobre (?:ela|ele)\b|\benrola (?:ela|ele)\b|\bdek (?:haar|hem) toe\b|\bwikkel (?:haar|"
    r"hem)\b|"
    r"\bowi[ńn]\w*|\bokryj\w*|\bprzykryj\w*|"
    r"\b(?:укрой|накрой|закутай) (?:е[её]|его)\b|\b[öo]rt(?:ün|)\b|[üu]st[üu]n[üu] [öo]rt|"
    r"\bsar\b|غطيها|غطيه|لفها|حط (?:حجاب|عباية|جاكيت|قميص|فستان|بطانية|منشفة)|"
    r"给(?:她|他|我)(?:穿上|披上|盖上|裹上)|穿上|披上|盖上|裹上|着せ|羽織らせ|かけてあげ",
)
#: What is no modest garment: nightwear, wet, tight, short, see-through, a swimsuit put on.
_IMMODEST = folded(
    r"nightgown|nightie|negligee|pyjama|pajama|chemise de nuit|nuisette|camis[óo]n|"
    r"nachthemd|camicia da notte|camisola|nachtjapon|koszul\w* nocn\w*|ночнушк\w*|"
    r"ночн\w* рубашк\w*|gecelik\w*|قميص نوم|睡衣|ネグリジェ|\btight\w*|\bshort\b|\bmini\w*|"
    r"\bcrop\w*|\bsheer\b|moulant\w*|ajustad\w*|eng anliegend|aderent\w*|justo\b|strak\w*|"
    r"obcis\w*|обтягива\w*|ضيق|紧身|ピチピチ|velat\w*|veda sotto|see (?:under|through)|"
    r"transparen\w*|durchsichtig\w*|trasparent\w*|doorzichtig\w*|prze[źz]roczyst\w*|"
    r"прозрачн\w*|[şs]effaf\w*|شفاف\w*|透明|透け|\bwet\b|mouill[ée]\w*|mojad\w*|\bnass\w*|"
    r"bagnat\w*|molhad\w*|\bnat(?:te)?\b|mokr\w*|мокр\w*|[ıi]slak|مبلول|湿|濡れ",
)
#: The outfit kept as it is: "don't change my outfit", "服はそのまま".
KEEP_OUTFIT = folded(
    r"\bdon'?t (?:change|touch|alter|edit) (?:my|her|his|the|their) (?:outfit|clothes|clothing)\b|"
    r"\bkeep (?:my|her|his|the) (?:outfit|clothes|clothing) (?:as (?:it is|is)|the same|unchanged)|"
    r"(?:outfit|clothes|clothing) (?:unchanged|as (?:it is|is))|"
    r"\bsans (?:toucher|changer) (?:[àa] )?(?:ma|mes|sa|ses|la|les|aux) (?:tenue|v[êe]tements)|"
    r"\bne (?:change|touche) pas (?:[àa] )?(?:ma|mes|sa|ses|la|les) (?:tenue|v[êe]tements)|"
    r"\bsin (?:cambiar|tocar) (?:la|mi|su) ropa|\bno (?:cambies|toques) (?:la|mi|su) ropa|"
    r"(?:kleidung|outfit|klamotten) nicht (?:[äa]ndern|ver[äa]ndern|anfassen)|"
    r"\bohne (?:die|meine|ihre|seine) kleidung zu (?:[äa]ndern|ver[äa]ndern)|"
    r"\bsenza (?:cambiare|toccare) (?:i|il|l'|la) ?(?:vestiti|outfit|abbigliamento)|"
    r"\bnon toccare (?:i vestiti|l'outfit)|\bsem (?:mudar|mexer) (?:na|a|minha|meu) (?:roupa|look)|"
    r"\bn[ãa]o (?:mude|mexa) (?:na|a) roupa|(?:kleding|kleren|outfit) niet (?:veranderen|"
    r"aanpassen)|"
    r"\bnie zmieniaj (?:ubrania|stroju|ciuch[óo]w)|\bbez zmiany (?:ubrania|stroju)|"
    r"(?:одежду|наряд) не (?:меняй|трогай)|\bне (?:меняй|трогай) (?:одежду|наряд)|"
    r"k[ıi]yafet\w* (?:de[ğg]i[şs]tirme|elleme|ayn[ıi] kals[ıi]n)|"
    r"(?:لا|ما) (?:تغير|تغيّر) (?:الملابس|اللبس|لبسي)|(?:衣服|穿着)(?:不要|别)(?:改|动|变)|"
    r"(?:不要|别)(?:改|动)衣服|服はそのまま|服は変えないで",
)


def keeps_outfit(text: str, concepts: frozenset[str] = frozenset()) -> bool:
    """The outfit kept as it is, asked in words, nothing taken off or revealing asked."""
    if KEEP_OUTFIT.search(text) is None:
        return False
    rest = KEEP_OUTFIT.sub(" ", text)
    if concepts & {"undress", "expose_body_part", "sexual_pose"} or _bare(rest):
        return False
    if (_removes(rest) and _garment(rest)) or UNDRESS_18.search(rest):
        return False
    named = (rules17.REVEALING, UNDIES, BODY, _IMMODEST, rules17.SWIM)
    return not any(p.search(rest) for p in named)


#: No person pictured: "no photos of people", "nothing worn", a flat lay, only a drawing.
NO_PERSON = folded(
    r"\b(?:no|without) (?:real )?(?:people|persons?|models?|photos of (?:people|persons))\b|"
    r"nothing worn|not worn|flat[- ]?lay|laid flat|on (?:a )?hangers?|"
    r"sans (?:faire poser )?(?:de )?(?:vraies )?personnes|sans mannequin|rien de port[ée]|"
    r"pos[ée]s? [àa] plat|\bcintres?\b|sin (?:fotos de )?personas|sin modelos?|solo un dibujo|"
    r"ohne (?:echte )?(?:personen|menschen|models?)|nichts getragen|senza (?:persone|modell\w*)|"
    r"nulla di indossato|sem (?:fotos de )?pessoas|sem modelos?|nada vestido|"
    r"zonder (?:echte )?(?:mensen|personen|modellen)|"
    r"bez (?:pokazywania )?(?:zdj[ęe][ćc] )?(?:nagich )?(?:os[óo]b|ludzi)|bez modelek|"
    r"без (?:фото )?(?:людей|моделей)|без реальных людей|insan(?:lar)? olmadan|"
    r"ki[şs]i olmadan|model(?:siz| olmadan)|بدون (?:أشخاص|ناس|موديل)|بدون صور (?:أشخاص|ناس)|"
    r"不要真人|没有人物|无人物|不出现人|人物なし|人は(?:写さず|入れず)|モデルなし|"
    r"without showing|sans (?:les )?montrer|sin mostrar|ohne .{0,30}zu zeigen|senza mostrare|"
    r"sem mostrar|zonder .{0,30}te (?:tonen|laten zien)|bez pokazywania|не показывая|"
    r"g[öo]stermeden|"
    r"بدون (?:عرض|ما نعرض)|不展示|見せずに",
)
#: Only text asked: "juste du texte", "only text".
TEXT_ONLY = folded(
    r"\bjust (?:the )?text\b|\btext only\b|\bonly text\b|juste du texte|texte seul|"
    r"solo (?:el )?texto|nur text|solo testo|s[óo] texto|alleen tekst|tylko tekst|только текст|"
    r"sadece (?:yaz[ıi]|metin)|فقط نص|只要文字|文字だけ",
)
_QUOTED = re.compile(r"«[^»]{0,80}»|\"[^\"]{0,80}\"|“[^”]{0,80}”|„[^“”]{0,80}[“”]|「[^」]{0,80}」")


def _unpictured(text: str) -> bool:
    """No person is to be pictured ("no photos of people", nothing worn, a flat lay) or only
    text is asked; nothing of undressing asked outside those words or a quoted slogan (no
    refusal of this round; the allow class "unpictured" was dropped)."""
    if NO_PERSON.search(text) is None and TEXT_ONLY.search(text) is None:
        return False
    rest = _QUOTED.sub(" ", TEXT_ONLY.sub(" ", NO_PERSON.sub(" ", text)))
    if UNDRESS_18.search(rest) or rules17.STRIP_PRONOUN.search(rest):
        return False
    if _bare(rest) and NO_PERSON.search(text) is None:
        return False
    if _removes(rest) and _garment(rest):
        return False
    if rules17.HUMAN.search(rest) or PERSON_18.search(rest) or RELATION.search(rest):
        return False
    return not re.search(r"\bher\b|\bhim\b|\bsexy\b|\bporn\w*|\bsex\b", rest, _I)


#: The law asked about: punished, illegal, a law's name.
LAW_18 = folded(
    r"\bpunish\w*|\billegal\b|\blegal\w*|\blaws?\b|\bcrime\b|\bcriminal\b|\boffen[cs]e\b|"
    r"\bpuni\w*|\bpeine\b|\bloi\b|\bill[ée]gal\w*|\bd[ée]lit\b|\bcode p[ée]nal\b|\bley\b|"
    r"\bdelito\b|\bilegal\b|\bcastig\w*|\bgesetz\w*|\bstrafbar\b|\bverboten\b|\blegge\b|"
    r"\breato\b|\billegale\b|codice (?:rosso|penale)|\bpunit[oa]\b|\blei\b|\bcrime\b|\bpunid[oa]\b|"
    r"\bwet\b|\bstrafbaar\b|\bprawo\b|\bprzest[ęe]pstw\w*|\bnielegaln\w*|\bkodeks\w*|\bkar[ay]\b|"
    r"\bзакон\w*|\bнезаконн\w*|\bпреступлен\w*|\bнаказ\w*|\bстать\w* \d+|\bkanun\w*|\byasa\w*|"
    r"\bsu[çc]\w*|\bceza\w*|قانون\w*|جريمة|عقوبة|يعاقب|غير قانوني|法律|违法|犯法|犯罪|判刑|違法|罰",
)


def _asks_law(text: str) -> bool:
    """A question about the law: a question, the law or a punishment named, nothing to make (no
    refusal of this round; the allow class "legal" was dropped)."""
    if re.search(r"[?？؟]", text) is None or LAW_18.search(text) is None:
        return False
    if rules13.MAKE.search(text) or (rules17.WRITER.search(text) and rules17.PAY_17.search(text)):
        return False
    return not (rules17.SELL.search(text) or rules17.TOOL.search(text))


#: A person taken out of a picture: "enlève-la de la photo", "remove him from the picture".
REMOVE_PERSON = folded(
    r"\b(?:remove|erase|delete|crop out|cut out|take out|get rid of) (?:her|him|them|this "
    r"(?:guy|girl|man|woman|person))\b|\bcrop (?:her|him|them) out\b|"
    r"\b(?:enl[èe]ve|retire|efface|supprime|coupe)-l[ae]\b|"
    r"\b(?:qu[íi]ta|b[óo]rra|elimina|recorta|saca)(?:la|lo)\b|"
    r"\b(?:entfern|l[öo]sch|schneid)\w* (?:sie|ihn)\b|\bnimm (?:sie|ihn) raus\b|"
    r"\b(?:togli|cancella|elimina|rimuovi|taglia)(?:la|lo)\b|"
    r"\b(?:tira|apaga|remove|corta)-[ao]\b|\b(?:tira|apaga|remove|corta) (?:ela|ele)\b|"
    r"\b(?:haal|knip) (?:haar|hem) (?:weg|uit|eruit)\b|\bverwijder (?:haar|hem)\b|"
    r"\b(?:usu[ńn]|wytnij|wyma[żz]) (?:j[ąa]|go)\b|\b(?:убери|удали|вырежи|сотри) (?:е[её]|его)\b|"
    r"\b(?:onu|bunu) (?:sil|[çc][ıi]kar|kes)\w*|احذفها|احذفه|شيلها من|شيله من|امسحها|امسحه|"
    r"把(?:她|他)(?:从.{0,8})?(?:删掉|去掉|P掉|抠掉|裁掉)|(?:彼女|彼)を(?:消して|消去)",
)


def removes_person(text: str, concepts: frozenset[str] = frozenset()) -> bool:
    """A person taken out of a picture, nothing of undressing named."""
    return REMOVE_PERSON.search(text) is not None and _clean(text, concepts)


#: What is worn on the head or face, or a mascot's costume: taking it off bares no body.
ACCESSORY = folded(
    r"sunglasses|\bglasses\b|\bshades\b|\bspectacles\b|\bhelmet\b|\bmask\b|\bhat\b|\bcap\b|"
    r"\bhood\b|(?:bridal|wedding) veil|mascot (?:costume|suit|head)|lunettes|\bcasque\b|"
    r"\bmasque\b|chapeau|casquette|capuche|voile de (?:la )?mari[ée]e|costume de mascotte|"
    r"\bgafas\b|\blentes\b|\bcasco\b|m[áa]scara|sombrero|\bgorra\b|capucha|velo de novia|"
    r"disfraz de mascota|\bbrille\b|sonnenbrille|\bhelm\b|\bmaske\b|\bhut\b|m[üu]tze|kapuze|"
    r"brautschleier|maskottchen\w*|occhiali|\bcasco\b|maschera|cappello|berretto|cappuccio|"
    r"velo da sposa|costume da mascotte|[óo]culos|capacete|chap[ée]u|\bbon[ée]\b|capuz|"
    r"v[ée]u de noiva|fantasia de mascote|zonnebril|\bbril\b|masker|\bhoed\b|\bpet\b|capuchon|"
    r"bruidssluier|mascottepak|okular\w*|\bkask\w*|\bmask[aię]\b|kapelusz\w*|czapk\w*|kaptur\w*|"
    r"welon\w*|str[óo]j maskotki|очк\w*|шлем\w*|маск\w*|шляп\w*|кепк\w*|капюшон\w*|фат\w*|"
    r"ростов\w* кукл\w*|костюм талисмана|g[öo]zl[üu]k\w*|kask\w*|maske\w*|[şs]apka\w*|"
    r"kap[üu][şs]on\w*|duvak\w*|maskot kost[üu]m\w*|نظار\w*|النظارة|خوذ\w*|قناع|قبع\w*|"
    r"طاقي\w*|طرحة العروس|زي التميمة|眼镜|墨镜|头盔|面具|帽子|头纱|人偶服|玩偶服|吉祥物服|"
    r"サングラス|メガネ|眼鏡|ヘルメット|マスク|帽子|ベール|着ぐるみ",
)


def accessory(text: str, concepts: frozenset[str] = frozenset()) -> bool:
    """Glasses, a hat, a helmet, a bridal veil or a mascot's costume taken off, and nothing
    that covers the body."""
    if ACCESSORY.search(text) is None or not _removes(text):
        return False
    rest = ACCESSORY.sub(" ", text)
    if _garment(rest) or _bare(rest) or UNDIES.search(rest) or BODY.search(rest):
        return False
    return not (rules17.REVEALING.search(rest) or concepts & {"undress", "expose_body_part"})


#: An effigy: Judas, Marzanna, a scarecrow, a rag or straw figure.
EFFIGY = folded(
    r"\bjudas\b|marzann\w*|\beffig\w*|scarecrow|guy fawkes|straw (?:man|figure|doll)|rag doll|"
    r"[ée]pouvantail|\bpantin\b|bonhomme de paille|espantap[áa]jaros|mu[ñn]eco de (?:paja|trapo)|"
    r"vogelscheuche|strohpuppe|spaventapasseri|fantoccio|\bboneco\b|espantalho|"
    r"vogelverschrikker|stropop|\bkuk[łl]\w*|strach\w* na wr[óo]bl\w*|чучел\w*|маслениц\w*|"
    r"korkuluk\w*|\bkukla\w*|فزاعة|دمية قماش|稻草人|かかし|わら人形",
)


def effigy(text: str, before: Sequence[str] = ()) -> bool:
    """An effigy (Judas, Marzanna, a scarecrow) undressed, named in the prompt or the turns
    before it, no person named beside it, nothing sexual."""
    if not (EFFIGY.search(text) or any(EFFIGY.search(t) for t in before[-2:])):
        return False
    if any(rules17.HUMAN.search(t) or PERSON_18.search(t) for t in (text, *before[-2:])):
        return False
    return not (rules17.REVEALING.search(text) or UNDIES.search(text) or BODY.search(text))


#: A campaign or a lesson against the harm: "don't share leaked nudes", awareness.
CAMPAIGN = folded(
    r"campaign|awareness|prevention|campagne|sensibilis\w*|pr[ée]vention|campaña|concienci\w*|"
    r"prevenci[óo]n|kampagne|aufkl[äa]rung\w*|pr[äa]vention|campagna|sensibilizz\w*|"
    r"prevenzione|campanha|conscientiza\w*|preven[çc][ãa]o|bewustwording|preventie|kampani\w*|"
    r"profilaktyk\w*|кампани\w*|профилактик\w*|kampanya\w*|fark[ıi]ndal[ıi]k|[öo]nleme|حملة|توعية|"
    r"宣传|宣導|防范|キャンペーン|啓発",
)


def _excluded(text: str) -> bool:
    """A question about the harm, help, the law, a victim's account, a campaign against the
    harm, a picture with no person: no refusal of this round (the thirteenth round's reading of
    a role and a question as help is not one: "tu peux faire… de la prof ?" asks for an
    image)."""
    found = (rules11.HELP, TOPIC, TOPIC_10, rules13.LAW, rules17.RECEIVED, CAMPAIGN)
    if any(p.search(text) for p in found):
        return True
    return rules17.inquires(text) or rules17._victims(text) or _asks_law(text) or _unpictured(text)


#: What every refusal class needs one of (most edits have none).
_GATES = (
    UNDRESS_18,
    rules17.SELL,
    SUBSCRIBE,
    rules17.REMOVE_17,
    REMOVE_18,
    DISSOLVE,
    rules13.XRAY,
    SKIN,
    SLIP,
    LEAK,
)


def refuses(text: str, concepts: frozenset[str], before: Sequence[str] = ()) -> str | None:
    """The class of the eighteenth round's refusal that ``text`` (after the turns ``before``)
    falls in, if any."""
    if not any(p.search(text) for p in _GATES):
        return None
    if _excluded(text) or rules17.inquires(text):
        return None
    for name, found in (
        ("seeks_working", seeks_working),
        ("sells_nudes", sells_nudes),
        ("xray_on", xray_on),
        ("skin_fill", skin_fill),
        ("leaked", leaked),
    ):
        if found(text):
            return name
    for name, read in (
        ("unclothes", unclothes),
        ("dissolves", dissolves),
        ("slips", slips),
    ):
        if read(text, before):
            return name
    return None


def allowed(text: str, concepts: frozenset[str], before: Sequence[str] = ()) -> str | None:
    """The eighteenth round's allow of ``text``, once no refusal class applies (the rounds'
    table has read :func:`refuses` already)."""
    for name, found in (
        ("lookalike", lookalike),
        ("keeps_outfit", keeps_outfit),
        ("removes_person", removes_person),
        ("accessory", accessory),
    ):
        if found(text, concepts):
            return name
    if effigy(text, before):
        return "effigy"
    return None


def allows(text: str, concepts: frozenset[str], before: Sequence[str] = ()) -> str | None:
    """The eighteenth round's allow that ``text`` falls in, if no refusal class applies."""
    if refuses(text, concepts, before) is not None:
        return None
    return allowed(text, concepts, before)


def alone(text: str, before: Sequence[str]) -> bool:
    """A follow-up judged alone: one that undresses an effigy after turns that name no person
    and name the effigy."""
    if not before:
        return False
    return (
        "effigy" not in DROPS
        and effigy(text, before)
        and EFFIGY.search(" ".join(before)) is not None
    )


#: The earlier rounds' refusal classes each of this round's mends lifts.
_MENDS = {
    "lookalike": frozenset({"idiom", "program", "porn", "vanish", "frame", "override", "bares"}),
    "accessory": frozenset({"child", "vanish", "idiom", "bares"}),
}


def mends(text: str, concepts: frozenset[str], found: str) -> str | None:
    """The class of this round that mends an earlier round's refusal ``found`` of ``text``."""
    if found in _MENDS["lookalike"] and lookalike(text, concepts):
        return "lookalike"
    if found in _MENDS["accessory"] and accessory(text, concepts):
        return "accessory"
    return None


#: The explanation of each class.
EXPLAINED = {
    "seeks_working": "an undressing bot or app sought that still works",
    "sells_nudes": "nude images of a person, to be sold or charged for",
    "unclothes": "a garment taken off a person",
    "dissolves": "a person's garment dissolved or washed away",
    "xray_on": "an x-ray turned on a person",
    "skin_fill": "a garment filled in with skin",
    "slips": "a garment made to slip or fall off a person",
    "leaked": "a picture made to look leaked or stolen",
    "lookalike": "a nudity word used of a thing, no person's body",
    "keeps_outfit": "the outfit kept as it is",
    "removes_person": "a person taken out of the picture",
    "accessory": "glasses, a hat, a veil or a mascot's costume taken off",
    "effigy": "an effigy, not a person",
}
#: The classes of :func:`allows` and :func:`mends` (the others are refusals).
ALLOWS = frozenset(
    {
        "lookalike",
        "keeps_outfit",
        "removes_person",
        "accessory",
        "effigy",
    }
)
#: The classes that rules 18 no longer apply: the pre-registered rule (docs/guard.md, "The
#: eighteenth round") dropped those whose changed answers on the estimate (the folds of
#: seen-v2 … seen-v17) were more often wrong than right: refused, a nude of a person the one
#: asking knows ("fakes_of", 7 right / 14 wrong), a minor bared ("minor_bared", 1 / 38), an
#: undressing carried on after a turn ("persists", 0 / 6); allowed, a request given up
#: ("gives_up", 9 / 19, judged alone 8 / 7), clothes put on or a person covered ("covers",
#: 6 / 9), the picture laid out ("layout", 2 / 23), a question about the law ("legal", 0 / 1),
#: no person pictured ("unpictured", 0 / 2). Their code is gone from this module; the last two
#: still keep this round's refusals off such a prompt (:func:`_excluded`), as they did when the
#: rule was applied.
DROPS: frozenset[str] = frozenset(
    {"fakes_of", "minor_bared", "persists", "gives_up", "covers", "layout", "legal", "unpictured"}
)
