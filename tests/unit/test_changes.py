"""Undo, restore and edit of the latest transaction, each leaving an audit record with before and after."""

from __future__ import annotations

import json
import uuid
from datetime import date
from typing import Any

import pytest

from domain import services
from domain.commands import AddAccount, EditLast, GetBalance, RestoreTransaction, UndoLast
from domain.errors import Conflict, NotFound, ValidationError
from domain.money import Money
from tests.unit.world import World


async def test_undo_soft_deletes_the_latest_and_audits_it() -> None:
    world = await World.create()
    first = (await world.expense("10.00", merchant="Padaria")).transaction
    second = (await world.expense("45.90", merchant="Mercado")).transaction
    world.clock.advance(minutes=5)

    result = await world.run(services.undo_last, UndoLast(world.user.id))
    assert result.before.id == second.id
    assert result.before.deleted_at is None
    assert result.after.deleted_at == world.clock.now()
    stored = world.db.store.transactions[second.id]
    assert stored.deleted_at == world.clock.now()  # the row stays, so it can be restored

    [audit] = world.db.store.audit
    assert (audit.action, audit.transaction_id, audit.at) == ("undo", second.id, world.clock.now())
    assert audit.before["amount"] == "45.90"
    assert audit.before["currency"] == "BRL"
    assert audit.before["occurred_on"] == "2024-03-15"
    assert audit.before["id"] == str(second.id)
    assert audit.before["deleted_at"] is None
    assert audit.after["deleted_at"] == world.clock.now().isoformat()
    json.dumps(audit.before)
    json.dumps(audit.after)  # plain JSON values only

    balance = await world.read(services.get_balance, GetBalance(world.user.id))
    assert balance.totals == {"BRL": Money.of("-10.00", "BRL")}

    # Undo again takes the next most recent live one.
    again = await world.run(services.undo_last, UndoLast(world.user.id))
    assert again.before.id == first.id


async def test_undo_with_nothing_to_undo_is_not_found_and_writes_nothing() -> None:
    world = await World.create()
    before = world.snapshot()
    with pytest.raises(NotFound):
        await world.run(services.undo_last, UndoLast(world.user.id))
    assert world.snapshot() == before


async def test_restore_brings_back_an_undone_transaction() -> None:
    world = await World.create()
    txn = (await world.expense("45.90")).transaction
    await world.run(services.undo_last, UndoLast(world.user.id))
    world.clock.advance(minutes=1)

    result = await world.run(services.restore_transaction, RestoreTransaction(world.user.id, txn.id))
    assert result.after.deleted_at is None
    assert world.db.store.transactions[txn.id].deleted_at is None
    undo, restore = world.db.store.audit
    assert (undo.action, restore.action) == ("undo", "restore")
    assert restore.before["deleted_at"] is not None
    assert restore.after["deleted_at"] is None

    with pytest.raises(Conflict) as err:  # it is live now
        await world.run(services.restore_transaction, RestoreTransaction(world.user.id, txn.id))
    assert err.value.field == "transaction_id"


async def test_restore_refuses_another_users_transaction_and_unknown_ids() -> None:
    world = await World.create()
    bia = await world.add_user("+5511900000002")
    bias = (await world.expense("10", user_id=bia.id)).transaction
    await world.run(services.undo_last, UndoLast(bia.id))
    before = world.snapshot()
    for txn_id in (bias.id, uuid.uuid4()):
        with pytest.raises(NotFound):
            await world.run(services.restore_transaction, RestoreTransaction(world.user.id, txn_id))
    assert world.snapshot() == before
    assert world.db.store.transactions[bias.id].deleted_at is not None


async def test_edit_changes_the_latest_and_audits_before_and_after() -> None:
    world = await World.create()
    txn = (await world.expense("45.90", merchant="Mercado", category="groceries")).transaction
    cmd = EditLast(
        world.user.id,
        amount="54.90",
        category="dining",
        merchant="Restaurante",
        occurred_on=date(2024, 3, 14),
    )
    result = await world.run(services.edit_last, cmd)
    assert result.before.id == result.after.id == txn.id
    after = world.db.store.transactions[txn.id]
    assert after.amount == Money.of("54.90", "BRL")
    assert (after.category, after.merchant, after.occurred_on) == ("dining", "Restaurante", date(2024, 3, 14))
    assert after.created_at == txn.created_at
    [audit] = world.db.store.audit
    assert audit.action == "edit"
    assert (audit.before["amount"], audit.after["amount"]) == ("45.90", "54.90")
    assert (audit.before["category"], audit.after["category"]) == ("groceries", "dining")
    assert (audit.before["occurred_on"], audit.after["occurred_on"]) == ("2024-03-15", "2024-03-14")


async def test_edit_leaves_unset_fields_and_clears_with_empty_text() -> None:
    world = await World.create()
    await world.expense("45.90", merchant="Mercado", category="groceries")
    result = await world.run(services.edit_last, EditLast(world.user.id, merchant=""))
    assert result.after.merchant is None
    assert result.after.category == "groceries"
    assert result.after.amount == Money.of("45.90", "BRL")


async def test_edit_moves_to_another_of_the_users_accounts() -> None:
    world = await World.create()
    await world.expense("45.90")
    card = await world.run(services.add_account, AddAccount(user_id=world.user.id, name="Card"))
    result = await world.run(services.edit_last, EditLast(world.user.id, account_id=card.id))
    assert result.after.account_id == card.id


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({}, "edit"),
        ({"amount": "45.90"}, "edit"),  # the same amount is no change
        ({"amount": "45.9"}, "edit"),
        ({"amount": "-1"}, "amount"),
        ({"amount": "0"}, "amount"),
        ({"amount": "1.234"}, "amount"),
        ({"currency": "JPY"}, "currency"),  # 45.90 cannot be yen
        ({"currency": "XYZ"}, "currency"),
        ({"category": "beer"}, "category"),
        ({"occurred_on": date(2030, 1, 1)}, "occurred_on"),
        ({"account_id": uuid.uuid4()}, "account_id"),
        ({"merchant": "m" * 121}, "merchant"),
    ],
)
async def test_bad_edits_are_refused_naming_the_field_and_nothing_is_written(
    overrides: dict[str, Any], field: str
) -> None:
    world = await World.create()
    await world.expense("45.90")
    before = world.snapshot()
    with pytest.raises(ValidationError) as err:
        await world.run(services.edit_last, EditLast(world.user.id, **overrides))
    assert err.value.field == field
    assert world.snapshot() == before


async def test_edit_currency_and_amount_together() -> None:
    world = await World.create()
    await world.expense("45.90")
    result = await world.run(services.edit_last, EditLast(world.user.id, amount="1500", currency="JPY"))
    assert result.after.amount == Money.of("1500", "JPY")


async def test_edit_with_nothing_recorded_is_not_found() -> None:
    world = await World.create()
    with pytest.raises(NotFound):
        await world.run(services.edit_last, EditLast(world.user.id, amount="10"))
