"""The PDF summary of an evidence bundle: what a police officer reads first.

One to three pages wholly in the case's language (:mod:`bouclier.cases.summary_words`): who issued
it and how to reach them, what Bouclier is, the case number and its flags (with the other families'
case numbers of a collective case), the items with their URLs and times, the re-uploads blocked
(with the link a platform gave), the notices sent, their status and the platforms' answers, and how
to check that the bundle was not altered. Every value is words, never a code (``in_progress`` is
"en curso"), and every time is written on one line in the hotline's time zone
(``BOUCLIER_HOTLINE_TIMEZONE``, named at the top); the manifest keeps the UTC times.

fpdf2's core fonts cover latin-1 only (embedding a Unicode font would add a font file to the
package for little gain): every text goes through :func:`latin1`, which keeps latin-1 letters,
folds accented letters of other scripts to their base letter and writes ``?`` for the rest. URLs
are written in their ASCII form instead (punycode host, percent-encoded path), which is exactly
what a browser sends, so nothing is lost and an officer can type them.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from typing import Any
from urllib.parse import quote, urlsplit, urlunsplit
from zoneinfo import ZoneInfo

from fpdf import FPDF, XPos, YPos

from bouclier.cases.summary_words import TIME_FORMATS, words

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


def shown_url(url: str, cut: str = "... (cut here: the whole URL is in manifest.json)") -> str:
    """A URL as the summary shows it: ASCII, cut (and said so) when it is very long."""
    text = ascii_url(url)
    if len(text) <= MAX_URL_SHOWN:
        return text
    return text[:MAX_URL_SHOWN] + cut


def local(value: str | None, zone: ZoneInfo, language: str) -> str:
    """An ISO UTC time of the manifest in the hotline's zone, on one line ("-" for none)."""
    if not value:
        return "-"
    moment = datetime.fromisoformat(value.replace("Z", "+00:00")).astimezone(zone)
    return moment.strftime(TIME_FORMATS.get(language, TIME_FORMATS["en"]))


def render(
    manifest: Mapping[str, Any],
    *,
    custody_length: int,
    custody_head: str,
    generated_at: datetime,
    timezone: str = "UTC",
) -> bytes:
    """The summary of a bundle's ``manifest`` (before its ``custody`` and ``files`` sections are
    known: the log shown is the one before the export's own entry)."""
    case = manifest["case"]
    language = str(case.get("language", "en"))
    w = words(language)
    zone = ZoneInfo(timezone)

    def value(prefix: str, code: object) -> str:
        return w.get(f"{prefix}.{code}", str(code))

    def when(iso: str | None) -> str:
        return local(iso, zone, language)

    pdf = _Pdf(w["footer"])
    pdf.set_creation_date(generated_at)
    pdf.set_title(latin1(f"Bouclier - {w['title']} - {case['number']}"))
    pdf.set_author("Bouclier")
    pdf.set_auto_page_break(auto=True, margin=15)
    pdf.add_page()

    pdf.set_font("helvetica", "B", 16)
    pdf.text_block(8, f"Bouclier - {w['title']}")
    pdf.set_font("helvetica", "B", 13)
    pdf.text_block(8, w["case_line"].format(number=case["number"]))
    pdf.set_font("helvetica", "", 9)
    version = manifest["tool"]["version"]
    pdf.text_block(5, w["generated"].format(time=when(manifest["generated_at"]), version=version))
    pdf.text_block(5, w["times"].format(zone=timezone))

    hotline: Mapping[str, Any] = manifest.get("hotline") or {}
    pdf.section(w["h.issuer"])
    pdf.facts(
        [
            (w[f"issuer.{field}"], str(hotline.get(field) or w["issuer.unset"]))
            for field in ("name", "email", "phone", "website", "address")
            if hotline.get(field) or field in ("name", "email")
        ]
    )

    pdf.section(w["h.about"])
    pdf.para(w["about"])

    items: Sequence[Mapping[str, Any]] = manifest["items"]
    reuploads: Sequence[Mapping[str, Any]] = manifest["reuploads"]
    notices: Sequence[Mapping[str, Any]] = manifest["notices"]
    pdf.section(w["h.case"])
    pdf.facts(_case_facts(case, items, reuploads, notices, w, when))

    def link(url: object) -> str:
        return shown_url(str(url), " " + w["url.cut"]) if url else "-"

    pdf.section(w["h.items"])
    pdf.rows(
        (w["c.item"], w["c.kind"], w["c.status"], w["c.added"], w["c.what"]),
        [
            (
                str(item["id"]),
                value("kind", "video" if item.get("video") else item["kind"]),
                value("item", item["status"]),
                when(item["created_at"]),
                link(item["url"])
                if item.get("url")
                else _video_line(item, w)
                if item.get("video")
                else f"SHA-256 {item['sha256']}"
                if item.get("sha256")
                else f"PDQ {item['pdq']}",
            )
            for item in items
        ],
        (14, 26, 26, 30),
        w,
    )

    pdf.section(w["h.reuploads"])
    pdf.rows(
        (w["c.platform"], w["c.action"], w["c.when"], w["c.item"], w["c.reupload_link"]),
        [
            (
                str(r["platform"]),
                value("action", r["action"]),
                when(r["at"]),
                str(r["item"] or "-"),
                link(r.get("url")),
            )
            for r in reuploads
        ],
        (30, 30, 30, 16),
        w,
    )

    _video_matches(pdf, manifest.get("video_matches", ()), w, when)

    pdf.section(w["h.notices"])
    pdf.rows(
        (
            w["c.reference"],
            w["c.platform"],
            w["c.law"],
            w["c.status"],
            w["c.sent"],
            w["c.deadline"],
            w["c.link"],
        ),
        [
            (
                str(n["reference"]),
                str(n["platform"]),
                value("law", n["law"]),
                value("notice", n["status"]),
                when(n["sent_at"]),
                when(n["deadline_at"]),
                link(n["url"]),
            )
            for n in notices
        ],
        (26, 20, 22, 22, 26, 26),
        w,
    )
    answered = [n for n in notices if n.get("answered_at") or n.get("answer")]
    if answered:
        pdf.section(w["h.answers"])
        pdf.rows(
            (w["c.reference"], w["c.platform"], w["c.answered"], w["c.answer"]),
            [
                (
                    str(n["reference"]),
                    str(n["platform"]),
                    when(n.get("answered_at")),
                    f"{value('notice', n['status'])}: {n.get('answer') or '-'}",
                )
                for n in answered
            ],
            (30, 26, 30),
            w,
        )

    pdf.section(w["h.verify"])
    pdf.para(w["verify"].format(length=custody_length, head=custody_head, next=custody_length + 1))
    return bytes(pdf.output())


def _case_facts(
    case: Mapping[str, Any],
    items: Sequence[Mapping[str, Any]],
    reuploads: Sequence[Mapping[str, Any]],
    notices: Sequence[Mapping[str, Any]],
    w: Mapping[str, str],
    when: Callable[[str | None], str],
) -> list[tuple[str, str]]:
    """The case's section: number, dates, status, flags, language, the collective, counts."""
    language = str(case.get("language", "en"))
    collective = case.get("collective") or {}
    flags = [w["flag.minor"] if case.get("minor") else None]
    flags.append(w["flag.sextortion"] if case.get("sextortion") else None)
    facts = [
        (w["f.number"], str(case["number"])),
        (w["f.opened"], when(case["created_at"])),
        (w["f.status"], w.get(f"case.{case['status']}", str(case["status"]))),
        (w["f.flags"], "; ".join(f for f in flags if f) or w["none"]),
        (w["f.language"], w.get(f"lang.{language}", language)),
        (
            w["f.collective"],
            w["collective.yes"].format(count=collective.get("cases"))
            if collective.get("member")
            else w["collective.no"],
        ),
    ]
    if collective.get("numbers"):
        facts.append((w["f.others"], ", ".join(collective["numbers"])))
    counts = w["counts"].format(
        hashes=sum(1 for i in items if i["kind"] == "hash"),
        urls=sum(1 for i in items if i["kind"] == "url"),
        evidence=sum(1 for i in items if i["kind"] == "evidence"),
        reuploads=len(reuploads),
        notices=len(notices),
    )
    facts.append((w["f.counts"], counts))
    return facts


class _Pdf(FPDF):
    def __init__(self, footer: str) -> None:
        super().__init__(format="A4")
        self.footer_text = footer
        self.set_margins(15, 15, 15)

    def footer(self) -> None:
        self.set_y(-12)
        self.set_font("helvetica", "I", 8)
        self.cell(0, 6, latin1(self.footer_text.format(page=self.page_no())), align="C")

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
        self,
        header: Sequence[str],
        rows: Sequence[Sequence[str]],
        widths: Sequence[float],
        w: Mapping[str, str],
    ) -> None:
        if not rows:
            self.para(w["rows.none"])
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
            self.para(w["rows.more"].format(count=len(rows) - len(shown)))


#: frame pairs shown per video match in the summary (all are in the manifest)
FRAMES_SHOWN = 6


def _video_matches(
    pdf: _Pdf,
    matches: Sequence[Mapping[str, Any]],
    w: Mapping[str, str],
    when: Callable[[str], str],
) -> None:
    """Uploads that matched a video of the case: both shares and the first frame pairs."""
    pdf.section(w["h.video_matches"])
    rows = []
    for m in matches:
        frames = m["frames"]
        shown = [
            f"{f['query_time']:.1f} -> {f['target_time']:.1f} ({f['distance']})"
            for f in frames[:FRAMES_SHOWN]
        ]
        if len(frames) > FRAMES_SHOWN:
            shown.append(w["frames.more"].format(count=len(frames) - FRAMES_SHOWN))
        rows.append(
            (
                str(m["platform"]),
                when(m["at"]),
                str(m["item"] or "-"),
                f"{m['query_percent']:.0f} % / {m['target_percent']:.0f} %",
                "; ".join(shown),
            )
        )
    header = (w["c.platform"], w["c.when"], w["c.item"], w["c.shares"], w["c.frames"])
    pdf.rows(header, rows, (30, 30, 16, 26), w)


def _video_line(item: Mapping[str, Any], w: Mapping[str, str]) -> str:
    """A video item's line: how many frames were hashed, up to when, and the file's digests
    (every frame's hash and time is in the manifest)."""
    video = item["video"]
    end = int(video["last_frame_seconds"])
    return w["video.what"].format(
        frames=video["frames"],
        end=f"{end // 60}:{end % 60:02d}",
        md5=item.get("md5") or "-",
        sha256=item.get("sha256") or "-",
    )
