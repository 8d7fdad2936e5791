"""The PDF summary of an evidence bundle: what a police officer reads first.

One to three pages in English, the main headings also in the case's language: what Bouclier is,
the case number and its flags, the items with their URLs and times, the re-uploads blocked, the
notices sent and their status, and how to check that the bundle was not altered.

fpdf2's core fonts cover latin-1 only (embedding a Unicode font would add a font file to the
package for little gain): every text goes through :func:`latin1`, which keeps latin-1 letters,
folds accented letters of other scripts to their base letter and writes ``?`` for the rest. URLs
are written in their ASCII form instead (punycode host, percent-encoded path), which is exactly
what a browser sends, so nothing is lost and an officer can type them.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any
from urllib.parse import quote, urlsplit, urlunsplit

from fpdf import FPDF, XPos, YPos

#: Headings, in English and in each case language (English alone for an English case).
HEADINGS: dict[str, dict[str, str]] = {
    "title": {
        "en": "Evidence summary",
        "fr": "Résumé des preuves",
        "es": "Resumen de pruebas",
    },
    "about": {"en": "What Bouclier is", "fr": "Qu'est-ce que Bouclier", "es": "Qué es Bouclier"},
    "case": {"en": "The case", "fr": "Le dossier", "es": "El caso"},
    "items": {"en": "Items reported", "fr": "Éléments signalés", "es": "Elementos denunciados"},
    "reuploads": {
        "en": "Re-uploads blocked",
        "fr": "Republications bloquées",
        "es": "Resubidas bloqueadas",
    },
    "notices": {
        "en": "Notices to platforms",
        "fr": "Notifications aux plateformes",
        "es": "Notificaciones a las plataformas",
    },
    "verify": {
        "en": "How to verify this bundle",
        "fr": "Comment vérifier ce dossier",
        "es": "Cómo verificar este paquete",
    },
}
#: What NFKD does not fold: letters without a decomposition, and typography common in French.
_FOLD = str.maketrans(
    {
        "Ł": "L",
        "ł": "l",
        "Đ": "D",
        "đ": "d",
        "Ħ": "H",
        "ħ": "h",
        "ı": "i",
        "Œ": "OE",
        "œ": "oe",
        "‘": "'",
        "’": "'",
        "“": '"',
        "”": '"',
        "–": "-",
        "—": "-",
        "…": "...",
        "€": "EUR",
        "•": "*",
    }
)
#: Rows shown in a table of the PDF, and characters of a URL: the manifest always has them all.
MAX_ROWS = 25
MAX_URL_SHOWN = 240

ABOUT = (
    "Bouclier is an open-source system that helps people whose intimate images are shared "
    "without their consent to find and stop them. Images are identified by fingerprints: PDQ, a "
    "perceptual hash that survives resizing and re-encoding, and SHA-256, which identifies an "
    "exact file. The fingerprints are computed on the victim's own device; Bouclier keeps them, "
    "the addresses (URLs) where the images were seen and, only when the victim asks and never "
    "for a minor, encrypted copies. Platforms that use Bouclier block re-uploads of matching "
    "images. Every event of a case is recorded in a custody log in which each entry's hash covers "
    "the entry before it, so that no entry can be edited, removed or reordered unnoticed."
)


def latin1(text: str) -> str:
    """``text`` as fpdf2's core fonts can write it (see the module docstring)."""
    out = []
    for ch in text.translate(_FOLD):
        if ord(ch) < 256:
            out.append(ch if ch.isprintable() else " ")
            continue
        base = "".join(
            c for c in unicodedata.normalize("NFKD", ch) if ord(c) < 128 and c.isprintable()
        )
        out.append(base or "?")
    return "".join(out)


def ascii_url(url: str) -> str:
    """A URL in the ASCII form a browser sends: IDNA host, percent-encoded path and query."""
    try:
        parts = urlsplit(url)
        host = parts.hostname or ""
        try:
            host = host.encode("idna").decode("ascii")
        except UnicodeError:
            host = quote(host, safe="")
        netloc = host if parts.port is None else f"{host}:{parts.port}"
        return urlunsplit(
            (
                parts.scheme,
                netloc,
                quote(parts.path, safe="/%:@!$&'()*+,;=-._~"),
                quote(parts.query, safe="/%:@!$&'()*+,;=-._~?"),
                "",
            )
        )
    except ValueError:
        return latin1(url)


def shown_url(url: str) -> str:
    """A URL as the summary shows it: ASCII, cut (and said so) when it is very long."""
    text = ascii_url(url)
    if len(text) <= MAX_URL_SHOWN:
        return text
    return text[:MAX_URL_SHOWN] + "... (cut here: the whole URL is in manifest.json)"


def heading(key: str, language: str) -> str:
    words = HEADINGS[key]
    local = words.get(language)
    return words["en"] if not local or language == "en" else f"{words['en']} / {local}"


def render(
    manifest: Mapping[str, Any],
    *,
    custody_length: int,
    custody_head: str,
    generated_at: datetime,
) -> bytes:
    """The summary of a bundle's ``manifest`` (before its ``custody`` and ``files`` sections are
    known: the log shown is the one before the export's own entry)."""
    case = manifest["case"]
    language = str(case.get("language", "en"))
    pdf = _Pdf(language)
    pdf.set_creation_date(generated_at)
    pdf.set_title(latin1(f"Bouclier evidence summary, case {case['number']}"))
    pdf.set_author("Bouclier")
    pdf.set_auto_page_break(auto=True, margin=15)
    pdf.add_page()

    pdf.set_font("helvetica", "B", 16)
    pdf.text_block(8, f"Bouclier - {heading('title', language)}")
    pdf.set_font("helvetica", "B", 13)
    pdf.text_block(8, f"Case {case['number']}")
    pdf.set_font("helvetica", "", 9)
    pdf.text_block(
        5, f"Generated {manifest['generated_at']} (UTC) by Bouclier {manifest['tool']['version']}"
    )

    pdf.section(heading("about", language))
    pdf.para(ABOUT)

    items: Sequence[Mapping[str, Any]] = manifest["items"]
    reuploads: Sequence[Mapping[str, Any]] = manifest["reuploads"]
    notices: Sequence[Mapping[str, Any]] = manifest["notices"]
    collective = case.get("collective") or {}
    pdf.section(heading("case", language))
    flags = [
        "concerns a MINOR (no copies of images are kept)" if case.get("minor") else None,
        "SEXTORTION reported" if case.get("sextortion") else None,
    ]
    facts = [
        ("Case number", str(case["number"])),
        ("Opened", f"{case['created_at']} (UTC)"),
        ("Status", str(case["status"])),
        ("Flags", "; ".join(f for f in flags if f) or "none"),
        ("Language of the victim", language),
        (
            "Collective case",
            f"yes, {collective.get('cases')} cases filed together"
            if collective.get("member")
            else "no",
        ),
        (
            "Counts",
            f"{sum(1 for i in items if i['kind'] == 'hash')} hashes, "
            f"{sum(1 for i in items if i['kind'] == 'url')} URLs, "
            f"{sum(1 for i in items if i['kind'] == 'evidence')} evidence files, "
            f"{len(reuploads)} re-uploads blocked, {len(notices)} notices",
        ),
    ]
    pdf.facts(facts)

    pdf.section(heading("items", language))
    rows = [
        (
            str(item["id"]),
            str(item["kind"]),
            str(item["status"]),
            str(item["created_at"]),
            shown_url(item["url"])
            if item.get("url")
            else f"SHA-256 {item['sha256']}"
            if item.get("sha256")
            else f"PDQ {item['pdq']}",
        )
        for item in items
    ]
    pdf.rows(
        ("Item", "Kind", "Status", "Added (UTC)", "URL or fingerprint"), rows, (12, 18, 20, 40)
    )

    pdf.section(heading("reuploads", language))
    pdf.rows(
        ("Platform", "Action", "At (UTC)", "Item"),
        [
            (str(r["platform"]), str(r["action"]), str(r["at"]), str(r["item"] or "-"))
            for r in reuploads
        ],
        (50, 30, 60),
    )

    pdf.section(heading("notices", language))
    pdf.rows(
        ("Reference", "Platform", "Law", "Status", "Sent / deadline (UTC)", "URL"),
        [
            (
                str(n["reference"]),
                str(n["platform"]),
                str(n["law"]),
                str(n["status"]),
                f"{n['sent_at'] or '-'} / {n['deadline_at'] or '-'}",
                shown_url(str(n["url"])),
            )
            for n in notices
        ],
        (28, 24, 16, 22, 40),
    )

    pdf.section(heading("verify", language))
    pdf.para(
        f"The custody log of this case had {custody_length} entries before this export; the last "
        f"of them has the SHA-256 {custody_head}. Entry {custody_length + 1} records this export "
        "with the SHA-256 of this summary and of every file of the bundle; its hash, the head of "
        "the log, is in manifest.json (custody.head_sha256). To check the bundle, run "
        "`bouclier evidence verify <bundle.zip>`, or follow VERIFY.txt to check it by hand "
        "with sha256sum. Ask the organisation that issued it for the head hash it holds for this "
        "case: if they are the same, nothing in the bundle was altered."
    )
    return bytes(pdf.output())


class _Pdf(FPDF):
    def __init__(self, language: str) -> None:
        super().__init__(format="A4")
        self.language = language
        self.set_margins(15, 15, 15)

    def footer(self) -> None:
        self.set_y(-12)
        self.set_font("helvetica", "I", 8)
        self.cell(0, 6, f"Bouclier evidence summary - page {self.page_no()}/{{nb}}", align="C")

    def text_block(self, height: float, text: str) -> None:
        """A paragraph across the page; the next one starts on the left margin below it."""
        self.multi_cell(0, height, latin1(text), new_x=XPos.LMARGIN, new_y=YPos.NEXT)

    def section(self, title: str) -> None:
        self.ln(3)
        self.set_font("helvetica", "B", 12)
        self.text_block(7, title)
        self.set_font("helvetica", "", 9)

    def para(self, text: str) -> None:
        self.set_font("helvetica", "", 9)
        self.text_block(4.5, text)

    def facts(self, facts: Sequence[tuple[str, str]]) -> None:
        for label, value in facts:
            self.set_font("helvetica", "B", 9)
            self.cell(48, 5, latin1(label))
            self.set_font("helvetica", "", 9)
            self.text_block(5, value)

    def rows(
        self, header: Sequence[str], rows: Sequence[Sequence[str]], widths: Sequence[float]
    ) -> None:
        if not rows:
            self.para("None.")
            return
        shown = rows[:MAX_ROWS]
        rest = self.epw - sum(widths)
        self.set_font("helvetica", "", 8)
        with self.table(
            col_widths=(*widths, rest)[: len(header)],
            width=self.epw,
            line_height=4.5,
            text_align="LEFT",
            first_row_as_headings=True,
        ) as table:
            table.row([latin1(h) for h in header])
            for values in shown:
                table.row([latin1(v) for v in values])
        if len(rows) > len(shown):
            self.para(f"... and {len(rows) - len(shown)} more: see manifest.json.")
