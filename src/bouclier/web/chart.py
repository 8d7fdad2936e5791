"""A bar chart as an SVG drawn on the server: no script, no CDN, readable by a screen reader
(a ``<title>``, a ``<desc>`` and each bar's value as text), and within the pages' Content-Security
-Policy (presentation attributes, no inline style)."""

from __future__ import annotations

from markupsafe import Markup, escape

WIDTH, HEIGHT = 640, 240
_TOP, _BOTTOM, _LEFT, _RIGHT = 24, 40, 8, 8


def bars(data: list[tuple[str, int]], *, title: str, description: str) -> Markup:
    """One bar per ``(label, value)``; labels are dates ``YYYY-MM-DD`` (shown as ``MM-DD``)."""
    count = max(1, len(data))
    top = max([value for _, value in data] + [1])
    inner_w = WIDTH - _LEFT - _RIGHT
    inner_h = HEIGHT - _TOP - _BOTTOM
    slot = inner_w / count
    bar_w = max(2.0, slot * 0.7)
    parts = [
        f'<svg class="chart" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" '
        f'role="img" aria-labelledby="chart-title chart-desc">',
        f'<title id="chart-title">{escape(title)}</title>',
        f'<desc id="chart-desc">{escape(description)}</desc>',
        f'<line x1="{_LEFT}" y1="{HEIGHT - _BOTTOM}" x2="{WIDTH - _RIGHT}" '
        f'y2="{HEIGHT - _BOTTOM}" stroke="#555" stroke-width="1"/>',
    ]
    for n, (label, value) in enumerate(data):
        height = inner_h * value / top
        x = _LEFT + n * slot + (slot - bar_w) / 2
        y = HEIGHT - _BOTTOM - height
        middle = x + bar_w / 2
        parts.append(
            f'<g class="bar"><rect x="{x:.1f}" y="{y:.1f}" width="{bar_w:.1f}" '
            f'height="{height:.1f}" fill="#1d4f91"><title>{escape(label)}: {value}</title></rect>'
            f'<text x="{middle:.1f}" y="{y - 4:.1f}" text-anchor="middle" font-size="11" '
            f'fill="#222">{value}</text>'
            f'<text x="{middle:.1f}" y="{HEIGHT - _BOTTOM + 16:.1f}" text-anchor="middle" '
            f'font-size="10" fill="#222">{escape(label[5:] if len(label) == 10 else label)}'
            "</text></g>"
        )
    parts.append("</svg>")
    return Markup("".join(parts))  # noqa: S704 (every text in it is escaped above)
