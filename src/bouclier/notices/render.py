"""A notice as text, HTML and PDF: Jinja2 templates found by the law's name, the PDF from the text.

A law lays its notices out in ``templates/NAME.txt.j2`` and ``NAME.html.j2``; a law without its own
templates gets the generic ``notice.txt.j2`` and ``notice.html.j2``, which list its elements under
their headings (:class:`~bouclier.notices.laws.base.Law`).

The HTML templates are autoescaped (a URL is whatever a victim pasted: ``"><script>`` stays text);
templates use ``StrictUndefined``, so a template naming an element the data lacks fails loudly.
The PDF uses fpdf2's core fonts, which only know latin-1: typographic punctuation is mapped to its
ASCII form and anything else left is replaced by ``?`` rather than failing. No format ever
includes an image.
"""

from __future__ import annotations

from functools import lru_cache

from jinja2 import Environment, PackageLoader, StrictUndefined, Template, select_autoescape

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


def _template(notice: NoticeData, extension: str) -> Template:
    """The law's own template for ``extension`` (``txt``, ``html``), else the generic one."""
    return _environment().select_template(
        [f"{notice.law.name}.{extension}.j2", f"notice.{extension}.j2"]
    )


def render_text(notice: NoticeData) -> str:
    return _template(notice, "txt").render(notice=notice).strip() + "\n"


def render_html(notice: NoticeData) -> str:
    return _template(notice, "html").render(notice=notice)


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
