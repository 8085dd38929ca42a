"""Recording, undoing and editing transactions: add_expense, add_income, undo, edit_last."""

from __future__ import annotations

import uuid
from datetime import date
from decimal import Decimal
from typing import Any

from bot.alerts import alert_text
from bot.conversation import Pending
from bot.handlers import Context, handles
from domain import services
from domain.commands import EditLast, RecordTransaction, UndoLast
from domain.events import BudgetThresholdCrossed
from domain.model import Source, Transaction, TransactionKind
from domain.money import Money
from domain.results import BudgetStatus


@handles("add_expense", "add_income")
async def record(ctx: Context) -> str:
    p = ctx.parse
    data: dict[str, Any] = {
        "merchant": p.merchant,
        "category": p.category,
        "date": p.date.isoformat() if p.date else None,
        "currency": p.currency,
    }
    if p.amount is None:
        await ctx.remember(Pending("follow_up", p.intent, data))
        return ctx.render("ask_amount")
    return await record_from(ctx, p.intent, p.amount, data)


async def record_from(
    ctx: Context, intent: str, amount: Decimal, data: dict[str, Any], *, ask_category: bool = True
) -> str:
    """Record with the parts gathered (possibly over several messages) and render the confirmation.

    An expense that names neither a merchant nor a category ("gastei 45") is held and the user is asked what
    it was for, once (`ask_category` False records whatever the answer gave). Income needs no question: it
    defaults to other income."""
    if ask_category and intent == "add_expense" and not data.get("merchant") and not data.get("category"):
        held = {**data, "amount": str(amount), "awaiting": "category"}
        await ctx.remember(Pending("follow_up", intent, held))
        return ctx.render("ask_category")
    kind = TransactionKind.INCOME if intent == "add_income" else TransactionKind.EXPENSE
    day = date.fromisoformat(data["date"]) if data.get("date") else None
    cmd = RecordTransaction(
        user_id=ctx.user.id,
        kind=kind,
        amount=amount,
        currency=data.get("currency"),
        occurred_on=day,
        merchant=data.get("merchant"),
        category=data.get("category"),
        source=Source.CHAT,
        source_ref=ctx.message.provider_message_id or None,
    )
    async with ctx.uow() as uow:
        result = await services.record_transaction(cmd, uow, ctx.clock)
    lines = [recorded_text(ctx, result.transaction)]
    lines += [budget_text(ctx, status) for status in result.budgets]
    lines += alert_lines(ctx, result.crossings)
    return "\n".join(lines)


def recorded_text(ctx: Context, txn: Transaction) -> str:
    if txn.kind == TransactionKind.INCOME:
        category = ctx.category(txn.category or "other_income")
        return ctx.render("income_recorded", amount=txn.amount, category=category, day=txn.occurred_on)
    category = ctx.category(txn.category or "other")
    if txn.merchant:
        return ctx.render(
            "expense_recorded",
            amount=txn.amount,
            merchant=txn.merchant,
            category=category,
            day=txn.occurred_on,
        )
    return ctx.render(
        "expense_recorded_no_merchant", amount=txn.amount, category=category, day=txn.occurred_on
    )


def budget_text(ctx: Context, status: BudgetStatus) -> str:
    category = ctx.category(status.budget.category)
    if status.left.amount < 0:
        over = Money(-status.left.amount, status.left.currency)
        return ctx.render(
            "budget_over", category=category, spent=status.spent, budget=status.budget.amount, over=over
        )
    return ctx.render(
        "budget_line", category=category, spent=status.spent, budget=status.budget.amount, left=status.left
    )


def alert_lines(ctx: Context, crossings: tuple[BudgetThresholdCrossed, ...]) -> list[str]:
    # The user is in the conversation, so the reply carries the alert; the outbox event (source chat)
    # is settled by the alert worker without a push.
    return [alert_text(crossing, ctx.lang, ctx.user.locale) for crossing in crossings]


@handles("undo")
async def undo(ctx: Context) -> str:
    async with ctx.uow() as uow:
        latest = await uow.transactions.latest(ctx.user.id)
    if latest is None:
        return ctx.render("nothing_to_undo")
    await ctx.remember(Pending("confirm", "undo", {"transaction_id": str(latest.id)}))
    if latest.merchant:
        return ctx.render(
            "confirm_undo", amount=latest.amount, merchant=latest.merchant, day=latest.occurred_on
        )
    return ctx.render(
        "confirm_undo_no_merchant",
        amount=latest.amount,
        category=ctx.category(latest.category or "other"),
        day=latest.occurred_on,
    )


@handles("edit_last")
async def edit(ctx: Context) -> str:
    p = ctx.parse
    async with ctx.uow() as uow:
        latest = await uow.transactions.latest(ctx.user.id)
    if latest is None:
        return ctx.render("nothing_to_undo")
    label = latest.merchant or ctx.category(latest.category or "other")
    if p.amount is not None:
        new = Money(p.amount, p.currency or latest.amount.currency)
        data = {"amount": str(p.amount), "currency": new.currency}
        old_shown: Any = latest.amount
        new_shown: Any = new
    elif p.category is not None and p.category != latest.category:
        data = {"category": p.category}
        old_shown = ctx.category(latest.category or "other")
        new_shown = ctx.category(p.category)
    else:
        return ctx.render("unknown")
    data["transaction_id"] = str(latest.id)
    await ctx.remember(Pending("confirm", "edit_last", data))
    return ctx.render("confirm_edit", merchant=label, day=latest.occurred_on, old=old_shown, new=new_shown)


async def confirmed(ctx: Context, pending: Pending) -> str:
    """The user said yes to a pending undo or edit."""
    wanted = pending.data.get("transaction_id")
    async with ctx.uow() as uow:
        latest = await uow.transactions.latest(ctx.user.id)
        if latest is None or (wanted and latest.id != uuid.UUID(wanted)):
            # Something else was recorded or undone since the question: do not touch the wrong one.
            return ctx.render("nothing_to_undo")
        if pending.intent == "undo":
            result = await services.undo_last(UndoLast(user_id=ctx.user.id), uow, ctx.clock)
            return ctx.render("undone", amount=result.before.amount, day=result.before.occurred_on)
        cmd = EditLast(
            user_id=ctx.user.id,
            amount=pending.data.get("amount"),
            currency=pending.data.get("currency"),
            category=pending.data.get("category"),
        )
        result = await services.edit_last(cmd, uow, ctx.clock, source=Source.CHAT)
    after = result.after
    label = after.merchant or ctx.category(after.category or "other")
    new: Any = after.amount if "amount" in pending.data else ctx.category(after.category or "other")
    lines = [ctx.render("edited", merchant=label, day=after.occurred_on, new=new)]
    lines += [budget_text(ctx, status) for status in result.budgets]
    lines += alert_lines(ctx, result.crossings)
    return "\n".join(lines)
