"""Recording expenses and income: defaults, the user's local day, idempotency, locking and refusals."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime
from typing import Any

import pytest

from domain import services
from domain.commands import AddAccount, CreateTenant, RecordTransaction
from domain.errors import Conflict, NotFound, ValidationError
from domain.events import TransactionRecorded
from domain.model import Source, TransactionKind
from domain.money import Money
from tests.unit.world import World


async def test_an_expense_gets_the_users_defaults_and_is_committed_with_its_event() -> None:
    world = await World.create()
    result = await world.expense("45.90", merchant="  Pão de Açúcar ", note=" weekly shop ")
    txn = result.transaction
    assert result.created is True
    assert txn.amount == Money.of("45.90", "BRL")
    assert txn.kind is TransactionKind.EXPENSE
    assert txn.occurred_on == date(2024, 3, 15)
    assert (txn.merchant, txn.note, txn.category) == ("Pão de Açúcar", "weekly shop", "groceries")
    assert txn.source is Source.CHAT
    assert txn.created_at == world.clock.now()
    default = next(a for a in world.db.store.accounts.values() if a.user_id == world.user.id)
    assert txn.account_id == default.id
    assert world.db.store.transactions[txn.id] == txn
    assert world.events()[-1] == TransactionRecorded(world.tenant.id, world.user.id, txn.id)


async def test_at_half_past_eleven_in_sao_paulo_the_expense_lands_on_the_local_day() -> None:
    world = await World.create(datetime(2024, 3, 16, 2, 30, tzinfo=UTC))  # UTC is already the 16th
    result = await world.expense("12.00")
    assert result.transaction.occurred_on == date(2024, 3, 15)


async def test_income_and_the_thin_helpers() -> None:
    world = await World.create()
    income = await world.income("3500", category="salary")
    assert income.transaction.kind is TransactionKind.INCOME

    # The helpers force the kind whatever the command says.
    cmd = RecordTransaction(user_id=world.user.id, kind="income", amount="10")
    forced = await world.run(services.record_expense, cmd)
    assert forced.transaction.kind is TransactionKind.EXPENSE
    cmd = RecordTransaction(user_id=world.user.id, kind="expense", amount="10")
    assert (await world.run(services.record_income, cmd)).transaction.kind is TransactionKind.INCOME


async def test_the_same_source_id_twice_records_one_transaction() -> None:
    world = await World.create()
    first = await world.expense("45.90", source_ref="SM123")
    state = world.snapshot()
    again = await world.expense("45.90", source_ref="SM123")
    assert again.created is False
    assert again.transaction.id == first.transaction.id
    assert world.snapshot() == state  # no row, no event, not even a commit
    assert sum(isinstance(e, TransactionRecorded) for e in world.events()) == 1

    # The id is scoped by source: the same string from the admin API is another transaction.
    other = await world.expense("45.90", source_ref="SM123", source="admin_api")
    assert other.created is True
    assert other.transaction.id != first.transaction.id


async def test_a_source_id_used_by_another_user_is_a_conflict() -> None:
    world = await World.create()
    await world.expense("10", source_ref="SM1")
    bia = await world.add_user("+5511900000002")
    with pytest.raises(Conflict) as err:
        await world.expense("10", source_ref="SM1", user_id=bia.id)
    assert err.value.field == "source_ref"


async def test_the_user_is_locked_before_anything_is_read() -> None:
    world = await World.create()
    await world.budget("500")
    async with world.uow() as uow:
        cmd = RecordTransaction(user_id=world.user.id, kind="expense", amount="5", source_ref="m1")
        await services.record_transaction(cmd, uow, world.clock)
        assert uow.calls[0] == "users.lock"
        assert uow.locked == [world.user.id]


async def test_an_explicit_day_and_account() -> None:
    world = await World.create()
    cmd = AddAccount(user_id=world.user.id, name="Conta", kind="checking")
    savings = await world.run(services.add_account, cmd)
    result = await world.expense("99.99", on=date(2024, 3, 16), account_id=savings.id)  # tomorrow is fine
    assert result.transaction.occurred_on == date(2024, 3, 16)
    assert result.transaction.account_id == savings.id


BAD_INPUT: list[tuple[dict[str, Any], str]] = [
    ({"amount": "0"}, "amount"),
    ({"amount": 0}, "amount"),
    ({"amount": "-5"}, "amount"),
    ({"amount": "abc"}, "amount"),
    ({"amount": None}, "amount"),
    ({"amount": ""}, "amount"),
    ({"amount": 4.5}, "amount"),
    ({"amount": "45.901"}, "amount"),
    ({"amount": "10000000000000"}, "amount"),
    ({"amount": "1.5", "currency": "JPY"}, "amount"),
    ({"currency": "XYZ"}, "currency"),
    ({"currency": ""}, "currency"),
    ({"category": "beer"}, "category"),
    ({"merchant": "m" * 121}, "merchant"),
    ({"note": "n" * 501}, "note"),
    ({"occurred_on": date(2024, 3, 17)}, "occurred_on"),
    ({"occurred_on": date(1999, 12, 31)}, "occurred_on"),
    ({"occurred_on": datetime(2024, 3, 15, 10, 0, tzinfo=UTC)}, "occurred_on"),
    ({"kind": "transfer"}, "kind"),
    ({"source": "email"}, "source"),
    ({"source_ref": "r" * 201}, "source_ref"),
    ({"account_id": uuid.uuid4()}, "account_id"),
]


@pytest.mark.parametrize(("overrides", "field"), BAD_INPUT)
async def test_bad_input_is_refused_naming_the_field_and_nothing_is_written(
    overrides: dict[str, Any], field: str
) -> None:
    world = await World.create()
    before = world.snapshot()
    fields: dict[str, Any] = {"user_id": world.user.id, "kind": "expense", "amount": "45.90", **overrides}
    with pytest.raises(ValidationError) as err:
        await world.run(services.record_transaction, RecordTransaction(**fields))
    assert err.value.field == field
    assert world.snapshot() == before


async def test_another_users_account_is_refused() -> None:
    world = await World.create()
    bia = await world.add_user("+5511900000002")
    bias_account = next(a for a in world.db.store.accounts.values() if a.user_id == bia.id)
    before = world.snapshot()
    with pytest.raises(ValidationError) as err:
        await world.expense("10", account_id=bias_account.id)
    assert err.value.field == "account_id"
    assert world.snapshot() == before


async def test_unknown_user_and_user_of_another_tenant_are_not_found() -> None:
    world = await World.create()
    with pytest.raises(NotFound):
        await world.expense("10", user_id=uuid.uuid4())

    async with world.db.directory() as directory:
        other = await services.create_tenant(
            CreateTenant(slug="other", name="Other", currency="BRL", locale="pt_BR", timezone="UTC"),
            directory,
            world.clock,
        )
    before = world.snapshot()
    # The user exists, but in another tenant: a unit of work bound to `other` cannot see them.
    async with world.uow(other.id) as uow:
        cmd = RecordTransaction(user_id=world.user.id, kind="expense", amount="10")
        with pytest.raises(NotFound):
            await services.record_transaction(cmd, uow, world.clock)
    assert world.snapshot() == before
