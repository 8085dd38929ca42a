"""Savings goals: list, start, read with progress and pace, put money in or take it out, close."""

from __future__ import annotations

import uuid
from datetime import date, datetime

from bot.admin.api import Call, Listed, Resource
from bot.admin.problems import not_found
from bot.admin.schemas import Amount, AmountText, Currency, ListQuery, Name, Out, Strict
from domain.goals import Contribute, CreateGoal, GoalStatus, close_goal, contribute, goal_status, start_goal
from domain.model import Goal, Source
from domain.money import Money

api = Resource("goals")


class GoalIn(Strict):
    user_id: uuid.UUID
    name: Name
    """Also the name of the goal's own savings account (unique among the user's accounts)."""
    target: Amount
    currency: Currency | None = None
    """Defaults to the user's currency."""
    target_date: date | None = None


class ContributionIn(Strict):
    amount: Amount
    account_id: uuid.UUID | None = None
    """The account the money comes from (or goes back to); defaults to the user's default account."""
    withdraw: bool = False
    """True: take the amount out of the goal, back to that account."""


class GoalOut(Out):
    id: uuid.UUID
    user_id: uuid.UUID
    name: str
    target: AmountText
    currency: str
    target_date: date | None
    account_id: uuid.UUID
    created_at: datetime | None
    closed_at: datetime | None
    saved: AmountText | None = None
    left: AmountText | None = None
    months_left: int | None = None
    monthly_needed: AmountText | None = None
    expected_by_now: AmountText | None = None
    pace: str | None = None

    @classmethod
    def of(cls, goal: Goal, status: GoalStatus | None = None) -> GoalOut:
        return cls(
            id=goal.id,
            user_id=goal.user_id,
            name=goal.name,
            target=str(goal.target.quantized().amount),
            currency=goal.target.currency,
            target_date=goal.target_date,
            account_id=goal.account_id,
            created_at=goal.created_at,
            closed_at=goal.closed_at,
            saved=None if status is None else _amount(status.saved),
            left=None if status is None else _amount(status.left),
            months_left=None if status is None else status.months_left,
            monthly_needed=None if status is None else _amount(status.monthly_needed),
            expected_by_now=None if status is None else _amount(status.expected_by_now),
            pace=None if status is None else status.pace,
        )


def _amount(money: Money | None) -> str | None:
    return None if money is None else str(money.quantized().amount)


class ContributionOut(Out):
    transfer_id: uuid.UUID | None
    goal: GoalOut


class GoalQuery(ListQuery):
    user_id: uuid.UUID | None = None


@api.listing("/goals", item=GoalOut, query=GoalQuery, summary="List savings goals")
async def list_goals(call: Call) -> Listed:
    query: GoalQuery = call.query
    after = uuid.UUID(str(call.after[0])) if call.after else None
    async with call.reading() as uow:
        goals = await uow.goals.page(user_id=query.user_id, after=after, limit=call.limit + 1)
    page = goals[: call.limit]
    return Listed(
        [GoalOut.of(goal) for goal in page], [str(page[-1].id)] if len(goals) > call.limit else None
    )


@api.post("/goals", body=GoalIn, response=GoalOut, summary="Start a savings goal", conflicts=True)
async def create_goal(call: Call) -> GoalOut:
    body: GoalIn = call.body
    cmd = CreateGoal(
        user_id=body.user_id,
        name=body.name,
        target=body.target,
        currency=body.currency,
        target_date=body.target_date,
    )
    async with call.writing() as uow:
        status = await start_goal(cmd, uow, call.clock)
        out = GoalOut.of(status.goal, status)
        call.audit("create", "goal", status.goal.id, None, out)
    return out


@api.get("/goals/{goal_id}", response=GoalOut, summary="One goal, its progress and pace")
async def get_goal(call: Call) -> GoalOut:
    async with call.reading() as uow:
        goal = await uow.goals.get(call.id("goal_id"))
        if goal is None:
            raise not_found("goal")
        status = await goal_status(goal.id, uow, call.clock)
    return GoalOut.of(goal, status)


@api.post(
    "/goals/{goal_id}/contributions",
    body=ContributionIn,
    response=ContributionOut,
    summary="Put money into a goal, or take it out (a transfer)",
)
async def contribute_to_goal(call: Call) -> ContributionOut:
    body: ContributionIn = call.body
    cmd = Contribute(
        goal_id=call.id("goal_id"),
        amount=body.amount,
        account_id=body.account_id,
        withdraw=body.withdraw,
        source=Source.ADMIN_API,
    )
    async with call.writing() as uow:
        if await uow.goals.get(cmd.goal_id) is None:
            raise not_found("goal")
        transfer, status = await contribute(cmd, uow, call.clock)
        out = ContributionOut(transfer_id=transfer.outgoing.transfer_id, goal=GoalOut.of(status.goal, status))
        call.audit("update", "goal", status.goal.id, None, out)
    return out


@api.delete("/goals/{goal_id}", summary="Close a goal (its account and money stay)")
async def close_goal_route(call: Call) -> None:
    async with call.writing() as uow:
        before = await uow.goals.get(call.id("goal_id"))
        if before is None:
            raise not_found("goal")
        after = await close_goal(before.id, uow, call.clock)
        call.audit("delete", "goal", after.id, GoalOut.of(before), GoalOut.of(after))
