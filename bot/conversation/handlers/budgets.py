"""Budgets: the set_budget form (confirmed when unsure) and the budget_status answer."""

from __future__ import annotations

from decimal import Decimal

from bot.conversation import forms, lines
from bot.conversation.context import Context
from bot.conversation.forms import Slots, SlotValues
from bot.conversation.handlers import Handlers
from bot.conversation.handlers.ledger import slot_money
from bot.conversation.reply import CategoryName, Line, Phrase, Reply, Written
from domain import services
from domain.commands import GetBudgetStatus, SetBudget
from domain.model import Recurrence
from domain.operators import tenant_thresholds


def _period(slots: Slots) -> Phrase:
    return Phrase("period_week" if slots.get("recurrence") == "weekly" else "period_month")


class BudgetForm:
    form = forms.BUDGET

    async def prefill(self, ctx: Context) -> SlotValues | Reply:
        parse = ctx.understood
        values = {
            "amount": None if parse.amount is None else str(parse.amount),
            "currency": parse.currency if parse.currency != ctx.user.currency else None,
            "category": parse.category,
            "recurrence": parse.recurrence,
            "shared": True if parse.shared else None,
        }
        return {name: value for name, value in values.items() if value is not None}

    async def question(self, ctx: Context, slots: Slots) -> Reply:
        return Reply.say(
            "confirm_budget_house" if slots.get("shared") else "confirm_budget",
            category=CategoryName(slots.get("category")),
            amount=slot_money(ctx, slots),
            period=_period(slots),
        )

    async def submit(self, ctx: Context, slots: Slots) -> Reply:
        money = slot_money(ctx, slots)
        cmd = SetBudget(
            user_id=ctx.user.id,
            amount=Decimal(money.amount),
            recurrence=Recurrence.WEEKLY if slots.get("recurrence") == "weekly" else Recurrence.MONTHLY,
            category=slots.get("category"),
            currency=money.currency,
            # The tenant's operators choose when its people are warned (PATCH /api/v1/settings).
            thresholds=tenant_thresholds(ctx.tenant),
            shared=bool(slots.get("shared")),
        )
        async with ctx.uow() as uow:
            if cmd.shared and await uow.households.membership(ctx.user.id) is None:
                return Reply.say("budget_house_no_household")
            status = await services.set_budget(cmd, uow, ctx.clock)
        budget = status.budget
        line = Line(
            "house_budget_set" if budget.household_id else "budget_set",
            {"category": CategoryName(budget.category), "amount": budget.amount, "period": _period(slots)},
        )
        written = Written("budget_set", None, budget.amount, None, budget.category)
        return Reply(lines=(line,), written=(written,))

    def dropped(self, ctx: Context, slots: Slots) -> Reply:
        return Reply.say("dropped_budget", category=CategoryName(slots.get("category")))


async def budget_status(ctx: Context) -> Reply:
    category = ctx.understood.category
    query = GetBudgetStatus(user_id=ctx.user.id, category=category, all_budgets=category is None)
    async with ctx.uow() as uow:
        statuses = await services.budget_status(query, uow, ctx.clock)
    if not statuses:
        return Reply.say("no_budget")
    return Reply(lines=(Line("budget_status"), *(lines.budget(status) for status in statuses)))


def register(handlers: Handlers) -> None:
    handlers.add_form(BudgetForm())
    handlers.add_answer(["budget_status"], budget_status)
