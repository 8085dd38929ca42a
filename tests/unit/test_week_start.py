"""The first day of a user's week: the locale's default, the user's choice, weekly budgets following it."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from domain import services
from domain.commands import GetBudgetStatus
from domain.errors import ValidationError
from domain.model import Period, Recurrence
from domain.money import Money
from domain.operators import UpdateUser, update_user
from domain.periods import current_period, default_week_start, user_week_start, week_of
from tests.unit.world import World


@pytest.mark.parametrize(
    ("locale", "expected"),
    [("en_US", "sunday"), ("es_US", "sunday"), ("en-US", "sunday"), ("en_GB", "monday"), ("pt_BR", "monday"),
     ("es_MX", "monday"), ("pt", "monday")],
)  # fmt: skip
def test_the_locale_decides_the_default_week_start(locale: str, expected: str) -> None:
    assert default_week_start(locale) == expected


@pytest.mark.parametrize(
    ("week_start", "start"),
    [("monday", date(2024, 3, 11)), ("sunday", date(2024, 3, 10)), ("saturday", date(2024, 3, 9))],
)
def test_a_week_starts_on_its_first_day_and_holds_seven_days(week_start: str, start: date) -> None:
    friday = date(2024, 3, 15)
    week = week_of(friday, week_start)
    assert week == Period(start, start.replace(day=start.day + 6))
    assert friday in week
    assert current_period(Recurrence.WEEKLY, friday, week_start) == week


def test_a_sunday_is_the_first_day_of_a_sunday_week_and_the_last_of_a_monday_week() -> None:
    sunday = date(2024, 3, 17)
    assert week_of(sunday, "sunday").start == sunday
    assert week_of(sunday, "monday").end == sunday


async def test_the_users_choice_wins_over_the_locale_and_null_gives_it_back() -> None:
    world = await World.create(locale="en_US", currency="USD", timezone="America/New_York")
    assert user_week_start(world.user) == "sunday"
    async with world.uow() as uow:
        _, user = await update_user(UpdateUser(user_id=world.user.id, week_start="monday"), uow)
    assert (user.week_start, user_week_start(user)) == ("monday", "monday")
    async with world.uow() as uow:
        _, user = await update_user(UpdateUser(user_id=world.user.id, week_start=None), uow)
    assert (user.week_start, user_week_start(user)) == (None, "sunday")


async def test_a_week_start_no_one_uses_is_refused_and_nothing_changes() -> None:
    world = await World.create()
    with pytest.raises(ValidationError) as refused:
        async with world.uow() as uow:
            await update_user(UpdateUser(user_id=world.user.id, week_start="wednesday"), uow)
    assert refused.value.field == "week_start"
    async with world.uow() as uow:
        stored = await uow.users.get(world.user.id)
    assert stored is not None and stored.week_start is None


async def test_a_weekly_budget_follows_the_users_week_start() -> None:
    world = await World.create()  # Friday 15 March 2024, pt_BR: Monday weeks by default
    await world.budget("500", recurrence="weekly")
    await world.expense("100.00", on=date(2024, 3, 10))  # Sunday
    await world.expense("20.00", on=date(2024, 3, 15))  # Friday
    [monday_week] = await world.run(services.budget_status, GetBudgetStatus(world.user.id))
    assert monday_week.period == Period(date(2024, 3, 11), date(2024, 3, 17))
    assert monday_week.spent == Money(Decimal("20.00"), "BRL")

    async with world.uow() as uow:
        await update_user(UpdateUser(user_id=world.user.id, week_start="sunday"), uow)
    [sunday_week] = await world.run(services.budget_status, GetBudgetStatus(world.user.id))
    assert sunday_week.period == Period(date(2024, 3, 10), date(2024, 3, 16))
    assert sunday_week.spent == Money(Decimal("120.00"), "BRL")


async def test_a_tenants_week_start_is_given_to_the_users_it_enrols() -> None:
    world = await World.create()
    world.tenant.settings = {"week_start": "saturday"}
    user = await world.add_user("+5511911112222")
    assert user_week_start(user) == "saturday"
