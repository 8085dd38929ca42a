"""Budget threshold crossings: raised once per budget, period and threshold, only by upward moves now."""

from __future__ import annotations

from datetime import UTC, date, datetime

from domain import services
from domain.commands import EditLast, RecordTransaction, RestoreTransaction, UndoLast
from domain.events import BudgetThresholdCrossed
from domain.money import Money
from tests.unit.world import World


def brl(text: str) -> Money:
    return Money.of(text, "BRL")


def thresholds(world: World) -> list[int]:
    return [alert.threshold for alert in world.alerts()]


async def test_80_and_100_are_each_raised_exactly_once_as_spending_grows() -> None:
    world = await World.create()
    budget = (await world.budget("1000")).budget

    assert (await world.expense("700.00")).crossings == ()  # 70%
    crossed = await world.expense("150.00")  # 85%
    assert [c.threshold for c in crossed.crossings] == [80]
    assert (await world.expense("100.00")).crossings == ()  # 95%: 80 is behind us
    over = await world.expense("60.00")  # 101%
    assert [c.threshold for c in over.crossings] == [100]
    assert (await world.expense("50.00")).crossings == ()
    assert (await world.expense("500.00")).crossings == ()

    assert thresholds(world) == [80, 100]
    first = world.alerts()[0]
    assert first == BudgetThresholdCrossed(
        tenant_id=world.tenant.id,
        user_id=world.user.id,
        budget_id=budget.id,
        category="groceries",
        threshold=80,
        period_start=date(2024, 3, 1),
        period_end=date(2024, 3, 31),
        spent=brl("850.00"),
        budget=brl("1000.00"),
        source="chat",
    )
    assert len(world.db.store.crossings) == 2


async def test_one_expense_can_cross_both_and_exactly_at_the_threshold_counts() -> None:
    world = await World.create()
    await world.budget("1000")
    result = await world.expense("1000.00")
    assert [c.threshold for c in result.crossings] == [80, 100]

    world2 = await World.create()
    await world2.budget("1000")
    await world2.expense("799.99")
    assert thresholds(world2) == []
    await world2.expense("0.01")  # exactly 80%
    assert thresholds(world2) == [80]


async def test_a_transaction_dated_in_a_past_period_does_not_alert() -> None:
    world = await World.create()
    await world.budget("1000")
    result = await world.expense("5000.00", on=date(2024, 2, 20))
    assert result.crossings == ()
    assert result.budgets == ()
    assert world.alerts() == []

    # Tomorrow is in this period and does count.
    assert [c.threshold for c in (await world.expense("900.00", on=date(2024, 3, 16))).crossings] == [80]


async def test_only_the_matching_category_and_currency_count() -> None:
    world = await World.create()
    await world.budget("100")
    await world.expense("500.00", "dining")
    await world.expense("500.00", currency="USD")
    await world.expense("500.00", None)
    assert world.alerts() == []


async def test_undo_never_alerts_and_the_same_threshold_is_not_raised_twice_in_a_period() -> None:
    world = await World.create()
    await world.budget("1000")
    await world.expense("850.00")
    assert thresholds(world) == [80]
    undo = await world.run(services.undo_last, UndoLast(world.user.id))
    assert undo.crossings == ()
    assert undo.budgets[0].spent == brl("0.00")
    await world.expense("900.00")  # back above 80%: already raised this period
    assert thresholds(world) == [80]


async def test_a_new_period_alerts_again() -> None:
    world = await World.create()
    await world.budget("1000")
    await world.expense("850.00")
    world.clock.set(datetime(2024, 4, 2, 12, 0, tzinfo=UTC))
    await world.expense("850.00")
    assert [(a.threshold, a.period_start) for a in world.alerts()] == [
        (80, date(2024, 3, 1)),
        (80, date(2024, 4, 1)),
    ]


async def test_an_edit_upward_alerts() -> None:
    world = await World.create()
    await world.budget("1000")
    await world.expense("500.00")
    await world.expense("200.00")
    result = await world.run(services.edit_last, EditLast(world.user.id, amount="350.00"))
    assert [c.threshold for c in result.crossings] == [80]
    assert result.crossings[0].spent == brl("850.00")
    assert result.budgets[0].spent == brl("850.00")
    assert thresholds(world) == [80]

    # Editing down and up again within the period does not raise 80 a second time.
    await world.run(services.edit_last, EditLast(world.user.id, amount="10.00"))
    await world.run(services.edit_last, EditLast(world.user.id, amount="360.00"))
    assert thresholds(world) == [80]


async def test_an_edit_into_the_budgets_category_or_period_alerts() -> None:
    world = await World.create()
    await world.budget("1000")
    await world.budget("1000", "dining")
    await world.expense("900.00", "dining", on=date(2024, 2, 28))  # last month: nothing yet
    assert world.alerts() == []
    moved = await world.run(services.edit_last, EditLast(world.user.id, occurred_on=date(2024, 3, 1)))
    assert [(c.category, c.threshold) for c in moved.crossings] == [("dining", 80)]
    recategorised = await world.run(services.edit_last, EditLast(world.user.id, category="groceries"))
    assert [(c.category, c.threshold) for c in recategorised.crossings] == [("groceries", 80)]
    # Both budgets are reported: dining went down, groceries went up.
    assert {s.budget.category: s.spent for s in recategorised.budgets} == {
        "dining": brl("0.00"),
        "groceries": brl("900.00"),
    }


async def test_an_edit_to_another_currency_moves_the_amount_to_uncounted() -> None:
    world = await World.create()
    await world.budget("1000")
    await world.expense("100.00")
    result = await world.run(services.edit_last, EditLast(world.user.id, currency="USD"))
    [status] = result.budgets
    assert status.spent == brl("0.00")
    assert status.uncounted == {"USD": Money.of("100.00", "USD")}
    assert result.crossings == ()


async def test_restoring_can_cross_a_threshold_not_raised_before() -> None:
    world = await World.create()
    await world.budget("1000")
    first = (await world.expense("500.00")).transaction
    await world.run(services.undo_last, UndoLast(world.user.id))
    await world.expense("400.00")
    assert world.alerts() == []
    restored = await world.run(services.restore_transaction, RestoreTransaction(world.user.id, first.id))
    assert [c.threshold for c in restored.crossings] == [80]
    assert thresholds(world) == [80]


async def test_replacing_a_budget_does_not_raise_a_threshold_already_raised() -> None:
    world = await World.create()
    await world.budget("1000")
    await world.expense("850.00")  # 80 raised
    await world.budget("2000")  # now 42.5%
    await world.expense("800.00")  # 82.5% of the new amount
    assert thresholds(world) == [80]


async def test_crossing_events_are_committed_with_the_transaction_only() -> None:
    world = await World.create()
    await world.budget("1000")
    before = world.snapshot()
    async with world.uow() as uow:
        cmd = RecordTransaction(user_id=world.user.id, kind="expense", amount="900", category="groceries")
        await services.record_transaction(cmd, uow, world.clock)
        assert uow.committed == 1
    assert world.snapshot()[0] == before[0] + 1
    kinds = [type(e).__name__ for e in world.events()[-2:]]
    assert kinds == ["TransactionRecorded", "BudgetThresholdCrossed"]
