"""Ledger throughput on the embedded SQLite store, and on PostgreSQL when BENCH_POSTGRES_URL is set."""

from __future__ import annotations

import asyncio
import os
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from adapters.clock import SystemClock
from adapters.db import Database, upgrade
from domain import services
from domain.commands import AddUser, CreateTenant, GetBalance, GetSpendingSummary, RecordTransaction

N = int(os.environ.get("BENCH_LEDGER_N", "500"))
CATEGORIES = ["groceries", "dining", "transport", "shopping", None]


async def run(label: str, url: str) -> None:
    db = Database(url)
    clock = SystemClock()
    try:
        async with db.directory() as directory:
            tenant = await services.create_tenant(
                CreateTenant(
                    slug=f"b-{uuid.uuid4().hex[:10]}",
                    name="Bench",
                    currency="BRL",
                    locale="pt_BR",
                    timezone="America/Sao_Paulo",
                ),
                directory,
                clock,
            )
        async with db.unit_of_work(tenant.id) as uow:
            user = await services.add_user(AddUser(phone="+5511900000001"), tenant, uow, clock)

        latencies: list[float] = []

        async def record(i: int) -> None:
            cmd = RecordTransaction(
                user_id=user.id,
                kind="expense",
                amount=f"{i % 90 + 1}.{i % 100:02d}",
                merchant=f"m{i % 30}",
                category=CATEGORIES[i % 5],
                source_ref=f"bench-{i}",
            )
            start = time.perf_counter()
            async with db.unit_of_work(tenant.id) as uow:
                await services.record_transaction(cmd, uow, clock)
            latencies.append(time.perf_counter() - start)

        start = time.perf_counter()
        for i in range(N):
            await record(i)
        sequential = time.perf_counter() - start

        start = time.perf_counter()
        await asyncio.gather(*(record(N + i) for i in range(N)))
        concurrent = time.perf_counter() - start

        start = time.perf_counter()
        for _ in range(50):
            async with db.unit_of_work(tenant.id) as uow:
                await services.get_balance(GetBalance(user_id=user.id), uow)
                await services.spending_summary(GetSpendingSummary(user_id=user.id), uow, clock)
        reads = (time.perf_counter() - start) / 50

        q = statistics.quantiles(latencies, n=100)
        print(
            f"{label}: {N} sequential expenses {N / sequential:.0f}/s; "
            f"{N} concurrent {N / concurrent:.0f}/s; "
            f"record p50 {q[49] * 1000:.1f} ms p99 {q[98] * 1000:.1f} ms; "
            f"balance+summary over {2 * N} rows {reads * 1000:.1f} ms"
        )
    finally:
        await db.dispose()


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{tmp}/bench.db"
        upgrade(url)
        asyncio.run(run("sqlite", url))
    pg = os.environ.get("BENCH_POSTGRES_URL")
    if pg:
        asyncio.run(run("postgresql", pg))
    else:
        print("postgresql: skipped (set BENCH_POSTGRES_URL to a migrated database, as the app role)")


if __name__ == "__main__":
    main()
