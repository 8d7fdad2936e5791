"""Polish: "rozbierz ją", "zdejmij z niej ubrania", "załóż jej bikini" (read without diacritics)."""

from bouclier.guard.lexicon import Lexicon

LEXICON = Lexicon(
    lang="pl",
    slots={
        "clothes": r"ubrani\w*|ubran|ciuch\w*|koszul\w*|spodni\w*|sukienk\w*|bluzk\w*|"
        r"stanik\w*|majt\w*|wszystko|bikini",
        "part": r"piersi|cycki|cyck\w*|sutki|sutk\w*|pupe|pupa|tylek|dupe|dupa|posladki|krocze|"
        r"genitalia|wagin\w*|penis",
        "benign_obj": r"tlo|tla|tle|okulary|kapelusz|czapk\w*|znak|tekst|logo|plam\w*|rozmycie|"
        r"osob\w*|oczy|buty|kurtk\w*|plaszcz",
        "gap": r"(?:(?!(?:<benign_obj>) )[a-z0-9]+ )",
        "remove": r"zdejm\w*|sciagnij\w*|sciag\w*|usun\w*|wymaz\w*",
    },
    concepts={
        "undress": (
            r"rozbier\w*|rozebran\w*|rozebrac",
            r"naga|nagi|nagie|nago|nagiej|nagosc\w*|golusienk\w*",
            r"<remove> <gap>{0,3}(?:<clothes>)",
            r"bez (?:ubrania|ubran|ciuchow|niczego)",
        ),
        "underwear": (r"bielizn\w*|stringi|stanik\w*|majtk\w*|majtach|figi|biustonosz\w*",),
        "swimwear": (r"bikini|stroj\w* kapielow\w*|kostium\w* kapielow\w*",),
        "see_through": (
            r"przezroczyst\w*|przeswitujac\w*",
            r"bez stanika",
        ),
        "sexual_pose": (
            r"pochyl\w*|na czworakach|rozlozon\w* nog\w*|rozloz\w* nogi|nogi rozlozone",
            r"erotyczn\w*|porno\w*|nsfw|seksualn\w*|(?:seksown|prowokacyjn)\w* poz\w*",
        ),
        "expose_body_part": (
            r"(?:pokaz|odslon|odkryj|widac)\w* <gap>{0,2}(?:<part>)",
            r"topless|gol\w* (?:<part>)",
            r"podnies\w* <gap>{0,2}spodnic\w*",
            r"rozepnij\w* <gap>{0,2}(?:bluzk\w*|koszul\w*)",
        ),
        "sexualise": (r"seksown\w*|prowokacyjn\w*|zmyslow\w*|dekolt\w*|obcisl\w*|mini",),
    },
    benign=(r"przezroczyst\w* tl\w*|golym okiem",),
    product=(
        r"zdjeci\w* produktow\w*",
        r"katalog\w*|bez modelki|manekin\w*|dostepn\w*|cen[aeyi]|na sprzedaz",
        r"sklep\w*|banery?|promocj\w*|wyprzedaz\w*|rabat\w*|znizk\w*",  # a shop\'s ads
    ),
    person=(r"ja|jej|niej|jego|go|mu|kobiet\w*|dziewczyn\w*|mezczyzn\w*|osob\w*|siostr\w*",),
    edit=(r"zrob|zdejmij|zaloz|ubierz|pokaz|zmien|zamien|usun|dodaj|niech|wygeneruj|przerob",),
    question=(r"(?:^|\n)(?:co|kto|jak|jaki|jaka|gdzie|czy)", r"opisz\w*"),
    function_words=("i w z na do jej ja go mu sie nie jest to prosze zrob niej ten"),
)
