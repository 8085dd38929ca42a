"""A worker killed between the provider's answer and its commit: the push goes at most twice, never zero
times (the delivery guarantee at the top of bot/alerts.py, and the README's), on PostgreSQL.

The crash is made deterministic rather than timed: before `centavo worker --once` starts, the test holds
an EXCLUSIVE lock on outbound_messages in a transaction of its own, so the worker's record of the push (the
INSERT that precedes the commit) waits. Once the fake Twilio has the send and PostgreSQL shows the worker's
backend waiting for that lock, the worker is SIGKILLed, the lock let go, and a second worker runs.
"""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path

import asyncpg
import pytest
from aiohttp.test_utils import TestServer

from adapters.db import Database
from tests.conftest import PgDatabase
from tests.integration.fake_providers import FakeProviders
from tests.integration.pushes import PushTenant

pytestmark = pytest.mark.integration

ROOT = Path(__file__).resolve().parents[2]
PATIENCE_S = 120.0
"""How long a step may take before the test gives up and shows the worker's log (a hang, not a timing)."""

ServerFactory = Callable[..., Awaitable[TestServer]]


@pytest.fixture
async def fake_twilio(aiohttp_server: ServerFactory) -> AsyncIterator[tuple[FakeProviders, str]]:
    fake = FakeProviders()
    server = await aiohttp_server(fake.app(), host="127.0.0.1")
    yield fake, str(server.make_url("")).rstrip("/")


def _env(database: PgDatabase, fake: FakeProviders, base_url: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TWILIO_", "META_", "CENTAVO_", "REDIS"))}
    env.update(
        PYTHONPATH=str(ROOT),
        DATABASE_URL=database.app_url,
        TWILIO_ACCOUNT_SID=fake.twilio_sid,
        TWILIO_AUTH_TOKEN=fake.twilio_token,
        TWILIO_API_BASE_URL=base_url,
        LOG_LEVEL="INFO",
        LOG_FORMAT="text",
    )
    return env


async def _worker_once(env: dict[str, str], log: Path) -> asyncio.subprocess.Process:
    with log.open("ab") as out:
        return await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot.cli", "worker", "--once", env=env, cwd=ROOT, stdout=out, stderr=out
        )


def _read(log: Path) -> str:
    return log.read_text(errors="replace")


async def _until(what: str, check: Callable[[], Awaitable[object]], log: Path) -> object:
    """Poll `check` until it returns something truthy; fail with the worker's log after PATIENCE_S."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + PATIENCE_S
    while loop.time() < deadline:
        if found := await check():
            return found
        await asyncio.sleep(0.05)
    pytest.fail(f"{what} did not happen; worker log:\n{_read(log)}")


async def test_a_worker_killed_between_the_send_and_the_commit_pushes_twice_at_most_and_never_loses_it(
    pg_database: PgDatabase, fake_twilio: tuple[FakeProviders, str], tmp_path: Path
) -> None:
    fake, base_url = fake_twilio
    db = Database(pg_database.app_url)
    try:
        pushes = await PushTenant.create(db)  # no quiet hours: the real clock's hour does not matter
        [user] = await pushes.add_users(1)
        await pushes.alert_each([user])
    finally:
        await db.dispose()
    env, log = _env(pg_database, fake, base_url), tmp_path / "worker.log"
    admin = await asyncpg.connect(pg_database.owner_url)
    try:
        holder = admin.transaction()
        await holder.start()
        await admin.execute("LOCK TABLE outbound_messages IN EXCLUSIVE MODE")
        worker = await _worker_once(env, log)

        async def sent() -> bool:
            if worker.returncode is not None:
                pytest.fail(f"the worker ended ({worker.returncode}) before it sent:\n{_read(log)}")
            return len(fake.of("twilio")) == 1

        async def blocked() -> list[int]:
            # Asked by the lock it waits for, not by its query text: while asyncpg prepares the INSERT (a
            # Parse message), pg_stat_activity still shows the statement before it, "idle in transaction".
            rows = await admin.fetch(
                "SELECT l.pid FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid"
                " WHERE NOT l.granted AND l.relation = 'outbound_messages'::regclass"
                " AND a.datname = $1 AND a.usename = $2",
                pg_database.name,
                pg_database.app_role,
            )
            return [row["pid"] for row in rows]

        await _until("the send reaching the fake Twilio", sent, log)
        backends = await _until("the worker's record waiting for the lock", blocked, log)
        worker.send_signal(signal.SIGKILL)
        assert await worker.wait() == -signal.SIGKILL
        await holder.rollback()

        async def gone() -> bool:
            rows = await admin.fetch("SELECT pid FROM pg_stat_activity WHERE pid = any($1::int[])", backends)
            return not rows

        # PostgreSQL rolls the dead worker's transaction back when it finds the client gone; until then it
        # still holds the alert's row, and a second worker would skip it.
        await _until("the killed worker's transaction ending", gone, log)
        second = await _worker_once(env, log)
        assert await second.wait() == 0, _read(log)
    finally:
        await admin.close()

    sends = fake.of("twilio")
    assert len(sends) == 2  # once before the crash, once again after it: at most twice, never lost
    assert sends[0].form == sends[1].form
    assert sends[0].form["To"] == user.phone and sends[0].form["From"] == pushes.twilio_number
    db = Database(pg_database.app_url)
    try:
        pushes.db = db
        [event] = await pushes.outbox()
        assert event["outcome"] == "sent" and event["processed_at"] is not None
        [record] = await pushes.outbound()
        assert record["outbox_id"] == event["id"] and record["status"] != "failed"
    finally:
        await db.dispose()
