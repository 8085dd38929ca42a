"""Spending as a picture (issue 16): by category for a period, or per month against the monthly budget.

The picture's words and amounts are written here, in the reader's language and locale; the renderer only
draws them. SMS carries no picture, so there the same numbers are sent as lines of text."""

from __future__ import annotations

import operator
from datetime import date

from babel.dates import format_skeleton

from bot.conversation.context import Context
from bot.conversation.handlers import Handlers
from bot.conversation.reply import CategoryName, Line, Phrase, Picture, Reply
from bot.replies import replies
from domain import services
from domain.charts import CategoryChart, MonthlyChart, largest_with_rest
from domain.commands import GetMonthlySpending, GetSpendingSummary
from domain.model import Channel, Period
from domain.money import Money
from domain.periods import local_today, month_of
from domain.reports import MAX_MONTHS
from domain.results import MonthlySpending, SpendingSummary

DEFAULT_MONTHS = 6
"""Months a chart over time shows when the message names no period ("gráfico por mês")."""
# CLDR skeletons: Babel orders and spells them for the locale ("Jul 2026", "jul 2026", "jul. de 2026").
MONTH_LABEL = "MMM"
"""A bar's month, abbreviated ("Jul", "jul.")."""
MONTH_RANGE = "yMMM"
"""The first and last months in the subtitle and caption ("Jul 2026", "jul. de 2026")."""
MONTH_LINE = "yMMMM"
"""A month in a line of text ("July 2026", "julio de 2026")."""


async def chart(ctx: Context) -> Reply:
    """chart: by month when the message says months ("últimos 6 meses"), else by category."""
    today = local_today(ctx.clock, ctx.user.timezone)
    if ctx.understood.chart == "months":
        return await _months(ctx, today)
    return await _categories(ctx, today)


# -- by category ------------------------------------------------------------------------------------------


async def _categories(ctx: Context, today: date) -> Reply:
    said = ctx.understood.period
    period = month_of(today) if said is None else Period(said.start, said.end)
    query = GetSpendingSummary(user_id=ctx.user.id, period=period, top_merchants=0)
    async with ctx.uow() as uow:
        result = await services.spending_summary(query, uow, ctx.clock)
    others = _other_currencies(result.other_currencies)
    if not result.by_category:
        return Reply(lines=(Line("chart_none", {"start": period.start, "end": period.end}), *others))
    rows: list[tuple[CategoryName | Phrase, Money]] = [
        (CategoryName(row.category or "other"), row.total) for row in result.by_category
    ]
    bars = largest_with_rest(rows, Phrase("chart_rest"), operator.add, lambda m: m.amount)
    span = {"start": period.start, "end": period.end, "total": result.total}
    numbers = tuple(Line("summary_line", {"category": name, "amount": money}) for name, money in bars)
    if ctx.charts is None or ctx.message.channel == Channel.SMS:
        return Reply(lines=(Line("chart_text_categories", span), *numbers, *others))
    png = await ctx.charts.render(_category_chart(ctx, result, bars))
    name = f"chart-categories-{period.start.isoformat()}-{period.end.isoformat()}"
    # `alt`: the numbers, sent after the caption should the picture find no way out (Redis down).
    picture = Picture(png, name, alt=numbers)
    return Reply(lines=(Line("chart_caption_categories", span), *others), picture=picture)


def _category_chart(
    ctx: Context, result: SpendingSummary, bars: list[tuple[CategoryName | Phrase, Money]]
) -> CategoryChart:
    r, lang, locale = replies(), ctx.lang, ctx.user.locale
    labels = tuple(
        r.render(name.key, lang, locale)
        if isinstance(name, Phrase)
        else r.category(name.key or "other", lang)
        for name, _ in bars
    )
    subtitle = r.render(
        "chart_subtitle", lang, locale, start=result.period.start, end=result.period.end, total=result.total
    )
    return CategoryChart(
        title=r.render("chart_title_categories", lang, locale),
        subtitle=subtitle,
        labels=labels,
        values=tuple(money.amount for _, money in bars),
        value_labels=tuple(r.money(money, lang, locale) for _, money in bars),
    )


# -- per month --------------------------------------------------------------------------------------------


def _month_range(ctx: Context, today: date) -> tuple[date, int]:
    """The last month's day and how many months: the months that start inside the period said ("last 6
    months", "this year"), never past this month; DEFAULT_MONTHS up to this month when none is said."""
    said = ctx.understood.period
    if said is None:
        return today, DEFAULT_MONTHS
    last = min(said.end, today)
    starts = 0
    year, month = last.year, last.month
    while date(year, month, 1) >= said.start:
        starts += 1
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    # One month or less said ("per month this month"): the months up to it, as a trend needs several.
    return last, DEFAULT_MONTHS if starts < 2 else min(starts, MAX_MONTHS)


async def _months(ctx: Context, today: date) -> Reply:
    last, count = _month_range(ctx, today)
    query = GetMonthlySpending(
        user_id=ctx.user.id, months=count, until=last, category=ctx.understood.category
    )
    async with ctx.uow() as uow:
        result = await services.monthly_spending(query, uow, ctx.clock)
    first_month, last_month = result.months[0].month, result.months[-1].month
    others = _other_currencies(result.other_currencies)
    if all(m.total.amount == 0 for m in result.months):
        return Reply(lines=(Line("chart_none", {"start": first_month.start, "end": last_month.end}), *others))
    _r, _lang, locale = replies(), ctx.lang, ctx.user.locale
    span = {
        "start": format_skeleton(MONTH_RANGE, first_month.start, locale=locale),
        "end": format_skeleton(MONTH_RANGE, last_month.start, locale=locale),
        "total": result.total,
    }
    budget = [] if result.budget is None else [result.budget]
    # The budget first and the latest month next: an SMS cut to its two segments loses the oldest.
    numbers = [Line("chart_text_budget", {"amount": money}) for money in budget]
    for row in reversed(result.months):
        over = result.budget is not None and row.total.amount > result.budget.amount
        month = format_skeleton(MONTH_LINE, row.month.start, locale=locale)
        key = "chart_text_month_over" if over else "chart_text_month"
        numbers.append(Line(key, {"month": month, "amount": row.total}))
    if ctx.charts is None or ctx.message.channel == Channel.SMS:
        return Reply(lines=(Line("chart_text_months", span), *numbers, *others))
    png = await ctx.charts.render(_monthly_chart(ctx, result, span))
    name = f"chart-months-{first_month.start:%Y-%m}-{last_month.start:%Y-%m}"
    caption = [Line("chart_caption_months", span)]
    caption += [Line("chart_caption_budget", {"amount": money}) for money in budget]
    picture = Picture(png, name, alt=tuple(numbers[len(budget) :]))  # the caption says the budget already
    return Reply(lines=(*caption, *others), picture=picture)


def _monthly_chart(ctx: Context, result: MonthlySpending, span: dict[str, object]) -> MonthlyChart:
    r, lang, locale = replies(), ctx.lang, ctx.user.locale
    return MonthlyChart(
        title=r.render("chart_title_months", lang, locale),
        subtitle=r.render("chart_subtitle", lang, locale, **span),
        months=tuple(format_skeleton(MONTH_LABEL, m.month.start, locale=locale) for m in result.months),
        values=tuple(m.total.amount for m in result.months),
        value_labels=tuple(r.money(m.total, lang, locale) for m in result.months),
        budget=None if result.budget is None else result.budget.amount,
        budget_label=""
        if result.budget is None
        else r.render("chart_budget", lang, locale, amount=result.budget),
    )


def _other_currencies(totals: dict[str, Money]) -> list[Line]:
    """Spending in other currencies is said, never drawn: bars of two currencies cannot be compared."""
    return [
        Line("chart_other_currency", {"currency": code, "total": money}) for code, money in totals.items()
    ]


def register(handlers: Handlers) -> None:
    handlers.add_answer(["chart"], chart)


__all__ = ["register"]
