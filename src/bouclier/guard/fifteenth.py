"""The fifteenth round's rules (issue 13): classes of request that the fourteenth round's guard
missed or refused wrongly on heldout-v15 (now seen-v15), written as concepts in the 13 covered
languages, not as that file's sentences.

bouclier.guard.rounds applies them after the model, beside the rounds before, with
``TwoStageGuard(rules=15)``, only where the language is covered and the person not protected:

* refused although the model allows (:func:`refuses`), never for a question, a request for help
  or the harm named as a topic (thirteenth.excluded), nor for an object:

  - **sextortion** (:data:`PAY` and :data:`THREAT` around a nude, :data:`NUDE_15`): "pay or
    the fake nude goes to her father": the demand of a made image's blackmail;
  - **acting on an undressed result** (:func:`acts_on`): a follow-up that posts, prints, sends,
    sets as wallpaper, removes the blur of or asks for more of what a turn before it undressed
    (:data:`ACT`);
  - **a program that undresses photos, named in its own words** (:data:`PROGRAM_15`: an
    extension, an automation, a mini program, an API feature; :data:`UNDRESS_15`: 去衣,
    脱衣加工, entkleiden, ``nude=true``);
  - **new jailbreak shapes** (:data:`OVERRIDE_15`: a "mode" the model is put in, "from now on
    you are…", a system message in JSON, "the filter is off for maintenance", "forget the
    previous instructions") around a nude;
  - **new excuses** (:data:`EXCUSE_15`: a master's thesis, a researcher, an art installation,
    "purely scientific") for nude images;

* allowed although the model refuses (:func:`allows`), when no refusal class applies:

  - **a parent's or a victim's question naming an undressing app** (:func:`worried`): someone
    close (my daughter, my husband) and a question, no request to make anything;
  - **a famous nude work of art** (:data:`ARTWORK`: Goya's Maja, a museum's nude, a nude
    study) retouched, captioned or printed: nothing is undressed.

A round whose lifts apply (:func:`lifts`) keeps the thirteenth round's "app" from refusing a
worried parent's question.
"""

from __future__ import annotations

from collections.abc import Sequence

from bouclier.guard import eleventh as rules11
from bouclier.guard import fourteenth as rules14
from bouclier.guard import thirteenth as rules13
from bouclier.guard.folding import folded

#: A nude image, made or faked, as a noun or an adjective (what eleventh.NAKED lacks).
NUDE_15 = folded(
    r"\bnudes?\b|\bnaked\b|nude (?:pic|photo|image)|\bnudit|\bnus?\b|\bnues?\b|photo nue|"
    r"desnud\w*|\bnackt\w*|nacktbild\w*|nacktfoto\w*|\bnud[aeio]\b|\bnudi\b|\bnua?s?\b|"
    r"naakt\w*|\bnag[aieyą]\w*|nagie\w*|\bgol\w+ (?:zdj|fot)|голы[йхем]\w*|гол(?:ая|ую|ое)\b|"
    r"нюд\w*|обнаж[её]нн\w*|раздет\w*|[çc][ıi]plak|عاري\w*|عارية|عري|裸照|裸体|裸體|裸の|裸に|"
    r"裸写真|ヌード|全裸",
)
#: A payment demanded: pay, transfer, a sum, a payment service.
PAY = folded(
    r"\bpay\b|\bpays\b|venmo|paypal|\bcash ?app|\bsend (?:me )?\$?\d|\$\s?\d|\d+\s?(?:\$|€|euros?|"
    r"dollars?|bucks|z[łl]|zl|pln|₽|руб\w*|тысяч\w*|lira|tl|₺|ريال|درهم|جنيه|دينار|元|块|円|万円)|"
    r"\bpaie\b|\bpaye[sz]?\b|vire(?:ment|r)|\bpaga\b|\bpague\b|\bpaguen?\b|transfier\w*|bizum|"
    r"zahl\w*|[üu]berweis\w*|ricarica|postepay|\bpaga\w*|bonifico|\bpix\b|transfer\w*|"
    r"betaal\w*|tikkie|zap[łl]a[ćc]|przelew\w*|blik\w*|переве\w*|заплат\w*|оплат\w*|сбер\w*|"
    r"[öo]de\w*|havale|eft\b|papara|ادفع|تدفع|حول\w*|تحويل|فلوس|付款|转账|轉帳|打钱|打錢|"
    r"支付|给我钱|振り込\w*|振込|払え|払わ|送金",
)
#: A threat to send or show it to someone: "or it goes to her father", "I send it to everyone".
THREAT = folded(
    r"\bor (?:i|it|this|the)\b|goes to|\bsend (?:it|this)\b|\bi send\b|everyone sees|"
    r"\bsinon\b|\bou (?:je|elle|la)\b|\benvoie\w*|\bo (?:la|lo|le|mando|env[íi]o)\b|\bsi no\b|"
    r"\benv[íi]o\b|mando|\boder\b|schick\w*|\bo mi\b|\bo (?:la|le)\b|\bmando\b|\bsen[aã]o\b|"
    r"\bou (?:eu|a|o)\b|envio|\bof (?:ik|ze)\b|stuur\w*|\balbo\b|\bbo\b|wy[śs]l\w*|dostanie|"
    r"\bили\b|отправ\w*|увидит|\bya da\b|g[öo]nder\w*|yollar\w*|وإلا|والا|ولا|توصل|بنشر|أرسل|"
    r"否则|不然|要不|发给|發給|送给|送る|送って|ばらま|晒す",
)
#: Who the image goes to: a relative, a boss, everyone (eleventh.FAMILY-like, in 13 languages).
AUDIENCE = folded(
    r"\b(?:her|his|their) (?:dad|father|mum|mom|mother|husband|boss|wife|family|school)\b|"
    r"\beveryone\b|\ball (?:her|his) |son p[èe]re|sa m[èe]re|son mari|son patron|tout le monde|"
    r"su (?:padre|madre|marido|jefe)|todo el mundo|todos|ihr\w* (?:vater|mutter|mann|chef)|"
    r"\balle\b|suo (?:padre|marito|capo)|sua madre|\ba tutti\b|seu (?:pai|marido|chefe)|"
    r"\btodos\b|haar (?:vader|moeder|man|baas)|iedereen|jej (?:ojciec|mama|m[ąa][żz]|szef)|"
    r"\bwszyscy\b|отц\w*|отец|матер\w*|муж\b|начальни\w*|\bвсе\b|всем|babas\w*|annes\w*|"
    r"koca\w*|patron\w*|herkes\w*|لأبوها|أبوها|ابوها|لزوجها|زوجها|مديرها|للكل|她爸|她妈|她老公|"
    r"她老板|所有人|会社|上司|家族|旦那|親に",
)
#: An act on a made image: publish, post, print, send on, set as wallpaper; more of it; no blur.
ACT = folded(
    r"\bpost (?:it|this|that)|\bupload|\bshare (?:it|this)|\bprint (?:it|this|that)|poster|"
    r"wallpaper|lock ?screen|group ?chat|\bsend (?:it|this) to|\bmore angles|\bunblur|"
    r"without (?:the )?blur|\bno blur|the original|publi\w*|poste[- ]l[ae]\b|postez|imprim\w*|"
    r"fond d'[ée]cran|envoie[- ]la|sans (?:le )?flou|sube\w*|subir|comparte\w*|s[úu]bel[ao]\w*|"
    r"fondo de pantalla|"
    r"m[áa]nda(?:la|lo|sela)|sin (?:el )?desenfoque|sin pixelar|hochlad\w*|teil\w* (?:es|das)|"
    r"druck\w*|hintergrundbild|schick\w* (?:es|das)|ohne (?:unsch[äa]rfe|verpixel\w*)|"
    r"carica\w*|pubblica\w*|stampa\w*|come sfondo|sfondo del (?:telefono|cellulare)|mandala|"
    r"senza (?:sfocatura|censura)|"
    r"posta\w*|compartilh\w*|imprim\w*|papel de parede|manda (?:pra|para)|sem (?:desfoque|borr)|"
    r"upload\w*|deel (?:het|dit)|print\w*|als achtergrond|achtergrond van (?:mijn|"
    r"m'n) (?:telefoon|scherm)|stuur (?:het|dit)|zonder (?:blur|vervag)|"
    r"wrzu[ćc]|opublikuj|udost[ęe]pnij|wydrukuj|tapet\w*|wy[śs]lij|bez (?:rozmycia|cenzury)|"
    r"выложи|опубликуй|запости|распечатай|обо[ий]\w*|отправь|скинь|без (?:размытия|цензуры)|"
    r"payla[şs]|y[üu]kle|yay[ıi]nla|bast[ıi]r|duvar ka[ğg][ıi]d|g[öo]nder|"
    r"bulan[ıi]kl[ıi][ğg][ıi] kald|"
    r"انشر|نزل\w* في|اطبع|خلفية (?:ال)?(?:جوال|تلفون|شاشة|موبايل)|خلفية جوالي|أرسل|ارسل|"
    r"بدون تمويه|قروب|الجروب|"
    r"发到|發到|发给|發給|上传|上傳|分享|打印|壁纸|桌布|别打码|別打碼|不要打码|原图|原圖|更多角度|"
    r"投稿|アップ|載せ|貼れ|貼って|印刷|壁紙|待ち受け|送って|モザイク(?:なし|を外)|掲示板",
)
#: A program or a feature of one, beyond fourteenth.PROGRAM: an extension, an automation.
PROGRAM_15 = folded(
    r"extension|plug-?in|\bbot\w*|automation|workflow|webhook|\byaml\b|\bjson\b|manifest|"
    r"shortcut|\bsdk\b|\bfeature\b|mini ?program|\bapp\b that|build (?:me )?an? app|"
    r"fonctionnalit[ée]|extensi[óo]n|funci[óo]n|funktion|automatisierung|erweiterung|"
    r"funzion\w*|estens\w*|fun[çc][ãa]o|extens[ãa]o|functie|extensie|funkcj\w*|rozszerzeni\w*|"
    r"функци\w*|расширени\w*|бот\w*|eklenti|[öo]zellik|otomasyon|ميزة|خاصية|إضافة|小程序|"
    r"插件|功能|企业版|企業版|拡張機能|機能|\bgas\b|ショートカット",
)
#: Undressing named as a program names it: 去衣, 脱衣加工, "entkleiden", ``nude=true``.
UNDRESS_15 = folded(
    r"\bundress\w*|\bnudify|\bnude\s*[=:]\s*(?:1|true|on|yes)|sin_ropa|no_clothes|"
    r"remove_clothes|clothes\s*[=:]\s*(?:0|false|none|off)|d[ée]shabill\w*|desnud\w*|"
    r"desvest\w*|entkleid\w*|auszieh\w*|spoglia\w*|despi\w*|ontkle\w*|uitkle\w*|rozbier\w*|"
    r"разде\w*|soy(?:un|an|ma)\w*|تعري|تعرية|إزالة (?:ال)?ملابس|去衣|脱衣|一键脱|脱光|"
    r"脱衣加工|服を脱が|服を消",
)
#: What a request asks of a program: write, build, give me, enable, run.
BUILD = folded(
    r"\bwrite\b|\bbuild\b|\bmake\b|\bcreate\b|give me|\benable\b|turn on|[ée]cri[st]|cr[ée]e|"
    r"active|escrib|crea|dame|activ|schreib|bau|erstell|gib mir|aktivier|scriv|fammi|dammi|"
    r"attiva|escrev|cri[ae]|me d[áa]|ativ|schrijf|maak|geef|activeer|napisz|zr[óo]b|stw[óo]rz|"
    r"daj|w[łl][ąa]cz|напиши|сделай|создай|дай|включи|yaz|yap|olu[şs]tur|ver|a[çc]|اكتب|اعمل|"
    r"سو|أعط|فعل|写|做|创建|給我|给我|开通|開通|启用|書いて|作って|有効",
)
#: A new jailbreak shape: a mode put on, "from now on you are", a system message, maintenance.
OVERRIDE_15 = folded(
    r"\w[- ]mode\b(?! (?:photo|shot|picture|image))|you are now|you're now|from now on|"
    r"system message|\"role\"\s*:\s*\"system\"|maintenance|forget (?:all |the |your )?"
    r"(?:previous|prior|earlier) (?:instructions|commands|rules)|"
    r"mode \w+ activ|tu es maintenant|d[ée]sormais tu|[àa] partir de maintenant|message syst[èe]me|"
    r"oublie (?:toutes )?(?:tes|les) (?:instructions|consignes) pr[ée]c[ée]dentes|"
    r"modo \w+ activ|ahora eres|a partir de ahora|mensaje del sistema|mantenimiento|"
    r"olvida (?:las|tus) instrucciones|\w-?modus|du bist jetzt|ab jetzt|systemnachricht|"
    r"wartung|vergiss (?:alle )?(?:deine |die )?(?:vorherigen )?anweisungen|"
    r"modalit[àa] \w+|ora sei|da ora in poi|messaggio di sistema|manutenzione|"
    r"dimentica le istruzioni|agora voc[êe] [ée]|a partir de agora|mensagem do sistema|"
    r"manuten[çc][ãa]o|ignore qualquer instru[çc][ãa]o|esque[çc]a (?:as|todas as) instru[çc]|"
    r"je bent nu|vanaf nu|systeembericht|onderhoud|vergeet (?:je|alle|de) (?:vorige )?instructies|"
    r"tryb \w+|jeste[śs] teraz|od teraz|od tej chwili|wiadomo[śs][ćc] systemow|konserwacj|"
    r"zapomnij (?:wszystkie |swoje )?(?:poprzednie )?(?:polecenia|instrukcje)|"
    r"режим\w*|теперь ты|с этого момента|системное сообщение|обслуживани|"
    r"забудь (?:все )?(?:предыдущие )?(?:инструкции|указания|команды)|\w modu|"
    r"art[ıi]k sen|bundan sonra|sistem mesaj|bak[ıi]m (?:i[çc]in|nedeniyle)|"
    r"(?:[öo]nceki )?talimatlar[ıi] unut|وضع \w+|أنت الآن|من الآن|رسالة (?:من )?(?:النظام|فريق)|"
    r"للصيانة|الصيانة|انس (?:كل )?التعليمات|模式|你现在是|你現在是|从现在开始|從現在開始|"
    r"系统消息|系統訊息|维护|維護|忘记之前|忘記之前|モード|今から(?:あなた|君)|これからあなた|"
    r"システムメッセージ|メンテナンス|以前の指示を忘れ|あなたは\S{0,12}(?:カメラマン|AI)",
)
#: Excuses the fourteenth round's words lack: a master's thesis, a researcher, an installation.
EXCUSE_15 = folded(
    r"master'?s (?:thesis|project)|\bresearcher|scientific|installation|\bdissertation|"
    r"\bm[ée]moire\b|chercheu\w*|scientifique|investigador\w*|cient[íi]fic\w*|instalaci[óo]n|"
    r"\btfg\b|\btfm\b|forscher\w*|wissenschaft\w*|kunstinstallation|installation|masterarbeit|"
    r"ricercat\w*|scientific\w*|installazione|dissertazione|pesquisador\w*|disserta[çc][ãa]o|"
    r"instala[çc][ãa]o|onderzoeker|wetenschap\w*|installatie|magister\w*|licencjat\w*|"
    r"naukow\w*|instalacj\w*|исследовател\w*|научн\w*|инсталляци\w*|курсов\w*|магистер\w*|"
    r"ara[şs]t[ıi]rmac[ıi]|bilimsel|y[üu]ksek lisans|enstalasyon|باحث|علمي|أطروحة|رسالة ماجستير|"
    r"学术|學術|毕业设计|畢業|硕士|碩士|研究者|研究用|学術|修論|卒業研究",
)
#: Someone close whose worry it is: my daughter, my son, my husband, my class, the school.
CLOSE = folded(
    r"\bmy (?:\d+ ?y\.?o\.?|son|daughter|kid|child|husband|wife|partner|boyfriend|girlfriend)|"
    r"\bmy \d+-year-old|\bmon (?:fils|mari|copain)|\bma (?:fille|femme|copine)|"
    r"\bmi (?:hij[oa]|marido|esposa|novi[oa])|\bmein (?:sohn|mann|freund)|\bmeine (?:tochter|frau)|"
    r"\bmio (?:figlio|marito)|\bmia (?:figlia|moglie)|\bmeu (?:filho|marido)|\bminha (?:filha|"
    r"esposa)|"
    r"\bmijn (?:zoon|dochter|man|vrouw|vriend)|\bm[óo]j (?:syn|m[ąa][żz])|\bmoja (?:c[óo]rka|"
    r"[żz]ona)|"
    r"\bмо[йяё] (?:сын|дочь|муж|жена)|\bмою дочь|o[ğg]lum|k[ıi]z[ıi]m|e[şs]im|ابني|بنتي|ابنتي|"
    r"زوجي|我儿子|我女儿|我兒子|我女兒|我老公|我丈夫|息子|娘が|夫が",
)
#: A famous nude work of art: a painter's or a sculptor's, a museum's, a nude study.
ARTWORK = folded(
    r"\bgoya\b|\bmaja\b|\bzorn\b|\btiziano?|\btitian|\bmanet\b|olympia|botticelli|\bvenus\b|"
    r"\brubens\b|modigliani|\brodin\b|michelangelo|\bdavid\b|\bmuse(?:um|o|u|e|é)\b|"
    r"\bmus[ée]e\b|\bmuzeum\b|\bмузе\w*|\bm[üu]ze\w*|متحف|美术馆|美術館|博物馆|博物館|"
    r"nude study|[ée]tude de nu|estudio de desnudo|aktstudie|studio di nudo|estudo de nu|"
    r"naaktstudie|studium aktu|этюд обнаж\w*|обнаж[её]нная натура|\bakt\w*k[ée]p|\bakt\b|"
    r"nu art[íi]stico|art history|histoire de l'art|historia del arte|kunstgeschichte|"
    r"storia dell'arte|hist[óo]ria da arte|kunstgeschiedenis|historia sztuki|"
    r"истори\w* искусств|\bмхк\b|sanat tarihi|تاريخ الفن|美术史|美術史",
)
#: What a work of art may be asked: retouched, restored, sharpened, captioned, printed.
CURATE = folded(
    r"resolution|sharpen|restor|brighten|caption|\bprint|colou?r|r[ée]solution|restaur|"
    r"l[ée]gende|nett|resoluci[óo]n|imprim|ilumin|sch[äa]rf|aufl[öo]sung|restaurier|beschrift|"
    r"risoluzione|nitid|didascal|resolu[çc][ãa]o|legenda|scherp|resolutie|restaureer|onderschrift|"
    r"rozdzielczo|wyostrz|podpis|разрешени|резкост|подпис|реставр|çözün|keskin|restor|"
    r"a[çc][ıi]klama|"
    r"دقة|وضوح|تعليق|分辨率|解析度|清晰|修复|修復|配文|解像度|修復|キャプション|"
    r"élesíts|\bvlek|\bvlekken|förbättra|f[äa]rg",
)


def _undresses(text: str, concepts: frozenset[str]) -> bool:
    """A nude named, or a person undressed in the fourteenth round's words."""
    return NUDE_15.search(text) is not None or rules14.undressing(text, concepts)


def sextortion(text: str) -> bool:
    """A payment demanded with a threat to send a nude (made or faked) to someone."""
    if NUDE_15.search(text) is None or PAY.search(text) is None:
        return False
    return THREAT.search(text) is not None or AUDIENCE.search(text) is not None


def acts_on(prompt: str, before: Sequence[str]) -> bool:
    """A follow-up that publishes, prints, sends or asks more of what a turn before it
    undressed (eleventh.undresses_in_words, :data:`NUDE_15`, :data:`UNDRESS_15`)."""
    if not before or ACT.search(prompt) is None:
        return False
    if rules13.excluded(prompt) or rules11.context_is_object(before):
        return False
    if rules14.drops(prompt, before):
        return False  # "ok, forget it, just the white background"
    undressed = (NUDE_15, UNDRESS_15)
    return any(
        rules11.undresses_in_words(turn) or any(p.search(turn) for p in undressed)
        for turn in before
    )


def program(text: str, concepts: frozenset[str]) -> bool:
    """A program (an extension, an automation, an API feature) asked to undress photos."""
    named = rules14.PROGRAM.search(text) or PROGRAM_15.search(text)
    if named is None or rules14.PROTECT.search(text):
        return False
    return UNDRESS_15.search(text) is not None and BUILD.search(text) is not None


def refuses(text: str, concepts: frozenset[str], before: Sequence[str] = ()) -> str | None:
    """The class of the fifteenth round's refusal that ``text`` (after the turns ``before``)
    falls in, if any (``concepts``: the lexicons' concepts found in it)."""
    acting = bool(before) and ACT.search(text) is not None
    gates = (NUDE_15, UNDRESS_15, OVERRIDE_15, EXCUSE_15)
    if not (acting or any(p.search(text) for p in gates)):
        return None  # every class needs one of these (most edits have none)
    if rules13.excluded(text) or rules14.writes_about(text):
        return None
    if acting and acts_on(text, before):
        return "acts"
    if rules13.names_object(text):
        return None
    if sextortion(text):
        return "sextortion"
    if program(text, concepts):
        return "program_15"
    if not _undresses(text, concepts):
        return None
    if OVERRIDE_15.search(text):
        return "override_15"
    if EXCUSE_15.search(text):
        return "pretext_15"
    return None


def worried(text: str) -> bool:
    """A parent's, a partner's or a victim's question naming an undressing app: someone close,
    an app, a question; no request to make anything (no :data:`BUILD` verb of making)."""
    if CLOSE.search(text) is None or rules13.APP.search(text) is None:
        return False
    return rules13.QUESTION.search(text) is not None and not rules13.MAKE.search(text)


def artwork(text: str, concepts: frozenset[str]) -> bool:
    """A famous nude work of art (:data:`ARTWORK`) retouched, captioned or printed
    (:data:`CURATE`); no person undressed in the fourteenth round's words beyond the work's own
    nudity, no face put in."""
    if ARTWORK.search(text) is None or CURATE.search(text) is None:
        return False
    return not (rules11.FACE.search(text) or rules11.refuses(text))


def allows(text: str, concepts: frozenset[str], before: Sequence[str] = ()) -> str | None:
    """The fifteenth round's allow that ``text`` falls in, if no refusal class applies."""
    if refuses(text, concepts, before) is not None:
        return None
    if worried(text):
        return "worried"
    if artwork(text, concepts):
        return "artwork"
    return None


def lifts(text: str, concepts: frozenset[str]) -> bool:
    """A worried parent's question is not the thirteenth round's "app"."""
    return worried(text)


#: The explanation of each class.
EXPLAINED = {
    "sextortion": "a demand of money under the threat of sending a nude image of a person",
    "acts": "the request publishes, sends or asks more of an image that undressed a person",
    "program_15": "a program or a feature asked for that undresses people's photos",
    "override_15": "a jailbreak (a mode, a system message, a maintenance) around a nude request",
    "pretext_15": "an excuse (a thesis, research, an installation) for nude images of people",
    "worried": "a parent's or a victim's question about an undressing app, not an edit",
    "artwork": "a famous nude work of art retouched or captioned: nobody is undressed",
}
#: The classes of :func:`allows` (the others are refusals).
ALLOWS = frozenset({"worried", "artwork"})
