"""The seventeenth round's rules (issue 13): classes of request that the fourteenth round's guard
missed or refused wrongly on seen-v17 (the former heldout-v17, read on the whole-file folds),
written as concepts in the 13 covered languages, not as that file's sentences.

bouclier.guard.rounds applies them after the model with ``TwoStageGuard(rules=17)``, **stacked on
the fourteenth round's rules** (``Round.on``: the fifteenth and sixteenth rounds' are not
applied with them), only where the language is covered and the person not protected:

* refused although the model allows (:func:`refuses`), never for a question about the harm,
  help or the law asked about (:func:`inquires`, thirteenth.excluded), but a question **asked by
  the one who does it** ("where do I sell them", "which LoRA settings", "what should I do so
  that the account stays up") is no question about the harm:

  - **fake nudes made to sell** (:func:`sells`): a sale, a price or a pack, and nudes made by AI
    or of real people (streamers, influencers), or an undressing site sold;
  - **a minor's clothes taken off** (:func:`child`): a boy, a child, a school year or class, and
    a garment taken off, in the prompt or after a turn naming the minor; nothing put on or kept;
  - **a sextortion message** (:func:`extorts`): a nude, a payment (gift cards, Papara, Pix,
    reais…), a threat and an audience (a family, an office, LinkedIn), written by the one who
    threatens; and no round allows it (:func:`vetoes`: the fourteenth round's "writing");
  - **an undressing model or tool set up on real people** (:func:`tooling`): Stable Diffusion,
    a LoRA trained on a classmate's photos, an undressing model behind a bot;
  - **the same again or the result exported** (:func:`again`): after a turn that undressed a
    person, "repeat it with her graduation photo", "same trick on the other girls", "export it
    in high resolution for print";
  - **a person bared** (:func:`bares`): a clause that instructs undressing a person, a garment
    taken off a named person at work, "in a swimsuit and then without", clothes seen through;

* allowed although the model refuses (:func:`allows`), when no refusal class applies:

  - **a mannequin, a dress form or a doll undressed** (:func:`figure`), no person named;
  - **a question about the harm** (:func:`inquires`): a moderator, a thesis, a journalist, a
    parent, a friend's support, asking about undressing apps, fake nudes or a sextortion, with
    nothing to make; it also **mends** an earlier round's refusal of it (the fourteenth's
    "pretext", the thirteenth's "app", the eleventh's "excuse");
  - **an object uncovered** (:func:`uncovered`): a tarp, a cover, a duvet, decorations;
  - **an undressing word used figuratively** (:func:`figurative`): moving out of a flat, a bank
    statement, a stripped-down version, baring one's soul;

  - **a request taken back** (:func:`withdrawn`): "non, finalement, juste augmente la
    netteté", "hayır, sadece cilt tonunu eşitle";

* a **follow-up judged alone** (:func:`alone`): one that takes the request back, or one that
  undresses a figure after turns that name no person;

* **anchored** (:func:`anchored`): an earlier round's refusal that only a word read inside
  another word made (eleventh.GARMENT's زي inside مزيف "fake", eleventh.EXCUSE's طبي inside
  تطبيق "app") is mended: the earlier round's class is read again with those words masked. The
  fifteenth round's unanchored payment word ([öo]de, "moderiere") is not applied with rules 17;
  this round's own payment words (:data:`PAY_17`) anchor it.

Dropped by the round's pre-registered rule (:data:`DROPS`; docs/guard.md, "The seventeenth
round"), their code gone: a fake nude posted with who the person is or passed off as real, an
undressing app sought, clothes put on or kept, one's own swimsuit photo edited: their changed
answers on the estimate were more often wrong than right.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from bouclier.guard import eleventh as rules11
from bouclier.guard import fourteenth as rules14
from bouclier.guard import thirteenth as rules13
from bouclier.guard.features import dresses_10
from bouclier.guard.folding import folded
from bouclier.guard.topics import TOPIC

_I = re.IGNORECASE

#: Nudes and nakedness beyond eleventh.NAKED: "bloot", "nagich", 去衣, sexual images.
NUDE_17 = folded(
    r"\bnudes?\b|\bnud(?:ity|ez)\b|sexual (?:images|pics|photos)|\bnus\b|\bnues\b|desnud\w*|"
    r"nackt\w*|\bnud[ie]\b|\bnu[ae]s\b|nudes|\bnaakt\w*|\bbloot\w*|\bnag(?:i|ich|ie|a|ą)\w*|"
    r"голы[хе]|голую|обнаж\w*|нюдс\w*|[çc][ıi]plak\w*|عاري\w*|عارية|裸|去衣|脱衣|脱光|ヌード|脱がせ",
)
#: Made by AI, fake, undressed: what a nude made of someone is.
MADE = folded(
    r"(?<![a-z])ai(?![a-z])|\bia\b|\bki\b|\bsi\b|deep ?fake|\bfake\w*|\bfaux\b|\bfausses?\b|"
    r"\bfals[oa]s?\b|\bfalsch\w*|gef[äa]lscht\w*|\bnep\w*|fa[łl]szyw\w*|\bfejk\w*|фейк\w*|"
    r"нейронк\w*|нейросет\w*|сгенерир\w*|yapay zek\w*|yap[ıi]lm[ıi][şs]|\bsahte\b|مزيف\w*|"
    r"بالذكاء|مسوية|montag\w*|made|generated|undressed|uitgekleed|去衣|脱がせ|生成|假|合成|"
    r"偽|AIで",
)
#: Real people whose images are sold or shown: streamers, influencers, girls of a place.
PEOPLE = folded(
    r"stream\w*|twitch|influenc\w*|youtuber\w*|tiktok\w*|instagram\w*|insta\b|onlyfans|"
    r"\bgirls\b|\bmeiden\b|\bmeisjes\b|\bchicas\b|\bfilles\b|\bm[äa]dchen\b|\bragazze\b|"
    r"\bmeninas\b|dziewczyn\w*|тиктокерш\w*|блогерш\w*|стример\w*|fenomen\w*|"
    r"مشاهير|بنات|网红|網紅|主播|配信者|インフルエンサー|女子",
)
#: Selling: sell, sales, a price, "how much should I ask".
SELL = folded(
    r"\bsell\w*|\bsales?\b|\bsold\b|\bvend\w*|\bventa\w*|verkauf\w*|verkoop\w*|\bvendere\b|"
    r"\bvendo\b|\bvender\b|sprzeda\w*|прода\w*|\bsat(?:ar|acağ|mak|[ıi][şs]|[ıi]yor)\w*|"
    r"\bcharge\b|\bpric(?:e|es|ing)\b|\bprix\b|\bprecio\b|\bpreis\w*|\bprezzo\b|\bpre[çc]o\b|"
    r"\bprijs\b|\bcen[aęy]\b|\bцен\w*|\bfiyat\w*|سعر|价格|價格|価格|相場|"
    r"\bبيع\b|أبيع|ابيع|يبيع|نبيع|卖|賣|売れ|売る|売り|販売",
)
#: A question about the harm, asked by someone who fights it or suffers it: a moderator, a
#: thesis, a journalist, a parent, a friend supporting a victim.
INQUIRER = folded(
    r"moderat\w*|moderad\w*|\bmod\b|mod[ée]rat\w*|moderuj\w*|moderacj\w*|модератор\w*|"
    r"moderat[öo]r\w*|"
    r"مشرف|版主|审核|審核|モデレーター|thesis|dissertation|master'?s|m[ée]moire|\bth[èe]se\b|\btesis\b|"
    r"masterarbeit|bachelorarbeit|\btesi\b|disserta[çc][ãa]o|scriptie|praca magisterska|"
    r"prac[ęe] magistersk\w*|pracę magisterską|диплом\w*|диссертац\w*|\btez\b|tezim|"
    r"رسالة ماجستير|بحث تخرج|论文|論文|卒論|journalist\w*|periodist\w*|giornalist\w*|"
    r"jornalist\w*|dziennikar\w*|журналист\w*|gazeteci\w*|صحفي\w*|صحافي\w*|记者|記者|"
    r"\bmy (?:son|daughter|kid|child)\b|\bmon fils\b|\bma fille\b|\bmi hij[oa]\b|"
    r"\bmein(?:e)? (?:sohn|tochter)\b|\bmio figlio\b|\bmia figlia\b|\bmeu filho\b|"
    r"\bminha filha\b|\bmijn (?:zoon|dochter)\b|\bm[óo]j syn\b|\bmoja c[óo]rka\b|"
    r"\bмо(?:й|я) (?:сын|дочь)\b|\boğlum\w*|\bk[ıi]z[ıi]m\w*|بنتي|ابني|ولدي|女儿|儿子|女兒|兒子|"
    r"^娘|、娘|娘が|息子が|soutien|support (?:message|her|him)|apoyo|unterst[üu]tz\w*|"
    r"supporto|apoio|\bsteun\b|wsparci\w*|поддерж\w*|destek\w*|دعم|支持|安慰|励ま",
)
#: What an inquiry is about: an undressing app or site, a fake nude, a sextortion.
HARM_TOPIC = folded(
    r"nudif\w*|undress\w*|desnud\w*|d[ée]shabill\w*|rozbier\w*|раздева\w*|脱衣|去衣|"
    r"sextort\w*|deep ?fake\w*|\bfake nude|\bfaux nu|fals[oa] desnud|montage|\bapp\b|"
    r"aplicaci[óo]n|aplikacj\w*|アプリ|应用|サイト|site|sitio|seite|sito|приложени\w*|"
    r"uygulama\w*|تطبيق|موقع|عارية|nude|nackt|nudi|nu[ae]?\b|naakt|nag[ai]e?|обнаж\w*|"
    r"голы[хе]|[çc][ıi]plak|裸|ヌード|nude pics|nudes|一键脱衣|危害|滥用",
)
#: Asked as information, not as an image: a question, "explain", "summarise", "how to tell",
#: "no images needed", "protect", a message of support.
INFORM = folded(
    r"[?？؟]|\bexplain\b|\bsummari[sz]e\b|\bhow (?:do|can|to)\b|\bwhat (?:do|should|can)\b|"
    r"\bis (?:this|it)\b|no (?:images?|examples?) needed|without (?:generating|making)|"
    r"\bexplique\w*|\br[ée]sume\w*|comment\b|aide-moi [àa] (?:lui )?[ée]crire|message de soutien|"
    r"\bexplica\w*|\bresume\w*|c[óo]mo\b|qu[ée] señales|no necesito ejemplos|erkl[äa]r\w*|"
    r"zusammenfass\w*|\bwie\b|spiega\w*|riassum\w*|\bcome\b|explic\w*|resum\w*|\bcomo\b|"
    r"leg (?:uit|me uit)|vat samen|\bhoe\b|wyja[śs]ni\w*|podsumuj|po czym pozna[ćc]|\bjak\b|"
    r"bez generowania|объясни\w*|\bкак\b|без генерац\w*|a[çc][ıi]kla\w*|nas[ıi]l|"
    r"اشرح|كيف|وش أسوي|شو أسوي|ماذا أفعل|解释|怎么|如何|見分け|どう|方法は|作らずに|守る",
)
#: A payment: gift cards, Papara, Pix, a sum in reais or lira, "send me", "transfer".
PAY_17 = folded(
    r"\bpay\b|\bpays\b|\bpayment\b|gift ?cards?|itunes|google play card|steam card|"
    r"\bbtc\b|bitcoin|crypto|venmo|paypal|cash ?app|zelle|\bpix\b|\breais\b|r\$\s?\d|"
    r"\bpaie\b|\bpayer\b|\bpaye[sz]?\b|cartes? cadeaux?|\bpaga\b|\bpague\w*|\bpagar\b|"
    r"tarjetas? regalo|zahl\w*|gutschein\w*|\bpaga\w*|buoni regalo|\bpague\b|cart[ãa]o presente|"
    r"\bbetaal\w*|cadeaukaart\w*|zap[łl]a[ćc]\w*|przelew\w*|\bblik\b|заплат\w*|переве\w*|"
    r"подарочн\w* карт\w*|papara\w*|\b[öo]de(?:me|yin|r|mezsen|mezse)?\b|hediye kart\w*|"
    r"\w+'?(?:ya|ye|a|e) \d+\s?(?:bin|k|tl|₺)? ?at\b|\d+\s?(?:bin|tl|₺|lira)\b|"
    r"ادفع|تدفع|حوّل|حول لي|تحويل|بطاقات|آيتونز|ايتونز|ريال|付款|转账|轉帳|打钱|礼品卡|"
    r"振り込|振込|払え|払わ|ギフトカード|アマギフ|"
    r"\d+\s?(?:\$|€|£|dollars?|bucks|euros?|z[łl]|₽|руб\w*|тысяч\w*|元|円|万)|[$€£]\s?\d",
)
#: A threat: "or", "unless", "otherwise", "or else".
THREAT_17 = folded(
    r"\bunless\b|\bor (?:else |i |we |they )?|\botherwise\b|\bsinon\b|\bou (?:je|alors)\b|"
    r"\bsi no\b|\bo (?:si no|los|las|te)\b|\bsonst\b|\baltrimenti\b|\bsen[ãa]o\b|\bou eu\b|"
    r"\banders\b|\bof ik\b|\binaczej\b|\bbo\b|\bинач\w*|\bа то\b|\by?oksa\b|"
    r"\w+(?:mazsan|mezsen)\b|وإلا|والا|否则|不然|しないと|なければ|ないと",
)
#: Sent or posted to someone: post, send, "go to", leak.
SPREAD_17 = folded(
    r"\bpost\w*|\bsend\w*|\bgo(?:es)? to\b|\bleak\w*|\bshare\w*|envo\w*|publi\w*|"
    r"\bmand\w*|schick\w*|verschick\w*|\bmand[oa]\b|stuur\w*|wy[śs]l\w*|отправ\w*|разошл\w*|"
    r"g[öo]nder\w*|yay[ıi]n\w*|payla[şs]\w*|أرسل\w*|ارسل\w*|انشر\w*|أنشر\w*|发到|发给|發到|"
    r"流す|送る|晒す|拡散",
)
#: Who gets it: a family, an office, a workplace network, a school, everyone.
AUDIENCE_17 = folded(
    r"family|\bmom\b|\bmum\b|\bdad\b|parents|church|office|company|linkedin|glassdoor|boss|"
    r"colleagues|coworkers|\bschool\b|everyone|famille|bureau|boulot|coll[èe]gues|familia|"
    r"oficina|trabajo|familie|b[üu]ro|firma|famiglia|ufficio|fam[íi]lia|escrit[óo]rio|"
    r"kantoor|werk\b|rodzin\w*|biur\w*|prac\w*|семь\w*|родител\w*|офис\w*|работ\w*|"
    r"aile\w*|ofis\w*|i[şs]yeri\w*|أهل\w*|عائلت\w*|شركت\w*|家人|公司|家族|会社|職場",
)
#: The one who threatens: "I have", "I made", "I'll send", writing the message.
WRITER = folded(
    r"\bi have\b|\bi'?ve got\b|\bi made\b|\bi'?ll\b|\bi will\b|\bwrite\b|\bdraft\b|\btext\b|"
    r"\bdm\b|\bemail\b|\bj'ai\b|[ée]cri[st]|\btengo\b|escrib\w*|\bich habe\b|schreib\w*|"
    r"\bho\b|scriv\w*|\btenho\b|escrev\w*|\bik heb\b|schrijf|\bmam\b|napisz|у меня есть|"
    r"напиши|elimde|yaz\b|mesaj yaz|عندي|اكتب|我有|帮我写|持ってる|書いて",
)
#: Received: a victim's or a parent's account ("my son got a message").
RECEIVED = folded(
    r"\bgot a (?:message|dm|text|email)|\breceived\b|\bre[çc]u\b|\brecibi\w*|\bbekommen\b|"
    r"\bricevut\w*|\brecebe\w*|\bgekregen\b|\bdosta[łl]\w*|\bполучил\w*|\baldı\b|\bald[ıi]m\b|"
    r"وصل(?:ه|ها|ني)|استلم\w*|收到|届いた|来た",
)
#: A generative tool set up: Stable Diffusion, a LoRA, inpainting, an undressing model, a bot.
TOOL = folded(
    r"stable ?diffusion|\bsdxl\b|\blora\b|inpaint\w*|comfy ?ui|automatic ?1111|checkpoint|"
    r"controlnet|denois\w*|uitkleed-?model|undress(?:ing)?[- ]model|nudify[- ]model|"
    r"model\w* do rozbierania|модел\w* для раздевания|soyma modeli|"
    r"(?:snapchat|telegram|discord|whatsapp)[- ]?bot|LoRA|学習させ|学習した|训练",
)
#: People's real photos: classmates, a specific woman, a real photo, an Instagram.
REAL = folded(
    r"classmate\w*|real photo|specific (?:woman|girl|person)|\breal\b|instagram|insta\b|"
    r"camarade|compa[ñn]er\w*|mitsch[üu]ler\w*|compagn\w* di classe|colega\w* de (?:turma|classe)|"
    r"klasgeno\w*|kole[żz]an\w*|koleg\w* z klasy|одноклассни\w*|s[ıi]n[ıi]f arkada[şs]\w*|"
    r"زميل\w*|同学|同學|同級生|インスタ|foto'?s van|photos of|fotos de|fotos von",
)
#: An undressing asked, in a tool's words: remove clothes, undress, "uitkleden", nude.
UNDRESSING_17 = folded(
    r"undress\w*|remove (?:a |the |her |his |specific )?(?:\w+ )?(?:\w+'s )?clothes|"
    r"clothes[- ]remov\w*|nudif\w*|\bnude\b|\bnaked\b|d[ée]shabill\w*|desnud\w*|"
    r"quitar (?:la )?ropa|"
    r"entkleid\w*|ausz(?:ieh|ög)\w*|spogli\w*|despi\w*|uitkle\w*|kleed .{0,60}\buit\b|"
    r"rozbier\w*|раздева\w*|раздеть|soy(?:un|ma)\w*|تعري\w*|脱衣|去衣|脱がせ|裸",
)
#: Undressing apps and sites beyond thirteenth.APP's words.
APP_17 = folded(
    r"\bapps?\b|\bsites?\b|website|\btool\b|\bbot\b|\bappli\b|aplicaci\w*|\bp[áa]gina\b|"
    r"\bseite\b|\bsito\b|aplicativo|\bsite\b|aplikacj\w*|stron\w*|приложени\w*|сайт\w*|"
    r"uygulama\w*|\bsite\w*|تطبيق\w*|موقع|网站|網站|软件|アプリ|サイト",
)
#: The same again, on another photo or person; the result exported or printed.
AGAIN_17 = folded(
    r"\brepeat\w*|\bsame (?:trick|thing|again)\b|\bagain with\b|\bdo (?:it|the same) (?:to|with|"
    r"on)\b|"
    r"\bexport\w*|\bprint\w*|high[- ]res\w*|\br[ée]p[èe]te\w*|m[êe]me chose|\bimprim\w*|"
    r"\brepite\b|\brepetir\b|lo mismo|\bexporta\w*|wiederhol\w*|dasselbe|das gleiche|\bdruck\w*|"
    r"\bripeti\b|lo stesso|\bstampa\w*|\brepete\b|\brepita\b|o mesmo|herhaal\w*|zelfde truc|"
    r"hetzelfde|afdruk\w*|powt[óo]rz\w*|to samo|wydrukuj|eksport\w*|повтори\w*|то же самое|"
    r"распечата\w*|экспорт\w*|tekrarla\w*|ayn[ıi]s[ıi]n[ıi]|yazd[ıi]r\w*|كرر\w*|نفس الشي|"
    r"اطبع\w*|重复|再来|一样的|打印|导出|高清|もう一度|同じ(?:ように|こと)|印刷|書き出|高解像度",
)
#: A turn that undressed a person in words beyond eleventh.undresses_in_words: "uitgekleed",
#: "tira a roupa", "裸にして".
UNDRESSED_17 = folded(
    r"undressed|uitgekleed|tira a roupa|quita(?:le)? la ropa|d[ée]shabill\w*|ausgezogen|"
    r"spogliat\w*|rozebra\w*|раздел\w*|soyul\w*|soydu\w*|عريت|脱光|脱掉|裸にし|脱がせ",
)
#: Garments eleventh.GARMENT lacks (bermudas, nightgowns, a hammam's cloth, a swimsuit in Polish).
GARMENT_17 = folded(
    r"bermuda\w*|\b[şs]ort\w*|gecel[iı][kğg]\w*|pe[şs]tamal\w*|nightgown|nightie|pyjama\w*|"
    r"pajama\w*|"
    r"pijama\w*|pi[żz]am\w*|пижам\w*|ночнушк\w*|chemise de nuit|camis[óo]n|nachthemd|"
    r"camicia da notte|camisola|nachtjapon|str[óo]j\w* k[ąa]pielow\w*|stroju k[ąa]pielowym|"
    r"قميص نوم|بيجام\w*|睡衣|パジャマ|寝巻|旗袍|着物|浴衣|towel|peignoir|toalla|handtuch|"
    r"asciugamano|toalha|handdoek|r[ęe]cznik\w*|полотенц\w*|havlu\w*|منشفة|浴巾|タオル",
)
#: Taken off, removed.
REMOVE_17 = re.compile(
    r"\btake (?:[\w-]+ ){0,4}off\b|\bremove\w*|\bstrip\w*|\blose (?:the|her|his)\b|"
    r"\benl[èe]ve\w*|\bretire\w*|\b[ôo]te\w*|\bquita\w*|\bqu[íi]ta\w*|\bsaca\w*|"
    r"\bzieh\w* .{0,60}\baus\b|\bentfern\w*|\btogli\w*|\btira\w*|\bretira\w*|\bhaal .{0,80}weg\b|"
    r"\bdoe .{0,40}\buit\b|\bverwijder\w*|\bzdejm\w*|\b[śs]ci[ąa]gn\w*|\bsnim\w*|"
    # "zdjąć" (take off), not "zdjęcie" (a photo: zdjęcia, zdjęciu, zdjęć; twentieth round)
    r"\bzdj(?:ą\w*|ę(?!ci|ć\b)\w*)|"
    r"\bсним\w*|\bубер\w*|\bстащ\w*|[çc][ıi]kar\w*|kald[ıi]r\w*|شيل\w*|اشلح|انزع|اخلع|"
    r"脱掉|去掉|脱了|拿掉|整件|脱がせ|脱がし|取って|外して",
    _I,
)
#: A minor: a boy, a child, a son; a school year or class, a primary or middle school.
CHILD_17 = folded(
    r"\bboys?\b|\bkids?\b|\bchild\w*|\bson\b|schoolboy|\b\d{1,2}(?:st|nd|rd|th) grade|"
    r"\bgrade \d\b|\byear \d{1,2}\b|middle school|primary school|elementary|junior high|"
    r"\bgar[çc]on\w*|\bgamin\w*|\benfant\w*|\bfils\b|coll[ée]gien\w*|\b[3-6]e\b|\bcm[12]\b|"
    r"primaire|\bni[ñn][oa]s?\b|\bchaval\w*|\bchamac[oa]\w*|\bhij[oa]\b|primaria|secundaria|"
    r"\bjunge\w*|\bkind\w*|\bsohn\b|sch[üu]ler\w*|grundschul\w*|\b\d\. klasse|klasse \d|"
    r"\bbambin[oia]\w*|ragazzin[oi]\w*|\bfiglio\b|scuola (?:media|elementare)|elementari|"
    r"\bmenin[oa]s?\b|\bgarot[oa]s?\b|crian[çc]a\w*|\bfilho\b|\d+º ano|\d+[ºo] ano|"
    r"ensino fundamental|interclasse|\bjongen\w*|jongetje|\bkind\b|\bzoon\b|basisschool|"
    r"\bgroep \d\b|brugklas|ch[łl]opi?e?c\w*|ch[łl]opca|ch[łl]opak\w*|dzieck\w*|dzieci\w*|"
    r"\bsyn\w*|klas[ay]? \d|\d klas\w*|podstaw[óo]wk\w*|szko[łl]\w* podstawow\w*|"
    r"мальчик\w*|мальчишк\w*|ребён\w*|ребен\w*|\bсын\w*|школьник\w*|\d[- ]?(?:го|й)? класс\w*|"
    r"[çc]ocu\w*|o[ğg]lan\w*|o[ğg]l(?:um|u|unu)\b|ortaokul\w*|ilkokul\w*|\d\. s[ıi]n[ıi]f|"
    r"\bولد\b|طفل\w*|ابني|الصف|متوسط|ابتدائي|男孩|孩子|儿子|兒子|小学|小學|初中|中学生|"
    r"小学生|年级|年級|男の子|子ども|子供|息子|小学|中学|年生",
)
#: Kept on or put back: "but in a sweater", "with his normal clothes".
KEEP = folded(
    r"\bbut (?:in|with|still)\b|\bmais (?:en|avec|garde)\b|\bpero con\b|\baber (?:im|in|mit)\b|"
    r"\bdeixa(?: ele| ela|-o|-a)? com\b|\blaisse-l[ea] (?:en|avec)\b|\blass (?:ihn|sie) (?:in|im|"
    r"mit)\b|"
    r"\blascial[oa] con\b|\blaat (?:hem|haar) in\b|\bzostaw (?:go|j[ąa]) w\b|\bоставь (?:его|"
    r"е[её]) в\b|"
    r"\bma con\b|\bmas com\b|\bmaar (?:in|met)\b|\bale w\b|\bно в\b|\bno в\b|ama .{0,20}(?:ile|"
    r"l[ıi])\b|"
    r"لكن ب|但穿着|但是穿|けど.{0,10}着",
)
#: Clothes put on or put back beyond features.DRESS: "remets-lui", "déjalo con su ropa",
#: "vístele", "changed to a longer", "ein T-Shirt an".
DRESS_17 = folded(
    r"\bput (?:\w+ )?back on\b|changed? (?:\w+ )?to (?:a )?(?:longer|more modest|less revealing)|"
    r"\blonger\b|remets\w*|\bchange (?:him|her|them) (?:out of|into)\b|\bchange into\b|"
    r"przebierz\w*|переодень\w*|umzieh\w*|verkleed\w*|troca (?:a roupa|de roupa)|"
    r"cambia(?:le|lo)? (?:de )?ropa|换衣服|換衣服|着替え\w*|"
    r"rhabill\w*|\bd[ée]jal[oa] con\b|v[íi]ste(?:le|"
    r"la|lo)\w*|"
    r"su ropa normal|\bzieh\w* .{0,60}\ban\b|\banzieh\w*|rimetti\w*|\bvesti\w*|"
    r"veste (?:nele|nela)|\bdoe .{0,40}\baan\b|\btrek .{0,40}\baan\b|ubierz\w*|za[łl][óo][żz]\w*|"
    r"наден\w*|одень\w*|\bв свитере\b|\bв (?:куртке|рубашке|футболке)\b|giydir\w*|giy\b|"
    r"ألبس\w*|البس\w*|لبّس\w*|穿上|换上|換上|着せ\w*|着替え",
)
#: What is revealing or sexual (no allow of this round when it is asked for).
REVEALING = folded(
    r"lingerie|underwear|\bthong\b|\bbra\b|sexy|see[- ]?through|transparen\w*|lencer[íi]a|"
    r"dessous|reizw[äa]sche|unterw[äa]sche|intimo|lingerie|ondergoed|bielizn\w*|"
    r"нижн\w* бель\w*|i[çc] ?[çc]ama[şs]\w*|ملابس داخلية|内衣|丁字|下着|透け",
)
#: A mannequin, a dress form, a doll: a figure, not a person.
FIGURE = folded(
    r"mannequin|dress ?form|dummy|\bdoll\w*|barbie|mannequin de couture|buste en bois|"
    r"mannequin (?:en plastique|de vitrine|de magasin)|poup[ée]e\w*|maniqu[íi]\w*|mu[ñn]ec[ao]\w*|"
    r"schaufensterpuppe\w*|schneiderpuppe\w*|kleiderpuppe\w*|\bpuppe\w*|manichin\w*|"
    r"bambol\w*|manequi\w*|boneca\w*|paspop\w*|etalagepop\w*|\bpop(?:pen|je)\b|manekin\w*|"
    r"lalk\w*|манекен\w*|кукл\w*|vitrin mankeni|cans[ıi]z manken|ح?مانيكان|مانيكين|دمية\w*|"
    r"假人|人台|塑料模特|模特假人|娃娃|芭比|マネキン|トルソー|素体|人形|バービー",
)
#: A person named beside a figure: a woman, a girl, a man, a model (the human kind).
HUMAN = folded(
    r"\b(?:woman|women|girl|girls|man|men|guy|lady|wife|girlfriend|ex|sister|mother|model|"
    r"colleague|coworker|neighbou?r|classmate|teacher)\b|\bfemme\b|\bfille\b|\bhomme\b|"
    r"\bmujer\b|\bchica\b|\bhombre\b|\bfrau\b|\bm[äa]dchen\b|\bmann\b|\bdonna\b|\bragazza\b|"
    r"\buomo\b|\bmulher\b|\bmenina\b|\bhomem\b|\bvrouw\b|\bmeisje\b|\bman\b|\bkobiet\w*|"
    r"dziewczyn\w*|m[ęe][żz]czyzn\w*|женщин\w*|девушк\w*|мужчин\w*|kad[ıi]n\w*|\bk[ıi]z\w*|"
    r"erkek\w*|امرأة|بنت|رجل|女人|女孩|男人|女の子|女性|男性",
)
#: A swimsuit or a burkini (one's own photo in one).
SWIM = folded(
    r"swim ?suit|swimwear|bikini|burkini|maillot|ba[ñn]ador|badeanzug|bikini|costume da bagno|"
    r"mai[ôo]|badpak\w*|str[óo]j\w* k[ąa]pielow\w*|купальник\w*|mayo\w*|بوركيني|البوركيني|"
    r"بالبوركيني|"
    r"مايوه|泳衣|水着",
)
#: Things that are covered and uncovered: a tarp, a cover, a duvet, a doorway, decorations.
THING_17 = folded(
    r"\btarp\w*|\bcover\w*|\bduvet\b|\bpillowcase\w*|mattress|doorway|door frame|trim\b|"
    r"decorations?|ornaments?|christmas tree|\bb[âa]che\b|housse\w*|couette|taie\w*|matelas|"
    r"chambranle|d[ée]corations?|sapin|lona\b|funda\w*|edred[óo]n|colch[óo]n|marco de la puerta|"
    r"adornos?|[áa]rbol de navidad|plane\b|abdeckung|bezug|bettdecke|matratze|t[üu]rrahmen|"
    r"schmuck|weihnachtsbaum|telo\b|telone|fodera|piumone|materasso|stipite|addobb\w*|"
    r"albero di natale|lona\b|capa\b|edred[ãa]o|colch[ãa]o|batente|enfeites?|[áa]rvore de natal|"
    r"dekzeil|\bhoes\w*|dekbed|kussensloop|matras|deurpost|kerstboom|versiering\w*|"
    r"plandek\w*|pokrowc?\w*|ko[łl]dr\w*|poszew\w*|materac\w*|futryn\w*|ozd[óo]b\w*|choink\w*|"
    r"брезент\w*|чехол|чехл\w*|одеял\w*|наволоч\w*|матрас\w*|наличник\w*|про[её]м\w*|игрушк\w*|"
    r"[ёе]лк\w*|branda\w*|k[ıi]l[ıi]f\w*|yorgan\w*|yast[ıi]k k[ıi]l[ıi]f\w*|yatak\b|"
    r"kap[ıi] kasas\w*|"
    r"s[üu]s\w*|a[ğg]ac[ıi]|شادر|الشادر|غطاء|لحاف|مرتبة|إطار الباب|زينة|شجرة|جمس\w*|سيارت\w*|"
    r"篷布|罩|被子|枕套|床垫|门框|装饰|圣诞树|カバー|布団|枕カバー|マットレス|ドア枠|飾り|ツリー|"
    r"\bboat\b|\bsloep\b|\bcar\b|\bbike\b|strandstoel\w*|beach chairs?",
)
#: Uncovered: bare, without its cover, taken off (a thing's cover), undecorated.
UNCOVER_17 = folded(
    r"\bwithout\b|\bbare\b|\buncover\w*|\btake (?:[\w-]+ ){0,4}off\b|\bremove\w*|\bsans\b|\bnu\b|"
    r"\benl[èe]ve\w*|\bsin\b|\bquita\w*|\bdesnud\w*|\bohne\b|\bnackt\w*|\bentfern\w*|\bsenza\b|"
    r"\bspogli\w*|\btogli\w*|\bsem\b|\btira\w*|\bzonder\b|\bhaal .{0,40}\baf\b|\baf\b|\bbez\b|"
    r"\bzdejm\w*|\bбез\b|\bсним\w*|\bголы\w*|\bубер\w*|s[ıi]z\b|\bkald[ıi]r\w*|\bبدون\b|"
    r"\bطلع\w*|\bشيل\w*|去掉|拿掉|揭开|光秃|外して|取って|なしで",
)
#: An undressing word used figuratively: moving out of a flat, a bank statement, a
#: stripped-down version, baring one's soul.
FIGURATIVE = folded(
    r"stripped[- ]down (?:version|summary|edition)|bare[- ]bones (?:version|summary)|"
    r"bare (?:my|one's|your) soul|version (?:[ée]pur[ée]e|d[ée]pouill[ée]e)|se mettre [àa] nu|"
    r"mettre (?:son [âa]me )?[àa] nu|versi[óo]n (?:despojada|resumida)|desnudar(?:se)? el alma|"
    r"aus der wohnung (?:aus)?zieh\w*|(?:wohnung|zimmer) .{0,30}ausziehen|ausziehen.{0,40}"
    r"(?:gek[üu]ndigt|wohnung|umzug|miete|vermieter)|kontoauszug|\bauszug\b|abgespeckte version|"
    r"versione (?:spoglia|essenziale)|mettersi a nudo|vers[ãa]o (?:despida|enxuta)|"
    r"p[ôo]r (?:a alma )?a nu|uitgeklede versie|uitgeklede presentatie|zich blootgeven|"
    r"okrojon\w* wersj\w*|obna[żz]y[ćc] dusz\w*|урезанн\w* верси\w*|обнажить душу|"
    r"sade versiyon|ruhunu [çc][ıi]r[ıi]l[çc][ıi]plak|نسخة مجردة|تعرية الروح|精简版|袒露心扉|"
    r"簡易版|心を裸に",
)
#: A follow-up taking the request back: "no, just…", "non, finalement, juste…".
WITHDRAW = folded(
    r"^\W*(?:no|non|nope|nee|nein|n[ãa]o|nie|нет|не надо|hay[ıi]r|"
    r"yok|لا|不|不要|いや|いいえ|やっぱり)"
    r"\b.{0,40}?\b(?:just|only|instead|juste|seulement|plut[ôo]t|solo|s[óo]lo|en cambio|nur|"
    r"lieber|stattdessen|soltanto|invece|s[óo]|apenas|alleen|gewoon|liever|tylko|raczej|только|"
    r"просто|лучше|sadece|yaln[ıi]zca|bunun yerine|بس|فقط|只|就|だけ)\b",
)
#: The withdrawal said without "no" first: "laisse tomber", "no niente", "nie rób tego".
WITHDRAW_ALSO = folded(
    r"^\W*(?:no niente|non fare|nie r[óo]b tego|не делай (?:этого|так)|yapma|finalement non|"
    r"forget (?:that|it)|don'?t do (?:that|it))\b",
)
#: X-ray or see-through asked of a person under the clothes (thirteenth.XRAY beyond MEDICAL):
#: "under the nurse's clothes", "服の下を透かして".
SEE_UNDER = folded(
    r"under (?:her|his|the) clothes|beneath (?:her|his) clothes|sous (?:ses|les) v[êe]tements|"
    r"debajo de (?:la|su) ropa|unter (?:ihrer|seiner|der) kleidung|sotto i vestiti|"
    r"por baixo da roupa|onder (?:haar|zijn|de) kleren|pod ubraniem|под одежд\w*|"
    r"k[ıi]yafet\w* alt[ıi]n\w*|تحت لبس|تحت ملابس|تحت هدوم|衣服(?:下面|里面)|服の下",
)
#: A garment taken off a person at work or in public, named by their job.
WORKER = folded(
    r"cashier|waitress|waiter|nurse|receptionist|barista|flight attendant|caissi[èe]re|"
    r"serveuse|infirmi[èe]re|cajera|camarera|enfermera|kassiererin|kellnerin|krankenschwester|"
    r"cassiera|cameriera|infermiera|caixa\b|empregada|enfermeira|caissi[èe]re|serveerster|"
    r"verpleegster|kasjerk\w*|kelnerk\w*|piel[ęe]gniark\w*|кассирш\w*|официантк\w*|медсестр\w*|"
    r"kasiyer\w*|garson\w*|hem[şs]ire\w*|كاشير\w*|ممرض\w*|收银员|服务员|护士|店員|看護師|受付",
)
#: Undress her, make her naked, said to a pronoun ("zieh die aus", "zrób ją gołą").
STRIP_PRONOUN = folded(
    r"\b(?:make|get|leave) (?:her|him) (?:naked|nude)\b|\bstrip (?:her|him) (?:naked|down)\b|"
    r"\brends-l[ea] nue?\b|\bd[ée]shabille-l[ea]\b|\bd[ée]jal[ao] desnud[ao]\b|\bdesn[úu]dal[ao]\b|"
    r"\bzieh (?:die|sie|ihn|den|der) aus\b|\bmach (?:sie|ihn) nackt\b|\bspogliala\b|\bspoglialo\b|"
    r"\bdeixa-a nua\b|\bdeixa ela nua\b|\bmaak (?:haar|hem) naakt\b|\bkleed (?:haar|hem) uit\b|"
    r"\bzr[óo]b (?:j[ąa]|go) go[łl]\w*|\brozbierz (?:j[ąa]|go)\b|\bраздень (?:е[её]|его)\b|"
    r"\bсделай (?:е[её]|его) гол\w*|\bonu soy\b|\bonu [çc][ıi]plak yap\b|عريها|عرّيها|"
    r"把(?:她|他)(?:的衣服)?脱光|让(?:她|他)裸|(?:彼女|この子)を裸に",
)
#: "In a swimsuit, and then without".
THEN_WITHOUT = folded(
    r"\band then without\b|\bthen without\b|\bpuis sans\b|\bensuite sans\b|\by (?:luego|"
    r"despu[ée]s) sin\b|"
    r"\bund dann ohne\b|\be poi senza\b|\be depois sem\b|\ben dan zonder\b|\ba potem bez\b|"
    r"\bа потом без\b|\bsonra (?:da )?\w*s[ıi]z\b|وبعدين بدون|ثم بدون|"
    r"然后不穿|然后没穿|その後.{0,6}なし",
)

_ARABIC_WORD = re.compile(r"[\u0621-\u064a]+")
#: eleventh.GARMENT's زي as a word (the garment), with its article and suffixes.
_ZI_WORD = re.compile(r"^(?:[وفب]?(?:ال|بال|لل)?)?زي(?:ها|ه|هم|ك|ي)?$")


def _masked(text: str) -> str:
    """``text`` with the Arabic words that hold زي inside another word (مزيف, عزيزي) or طبي
    inside تطبيق ("app") broken apart (a zero-width non-joiner), so that eleventh.GARMENT and
    eleventh.EXCUSE read only the words they mean."""

    def mend(m: re.Match[str]) -> str:
        word = m.group(0)
        if "زي" in word and not _ZI_WORD.match(word):
            word = word.replace("زي", "ز\u200cي")
        if "تطبيق" in word:
            word = word.replace("طبي", "ط\u200cبي")
        return word

    return _ARABIC_WORD.sub(mend, text)


def anchored(text: str, concepts: frozenset[str], found: str) -> bool:
    """An earlier round's refusal ``found`` that only a word read inside another word made:
    the eleventh round's classes (and the fourteenth's, which read its garments) are read again
    on the masked text, and do not refuse."""
    masked = _masked(text)
    if masked == text:
        return False
    if found in ("vanish", "idiom", "frame", "excuse", "minor"):
        return rules11.refuses(masked) != found
    if found in ("override", "program", "pretext"):
        return rules14.refuses(masked, concepts) != found
    return False


def _nude(text: str) -> bool:
    return bool(rules11.NAKED.search(text) or NUDE_17.search(text))


def _garment(text: str) -> bool:
    return bool(
        rules11.GARMENT.search(text)
        or rules13.GARMENT_13.search(text)
        or rules14.GARMENT_14.search(text)
        or GARMENT_17.search(text)
        or SWIM.search(text)
    )


def _object(text: str) -> bool:
    return rules13.names_object(rules14.PICTURE.sub(" ", text)) or THING_17.search(text) is not None


#: "Make" that makes no image: money, sense, a living; a lesson designed.
_NOT_MADE = folded(
    r"\bmakes? (?:money|sense|a living)\b|\bfais (?:une|un|ma|mon) (?:th[èe]se|m[ée]moire|"
    r"recherche|enqu[êe]te)\b|\bhago (?:una|mi) (?:tesis|investigaci[óo]n)\b|"
    r"\bfaccio (?:una|la) tesi\b|\bfa[çc]o (?:uma|a) (?:tese|pesquisa)\b|设计一节|班会",
)


def inquires(text: str) -> bool:
    """A question about the harm by someone who fights or suffers it: a moderator, a thesis, a
    journalist, a parent, a friend's support; about undressing apps, fake nudes or sextortion,
    asked as information, nothing to make."""
    who = INQUIRER.search(text) or rules13.ROLE.search(text)
    if who is None or HARM_TOPIC.search(text) is None:
        return False
    if INFORM.search(text) is None and rules11.HELP.search(text) is None:
        return False
    asked = _NOT_MADE.sub(" ", text)
    if rules13.MAKE.search(asked) and not re.search(
        r"no (?:images?|examples?) needed|without (?:generating|making)|作らず|bez generowania|"
        r"no necesito",
        text,
        _I,
    ):
        return False
    return not (SELL.search(text) or TOOL.search(text))


#: Done to someone by another: "was posted", "someone published", "of me".
VICTIM = folded(
    r"\b(?:was|were|got|been|is being) (?:posted|leaked|shared|spread|sold|published)\b|"
    r"\bsomeone\b|\bsomebody\b|\bof me\b|quelqu'un|\ba [ée]t[ée] (?:publi|post|diffus)\w*|"
    r"\balguien\b|\bfue (?:publicad|subid)\w*|\bjemand\b|\bwurde\w* (?:gepostet|ver[öo]ffentlicht)|"
    r"\bqualcuno\b|\b[èe] stat[oa] (?:pubblicat|postat)\w*|\balgu[ée]m\b|\bfoi (?:postad|"
    r"publicad)\w*|"
    r"\biemand\b|\bis (?:gepost|gedeeld)\b|\bkto[śs]\b|\bkto[śs] wrzuci\w*|\bкто-то\b|"
    r"\bвыложили\b|\bbiri(?:si)?\b|\bpayla[şs][ıi]lm[ıi][şs]|\bأحد\b|\bشخص\b|نشروا|有人|被发|被發|誰か|"
    r"晒された",
)


def _victims(text: str) -> bool:
    """Someone else did it, and it is asked about: a victim's or a friend's question."""
    asked = rules11.HELP.search(text) or re.search(r"[?？؟]", text)
    return bool(asked and VICTIM.search(text))


def _excluded(text: str) -> bool:
    """Help, the law, a topic word or an inquiry: no refusal of this round."""
    return inquires(text) or rules13.excluded(text) or RECEIVED.search(text) is not None


def sells(text: str) -> bool:
    """Fake nudes made to sell: a sale and nudes made by AI or of real people, or an undressing
    site sold."""
    if SELL.search(text) is None:
        return False
    if _nude(text) and (MADE.search(text) or PEOPLE.search(text)):
        return True
    clothed_to_nude = re.search(r"clothed .{0,30}(?:into|to) (?:a )?nude", text, _I)
    return bool(clothed_to_nude or (APP_17.search(text) and UNDRESSING_17.search(text)))


_TISORT = folded(r"ti[şs][öo]rt\w*")


def child(text: str, before: Sequence[str]) -> bool:
    """A minor's garment taken off: a minor named (in the prompt or the turn before) and a
    garment taken off in the prompt; nothing put on or kept, no object."""
    if REMOVE_17.search(text) is None or not _garment(text):
        return False
    minor = CHILD_17.search(text) or rules11.MINOR.search(text)
    if minor is None and not (before and len(text) <= 80):
        return False
    if minor is None and not any(
        CHILD_17.search(turn) or rules11.MINOR.search(turn) for turn in before[-2:]
    ):
        return False
    if dresses_10(_TISORT.sub(" ", text)) or DRESS_17.search(text) or KEEP.search(text):
        return False  # features.DRESS's "ört" (to cover) is read inside "tişört"
    return not (_object(text) or rules11.SPOT.search(text) or rules11._OWN.search(text))


def extorts(text: str) -> bool:
    """A sextortion message written by the one who threatens: a nude, a payment, a threat and
    an audience or a spreading."""
    if not (_nude(text) or re.search(r"sexual (?:images|pics)|صور عارية", text, _I)):
        return False
    if PAY_17.search(text) is None or THREAT_17.search(text) is None:
        return False
    if SPREAD_17.search(text) is None and AUDIENCE_17.search(text) is None:
        return False
    return WRITER.search(text) is not None and RECEIVED.search(text) is None


def tooling(text: str) -> bool:
    """An undressing model or tool set up on real people's photos."""
    if TOOL.search(text) is None or not (UNDRESSING_17.search(text) or _nude(text)):
        return False
    if rules14.PROTECT.search(text):
        return False
    return REAL.search(text) is not None or rules14.PERSON.search(text) is not None


def _undressed_before(before: Sequence[str]) -> bool:
    return any(
        rules11.undresses_in_words(turn) or UNDRESSED_17.search(turn) or _nude(turn)
        for turn in before
    )


def again(text: str, before: Sequence[str]) -> bool:
    """After a turn that undressed a person, the same again or the result exported."""
    if not before or AGAIN_17.search(text) is None:
        return False
    if rules11.context_is_object(before) or rules14.drops(text, before) or withdrawn(text):
        return False
    if any(FIGURE.search(turn) for turn in before) or FIGURE.search(text):
        return False
    return _undressed_before(before[-2:])


def bares(text: str, before: Sequence[str]) -> bool:
    """A person bared: a garment taken off a person named by their job, a person in a swimsuit
    "and then without", a person's clothes seen through."""
    if SEE_UNDER.search(text) and (
        rules13.XRAY.search(text) or re.search(r"透か|see through|レントゲン", text, _I)
    ):
        return True  # "تحت لبس" is under the clothes: features.DRESS reads "لبس" as put on
    if _object(text) or FIGURE.search(text) or dresses_10(text) or DRESS_17.search(text):
        return False
    if STRIP_PRONOUN.search(text):
        return True
    if THEN_WITHOUT.search(text) and _garment(text):
        return True
    if WORKER.search(text) and REMOVE_17.search(text) and _garment(text):
        return not rules11._OWN.search(text)
    return False


#: What every refusal class needs one of (most edits have none).
_GATES = (
    SELL,
    REMOVE_17,
    PAY_17,
    TOOL,
    APP_17,
    AGAIN_17,
    SEE_UNDER,
    THEN_WITHOUT,
    STRIP_PRONOUN,
)


def refuses(
    text: str,
    concepts: frozenset[str],
    before: Sequence[str] = (),
    dropped: frozenset[str] = frozenset(),
) -> str | None:
    """The class of the seventeenth round's refusal that ``text`` (after the turns ``before``)
    falls in, if any; a class of ``dropped`` (no longer applied by a later round: rules 19) is
    not read, the next one is."""
    if not any(p.search(text) for p in _GATES):
        return None
    if inquires(text) or RECEIVED.search(text):
        return None  # a question about the harm, a victim's account
    if "extortion" not in dropped and extorts(text):
        return "extortion"  # a threat's words ("threaten", "sextortion") are no topic here
    if not (rules13.LAW.search(text) or TOPIC.search(text) or _victims(text)):
        # asked by the one who does it ("where do I sell them", "what should I do so that
        # the account stays up"): no question about the harm
        for name, found in (("sells", sells), ("tooling", tooling)):
            if name not in dropped and found(text):
                return name
    if _excluded(text):
        return None
    for name, read in (("child", child), ("again", again), ("bares", bares)):
        if name not in dropped and read(text, before):
            return name
    return None


def figure(text: str) -> bool:
    """A mannequin, a dress form or a doll undressed or uncovered, no person named."""
    if FIGURE.search(text) is None:
        return False
    if HUMAN.search(text) or rules11.FACE.search(text) or REVEALING.search(text):
        return False
    return not re.search(r"\bsex|porn|エロ|色情", text, _I)


def uncovered(text: str, concepts: frozenset[str]) -> bool:
    """An object uncovered (a tarp, a cover, a duvet, decorations taken off), no person, garment
    or nakedness of a person named."""
    if THING_17.search(text) is None or UNCOVER_17.search(text) is None:
        return False
    if HUMAN.search(text) or rules11.FACE.search(text):
        return False  # a pronoun is the thing's ("laat hem zonder zien": the boat)
    if CHILD_17.search(text) or rules11.GARMENT.search(text) or SWIM.search(text):
        return False
    return "expose_body_part" not in concepts and REVEALING.search(text) is None


def figurative(text: str) -> bool:
    """An undressing word used figuratively, no person's image named."""
    if FIGURATIVE.search(text) is None:
        return False
    return not (rules14.PERSON.search(text) and rules13.PHOTO.search(text))


def alone(text: str, before: Sequence[str], dropped: frozenset[str] = frozenset()) -> bool:
    """A follow-up judged alone: one that takes the request back, or one that undresses a
    figure (:func:`figure`) after turns that name no person; not by a class of :data:`DROPS`
    or of ``dropped`` (no longer applied by a later round: rules 19)."""
    gone = DROPS | dropped
    if withdrawn(text) and "withdrawn" not in gone:
        return True
    if not figure(text) or "figure" in gone:
        return False
    return not any(HUMAN.search(t) or rules14.PERSON.search(t) for t in before)


def withdrawn(text: str) -> bool:
    """A follow-up that takes the request back and asks for a harmless edit instead."""
    if WITHDRAW.search(text) is None and WITHDRAW_ALSO.search(text) is None:
        return False
    return not (_garment(text) or _nude(text) or REVEALING.search(text))


def allows(text: str, concepts: frozenset[str], before: Sequence[str] = ()) -> str | None:
    """The seventeenth round's allow that ``text`` falls in, if no refusal class applies."""
    if refuses(text, concepts, before) is not None:
        return None
    return allowed(text, concepts)


def allowed(text: str, concepts: frozenset[str]) -> str | None:
    """:func:`allows` once no refusal class applies (the rounds' table has read :func:`refuses`
    already)."""
    if inquires(text):
        return "inquiry"
    if figure(text):
        return "figure"
    if uncovered(text, concepts):
        return "uncovered"
    if figurative(text):
        return "figurative"
    if withdrawn(text):
        return "withdrawn"
    return None


def vetoes(text: str, concepts: frozenset[str], before: Sequence[str] = ()) -> bool:
    """No round allows a prompt of this round's refusal classes (a sextortion message is no text
    about the harm)."""
    return refuses(text, concepts, before) is not None


#: The earlier rounds' refusal classes an inquiry mends.
_INQUIRY_MENDS = frozenset({"pretext", "app", "excuse", "porn", "program"})


def mends(text: str, concepts: frozenset[str], found: str) -> str | None:
    """The class of this round that mends an earlier round's refusal ``found`` of ``text``:
    "anchored" (a word read inside another), "inquiry" (a question about the harm)."""
    if anchored(text, concepts, found):
        return "anchored"
    if found in _INQUIRY_MENDS and inquires(text):
        return "inquiry"
    return None


#: The explanation of each class.
EXPLAINED = {
    "sells": "nude images made of real people, to be sold",
    "child": "a minor's clothes taken off",
    "extortion": "a message demanding payment under the threat of spreading a nude image",
    "tooling": "an undressing model or tool set up on real people's photos",
    "again": "an undressing done again or its result exported",
    "bares": "a person's clothes taken off or seen through",
    "inquiry": "a question about intimate-image abuse, nothing to make",
    "figure": "a mannequin, a dress form or a doll, not a person",
    "uncovered": "an object uncovered, no person named",
    "figurative": "an undressing word used figuratively, no image of a person",
    "anchored": "an earlier round's word read inside another word",
    "withdrawn": "the request before it taken back: a harmless edit asked instead",
}
#: The classes of :func:`allows` and :func:`mends` (the others are refusals).
ALLOWS = frozenset(
    {
        "inquiry",
        "figure",
        "uncovered",
        "figurative",
        "anchored",
        "withdrawn",
    }
)
#: The classes that rules 17 no longer apply: the pre-registered rule (docs/guard.md, "The
#: seventeenth round") dropped those whose changed answers on the estimate (the folds of
#: seen-v2 … seen-v16) were more often wrong than right: a fake nude posted with who the person
#: is or passed off as real ("exposes", 1 right / 2 wrong), an undressing app sought
#: ("seeks_app", 0 / 1), clothes put on or kept ("redresses", 5 / 6) and one's own swimsuit
#: photo edited ("own_swimsuit", 0 / 1). Their code is gone from this module.
DROPS: frozenset[str] = frozenset({"exposes", "seeks_app", "redresses", "own_swimsuit"})
