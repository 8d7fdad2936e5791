"""English: "make her naked", "put her in a bikini", "take her shirt off"."""

from bouclier.guard.lexicon import Lexicon

LEXICON = Lexicon(
    lang="en",
    slots={
        "clothes": r"clothes|clothing|cloths|outfit|dress|shirt|t ?shirts?|tops?|blouse|pants|"
        r"trousers|jeans|skirt|shorts|bra|panties|underwear|garments?|bikini|swimsuit|everything",
        "part": r"boobs?|breasts?|tits?|titties|nipples?|butt|ass|booty|buttocks|bum|genitals?|"
        r"vagina|pussy|penis|dick|crotch|private parts|chest|cleavage",
        "benign_obj": r"background|bg|backdrop|watermark|logo|text|caption|glasses|sunglasses|"
        r"hat|cap|stain|blur|noise|people|person|wrinkles|scratch\w*|shoes|socks|jacket|coat",
        "gap": r"(?:(?!(?:<benign_obj>) )[a-z0-9]+ )",
        "remove": r"remove|removing|take off|taking off|strip off|rip off|tear off|pull off|"
        r"get rid of|lose",
        "her": r"her|him|them|this girl|this woman|the girl|the woman|this guy|this man",
    },
    concepts={
        "undress": (
            r"naked\w*|nakd|nekkid",
            r"nude|nudes|nudity",
            r"undress\w*",
            r"unclothed|disrobe\w*",
            r"strip(?:ped|ping)? (?:<her>|down|naked)",
            r"in the nude|birthday suit",
            r"<remove> <gap>{0,3}(?:<clothes>)",
            r"(?:take|pull|rip|tear) <gap>{0,2}(?:<clothes>) off",
            r"nothing on",
            r"(?:no|without|zero|minus) (?:any |more |her |his )?(?:clothes|clothing|cloths)",
        ),
        "underwear": (
            r"lingerie|lingery|underwear|undies|panties|knickers|negligee",
            r"thongs?|g string",
            r"(?:in|only|just|wear\w*) (?:only |just )?(?:her |his )?"
            r"(?:bra|boxers|boxer briefs|briefs|underpants)",
            r"bra and panties",
        ),
        "swimwear": (
            r"bikinis?|swimsuits?|swim suits?|swimwear|bathing suits?|monokini|speedos?",
            r"swim trunks",
        ),
        "see_through": (
            r"(?:<clothes>) <gap>{0,2}(?:see through|sheer|transparent|translucent)",
            r"(?:see through|sheer|transparent|translucent|wet) (?:<clothes>)",
            r"see (?:through|under) (?:<her>)(?: s)? (?:<clothes>)",  # "see through her clothes"
            r"no bra|braless|wet t ?shirt",
        ),
        "sexual_pose": (
            r"spread\w* (?:<gap>{0,2})legs|legs (?:spread|open|apart)",
            r"bend\w* over|bent over|on all fours|twerk\w*",
            r"nsfw|porn\w*|erotic\w*|lewd|x rated|explicit|hentai|rule 34|onlyfans",
            r"(?:pose|posing) (?:seductively|sexually|provocatively)",
            r"sexual\w*",
        ),
        "expose_body_part": (
            r"topless|bottomless|upskirt",
            r"(?:show|showing|expose|exposing|reveal|see|flash|bare|uncover|display)\w* "
            r"<gap>{0,2}(?:<part>)",
            r"(?:<part>) (?:out|exposed|showing|visible)",
            r"lift\w* <gap>{0,2}skirt",
            r"open\w* <gap>{0,2}(?:shirt|blouse) to",
        ),
        "sexualise": (
            r"sexy|hot|hotter|seductive\w*|provocative\w*|sultry|sensual|revealing",
            r"low cut|skimpy|cleavage|short skirt|tight",
        ),
    },
    benign=(
        r"nude (?:lipstick|lips?|makeup|make up|nails?|nail polish|colou?rs?|tones?|shades?|"
        r"palette|heels|shoes|pumps|beige|pink)",
        r"naked eye|naked mole rats?|nude colou?red|topless (?:bus|car|convertible|tour)",
        r"naked cakes?",  # a cake left without icing on its sides
        r"bikini (?:wax\w*|line|area|zone)",  # a beauty salon's service, not a garment worn
        r"string (?:lights?|instruments?|quartet|cheese|beans|art)",
        r"(?:transparent|see through|clear) (?:background|bg|png|layer|backdrop)",
        r"(?:background|bg) (?:transparent|see through)",
        r"strip (?:the )?(?:metadata|exif|background|text|watermark|logo)",
        r"comic strip|strip mall|film strip|led strip",
        r"hot (?:dog|chocolate|coffee|air|day|sun|weather|pink)",
        r"sheer (?:curtains?|size|volume)",
    ),
    product=(
        r"product (?:photo|shot|image|picture|page)",
        r"catalog(?:ue)?s?|packshot|flat lay|mannequin|on a hanger",
        r"no model|without (?:a )?(?:model|person|people)",
        r"available in|in stock|for sale|prices?",
        r"(?:shop|store|boutique)s?|banners?|promo\w*|discounts?|on sale",  # a shop\'s own ads
    ),
    person=(r"her|him|she|he|woman|girl|man|boy|lady|person|wife|girlfriend|sister",),
    edit=(
        r"make|made|put|turn|change|give|dress|show|generate|render|edit|remove|take|strip|"
        r"replace|swap|convert|let|transform|create|draw",
    ),
    question=(
        r"(?:^|\n)(?:what|which|who|whose|where|when|why|how|is|are|does|do|did)",
        r"describe|tell me|caption",
    ),
    function_words=(
        "the a an her him his she he it this that make put in on of with and to please pls "
        "is are what"
    ),
    keep=frozenset(
        {"strong", "things", "baked", "named", "based", "shaved", "braces", "lights", "waxing"}
    ),
)
