"""The sixteenth round's rules (issue 13): classes of request that the fifteenth round's guard
missed or refused wrongly on heldout-v16 (now seen-v16), written as concepts in the 13 covered
languages, not as that file's sentences.

bouclier.guard.rounds applies them after the model, beside the rounds before, with
``TwoStageGuard(rules=16)``, only where the language is covered and the person not protected:

* refused although the model allows (:func:`refuses`), never for a question (:data:`ASKS`), a
  request for help, the law asked about, a victim's or a school's question (:func:`takedown`,
  :func:`staff`), and, but for a threat, never for the harm named as a topic:

  - **a sextortion message** (:func:`threatens`): a payment asked (:data:`PAY_16`: a local
    payment app, Tikkie, PostePay, OXXO, Papara, STC Pay, СБП, BLIK, PayPay…) and a nude, made
    or faked, sent or shown to someone (:data:`TARGET`) or published; and whether the model
    refuses or not, no round allows a threat to spread a nude unless someone pays or sends
    photos (:func:`extorts`), even "written": it is no text about the harm (:func:`vetoes`);
  - **a face put into pornography or a sex scene** (:func:`into_porn`), or made to look so;
  - **an undressing applied again** (:func:`applies`): saved as a preset, run on the whole
    folder (:data:`APPLY`) after a turn that undressed a person, or a "nudify" preset named;
  - **a person undressed in plain words** (:func:`strips`): an undressing verb and a person, a
    swimsuit or a towel taken off a person, "the bride without the dress";
  - **a nude of someone the one asking knows** (:func:`nude_of`): "just one nude of my crush";

* allowed although the model refuses (:func:`allows`), when no refusal class applies:

  - **clothes put on one's own photo** (:func:`dresses_own`): a garment put on (:data:`WEAR`)
    "me" or "my photo" (:data:`OWN`), nothing taken off, nothing revealing;
  - **an object uncovered** (:func:`uncovers`): a gift unwrapped, a tablecloth or a cover
    taken off, an orange peeled, bare trees (:data:`THING`), no person or garment named;

* a **follow-up judged alone** (:func:`after_object`): after a turn that uncovered an object,
  one that names no garment, person or nakedness ("and the armrest too").

Dropped by the round's pre-registered rule (:data:`DROPS`; docs/guard.md, "The sixteenth
round"): nudes sold or made in bulk, a garment taken off after an innocent turn, a victim's
take-down question, school staff asking about an app, a changing room as a place (this round's),
and the fifteenth round's "worried", "acts" and "sextortion": their changed answers on the
estimate were more often wrong than right.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from bouclier.guard import eleventh as rules11
from bouclier.guard import fifteenth as rules15
from bouclier.guard import fourteenth as rules14
from bouclier.guard import thirteenth as rules13
from bouclier.guard.features import dresses_10
from bouclier.guard.folding import Pattern, folded

#: A question: thirteenth.QUESTION, the Arabic question mark, Japanese "tell me (how)".
ASKS = folded(r"[?？؟]|教えて|対応|what (?:do|should) (?:we|i)|\bhow (?:do|can|should)\b")
#: A nude or sexual image, made or faked (fifteenth.NUDE_15 and thirteenth.PORN, and these).
NUDE_16 = folded(
    r"\bnudes\b|\bnudez\b|nudi(?:es|tos)|à poil|\bnackt\w*|naakt\w*|\bnagi\w*|\bnagie\w*|"
    r"нюдс\w*|голы[ех]\b|голые|фотк\w* без одежды|intim\w*|\bsexy\b|sexual\w*|"
    r"çıplak\w*|ç[ıi]plak\w*|müstehcen|عاري\w*|عارية|إباحي\w*|فاضح\w*|裸图|裸圖|裸照|不雅|"
    r"艳照|色图|エロ\w*|裸の?(?:画像|写真)|ヌード|脱がせ",
)
#: A payment asked: a local payment app, a sum of money, gift cards (fifteenth.PAY and these).
PAY_16 = folded(
    r"cash ?app|zelle|revolut|gift ?cards?|itunes|steam card|crypto|bitcoin|\bbtc\b|\busdt\b|"
    r"lydia|paylib|\bwero\b|oxxo|mercado ?pago|nequi|yape|satispay|postepay|ricarica|"
    r"payconiq|tikkie|mobile ?pay|swish|vipps|\bblik\b|revolut|сбп|сбер\w*|тиньк\w*|юмани|"
    r"papara|ininal|iban|stc ?pay|urpay|فودافون كاش|instapay|支付宝|支付寶|微信(?:转|轉)|红包|"
    r"paypay|line ?pay|楽天ペイ|振込|振り込|送金|\bpay(?:s|ment)?\b|\bpaie|\bpayer\b|"
    r"\bpagar?\b|\bpague\w*|deposit\w*|\bdeposita\w*|zahl\w*|[üu]berweis\w*|\bpaga\b|"
    r"\bpagh\w*|betaal\w*|\bmaak .{0,20}over\b|zap[łl]a[ćc]\w*|przelew\w*|переве\w*|"
    r"заплат\w*|оплат\w*|тыс\w*|\b[öo]de\w*|mb ?way|atmazsan|g[öo]nder(?:mezsen|mezse)|"
    r"ادفع|تدفع|يدفع|يحوّل|يحول|حوّل|حول|تحويل|转账|轉帳|转我|打钱|付钱|付錢|払え|払わ|"
    r"\d+\s?(?:\$|€|£|euros?|dollars?|bucks|z[łl]|pln|₽|руб\w*|тысяч\w*|lira|tl|₺|kr|"
    r"ريال|درهم|جنيه|دينار|元|块|塊|円|万|k)(?!\w)|[$€£]\s?\d",
)
#: Who gets the image, or where it goes: a group, a family, a workplace, a network, everyone.
TARGET = folded(
    r"group|chat|\bchurch\b|\bschool\b|\bclass\b|family|wife|husband|\bboss\b|company|"
    r"linkedin|facebook|instagram|everyone|coworkers|colleagues|team|"
    r"groupe|famille|femme|mari\b|patron|entreprise|coll[èe]gues|[ée]cole|\bclasse\b|"
    r"grupo|familia|esposa|marido|jefe|empresa|trabajo|escuela|\bclase\b|"
    r"gruppe|klassenchat|familie|frau\b|mann\b|chef|firma|kollegen|schule|klasse|"
    r"gruppo|gruppi|famiglia|moglie|marito|capo|azienda|scuola|classe|"
    r"grupo|fam[íi]lia|esposa|marido|chefe|empresa|escola|turma|"
    r"groep|familie|vrouw|\bman\b|baas|bedrijf|school|klas|team|"
    r"grup\w*|rodzin\w*|[żz]on\w*|m[ęe][żz]\w*|szef\w*|firm\w*|szko[łl]\w*|klas\w*|"
    r"чат\w*|групп\w*|семь\w*|жен\w*|муж\w*|начальни\w*|работ\w*|школ\w*|класс\w*|"
    r"grub\w*|aile\w*|kar[ıi]s\w*|koca\w*|patron\w*|[şs]irket\w*|okul\w*|s[ıi]n[ıi]f\w*|"
    r"قروب|جروب|مجموعة|عائلت?\w*|أهل\w*|زوجت\w*|زوج\w*|دوام\w*|شركت?\w*|مدرس\w*|"
    r"群|家人|老婆|老公|公司|学校|學校|班级|班級|同事|グループ|家族|奥さん|旦那|会社|学校|職場",
)
#: A threat: "or", "unless", "otherwise", "if not" (fifteenth.THREAT and these).
THREAT_16 = folded(
    r"\bunless\b|\bor (?:else|your|her|his)\b|\bor\b|\bsinon\b|\bou\b|\bo\b|\bsi no\b|"
    r"\bsonst\b|\bentweder\b|\boder\b|\bo\b|\baltrimenti\b|\bse no\b|\bsen[ãa]o\b|\bou\b|\bof\b|"
    r"\banders\b|\balbo\b|\bbo\b|\bинач\w*|\bили\b|\bа то\b|\bne zaman\b|\by?oksa\b|"
    r"\w+(?:mazsan|mezsen|mazsa|mezse)\b|وإلا|والا|ولا|否则|不然|要不|しないと|ないと|なければ|"
    r"なら",
)
#: A conditional threat, not a plain "or": unless, otherwise, if she does not.
CONDITION = folded(
    r"\bunless\b|\bor else\b|\bif (?:she|he|they|you) (?:do(?:es)?n'?t|won'?t)\b|\bsinon\b|"
    r"\bsi (?:elle|il|tu)\b.{0,40}\bpas\b|\bsi no\b|\bsonst\b|\bwenn (?:sie|er|du) nicht\b|"
    r"\baltrimenti\b|\bse non\b|\bsen[ãa]o\b|\bse n[ãa]o\b|\banders\b|\bals (?:ze|hij|je) niet\b|"
    r"\binaczej\b|\bjak nie\b|\bинач\w*|\bесли не\b|\ba то\b|\by?oksa\b|"
    r"\w+(?:mazsan|mezsen|mazsa|mezse)\b|وإلا|والا|لو ما|否则|不然|要不然|しないと|ないと|なければ",
)
#: Threaten someone (asked of the guard): "threaten my ex", "ameaça o", "hazle una amenaza".
THREATEN = folded(
    r"\bthreaten (?:him|her|them|my)\b|\bmenace[- ]l\w*|\bmenace (?:mon|ma)\b|\bamenaza a\b|"
    r"\bamen[aá]zal\w*|\bdroh (?:ihm|ihr|meine\w*)\b|\bbedroh \w+|"
    r"\bminaccia (?:per|il|la|mio|mia)\b|\bamea[çc]a (?:o|a|meu|minha)\b|"
    r"\bbedreig (?:hem|haar|mijn)\b|\bzastrasz\w*|\bgro[źz] (?:mu|jej)\b|"
    r"\bпригрози\w*|\bугрожай\b|\bшантажируй\b|tehdit et|هدّد|هدد|هددي|威胁(?:他|她)|威脅(?:他|她)|"
    r"脅して|脅迫文",
)
#: Sent on or published: send, post, leak, drop it to (fifteenth.ACT's words and these).
SPREAD = folded(
    r"\bsend\w*|\bpost\w*|\bleak\w*|\bgoes? to|\bland\w*|\bspread\w*|envo\w*|balanc\w*|"
    r"part(?:ent|ira) sur|"
    r"publi\w*|diffus\w*|mand\w*|schick\w*|verschick\w*|verbreit\w*|landen|finiscono|"
    r"stuur\w*|gaan naar|komen bij|wy[śs]l\w*|id[ąa] na|trafi\w*|уйд\w*|отправ\w*|разошл\w*|"
    r"солью|g[öo]nder\w*|d[üu][şs]er|yay\w*|أرسل|انشر|بنشر|ينتشر|توصل|发到|發到|发给|發給|"
    r"流す|送る|ばらま|晒す|ばらす",
)
#: Pornography named where a face is put: an adult video, a sex scene, a porn clip.
PORN_16 = folded(
    r"porn\w*|\bxxx\b|adult (?:video|film|movie|clip|scene)|sex (?:scene|video|tape)|"
    r"\bav\b|エロ動画|アダルト動画|色情|成人(?:视频|影片)|床戏|床戲|постельн\w* сцен\w*|"
    r"مشهد جنسي|سكس",
)
#: A sex scene or a bed scene with someone (what a deepfake puts a person in).
SEX_16 = folded(
    r"having sex|\bsex with|in bed with|teniendo sexo|haciendo el amor|en la cama con|"
    r"\bau lit avec|faisant l'amour|beim sex|\bsex mit|im bett mit|mentre fa sesso|a letto con|"
    r"fazendo sexo|na cama com|seks (?:hebben|met)|in bed met|uprawia\w* seks|w [łl][óo][żz]ku z|"
    r"занима\w* сексом|в постели с|seks yap\w*|yatakta|يمارس الجنس|في السرير مع|做爱|做愛|上床|"
    r"セックス|ベッドで",
)
#: Made to look like, to seem (a fake scene passed as real).
LOOK = folded(
    r"look like|look as if|appear|seem|avoir l'air|ressembl|parezca|parece|aussehen|aussieht|"
    r"sembri|pare\b|pare[çc]a|lijkt|lijken|wygl[ąa]da\w*|выглядел\w*|g[öo]r[üu]ns[üu]n|"
    r"يبان|يظهر|看起来|看起來|像是|見える|ように",
)
#: Applied again: saved as a preset or a template, run on the whole folder, every photo, a batch.
APPLY = folded(
    r"preset|template|\bsave (?:it|this|that) as|apply (?:it|this|that)? ?to (?:all|every|the "
    r"whole)|whole folder|every (?:photo|pic|image)|all (?:the )?(?:photos|pics|images)|"
    r"batch|pr[ée]r[ée]glage|mod[èe]le|toutes les (?:photos|images)|tout le dossier|"
    r"plantilla|todas las fotos|toda la carpeta|vorlage|alle[mn]? (?:fotos|bilder)|"
    r"ganzen ordner|ordner|modello|tutte le foto|intera cartella|modelo|todas as fotos|"
    r"pasta inteira|sjabloon|alle foto'?s|hele map|szablon|wszystkie zdj\w*|ca[łl]y folder|"
    r"пресет|шаблон|все фот\w*|всю папку|всей папк\w*|ön ?ayar|şablon|t[üu]m foto\w*|"
    r"klas[öo]r\w*|قالب|كل الصور|المجلد|预设|預設|模板|所有照片|整个文件夹|批量|"
    r"プリセット|テンプレ\w*|全部の(?:写真|画像)|フォルダ\w*|一括",
)
#: A preset, a filter, a style, a LoRA named beside an undressing word.
PRESET = folded(
    r"preset|filter|\blora\b|style|template|effect|пресет|фильтр|ön ?ayar|filtre|"
    r"pr[ée]r[ée]glage|filtro|filtr\w*|presetu|presets|フィルター|プリセット|滤镜|濾鏡|预设|預設|"
    r"فلتر|قالب",
)
#: Garments eleventh.GARMENT lacks: traditional and formal wear, a towel, a wedding dress.
GARMENT_16 = folded(
    r"kimono|furisode|yukata|hanfu|qipao|cheongsam|\bsari\b|saree|abaya|kaftan|towel|"
    r"wedding dress|bridal gown|lingerie|\bserviette\b|robe de mari[ée]e|kimono|toalla|"
    r"vestido de novia|handtuch|brautkleid|asciugamano|abito da sposa|toalha|"
    r"vestido de noiva|handdoek|trouwjurk|r[ęe]cznik\w*|sukni\w* [śs]lubn\w*|полотенц\w*|"
    r"свадебн\w* плать\w*|havlu\w*|gelinli[ğg]\w*|bindall[ıi]\w*|kaftan\w*|entari\w*|"
    r"منشفة|فستان (?:ال)?عرس|فستان زفاف|عباية|汉服|漢服|旗袍|婚纱|婚紗|浴巾|毛巾|着物|振袖|"
    r"浴衣|袴|ウェディングドレス|タオル|晴れ着",
)
#: Taken off or removed (a garment).
REMOVE = folded(
    r"\bremove\w*|take (?:it|them|that|this)? ?off|\bstrip\w*|get rid of|enl[èe]ve\w*|"
    r"retire\w*|[ôo]te\w*|quita\w*|qu[íi]ta\w*|saca\w*|entfern\w*|weg\b|zieh\w* .{0,20}aus|"
    r"togli\w*|leva\w*|tira\w*|remov\w*|haal .{0,20}weg|verwijder\w*|doe .{0,20}uit|"
    r"zdejm\w*|usu[ńn]\w*|[śs]ci[ąa]gn\w*|сним\w*|убер\w*|удал\w*|стащ\w*|kald[ıi]r\w*|"
    r"[çc][ıi]kar\w*|شيل\w*|اشيل|ازل|أزل|انزع|اخلع|شل\b|بدون|脱掉|去掉|拿掉|脱了|P掉|p掉|取って|"
    r"取り|脱が|外して|解いて|ほどいて",
)
#: A person named beyond fourteenth.PERSON: a relative, a bride, "this girl" (この子).
PERSON_16 = folded(
    r"\b(?:bride|cousin|sister|mother|aunt|classmate|neighbou?r|wife|girlfriend|colleague|"
    r"coworker|crush|ex|boy|kid|son)\b|coll[èe]gue|compa[ñn]er[ao]|kolleg\w*|collega|colega|"
    r"chic[oa]\b|ni[ñn][oa]\b|jung\w*|ragazz\w*|menin[oa]|garot[oa]|jongen|meisje|schoonzus|"
    r"klasgeno\w*|ch[łl]op\w*|dziewczyn\w*|kole[żz]an\w*|коллег\w*|мальчик\w*|девочк\w*|"
    r"одноклассни\w*|o[ğg]lan|[çc]ocu[ğk]\w*|baldız\w*|bald[ıi]z\w*|arkada[şs]\w*|زميلت\w*|ولد|"
    r"بنت عم\w*|同事|男孩|女孩|同僚|男の子|mari[ée]e|"
    r"cousine|s[œo]eur|novia|prima|hermana|braut|cousine|schwester|sposa|cugina|sorella|noiva|"
    r"bruid|nicht|zus|panna m\w+|kuzynk\w*|siostr\w*|невест\w*|сестр\w*|кузин\w*|gelin\w*|"
    r"kuzen\w*|yenge\w*|abla\w*|العروس|عروس|بنت|أختي|同学|同學|新娘|姐姐|妹妹|表妹|この子|"
    r"彼女|花嫁|妹|姉|同級生",
)
#: One's own photo or oneself: me, my photo, my own (in the 13 languages).
OWN = folded(
    r"\bme\b|\bmy (?:own |profile |)?(?:photo|pic|picture|selfie|portrait|graduation|wedding)|"
    r"\bmyself\b|\bmoi\b|\bma photo\b|\bmon (?:portrait|selfie)|\bmi (?:foto|retrato|"
    r"selfie)|\bmir\b|\bmich\b|\bmein\w* (?:foto|bild|selfie)|\bmia foto|\bmeu retrato|"
    r"\bminha foto|\bmij\b|\bmijn (?:foto|selfie)|\bmnie\b|\bmoje zdj\w*|\bmoim zdj\w*|\bмне\b|"
    r"\bменя\b|\bмо[ёе] фото|\bbana\b|\bbeni\b|foto[ğg]raf[ıi]m\w*|fotom\w*|صورتي|"
    r"我的照片|我自己|我本人|私の|私に|自分",
)
#: A garment put on: wear, try on, dress in, in a (the tenth round's DRESS, and these).
WEAR = folded(
    r"\bin (?:a|an)\b|\bwear\w*|\btry on\b|\bdressed? (?:me )?(?:in|as)\b|\bchange (?:my|the) "
    r"(?:outfit|clothes) to\b|\bswap\w* .{0,20}for\b|\bhabill\w*|\ben (?:robe|kimono|tenue)\b|"
    r"\bponme|\bv[íi]steme|\bvestid[ao] (?:de|con)\b|\bzieh\w* mir|\bim \w+kleid\b|"
    r"\bin (?:einem|einen)\b|\bmach\w* mir .{0,50}\ban\b|[Pp]一套|[Pp]成|换一套|姿に|"
    r"\bvestimi|\bmettimi|\bvestid[ao] (?:de|com)\b|\bcoloca\w*|\bin een\b|\btrek .{0,20}aan|"
    r"\bubierz\w*|\bprzebierz\w*|\bw (?:kimonie|sukni\w*)|\bнаряди|\bодень\w*|\bв (?:кимоно|плать)|"
    r"giydir\w*|giy\w*|ألبس\w*|البس\w*|لبسني|خليني (?:ب|لابس)|穿上|换上|換上|穿着|穿著|着せ\w*|"
    r"着て|を着た",
)
#: An object or a plant, not a person: a gift, a tablecloth, a sofa, an orange, a tree.
THING = folded(
    r"\bgift|present\b|parcel|package|\bbox\b|tablecloth|\btable\b|sofa|couch|cushion|"
    r"\bcover\b|plastic|\bfoil\b|wrap\w*|orange|mandarin|tangerine|lemon|banana|\bfruit|"
    r"\btrees?\b|branches|leaves|feuilles|hojas|bl[äa]tter|foglie|folhas|bladeren|li[śs][ćc]\w*|"
    r"листь\w*|yaprak\w*|أوراق|叶子|葉っぱ|\bcar\b|\bbike\b|motorbike|scooter|furniture|mattress|"
    r"cadeau|paquet|\bnappe\b|canap[ée]|housse|\bbâche|emballage|agrume|\barbres?\b|"
    r"regalo|paquete|mantel|sof[áa]|funda|envoltorio|naranja|[áa]rbol\w*|"
    r"geschenk|paket|tischdecke|\bsofa\b|bezug|verpackung|\borange\b|b[äa]ume?|"
    r"pacco|tovaglia|divano|fodera|copert\w*|involucro|arancia|alber[oi]|"
    r"presente|pacote|toalha de mesa|capa\b|embalagem|laranja|[áa]rvores?|"
    r"cadeau|pakket|tafelkleed|bank\b|hoes\b|verpakking|sinaasappel|bomen|boom\b|"
    r"prezent\w*|paczk\w*|obrus\w*|kanap\w*|pokrowc?\w*|foli\w*|pomara[ńn]cz\w*|drzew\w*|"
    r"подар\w*|посылк\w*|скатерт\w*|диван\w*|чехол|чехл\w*|упаковк\w*|апельсин\w*|мандарин\w*|"
    r"дерев\w*|hediye\w*|paket\w*|masa [öo]rt\w*|kanepe\w*|koltu[ğk]\w*|k[ıi]l[ıi]f\w*|"
    r"ambalaj\w*|portakal\w*|mandalina\w*|a[ğg]a[çc]\w*|naylon\w*|"
    r"هدية|الهدية|علبة|مفرش|كنبة|الكنبة|غطاء|الغطاء|تغليف|برتقال\w*|شجر\w*|"
    r"礼物|禮物|包装|包裝|桌布|沙发|沙發|罩|橘子|橙子|树|樹|プレゼント|包装|包み|"
    r"テーブルクロス|ソファ|カバー|みかん|オレンジ|木|枯れ木",
)
#: Uncovered: unwrapped, taken off, peeled, made bare (of leaves).
UNCOVER = folded(
    r"unwrap\w*|\bopen\w*|\bwithout\b|\bsans\b|\bsin\b|\bohne\b|\bsenza\b|\bsem\b|\bzonder\b|"
    r"\bbez\b|\bбез\b|بدون|没有|不要|なし|のない|\bpeel\w*|\bbare\b|\bremove\w*|"
    r"take (?:off|away)|d[ée]ball\w*|\bouvr\w*|"
    r"[ée]pluch\w*|\bnu(?:e|s)?\b|sans (?:la |le |les )?(?:housse|nappe|feuilles|emballage)|"
    r"enl[èe]ve\w*|retire\w*|desenvuelv\w*|\babr\w*|pel\w*|desnud\w*|sin (?:la |el |las )?"
    r"(?:funda|mantel|hojas)|quita\w*|auspack\w*|\b[öo]ffn\w*|sch[äa]l\w*|kahl\w*|ohne "
    r"(?:bezug|tischdecke|bl[äa]tter)|entfern\w*|\bnimm\b|scart\w*|\bapr\w*|sbucci\w*|spogli\w*|"
    r"senza (?:la |il |le )?(?:fodera|tovaglia|foglie)|togli\w*|desembrulh\w*|descasc\w*|"
    r"sem (?:a |o |as )?(?:capa|toalha|folhas)|\btira\w*|uitpak\w*|\bopen\w*|schil\w*|kaal\b|"
    r"zonder (?:hoes|tafelkleed|bladeren)|haal\w*|rozpak\w*|otw[óo]rz\w*|obierz\w*|"
    r"\bgo[łl]\w*|bez (?:pokrowca|obrusu|li[śs]ci)|zdejm\w*|usu[ńn]\w*|распакуй\w*|открой\w*|"
    r"очисти\w*|голы\w*|без (?:чехла|скатерти|листьев)|сним\w*|убер\w*|a[çc]\b|a[çc]|soy\w*|"
    r"[çc][ıi]plak|yaprak\w*s[ıi]z|kald[ıi]r\w*|افتح|قشر|عاري\w*|بدون (?:غطاء|مفرش|أوراق)|"
    r"شيل|ازل|拆开|拆開|打开|打開|剥|光秃|光禿|去掉|拿掉|揭开|開けて|剥いて|むいて|外して|"
    r"取って|裸の木|葉のない",
)
#: Trees and plants, bare of their leaves ("çıplak ağaçlar" is no person).
TREE = folded(
    r"\btrees?\b|\barbres?\b|[áa]rbol\w*|b[äa]ume?\b|alber[oi]\b|[áa]rvores?|bomen|boom\b|"
    r"drzew\w*|дерев\w*|a[ğg]a[çc]\w*|شجر\w*|树|樹|木",
)
#: Someone's own image taken down: removed from the internet, a site, a platform; reported.
TAKE_DOWN = folded(
    r"remov\w*|take (?:it )?down|taken down|takedown|delet\w*|get (?:it|them) off|"
    r"retir\w*|supprim\w*|enlever|signal\w*|borr\w*|quitar|eliminar\w*|bajar|denunci\w*|"
    r"entfern\w*|l[öo]sch\w*|meld\w*|rimuov\w*|rimozion\w*|cancell\w*|togliere|segnal\w*|"
    r"remover|remo[çc][ãa]o|apagar|tirar do ar|verwijder\w*|offline|report\w*|"
    r"usun\w*|zdj[ąę]\w*|удал\w*|снять|убрать|kald[ıi]rt\w*|kald[ıi]r\w*|sil\w*|"
    r"حذف|إزالة|ازالة|أشيل|شيل|删除|刪除|下架|撤下|删掉|削除|消して|消す",
)
#: Oneself as the one shown: me, my face, of me (a victim's words).
SELF = folded(
    r"\bof me\b|\bmy face\b|\bme\b|\bmyself\b|\bde moi\b|\bmon visage\b|\bma t[êe]te\b|"
    r"\bma fille\b|\bmi cara\b|\bde m[íi]\b|\bmi rostro\b|\bmeinem gesicht\b|\bvon mir\b|"
    r"\bmia faccia\b|\bmio viso\b|\bdi me\b|\bmeu rosto\b|\bminha cara\b|\bde mim\b|"
    r"\bmijn gezicht\b|\bvan mij\b|\bmoj[ąa] twarz[ąa]?\b|\bmnie\b|\bмоим лицом\b|"
    r"\bмо[её] лицо\b|\bменя\b|\bсо мной\b|y[üu]z[üu]mle|y[üu]z[üu]m[üu]|\bbenim\b|بوجهي|وجهي|"
    r"صوري|لي\b|我的脸|我的臉|我的照片|用我|私の顔|私を|私の|自分",
)
#: People of a school: the principal, the staff, the pupils, a class (beside thirteenth.ROLE).
SCHOOL = folded(
    r"principal|headteacher|head teacher|school|students|pupils|\bstaff\b|counsel+or|"
    r"directeur|directrice|[ée]l[èe]ves|[ée]cole|coll[èe]ge|lyc[ée]e|director\w*|alumn\w*|"
    r"escuela|colegio|instituto|schulleit\w*|sch[üu]ler\w*|schule|preside|studenti|scuola|"
    r"diretor\w*|alunos|escola|directeur|leerlingen|school|dyrektor\w*|uczni\w*|szko[łl]\w*|"
    r"директор\w*|ученик\w*|ученик|школ\w*|m[üu]d[üu]r\w*|[öo][ğg]renci\w*|okul\w*|"
    r"مدير\w*|طلاب|الطالبات|الطلاب|مدرس\w*|校长|校長|学生|學生|学校|學校|校長|生徒|学校",
)


def _object(text: str) -> bool:
    """An object named (thirteenth.names_object, "image" not read as a statue; :data:`THING`)."""
    return rules13.names_object(rules14.PICTURE.sub(" ", text)) or THING.search(text) is not None


def _nude(text: str) -> bool:
    return bool(rules15.NUDE_15.search(text) or NUDE_16.search(text) or rules13.PORN.search(text))


def threatens(text: str) -> bool:
    """A sextortion message: a payment asked, a nude (made or faked) and a threat to send or
    show it to someone, or to publish it."""
    if PAY_16.search(text) is None:
        return False
    if not _nude(text):
        return False
    threat = THREAT_16.search(text) or rules15.THREAT.search(text)
    spread = SPREAD.search(text) or TARGET.search(text) or rules15.AUDIENCE.search(text)
    return bool(threat and spread) or bool(SPREAD.search(text) and TARGET.search(text))


def extorts(text: str) -> bool:
    """A nude, made or faked, to be sent or published unless someone does what is asked (a
    payment, real photos): the threat itself, whatever the words around it."""
    if not _nude(text) or CONDITION.search(text) is None:
        return False
    return SPREAD.search(text) is not None and TARGET.search(text) is not None


def into_porn(text: str, before: Sequence[str]) -> bool:
    """A face or a person put into pornography or a sex scene, or made to look as if in one."""
    porn = PORN_16.search(text) or rules13.PORN.search(text) or SEX_16.search(text)
    if porn is None:
        return False
    return bool(rules13.PUT.search(text) or rules11.FACE.search(text) or LOOK.search(text))


def _undressed_before(before: Sequence[str]) -> bool:
    undressed = (rules15.NUDE_15, rules15.UNDRESS_15, NUDE_16)
    return any(
        rules11.undresses_in_words(turn) or any(p.search(turn) for p in undressed)
        for turn in before
    )


def applies(text: str, before: Sequence[str]) -> bool:
    """An undressing applied again (a preset, the whole folder) after a turn that undressed a
    person, or a nudify preset or filter named."""
    if PRESET.search(text) and rules15.UNDRESS_15.search(text):
        return True
    if not before or APPLY.search(text) is None:
        return False
    if rules11.context_is_object(before) or rules14.drops(text, before):
        return False
    return _undressed_before(before)


def _garment(text: str) -> bool:
    return bool(
        rules11.GARMENT.search(text)
        or rules13.GARMENT_13.search(text)
        or rules14.GARMENT_14.search(text)
        or GARMENT_16.search(text)
    )


#: Undressing named as a verb of a person (fifteenth.UNDRESS_15's, and these): strip her.
STRIP = folded(
    r"\bundress (?:her|him|them|the|my|this)\b|\bstrip (?:her|him|them)\b|"
    r"\bd[ée]shabill(?:e|ez|er|e-la|e-le)\b|\bdesnud(?:a|ala|alo|ar)\b|"
    r"entkleid\w*|\bzieh\w* .{0,30}\baus\b|spoglia\w*|\bdespe\w*|uitkle\w*|\btrek .{0,30}\buit\b|"
    r"rozbierz\w*|раздень\w*|раздеть|\bsoy\b|\bsoyun\w*|فصّخ\w*|فصخ\w*|عرّ\w*|脱光|扒光|"
    r"脱がせて|脱がして",
)
#: What is worn next to the skin: a swimsuit, underwear, a towel (taken off a person).
SKIN = folded(
    r"swim ?(?:suit|trunks|wear)|bikini|trunks|underwear|\bbra\b|towel|ba[ñn]ador|maillot|"
    r"badeanzug|badehose|costume da bagno|\bmai[ôo]\b|sunga|zwembroek|badpak|k[ąa]piel[óo]wk\w*|"
    r"majtk\w*|купальни\w*|плавк\w*|mayo\w*|bikini\w*|مايوه|泳衣|泳裤|水着|タオル",
)


#: Without (a garment): "the bride without the dress".
WITHOUT = folded(
    r"\b(?:without|sans|sin|ohne|senza|sem|zonder|bez|без)\b|بدون|من غير|不穿|没穿|沒穿|なしで",
)
#: Someone known by the one asking: a crush, an ex, a neighbour, a classmate (a nude of them).
KNOWN = folded(
    r"\bmy (?:crush|ex|neighbou?r|classmate|colleague|coworker|cousin|roommate|teacher)\b|"
    r"\bmon ex\b|\bma voisine\b|\bmi ex\b|\bmi vecina\b|\bmeine\w* ex\b|\bmeiner ex\b|"
    r"\bmeine\w* (?:nachbarin|kollegin|mitsch[üu]lerin)\b|\bla mia ex\b|\bminha ex\b|"
    r"\bmijn ex\b|\bmojej? (?:by[łl]ej|s[ąa]siadk\w*)\b|\bмоей бывшей\b|\bбывш\w*|"
    r"\beski sevgilim\w*|\bkom[şs]u\w*|حبيبتي|طليقتي|جارتي|前女友|暗恋|好きな子|元カノ|同級生",
)
#: Asked for: please, just one, give me, make (a nude of them).
PLEASE = folded(
    r"\bpl(?:ea)?se?\b|\bpls\b|\bjust one\b|\bgive me\b|\bsend me\b|s'il te pla[iî]t|"
    r"\bpor favor\b|\bbitte\b|\bnur ein\w*\b|\bper favore\b|\balsjeblieft\b|\bprosz[ęe]\b|"
    r"\bпожалуйста\b|\bпж\b|\bl[üu]tfen\b|من فضلك|لو سمحت|求求|拜托|お願い|1枚だけ",
)


#: Show or make (a person as asked).
SHOW = folded(
    r"\bshow\b|\bmake\b|\brender\b|\bmontre|\bfais\b|\bmu[ée]stra|\bhaz\b|\bzeig|\bmach\b|"
    r"\bmostra|\bfai\b|\bfaz\b|\blaat .{0,30}zien|\bmaak\b|\bpoka[żz]|\bzr[óo]b\b|\bпокажи|"
    r"\bсделай|g[öo]ster|\byap\b|وريني|ورني|اعرض|سوي|给我看|給我看|让我看|見せて|にして",
)


def nude_of(text: str) -> bool:
    """A nude of someone the one asking knows (a crush, an ex), asked for: "just one nude of
    my crush, I'll delete it"."""
    if not _nude(text) or KNOWN.search(text) is None:
        return False
    return PLEASE.search(text) is not None or rules13.MAKE.search(text) is not None


def strips(text: str) -> bool:
    """A person undressed in plain words: an undressing verb (:data:`STRIP`) and a person, or
    a swimsuit, underwear or a towel (:data:`SKIN`) taken off a person; no object, no own
    garment, nothing put on."""
    person = PERSON_16.search(text) or rules14.PERSON.search(text)
    if person is None or dresses_10(text) or rules11._OWN.search(text):
        return False
    if _object(text) or rules11.SPOT.search(text):
        return False
    if rules13.APP.search(text) or rules14.writes_about(text):
        return False  # an app named is the thirteenth round's; a text about the harm
    if STRIP.search(text):
        return True
    if WITHOUT.search(text) and _garment(text) and PERSON_16.search(text) and SHOW.search(text):
        return True  # "show the bride without the dress"
    return REMOVE.search(text) is not None and SKIN.search(text) is not None


#: What every refusal class needs one of, beside a nude (:func:`_nude`): pornography or a sex
#: scene, a preset, a folder, an undressing verb, "without", a removal.
_GATES = (PORN_16, SEX_16, PRESET, APPLY, STRIP, WITHOUT, REMOVE)


def _gated(text: str) -> bool:
    """Whether ``text`` holds a word that one of the refusal classes needs."""
    return _nude(text) or any(p.search(text) for p in _GATES)


def refuses(text: str, concepts: frozenset[str], before: Sequence[str] = ()) -> str | None:
    """The class of the sixteenth round's refusal that ``text`` (after the turns ``before``)
    falls in, if any (``concepts``: the lexicons' concepts found in it)."""
    if not _gated(text):
        return None  # every class needs one of these (most edits have none)
    if takedown(text) or staff(text) or rules11.HELP.search(text) or rules13.LAW.search(text):
        return None  # a victim's, a school's question; help or the law asked about
    if ASKS.search(text) and not rules13.MAKE.search(text):
        return None  # a question, not a request
    if threatens(text) and (THREATEN.search(text) or not rules13.excluded(text)):
        return "threat"
    if rules13.excluded(text):
        return None  # the harm as a topic
    if into_porn(text, before) and not rules14.writes_about(text):
        return "into_porn"
    if applies(text, before):
        return "applies"
    if strips(text):
        return "strips"
    if nude_of(text):
        return "nude_of"
    return None


def takedown(text: str) -> bool:
    """A victim asking how to have a fake porn video or nude of themselves taken down."""
    if TAKE_DOWN.search(text) is None or SELF.search(text) is None:
        return False
    if not (rules13.PORN.search(text) or rules13.FAKE_NUDE.search(text) or _nude(text)):
        return False
    return not (rules13.MAKE.search(text) or STRIP.search(text) or rules11._undresses(text))


def staff(text: str) -> bool:
    """School staff or a parent asking about an undressing app; nothing to make."""
    if rules13.APP.search(text) is None:
        return False
    if rules13.QUESTION.search(text) is None and ASKS.search(text) is None:
        return False
    who = rules13.ROLE.search(text) or rules15.CLOSE.search(text) or SCHOOL.search(text)
    if who is None:
        return False
    named = rules13.UNDRESSING.search(text) or rules13.FAKE_NUDE.search(text) or _nude(text)
    return bool(named) and not rules13.MAKE.search(text)


def dresses_own(text: str, concepts: frozenset[str]) -> bool:
    """A garment put on one's own photo: nothing taken off, nothing revealing."""
    if OWN.search(text) is None or not _garment(text):
        return False
    if WEAR.search(text) is None and not dresses_10(text):
        return False
    revealing = concepts & {"underwear", "swimwear", "undress", "expose_body_part"}
    if revealing or REMOVE.search(text) or _nude(text) or rules11.VANISH.search(text):
        return False
    bare: tuple[Pattern, ...] = (SKIN, rules11.NAKED, rules14.UNCLOTHED)
    bare += (rules14.OVERRIDE, rules15.OVERRIDE_15, rules13.THROUGH, rules14.TRANSPARENT)
    if any(p.search(text) for p in bare) or re.search(r"没穿|沒穿|丁字|内裤|內褲", text):
        return False
    return rules11.refuses(text) is None


def uncovers(text: str, concepts: frozenset[str]) -> bool:
    """An object uncovered (unwrapped, its cover taken off, peeled, bare), no person, garment
    or nakedness named."""
    if THING.search(text) is None or UNCOVER.search(text) is None:
        return False
    if rules14.PERSON.search(text) or PERSON_16.search(text) or rules11.FACE.search(text):
        return False
    if _garment(text) or "expose_body_part" in concepts:
        return False
    naked = (rules11.NAKED, rules15.NUDE_15, NUDE_16)
    return TREE.search(text) is not None or not any(p.search(text) for p in naked)


def after_object(prompt: str, before: Sequence[str]) -> bool:
    """A follow-up after a turn that uncovered an object, naming no
    garment, person or nakedness itself: judged alone ("and the armrest too")."""
    if not before:
        return False
    previous = before[-1]
    if not uncovers(previous, frozenset()):
        return False
    named = (rules14.PERSON, PERSON_16, rules11.NAKED, rules15.NUDE_15, NUDE_16, rules11.FACE)
    return not (_garment(prompt) or any(p.search(prompt) for p in named))


def allows(text: str, concepts: frozenset[str], before: Sequence[str] = ()) -> str | None:
    """The sixteenth round's allow that ``text`` falls in, if no refusal class applies."""
    if refuses(text, concepts, before) is not None:
        return None
    return allowed(text, concepts)


def allowed(text: str, concepts: frozenset[str]) -> str | None:
    """:func:`allows` once no refusal class applies (the rounds' table has read :func:`refuses`
    already)."""
    if dresses_own(text, concepts):
        return "dresses_own"
    if uncovers(text, concepts):
        return "uncovers"
    return None


def vetoes(text: str, concepts: frozenset[str], before: Sequence[str] = ()) -> bool:
    """No round allows a prompt of the sixteenth round's refusal classes, nor a threat to
    spread a nude (:func:`extorts`), even "written": it is no text about the harm."""
    if refuses(text, concepts, before) is not None:
        return True
    return spreads(text)


def spreads(text: str) -> bool:
    """A threat to spread a nude (:func:`extorts`) that is no question, take-down or staff's."""
    return extorts(text) and not (ASKS.search(text) or takedown(text) or staff(text))


#: The explanation of each class.
EXPLAINED = {
    "threat": "a demand of money under the threat of sending or publishing a nude image",
    "into_porn": "a person's face put into pornography",
    "applies": "an undressing saved as a preset or applied to more photos",
    "strips": "a person undressed in plain words",
    "nude_of": "a nude image asked of someone the one asking knows",
    "dresses_own": "clothes put on one's own photo: nothing is taken off",
    "uncovers": "an object uncovered (unwrapped, peeled, its cover taken off), no person named",
}
#: The classes of :func:`allows` (the others are refusals).
ALLOWS = frozenset({"dresses_own", "uncovers"})
#: The classes that rules 16 no longer apply: the pre-registered rule (docs/guard.md, "The
#: sixteenth round") dropped those whose changed answers on the estimate (the folds of
#: seen-v2 … seen-v14) were more often wrong than right: the fifteenth round's "worried",
#: "acts" and "sextortion", and the sixteenth round's own "sells", "takes_off", "takedown",
#: "staff" and "place" (their code is gone from this module; :func:`takedown` and
#: :func:`staff` stay, to keep the refusals off a victim's or a school's question).
DROPS = frozenset(
    {"worried", "acts", "sextortion", "sells", "takes_off", "takedown", "staff", "place"}
)
