"""Chart requests in a message (nlu/charts.py): a chart word makes a chart, months make it one per month."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from nlu import parse

NOW = datetime(2026, 12, 6, 15, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("text", "lang", "intent", "chart"),
    [
        ("show me a chart of this month", "en", "chart", "categories"),
        ("chart of spending over the last 6 months", "en", "chart", "months"),
        ("grafica de mis gastos del mes pasado", "es", "chart", "categories"),
        ("grafico de gastos por mes", "es", "chart", "months"),
        ("manda um grafico por categoria", "pt", "chart", "categories"),
        ("gráfico dos últimos 6 meses", "pt", "chart", "months"),
        # No chart word: the question it always was.
        ("how much did I spend this month", "en", "spending_summary", None),
        ("quanto gastei nos ultimos 6 meses", "pt", "spending_summary", None),
        # A chart word in an entry, or with an amount: the entry.
        ("spent 20 on chart paper", "en", "add_expense", None),
    ],
)
def test_a_chart_word_makes_a_chart_and_months_make_it_monthly(
    text: str, lang: str, intent: str, chart: str | None
) -> None:
    result = parse(text, now=NOW, lang=lang, currency="USD", tz="America/New_York")
    assert (result.intent, result.chart) == (intent, chart)
    assert result.to_json()["chart"] == chart
    if intent == "chart":
        assert result.confidence >= 0.9 and result.amount is None
