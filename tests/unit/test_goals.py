"""Savings goals: the arithmetic of progress and pace, and money moved in and out without being spending."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime

import pytest

from domain import services
from domain.commands import GetBalance, GetSpendingSummary
from domain.errors import Conflict, NotFound, ValidationError
from domain.goals import (
    Contribute,
    CreateGoal,
    close_goal,
    contribute,
    goal_status,
    start_goal,
    status_of,
)
from domain.model import Goal
from domain.money import Money
from tests.unit.world import World

BRL = "BRL"


def _goal(target: str = "5000", target_date: date | None = date(2025, 7, 31)) -> Goal:
    return Goal(
        uuid.uuid4(), uuid.uuid4(), uuid.uuid4(), "Viagem", Money.of(target, BRL), uuid.uuid4(), target_date
    )


@pytest.mark.parametrize(
    ("saved", "today", "months", "needed", "pace"),
    [
        # Started 1 Dec 2024 towards 5,000 by 31 July 2025 (8 calendar months, both ends counted).
        ("0", date(2024, 12, 1), 8, "625.00", "on_track"),
        ("0", date(2025, 3, 1), 5, "1000.00", "behind"),
        ("2500", date(2025, 3, 1), 5, "500.00", "on_track"),
        ("1000", date(2025, 7, 10), 1, "4000.00", "behind"),
        ("4999.99", date(2025, 8, 2), 0, "0.01", "behind"),  # the date passed: all that is left, at once
        ("5000", date(2025, 3, 1), 5, "0.00", "achieved"),
        ("6000", date(2024, 12, 1), 8, "0.00", "achieved"),
    ],
)
def test_progress_and_pace(saved: str, today: date, months: int, needed: str, pace: str) -> None:
    status = status_of(_goal(), Money.of(saved, BRL), today, date(2024, 12, 1))
    assert status.months_left == months
    assert status.monthly_needed == Money.of(needed, BRL)
    assert status.left == max(Money.of("5000", BRL) - Money.of(saved, BRL), Money.zero(BRL))
    assert status.pace == pace


def test_the_monthly_amount_is_rounded_up_so_it_reaches_the_target() -> None:
    status = status_of(
        _goal("1000", date(2025, 2, 28)), Money.zero(BRL), date(2024, 12, 1), date(2024, 12, 1)
    )
    assert status.months_left == 3 and status.monthly_needed == Money.of("333.34", BRL)


def test_a_goal_without_a_date_has_no_pace_until_it_is_reached() -> None:
    assert (
        status_of(_goal(target_date=None), Money.of("10", BRL), date(2025, 1, 1), date(2025, 1, 1)).pace
        is None
    )
    reached = status_of(_goal(target_date=None), Money.of("5000", BRL), date(2025, 1, 1), date(2025, 1, 1))
    assert reached.pace == "achieved" and reached.months_left is None and reached.monthly_needed is None


async def _world_with_goal(**fields: object):  # type: ignore[no-untyped-def]
    world = await World.create()  # 15 March 2024, São Paulo, BRL
    fields = {"name": "Viagem", "target": "5000", "target_date": date(2024, 7, 31), **fields}
    async with world.uow() as uow:
        status = await start_goal(CreateGoal(user_id=world.user.id, **fields), uow, world.clock)  # type: ignore[arg-type]
    return world, status.goal


async def _put(world: World, goal: Goal, amount: str, **fields: object):  # type: ignore[no-untyped-def]
    async with world.uow() as uow:
        return await contribute(Contribute(goal_id=goal.id, amount=amount, **fields), uow, world.clock)  # type: ignore[arg-type]


async def test_putting_money_in_moves_it_between_accounts_and_is_never_spending() -> None:
    world, goal = await _world_with_goal()
    transfer, status = await _put(world, goal, "200")
    assert transfer.incoming.account_id == goal.account_id and transfer.created
    assert status.saved == Money.of("200", BRL) and status.left == Money.of("4800", BRL)
    assert status.months_left == 5 and status.monthly_needed == Money.of("960.00", BRL)
    async with world.uow() as uow:
        balance = await services.get_balance(GetBalance(user_id=world.user.id), uow)
        summary = await services.spending_summary(GetSpendingSummary(user_id=world.user.id), uow, world.clock)
    by_account = {line.account.name: line.balances[BRL] for line in balance.accounts}
    assert by_account["Viagem"] == Money.of("200", BRL)
    assert balance.totals[BRL] == sum(by_account.values(), Money.zero(BRL))  # moved, not spent
    assert summary.total == Money.zero(BRL)


async def test_taking_money_out_is_allowed_up_to_what_was_saved() -> None:
    world, goal = await _world_with_goal()
    await _put(world, goal, "300")
    _, status = await _put(world, goal, "100", withdraw=True)
    assert status.saved == Money.of("200", BRL)
    with pytest.raises(ValidationError) as refused:
        await _put(world, goal, "200.01", withdraw=True)
    assert refused.value.reason == "more_than_saved"
    async with world.uow() as uow:
        assert (await goal_status(goal.id, uow, world.clock)).saved == Money.of("200", BRL)


async def test_a_goal_named_like_an_account_is_refused() -> None:
    world = await World.create()
    async with world.uow() as uow:
        default = await uow.accounts.default_for(world.user.id)
    assert default is not None
    with pytest.raises(Conflict):
        async with world.uow() as uow:
            await start_goal(
                CreateGoal(user_id=world.user.id, name=default.name.upper(), target="10"), uow, world.clock
            )


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"target": "0"}, "target"),
        ({"target_date": date(2024, 3, 14)}, "target_date"),
        ({"name": " "}, "name"),
    ],
)
async def test_bad_goals_are_refused_and_nothing_is_written(fields: dict[str, object], field: str) -> None:
    world = await World.create()
    with pytest.raises(ValidationError) as refused:
        await _world_with_goal_in(world, **fields)
    assert refused.value.field == field
    async with world.uow() as uow:
        assert await uow.goals.list_for(world.user.id, open_only=False) == []
        assert len(await uow.accounts.list_for(world.user.id)) == 1


async def _world_with_goal_in(world: World, **fields: object) -> Goal:
    fields = {"name": "Viagem", "target": "5000", **fields}
    async with world.uow() as uow:
        return (await start_goal(CreateGoal(user_id=world.user.id, **fields), uow, world.clock)).goal  # type: ignore[arg-type]


async def test_a_closed_goal_takes_no_more_money_and_keeps_what_it_holds() -> None:
    world, goal = await _world_with_goal()
    await _put(world, goal, "50")
    async with world.uow() as uow:
        closed = await close_goal(goal.id, uow, world.clock)
    assert not closed.open
    with pytest.raises(ValidationError):
        await _put(world, goal, "10")
    async with world.uow() as uow:
        assert (await goal_status(goal.id, uow, world.clock)).saved == Money.of("50", BRL)
        assert await uow.goals.list_for(world.user.id) == []


async def test_another_tenant_cannot_see_or_fill_a_goal() -> None:
    world, goal = await _world_with_goal()
    async with world.uow(uuid.uuid4()) as uow:
        with pytest.raises(NotFound):
            await contribute(Contribute(goal_id=goal.id, amount="10"), uow, world.clock)
        with pytest.raises(NotFound):
            await goal_status(goal.id, uow, world.clock)


async def test_the_pace_is_counted_from_the_goals_start() -> None:
    world, goal = await _world_with_goal(target="1400", target_date=date(2024, 5, 4))  # 50 days from 15 March
    world.clock.set(datetime(2024, 4, 9, 15, 0, tzinfo=UTC))  # 25 days in: half the time
    await _put(world, goal, "600")
    async with world.uow() as uow:
        status = await goal_status(goal.id, uow, world.clock)
    assert status.expected_by_now == Money.of("700.00", BRL) and status.pace == "behind"
    await _put(world, goal, "100")
    async with world.uow() as uow:
        assert (await goal_status(goal.id, uow, world.clock)).pace == "on_track"
