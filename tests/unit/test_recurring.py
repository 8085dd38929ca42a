"""Recurring rules: the schedule, starting and cancelling a rule, each occurrence recorded exactly once."""

from __future__ import annotations

import calendar
import uuid
from datetime import UTC, date, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain import services
from domain.commands import AddAccount
from domain.errors import NotFound, ValidationError
from domain.model import Recurrence, Source, TransactionKind
from domain.money import Money
from domain.recurring import (
    MAX_CATCH_UP,
    CreateRecurring,
    cancel_rule,
    occurrence_after,
    occurrence_on_or_after,
    record_due_rules,
    start_rule,
)
from tests.unit.world import World

MONTHLY, WEEKLY = Recurrence.MONTHLY, Recurrence.WEEKLY


@pytest.mark.parametrize(
    ("cadence", "anchor", "day", "expected"),
    [
        (MONTHLY, 1, date(2024, 3, 15), date(2024, 4, 1)),
        (MONTHLY, 15, date(2024, 3, 15), date(2024, 3, 15)),
        (MONTHLY, 31, date(2024, 2, 10), date(2024, 2, 29)),  # the last day of a short month (leap year)
        (MONTHLY, 31, date(2023, 2, 10), date(2023, 2, 28)),
        (MONTHLY, 30, date(2024, 12, 31), date(2025, 1, 30)),  # over the year's end
        (WEEKLY, 0, date(2024, 3, 15), date(2024, 3, 18)),  # a Friday -> the next Monday
        (WEEKLY, 4, date(2024, 3, 15), date(2024, 3, 15)),  # a Friday is its own Friday
    ],
)
def test_first_occurrence_on_or_after(cadence: Recurrence, anchor: int, day: date, expected: date) -> None:
    assert occurrence_on_or_after(cadence, anchor, day) == expected


def test_a_rule_on_the_31st_comes_back_to_the_31st_after_a_short_month() -> None:
    days = [date(2024, 1, 31)]
    for _ in range(3):
        days.append(occurrence_after(MONTHLY, 31, days[-1]))
    assert days == [date(2024, 1, 31), date(2024, 2, 29), date(2024, 3, 31), date(2024, 4, 30)]


@given(
    st.sampled_from([WEEKLY, MONTHLY]),
    st.integers(0, 31),
    st.dates(min_value=date(2000, 1, 1), max_value=date(2100, 1, 1)),
)
def test_occurrences_move_forward_and_keep_their_anchor(cadence: Recurrence, anchor: int, day: date) -> None:
    anchor = anchor % 7 if cadence == WEEKLY else max(anchor, 1)
    first = occurrence_on_or_after(cadence, anchor, day)
    following = occurrence_after(cadence, anchor, first)
    assert day <= first < following
    if cadence == WEEKLY:
        assert first.weekday() == following.weekday() == anchor and (following - first).days == 7
        assert (first - day).days < 7
    else:
        for occurrence in (first, following):
            last_day = calendar.monthrange(occurrence.year, occurrence.month)[1]
            assert occurrence.day == min(anchor, last_day)
        assert (following.year * 12 + following.month) - (first.year * 12 + first.month) == 1


async def _start(world: World, **fields: object):  # type: ignore[no-untyped-def]
    fields = {"kind": "expense", "amount": "39.90", "cadence": "monthly", **fields}
    async with world.uow() as uow:
        cmd = CreateRecurring(user_id=world.user.id, **fields)  # type: ignore[arg-type]
        return await start_rule(cmd, uow, world.clock)


async def _recorded(world: World) -> list[tuple[date, str, str | None]]:
    """The committed ledger's recurring transactions: (day, amount, merchant)."""
    found = [t for t in world.db.store.transactions.values() if t.source == Source.RECURRING]
    return sorted((t.occurred_on, str(t.amount.amount), t.merchant) for t in found)


async def _pass(world: World) -> int:
    async with world.uow() as uow:
        return (await record_due_rules(uow, world.clock)).created


async def test_a_rule_starting_today_records_todays_occurrence_at_once() -> None:
    world = await World.create()  # Friday 15 March 2024, São Paulo
    started = await _start(world, merchant="Netflix", category="subscriptions")
    assert started.rule.anchor == 15 and started.rule.next_due == date(2024, 4, 15)
    [result] = started.recorded
    assert result.created and result.transaction.occurred_on == date(2024, 3, 15)
    assert result.transaction.amount == Money.of("39.90", "BRL")
    assert result.transaction.source_ref == f"{started.rule.id}:2024-03-15"
    assert await _pass(world) == 0  # nothing more is due today
    assert await _recorded(world) == [(date(2024, 3, 15), "39.90", "Netflix")]


async def test_a_rule_on_a_later_day_records_nothing_until_that_day() -> None:
    world = await World.create()
    started = await _start(world, amount="1200", anchor=1, merchant="Rent", category="housing")
    assert started.recorded == () and started.rule.next_due == date(2024, 4, 1)
    world.clock.set(datetime(2024, 4, 1, 2, 0, tzinfo=UTC))  # 23:00 on 31 March in São Paulo
    assert await _pass(world) == 0
    world.clock.set(datetime(2024, 4, 1, 4, 0, tzinfo=UTC))  # 01:00 on 1 April in São Paulo
    assert await _pass(world) == 1
    assert await _pass(world) == 0
    assert await _recorded(world) == [(date(2024, 4, 1), "1200.00", "Rent")]


async def test_after_downtime_every_missed_occurrence_is_recorded_once() -> None:
    world = await World.create()
    await _start(world, amount="30", cadence="weekly", merchant="Gym")  # Fridays, from today
    world.clock.advance(days=21)
    assert await _pass(world) == 3
    assert await _pass(world) == 0
    days = [day for day, _, _ in await _recorded(world)]
    assert days == [date(2024, 3, 15), date(2024, 3, 22), date(2024, 3, 29), date(2024, 4, 5)]


async def test_a_long_downtime_catches_up_in_bounded_passes() -> None:
    world = await World.create()
    await _start(world, amount="5", cadence="weekly")
    world.clock.advance(days=7 * (MAX_CATCH_UP + 10))
    assert await _pass(world) == MAX_CATCH_UP
    assert await _pass(world) == 10
    assert len(await _recorded(world)) == MAX_CATCH_UP + 11


async def test_a_cancelled_rule_records_nothing_more_and_keeps_what_it_recorded() -> None:
    world = await World.create()
    started = await _start(world, merchant="Netflix")
    async with world.uow() as uow:
        cancelled = await cancel_rule(started.rule.id, uow, world.clock)
    assert cancelled.cancelled_at == world.clock.now() and not cancelled.active
    world.clock.advance(days=62)
    assert await _pass(world) == 0
    assert len(await _recorded(world)) == 1
    async with world.uow() as uow:
        assert await uow.recurring.list_for(world.user.id) == []
        assert len(await uow.recurring.list_for(world.user.id, active_only=False)) == 1


async def test_a_rule_refused_at_record_time_does_not_hold_back_the_others() -> None:
    world = await World.create()
    await _start(world, amount="10", anchor=16, merchant="A")
    broken = (await _start(world, amount="10", anchor=16, merchant="B")).rule
    # Its account is gone (as if deleted through the admin API): the ledger refuses the occurrence.
    world.db.store.recurring[broken.id].account_id = uuid.uuid4()
    world.clock.advance(days=1)
    async with world.uow() as uow:
        done = await record_due_rules(uow, world.clock)
    assert done.created == 1 and [rule_id for rule_id, _ in done.refused] == [broken.id]
    assert [merchant for _, _, merchant in await _recorded(world)] == ["A"]
    async with world.uow() as uow:
        still = await uow.recurring.get(broken.id)
    assert still is not None and still.next_due == date(2024, 3, 16)  # still due: tried again next pass


async def test_a_rule_on_a_named_account_records_there() -> None:
    world = await World.create()
    card = await world.run(services.add_account, AddAccount(user_id=world.user.id, name="Nubank"))
    started = await _start(world, account_id=card.id)
    [result] = started.recorded
    assert result.transaction.account_id == card.id


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"cadence": "daily"}, "cadence"),
        ({"anchor": 32}, "anchor"),
        ({"cadence": "weekly", "anchor": 7}, "anchor"),
        ({"amount": "0"}, "amount"),
        ({"kind": "transfer"}, "kind"),
        ({"currency": "ZZZ"}, "currency"),
    ],
)
async def test_a_bad_rule_is_refused_and_nothing_is_written(fields: dict[str, object], field: str) -> None:
    world = await World.create()
    with pytest.raises(ValidationError) as refused:
        await _start(world, **fields)
    assert refused.value.field == field
    async with world.uow() as uow:
        assert await uow.recurring.list_for(world.user.id, active_only=False) == []
    assert await _recorded(world) == []


async def test_another_tenant_cannot_cancel_a_rule() -> None:
    world = await World.create()
    started = await _start(world)
    async with world.uow(uuid.uuid4()) as uow:
        with pytest.raises(NotFound):
            await cancel_rule(started.rule.id, uow, world.clock)
    async with world.uow() as uow:
        kept = await uow.recurring.get(started.rule.id)
    assert kept is not None and kept.active


async def test_an_income_rule_records_income() -> None:
    world = await World.create()
    started = await _start(world, kind="income", amount="5000", category="salary", merchant="ACME")
    [result] = started.recorded
    assert result.transaction.kind == TransactionKind.INCOME
    assert result.transaction.category == "salary"
