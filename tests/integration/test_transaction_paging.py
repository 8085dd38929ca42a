"""The operators' listing on PostgreSQL and SQLite: filters, keyset pages, and a concurrent writer."""

from __future__ import annotations

import asyncio
import itertools
import uuid
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

import pytest

from adapters.db import Database
from domain import services
from domain.model import Transaction, TransactionKind, TransactionPosition
from domain.ports import TransactionQuery

pytestmark = pytest.mark.integration

AT = datetime(2025, 3, 10, 15, 0, tzinfo=UTC)


async def _add(db: Database, tenant_id: uuid.UUID, *rows: Transaction) -> None:
    async with db.unit_of_work(tenant_id) as uow:
        for row in rows:
            await uow.transactions.add(row)
        await uow.commit()


async def _page(
    db: Database, tenant_id: uuid.UUID, query: TransactionQuery, after: TransactionPosition | None, limit: int
):
    async with db.unit_of_work(tenant_id) as uow:
        return await services.search_transactions(query, uow, after=after, limit=limit)


async def _all(db: Database, tenant_id: uuid.UUID, limit: int = 50, **fields) -> list[uuid.UUID]:
    """Every matching id, reading pages of `limit`."""
    ids: list[uuid.UUID] = []
    after = None
    while True:
        page = await _page(db, tenant_id, TransactionQuery(**fields), after, limit)
        ids.extend(t.id for t in page.items)
        if page.next is None:
            return ids
        after = page.next


async def test_page_filters_across_the_tenant(database: Database, make_tenant) -> None:
    seed = await make_tenant(database)
    other = await make_tenant(database)  # another tenant: never listed
    async with database.unit_of_work(seed.tenant.id) as uow:
        bia = replace(seed.user, id=uuid.uuid4(), phone="+5511900000002")
        await uow.users.add(bia)
        account = replace(seed.account, id=uuid.uuid4(), user_id=bia.id, name="Bia")
        await uow.accounts.add(account)
        await uow.commit()
    transfer_id = uuid.uuid4()
    a = seed.expense("1.00", date(2025, 3, 1), merchant="Uber", category="transport", note="to work")
    b = seed.expense("2.00", date(2025, 3, 3), merchant="UBER", note="100% off_today")
    c = seed.expense("3.00", date(2025, 3, 1), note="AÇÚCAR e café")
    c.user_id, c.account_id = bia.id, account.id
    d = seed.expense("4.00", date(2025, 3, 2), kind=TransactionKind.INCOME, note="back\\slash")
    e = seed.expense("5.00", date(2025, 3, 3), category="dining", deleted_at=AT)
    f = seed.expense("6.00", date(2025, 3, 2), transfer_id=transfer_id, note="savings")
    await _add(database, seed.tenant.id, a, b, c, d, e, f)
    await _add(database, other.tenant.id, other.expense("9.00", date(2025, 3, 3), note="açúcar"))

    async def ids(**fields) -> list[uuid.UUID]:
        return await _all(database, seed.tenant.id, **fields)

    # Newest day first; within a day, the row stored last first.
    assert await ids() == [b.id, f.id, d.id, c.id, a.id]
    assert await ids(limit=1) == [b.id, f.id, d.id, c.id, a.id]
    assert await ids(user_id=bia.id) == [c.id]
    assert await ids(account_id=seed.account.id) == [b.id, f.id, d.id, a.id]
    assert await ids(from_day=date(2025, 3, 2)) == [b.id, f.id, d.id]
    assert await ids(to_day=date(2025, 3, 1)) == [c.id, a.id]
    assert await ids(category="transport") == [a.id]
    assert await ids(merchant="uber") == [b.id, a.id]
    assert await ids(kind=TransactionKind.INCOME) == [d.id]
    assert await ids(transfer_id=transfer_id) == [f.id]
    assert await ids(deleted="only") == [e.id]
    assert await ids(deleted="include") == [e.id, b.id, f.id, d.id, c.id, a.id]
    # Text: case-insensitive beyond ASCII on both dialects; LIKE's wildcards and escape are plain text.
    assert await ids(text="açúcar") == [c.id]
    assert await ids(text="CAFÉ") == [c.id]
    assert await ids(text="%") == [b.id]
    assert await ids(text="_") == [b.id]
    assert await ids(text="% OFF_") == [b.id]
    assert await ids(text="\\") == [d.id]
    assert await ids(text="ube") == [b.id, a.id]  # merchants too
    assert await ids(text="nothing like it") == []

    async with database.unit_of_work(seed.tenant.id) as uow:
        [stored] = await uow.transactions.page(TransactionQuery(transfer_id=transfer_id), None, 5)
    assert stored == f and stored.transfer_id == transfer_id and stored.seq is not None


async def test_a_listing_neither_skips_nor_repeats_while_a_writer_inserts(pg_database, make_tenant) -> None:
    """A reader pages newest first, 7 at a time, while a writer commits rows on every kind of day: days
    already read, the day the reader stands on, days not read yet. Every row that existed before the
    listing started is listed exactly once, and the listing stays in order."""
    database = Database(pg_database.app_url)
    try:
        seed = await make_tenant(database)
        first_day = date(2025, 1, 1)
        days = [first_day + timedelta(days=i) for i in range(30)]
        existing = [seed.expense("1.00", days[i % 30]) for i in range(150)]
        await _add(database, seed.tenant.id, *existing)

        reading = True
        standing_on: date = days[-1]
        written: list[Transaction] = []

        async def writer() -> None:
            # Cycle through: a day already read (newer), the reader's current day, a day not read yet.
            for n in itertools.count():
                if not reading:
                    return
                offset = (5, 0, -5, 12, -12)[n % 5]
                day = min(max(standing_on + timedelta(days=offset), days[0]), days[-1])
                row = seed.expense("2.00", day, note=f"written {n}")
                await _add(database, seed.tenant.id, row)
                written.append(row)
                await asyncio.sleep(0)

        async def reader() -> list[Transaction]:
            nonlocal reading, standing_on
            listed: list[Transaction] = []
            after = None
            try:
                while True:
                    page = await _page(database, seed.tenant.id, TransactionQuery(), after, 7)
                    listed.extend(page.items)
                    if page.next is None:
                        return listed
                    after = page.next
                    standing_on = after.occurred_on
                    await asyncio.sleep(0.005)  # let the writer commit between pages
            finally:
                reading = False

        listed, _ = await asyncio.gather(reader(), writer())

        ids = [t.id for t in listed]
        assert len(ids) == len(set(ids)), "a row was listed twice"
        missing = {t.id for t in existing} - set(ids)
        assert not missing, f"{len(missing)} rows that existed before the listing were skipped"
        positions = [TransactionPosition.of(t) for t in listed]
        assert positions == sorted(positions, reverse=True)
        # The writer really ran during the listing, and some of its rows (on days not read yet) were listed.
        assert len(written) >= 10
        assert {t.id for t in written} & set(ids)
    finally:
        await database.dispose()


async def test_operator_use_cases_on_the_database(database: Database, make_tenant) -> None:
    """Transfers (idempotent, in balances, not in spending) and audited update, delete and restore."""
    from domain.commands import (
        DeleteTransaction,
        GetBalance,
        GetSpendingSummary,
        RecordTransfer,
        RestoreTransactionById,
        UpdateTransaction,
    )
    from domain.model import Account, AccountKind, Period
    from domain.money import Money

    seed = await make_tenant(database)
    savings = Account(
        id=uuid.uuid4(),
        tenant_id=seed.tenant.id,
        user_id=seed.user.id,
        name="Poupança",
        kind=AccountKind.SAVINGS,
        currency="BRL",
        opening_balance=Money.of("0", "BRL"),
    )
    clock = database.clock
    today = datetime.now(UTC).date()
    async with database.unit_of_work(seed.tenant.id) as uow:
        await uow.accounts.add(savings)
        await uow.commit()
    cmd = RecordTransfer(
        seed.user.id,
        seed.account.id,
        savings.id,
        "60.00",
        source="admin_api",
        source_ref="idem-1",
        note="guardar",
    )
    async with database.unit_of_work(seed.tenant.id) as uow:
        transfer = await services.record_transfer(cmd, uow, clock)
    async with database.unit_of_work(seed.tenant.id) as uow:
        replay = await services.record_transfer(cmd, uow, clock)
    assert transfer.created and not replay.created
    assert (replay.outgoing, replay.incoming) == (transfer.outgoing, transfer.incoming)

    async with database.unit_of_work(seed.tenant.id) as uow:
        balance = await services.get_balance(GetBalance(seed.user.id), uow)
        summary = await services.spending_summary(
            GetSpendingSummary(
                seed.user.id, period=Period(today - timedelta(days=2), today + timedelta(days=1))
            ),
            uow,
            clock,
        )
    assert {b.account.id: b.balances["BRL"] for b in balance.accounts} == {
        seed.account.id: Money.of("40.00", "BRL"),
        savings.id: Money.of("60.00", "BRL"),
    }
    assert summary.total == Money.of("0", "BRL").quantized() and summary.count == 0

    async with database.unit_of_work(seed.tenant.id) as uow:
        edited = await services.update_transaction(
            UpdateTransaction(transfer.incoming.id, amount="75.00", note=""), uow, clock
        )
    assert edited.paired is not None and edited.paired[1].amount == Money.of("75.00", "BRL")
    async with database.unit_of_work(seed.tenant.id) as uow:
        await services.delete_transaction(DeleteTransaction(transfer.outgoing.id), uow, clock)
    async with database.unit_of_work(seed.tenant.id) as uow:
        await services.restore_transaction_by_id(RestoreTransactionById(transfer.incoming.id), uow, clock)
    async with database.unit_of_work(seed.tenant.id) as uow:
        out = await services.get_transaction(transfer.outgoing.id, uow)
        history = await services.transaction_history(transfer.outgoing.id, uow)
        other = await services.transaction_history(transfer.incoming.id, uow)
    assert (out.amount, out.note, out.deleted_at) == (Money.of("75.00", "BRL"), None, None)
    assert [r.action for r in history] == [r.action for r in other] == ["edit", "delete", "restore"]
    assert history[0].before["amount"] == "60.00" and history[0].after["amount"] == "75.00"
    assert history[0].after["transfer_id"] == str(transfer.outgoing.transfer_id)
