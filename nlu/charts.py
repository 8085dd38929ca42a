"""Chart requests (issue 16): the chart intent needs a chart word, and a chart is by month or by category."""

from __future__ import annotations

from nlu.intents import says
from nlu.normalize import Normalized

CHARTED = frozenset(
    {
        "spending_summary",
        "list_transactions",
        "overview",
        "budget_status",
        "income_summary",
        "balance",
        "search",
        "list_categories",
        "unknown",
        "help",
        "greeting",
        "affirm",
    }
)
"""Readings a chart word turns into a chart: questions, and short messages the classifier cannot place
("gráfico" alone). A chart word in an entry ("spent 20 on chart paper") leaves it an entry."""
CHART_CONFIDENCE = 0.9
"""The chart reading's least confidence: the chart word makes it, not the classifier's guess at the rest."""


def says_chart(norm: Normalized, lang: str) -> bool:
    """A word asking for a picture ("chart", "gráfica", "gráfico"): keywords.yaml `chart_words`."""
    return says(norm.text, lang, "chart_words")


def settle_chart(
    ranked: list[tuple[str, float]], norm: Normalized, lang: str, has_amount: bool
) -> list[tuple[str, float]]:
    """chart is a rule, not a class of the classifier (nlu.types.RULE_INTENTS): a message with a chart word,
    no amount and a first reading that writes nothing ("graph my spending last month", "gráfico de gastos")
    is a chart, put first; the other readings keep their order, scaled to what is left. "spent 20 on chart
    paper" keeps its reading, and so does every message without a chart word."""
    top, score = ranked[0]
    if has_amount or top not in CHARTED or not says_chart(norm, lang):
        return ranked
    confidence = max(score, CHART_CONFIDENCE)
    rest = sum(s for _, s in ranked) or 1.0
    return [("chart", confidence), *[(name, s * (1 - confidence) / rest) for name, s in ranked]]


def chart_kind(norm: Normalized, lang: str) -> str:
    """ "months" when the message asks for spending over months ("last 6 months", "por mes", "mensal"),
    else "categories"."""
    return "months" if says(norm.text, lang, "chart_month_words") else "categories"


__all__ = ["chart_kind", "says_chart", "settle_chart"]
