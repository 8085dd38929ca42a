"""Pushes: the real AlertDispatcher sending 10,000 due budget alerts of 1,000 users on PostgreSQL through a
fake Twilio that answers each send after 50 ms; pushes per second, the concurrency, p50/p99 per push.

    python bench/pushes.py [--events 10000] [--users 1000] [--delay-ms 50] [--concurrency N]
                           [--baseline-events 200]

Each run gets a fresh database on the PostgreSQL at BENCH_POSTGRES_ADMIN_URL (default: the shared one's
postgres user), migrated, with one tenant (quiet hours off, a Twilio number) whose users never wrote (so
every alert goes by SMS from that number), and the events written straight into its outbox as an admin API
write would leave them (source "admin_api": no chat reply told them, so each is pushed). The fake Twilio
(tests/integration/fake_providers.py) runs in a process of its own, so its work is not the dispatcher's.
Dispatcher passes run back to back until the outbox is empty; then every event must be settled as "sent"
with exactly one outbound message and one request at the fake.

A per-push time is one event's unit of work: from asking for a connection to its commit (the claim, the
reads, the send, the record, the commit). First, unless --baseline-events 0, the same on fewer events with
concurrency 1 (one event at a time, the dispatcher before issue 15): at 50 ms a send it cannot pass 20/s,
and 10,000 events would take over eight minutes. Skipped (exit 0) when PostgreSQL is unreachable.
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing
import os
import secrets
import socket
import statistics
import sys
import time
import uuid
from datetime import date
from pathlib import Path
from types import TracebackType
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import sqlalchemy as sa

from adapters.channels import TwilioChannel
from adapters.clock import SystemClock
from adapters.db import ChannelEndpoint, Database, OutboxMessage, SqlUnitOfWork, tables, upgrade
from bot.alerts import AlertDispatcher
from domain.events import BudgetThresholdCrossed
from domain.model import Language, Source, Tenant, User
from domain.money import Money

ADMIN_URL = os.environ.get("BENCH_POSTGRES_ADMIN_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
APP_ROLE = os.environ.get("CENTAVO_APP_ROLE", "centavo_app")
TWILIO_SID = "AC" + "0" * 32
TWILIO_TOKEN = "twilio-token"
TWILIO_NUMBER = "+14155550100"
CHUNK = 1_000
"""Events per INSERT while seeding."""


async def admin(*statements: str) -> None:
    import asyncpg

    conn = await asyncpg.connect(ADMIN_URL, timeout=5)
    try:
        for statement in statements:
            await conn.execute(statement)
    finally:
        await conn.close()


def urls(name: str) -> tuple[str, str]:
    """(owner URL, app-role URL) of database `name` on the admin URL's server."""
    base = sa.engine.make_url(ADMIN_URL).set(database=name)
    owner = base.render_as_string(hide_password=False)
    return owner, base.set(username=APP_ROLE, password=None).render_as_string(hide_password=False)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def serve_fake(port: int, delay_s: float, ready: Any) -> None:
    """The fake Twilio, in a process of its own, until terminated."""
    from aiohttp import web

    from tests.integration.fake_providers import FakeProviders

    fake = FakeProviders(twilio_sid=TWILIO_SID, twilio_token=TWILIO_TOKEN, twilio_delay_s=delay_s)

    async def main() -> None:
        runner = web.AppRunner(fake.app(), access_log=None)
        await runner.setup()
        await web.TCPSite(runner, "127.0.0.1", port, backlog=1024).start()
        ready.set()
        await asyncio.Event().wait()

    asyncio.run(main())


class TimedUnitOfWork:
    """A unit of work that notes how long it lasted when it handled an event (the dispatcher marks it)."""

    def __init__(self, inner: SqlUnitOfWork, samples: list[float]) -> None:
        self.inner, self.samples = inner, samples

    async def __aenter__(self) -> SqlUnitOfWork:
        self.started = time.perf_counter()
        return await self.inner.__aenter__()

    async def __aexit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.inner.__aexit__(kind, exc, tb)
        if getattr(self.inner, "bench_handled", False):
            self.samples.append(time.perf_counter() - self.started)


class TimedDatabase(Database):
    def __init__(self, url: str, **options: Any) -> None:
        super().__init__(url, **options)
        self.samples: list[float] = []

    def unit_of_work(self, tenant_id: uuid.UUID, member_id: uuid.UUID | None = None) -> Any:
        return TimedUnitOfWork(super().unit_of_work(tenant_id, member_id), self.samples)


class TimedDispatcher(AlertDispatcher):
    async def _handle(
        self, uow: SqlUnitOfWork, tenant: Tenant, message: OutboxMessage, endpoints: Any
    ) -> bool:
        uow.bench_handled = True  # type: ignore[attr-defined]
        return await super()._handle(uow, tenant, message, endpoints)


async def seed(db: Database, users: int, events: int) -> Tenant:
    """One tenant without quiet hours, its Twilio number, `users` users, `events` due alerts among them."""
    tenant = Tenant(
        id=uuid.uuid4(),
        slug="pushes",
        name="Pushes",
        language=Language.PT,
        locale="pt_BR",
        currency="BRL",
        timezone="America/Sao_Paulo",
        settings={"quiet_hours": None},
    )
    async with db.directory() as directory:
        await directory.tenants.add(tenant)
        await directory.endpoints.add(ChannelEndpoint(uuid.uuid4(), tenant.id, "twilio", TWILIO_NUMBER))
        await directory.commit()
    people = [
        User(
            id=uuid.uuid4(),
            tenant_id=tenant.id,
            phone=f"+55119{n:08d}",
            name=f"User {n}",
            language=Language.PT,
            locale="pt_BR",
            currency="BRL",
            timezone="America/Sao_Paulo",
            quiet_hours="off",
        )
        for n in range(users)
    ]
    async with db.unit_of_work(tenant.id) as uow:
        for user in people:
            await uow.users.add(user)
        await uow.commit()
    budgets = {user.id: uuid.uuid4() for user in people}
    for start in range(0, events, CHUNK):
        async with db.unit_of_work(tenant.id) as uow:
            batch = []
            for n in range(start, min(start + CHUNK, events)):
                user = people[n % users]
                batch.append(
                    BudgetThresholdCrossed(
                        tenant_id=tenant.id,
                        user_id=user.id,
                        budget_id=budgets[user.id],
                        category="groceries",
                        threshold=80,
                        period_start=date(2026, 12, 1),
                        period_end=date(2026, 12, 31),
                        spent=Money.of("1234.56", "BRL"),
                        budget=Money.of("1500.00", "BRL"),
                        source=Source.ADMIN_API.value,
                    )
                )
            await uow.outbox.add_all(batch)
            await uow.commit()
    return tenant


async def dispatch(app_url: str, tenant: Tenant, port: int, concurrency: int | None) -> dict[str, Any]:
    """Passes until nothing is pending; the figures, and what the database says came of every event."""
    db = TimedDatabase(app_url)
    channel = TwilioChannel(TWILIO_SID, TWILIO_TOKEN, f"http://127.0.0.1:{port}", timeout=30)
    try:
        dispatcher = TimedDispatcher(db, {"twilio": channel}, SystemClock(), concurrency=concurrency)
        passes, settled = 0, 0
        started, cpu = time.perf_counter(), time.process_time()
        while True:
            done = await dispatcher.run_once()
            passes += 1
            settled += done
            if not done:
                break
        elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
        async with db.unit_of_work(tenant.id) as uow:
            outcomes = dict(
                (
                    await uow.execute(
                        sa.select(tables.outbox.c.outcome, sa.func.count()).group_by(tables.outbox.c.outcome)
                    )
                ).all()
            )
            pushes = (
                await uow.execute(sa.select(sa.func.count(sa.distinct(tables.outbound_messages.c.outbox_id))))
            ).scalar_one()
            records = (
                await uow.execute(sa.select(sa.func.count()).select_from(tables.outbound_messages))
            ).scalar_one()
        return {
            "workers": dispatcher.workers(),
            "elapsed": elapsed,
            "cpu": cpu,
            "passes": passes,
            "settled": settled,
            "outcomes": outcomes,
            "pushed": pushes,
            "records": records,
            "samples": db.samples,
        }
    finally:
        await channel.close()
        await db.dispose()


def run(label: str, events: int, users: int, delay_ms: float, concurrency: int | None) -> bool:
    """One measured run on a fresh database; prints its figures; False when a check failed."""
    name = f"centavo_pushes_{secrets.token_hex(4)}"
    asyncio.run(admin(f'CREATE DATABASE "{name}"'))
    owner_url, app_url = urls(name)
    ready = multiprocessing.Event()
    port = free_port()
    fake = multiprocessing.Process(target=serve_fake, args=(port, delay_ms / 1000, ready), daemon=True)
    try:
        upgrade(owner_url)
        seed_started = time.perf_counter()
        tenant = asyncio.run(_seed(app_url, users, events))
        seeded = time.perf_counter() - seed_started
        fake.start()
        if not ready.wait(30):
            raise SystemExit("pushes: the fake Twilio did not start")
        figures = asyncio.run(dispatch(app_url, tenant, port, concurrency))
    finally:
        if fake.is_alive():
            fake.terminate()
            fake.join(10)
        asyncio.run(admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    samples = sorted(figures["samples"])
    rate = figures["pushed"] / figures["elapsed"]
    p50 = statistics.median(samples) * 1000 if samples else 0.0
    p99 = samples[min(len(samples) - 1, int(len(samples) * 0.99))] * 1000 if samples else 0.0
    cpu_ms = figures["cpu"] / max(figures["pushed"], 1) * 1000
    print(
        f"pushes: {label}: {events:,} alerts of {users:,} users, provider {delay_ms:.0f} ms, "
        f"concurrency {figures['workers']}: {rate:,.1f} pushes/s, {figures['elapsed']:.1f} s in "
        f"{figures['passes']} passes; per push p50 {p50:.1f} ms, p99 {p99:.1f} ms; dispatcher CPU "
        f"{cpu_ms:.2f} ms a push (seeded in {seeded:.1f} s)"
    )
    sent = figures["outcomes"].get("sent", 0)
    ok = sent == events and figures["pushed"] == events and figures["records"] == events
    print(
        f"pushes: {label}: {'PASS' if ok else 'FAIL'}: {sent:,} of {events:,} settled as sent, "
        f"{figures['records']:,} outbound messages for {figures['pushed']:,} events "
        f"(outcomes {figures['outcomes']})"
    )
    return ok


async def _seed(url: str, users: int, events: int) -> Tenant:
    db = Database(url)
    try:
        return await seed(db, users, events)
    finally:
        await db.dispose()


def reachable() -> bool:
    try:
        asyncio.run(admin("SELECT 1"))
    except Exception as exc:
        print(f"pushes: skipped, PostgreSQL at {ADMIN_URL} is not reachable ({type(exc).__name__}: {exc})")
        return False
    return True


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--events", type=int, default=10_000)
    parser.add_argument("--users", type=int, default=1_000)
    parser.add_argument("--delay-ms", type=float, default=50.0, help="the fake Twilio's answer time")
    parser.add_argument("--concurrency", type=int, help="default: the dispatcher's own (CONCURRENCY)")
    parser.add_argument(
        "--baseline-events", type=int, default=200, help="events of the concurrency-1 run first (0: none)"
    )
    args = parser.parse_args()
    if not reachable():
        return 0
    ok = True
    if args.baseline_events:
        users = min(args.users, args.baseline_events)
        ok &= run("one at a time", args.baseline_events, users, args.delay_ms, 1)
    ok &= run("concurrent", args.events, args.users, args.delay_ms, args.concurrency)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
