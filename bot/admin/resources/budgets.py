"""Budgets: list, create, change, remove, and where each stands in its current period."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Literal

from pydantic import Field

from bot.admin.api import Call, Listed, Resource
from bot.admin.problems import field_problem, not_found
from bot.admin.schemas import Amount, AmountText, Category, Currency, ListQuery, Out, Percent, Strict
from domain import services
from domain.commands import SetBudget
from domain.household_admin import require_active_member
from domain.lookup import require_user
from domain.model import Budget, Recurrence
from domain.operators import (
    UNSET,
    UpdateBudget,
    budget_status_of,
    delete_budget,
    tenant_thresholds,
    update_budget,
)
from domain.results import BudgetStatus

api = Resource("budgets")

Thresholds = list[Percent]


class BudgetIn(Strict):
    user_id: uuid.UUID
    amount: Amount
    currency: Currency | None = None
    category: Category | None = None
    """null: a budget on all spending."""
    recurrence: Literal["weekly", "monthly"] = "monthly"
    thresholds: Thresholds | None = Field(default=None, min_length=1, max_length=10)
    household_id: uuid.UUID | None = None
    """A shared budget of this household, counting every member's household spending; the user must be an
    active member of it (else 422)."""


class BudgetPatch(Strict):
    amount: Amount | None = None
    currency: Currency | None = None
    thresholds: Thresholds | None = Field(default=None, min_length=1, max_length=10)


class StatusOut(Out):
    period_start: date
    period_end: date
    spent: AmountText
    left: AmountText
    share_used: AmountText
    days_left: int


class BudgetOut(Out):
    id: uuid.UUID
    user_id: uuid.UUID
    """Who set it (for a shared budget, one of the household's members)."""
    household_id: uuid.UUID | None = None
    """The household whose shared budget it is; null: the user's own."""
    category: str | None
    amount: AmountText
    currency: str
    recurrence: str
    thresholds: list[int]
    created_at: datetime | None
    updated_at: datetime | None
    status: StatusOut | None = None

    @classmethod
    def of(cls, budget: Budget, status: BudgetStatus | None = None) -> BudgetOut:
        return cls(
            id=budget.id,
            user_id=budget.user_id,
            household_id=budget.household_id,
            category=budget.category,
            amount=str(budget.amount.quantized().amount),
            currency=budget.amount.currency,
            recurrence=str(budget.recurrence),
            thresholds=list(budget.thresholds),
            created_at=budget.created_at,
            updated_at=budget.updated_at,
            status=None
            if status is None
            else StatusOut(
                period_start=status.period.start,
                period_end=status.period.end,
                spent=str(status.spent.quantized().amount),
                left=str(status.left.quantized().amount),
                share_used=str(status.share_used),
                days_left=status.days_left,
            ),
        )


class BudgetQuery(ListQuery):
    user_id: uuid.UUID | None = None


@api.listing("/budgets", item=BudgetOut, query=BudgetQuery, summary="List budgets")
async def list_budgets(call: Call) -> Listed:
    query: BudgetQuery = call.query
    after = uuid.UUID(str(call.after[0])) if call.after else None
    async with call.reading() as uow:
        budgets = await uow.budgets.page(user_id=query.user_id, after=after, limit=call.limit + 1)
    page = budgets[: call.limit]
    return Listed([BudgetOut.of(b) for b in page], [str(page[-1].id)] if len(budgets) > call.limit else None)


@api.post("/budgets", body=BudgetIn, response=BudgetOut, summary="Create a budget", conflicts=True)
async def create_budget(call: Call) -> BudgetOut:
    body: BudgetIn = call.body
    assert call.tenant is not None
    async with call.writing() as uow:
        if body.household_id is not None:
            await require_user(uow, body.user_id)  # an unknown user is a 404, shared or not
            await require_active_member(uow, body.household_id, body.user_id)
        recurrence = Recurrence(body.recurrence)
        existing = await uow.budgets.find(body.user_id, body.category, recurrence, body.household_id)
        if existing is not None:
            whose = "this user" if body.household_id is None else "the household"
            raise field_problem(
                409,
                "body.category",
                f"{whose} already has that budget ({existing.id}); PATCH it",
                kind="conflict",
            )
        cmd = SetBudget(
            user_id=body.user_id,
            amount=body.amount,
            recurrence=body.recurrence,
            category=body.category,
            currency=body.currency,
            thresholds=tenant_thresholds(call.tenant) if body.thresholds is None else tuple(body.thresholds),
            shared=body.household_id is not None,
        )
        status = await services.set_budget(cmd, uow, call.clock)
        out = BudgetOut.of(status.budget, status)
        call.audit("create", "budget", status.budget.id, None, out)
    return out


@api.get("/budgets/{budget_id}", response=BudgetOut, summary="One budget and where it stands")
async def get_budget(call: Call) -> BudgetOut:
    async with call.reading() as uow:
        budget = await uow.budgets.get(call.id("budget_id"))
        if budget is None:
            raise not_found("budget")
        status = await budget_status_of(budget.id, uow, call.clock)
    return BudgetOut.of(budget, status)


@api.patch("/budgets/{budget_id}", body=BudgetPatch, response=BudgetOut, summary="Change a budget")
async def update_budget_route(call: Call) -> BudgetOut:
    body: BudgetPatch = call.body
    cmd = UpdateBudget(
        budget_id=call.id("budget_id"),
        amount=UNSET if body.amount is None else body.amount,
        currency=UNSET if body.currency is None else body.currency,
        thresholds=UNSET if body.thresholds is None else tuple(body.thresholds),
    )
    async with call.writing() as uow:
        before, status = await update_budget(cmd, uow, call.clock)
        out = BudgetOut.of(status.budget, status)
        call.audit("update", "budget", before.id, BudgetOut.of(before), out)
    return out


@api.delete("/budgets/{budget_id}", summary="Remove a budget")
async def delete_budget_route(call: Call) -> None:
    async with call.writing() as uow:
        budget = await delete_budget(call.id("budget_id"), uow)
        call.audit("delete", "budget", budget.id, BudgetOut.of(budget), None)
