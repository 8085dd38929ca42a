"""Budgets: set_budget and budget_status."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from bot.conversation import Pending
from bot.handlers import Context, handles
from bot.handlers.ledger import budget_text
from domain import services
from domain.commands import GetBudgetStatus, SetBudget
from domain.model import Recurrence


@handles("set_budget")
async def set_budget(ctx: Context) -> str:
    p = ctx.parse
    data = {"category": p.category, "recurrence": p.recurrence, "currency": p.currency}
    if p.amount is None:
        await ctx.remember(Pending("follow_up", "set_budget", data))
        return ctx.render("ask_amount")
    return await set_budget_from(ctx, p.amount, data)


async def set_budget_from(ctx: Context, amount: Decimal, data: dict[str, Any]) -> str:
    recurrence = Recurrence.WEEKLY if data.get("recurrence") == "weekly" else Recurrence.MONTHLY
    category = data.get("category")
    cmd = SetBudget(
        user_id=ctx.user.id,
        amount=amount,
        recurrence=recurrence,
        category=str(category) if category else None,
        currency=str(data["currency"]) if data.get("currency") else None,
    )
    async with ctx.uow() as uow:
        status = await services.set_budget(cmd, uow, ctx.clock)
    period = ctx.render("period_week" if recurrence == Recurrence.WEEKLY else "period_month")
    return ctx.render(
        "budget_set",
        category=ctx.category(status.budget.category),
        amount=status.budget.amount,
        period=period,
    )


@handles("budget_status")
async def budget_status(ctx: Context) -> str:
    query = GetBudgetStatus(
        user_id=ctx.user.id, category=ctx.parse.category, all_budgets=ctx.parse.category is None
    )
    async with ctx.uow() as uow:
        statuses = await services.budget_status(query, uow, ctx.clock)
    if not statuses:
        return ctx.render("no_budget")
    return "\n".join([ctx.render("budget_status"), *(budget_text(ctx, status) for status in statuses)])
