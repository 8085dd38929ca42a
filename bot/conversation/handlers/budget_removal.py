"""Deleting a budget by chat: the one the message names, always confirmed, never a guess among several."""

from __future__ import annotations

import uuid

from bot.conversation.context import Context
from bot.conversation.forms import Form, Slots, SlotValues
from bot.conversation.handlers import Handlers
from bot.conversation.reply import CategoryName, Line, Phrase, Reply, Written
from domain.errors import NotFound
from domain.model import Budget, Recurrence
from domain.operators import delete_budget

DELETE = Form("delete_budget", confirm="always")


def _period(budget: Budget) -> Phrase:
    return Phrase("period_week" if budget.recurrence == Recurrence.WEEKLY else "period_month")


def _described(budget: Budget) -> dict[str, object]:
    return {"category": CategoryName(budget.category), "amount": budget.amount, "period": _period(budget)}


def matching(budgets: list[Budget], category: str | None, recurrence: str | None) -> list[Budget]:
    """The budgets a message names: by category when it names one, by recurrence when it says one; with
    neither, every budget (one is then the one meant; several are asked about, never picked)."""
    found = [b for b in budgets if category is None or b.category == category]
    if recurrence is not None:
        found = [b for b in found if b.recurrence.value == recurrence]
    return sorted(found, key=lambda b: (b.category or "", b.recurrence.value))


class DeleteBudgetForm:
    """ "delete my groceries budget", "borra el presupuesto de comida", "apaga o orçamento do mercado"."""

    form = DELETE

    async def prefill(self, ctx: Context) -> SlotValues | Reply:
        parse = ctx.understood
        async with ctx.uow() as uow:
            budgets = await uow.budgets.list_for(ctx.user.id)
        if not budgets:
            return Reply.say("no_budget_to_delete_any")
        found = matching(budgets, parse.category, parse.recurrence)
        if not found:
            return Reply.say("no_budget_to_delete", category=CategoryName(parse.category))
        if len(found) > 1:
            listed = tuple(Line("budget_choice", _described(b)) for b in found)
            return Reply(lines=(Line("which_budget", {"count": len(found)}), *listed))
        return {"budget_id": str(found[0].id)}

    async def _budget(self, ctx: Context, slots: Slots) -> Budget | None:
        async with ctx.uow() as uow:
            budget = await uow.budgets.get(uuid.UUID(str(slots["budget_id"])))
        return budget if budget is not None and budget.user_id == ctx.user.id else None

    async def question(self, ctx: Context, slots: Slots) -> Reply:
        budget = await self._budget(ctx, slots)
        if budget is None:
            return Reply.say("budget_already_gone")
        return Reply.say("confirm_delete_budget", **_described(budget))

    async def submit(self, ctx: Context, slots: Slots) -> Reply:
        budget = await self._budget(ctx, slots)
        if budget is None:
            return Reply.say("budget_already_gone")
        try:
            async with ctx.uow() as uow:
                deleted = await delete_budget(budget.id, uow)
        except NotFound:
            return Reply.say("budget_already_gone")
        written = Written("budget_deleted", None, deleted.amount, None, deleted.category)
        return Reply(lines=(Line("budget_deleted", _described(deleted)),), written=(written,))

    def dropped(self, ctx: Context, slots: Slots) -> Reply:
        return Reply.say("dropped_delete_budget")


def register(handlers: Handlers) -> None:
    handlers.add_form(DeleteBudgetForm())
