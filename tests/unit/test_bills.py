"""Bill reminders: what pays a bill early, the day before's reminder scheduled once, none late or when paid,
and a bill paid early not recorded again on its due day."""

from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest

from domain import bills
from domain.bill_payments import PAID_TOLERANCE, same_bill
from domain.errors import NotFound, ValidationError
from domain.events import BillDue, Event
from domain.model import Recurrence, RecurringRule, Source, Transaction, TransactionKind
from domain.money import Money
from domain.recurring import CreateRecurring, occurrence_before, record_due_rules, start_rule
from tests.unit.world import World

# Friday 15 March 2024, 09:00 in São Paulo: the rent below is due on the 20th (a Wednesday).
RENT_DUE = date(2024, 3, 20)
EVE = datetime(2024, 3, 19, 12, 0, tzinfo=UTC)
"""09:00 on the 19th in São Paulo: the rent is due tomorrow."""


class Outbox:
    """The outbox's add_once over a dict, as the unique (tenant, event_id) index makes it."""

    def __init__(self) -> None:
        self.stored: dict[uuid.UUID, Event] = {}

    async def add_once(self, event: Event, event_id: uuid.UUID) -> bool:
        if event_id in self.stored:
            return False
        self.stored[event_id] = event
        return True


def _rule(**fields: object) -> RecurringRule:
    values: dict[str, object] = {
        "id": uuid.uuid4(),
        "tenant_id": uuid.uuid4(),
        "user_id": uuid.uuid4(),
        "kind": TransactionKind.EXPENSE,
        "amount": Money.of("1800", "BRL"),
        "cadence": Recurrence.MONTHLY,
        "anchor": 20,
        "next_due": RENT_DUE,
        "merchant": None,
        "category": "housing",
        "note": "aluguel",
        "bill": True,
        **fields,
    }
    return RecurringRule(**values)  # type: ignore[arg-type]


def _paid(rule: RecurringRule, **fields: object) -> Transaction:
    values: dict[str, object] = {
        "id": uuid.uuid4(),
        "tenant_id": rule.tenant_id,
        "user_id": rule.user_id,
        "account_id": uuid.uuid4(),
        "kind": TransactionKind.EXPENSE,
        "amount": Money.of("1800", "BRL"),
        "occurred_on": RENT_DUE - timedelta(days=2),
        "category": "housing",
        **fields,
    }
    return Transaction(**values)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("rule_fields", "txn_fields", "pays"),
    [
        ({}, {}, True),
        ({}, {"amount": Money.of("1650", "BRL")}, True),  # within 10%
        ({}, {"amount": Money.of("1600", "BRL")}, False),  # 200 off: more than 10%
        ({}, {"amount": Money.of("1800", "USD")}, False),
        ({}, {"category": "groceries"}, False),
        ({}, {"kind": TransactionKind.INCOME}, False),
        ({}, {"source": Source.RECURRING}, False),  # a rule's own recording is no early payment
        ({}, {"user_id": uuid.uuid4()}, False),
        ({}, {"transfer_id": uuid.uuid4()}, False),
        ({}, {"deleted_at": datetime(2024, 3, 18, tzinfo=UTC)}, False),
        ({"merchant": "Imobiliária Sol"}, {"merchant": "imobiliaria sol"}, True),  # case and accents aside
        ({"merchant": "Imobiliária Sol"}, {"merchant": "Uber"}, False),  # another payee, same category
        ({"merchant": "Imobiliária Sol"}, {}, True),  # no merchant written: its category
        ({"category": None}, {}, False),  # nothing to tell it by
    ],
)
def test_what_pays_a_bill(rule_fields: dict[str, object], txn_fields: dict[str, object], pays: bool) -> None:
    rule = _rule(**rule_fields)
    assert same_bill(rule, _paid(rule, **txn_fields)) is pays
    assert PAID_TOLERANCE == Decimal("0.10")


@pytest.mark.parametrize(
    ("cadence", "anchor", "day", "expected"),
    [
        (Recurrence.MONTHLY, 20, date(2024, 3, 20), date(2024, 2, 20)),
        (Recurrence.MONTHLY, 31, date(2024, 3, 31), date(2024, 2, 29)),
        (Recurrence.MONTHLY, 5, date(2024, 1, 5), date(2023, 12, 5)),
        (Recurrence.WEEKLY, 2, date(2024, 3, 20), date(2024, 3, 13)),  # Wednesdays
        (Recurrence.WEEKLY, 0, date(2024, 3, 20), date(2024, 3, 18)),  # the Monday before a Wednesday
    ],
)
def test_the_occurrence_before(cadence: Recurrence, anchor: int, day: date, expected: date) -> None:
    assert occurrence_before(cadence, anchor, day) == expected


async def _rent(world: World, **fields: object) -> RecurringRule:
    values = {"kind": "expense", "amount": "1800", "cadence": "monthly", "anchor": 20, "bill": True}
    values |= {"category": "housing", "note": "aluguel"}
    cmd = CreateRecurring(user_id=world.user.id, **values | fields)  # type: ignore[arg-type]
    async with world.uow() as uow:
        return (await start_rule(cmd, uow, world.clock)).rule


async def _schedule(world: World, outbox: Outbox) -> bills.ReminderPass:
    async with world.uow() as uow:
        return await bills.schedule_reminders(uow, outbox, world.clock)


async def test_a_bill_is_reminded_the_day_before_once_with_its_account() -> None:
    world = await World.create()
    rule = await _rent(world)
    outbox = Outbox()
    world.clock.set(datetime(2024, 3, 18, 12, 0, tzinfo=UTC))  # two days before: nothing yet
    assert (await _schedule(world, outbox)).scheduled == 0
    world.clock.set(EVE)
    assert (await _schedule(world, outbox)).scheduled == 1
    assert (await _schedule(world, outbox)).scheduled == 0  # a second pass (or worker) stores nothing new
    [(event_id, event)] = outbox.stored.items()
    assert event_id == bills.reminder_id(rule.id, RENT_DUE)
    assert isinstance(event, BillDue)
    assert (event.rule_id, event.due, event.amount, event.name) == (
        rule.id,
        RENT_DUE,
        Money.of("1800", "BRL"),
        "aluguel",
    )
    assert event.account is not None  # the user's default account, where it is recorded


async def test_the_day_before_is_the_users_day_not_utcs() -> None:
    world = await World.create()
    await _rent(world)
    outbox = Outbox()
    world.clock.set(datetime(2024, 3, 19, 2, 0, tzinfo=UTC))  # still the 18th (23:00) in São Paulo
    assert (await _schedule(world, outbox)).scheduled == 0
    world.clock.set(datetime(2024, 3, 19, 3, 0, tzinfo=UTC))  # 00:00 on the 19th there: not in the night
    assert (await _schedule(world, outbox)).scheduled == 0
    world.clock.set(datetime(2024, 3, 19, 11, 59, tzinfo=UTC))  # 08:59 there
    assert (await _schedule(world, outbox)).scheduled == 0
    world.clock.set(datetime(2024, 3, 19, 12, 0, tzinfo=UTC))  # 09:00 there: bills.REMIND_FROM
    assert (await _schedule(world, outbox)).scheduled == 1


async def test_no_late_reminder_on_the_due_day() -> None:
    world = await World.create()
    await _rent(world)
    outbox = Outbox()
    world.clock.set(datetime(2024, 3, 20, 12, 0, tzinfo=UTC))  # the worker was down all of the 19th
    assert (await _schedule(world, outbox)).scheduled == 0
    async with world.uow() as uow:
        await record_due_rules(uow, world.clock)  # the rent is recorded; the next reminder is April's
    assert (await _schedule(world, outbox)).scheduled == 0
    assert outbox.stored == {}


async def test_a_bill_paid_early_gets_no_reminder_and_is_not_recorded_again() -> None:
    world = await World.create()
    rule = await _rent(world)
    world.clock.set(datetime(2024, 3, 17, 15, 0, tzinfo=UTC))
    paid = await world.expense("1750", "housing", on=date(2024, 3, 17))  # paid on Sunday, 50 less
    outbox = Outbox()
    world.clock.set(EVE)
    done = await _schedule(world, outbox)
    assert done.scheduled == 0 and outbox.stored == {}
    assert done.paid_early == ((rule.id, RENT_DUE, paid.transaction.id),)

    world.clock.set(datetime(2024, 3, 20, 12, 0, tzinfo=UTC))  # the due day
    async with world.uow() as uow:
        due = await record_due_rules(uow, world.clock)
    assert due.created == 0 and due.paid_early == ((rule.id, RENT_DUE, paid.transaction.id),)
    rules = list(world.db.store.recurring.values())
    assert [r.next_due for r in rules] == [date(2024, 4, 20)]  # moved on all the same
    assert [t.id for t in world.db.store.transactions.values()] == [paid.transaction.id]

    # April's is not paid by March's payment: reminded, then recorded on its day.
    world.clock.set(datetime(2024, 4, 19, 12, 0, tzinfo=UTC))
    assert (await _schedule(world, outbox)).scheduled == 1
    world.clock.set(datetime(2024, 4, 20, 12, 0, tzinfo=UTC))
    async with world.uow() as uow:
        assert (await record_due_rules(uow, world.clock)).created == 1


async def test_a_payment_on_the_previous_due_day_pays_that_one_not_the_next() -> None:
    world = await World.create()
    await _rent(world)
    await world.expense("1800", "housing", on=date(2024, 2, 20))
    outbox = Outbox()
    world.clock.set(EVE)
    assert (await _schedule(world, outbox)).scheduled == 1


async def test_a_rule_not_a_bill_is_recorded_even_when_a_payment_like_it_exists() -> None:
    world = await World.create()
    await _rent(world, bill=False)
    world.clock.set(datetime(2024, 3, 17, 15, 0, tzinfo=UTC))
    await world.expense("1800", "housing", on=date(2024, 3, 17))
    outbox = Outbox()
    world.clock.set(EVE)
    assert (await _schedule(world, outbox)).scheduled == 0
    world.clock.set(datetime(2024, 3, 20, 12, 0, tzinfo=UTC))
    async with world.uow() as uow:
        assert (await record_due_rules(uow, world.clock)).created == 1


async def test_before_sending_a_reminder_is_checked_again() -> None:
    world = await World.create()
    rule = await _rent(world)
    outbox = Outbox()
    world.clock.set(EVE)
    await _schedule(world, outbox)
    [event] = outbox.stored.values()
    assert isinstance(event, BillDue)

    async def why() -> str | None:
        async with world.uow() as uow:
            return await bills.still_due(event, uow, world.clock)

    assert await why() is None
    await world.expense("1800", "housing", on=date(2024, 3, 19))  # paid in the meantime
    assert await why() == bills.PAID
    async with world.uow() as uow:
        await bills.set_bill(rule.id, False, uow)
    assert await why() == bills.OFF


async def test_late_is_said_before_paid_is_looked_for() -> None:
    world = await World.create()
    await _rent(world)
    outbox = Outbox()
    world.clock.set(EVE)
    await _schedule(world, outbox)
    [event] = outbox.stored.values()
    assert isinstance(event, BillDue)
    world.clock.set(datetime(2024, 3, 20, 3, 0, tzinfo=UTC))
    async with world.uow() as uow:
        assert await bills.still_due(event, uow, world.clock) == bills.LATE


async def test_set_bill_marks_and_unmarks_an_active_rule_only() -> None:
    world = await World.create()
    rule = await _rent(world, bill=False)
    async with world.uow() as uow:
        assert (await bills.set_bill(rule.id, True, uow)).bill
    assert world.db.store.recurring[rule.id].bill
    async with world.uow() as uow:
        assert not (await bills.set_bill(rule.id, False, uow)).bill
    assert not world.db.store.recurring[rule.id].bill
    with pytest.raises(NotFound):
        async with world.uow() as uow:
            await bills.set_bill(uuid.uuid4(), True, uow)


async def test_only_an_expense_is_a_bill() -> None:
    world = await World.create()
    salary = await _rent(world, kind="income", bill=False, note="salário", category=None)
    with pytest.raises(ValidationError) as refused:
        async with world.uow() as uow:
            await bills.set_bill(salary.id, True, uow)
    assert refused.value.field == "bill"
    with pytest.raises(ValidationError):
        await _rent(world, kind="income", note="salário", category=None)


def test_the_next_reminder_is_the_day_before_the_next_due_day_after_today() -> None:
    rule = _rule()
    assert bills.next_reminder(rule, date(2024, 3, 15)) == date(2024, 3, 19)
    assert bills.next_reminder(rule, date(2024, 3, 19)) == date(2024, 3, 19)  # due tomorrow: today
    assert bills.next_reminder(rule, date(2024, 3, 20)) == date(2024, 4, 19)  # due today: next month's
    assert bills.next_reminder(replace(rule, cadence=Recurrence.WEEKLY, anchor=2), date(2024, 3, 20)) == (
        date(2024, 3, 26)
    )


def test_a_reminder_id_is_one_per_rule_and_due_day() -> None:
    rule_id = uuid.uuid4()
    assert bills.reminder_id(rule_id, RENT_DUE) == bills.reminder_id(rule_id, RENT_DUE)
    assert bills.reminder_id(rule_id, RENT_DUE) != bills.reminder_id(rule_id, date(2024, 4, 20))
    assert bills.reminder_id(rule_id, RENT_DUE) != bills.reminder_id(uuid.uuid4(), RENT_DUE)
