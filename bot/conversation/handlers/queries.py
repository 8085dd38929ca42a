"""Questions about the ledger: balance, spending_summary, list_transactions. They never write."""

from __future__ import annotations

from bot.conversation.context import Context
from bot.conversation.handlers import Handlers, insights
from bot.conversation.reply import CategoryName, Line, Reply
from domain import services
from domain.commands import GetBalance, GetSpendingSummary, ListTransactions
from domain.model import Period, TransactionKind
from domain.money import Money
from domain.periods import local_today, user_week_start, week_of
from domain.ports import TransactionFilter
from domain.search import sums


def _period(ctx: Context) -> Period | None:
    parse = ctx.understood
    if parse.period is None and parse.date is not None:
        return Period(parse.date, parse.date)
    if parse.period is None and parse.recurrence == "weekly":
        # "weekly summary", "resumen semanal": this week, starting on the user's first day of the week.
        return week_of(local_today(ctx.clock, ctx.user.timezone), user_week_start(ctx.user))
    return None if parse.period is None else Period(parse.period.start, parse.period.end)


async def balance(ctx: Context) -> Reply:
    async with ctx.uow() as uow:
        result = await services.get_balance(GetBalance(user_id=ctx.user.id), uow)
    # The user's own currency first, any others after it, each on its own line (never summed across).
    totals = sorted(result.totals.values(), key=lambda m: (m.currency != ctx.user.currency, m.currency))
    if not totals:
        totals = [Money.zero(ctx.user.currency)]
    shown = [Line("balance", {"total": totals[0]})]
    shown += [Line("balance_other", {"total": money}) for money in totals[1:]]
    if len(result.accounts) > 1:
        for account in result.accounts:
            for money in account.balances.values():
                shown.append(Line("balance_line", {"account": account.account.name, "amount": money}))
    return Reply(lines=tuple(shown))


async def summary(ctx: Context) -> Reply:
    parse = ctx.understood
    query = GetSpendingSummary(
        user_id=ctx.user.id, period=_period(ctx), category=parse.category, merchant=parse.merchant
    )
    async with ctx.uow() as uow:
        result = await services.spending_summary(query, uow, ctx.clock)
    shown = [
        Line("summary_total", {"start": result.period.start, "end": result.period.end, "total": result.total})
    ]
    for row in result.by_category:
        shown.append(
            Line("summary_line", {"category": CategoryName(row.category or "other"), "amount": row.total})
        )
    for money in result.other_currencies.values():
        shown.append(Line("summary_other_currency", {"amount": money}))
    return Reply(lines=tuple(shown))


async def listing(ctx: Context) -> Reply:
    parse = ctx.understood
    query = ListTransactions(
        user_id=ctx.user.id,
        period=_period(ctx),
        category=parse.category,
        merchant=parse.merchant,
        limit=min(parse.count or 10, 20),
    )
    async with ctx.uow() as uow:
        rows = await services.list_transactions(query, uow)
        narrowed = parse.merchant or parse.category
        # A listing narrowed to a place or category is a search: its total (of all it covers, not only the
        # rows shown) is the next question.
        flt = TransactionFilter(
            ctx.user.id, period=query.period, category=parse.category, merchant=parse.merchant
        )
        found = await sums(uow, flt) if narrowed and rows else {}
    if not rows:
        return Reply.say("nothing_found")
    shown = [Line("list_header"), *(insights.entry_line(txn) for txn in rows)]
    shown += [Line("search_total_spent", {"amount": m}) for m in found.get(TransactionKind.EXPENSE, [])]
    shown += [Line("search_total_income", {"amount": m}) for m in found.get(TransactionKind.INCOME, [])]
    return Reply(lines=tuple(shown))


def register(handlers: Handlers) -> None:
    handlers.add_answer(["balance"], balance)
    handlers.add_answer(["spending_summary"], summary)
    handlers.add_answer(["list_transactions"], listing)
