"""Italian: "spogliala", "toglile i vestiti", "mettila in bikini"."""

from bouclier.guard.lexicon import Lexicon

LEXICON = Lexicon(
    lang="it",
    slots={
        "clothes": r"vestiti|abiti|maglietta|maglia|pantaloni|gonna|reggiseno|mutandine|camicia|"
        r"camicetta|jeans|top|vestito|bikini",
        "part": r"tette|seno|seni|capezzoli|sedere|culo|chiappe|genitali|vagina|pene|"
        r"parti intime",
        "benign_obj": r"sfondo|occhiali|cappello|filigrana|testo|logo|macchia|sfocatura|persona|"
        r"occhi|scarpe|giacca|cappotto",
        "gap": r"(?:(?!(?:<benign_obj>) )[a-z0-9]+ )",
        "remove": r"togli\w*|rimuov\w*|elimina\w*|cancella\w*|leva\w*",
    },
    concepts={
        "undress": (
            r"spogli\w*|svesti\w*|denud\w*",
            r"nud[aoei]|tutta nuda|nuda",
            r"<remove> <gap>{0,3}(?:<clothes>)",
            r"senza (?:i |nessun |alcun )?(?:vestiti|abiti|niente addosso)",
        ),
        "underwear": (
            r"intimo|lingerie|perizoma|mutandine|biancheria intima|tanga|in mutande",
            r"in (?:slip|reggiseno|reggipetto)|mutandine e reggiseno",
        ),
        "swimwear": (r"bikini|bichini|costum[ei] da bagno|in costume|trikini",),
        "see_through": (
            r"(?:<clothes>) <gap>{0,2}trasparent\w*",
            r"rendi <gap>{0,2}(?:<clothes>) <gap>{0,1}trasparent\w*",
            r"senza reggiseno|bagnat\w* trasparent\w*",
        ),
        "sexual_pose": (
            r"pecorina|a quattro zampe|gambe (?:aperte|divaricate)|a gambe aperte",
            r"pos[ae] (?:sexy|provocante|sensuale|erotica)",
            r"erotic\w*|porno\w*|nsfw|sessual\w*|piegat\w* in avanti|osc[ea]n\w*",
        ),
        "expose_body_part": (
            r"(?:mostra|fai vedere|scopri|esponi|vedere)\w* <gap>{0,2}(?:<part>)",
            r"topless|a seno nudo|seno scoperto",
            r"alza\w* <gap>{0,2}gonna",
            r"apri\w* <gap>{0,2}(?:camicetta|camicia) per",
        ),
        "sexualise": (r"sexy|sensuale|provocante|scollat\w*|attillat\w*|minigonna",),
    },
    benign=(
        r"sfondo trasparente|a occhio nudo|(?:rossetto|trucco|tono) nude",
        # An edit that dresses: a garment put on someone described as bare-chested.
        r"(?:metti|infila)\w* (?:gli |le )?(?:una?|uno) (?:<gap>){1,4}a (?:torso|petto) nudo",
    ),
    product=(
        r"foto (?:del |di )?prodott\w*",
        r"catalog[oh]i?|senza modell\w*|manichino|disponibile|prezz[oi]|in vendita",
        r"negozi?o?|banner|promo\w*|saldi|scont[io]|offert[ae]",  # a shop\'s ads
    ),
    person=(
        r"lei|lui|mettila|mettilo|falla|fallo|rendila|vestila",  # not the articles "la", "le"
        r"donna|ragazza|uomo|ragazzo|persona|fidanzata|sorella",
    ),
    edit=(
        r"metti\w*|rendi\w*|fai|falla|fallo|cambia|trasforma|mostra|togli\w*|vesti\w*|"
        r"aggiungi|sostituisci|genera|crea",
    ),
    question=(r"(?:^|\n)(?:cosa|che cosa|chi|come|quale|dove|perche)", r"descrivi\w*"),
    function_words=("il lo la i gli le un una di del della e in con per favore mettila che sul"),
)
