"""Removal requests under the TAKE IT DOWN Act (United States, 2025).

A valid removal request has: a physical or electronic signature of the depicted individual or a
person authorised to act on their behalf; identification of the depiction and information
reasonably sufficient to locate it; a brief statement of the good-faith belief that it is not
consensual, with information supporting that; information to contact the individual or the
authorised person. The platform removes it within 48 hours, with its known identical copies.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from bouclier.notices.laws.base import Law, contact_en, host, location_en

if TYPE_CHECKING:
    from bouclier.notices.content import Hotline, ImageHash, NoticeFacts

ELEMENTS = ("signature", "identification", "good_faith_statement", "contact")


def write(
    facts: NoticeFacts, hotline: Hotline, hashes: Sequence[ImageHash]
) -> tuple[dict[str, str], str]:
    signature = ""
    if facts.signer:
        signature = (
            f"/s/ {facts.signer}\n"
            f"Electronic signature of {facts.signer}, analyst of {hotline.name}, a person "
            "authorised to act on behalf of the identifiable individual depicted."
        )
    identification = (
        "The intimate visual depiction of the identifiable individual is located at the URL "
        "below. No copy of it is attached to this request.\n" + location_en(facts, hashes)
    )
    if hashes:
        identification += (
            "\nThe Act asks you to make reasonable efforts to identify and remove known "
            "identical copies: the hashes above find them."
        )
    statement = (
        "The identifiable individual has a good-faith belief that the intimate visual depiction "
        "identified above is not consensual: they did not consent to its publication, and "
        f"reported it to {hotline.name} (case {facts.case_number})."
    )
    if facts.minor:
        statement += " The individual depicted is a minor."
    if facts.sextortion:
        statement += " The depiction is being used to extort the individual (sextortion)."
    elements = {
        "signature": signature,
        "identification": identification,
        "good_faith_statement": statement,
        "contact": contact_en(facts, hotline),
    }
    subject = f"[{facts.reference}] TAKE IT DOWN Act removal request: {host(facts.url)}"
    return elements, subject


LAW = Law(
    name="take_it_down",
    title="Removal request under the TAKE IT DOWN Act (United States, 2025)",
    label="US TAKE IT DOWN Act",
    language="en",
    elements=ELEMENTS,
    sources={
        "signature": "signature of the individual or a person authorised to act for them",
        "identification": "identification of the depiction and information to locate it",
        "good_faith_statement": "good-faith statement that the depiction is not consensual",
        "contact": "information to contact the individual or the authorised person",
    },
    write=write,
)
