"""Notices under Article 16 of the EU Digital Services Act (Regulation (EU) 2022/2065).

Article 16(2) names what a notice must contain: (a) a sufficiently substantiated explanation of why
the information is illegal; (b) a clear indication of its exact electronic location (the URL) and
what else identifies it; (c) the name and email address of the notifier, **except** for
information considered to involve an offence of Articles 3 to 7 of Directive 2011/93/EU (child
sexual abuse material), where the notice says why they are left out; (d) a statement of the
notifier's bona fide belief that the notice is accurate and complete.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from bouclier.notices.laws.base import Law, host, location_en

if TYPE_CHECKING:
    from bouclier.notices.content import Hotline, ImageHash, NoticeFacts

ELEMENTS = ("explanation", "location", "notifier", "statement")


def write(
    facts: NoticeFacts, hotline: Hotline, hashes: Sequence[ImageHash]
) -> tuple[dict[str, str], str]:
    if facts.minor:
        explanation = (
            "The information at the location below is a sexually explicit image of a minor. "
            "It is child sexual abuse material, whose distribution is an offence under Article 5 "
            "of Directive 2011/93/EU and the laws of every Member State. The hotline acts on the "
            "report of the child or of a parent."
        )
        notifier = (
            "Name and email address not given: under Article 16(2)(c) of Regulation (EU) "
            "2022/2065 they are not required, because this notice concerns information "
            "considered to involve one of the offences referred to in Articles 3 to 7 of "
            "Directive 2011/93/EU (child sexual abuse material). "
            f"Please answer by quoting the reference {facts.reference}."
        )
    else:
        explanation = (
            "The information at the location below is an intimate image of a person, made "
            "available without that person's consent (a non-consensual intimate image). Its "
            "distribution is illegal under the laws of the Member States (for example Article "
            "226-2-1 of the French Penal Code) and is an offence that Article 5 of Directive "
            "(EU) 2024/1385 requires every Member State to punish. The hotline acts on the "
            "report of the person depicted, who did not consent to its publication."
        )
        notifier = f"{hotline.name}\nEmail: {hotline.email}"
        if hotline.address:
            notifier += f"\nPostal address: {hotline.address}"
    if facts.sextortion:
        explanation += " The image is also being used to extort the person depicted (sextortion)."
    explanation += f" Hotline case number: {facts.case_number}."
    elements = {
        "explanation": explanation,
        "location": location_en(facts, hashes),
        "notifier": notifier,
        "statement": (
            f"{hotline.name if not facts.minor else 'The notifier'} confirms its bona fide "
            "belief that the information and allegations contained in this notice are "
            "accurate and complete."
        ),
    }
    subject = f"[{facts.reference}] DSA notice: illegal content at {host(facts.url)}"
    return elements, subject


LAW = Law(
    name="dsa",
    title="Notice of illegal content under Article 16 of Regulation (EU) 2022/2065 "
    "(Digital Services Act)",
    label="EU DSA art. 16",
    language="en",
    elements=ELEMENTS,
    sources={
        "explanation": "Art. 16(2)(a)",
        "location": "Art. 16(2)(b)",
        "notifier": "Art. 16(2)(c)",
        "statement": "Art. 16(2)(d)",
    },
    write=write,
)
