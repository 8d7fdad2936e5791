"""The lexicons, one module per language, listed explicitly (no discovery): :data:`LEXICONS`."""

from __future__ import annotations

from bouclier.guard.lexicon import Lexicon
from bouclier.guard.lexicons import de, en, es, fr, it, nl, pl, pt

LEXICONS: tuple[Lexicon, ...] = (
    en.LEXICON,
    fr.LEXICON,
    es.LEXICON,
    de.LEXICON,
    it.LEXICON,
    pt.LEXICON,
    nl.LEXICON,
    pl.LEXICON,
)
