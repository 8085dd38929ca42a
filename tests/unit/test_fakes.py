"""The fakes keep the port contracts the use cases rely on (the SQL adapter's tests check the same)."""

from __future__ import annotations

import pytest

from domain.commands import UndoLast
from domain.ports import TransactionFilter
from domain.services import undo_last
from tests.unit.world import World


async def test_changes_are_visible_to_a_fresh_unit_of_work_only_after_commit() -> None:
    world = await World.create()
    async with world.uow() as uow:
        user = await uow.users.get(world.user.id)
        assert user is not None
        user.name = "Changed"
        await uow.users.update(user)
        async with world.uow() as other:
            assert (await other.users.get(world.user.id)).name == ""  # type: ignore[union-attr]
    async with world.uow() as uow:  # left without commit: rolled back
        assert (await uow.users.get(world.user.id)).name == ""  # type: ignore[union-attr]


async def test_repositories_refuse_use_outside_the_unit_of_work() -> None:
    world = await World.create()
    uow = world.uow()
    with pytest.raises(RuntimeError):
        await uow.users.get(world.user.id)


async def test_reads_return_copies() -> None:
    world = await World.create()
    async with world.uow() as uow:
        user = await uow.users.get(world.user.id)
        assert user is not None
        user.name = "Not stored"
        assert (await uow.users.get(world.user.id)).name == ""  # type: ignore[union-attr]


async def test_aggregate_always_groups_by_currency_last_when_not_named() -> None:
    world = await World.create()
    await world.expense("10.00", "groceries")
    await world.expense("5.00", "groceries")
    await world.expense("3.00", "groceries", currency="USD")
    async with world.uow() as uow:
        rows = await uow.transactions.aggregate(TransactionFilter(user_id=world.user.id), by=("category",))
        assert sorted((r.key, str(r.total), r.count) for r in rows) == [
            (("groceries", "BRL"), "15.00 BRL", 2),
            (("groceries", "USD"), "3.00 USD", 1),
        ]
        flt = TransactionFilter(user_id=world.user.id)
        rows = await uow.transactions.aggregate(flt, by=("currency", "kind"))
        assert sorted(r.key for r in rows) == [("BRL", "expense"), ("USD", "expense")]


async def test_latest_and_deleted() -> None:
    world = await World.create()
    first = (await world.expense("1")).transaction
    second = (await world.expense("2")).transaction
    await world.run(undo_last, UndoLast(world.user.id))
    world.clock.advance(minutes=1)
    await world.run(undo_last, UndoLast(world.user.id))
    async with world.uow() as uow:
        assert await uow.transactions.latest(world.user.id) is None
        assert (await uow.transactions.latest(world.user.id, deleted=True)).id == first.id  # type: ignore[union-attr]
        everything = TransactionFilter(user_id=world.user.id, include_deleted=True)
        assert [t.id for t in await uow.transactions.list(everything)] == [second.id, first.id]
        assert await uow.transactions.list(TransactionFilter(user_id=world.user.id)) == []
