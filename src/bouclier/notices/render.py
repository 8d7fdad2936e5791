"""A notice as text, HTML and PDF: one Jinja2 template per law and format, the PDF from the text.

The HTML templates are autoescaped (a URL is whatever a victim pasted: ``"><script>`` stays text);
templates use ``StrictUndefined``, so a template naming an element the data lacks fails loudly.
The PDF uses fpdf2's core fonts, which only know latin-1: typographic punctuation is mapped to its
ASCII form and anything else left is replaced by ``?`` rather than failing. No format ever
includes an image.
"""

from __future__ import annotations

from functools import lru_cache

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

from bouclier.notices.content import NoticeData

FORMATS = ("text", "html", "pdf")
MEDIA_TYPES = {"text": "text/plain", "html": "text/html", "pdf": "application/pdf"}

_PUNCTUATION = str.maketrans(
    {
        "\u2018": "'",
        "\u2019": "'",
        "\u201c": '"',
        "\u201d": '"',
        "\u2013": "-",
        "\u2014": "-",
        "\u2026": "...",
        "\u00a0": " ",
        "\u202f": " ",
        "\u2022": "-",
    }
)


@lru_cache(maxsize=1)
def _environment() -> Environment:
    return Environment(
        loader=PackageLoader("bouclier.notices", "templates"),
        autoescape=select_autoescape(enabled_extensions=("html.j2",), default=False),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )


def render_text(notice: NoticeData) -> str:
    template = _environment().get_template(f"{notice.law.name}.txt.j2")
    return template.render(notice=notice).strip() + "\n"


def render_html(notice: NoticeData) -> str:
    return _environment().get_template(f"{notice.law.name}.html.j2").render(notice=notice)


def latin1(text: str) -> str:
    """``text`` as fpdf2's core fonts can draw it: punctuation simplified, the rest replaced."""
    return text.translate(_PUNCTUATION).encode("latin-1", "replace").decode("latin-1")


def render_pdf(notice: NoticeData) -> bytes:
    from fpdf import FPDF  # a few ms to import; only the PDF needs it

    pdf = FPDF(format="A4")
    pdf.set_title(latin1(notice.subject))
    pdf.set_creator("Bouclier")
    pdf.set_auto_page_break(auto=True, margin=15)
    pdf.add_page()
    pdf.set_font("Helvetica", style="B", size=13)
    pdf.multi_cell(0, 7, latin1(notice.law.title), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(3)
    pdf.set_font("Helvetica", size=10)
    for line in render_text(notice).splitlines():
        if line == notice.law.title:
            continue  # already printed, in bold
        if not line.strip():
            pdf.ln(3)
            continue
        pdf.multi_cell(0, 5, latin1(line), new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())


def render(notice: NoticeData, fmt: str) -> bytes:
    """The notice in ``fmt`` (text, html or pdf) as bytes (UTF-8 for text and HTML)."""
    if fmt == "text":
        return render_text(notice).encode("utf-8")
    if fmt == "html":
        return render_html(notice).encode("utf-8")
    if fmt == "pdf":
        return render_pdf(notice)
    raise ValueError(f"format is one of {', '.join(FORMATS)}")
