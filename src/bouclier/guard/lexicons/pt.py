"""Portuguese: "tira a roupa dela", "deixa ela nua", "coloca ela de biquíni"."""

from bouclier.guard.lexicon import Lexicon

LEXICON = Lexicon(
    lang="pt",
    slots={
        "clothes": r"roupas?|camiseta|blusa|calca|saia|sutia|calcinha|vestido|biquini|short|"
        r"shorts|camisa|top",
        "part": r"peitos?|seios?|mamilos?|bunda|rabo|bumbum|buceta|vagina|penis|genitais|"
        r"partes intimas|peitinhos",
        "benign_obj": r"fundo|oculos|chapeu|bone|marca|texto|logo|mancha|desfoque|pessoa|olhos|"
        r"sapatos|jaqueta|casaco",
        "gap": r"(?:(?!(?:<benign_obj>) )[a-z0-9]+ )",
        "remove": r"tira\w*|tire|remov\w*|apag\w*|arranc\w*",
    },
    concepts={
        "undress": (
            r"nua|nuas|pelad\w*|despe|despir|despid[ao]s?|desnud\w*",
            r"<remove> <gap>{0,3}(?:<clothes>)",
            r"sem (?:nenhuma |a |as )?roupas?|sem nada",
        ),
        "underwear": (
            r"roupas? intimas?|lingerie|calcinha|cueca|sutia",
            r"so de (?:calcinha|sutia|cueca)",
        ),
        "swimwear": (r"biquinis?|bikinis?|(?:um|de|o|seu) maio|fio dental|sunga",),
        "see_through": (
            r"(?:<clothes>) <gap>{0,2}transparentes?",
            r"sem sutia|molhad\w* transparente",
        ),
        "sexual_pose": (
            r"(?:coloca|fica|deixa|poe|ponha)\w* <gap>{0,1}de quatro|de quatro$",
            r"pernas abertas|empinad\w*|pose (?:sexy|sensual|provocante)",
            r"erotic\w*|porno\w*|nsfw|sexual\w*|obscen\w*",
        ),
        "expose_body_part": (
            r"(?:mostra|mostrar|mostre|exibe|ver|expoe|revela)\w* <gap>{0,2}(?:<part>)",
            r"topless|(?:peitos|seios) de fora",
            r"levant\w* <gap>{0,2}saia",
            r"abre\w* <gap>{0,2}(?:blusa|camisa) para",
        ),
        "sexualise": (r"sexy|sensual|provocante|decotad\w*|minissaia|gostosa",),
    },
    benign=(r"fundo transparente|a olho nu|(?:batom|maquiagem|tom) nude",),
    product=(
        r"fotos? de produtos?",
        r"catalogos?|sem modelo|manequim|disponivel|precos?|a venda",
        r"lojas?|banners?|promo\w*|liquidacao|descontos?|ofertas?",  # a shop\'s ads
    ),
    person=(r"ela|dela|ele|dele|nela|nele|mulher|menina|garota|homem|pessoa|namorada|irma",),
    edit=(
        r"coloca\w*|poe|ponha|deixa|faz|faca|transforma|muda|troca|tira|veste|mostra|gera|cria|"
        r"adiciona",
    ),
    question=(r"(?:^|\n)(?:o que|quem|qual|como|onde|por que)", r"descreve\w*"),
    function_words=("o a os as um uma de da do dela dele e em com para que ela por favor pfv nao"),
    keep=frozenset({"tornozelo"}),  # the ankle: "torno" is one letter from "porno"
)
