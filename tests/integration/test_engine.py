"""Database set-up: URL conversion, SQLite pragmas and write lock, the per-user lock on both dialects."""

from __future__ import annotations

import asyncio
import uuid
from datetime import date

import pytest
from sqlalchemy import text

from adapters.db import Database, async_url, dialect_of
from domain.model import Transaction, TransactionKind
from domain.money import Money
from domain.ports import TransactionFilter

pytestmark = pytest.mark.integration


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("postgresql://u:p@db:5432/centavo", "postgresql+asyncpg://u:p@db:5432/centavo"),
        ("postgres://u@db/centavo", "postgresql+asyncpg://u@db/centavo"),
        ("postgresql+asyncpg://u@db/centavo", "postgresql+asyncpg://u@db/centavo"),
        ("sqlite:///./centavo.db", "sqlite+aiosqlite:///./centavo.db"),
        ("sqlite:////var/lib/centavo.db", "sqlite+aiosqlite:////var/lib/centavo.db"),
    ],
)
def test_plain_urls_get_their_async_driver(url: str, expected: str) -> None:
    assert async_url(url).render_as_string(hide_password=False) == expected


def test_only_postgresql_and_sqlite_are_accepted() -> None:
    assert dialect_of("postgres://db/x") == "postgresql"
    assert dialect_of("sqlite:///x.db") == "sqlite"
    with pytest.raises(ValueError, match="unsupported database"):
        Database("mysql://db/centavo")


async def test_sqlite_connections_are_configured(sqlite_url: str) -> None:
    db = Database(sqlite_url)
    try:
        assert db.dialect == "sqlite"
        async with db.engine.connect() as conn:
            pragmas = {
                name: (await conn.execute(text(f"PRAGMA {name}"))).scalar()
                for name in ("foreign_keys", "busy_timeout", "journal_mode")
            }
    finally:
        await db.dispose()
    assert pragmas == {"foreign_keys": 1, "busy_timeout": 30000, "journal_mode": "wal"}


async def test_sqlite_writers_that_read_first_queue_instead_of_failing(sqlite_url: str, make_tenant) -> None:
    """With a deferred BEGIN, two read-then-write transactions deadlock and one fails with "database is
    locked"; BEGIN IMMEDIATE makes them wait their turn."""
    db = Database(sqlite_url)
    try:
        seed = await make_tenant(db)

        async def record(n: int) -> None:
            async with db.unit_of_work(seed.tenant.id) as uow:
                await uow.transactions.list(TransactionFilter(seed.user.id))
                await asyncio.sleep(0)  # let the others start their transactions in between
                await uow.transactions.add(
                    Transaction(
                        uuid.uuid4(), seed.tenant.id, seed.user.id, seed.account.id, TransactionKind.EXPENSE,
                        Money.of(f"{n + 1}.00", "BRL"), date(2025, 3, 1),
                    )
                )  # fmt: skip
                await uow.commit()

        await asyncio.gather(*(record(n) for n in range(12)))
        async with db.unit_of_work(seed.tenant.id) as uow:
            assert len(await uow.transactions.list(TransactionFilter(seed.user.id))) == 12
    finally:
        await db.dispose()


async def test_lock_holds_other_writers_for_the_user_until_commit(database: Database, make_tenant) -> None:
    seed = await make_tenant(database)
    order: list[str] = []

    async def second() -> None:
        async with database.unit_of_work(seed.tenant.id) as uow:
            await uow.users.lock(seed.user.id)
            order.append("second locked")

    async with database.unit_of_work(seed.tenant.id) as uow:
        await uow.users.lock(seed.user.id)
        waiting = asyncio.create_task(second())
        await asyncio.sleep(0.2)
        assert order == []
        order.append("first commits")
        await uow.commit()
    await asyncio.wait_for(waiting, timeout=10)
    assert order == ["first commits", "second locked"]
