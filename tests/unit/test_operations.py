"""Operators' changes to any transaction by id (update, delete, restore) and the tenant-wide listing."""

from __future__ import annotations

import uuid
from datetime import date

import pytest

from domain import services
from domain.commands import (
    AddAccount,
    DeleteTransaction,
    RestoreTransaction,
    RestoreTransactionById,
    UndoLast,
    UpdateTransaction,
)
from domain.errors import Conflict, NotFound, ValidationError
from domain.model import Source, TransactionKind, TransactionPosition
from domain.money import Money
from domain.ports import TransactionQuery
from tests.unit.world import World


async def test_update_changes_any_transaction_not_only_the_latest_and_audits_it() -> None:
    world = await World.create()
    first = (await world.expense("10.00", merchant="Padaria", note="pão")).transaction
    await world.expense("45.90", merchant="Mercado")
    world.clock.advance(minutes=5)

    cmd = UpdateTransaction(
        first.id, amount="12.50", merchant="Padaria Real", category="dining", note="pão e café"
    )
    result = await world.run(services.update_transaction, cmd)
    assert result.changed
    assert (result.after.amount, result.after.merchant, result.after.category, result.after.note) == (
        Money.of("12.50", "BRL"),
        "Padaria Real",
        "dining",
        "pão e café",
    )
    assert world.db.store.transactions[first.id] == result.after
    [audit] = world.db.store.audit
    assert (audit.action, audit.transaction_id, audit.user_id, audit.at) == (
        "edit",
        first.id,
        world.user.id,
        world.clock.now(),
    )
    assert (audit.before["amount"], audit.after["amount"]) == ("10.00", "12.50")
    assert (audit.before["note"], audit.after["note"]) == ("pão", "pão e café")


async def test_update_with_empty_text_clears_merchant_category_and_note() -> None:
    world = await World.create()
    txn = (await world.expense("10.00", merchant="Padaria", note="pão")).transaction
    cmd = UpdateTransaction(txn.id, merchant="", category="", note="  ")
    result = await world.run(services.update_transaction, cmd)
    assert (result.after.merchant, result.after.category, result.after.note) == (None, None, None)


async def test_update_can_change_kind_day_and_account() -> None:
    world = await World.create()
    txn = (await world.expense("10.00")).transaction
    card = await world.run(services.add_account, AddAccount(user_id=world.user.id, name="Card"))
    cmd = UpdateTransaction(txn.id, kind="income", occurred_on=date(2024, 3, 1), account_id=card.id)
    result = await world.run(services.update_transaction, cmd)
    assert (result.after.kind, result.after.occurred_on, result.after.account_id) == (
        TransactionKind.INCOME,
        date(2024, 3, 1),
        card.id,
    )


async def test_an_update_that_changes_nothing_writes_nothing() -> None:
    world = await World.create()
    txn = (await world.expense("10.00", merchant="Padaria")).transaction
    before = world.snapshot()
    result = await world.run(
        services.update_transaction, UpdateTransaction(txn.id, amount="10.0", merchant="Padaria")
    )
    assert not result.changed
    assert world.snapshot() == before


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"amount": "-1"}, "amount"),
        ({"amount": "1.001"}, "amount"),
        ({"currency": "JPY"}, "currency"),  # 10.50 has decimals JPY does not
        ({"category": "yachts"}, "category"),
        ({"kind": "gift"}, "kind"),
        ({"occurred_on": date(2024, 3, 20)}, "occurred_on"),
        ({"note": "x" * 501}, "note"),
        ({"account_id": uuid.uuid4()}, "account_id"),
    ],
)
async def test_a_refused_update_names_the_field_and_writes_nothing(fields: dict, field: str) -> None:
    world = await World.create()
    txn = (await world.expense("10.50")).transaction
    before = world.snapshot()
    with pytest.raises(ValidationError) as error:
        await world.run(services.update_transaction, UpdateTransaction(txn.id, **fields))
    assert error.value.field == field
    assert world.snapshot() == before


async def test_ids_of_other_tenants_are_not_found() -> None:
    world = await World.create()
    other = await World.create(slug="outra")
    theirs = (await other.expense("10.00")).transaction
    # The other world has its own fake database: copy their row into ours, under their tenant.
    world.db.store.transactions[theirs.id] = other.db.store.transactions[theirs.id]
    world.db.store.users[other.user.id] = other.user
    for use_case, cmd in [
        (services.update_transaction, UpdateTransaction(theirs.id, amount="1")),
        (services.delete_transaction, DeleteTransaction(theirs.id)),
        (services.restore_transaction_by_id, RestoreTransactionById(theirs.id)),
        (services.update_transaction, UpdateTransaction(uuid.uuid4(), amount="1")),
    ]:
        with pytest.raises(NotFound):
            await world.run(use_case, cmd)
    with pytest.raises(NotFound):
        await world.read(services.get_transaction, theirs.id)
    with pytest.raises(NotFound):
        await world.read(services.transaction_history, theirs.id)
    assert world.db.store.transactions[theirs.id].deleted_at is None


async def test_delete_and_restore_by_id_are_audited_and_refused_twice() -> None:
    world = await World.create()
    txn = (await world.expense("10.00")).transaction
    await world.expense("20.00")
    world.clock.advance(minutes=1)

    deleted = await world.run(services.delete_transaction, DeleteTransaction(txn.id))
    assert deleted.after.deleted_at == world.clock.now()
    assert world.db.store.transactions[txn.id].is_deleted
    with pytest.raises(Conflict):
        await world.run(services.delete_transaction, DeleteTransaction(txn.id))
    with pytest.raises(Conflict):  # a deleted transaction is restored before it is changed
        await world.run(services.update_transaction, UpdateTransaction(txn.id, amount="1"))

    world.clock.advance(minutes=1)
    restored = await world.run(services.restore_transaction_by_id, RestoreTransactionById(txn.id))
    assert restored.after.deleted_at is None
    with pytest.raises(Conflict):
        await world.run(services.restore_transaction_by_id, RestoreTransactionById(txn.id))

    history = await world.read(services.transaction_history, txn.id)
    assert [(r.action, r.before["deleted_at"] is None, r.after["deleted_at"] is None) for r in history] == [
        ("delete", True, False),
        ("restore", False, True),
    ]


async def test_the_chat_restore_still_needs_its_own_user() -> None:
    world = await World.create()
    txn = (await world.expense("10.00")).transaction
    await world.run(services.undo_last, UndoLast(world.user.id))
    bia = await world.add_user("+5511900000002")
    with pytest.raises(NotFound):
        await world.run(services.restore_transaction, RestoreTransaction(bia.id, txn.id))
    result = await world.run(services.restore_transaction, RestoreTransaction(world.user.id, txn.id))
    assert result.after.deleted_at is None


async def test_operator_changes_raise_budget_crossings_with_their_source() -> None:
    world = await World.create()
    await world.budget("100.00")
    txn = (await world.expense("50.00")).transaction
    result = await world.run(services.update_transaction, UpdateTransaction(txn.id, amount="85.00"))
    assert [(c.threshold, c.source) for c in result.crossings] == [(80, Source.ADMIN_API.value)]
    assert result.budgets[0].spent == Money.of("85.00", "BRL")

    await world.run(services.delete_transaction, DeleteTransaction(txn.id))
    await world.expense("10.00")
    restored = await world.run(services.restore_transaction_by_id, RestoreTransactionById(txn.id))
    # 80 was alerted this period already; restoring takes spending to 95, under 100.
    assert restored.crossings == ()
    assert restored.budgets[0].spent == Money.of("95.00", "BRL")
    assert [a.threshold for a in world.alerts()] == [80]


async def test_search_pages_the_whole_tenant_newest_first_with_filters() -> None:
    world = await World.create()
    bia = await world.add_user("+5511900000002")
    a = (await world.expense("1.00", on=date(2024, 3, 1), merchant="Uber", note="to work")).transaction
    b = (await world.expense("2.00", on=date(2024, 3, 3), merchant="UBER", note="100% off")).transaction
    c = (await world.expense("3.00", on=date(2024, 3, 1), user_id=bia.id, note="São João")).transaction
    d = (await world.income("4.00", on=date(2024, 3, 2), note="salary")).transaction
    e = (await world.expense("5.00", on=date(2024, 3, 3), category="dining")).transaction
    await world.run(services.delete_transaction, DeleteTransaction(e.id))

    async def ids(limit: int = 50, **fields: object) -> list[uuid.UUID]:
        page = await world.read(
            lambda q, uow: services.search_transactions(q, uow, limit=limit), TransactionQuery(**fields)
        )
        return [t.id for t in page.items]

    assert await ids() == [b.id, d.id, c.id, a.id]
    assert await ids(user_id=bia.id) == [c.id]
    assert await ids(merchant="uber") == [b.id, a.id]
    assert await ids(kind=TransactionKind.INCOME) == [d.id]
    assert await ids(from_day=date(2024, 3, 2), to_day=date(2024, 3, 2)) == [d.id]
    assert await ids(text="SÃO") == [c.id]
    assert await ids(text="%") == [b.id]  # a wildcard is plain text
    assert await ids(text="ube") == [b.id, a.id]  # the merchant too
    assert await ids(deleted="only") == [e.id]
    assert await ids(deleted="include") == [e.id, b.id, d.id, c.id, a.id]
    assert await ids(deleted="include", category="dining") == [e.id]

    # Paging: each page continues after the last row of the one before.
    seen: list[uuid.UUID] = []
    after: TransactionPosition | None = None
    while True:
        page = await world.read(
            lambda q, uow, after=after: services.search_transactions(q, uow, after=after, limit=2),
            TransactionQuery(deleted="include"),
        )
        seen.extend(t.id for t in page.items)
        if page.next is None:
            break
        after = page.next
    assert seen == [e.id, b.id, d.id, c.id, a.id]


@pytest.mark.parametrize(
    ("fields", "limit", "field"),
    [
        ({}, 0, "limit"),
        ({}, 1001, "limit"),
        ({"category": "yachts"}, 10, "category"),
        ({"deleted": "maybe"}, 10, "deleted"),
        ({"from_day": date(2024, 3, 2), "to_day": date(2024, 3, 1)}, 10, "to_day"),
        ({"text": "x" * 201}, 10, "text"),
    ],
)
async def test_search_refuses_bad_filters(fields: dict, limit: int, field: str) -> None:
    world = await World.create()
    with pytest.raises(ValidationError) as error:
        await world.read(
            lambda q, uow: services.search_transactions(q, uow, limit=limit), TransactionQuery(**fields)
        )
    assert error.value.field == field
