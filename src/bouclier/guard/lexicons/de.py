"""German: "zieh sie aus", "mach sie nackt", "im Bikini" (umlauts read as plain vowels)."""

from bouclier.guard.lexicon import Lexicon

LEXICON = Lexicon(
    lang="de",
    slots={
        "clothes": r"kleidung|klamotten|kleider|kleid|t ?shirt|hemd|hose|jeans|bluse|rock|bh|"
        r"oberteil|top|pulli|slip|unterwasche|bikini",
        "part": r"brust|bruste|busen|titten|nippel|brustwarzen|hintern|arsch|po|genitalien|"
        r"vagina|penis|muschi|intimbereich",
        "benign_obj": r"hintergrund|wasserzeichen|logo|text|brille|hut|mutze|fleck|unscharfe|"
        r"person|augen|schuhe|jacke|mantel|socken",
        "gap": r"(?:(?!(?:<benign_obj>) )[a-z0-9]+ )",
        "remove": r"entfern\w*|nimm|losch\w*",
        "pron": r"sie|ihn|ihr|ihm|die frau|das madchen|den mann",
    },
    concepts={
        "undress": (
            r"zieh\w* (?:<pron>) (?:ganz |komplett )?aus",
            r"zieh\w* <gap>{0,4}(?:<clothes>) aus",
            r"auszieh\w*|ausgezogen|entkleid\w*|unbekleidet",
            r"\w*nackt\w*|nakt|nackig",
            r"(?:<remove>) <gap>{0,3}(?:<clothes>)",
            r"ohne (?:jegliche |ihre |seine )?(?:kleidung|klamotten|kleider)",
        ),
        "underwear": (
            r"unterwasche|dessous|reizwasche|lingerie|unterhose|boxershorts|tanga|string",
            r"(?:in|im|nur) (?:bh|slip|hoschen|hoeschen)|bh und slip",
        ),
        "swimwear": (r"bikini\w*|badeanzug\w*|badesachen|badehose|badeklamotten",),
        "see_through": (
            r"durchsichtig\w*",
            r"(?:<clothes>) <gap>{0,2}transparent\w*|transparent\w* (?:<clothes>)",
            r"ohne bh",
        ),
        "sexual_pose": (
            r"vorbeug\w*|vorgebeugt|beug\w* sich vor|nach vorne beug\w*",
            r"gespreizt\w* beine\w*|beine (?:gespreizt|breit)|breitbeinig|auf allen vieren",
            r"erotisch\w*|porno\w*|nsfw|sexuell\w*|lasziv\w*|(?:sexy|heisse) pose",
        ),
        "expose_body_part": (
            r"(?:zeig|entbloss|enthull)\w* <gap>{0,2}(?:<part>)",
            r"oben ohne|topless|nackt\w* (?:<part>)",
            r"heb\w* <gap>{0,2}rock|rock hoch",
            r"offne\w* <gap>{0,2}(?:bluse|hemd)",
        ),
        "sexualise": (r"sexy|heiss|verfuhrerisch|aufreizend|freizugig|tiefer ausschnitt|minirock",),
    },
    benign=(r"hintergrund transparent|transparent\w* hintergrund|mit blossem auge",),
    product=(
        r"produktfoto\w*|produktbild\w*",
        r"\w*katalog\w*|ohne model\w*|schaufensterpuppe|gibt es|erhaltlich|verfugbar|preis\w*",
        r"auch in",
        r"\w*laden|shops?|banner|\w*aktion|rabatt\w*|angebot\w*|reduziert",  # a shop\'s ads
    ),
    person=(r"ihr|ihn|ihm|frau|madchen|mann|junge|freundin|schwester",),
    edit=(
        r"mach|zieh|zeig|gib|setz|lass|andere|ersetze|verwandle|entferne|nimm|steck|erzeuge|"
        r"generiere|farbe",
    ),
    question=(r"(?:^|\n)(?:was|wer|wie|welche\w*|wo|warum|ist|sind|tragt)", r"beschreib\w*"),
    function_words=(
        "der die das den dem ein eine einen und sie ihr ihm ist mit auf im bitte nicht mach"
    ),
)
