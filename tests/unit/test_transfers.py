"""Transfers between a user's accounts: two legs, in balances but not in spending, kept in step."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

import pytest

from domain import services
from domain.commands import (
    AddAccount,
    DeleteTransaction,
    EditLast,
    GetBalance,
    GetBudgetStatus,
    GetSpendingSummary,
    RecordTransfer,
    RestoreTransactionById,
    UndoLast,
    UpdateTransaction,
)
from domain.errors import Conflict, ValidationError
from domain.model import Account, Source, TransactionKind
from domain.money import Money
from domain.results import TransferResult
from tests.unit.world import World


async def _world() -> tuple[World, Account, Account]:
    world = await World.create()
    checking = await world.run(
        services.add_account, AddAccount(user_id=world.user.id, name="Checking", opening_balance="500")
    )
    savings = await world.run(services.add_account, AddAccount(user_id=world.user.id, name="Savings"))
    return world, checking, savings


async def _transfer(world: World, origin: Account, target: Account, amount: str = "200.00", **fields: Any):
    cmd = RecordTransfer(
        user_id=world.user.id, from_account_id=origin.id, to_account_id=target.id, amount=amount, **fields
    )
    result: TransferResult = await world.run(services.record_transfer, cmd)
    return result


async def test_a_transfer_is_two_legs_sharing_a_transfer_id() -> None:
    world, checking, savings = await _world()
    result = await _transfer(world, checking, savings, note="rainy day", occurred_on=date(2024, 3, 14))
    out, into = result.outgoing, result.incoming
    assert result.created
    assert out.transfer_id is not None and out.transfer_id == into.transfer_id
    assert (out.kind, out.account_id, into.kind, into.account_id) == (
        TransactionKind.EXPENSE,
        checking.id,
        TransactionKind.INCOME,
        savings.id,
    )
    for leg in (out, into):
        assert leg.amount == Money.of("200.00", "BRL")
        assert (leg.occurred_on, leg.note, leg.merchant, leg.category) == (
            date(2024, 3, 14),
            "rainy day",
            None,
            None,
        )
        assert world.db.store.transactions[leg.id] == leg
    assert sum(e.__class__.__name__ == "TransactionRecorded" for e in world.events()) == 2


async def test_transfers_move_balances_but_are_not_spending() -> None:
    world, checking, savings = await _world()
    await world.budget("150.00", category=None)
    await world.expense("20.00", account_id=checking.id)
    result = await _transfer(world, checking, savings)
    assert result.created

    balance = await world.read(services.get_balance, GetBalance(world.user.id))
    by_account = {b.account.id: b.balances["BRL"] for b in balance.accounts}
    assert by_account[checking.id] == Money.of("280.00", "BRL")
    assert by_account[savings.id] == Money.of("200.00", "BRL")
    assert balance.totals["BRL"] == Money.of("480.00", "BRL")

    summary = await world.run(services.spending_summary, GetSpendingSummary(world.user.id))
    assert (summary.total, summary.count) == (Money.of("20.00", "BRL"), 1)
    [status] = await world.run(services.budget_status, GetBudgetStatus(world.user.id))
    assert status.spent == Money.of("20.00", "BRL")
    assert world.alerts() == []  # 200 out of checking did not cross 80% of 150


async def test_a_transfer_is_recorded_once_per_source_ref() -> None:
    world, checking, savings = await _world()
    first = await _transfer(world, checking, savings, source=Source.ADMIN_API, source_ref="key-1")
    assert (first.outgoing.source_ref, first.incoming.source_ref) == ("key-1:out", "key-1:in")
    before = world.snapshot()
    again = await _transfer(world, checking, savings, source=Source.ADMIN_API, source_ref="key-1")
    assert not again.created
    assert (again.outgoing, again.incoming) == (first.outgoing, first.incoming)
    assert world.snapshot() == before
    # Another source is another key space.
    assert (await _transfer(world, checking, savings, source_ref="key-1")).created


async def test_a_source_ref_of_another_user_is_a_conflict() -> None:
    world, checking, savings = await _world()
    await _transfer(world, checking, savings, source_ref="key-1")
    bia = await world.add_user("+5511900000002")
    [bias] = await world.read(lambda _q, uow: uow.accounts.list_for(bia.id), None)
    second = await world.run(services.add_account, AddAccount(user_id=bia.id, name="Savings"))
    cmd = RecordTransfer(bia.id, bias.id, second.id, "1.00", source_ref="key-1")
    with pytest.raises(Conflict):
        await world.run(services.record_transfer, cmd)


async def test_refused_transfers_name_the_field_and_write_nothing() -> None:
    world, checking, savings = await _world()
    dollars = await world.run(
        services.add_account, AddAccount(user_id=world.user.id, name="Dollars", currency="USD")
    )
    bia = await world.add_user("+5511900000002")
    [bias] = await world.read(lambda _q, uow: uow.accounts.list_for(bia.id), None)
    cases = [
        (RecordTransfer(world.user.id, checking.id, checking.id, "1"), "to_account_id"),
        (RecordTransfer(world.user.id, checking.id, dollars.id, "1"), "to_account_id"),
        (RecordTransfer(world.user.id, checking.id, savings.id, "1", currency="USD"), "currency"),
        (RecordTransfer(world.user.id, checking.id, bias.id, "1"), "to_account_id"),
        (RecordTransfer(world.user.id, uuid.uuid4(), savings.id, "1"), "from_account_id"),
        (RecordTransfer(world.user.id, checking.id, savings.id, "0"), "amount"),
        (
            RecordTransfer(world.user.id, checking.id, savings.id, "1", occurred_on=date(2030, 1, 1)),
            "occurred_on",
        ),
    ]
    before = world.snapshot()
    for cmd, field in cases:
        with pytest.raises(ValidationError) as error:
            await world.run(services.record_transfer, cmd)
        assert error.value.field == field, cmd
    assert world.snapshot() == before


async def test_deleting_and_restoring_one_leg_takes_the_other_along() -> None:
    world, checking, savings = await _world()
    result = await _transfer(world, checking, savings)
    world.clock.advance(minutes=1)

    deleted = await world.run(services.delete_transaction, DeleteTransaction(result.incoming.id))
    assert deleted.paired is not None and deleted.paired[1].id == result.outgoing.id
    assert deleted.paired[0] == result.outgoing
    store = world.db.store.transactions
    assert store[result.outgoing.id].deleted_at == store[result.incoming.id].deleted_at == world.clock.now()
    assert [(r.action, r.transaction_id) for r in world.db.store.audit] == [
        ("delete", result.incoming.id),
        ("delete", result.outgoing.id),
    ]

    await world.run(services.restore_transaction_by_id, RestoreTransactionById(result.outgoing.id))
    store = world.db.store.transactions  # each commit publishes a new store
    assert not store[result.outgoing.id].is_deleted and not store[result.incoming.id].is_deleted


async def test_the_chat_undo_of_a_transfer_undoes_both_legs() -> None:
    world, checking, savings = await _world()
    result = await _transfer(world, checking, savings)
    await world.run(services.undo_last, UndoLast(world.user.id))
    assert all(world.db.store.transactions[leg.id].is_deleted for leg in (result.outgoing, result.incoming))
    balance = await world.read(services.get_balance, GetBalance(world.user.id))
    assert balance.totals["BRL"] == Money.of("500.00", "BRL")


async def test_amount_day_and_note_change_both_legs_merchant_only_one() -> None:
    world, checking, savings = await _world()
    result = await _transfer(world, checking, savings, note="rainy day")
    cmd = UpdateTransaction(
        result.outgoing.id, amount="250.00", occurred_on=date(2024, 3, 10), note="holidays", merchant="Bank"
    )
    changed = await world.run(services.update_transaction, cmd)
    store = world.db.store.transactions
    out, into = store[result.outgoing.id], store[result.incoming.id]
    assert changed.paired == (result.incoming, into)
    for leg in (out, into):
        assert (leg.amount, leg.occurred_on, leg.note) == (
            Money.of("250.00", "BRL"),
            date(2024, 3, 10),
            "holidays",
        )
    assert (out.merchant, into.merchant) == ("Bank", None)
    assert [r.action for r in world.db.store.audit] == ["edit", "edit"]

    # A chat edit of the latest (a leg) keeps the pair too.
    await world.run(services.edit_last, EditLast(world.user.id, amount="260.00"))
    store = world.db.store.transactions  # each commit publishes a new store
    assert store[result.outgoing.id].amount == store[result.incoming.id].amount == Money.of("260.00", "BRL")

    # Only the merchant of one leg: the other is neither written nor audited.
    audits = len(world.db.store.audit)
    await world.run(services.update_transaction, UpdateTransaction(result.incoming.id, merchant="Savings Co"))
    assert len(world.db.store.audit) == audits + 1


async def test_a_leg_can_move_to_a_third_account_of_the_same_currency() -> None:
    world, checking, savings = await _world()
    result = await _transfer(world, checking, savings)
    pocket = await world.run(services.add_account, AddAccount(user_id=world.user.id, name="Pocket"))
    await world.run(services.update_transaction, UpdateTransaction(result.incoming.id, account_id=pocket.id))
    assert world.db.store.transactions[result.incoming.id].account_id == pocket.id


@pytest.mark.parametrize(
    ("leg", "fields", "field"),
    [
        ("outgoing", {"kind": "income"}, "kind"),
        ("incoming", {"kind": "expense"}, "kind"),
        ("outgoing", {"account_id": "savings"}, "account_id"),
        ("incoming", {"account_id": "checking"}, "account_id"),
        ("incoming", {"account_id": "dollars"}, "account_id"),
        ("outgoing", {"currency": "USD"}, "currency"),
    ],
)
async def test_changes_that_break_the_pair_are_refused(leg: str, fields: dict, field: str) -> None:
    world, checking, savings = await _world()
    dollars = await world.run(
        services.add_account, AddAccount(user_id=world.user.id, name="Dollars", currency="USD")
    )
    accounts = {"checking": checking.id, "savings": savings.id, "dollars": dollars.id}
    result = await _transfer(world, checking, savings)
    fields = {k: accounts.get(v, v) if k == "account_id" else v for k, v in fields.items()}
    before = world.snapshot()
    with pytest.raises(ValidationError) as error:
        cmd = UpdateTransaction(getattr(result, leg).id, **fields)
        await world.run(services.update_transaction, cmd)
    assert error.value.field == field
    assert world.snapshot() == before
