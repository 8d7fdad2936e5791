"""Custody events in words, and the dashboard's chart: every event kind has its label in every
language, and an event's facts never show a code where a word exists."""

from __future__ import annotations

import re

import pytest

from bouclier.cases.custody import EVENT_KINDS, Entry
from bouclier.web import chart, common, events


def entry(kind: str, actor: str = "analyst:alice", **data: object) -> Entry:
    return Entry(
        seq=3, at="2026-12-03T08:15:00Z", kind=kind, actor=actor, data=data,
        prev_sha256="0" * 64, sha256="1" * 64,
    )  # fmt: skip


@pytest.mark.parametrize("lang", common.LANGUAGES)
def test_every_event_kind_has_a_label(lang: str) -> None:
    words = common.locale(lang)
    missing = [kind for kind in EVENT_KINDS if f"console.event.{kind}" not in words]
    assert missing == []


def test_an_event_reads_in_the_consoles_language() -> None:
    es = common.locale("es")
    [answered] = events.readable(
        [entry("notice.answered", notice="N-ABC", **{"from": "sent", "to": "removed"})], es
    )
    assert answered.label == "La plataforma respondió"
    assert answered.details == "N-ABC · enviada → retirado"
    assert answered.actor == "alice (analista)"
    assert answered.at == "2026-12-03 08:15 UTC"
    assert answered.kind == "notice.answered"
    [assigned] = events.readable([entry("case.assigned", to=None)], common.locale("en"))
    assert assigned.details == "Nobody"
    [filed] = events.readable(
        [
            entry(
                "notice.sent",
                channel="form",
                filed_by_hand=True,
                deadline_at="2026-12-05T08:15:00Z",
            )
        ],
        common.locale("fr"),
    )
    assert "déposée à la main" in filed.details
    assert "échéance 2026-12-05 08:15 UTC" in filed.details


def test_a_kind_without_a_label_shows_its_code_rather_than_break() -> None:
    [later] = events.readable([entry("item.renamed", actor="victim", item=4)], common.locale("en"))
    assert later.label == "item.renamed"
    assert later.actor == "the victim or family"
    assert later.details == "item #4"


def test_the_chart_draws_one_bar_per_day_and_escapes_its_words() -> None:
    svg = chart.bars(
        [("2026-12-01", 0), ("2026-12-02", 4), ("2026-12-03", 2)],
        title="<script>",
        description="a & b",
    )
    assert svg.count('class="bar"') == 3
    assert "<script>" not in svg
    assert "&lt;script&gt;" in svg
    heights = [float(h) for h in re.findall(r'height="([\d.]+)" fill', svg)]
    assert heights[0] == 0
    assert heights[1] == pytest.approx(2 * heights[2])
    assert 'role="img"' in svg
