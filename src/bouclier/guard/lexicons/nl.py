"""Dutch: "kleed haar uit", "maak haar naakt", "doe haar een bikini aan"."""

from bouclier.guard.lexicon import Lexicon

LEXICON = Lexicon(
    lang="nl",
    slots={
        "clothes": r"kleren|kleding|kleertjes|shirt|broek|jurk|rok|bh|beha|slipje|bloes|blouse|"
        r"top|trui|bikini",
        "part": r"borsten|tieten|tepels|kont|billen|genitalien|vagina|penis|kruis|borst",
        "benign_obj": r"achtergrond|watermerk|logo|tekst|bril|hoed|pet|vlek|onscherpte|persoon|"
        r"ogen|schoenen|jas|sokken",
        "gap": r"(?:(?!(?:<benign_obj>) )[a-z0-9]+ )",
    },
    concepts={
        "undress": (
            r"kleed\w* <gap>{0,2}uit|uitkleden|uitgekleed|ontkleed\w*",
            r"\w*naakt\w*|bloot",
            r"(?:trek|doe)\w* <gap>{0,3}(?:<clothes>) uit",
            r"(?:haal|verwijder)\w* <gap>{0,3}(?:kleren|kleding)",
            r"zonder (?:kleren|kleding|iets aan)",
        ),
        "underwear": (
            r"ondergoed\w*|lingerie|string|slipje|onderbroek|boxershort|bh en slipje",
            r"in (?:haar |zijn )?(?:bh|beha)",
        ),
        "swimwear": (r"bikini\w*|badpak\w*|zwemkleding|zwembroek",),
        "see_through": (
            r"doorzichtig\w*|doorschijnend\w*",
            r"(?:<clothes>) <gap>{0,2}transparant\w*|transparant\w* (?:<clothes>)",
            r"zonder (?:bh|beha)",
        ),
        "sexual_pose": (
            r"voorover\w*|gespreide benen|benen (?:wijd|gespreid|open)|op handen en knieen",
            r"erotisch\w*|porno\w*|nsfw|seksue\w*|(?:sexy|uitdagende) pose",
        ),
        "expose_body_part": (
            r"(?:laat|toon|ontbloot|zie)\w* <gap>{0,2}(?:<part>)",
            r"blote (?:<part>)|topless",
            r"til\w* <gap>{0,2}rok",
            r"(?:blouse|bloes|shirt) open",
        ),
        "sexualise": (r"sexy|uitdagend\w*|verleidelijk\w*|sensueel|decollete|minirok",),
    },
    benign=(r"transparant\w* achtergrond|achtergrond transparant|met het blote oog",),
    product=(
        r"productfoto\w*",
        r"\w*catalogus|zonder model|paspop|verkrijgbaar|beschikbaar|prijs|prijzen|te koop",
        r"\w*winkels?|banners?|promo\w*|uitverkoop|korting\w*|aanbieding\w*",  # a shop\'s ads
    ),
    person=(r"haar|hem|zij|hij|vrouw|meisje|man|jongen|persoon|vriendin|zus",),
    edit=(r"maak|doe|trek|laat|geef|zet|verander|vervang|verwijder|haal|kleed|toon|genereer",),
    question=(r"(?:^|\n)(?:wat|wie|welke|hoe|waar|waarom|is|zijn)", r"beschrijf\w*"),
    function_words=("de het een en haar hem zijn ze op in met van maak doe aan uit graag aub"),
    keep=frozenset({"onder"}),  # one edit from "zonder": "under the bikinis" is not "without"
)
