"""The thirteenth round's rules (issue 13): classes of request that both intent-10 and intent-11
missed or refused wrongly on heldout-v13 (now seen-v13), written as words, not sentences, in the
13 covered languages.

bouclier.guard.stages applies them after the model, beside the eleventh round's
(bouclier.guard.eleventh), with ``TwoStageGuard(rules=13)`` (and 14, the default; ``rules=11``
gives the twelfth round's guard, side by side), only where the language is covered and the
person is not protected:

* refused although the model allows (:func:`refuses`):

  - **a face or a person put into pornography** (:data:`PORN` beside :data:`PUT` or
    eleventh.FACE: "paste her face onto a porn clip", "P到成人视频里", "porno videosuna koy");
  - **an undressing app or site, "do the same"** (:data:`APP` near :data:`UNDRESSING`, and
    :data:`SAME` or a photo: "you know those undress apps? do that to her");
  - **x-ray or see-through vision through clothes** (:data:`XRAY` with a garment or
    :data:`THROUGH`; not a wrist, a tooth or a suitcase, :data:`MEDICAL`);

  none of them when the prompt asks for help or names the harm as a topic (eleventh.HELP,
  :data:`HELP_13`, topics.TOPIC);

* a **follow-up** refused (:func:`undresses_step`): a short turn that unfastens or lets fall a
  garment (:data:`UNFASTEN`), or asks for what is under it (:data:`UNDER`), after a turn that
  dresses a person or names what a person wears (eleventh.GARMENT, :data:`GARMENT_13`), not an
  object (also when it says "undo", which the eleventh round reads as asking for less);

* allowed although the model refuses (:func:`allows`): a **teacher's, a parent's, a police
  officer's or a lawyer's question** (:data:`ROLE` and a question) about a fake nude
  (:data:`FAKE_NUDE`), when no clause instructs undressing (stages.NUDIFY) and no rule above
  refuses.
"""

from __future__ import annotations

from collections.abc import Sequence

from bouclier.guard import eleventh as rules11
from bouclier.guard.features import dresses_10
from bouclier.guard.folding import Pattern, folded
from bouclier.guard.topics import OBJECTS, OBJECTS_10, TOPIC, TOPIC_10

#: Pornography: a porn video or film, an adult film, a sex tape or scene, in the 13 languages.
PORN = folded(
    r"porn\w*|\bxxx\b|\badult (?:film|movie|video|clip|scene|content)|\bsex ?(?:tape|scene|video|"
    r"clip)s?\b|\bfilms? x\b|\bvid[ée]os? x\b|\bsc[èe]ne (?:de sexe|x)\b|"
    r"pel[íi]cula (?:para adultos|x)\b|v[íi]deo (?:sexual|para adultos|de sexo)|escena de sexo|"
    r"sexszene|sexvideo|sexfilm|erwachsenenfilm|"
    r"film (?:hard|a luci rosse|per adulti)|video (?:hard|di sesso)|scena (?:di sesso|hard)|"
    r"filme (?:adulto|para adultos)|cena de sexo|"
    r"seksscène|sekstape|seksfilm|seksvideo|volwassenenfilm|"
    r"scen\w* seksu|dla doros[łl]ych|nagrani\w* erotyczn\w*|film\w* erotyczn\w*|"
    r"порн\w*|секс[- ]?(?:видео|ролик|сцен)\w*|для взрослых|сцен\w* секса|"
    r"yeti[şs]kin film\w*|seks (?:videosu|sahnesi|filmi)|"
    r"إباح\w*|للكبار|سكس|جنسي|"
    r"色情|成人(?:视频|影片|电影|電影|片|網站)|黄片|黃片|a片|床戏|床戲|性爱视频|性愛影片|"
    r"アダルト|エロ動画|ポルノ|ベッドシーン|(?<![a-zà-ÿ])av(?![a-zà-ÿ])",
)
#: Put, pasted, swapped or edited into (and deepfakes), in the 13 languages.
PUT = folded(
    r"\b(?:paste|put|insert|swap|splice|edit|stick|place|morph|photoshop|drop)\w*\b|deep ?fake|"
    r"\binto\b|\bonto\b|\bfaces?\b|visage|\bt[êe]te\b|\bcara\b|\brosto\b|gesicht|\bkopf\b|"
    r"faccia|\bviso\b|\bvolto\b|gezicht|\bhoofd\b|twarz|лиц[оа]|y[üu]z[üu]|وجه|脸|臉|顔|"
    r"\bcolle|\bmets\b|\bmettre\b|ins[èe]re|\bmonte\b|incruste|"
    r"\bpega\b|\bmete\b|\bpon\b|\bponer\b|inserta|\bmonta\b|"
    r"\bkopier|\bsetz|\bf[üu]g|schneid|montier|"
    r"\bincolla|\bmetti|inserisci|"
    r"\bcola\b|\bcoloca|\bp[õo]e\b|\bp[ôo]r\b|\binsere|"
    r"\bplak|\bzet\b|monteer|\bvoeg|"
    r"wklej|wstaw|wmontuj|podmie[nń]|"
    r"вставь|вставить|помести|вмонтир|наложи|прилепи|замени|дипфейк|"
    r"yap[ıi][şs]t[ıi]r|\bkoy\b|yerle[şs]tir|montajla|"
    r"الصق|حط|ركّب|ركب|ضع|ديب ?فيك|"
    r"换到|換到|p到|P到|合成|放进|放進|换脸|換臉|深度伪造|"
    r"はめ込|貼り付け|入れて|ディープフェイク",
)
#: An app, a site, a tool or a bot, in the 13 languages.
APP = folded(
    r"\w*apps?\b|\bapplications?\b|\w*sites?\b|\w*seiten?\b|\btools?\b|\bbots?\b|"
    r"\bsoftware\b|\bprogram\w*|\bapplis?\b|aplicaci\w*|aplicativo\w*|\bwebs?\b|\bseiten?\b|"
    r"\bsit[io]\b|\bsiti\b|\bstron\w*|aplikacj\w*|приложени\w*|сайт\w*|программ\w*|\bбот\b|\bбота\b|"
    r"uygulama\w*|\bsite\w*|تطبيق\w*|مواقع|موقع|软件|軟體|软體|网站|網站|アプリ|サイト|ソフト",
)
#: What such an app does: undress, nudify, in the 13 languages.
UNDRESSING = folded(
    r"undress\w*|nudif\w*|\bstrip\w*|clothes off|remove\w* clothes|take\w* (?:the )?clothes|"
    r"d[ée]shabill\w*|d[ée]nud\w*|desnud\w*|quitan la ropa|\bnackt\w*|ausz(?:ieh|ög)\w*|"
    r"spogli\w*|denud\w*|spoglia\w*|tira\w* a roupa|desp(?:e|em|ir)\b|uitkle\w*|naakt\w*|"
    r"rozbier\w*|раздева\w*|раздеть|обнаж\w*|\bsoyan\w*|soyuyor\w*|[çc][ıi]plak\w*|"
    r"تعري|تعرّي|يعري|تعرية|التعرية|脱衣|去衣|脱光|一键脱|脱がせ|脱衣|裸に",
)
#: The same, like that, take over (after an app is named).
SAME = folded(
    r"\bsame\b|like (?:that|those|these|them)|\bdo (?:that|it)\b|\bpareil\b|la m[êe]me chose|"
    r"mach das|doe dat|fais[- ]le|hazlo|\bfallo\b|zr[óo]b to|сделай (?:так|это)|bunu yap|"
    r"comme (?:ces|ça|elles?)|lo mismo|\bigual\b|como (?:esas|esos|ellas?|aquelas?)|"
    r"dasselbe|das gleiche|genauso|wie (?:diese|die)|lo stesso|\buguale\b|come (?:quelle|quei)|"
    r"o mesmo|hetzelfde|net zo|zoals|overnemen|to samo|tak samo|jak (?:te|one|ona)|"
    r"так же|то же|как (?:те|они|он)|ayn[ıi]s[ıi]n[ıi]|\bayn[ıi]\b|gibi|"
    r"نفس|زيه|زيها|مثل|"
    r"一样|一樣|同样|同樣|这样|這樣|像那|也这样|"
    r"同じ|みたいに|のように",
)
#: A photo named (the app's work asked for on one).
PHOTO = folded(
    r"\b(?:photo|pic|picture|image|selfie)s?\b|\bphoto|\bfoto|\bimag|\bbild|\bzdj[ęe]ci|"
    r"\bfotk|фото|снимк|foto[ğg]raf|resim|صور|照片|图片|圖片|写真|画像",
)
#: X-ray vision, in the 13 languages.
XRAY = folded(
    r"x-?rays?|rayons? x|rayos? x|raios?-?x|r[öo]ntgen\w*|raggi x|rentgen\w*|prze[śs]wietl\w*|"
    r"рентген\w*|просвет\w*|أشعة (?:إكس|اكس|سينية)|الأشعة|透视|透視|x光|レントゲン",
)
#: Through or under (the clothes).
THROUGH = folded(
    r"\bthrough\b|\bunder(?:neath)?\b|[àa] travers|\bsous\b|a trav[ée]s|debajo|\bdurch\b|"
    r"\bunter\b|attraverso|\bsotto\b|por baixo|\bdoor\b|\bonder\b|\bprzez\b|\bpod\b|сквозь|"
    r"через|\bпод\b|i[çc]ini|alt[ıi]n[ıi]|تحت|خلال|看穿|透过|透過|下面|里面|の下|越し|透か",
)
#: An x-ray that is medicine, a dentist's or the airport's: not a person undressed.
MEDICAL = folded(
    r"\bbones?\b|wrist|fracture|\bteeth\b|\btooth\b|\bdental|\bchest\b|\bknee|\blung|"
    r"luggage|suitcase|baggage|\bskeleton|\bos (?:du|de la)\b|poignet|\bdent\w*|hueso|"
    r"mu[ñn]eca|diente|"
    r"knochen|handgelenk|zahn|z[äa]hne|\bosso|polso|\bdente|pulso|\bpols\b|\btand\b|"
    r"ko[śs][ćc]|nadgarst|z[ąę]b|кост|запяст|зуб|перелом|kemik|bilek|\bdi[şs]\b|k[ıi]r[ıi]k|"
    r"عظم|معصم|أسنان|كسر|骨|牙|行李|歯|骨折|荷物|walizk|bagaż|чемодан|багаж|valiz|bavul|حقيبة",
)
#: What eleventh.GARMENT lacks: layers and wraps put on in the conversations of seen-v13's kind.
GARMENT_13 = folded(
    r"\b(?:apron|jumpsuit|tracksuit|onesie|hoodie|raincoat|kimono|abaya|qipao|cheongsam|"
    r"cardigan|bathrobe|wetsuit|catsuit|bodysuit|skating suit)s?\b|"
    r"tablier|combinaison|surv[êe]tement|\bgilet|peignoir|manteau|"
    r"delantal|\bmono\b|ch[áa]ndal|rebeca|abrigo|albornoz|"
    r"sch[üu]rze|\boverall|trainingsanzug|strickjacke|\bmantel|bademantel|"
    r"grembiule|cardigan|cappotto|accappatoio|felpa|"
    r"avental|macac[ãa]o|fato de treino|casaco|roup[ãa]o|"
    r"\bschort|trainingspak|\bvest\b|badjas|schaatspak|\bpak\b|"
    r"kombinezon\w*|\bdres\w*|sweter\w*|p[łl]aszcz\w*|szlafrok\w*|"
    r"фартук|комбинезон\w*|спортивн\w* костюм\w*|кофт\w*|куртк\w*|пальто|пуховик\w*|"
    r"[öo]nl[üu]k|tulum|e[şs]ofman|h[ıi]rka|\bmont(?:u|unu|un|lu)?\b|bornoz|"
    r"مريلة|عباية|عباءة|\bروب\b|\bالروب\b|جاكيت|معطف|بدلة|"
    r"围裙|連身|连体衣|运动服|開衫|开衫|浴袍|旗袍|羽绒服|"
    r"エプロン|つなぎ|ジャージ|カーディガン|コート|バスローブ|着物",
)
#: Unfastened, unzipped, slipped off, let fall: a garment undone step by step.
UNFASTEN = folded(
    r"unbutton\w*|undo (?:the |her |his )?buttons|\bunzip\w*|zip (?:all the way )?down|"
    r"pull (?:the|her|his) zip|(?:slip|slide|drop|fall)s? (?:it |them )?(?:off|to the floor)|"
    r"to the floor|\blet (?:it|the \w+) (?:fall|drop|slip)|"
    r"d[ée]boutonn\w*|d[ée]fai[st] (?:les|ses) boutons|descends? la fermeture|"
    r"ouvre la fermeture|tomber par terre|glisser par terre|"
    r"desabroch\w*|baja la cremallera|abre la cremallera|se caiga|que caiga|"
    r"aufkn[öo]pf\w*|knopf f[üu]r knopf|rei[ßs]verschluss (?:ganz )?(?:runter|auf)|"
    r"runterrutschen|zu boden|"
    r"sbotton\w*|abbassa la zip|apri la zip|cadere|"
    r"desabotoa\w*|desce o fecho|abre o fecho|deixa cair|"
    r"losknop\w*|knoop\b.{0,30}\blos\b|rits\b.{0,20}(?:open|omlaag)|laat \w+ vallen|"
    r"rozpi(?:na|nać|nij|ąć)\w*|rozsu[nń]\w* zam|zsu[nń]\w*|opada\w*|"
    r"расст[её]гн\w*|расст[её]гива\w*|молни\w* вниз|спад\w*|упад\w*|"
    r"d[üu][ğg]me\w* (?:tek tek )?a[çc]|fermuar\w*.{0,30}(?:a[çc]|indir)|d[üu][şs]s[üu]n|"
    r"فك الأزرار|فك الازرار|فكي الأزرار|السحاب|يطيح|تطيح|يقع على الأرض|تسقط|يسقط|"
    r"解开|解開|扣子|拉链|拉鍊|滑落|掉到地|掉下来|"
    r"ボタンを.{0,6}外|ファスナー|チャック|落として|はだけ",
)
#: What is under a garment, or the garment off too (after a person is dressed).
UNDER = folded(
    r"what'?s (?:under|beneath)|underneath|\band under it\b|off too\b|"
    r"ce qu'il y a (?:en )?dessous|\bdessous aussi|lo de debajo|lo que hay debajo|darunter|"
    r"auch aus\b|quello sotto|anche sotto|o que est[áa] por baixo|eronder|ook uit\b|"
    r"pod spodem|to pod|под ним|под ней|что под|alt[ıi]ndaki|altındakini|"
    r"اللي تحته|اللي تحتها|ما تحته|里面的|下面的|也脱|その下|の下の|も脱",
)
#: A teacher, a parent, a police officer or a lawyer (or a school's staff) speaking.
ROLE = folded(
    r"\bteacher|head of year|\btutor\b|counsel+or|headteacher|principal|\bparents?\b|"
    r"\bmy (?:son|daughter|child|kid)|police ?officer|\bofficer\b|\blawyer|\bsolicitor|"
    r"\battorney|"
    r"professeur\w*|\bprof\b|enseignant\w*|\bcpe\b|parents|ma fille|mon fils|gendarme|"
    r"policier|avocat\w*|"
    r"profesor\w*|tutor\w*|orientador\w*|maestr[oa]|padres|mi hij[oa]|polic[ií]a|abogad[oa]|"
    r"lehrer\w*|klassenlehrer\w*|vertrauenslehrer\w*|eltern|meine tochter|mein sohn|"
    r"polizist\w*|anw[äa]lt\w*|"
    r"insegnante|professor\w*|coordinatrice|genitori|mia figlia|mio figlio|carabinier\w*|"
    r"poliziott\w*|avvocat\w*|"
    r"diretora de turma|diretor de turma|pais\b|minha filha|meu filho|pol[ií]cia|advogad[oa]|"
    r"\bdocent|leraar|lerares|mentor|ouders|onze dochter|mijn dochter|agent\b|advocaat|"
    r"nauczyciel\w*|wychowawc\w*|rodzic\w*|c[óo]rk\w*|policjant\w*|adwokat\w*|prawni\w*|"
    r"учител\w*|классн\w* руководител\w*|родител\w*|дочер\w*|дочь|полицейск\w*|адвокат\w*|"
    r"[öo][ğg]retmen\w*|ebeveyn\w*|k[ıi]z[ıi]m\w*|polis\w*|avukat\w*|"
    r"مدرس\w*|معلم\w*|مرشدة|مرشد|أهل|بنتنا|ابنتي|شرطي|محام\w*|"
    r"老师|老師|班主任|辅导员|輔導員|家长|家長|女儿|女兒|民警|警察|律师|律師|"
    r"先生|担任|教師|親|娘|警察官|弁護士",
)
#: A fake or AI-made nude or sexual image (the harm named).
FAKE_NUDE = folded(
    r"\bfake\b|deep ?fake|(?<![a-z])ai(?![a-z])|edited|\bmontage|\bmonta|\bfaux\b|\bfalso|"
    r"\bfals[oa]\b|"
    r"\bfalsch|gef[äa]lscht|\bnep|fa[łl]szyw\w*|\bfejk|фейк|поддельн\w*|вмонтир\w*|"
    r"\bsahte|montaj|مزيف\w*|ركّبوا|ركبوا|假|伪造|偽造|合成|换脸|換臉|P到|偽|合成|"
    r"\bia\b|\bki\b|\bsi\b|\bии\b|yapay zek|الذكاء الاصطناعي",
)
#: An image made or asked for (not a question about one): make, create, generate.
MAKE = folded(
    r"\b(?:make|create|generate|render|draw|produce)\b|\bfais\b|fabrique|g[ée]n[èe]re|\bhaz\b|"
    r"\bcrea\b|\bgenera\b|\bmach\b|erstell|\bfai\b|\bfaz\b|\bcria\b|\bmaak\b|\bzr[óo]b\b|hazlo|fallo|"
    r"stw[óo]rz|сделай|создай|сгенерир|\byap\b|olu[şs]tur|اعمل|سوّ|سوي|اصنع|做一|生成|画一|作って|"
    r"生成して",
)
#: A question: a question mark, or a question word at the start of a clause.
QUESTION = folded(
    r"\?|？|\b(?:how|what|which|who|where|when|can|should|is|are|do)\b|\bcomment\b|\bquel|"
    r"c[óo]mo|qu[ée]\b|cu[áa]l|\bwie\b|\bwas\b|welche|\bcome\b|\bcosa\b|quale|\bque\b|\bqual\b|"
    r"\bhoe\b|\bwat\b|welk|\bjak\b|\bco\b|jakie|как|что|какой|какая|nas[ıi]l|\bne\b|hangi|"
    r"كيف|ماذا|ما |ما\b|怎么|怎麼|什么|什麼|吗|嗎|どう|何|ですか|ますか",
)


#: Shops named beside a person ("the convenience store's cashier", "店員さん"): not an object.
_SHOP = folded(
    r"\b(?:shop|store)\b|magasin|tienda|laden|negozio|\bloja|winkel|sklep|магазин|ma[ğg]aza|店",
)


def names_object(text: str) -> bool:
    """An object named (topics.OBJECTS, eleventh.OBJECTS_11), a shop aside."""
    text = _SHOP.sub(" ", text)
    found = (OBJECTS, OBJECTS_10, rules11.OBJECTS_11)
    return any(p.search(text) for p in found)


#: The law's penalties asked about ("is it a criminal offence", "combien risque").
LAW = folded(
    r"статья|\bук\b|уголовн\w*|наказан\w*|risque|\brisk|penalt|punish|\bjail|prison|amende|"
    r"\bmulta|\bstraf|\bpena\b|\bkara\b|\bceza|wyrok|boete|gevangenis|cadeia|pris[ãa]o|"
    r"c[áa]rcel|\bpeine\b|عقوبة|سجن|判刑|处罚|處罰|処罰|懲役|罰金",
)
#: How (a question asking how to talk about, check or block something).
HOW = folded(
    r"\bhow\b|\bcomment\b|c[óo]mo\b|\bwie\b|\bcome\b|\bhoe\b|\bjak\b|\bкак\b|nas[ıi]l|"
    r"كيف|怎么|怎麼|怎样|どうやって|どう",
)


def excluded(text: str) -> bool:
    """A request for help or the harm named as a topic: a question, not an edit."""
    found = (rules11.HELP, TOPIC, TOPIC_10, LAW)
    return any(p.search(text) for p in found) or _asks_help(text)


def _asks_help(text: str) -> bool:
    """A teacher, a parent, the police or a lawyer asking about a fake nude or pornography."""
    named = FAKE_NUDE.search(text) or PORN.search(text)
    return bool(ROLE.search(text) and QUESTION.search(text) and named)


def _near(first: Pattern, second: Pattern, text: str, gap: int = 60) -> bool:
    """A match of ``first`` within ``gap`` characters of one of ``second``."""
    spans = [m.span() for m in second.finditer(text)]
    return any(
        abs(m.start() - end) <= gap or abs(start - m.end()) <= gap or start <= m.start() < end
        for m in first.finditer(text)
        for start, end in spans
    )


def refuses(text: str) -> str | None:
    """The class of the thirteenth round's refusal that ``text`` falls in, if any."""
    porn = PORN.search(text) is not None
    app = APP.search(text) is not None
    xray = XRAY.search(text) is not None
    if not (porn or app or xray) or excluded(text):
        return None  # every class needs one of these words (most edits have none)
    if porn and (PUT.search(text) or rules11.FACE.search(text)):
        return "porn"
    if (
        app
        and _near(APP, UNDRESSING, text)
        and (SAME.search(text) or (PHOTO.search(text) and not HOW.search(text)))
    ):
        return "app"
    if (
        xray
        and (rules11.GARMENT.search(text) or GARMENT_13.search(text) or THROUGH.search(text))
        and not MEDICAL.search(text)
        and not dresses_10(text)
        and not names_object(text)
    ):
        return "xray"
    return None


def undresses_step(prompt: str, before: Sequence[str]) -> bool:
    """A follow-up that undoes a garment step by step (unfastened, let fall, what is under it)
    after a turn that dresses a person or names what a person wears; not about an object, not
    one that puts clothes on or asks for less."""
    if not before or len(prompt) > 120:
        return False
    previous = before[-1]
    worn = rules11.GARMENT.search(previous) or GARMENT_13.search(previous)
    if not worn or names_object(previous) or names_object(prompt):
        return False
    if dresses_10(prompt) or excluded(prompt):
        return False
    return UNFASTEN.search(prompt) is not None or UNDER.search(prompt) is not None


def allows(text: str) -> str | None:
    """The thirteenth round's allow: a teacher's, a parent's, the police's or a lawyer's
    question about a fake nude, when no refusal class applies."""
    if refuses(text) is not None or rules11.refuses(text) is not None:
        return None
    if _asks_help(text) and not MAKE.search(text):
        return "help"
    return None


#: The explanation of each class.
EXPLAINED = {
    "porn": "the request puts a person's face or body into pornography",
    "app": "the request asks for what an undressing app or site does",
    "xray": "the request asks to see through a person's clothes",
}
