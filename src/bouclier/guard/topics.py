"""What a prompt is about, beyond a request to edit someone: objects, and the harm as a topic.

* :data:`OBJECTS`: words naming a thing that is not a person (mannequins and display dummies,
  statues, dolls, teddy bears, scarecrows, snowmen, signs, posters, shops, price tags, clothes
  racks, covers of cars and sofas, lipstick shades, Christmas trees: Polish "rozbierz
  choinkę" takes the baubles off), in the covered languages. The sentence
  model may overrule the lexicons only when one of them is there ("undress the mannequin in the
  shop window", "nude lipstick").
* :data:`TOPIC`: words of a question *about* intimate-image abuse rather than an edit: reporting
  and take-downs, the law, the police, blackmail and sextortion, victims, prevention talks
  ("how do I get a fake nude of me taken down?", "what does the law say about sexual
  deepfakes?"). A prompt that names the topic is allowed with its own explanation when the model
  reads no request to undress anyone (bouclier.guard.stages); the words alone never allow a
  prompt the model refuses ("it's legal, she agreed, undress her" stays refused).
"""

from __future__ import annotations

from bouclier.guard.folding import folded

OBJECTS = folded(
    r"mannequin|manequim|maniqu[ií]|manichino|schaufensterpuppe|etalagepop|manekin|манекен|"
    r"マネキン|模特|مانيكان|manken|próbabab|figurín|statue|statua|estatua|estátua|standbeeld|"
    r"beeld|pos[aą]g|стату|雕像|銅像|像|تمثال|heykel|marb|mármol|marmo|mármore|marmer|marmur|"
    r"мрамор|mermer|رخام|大理石|\bsign\b|enseigne|panneau|letrero|cartel|schild|insegna|placa|"
    r"\bbord\b|bordje|szyld|вывеск|招牌|看板|لافتة|tabela|\bdoll|poupée|muñec|puppe|bambola|boneca|"
    r"\bpop\b|lalk|кукл|娃娃|人形|دمية|bebe[gğk]|poster|affiche|logo|magasin|tienda|laden|"
    r"negozio|\bloja|winkel|sklep|магазин|店|mağaza|\bshop|\bstore\b|vitrine|vitrina|etalage|"
    r"schaufenster|witryn|витрин|橱窗|ショーウィンドウ|vitrin|واجهة|فترينة|price tag|\blabel|"
    r"étiquette|etiqueta|etichett|cartellino|preisschild|etiket|prijskaart|metk|ценник|价签|"
    r"標签|値札|fiyat|سعر|scarecrow|épouvantail|espantap|vogelscheuche|spaventapasseri|"
    r"espantalho|vogelverschrikker|strach na wr|чучел|korkuluk|فزاعة|稻草人|かかし|案山子|"
    r"teddy|peluche|nounours|osito|kuscheltier|orsacchiott|ursinho|knuffel|\bmi[sś]\b|misi[ua]|плюшев|"
    r"мишк|ayıcık|دبدوب|泰迪|ぬいぐるみ|snowman|bonhomme de neige|muñeco de nieve|schneemann|"
    r"pupazzo di neve|boneco de neve|sneeuwpop|bałwan|снегов|kardan adam|رجل الثلج|雪人|"
    r"雪だるま|\bcar\b|voiture|coche|\bauto\b|carro|samoch|машин|araba|سيارة|عربية|汽车|車|"
    r"\bdumm(?:y|ies)\b|clothes (?:rack|rail)|coat rack|portant|perchero|kleiderst[aä]nder|"
    r"appendiabiti|arara de roupa|kledingrek|wieszak|вешалк|"
    r"sofa|canapé|sofá|divano|kanap|диван|kanepe|كنب|沙发|ソファ|lipstick|rouge à lèvres|"
    r"pintalabios|labial|rossetto|batom|lippenstift|szminka|помад|\bruj|أحمر شفاه|口红|口紅|"
    r"christmas tree|sapin|árbol de navidad|weihnachtsbaum|tannenbaum|albero di natale|"
    r"árvore de natal|kerstboom|choink|\bёлк|\bелк|yılbaşı ağacı|شجرة الميلاد|圣诞树|"
    r"クリスマスツリー",
)

TOPIC = folded(
    # en
    r"\breport(?:ing|ed)?\b|taken? down|takedown|\blaws?\b|\blegal|illegal|\bpolice|"
    r"blackmail|sextort|extort|threaten|\bvictims?\b|\bcrime\b|revenge porn|"
    # fr
    r"signaler|signalement|\bloi\b|ill[eé]gal|gendarmerie|porter plainte|chantage|sextorsion|"
    r"menace|victime|\bd[eé]lit\b|faire (?:supprimer|retirer|effacer|disparaitre|disparaître)|"
    # es, pt
    r"denunci|\bley\b|ilegal|polic[ií]a|chantaj|sextorsi|amenaz|v[ií]ctima|\bdelito|"
    r"\blei\b|chantag|amea[cç]|\bcrime\b|"
    # de
    r"\bmelden|anzeige|gesetz|strafbar|polizei|erpress|\bdroht|\bopfer|"
    r"(?:löschen|entfernen) lassen|"
    # it
    r"segnala|\blegge\b|illegale|\breato|polizia|ricatt|minacc|vittim|far (?:rimuovere|cancellare)|"
    # nl
    r"aangifte|\bwet\b|illegaal|politie|chantage|\bdreig|slachtoffer|"
    r"laten (?:verwijderen|weghalen)|"
    # pl
    r"zgłos|zglos|\bprawo\b|prawn|nielegaln|przestęp|policj|szantaż|szantaz|grozi|\bofiar|"
    # ru
    r"пожаловат|жаловат|заявлени|удалить из интернета|закон|полици|шантаж|секстор|угрож|"
    r"жертв|"
    # tr
    r"şikayet|sikayet|\bbildir|kaldırt|\byasa|kanun|\bsuç|\bpolis\b|şantaj|tehdit|mağdur|"
    # ar
    r"أبل[ّ]?غ|إبلاغ|بلاغ|قانون|جريمة|شرطة|ابتزاز|يبتز|تهديد|يهدد|ضحية|"
    # zh, ja
    r"举报|舉報|投诉|法律|违法|違法|犯罪|报警|警察|勒索|敲诈|威胁|受害|通報|削除依頼|脅迫|"
    r"被害|セクストーション",
)

#: What the tenth round adds to :data:`OBJECTS` (intent-10 only): glass made opaque or a screen
#: (frosted, steamed, a shower screen: "make the shower screen frosted instead of see-through"
#: shares its words with a see-through request, and names no person).
OBJECTS_10 = folded(
    r"shower (?:screen|door|glass|curtain)|\bfrosted|\bsteam(?:ed|y)\b|fogged|pare-douche|"
    r"\bd[ée]poli|\bbu[eé]e\b|mampara|esmerilad|empa[nñ]ad|duschwand|duschkabine|milchglas|"
    r"beschlagen|box doccia|satinat|appannat|box de (?:duche|banho)|jateado|emba[cç]ad|"
    r"douchewand|douchedeur|matglas|beslagen|kabin\w* prysznic|matow|zaparowan|душев\w* (?:кабин|"
    r"шторк|перегородк)|матов|запотевш|duşakabin|buzlu cam|buğulu|كابينة|زجاج|مصنفر|淋浴|磨砂|"
    r"雾气|シャワー|すりガラス|曇りガラス|曇った",
)
#: What the tenth round adds to :data:`TOPIC` (intent-10 only): the verbs of reporting and asking
#: for help that the ninth round's list lacked in some languages (Polish "zgłaszam", Russian
#: "заявлять", "куда обратиться", "who do we call"), and a faked picture of one's own child.
TOPIC_10 = folded(
    r"who (?:do|should|can) (?:we|i) (?:call|contact|tell)|what (?:do|should|can) (?:we|i) do|"
    r"\bhelp (?:me|us)\b|que faire|à qui (?:m'adresser|s'adresser)|porter plainte|"
    r"qu[eé] (?:hago|hacemos|puedo hacer)|a qui[eé]n (?:acudo|llamo)|"
    r"was (?:kann|soll|können|sollen) (?:ich|wir) tun|an wen|"
    r"cosa (?:posso|possiamo|devo) fare|a chi (?:mi rivolgo|rivolgersi)|"
    r"o que (?:fa[cç]o|fazemos|posso fazer)|a quem|wat (?:kan|moet) ik doen|bij wie|"
    r"zg[lł]asz|zg[lł]osi|co (?:mam|mog[eę]|robi[cć])|gdzie (?:to )?zg|"
    r"заявля|заявит|обратиться|куда (?:идти|звонить|обращаться)|что делать|"
    r"ne yapmal|kime (?:başvur|gitmel)|nereye (?:başvur|şikayet)|"
    r"ماذا أفعل|ماذا نفعل|وين أشتكي|لمن أشتكي|أين أبلغ|"
    r"怎么办|该找谁|向谁|どうすれば|どこに相談|相談",
)
