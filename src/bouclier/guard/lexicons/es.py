"""Spanish: "desnúdala", "quítale la ropa", "ponla en bikini"."""

from bouclier.guard.lexicon import Lexicon

LEXICON = Lexicon(
    lang="es",
    slots={
        "clothes": r"ropa|camiseta|camisa|blusa|pantalon\w*|vaqueros|falda|vestido|sujetador|"
        r"bragas|sosten|top|jersey|bikini",
        "part": r"tetas|pechos?|senos?|pezones|culo|trasero|nalgas|vagina|genitales|pene|"
        r"partes intimas|chichis",
        "benign_obj": r"fondo|gafas|lentes|sombrero|gorra|marca|agua|texto|logo|mancha|"
        r"desenfoque|ojos|persona|gente|zapatos|chaqueta|abrigo",
        "gap": r"(?:(?!(?:<benign_obj>) )[a-z0-9]+ )",
        "remove": r"quit\w*|saca\w*|elimin\w*|borra\w*|arranca\w*",
    },
    concepts={
        "undress": (
            r"desnud\w*|desvist\w*|desviste\w*|encuerad\w*",
            r"en pelotas|en bolas|en cueros",
            r"<remove> <gap>{0,3}(?:<clothes>)",
            r"sin (?:nada de |su |la )?ropa|sin nada (?:puesto|encima)",
        ),
        "underwear": (
            r"ropa interior|lenceria|tangas?|bragas|calzones?|calzoncillos|bombacha|brasier",
            r"en (?:sujetador|sosten)|bragas y sujetador",
        ),
        "swimwear": (r"bikinis?|trajes? de bano|banador|trikini",),
        "see_through": (
            r"(?:<clothes>) <gap>{0,2}transparentes?",
            r"(?:haz|hazle|pon) <gap>{0,2}(?:<clothes>) <gap>{0,1}transparentes?",
            r"sin (?:sujetador|sosten)|se le transparenta\w*|ropa transparente",
        ),
        "sexual_pose": (
            r"poses? (?:sexy|provocativa|sensual|erotica)",
            r"a cuatro patas|piernas abiertas|abierta de piernas|empinad\w*|inclinad\w*",
            r"erotic\w*|porno\w*|nsfw|sexual\w*|obscen\w*",
        ),
        "expose_body_part": (
            r"(?:ensen|muestra|mostrar|ver|destapa|descubre|vea)\w* <gap>{0,2}(?:<part>)",
            r"topless|en top less|tetas al aire",
            r"levant\w* <gap>{0,2}falda",
            r"abre\w* <gap>{0,2}(?:blusa|camisa) para",
        ),
        "sexualise": (r"sexy|sensual|provocativa|escotad\w*|ajustad\w*|minifalda",),
    },
    benign=(r"fondo transparente|a simple vista|(?:labial|maquillaje|tono) nude",),
    product=(
        r"fotos? (?:de )?productos?",
        r"catalogos?|sin modelo|maniqui|disponible|en stock|precios?|a la venta",
        r"tiendas?|banners?|pancartas?|promo\w*|rebajas|descuentos?|ofertas?",  # a shop\'s ads
    ),
    person=(
        r"ella|ponla|ponle|ponlo|vistela|hazla|dejala",  # clitics, never the articles "el", "la"
        r"mujer|chica|nina|hombre|chico|persona|novia|hermana",
    ),
    edit=(
        r"pon|ponla|ponle|ponlo|haz|hazla|hazle|cambia\w*|transforma|viste\w*|quita\w*|"
        r"muestra|ensena\w*|genera|crea|anade|reemplaza|deja\w*",
    ),
    question=(r"(?:^|\n)(?:quien|cual|como|donde|por que)", r"describe\w*"),
    function_words=("el la los las un una de del y en con su sus que por favor porfa ponla es"),
)
