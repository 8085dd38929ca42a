"""Charts by chat beyond the dialogue tables: what the picture is asked to show (words in the reader's
language, amounts in their locale, largest first, the rest folded, other currencies only said), and text
when no renderer is plugged in."""

from __future__ import annotations

from decimal import Decimal

from adapters.cache import connect
from bot.conversation import Agent
from domain.charts import CategoryChart, Chart, MonthlyChart
from tests.unit.bot.test_dialogues import Conversation
from tests.unit.fake_media import FakeMedia


class Recorder:
    """A renderer that keeps the charts it is asked for and draws nothing."""

    def __init__(self) -> None:
        self.charts: list[Chart] = []

    async def render(self, chart: Chart) -> bytes:
        self.charts.append(chart)
        return b"\x89PNG fake"


async def _talking(lang: str, renderer: Recorder | None) -> Conversation:
    conversation = await Conversation(lang).setup()
    conversation.agent = Agent(
        unit_of_work=conversation.db.uow,
        state=connect(None).state,
        clock=conversation.clock,
        media=None if renderer is None else FakeMedia(charts=renderer),
    )
    return conversation


async def test_a_category_chart_is_written_in_the_readers_language_and_folds_the_smallest() -> None:
    recorder = Recorder()
    conversation = await _talking("pt", recorder)
    spent = [("aluguel", 1200), ("mercado", 560), ("uber", 230), ("restaurante", 180), ("netflix", 56),
             ("farmácia", 40), ("cinema", 30), ("escola", 20), ("presente", 10)]  # fmt: skip
    for what, amount in spent:
        await conversation.say(f"gastei {amount} em {what}")
    await conversation.say("gastei 20 dólares no starbucks")
    turn = await conversation.say("gráfico dos meus gastos")

    (chart,) = recorder.charts
    assert isinstance(chart, CategoryChart)
    assert chart.title == "Gastos por categoria"
    assert len(chart.labels) == 8 and chart.labels[-1] == "todo o resto"
    kept = list(chart.values[:-1])
    assert kept == sorted(kept, reverse=True) and chart.values[-1] == Decimal("30.00")  # escola + presente
    assert chart.value_labels[0] == "R$ 1.200,00"
    assert turn.reply.picture is not None and turn.reply.keys == (
        "chart_caption_categories",
        "chart_other_currency",
    )
    assert turn.rendered is not None and "US$ 20,00" in turn.rendered


async def test_a_monthly_chart_carries_the_budget_in_the_readers_locale() -> None:
    recorder = Recorder()
    conversation = await _talking("es", recorder)
    await conversation.say("presupuesto de 1500 al mes")
    await conversation.say("gaste 60 en walmart")
    await conversation.say("grafica de los ultimos 3 meses")

    (chart,) = recorder.charts
    assert isinstance(chart, MonthlyChart)
    assert chart.title == "Gastos por mes" and chart.months == ("oct", "nov", "dic")
    assert chart.values == (Decimal("0.00"), Decimal("0.00"), Decimal("60.00"))
    assert chart.budget == Decimal("1500.00") and chart.budget_label == "Presupuesto mensual $1,500.00"


async def test_without_a_renderer_a_chart_is_answered_as_text() -> None:
    conversation = await _talking("en", None)
    await conversation.say("spent 25 at Starbucks")
    turn = await conversation.say("show me a chart of this month")
    assert turn.reply.picture is None
    assert turn.reply.keys == ("chart_text_categories", "summary_line")


async def test_a_monthly_chart_by_sms_says_the_budget_then_the_latest_month_first() -> None:
    recorder = Recorder()
    conversation = await _talking("es", recorder)
    await conversation.say("presupuesto de 100 al mes")
    await conversation.say("gaste 160 en walmart", "sms")
    turn = await conversation.say("grafica de los ultimos 3 meses", "sms")

    assert recorder.charts == [] and turn.reply.picture is None
    assert turn.reply.keys == (
        "chart_text_months",
        "chart_text_budget",
        "chart_text_month_over",
        "chart_text_month",
        "chart_text_month",
    )
    assert turn.rendered is not None
    latest = "• diciembre de 2026: $160.00 (más que el presupuesto)\n• noviembre de 2026: $0.00"
    assert latest in turn.rendered
