"""Questions about the ledger: balance, spending_summary, list_transactions."""

from __future__ import annotations

from bot.handlers import Context, handles
from domain import services
from domain.commands import GetBalance, GetSpendingSummary, ListTransactions
from domain.model import Period
from domain.money import Money


def _period(ctx: Context) -> Period | None:
    p = ctx.parse.period
    if p is None and ctx.parse.date is not None:
        return Period(ctx.parse.date, ctx.parse.date)
    return None if p is None else Period(p.start, p.end)


@handles("balance")
async def balance(ctx: Context) -> str:
    async with ctx.uow() as uow:
        result = await services.get_balance(GetBalance(user_id=ctx.user.id), uow)
    # The user's own currency first, any others after it.
    totals = sorted(result.totals.values(), key=lambda m: (m.currency != ctx.user.currency, m.currency))
    if not totals:
        totals = [Money.zero(ctx.user.currency)]
    shown = " + ".join(ctx.render_value("total", money) for money in totals)
    lines = [ctx.render("balance", total=shown)]
    if len(result.accounts) > 1:
        for account in result.accounts:
            for money in account.balances.values():
                lines.append(ctx.render("balance_line", account=account.account.name, amount=money))
    return "\n".join(lines)


@handles("spending_summary")
async def summary(ctx: Context) -> str:
    query = GetSpendingSummary(
        user_id=ctx.user.id, period=_period(ctx), category=ctx.parse.category, merchant=ctx.parse.merchant
    )
    async with ctx.uow() as uow:
        result = await services.spending_summary(query, uow, ctx.clock)
    lines = [
        ctx.render("summary_total", start=result.period.start, end=result.period.end, total=result.total)
    ]
    for row in result.by_category:
        lines.append(
            ctx.render("summary_line", category=ctx.category(row.category or "other"), amount=row.total)
        )
    for money in result.other_currencies.values():
        lines.append(ctx.render("summary_line", category=money.currency, amount=money))
    return "\n".join(lines)


@handles("list_transactions")
async def listing(ctx: Context) -> str:
    query = ListTransactions(
        user_id=ctx.user.id,
        period=_period(ctx),
        category=ctx.parse.category,
        merchant=ctx.parse.merchant,
        limit=min(ctx.parse.count or 10, 20),
    )
    async with ctx.uow() as uow:
        rows = await services.list_transactions(query, uow)
    if not rows:
        return ctx.render("nothing_found")
    lines = [ctx.render("list_header")]
    for txn in rows:
        description = txn.merchant or ctx.category(txn.category or "other")
        lines.append(ctx.render("list_line", day=txn.occurred_on, description=description, amount=txn.amount))
    return "\n".join(lines)
