"""Recurring rules on PostgreSQL and SQLite: the worker records each due occurrence once, also when several
workers run at once and after a downtime."""

from __future__ import annotations

import asyncio
import uuid
from collections import Counter
from datetime import UTC, date, datetime, timedelta

import pytest
import sqlalchemy as sa

from adapters.db import Database
from adapters.db.tables import transactions
from bot.worker import Worker
from domain.model import Source
from domain.recurring import CreateRecurring, cancel_rule, record_due_rules, start_rule
from tests.integration.conftest import MakeTenant, Seeded
from tests.unit.fakes import FixedClock

# Monday 2 December 2024, 12:00 in São Paulo (the seeded user's zone).
START = datetime(2024, 12, 2, 15, 0, tzinfo=UTC)


async def _start(db: Database, seed: Seeded, clock: FixedClock, **fields: object) -> uuid.UUID:
    fields = {"kind": "expense", "amount": "30", "cadence": "weekly", **fields}
    async with db.unit_of_work(seed.tenant.id) as uow:
        started = await start_rule(CreateRecurring(user_id=seed.user.id, **fields), uow, clock)  # type: ignore[arg-type]
    return started.rule.id


async def _occurrences(db: Database, seed: Seeded) -> Counter[str]:
    """source_ref -> how many transactions carry it (each must be 1)."""
    async with db.unit_of_work(seed.tenant.id) as uow:
        rows = await uow.execute(
            sa.select(transactions.c.source_ref).where(
                transactions.c.tenant_id == seed.tenant.id,  # SQLite has no RLS to do it
                transactions.c.source == str(Source.RECURRING),
            )
        )
        return Counter(str(ref) for ref in rows.scalars())


async def test_the_worker_records_what_fell_due_while_it_was_down(
    database: Database, make_tenant: MakeTenant
) -> None:
    clock = FixedClock(START)
    database.clock = clock
    seed = await make_tenant(database)
    gym = await _start(database, seed, clock, merchant="Smart Fit", category="health")
    rent = await _start(database, seed, clock, amount="1200", cadence="monthly", anchor=1, merchant="Aluguel")
    clock.set(START + timedelta(days=40))  # 11 January 2025
    worker = Worker(database, agent=None, channels={}, clock=clock)  # type: ignore[arg-type]

    assert await worker.run_once() >= 8  # 5 weekly + 2 monthly occurrences, plus their events settled
    assert await worker.run_once() == 0

    seen = await _occurrences(database, seed)
    assert set(seen.values()) == {1}
    assert sorted(ref for ref in seen if ref.startswith(str(gym))) == [
        f"{gym}:{day}"
        for day in ("2024-12-02", "2024-12-09", "2024-12-16", "2024-12-23", "2024-12-30", "2025-01-06")
    ]
    assert sorted(ref for ref in seen if ref.startswith(str(rent))) == [f"{rent}:2025-01-01"]
    async with database.unit_of_work(seed.tenant.id) as uow:
        [rule] = [r for r in await uow.recurring.list_for(seed.user.id) if r.id == rent]
    assert rule.next_due == date(2025, 2, 1)


async def test_several_workers_at_once_record_each_occurrence_once(
    database_url: str, database: Database, make_tenant: MakeTenant
) -> None:
    if not database_url.startswith("postgresql"):
        pytest.skip("concurrent claimants skip each other's rules with SKIP LOCKED, PostgreSQL's")
    clock = FixedClock(START)
    database.clock = clock
    seed = await make_tenant(database)
    for n in range(12):
        await _start(database, seed, clock, amount=str(10 + n), merchant=f"Rule {n}")
    clock.set(START + timedelta(weeks=8))
    others = [Database(database_url, clock=clock) for _ in range(3)]
    try:

        async def one_pass(db: Database) -> int:
            async with db.unit_of_work(seed.tenant.id) as uow:
                return (await record_due_rules(uow, clock)).created

        created = await asyncio.gather(*(one_pass(db) for db in [database, *others, database, *others]))
    finally:
        for db in others:
            await db.dispose()
    seen = await _occurrences(database, seed)
    assert set(seen.values()) == {1}  # no occurrence written twice
    assert len(seen) == 12 * 9  # the start day's, then eight weeks of Mondays, for each rule
    assert sum(created) == 12 * 8  # the start days' were recorded by start_rule


async def test_a_cancelled_rule_stops_and_another_users_rules_are_untouched(
    database: Database, make_tenant: MakeTenant
) -> None:
    clock = FixedClock(START)
    database.clock = clock
    mine = await make_tenant(database)
    theirs = await make_tenant(database, phone="+5511900000009")
    netflix = await _start(database, mine, clock, cadence="monthly", amount="39.90", merchant="Netflix")
    other = await _start(database, theirs, clock, cadence="monthly", amount="55.90", merchant="Netflix")
    async with database.unit_of_work(mine.tenant.id) as uow:
        await cancel_rule(netflix, uow, clock)
        assert await uow.recurring.get(other) is None  # another tenant's rule is not even visible
    clock.set(START + timedelta(days=62))
    for seed in (mine, theirs):
        async with database.unit_of_work(seed.tenant.id) as uow:
            await record_due_rules(uow, clock)
    assert sorted(await _occurrences(database, mine)) == [f"{netflix}:2024-12-02"]
    assert sorted(await _occurrences(database, theirs)) == [
        f"{other}:2024-12-02",
        f"{other}:2025-01-02",
        f"{other}:2025-02-02",
    ]
