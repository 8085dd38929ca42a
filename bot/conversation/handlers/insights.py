"""Search, income and "how am I doing": questions about earlier transactions that never write."""

from __future__ import annotations

from bot.conversation.context import Context
from bot.conversation.handlers import Handlers, references
from bot.conversation.reply import CategoryName, Line, Reply
from domain import income, search
from domain.model import Period, Transaction, TransactionKind
from domain.periods import local_today, month_of

MAX_SHOWN = 15
"""Most transactions a search lists; the total counts every match."""


def entry_line(txn: Transaction) -> Line:
    """One transaction in a list: day, the note or merchant (else the category), and the amount; an income is
    marked apart from an expense."""
    description: object = txn.merchant or txn.note or CategoryName(txn.category or "other")
    values = {"day": txn.occurred_on, "description": description, "amount": txn.amount}
    return Line("list_line_income" if txn.kind == TransactionKind.INCOME else "list_line", values)


def _period(ctx: Context, default: Period) -> Period:
    parse = ctx.understood
    if parse.period is not None:
        return Period(parse.period.start, parse.period.end)
    return default


def _wanted(ctx: Context) -> tuple[search.Wanted, str]:
    """What to look for (the message's reference: merchant, else category and words) and how to say it."""
    ref = ctx.understood.reference
    if ref is None:
        return search.Wanted(), ""
    if ref.merchant:
        return search.Wanted(merchant=ref.merchant, amount=ref.amount), ref.merchant
    return references.described(ref), " ".join(ref.words) or (ref.category or "")


async def find(ctx: Context) -> Reply:
    """search: the matching transactions of the period named (else the last 60 days) with their totals."""
    today = local_today(ctx.clock, ctx.user.timezone)
    period = _period(ctx, search.window(today))
    want, shown = _wanted(ctx)
    if want.empty:
        return Reply.say("search_what")
    async with ctx.uow() as uow:
        rows = search.select(await search.recent(uow, ctx.user.id, period), want)
    if not rows:
        return Reply.say("search_none", query=shown, start=period.start, end=period.end)
    found = [
        Line("search_header", {"count": len(rows), "query": shown, "start": period.start, "end": period.end})
    ]
    found += [entry_line(t) for t in rows[:MAX_SHOWN]]
    found += [Line("search_total_spent", {"amount": m}) for m in search.totals(rows, TransactionKind.EXPENSE)]
    found += [Line("search_total_income", {"amount": m}) for m in search.totals(rows, TransactionKind.INCOME)]
    return Reply(lines=tuple(found))


async def earned(ctx: Context) -> Reply:
    """income_summary: income of the period (this month by default) per currency, category and payer."""
    today = local_today(ctx.clock, ctx.user.timezone)
    period = _period(ctx, month_of(today))
    async with ctx.uow() as uow:
        result = await income.income(uow, ctx.user.id, period)
    if not result.totals:
        return Reply.say("income_none", start=period.start, end=period.end)
    shown = [
        Line("income_total", {"start": period.start, "end": period.end, "total": m}) for m in result.totals
    ]
    shown += [Line("income_line", {"name": CategoryName(c), "amount": m}) for c, m in result.by_category]
    if result.by_payer:
        shown.append(Line("income_payers"))
        shown += [Line("income_line", {"name": p, "amount": m}) for p, m in result.by_payer]
    return Reply(lines=tuple(shown))


async def doing(ctx: Context) -> Reply:
    """overview: this month (or the period named) against the one before, each currency on its own."""
    today = local_today(ctx.clock, ctx.user.timezone)
    period = _period(ctx, month_of(today))
    async with ctx.uow() as uow:
        result = await income.overview(uow, ctx.user.id, period)
    if not result.current and not result.previous:
        return Reply.say("overview_none", start=period.start, end=period.end)
    shown = [Line("overview_header", {"start": period.start, "end": period.end})]
    now = {net.currency: net for net in result.current}
    before = {net.currency: net for net in result.previous}
    if not now:
        shown.append(Line("overview_empty_now"))
    # The user's own currency first; each currency on its own lines, never added to another.
    for code in sorted(now.keys() | before.keys(), key=lambda c: (c != ctx.user.currency, c)):
        if code in now:
            net = now[code]
            shown.append(Line("overview_line", {"income": net.income, "spent": net.spent, "net": net.net}))
            if net.rate is not None:
                shown.append(Line("overview_rate", {"percent": net.rate}))
        if code in before:
            old = before[code]
            shown.append(
                Line("overview_previous", {"income": old.income, "spent": old.spent, "net": old.net})
            )
            if old.rate is not None:
                shown.append(Line("overview_previous_rate", {"percent": old.rate}))
        else:
            shown.append(Line("overview_no_previous"))
    return Reply(lines=tuple(shown))


def register(handlers: Handlers) -> None:
    handlers.add_answer(["search"], find)
    handlers.add_answer(["income_summary"], earned)
    handlers.add_answer(["overview"], doing)


__all__ = ["entry_line", "register"]
