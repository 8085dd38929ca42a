"""Questions about the ledger: balance, spending_summary, list_transactions. They never write."""

from __future__ import annotations

from collections.abc import Iterable

from bot.conversation import accounts
from bot.conversation.context import Context
from bot.conversation.handlers import Handlers, insights
from bot.conversation.reply import CategoryName, Line, Reply
from domain import services
from domain.commands import GetBalance, GetSpendingSummary, ListTransactions
from domain.model import Period, TransactionKind
from domain.money import Money
from domain.periods import local_today, user_week_start, week_of
from domain.ports import TransactionFilter
from domain.results import Balance
from domain.search import sums


def _period(ctx: Context) -> Period | None:
    parse = ctx.understood
    if parse.period is None and parse.date is not None:
        return Period(parse.date, parse.date)
    if parse.period is None and parse.recurrence == "weekly":
        # "weekly summary", "resumen semanal": this week, starting on the user's first day of the week.
        return week_of(local_today(ctx.clock, ctx.user.timezone), user_week_start(ctx.user))
    return None if parse.period is None else Period(parse.period.start, parse.period.end)


def _by_currency(ctx: Context, amounts: Iterable[Money]) -> list[Money]:
    """The user's own currency first, any others after it: each is shown on its own, never summed across."""
    return sorted(amounts, key=lambda m: (m.currency != ctx.user.currency, m.currency))


async def balance(ctx: Context) -> Reply:
    async with ctx.uow() as uow:
        result = await services.get_balance(GetBalance(user_id=ctx.user.id), uow)
    asked = ctx.understood.account
    if asked is not None:
        return _account_balance(ctx, result, asked)
    totals = _by_currency(ctx, result.totals.values()) or [Money.zero(ctx.user.currency)]
    shown = [Line("balance", {"total": totals[0]})]
    shown += [Line("balance_other", {"total": money}) for money in totals[1:]]
    if len(result.accounts) > 1:
        for account in result.accounts:
            for money in _by_currency(ctx, account.balances.values()):
                shown.append(Line("balance_line", {"account": account.account.name, "amount": money}))
    return Reply(lines=tuple(shown))


def _account_balance(ctx: Context, result: Balance, asked: str) -> Reply:
    """ "how much do I have in savings": that account's balance; every fitting one when several fit (reading
    guesses nothing); the user's accounts when none does."""
    rows = {row.account.id: row for row in result.accounts}
    named = accounts.match(asked, [row.account for row in result.accounts], ctx.understood.lang)
    fitting = [named.account] if named.account is not None else list(named.candidates)
    if not fitting:
        listed = ", ".join(row.account.name for row in result.accounts)
        return Reply.say("no_such_account", account=named.new_name or asked, accounts=listed)
    shown = []
    for account in fitting:
        for money in _by_currency(ctx, rows[account.id].balances.values()):
            shown.append(Line("balance_account", {"account": account.name, "amount": money}))
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
    # Spending in other currencies: its own total and categories in that currency, never a line of the
    # categories above (it is not a category) and never added to their total.
    for code, money in result.other_currencies.items():
        shown.append(Line("summary_other_total", {"currency": code, "total": money}))
        for row in result.other_by_category.get(code, ()):
            shown.append(
                Line("summary_line", {"category": CategoryName(row.category or "other"), "amount": row.total})
            )
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
