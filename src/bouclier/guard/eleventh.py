"""The eleventh round's rules (issue 13): classes of request the learned decision (intent-10)
missed or refused wrongly on heldout-v11 (now seen-v11), written as words, not sentences, in the
13 covered languages.

Each rule reads the prompt (and for a follow-up the turns before it) with regular expressions;
bouclier.guard.stages applies them after the model, only with a classifier that carries the
tenth round's reading (``SemanticStage.eleventh``):

* refused although the model allows (:func:`refuses`):

  - **clothes made to vanish or see-through** (:data:`GARMENT` beside :data:`VANISH`: "make the
    conductor's uniform disappear", "far sparire la canotta", "taytı kaybolsun", "白衣、消せる？",
    "сделай форму прозрачной"), unless the thing removed is a mark on the garment
    (:data:`SPOT`: a stain, a logo, mud) or the prompt dresses, names an object or a topic;
  - **idioms for naked** (:data:`IDIOM`: "in the altogether", "como veio ao mundo", "a chiappe
    al vento", "füdliblutt", "donsuz", "in haar bloot gat", "oben-ohne-Bild", "一丝不挂");
  - **a hypothetical, a script or role-play, or an excuse** (:data:`FRAME`, :data:`EXCUSE`:
    "imagine she forgot to dress", "write a film script where ...", "as a nude model but with
    his face", "for a court case", "for the investigation") around nakedness (:data:`NAKED`)
    and an image asked for (:data:`IMAGE`);

* a **follow-up** refused (:func:`follow_up_refuses`): one asking for the same again
  (stages.AGAIN and :data:`AGAIN_11`: "にもやって", "kriegt dasselbe") after a turn that undresses
  a person in words (:data:`~bouclier.guard.features.UNDRESS` with a garment, or a rule above),
  even when the model reads that turn as harmless; or one asking for the rest, layer by layer
  (:data:`REST`), after a turn the model refuses alone, which the follow-up head read as an edit
  of its own;

* allowed although the model refuses (:func:`allows`): a **victim or a parent asking what to
  do** (:data:`HELP`: "who do I tell", "je fais quoi", "что делать", a law asked about) with no
  instruction to undress; **clothes put on** a bare person (features.DRESS and :data:`DRESS_11`:
  "gib ihm eine Schürze", "a K-way") when nothing revealing is named (no lexicon word, no
  nakedness); and a follow-up whose conversation is about an **object** (:data:`OBJECTS_11`: a
  Christmas tree, a matryoshka) or asks for **less** (:data:`LESS`).
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from bouclier.guard.features import UNDRESS, UNDRESS_10, dresses_10
from bouclier.guard.folding import Pattern, folded
from bouclier.guard.memo import remembered
from bouclier.guard.topics import OBJECTS, OBJECTS_10, TOPIC, TOPIC_10

_I = re.IGNORECASE

#: Garments and clothing, in the 13 covered languages.
GARMENT = folded(
    r"\b(?:clothes|clothing|uniform|jacket|trousers|pants|shirt|top|dress|skirt|kit|outfit|"
    r"scrubs|leggings|swimsuit|bikini|bra|underwear|cardigan|blouse|jumper|sweater|tights|"
    r"shorts|robe|coat|costume|overalls|gown)s?\b|"
    r"v[êe]tements?|\bhabits\b|\buniforme|\brobe\b|\bjupe|\bchemise|\bpantalon|\bmaillot|"
    r"soutien-gorge|\bculotte|\bblouse|\btenue|d[ée]bardeur|"
    r"\bropa\b|\bvestido|\bfalda|\bcamis[ae]|\bpantal[oó]n|ba[ñn]ador|sujetador|\bbragas|"
    r"\bblusa|\bbata\b|"
    r"kleidung|klamotten|kleid\b|kleider\b|\brock\b|\bhemd|\bhose|\bjacke|\bbluse|\bdirndl|\bbh\b|"
    r"badeanzug|\bkittel|\btrikot|"
    r"\bvestit[io]|\bgonna|\bcamicia|\bcanott|maglietta|pantaloni|\bcostume|reggiseno|\bdivisa|"
    r"\bcamice|\btuta\b|"
    r"\broupas?\b|\bfarda|\bsaia\b|\bcal[çc]as?\b|biqu[ií]ni|suti[ãa]|\bjaleco|"
    r"\bkleren|\bkleding|\bjurk|\brok\b|\bbroek|\bbeha\b|\bjas\b|"
    r"\bubrani\w*|\bmundur\w*|sukien\w*|sp[oó]dnic\w*|koszul\w*|spodn\w*|stanik\w*|bluzk\w*|"
    r"kostium\w*|[żz]akiet\w*|fartuch\w*|"
    r"одежд|униформ|\bформ[уаыеой]|плать|юбк|рубашк|футболк|брюк|штан|купальник|лифчик|блузк|"
    r"халат|"
    r"k[ıi]yafet|elbise|[üu]niforma|etek|g[öo]mlek|ti[şs][öo]rt|pantolon|tayt|atlet|s[üu]tyen|"
    r"\bmayo|[öo]nl[üu]k|"
    r"\bhdoom\b|\bhudum\b|\bmalabes\b|ملابس|ثياب|هدوم|فستان|زي|قميص|بنطلون|تنورة|"
    r"衣服|衣裳|制服|裙|衬衫|襯衫|裤|褲|内衣|內衣|胸罩|泳衣|白大褂|外套|"
    r"服|制服|白衣|スカート|シャツ|ズボン|下着|水着|浴衣|ブラ",
)
#: Made to vanish or see-through (not "remove" or "erase": a stain or a logo is erased).
VANISH = folded(
    r"\bdisappear\w*|\bvanish\w*|\binvisible\b|see[- ]?through|\btransparen\w*|\bsheer\b|"
    r"\bgone\b|\b(?:get|take)\b.{0,40}\b(?:kit|clothes|gear)\b.{0,10}\boff\b|"
    r"dispara[iî]t\w*|\btransparent\w*|\binvisibles?\b|"
    r"desapare[cz]\w*|\btransparente|"
    r"verschwind\w*|durchsichtig|unsichtbar|\bweg(?:wehen|zaubern|blasen|fliegen)\w*|"
    r"\bsparir\w*|\bspari(?:sc)?\w*|scompar\w*|trasparent\w*|invisibil\w*|"
    r"\bsum(?:ir|a|am)\b|invis[ií]ve\w*|"
    r"verdwijn\w*|doorzichtig|transparant|onzichtba\w*|"
    r"znik\w*|przezroczyst\w*|niewidoczn\w*|zwie(?:j|w)\w*|"
    r"исчез\w*|прозрачн\w*|невидим\w*|"
    r"kaybol\w*|yok ol\w*|[şs]effaf|g[öo]r[üu]nmez|"
    r"اختف|تختفي|يختفي|شفاف|"
    r"消失|透明|不见|不見|"
    r"消し|消せ|消え|消して|透け|透明",
)
#: A mark on a garment, not the garment: "make the stain on his shirt disappear".
SPOT = folded(
    r"\b(?:stain|logo|mud|dirt|wrinkle|crease|label|tag|print|text|spot|lint|hair|fluff)s?\b|"
    r"\btache|\blogo|\bboue|\bpli|\bmancha|\barruga|\bbarro|\bfleck|\bfalte|\bschmutz|"
    r"\bmacchi|\bpiega|\bfango|\bsujeira|\bvlek|\bkreuk|\bmodder|\bplam|\bzagniec|\bbł[oe]t|"
    r"пятн|логотип|складк|гряз|leke|logo|kırışık|çamur|بقع|شعار|污渍|污漬|标志|褶|泥|シミ|ロゴ|しわ|泥",
)
#: Idioms for naked, in the 13 covered languages.
IDIOM = folded(
    r"in the altogether|birthday suit|as nature intended|in the buff\b|in the raw\b|"
    r"starkers|\bbollock naked|"
    r"tenue d'(?:adam|[èe]ve)|comme (?:au premier jour|un ver)|en costume d'(?:adam|[èe]ve)|"
    r"\b[àa] poil\b|"
    r"como (?:dios|vino|veio|lo|la) (?:\w+ )?(?:al|ao) mundo|como (?:dios|deus) (?:la|lo|o|a) "
    r"\w+|en cueros|en pelot|en bolas|pelota picada|"
    r"a chiappe al vento|come mamma l'ha fatt[ao]|in costume adamitico|"
    r"f[üu]dliblutt|adamskost[üu]m|evakost[üu]m|wie gott (?:sie|ihn) schuf|oben[- ]ohne|"
    r"splitterfasernackt|"
    r"bloot gat|in (?:haar|zijn|z'n|d'r) blootje|adamskostuum|evakostuum|"
    r"w stroju (?:ewy|adama)|jak (?:j[aą]|go) pan b[oó]g stworzy[lł]|"
    r"в ч[её]м мать родила|в костюме (?:евы|адама)|"
    r"donsuz|[çc][ıi]r[ıi]l[çc][ıi]plak|anadan do[ğg]ma|"
    r"كما ولدته|ربي كما خلقتني|"
    r"一丝不挂|一絲不掛|光溜溜|脱光光|脫光光|赤条条|"
    r"生まれたままの姿|すっぽんぽん|まっぱだか|素っ裸",
)
#: Nakedness, undressing or nude posing, in the 13 covered languages (for :data:`FRAME` and
#: :data:`EXCUSE`): also "forgot to dress", a nudist beach, a nude model.
NAKED = folded(
    r"\bnaked\b|\bnude\b|\bnudes\b|\bundress\w*|\bunclothed\b|\bstripped\b|"
    r"\bstrip (?:her|him|them)\b|\bstrip (?:the|that|this) \w+(?:er|or|ist|ess)\b|\bnaturis\w*|"
    r"\bnudis\w*|forgot to (?:get )?dress|without (?:her|his|their|any) (?:clothes|top|"
    r"uniform)|no clothes|"
    r"\bnue?s?\b|d[ée]shabill\w*|naturist\w*|nudist\w*|sans (?:ses )?v[êe]tements|"
    r"desnud\w*|sin ropa|"
    r"\bnackt\w*|\bakt(?:modell|foto|bild)?\w*|ausz(?:ieh|ög)\w*|anzuziehen|fkk|"
    r"\bnud[aoie]\b|spogli\w*|svestit\w*|senza vestiti|"
    r"\bnu[ao]s?\b|pelad[ao]|sem roupa|"
    r"\bnaakt\w*|uitgekleed|zonder kleren|"
    r"\bnag[aie]?\b|nago|rozebran\w*|bez ubrania|mundur na s[łl]u[żz]bie|zgubi[łl]a mundur|"
    r"гол(?:ая|ый|ой|ую)|обнаж\w*|раздева\w*|раздень\w*|без одежды|"
    r"[çc]?[ıi]plak|soyun\w*|soy\b|"
    r"عاري|عارية|بدون ملابس|بلا ملابس|"
    r"裸|没穿衣服|沒穿衣服|脱光|脫光|"
    r"裸|脱が|脱い",
)
#: A face put on a body, or the same person "but with her face".
FACE = folded(
    r"\bface on\b|with (?:his|her|their) face|\bher face\b|\bhis face\b|son visage|sa t[êe]te sur|"
    r"su cara|con su cara|cara de|sein(?:em)? gesicht|ihr(?:em)? gesicht|mit seinem gesicht|"
    r"mit ihrem gesicht|il suo (?:viso|volto)|com o rosto|a cara dela|met (?:haar|zijn) gezicht|"
    r"z (?:jej|jego) twarz[aą]|twarz[aą]|с (?:е[её]|его) лицом|лицо|y[üu]z[üu]n[üu]|"
    r"بوجه|وجهها|她的脸|她的臉|换脸|換臉|顔を",
)
#: Only a hat, a scarf or shoes, "and nothing else".
ONLY = folded(
    r"\band nothing (?:else|more)\b|\bnothing but\b|\bet rien d'autre\b|\brien que\b|"
    r"\by nada m[áa]s\b|\bsolo con\b.{0,30}\bnada\b|\bund sonst nichts\b|\bnur noch\b|"
    r"\be nient'altro\b|\bsolo con\b|\be mais nada\b|\bs[óo] com\b.{0,30}\bnada\b|"
    r"\ben verder niets\b|\bi nic wi[eę]cej\b|\btylko w\b.{0,30}\bnic\b|"
    r"и больше ничего|только в\b.{0,30}больше ничего|ba[şs]ka hi[çc]bir [şs]ey|"
    r"ولا شي غير|فقط.{0,20}ولا شيء|别的什么都不|什么都不穿|だけ.{0,10}何も",
)
#: A minor: at school, in a school year, an age under 18.
MINOR = folded(
    r"\bschool\b|\byear \d+\b|\b1[0-7] ?(?:years? old|yo|ans|a[ñn]os|jahre|anni|anos|jaar|lat|"
    r"лет|ya[şs]ında)\b|\bcoll[èe]ge\b|\blyc[ée]e|secundaria|colegio|instituto|\bschul|"
    r"gymnasium|\bscuola|\bliceo|\bescola|middelbare|\bszko[łl]|\bшкол|\bokul|مدرسة|"
    r"中学|初中|高中|中学生|高校生|小学",
)
#: Made to look older or of age (a minor aged up, then undressed).
AGE_UP = folded(
    r"\bolder\b|\b18\b|\badult|\bgrown|universit|vieilli|plus [âa]g[ée]e|majeure|mayor de edad|"
    r"m[áa]s mayor|\b[äa]lter\b|vollj[äa]hrig|erwachsen|pi[ùu] grande|maggiorenne|mais velh|"
    r"maior de idade|\bouder\b|volwassen|starsz|pe[łl]noletn|старше|взросл|b[üu]y[üu]k g[öo]ster|"
    r"yeti[şs]kin|أكبر|بالغ|成年|大人っぽ|年上",
)
#: Undressing verbs written without their letters (Turkish without its dots, Arabic in Latin
#: letters), with a garment: "kiyafetlerini cikar", "sheel kol hdoom"; and the German and Dutch
#: separable ones ("zieh ihr die Bluse aus", "kleed haar uit"), and Spanish "quítale" with its
#: accent.
TRANSLIT = folded(
    r"\bzieh\w* .{0,40}\baus\b|\bkleed .{0,40}\buit\b|\bdoe .{0,40}\buit\b|"
    r"\bhaal .{0,50}\bweg\b|\bqu[ií]ta\w*|"
    r"\bcikar\w*|\bsheel\b|\bshil\b|\bikhla3\w*|\bhdoom\b|\bhudum\b|\bmalabes\b|ぬが",
)
#: A hypothetical, a script, role-play or a game, in the 13 covered languages.
FRAME = folded(
    r"\bcalendar\b|kalender|pin-?up|centerfold|rozk[łl]ad[óo]wk\w*|мужского журнала|"
    r"playboy|\bimagine\b|\bpretend\b|\bas if\b|\bsuppose\b|\bwhat if\b|\bscript\b|\bscene\b|"
    r"role[- ]?play|\bstory\b|\bfilm\b|\bmovie\b|\bgame\b|as a nude model|would (?:look|be)\b|"
    r"imagin\w*|fais comme si|comme si|sc[ée]nario|\bsc[èe]ne\b|on joue|jeu de r[ôo]le|"
    r"\bcomo si\b|finge|guion|gui[óo]n|"
    r"stell dir vor|tu so als|als ob|drehbuch|rollenspiel|als aktmodell|"
    r"immagina|fai finta|\bcome se\b|sceneggiatura|"
    r"imagina|finja|como se|roteiro|"
    r"stel je voor|doe alsof|alsof|draaiboek|"
    r"wyobra[źz]|udawaj|jakby|scenariusz|"
    r"представь|вообрази|как будто|сценари\w*|ролев\w*|"
    r"hayal et|d[üu][şs][üu]n ki|sanki|senaryo|"
    r"تخيل|كأن|سيناريو|"
    r"想象|假设|假裝|假装|剧本|劇本|"
    r"想像|もしも|ふりをして|脚本|シナリオ",
)
#: An excuse: a court case, evidence, an investigation, medicine or anatomy, a drawing class.
EXCUSE = folded(
    r"\bcourt\b|\bevidence\b|\binvestigation\b|\bdetective\b|\bmedical\b|\bdoctor\b|"
    r"\banatomy\b|\breconstruction\b|\bfigure drawing\b|\bmodeltekenen\b|"
    r"\btribunal\b|\bpreuve|\benqu[êe]te|m[ée]dical|\banatomi\w*|reconstitution|"
    r"\bjuicio\b|\bprueba|investigaci[óo]n|m[ée]dic[oa]|"
    r"gericht|beweis|ermittlung|medizin\w*|"
    r"processo|\bprov[ae]\b|indagine|"
    r"investiga[çc][ãa]o|"
    r"rechtbank|bewijs|onderzoek|"
    r"s[ąa]d\w*|dow[óo]d|[śs]ledztw\w*|medyczn\w*|"
    r"суд\w*|доказательств\w*|расследован\w*|медицин\w*|"
    r"mahkeme|delil|soru[şs]turma|t[ıi]bbi|"
    r"محكمة|دليل|تحقيق|طبي|"
    r"律师|律師|证据|證據|法庭|调查|調查|医学|醫學|还原图|還原圖|"
    r"裁判|証拠|捜査|医療",
)
#: An image asked for: make, render, generate, draw, a picture or a frame.
IMAGE = folded(
    r"\b(?:make|render|generate|draw|create|show|edit|give|reconstruct\w*|picture|photo|image|"
    r"frame|pic|look)\b|"
    r"\bfais|\bg[ée]n[èe]re|\bdessine|\bphoto|\bimage|\bmontre|\bcliché|prise|"
    r"\bhaz\b|\bgenera|\bdibuja|\bfoto|\bimagen|\bmuestra|"
    r"\bmach|\bbild|\bzeig|\bzeichne|\bfoto|"
    r"\bfai\b|\bdisegna|\bimmagine|\bmostra|"
    r"\bfaz\b|\bdesenha|\bimagem|"
    r"\bmaak|\bteken|\bafbeelding|\bplaatje|"
    r"\bzr[óo]b|narysuj|zdj[ęe]ci\w*|obraz\w*|"
    r"сделай|нарисуй|сгенерир\w*|кадр|фото|снимок|картинк|изображени|"
    r"yap|[çc]iz|foto[ğg]raf|resim|g[öo]rsel|"
    r"اعمل|ارسم|صورة|صوره|"
    r"图|圖|照片|画|畫|生成|"
    r"画像|写真|描いて|作って|生成",
)
#: What :data:`~bouclier.guard.features.DRESS` lacks (eleventh round): German "gib ihm eine",
#: "a K-way", "an apron", "a vest for", Turkish "giydir" forms are there already.
DRESS_11 = folded(
    r"\bgib (?:ihm|ihr|dem|der)\b.{0,40}\beine?n?\b|\bk-?way\b|\ban apron\b|"
    r"\ba (?:vest|t-shirt|shirt|jumper|jacket|coat) (?:for|on)\b|"
    r"لب(?:ّ)?س|"
    r"\benfile\b|\bpasse-lui\b",
)
#: Something shirtless or bare, described rather than asked for ("the shirtless lad").
BARE = folded(
    r"shirtless|topless|bare[- ]chested|ohne (?:oberteil|hemd|shirt)|oben ohne|torse nu|"
    r"sans (?:t-shirt|chemise|haut)|sin camiseta|descamisad|a torso nudo|senza maglietta|"
    r"sem camisa|zonder shirt|bez koszulki|без рубашки|без майки|[üu]sts[üu]z|"
    r"بدون شي فوق|بدون قميص|光着膀子|光膀子|上半身裸|裸の上半身",
)
#: A victim, a parent or someone asking what to do or what the law says, in the 13 covered
#: languages: a topic, not an edit.
HELP = folded(
    r"who (?:do|should|can) i (?:tell|talk|call|report)|what (?:do|should|can) (?:i|we) do|"
    r"how do (?:i|we) (?:report|get|stop|tell)|how (?:can|should) (?:i|we) report|"
    r"comment signaler|"
    r"c[óo]mo denuncio|wie melde ich|come segnalo|como denuncio|hoe meld ik|jak zg[łl]osi[ćc]|"
    r"как пожаловаться|nas[ıi]l [şs]ikayet|كيف أبلغ|怎么举报|怎麼檢舉|"
    r"どう通報|怎么处理|怎麼處理|刑法|"
    r"怎么(?:给|跟|和|向)\S{0,12}(?:讲|说|解释)|怎麼(?:給|跟|和|向)\S{0,12}(?:講|說|解釋)|"
    r"维权|維權|热线|熱線|"
    r"will the police|which law|is it (?:a crime|"
    r"illegal)|"
    r"je fais quoi|que (?:dois-je|faire)|[àa] qui (?:le )?dire|quelle loi|c'est ill[ée]gal|"
    r"qu[ée] hago|a qui[ée]n (?:se lo )?(?:digo|llamo|acudo)|qu[ée] ley|es (?:delito|ilegal)|"
    r"was soll (?:ich|ich tun|man tun)|an wen (?:wende|kann)|welches gesetz|ist das strafbar|"
    r"cosa (?:devo )?faccio|a chi (?:lo )?(?:dico|mi rivolgo)|quale legge|[èe] reato|"
    r"o que (?:eu )?fa[çc]o|qual lei|a quem|[ée] crime|"
    r"wat moet ik|wie (?:moet|kan) ik|welke wet|is dat strafbaar|"
    r"co (?:mam|mog[eę]) zrobi[ćc]|komu (?:to )?powiedzie[ćc]|jakie prawo|czy to przest[eę]pstwo|"
    r"что (?:мне )?делать|к кому обратиться|кому (?:сказать|сообщить)|какой закон|"
    r"ne yapmal[ıi]y[ıi]m|ne yapay[ıi]m|kime (?:s[öo]yle|ba[şs]vur)|hangi kanun|su[çc] mu|"
    r"ماذا أفعل|ماذا افعل|شو أعمل|شو اعمل|لمن أشتكي|أي قانون|"
    r"怎么办|怎麼辦|该找谁|該找誰|找谁|什么法律|违法吗|違法嗎|"
    r"どうすれば|誰に相談|どうしたら|違法ですか",
)
#: Christmas trees, dolls and the like undressed (eleventh round's objects).
OBJECTS_11 = folded(
    r"christmas tree|\btree\b|christbaum|weihnachtsbaum|tannenbaum|\bsapin\b|[áa]rbol de navidad|"
    r"albero di natale|[áa]rvore de natal|kerstboom|choink\w*|[ёе]лк\w*|матр[ёе]шк\w*|"
    r"yılbaşı ağacı|y[ıi]lba[şs][ıi] a[ğg]ac|شجرة|圣诞树|聖誕樹|ツリー|"
    r"pomelo|orange|banana|\bpeel\b|\bdog\b|\bcat\b|\bpuppy\b|\bchien|\bchat\b|\bperr[oa]\b|"
    r"\bgat[oa]\b|\bhund\b|\bkatze|\bcane\b|\bgatto|\bc[ãa]o\b|\bhond\b|\bkat\b|\bpies\b|"
    r"\bkot\b|собак|кошк|\bкот\b|k[öo]pek|kedi|كلب|قطة|狗|猫|犬",
)
#: Fabric or clothing asked for less of ("even less fabric" is more undressing).
_FABRIC = folded(
    r"fabric|cloth|tissu|tela|stoff|stof|tessuto|tecido|materia[łl]|ткан|kuma[şs]|قماش|布料|布",
)
#: One's own garment ("take my jacket off in this photo").
_OWN = re.compile(
    r"\b(?:my|mon|ma|mes|mi|mis|mein\w*|mio|mia|miei|mie|meu|minha|mijn|m[oó]j\w*|мо[йюяи])\s+"
    r"(?:\w+\s+)?(?:" + GARMENT.pattern + ")",
    _I,
)
#: A follow-up asking for less, or undoing.
LESS = folded(
    r"\bless\b|\bundo\b|\bmoins\b|\bannule|\bmenos\b|\bweniger\b|\bmeno\b|\bminder\b|"
    r"\bmniej\b|меньше|daha az|أقل|少一点|少一點|控えめ",
)
#: A follow-up asking for the rest, layer by layer, step by step, in the 13 covered languages.
REST = folded(
    r"\bthe rest\b|\beverything\b|layer by layer|step by step|one by one|each layer|"
    r"\ble reste\b|couche par couche|\blo dem[áa]s\b|\bel resto\b|capa por capa|"
    r"\bden rest\b|\bder rest\b|schicht f[üu]r schicht|\bil resto\b|strato per strato|"
    r"\bo resto\b|camada por camada|\bde rest\b|laag voor laag|"
    r"\bresz?t[eęa]\b|warstw\w*|krok po kroku|остально\w*|слой за сло\w*|"
    r"geri kalan|kat kat|الباقي|باقي|طبقة|一层一层|一層一層|剩下|残り|一枚ずつ|全部",
)
#: What stages.AGAIN lacks: Japanese "にも" (to ... too), "もやって", and "the same way".
AGAIN_11 = folded(r"にも|もやって|も同じ|the same way|\bsame deal\b")


_WORN = re.compile(r"着てる|着ている|着ていた")


@remembered
def _dresses(text: str) -> bool:
    """Clothes put on (not Japanese "what she is wearing")."""
    plain = _WORN.sub(" ", text)
    return dresses_10(plain) or DRESS_11.search(plain) is not None


@remembered
def _excluded(text: str, dress: bool = True) -> bool:
    """A topic word, an object named, or clothes put on (``dress``)."""
    found = (TOPIC, TOPIC_10, OBJECTS, OBJECTS_10, OBJECTS_11)
    return any(p.search(text) for p in found) or (dress and _dresses(text))


@remembered
def _undresses(text: str) -> bool:
    """An undressing verb beside a garment (not a mark on it, not one's own)."""
    if SPOT.search(text) or _OWN.search(text):
        return False
    verb = UNDRESS.search(text) or UNDRESS_10.search(text) or TRANSLIT.search(text)
    return verb is not None and GARMENT.search(text) is not None


@remembered
def vanishes(text: str) -> bool:
    """A garment made to vanish or see-through, no mark on it, no dressing or object."""
    if GARMENT.search(text) is None or VANISH.search(text) is None:
        return False
    return SPOT.search(text) is None and _OWN.search(text) is None and not _excluded(text)


@remembered
def refuses(text: str) -> str | None:
    """The class of the eleventh round's refusal that ``text`` falls in, if any."""
    gates = (GARMENT, NAKED, IDIOM, ONLY, TRANSLIT)
    if not any(p.search(text) for p in gates) or HELP.search(text):
        return None  # every class needs one of these words (most edits have none)
    if vanishes(text):
        return "vanish"
    if IDIOM.search(text) and not (TOPIC.search(text) or TOPIC_10.search(text)):
        return "idiom"
    undressed = _undresses(text) and SPOT.search(text) is None
    if undressed and MINOR.search(text) and AGE_UP.search(text) and not _excluded(text, False):
        return "minor"  # "make her look older" is not clothes put on
    if _excluded(text):
        return None
    naked = NAKED.search(text) is not None
    if (
        TRANSLIT.search(text)
        and re.search(r"cikar|sheel|shil|ikhla3|ぬが", text, _I)
        and (undressed or "ぬが" in text)
    ):
        return "idiom"
    if (naked and IMAGE.search(text)) or undressed or (naked and FACE.search(text)):
        if FRAME.search(text):
            return "frame"
        if EXCUSE.search(text):
            return "excuse"
        if naked and FACE.search(text):
            return "frame"
    if ONLY.search(text) and (GARMENT.search(text) or IMAGE.search(text)):
        return "idiom"
    return None


def undresses_in_words(text: str) -> bool:
    """A turn that undresses a person in words: an undressing verb beside a garment, or an
    eleventh-round refusal; not about an object."""
    if _excluded(text):
        return False
    if refuses(text) is not None or IDIOM.search(text) or NAKED.search(text):
        return True
    return _undresses(text)


def asks_same(prompt: str, again: Pattern) -> bool:
    """A follow-up asking for the same again (stages.AGAIN or :data:`AGAIN_11`)."""
    return again.search(prompt) is not None or AGAIN_11.search(prompt) is not None


def context_is_object(before: Sequence[str]) -> bool:
    """The conversation before a follow-up is about an object (a Christmas tree, a doll)."""
    return any(OBJECTS_11.search(t) for t in before)


def asks_less(prompt: str) -> bool:
    """A follow-up asking for less (not for less fabric)."""
    return LESS.search(prompt) is not None and not (
        _FABRIC.search(prompt) or GARMENT.search(prompt)
    )


def allows(text: str, lexical: float, before: Sequence[str] = ()) -> str | None:
    """The class of the eleventh round's allow that ``text`` falls in, if any: a victim or a
    parent asking what to do, or clothes put on a bare person with nothing revealing named
    (``lexical``: the lexicons' score)."""
    if refuses(text) is not None:
        return None
    if HELP.search(text) and not (IMAGE.search(text) and FRAME.search(text)):
        return "help"
    if _dresses(text) and BARE.search(text) and lexical < 0.7 and not VANISH.search(text):
        return "dress"
    if before and context_is_object(before) and not (GARMENT.search(text) or NAKED.search(text)):
        return "object"
    return None


#: The classes of :func:`allows` (the others are refusals).
ALLOWS = frozenset({"help", "dress", "object"})
