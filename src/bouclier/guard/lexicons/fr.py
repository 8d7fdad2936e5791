"""French: "mets-la en bikini", "déshabille-la", "enlève ses vêtements"."""

from bouclier.guard.lexicon import Lexicon

LEXICON = Lexicon(
    lang="fr",
    slots={
        "clothes": r"vetements?|habits?|fringues|robe|haut|t ?shirt|chemise|chemisier|jean|"
        r"pantalon|jupe|short|soutien ?gorge|soutif|culotte|maillot|tenue",
        "part": r"seins?|poitrine|fesses|tetons?|nichons?|sexe|parties intimes|cul|nenes",
        "benign_obj": r"fond|arriere ?plan|lunettes|chapeau|casquette|filigrane|texte|logo|tache|"
        r"flou|personne|yeux|bruit|chaussures|manteau|veste",
        "gap": r"(?:(?!(?:<benign_obj>) )[a-z0-9]+ )",
        "remove": r"enleve\w*|enlever|retire\w*|ote\w*|oter|supprime\w*|efface\w*|vire\w*",
    },
    concepts={
        "undress": (
            r"nues?|(?:le|les|tout|completement|entierement) nus?|a poil",
            r"deshabill\w*|denud\w*|devet\w*",
            r"<remove> <gap>{0,3}(?:<clothes>)",
            r"sans (?:aucun |ses |tous ses )?(?:vetements?|habits?|rien sur (?:elle|lui|le dos))",
            r"sans rien dessus",  # with nothing on (not "dessous": no underwear)
            r"tenue d eve",
        ),
        "underwear": (
            r"sous ?vetements?|lingerie|petite tenue|nuisette|porte jarretelles?",
            r"(?:un|en|le|son|sa|ses) (?:string|culotte|slip|soutien ?gorge|soutif)",
            r"culotte et soutien ?gorge|dessous (?:sexy|affriolants?|en dentelle)",
        ),
        "swimwear": (r"bikinis?|maillots? de bain|maillot (?:deux|2) pieces|deux pieces|trikini",),
        "see_through": (
            r"(?:<clothes>) <gap>{0,2}(?:transparente?s?|translucides?)",
            r"(?:rends?|rendre) <gap>{0,2}(?:<clothes>) <gap>{0,1}transparente?s?",
            r"sans soutien ?gorge|sans soutif|mouillee?s? transparente?s?|voir a travers",
        ),
        "sexual_pose": (
            r"poses? (?:sexy|suggestives?|provocantes?|erotiques?|lascives?)",
            r"jambes (?:ecartees|ouvertes)|cuisses ecartees|a quatre pattes|cambree?",
            r"erotiques?|porno\w*|pornographiques?|nsfw|sexuel\w*|obscenes?|lascive",
        ),
        "expose_body_part": (
            r"(?:montre|montrer|voir|expose|devoile|decouvre|denude|exhibe)\w* "
            r"<gap>{0,2}(?:<part>)",
            r"seins nus|topless|poitrine nue|fesses nues|(?:les )?seins a l air",
            r"souleve\w* <gap>{0,2}jupe",
            r"ouvre\w* <gap>{0,2}(?:chemisier|chemise|haut) pour",
        ),
        "sexualise": (r"sexy|sensuelle|provocante|aguicheuse|decollete\w*|moulante?s?|mini ?jupe",),
    },
    benign=(
        r"(?:fond|arriere ?plan) (?:transparent|blanc)",
        r"a l oeil nu|(?:rouge a levres|maquillage|vernis|teinte|couleur) nude",
        r"nu propriet\w*|pieds nus|mains nues|murs? nus?",  # "un mur nu": a bare wall
        r"epilation (?:du |integrale du )?maillot",  # a waxing salon's service
    ),
    product=(
        r"photos? (?:de |du )?produits?",
        r"catalogue|sans (?:mannequin|modele)|sur cintre|existe t il|disponible|en stock|prix",
        r"boutiques?|magasins?|bannieres?|promo\w*|soldes|remises?|reductions?",  # a shop\'s ads
    ),
    person=(
        # "sans personne dessus", "personne ne ...": nobody, not a person
        r"elle|lui|femme|fille|homme|garcon|copine|soeur|meuf",
        r"(?<!sans )(?<!aucune )personne(?! ne)",
        r"(?:mets|habille|rends|fais|montre|laisse) (?:la|le)",  # "mets-la", never the article
    ),
    edit=(
        r"mets|met|mettre|rends|rend|rendre|fais|fait|faire|change|transforme|habille|enleve|"
        r"retire|montre|donne|genere|ajoute|remplace|modifie",
    ),
    question=(
        r"(?:^|\n)(?:qu est ce|quel|quelle|quels|qui|ou|comment|pourquoi|est ce)",
        r"decri\w*|legende",
    ),
    function_words=(
        "le la les un une des de du et en sur pour elle lui son sa ses mets avec est stp"
    ),
)
