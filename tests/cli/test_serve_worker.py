"""`make run`'s `centavo serve` (embedded: no REDIS_URL) answers what was stored for later in the same
process: a message held for the worker and one whose processor died are answered without a `centavo
worker`, which could not share the in-process cache anyway."""

from __future__ import annotations

import asyncio
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import sqlalchemy as sa

from adapters.db import Database, InboxMessage
from adapters.db.tables import inbox, outbound_messages
from bot.demo import DEMO_NUMBER, DEMO_PHONE
from tests.cli.test_serve import env, free_port, server_log, serving, wait_healthy

__all__ = ["env"]


async def _store_unanswered(url: str) -> uuid.UUID:
    """Two messages of the demo user nobody answered: one held for the worker, one whose processor died
    (claimed, its lease run out). Returns the tenant's id."""
    db = Database(url)
    try:
        async with db.directory() as directory:
            tenant = await directory.tenants.get_by_slug("demo")
        assert tenant is not None
        now = datetime.now(UTC)
        rows = [
            InboxMessage(uuid.uuid4(), tenant.id, "whatsapp", "SMheld", DEMO_PHONE, DEMO_NUMBER,
                         "spent 12 on lunch", now - timedelta(minutes=2), provider="twilio"),
            InboxMessage(uuid.uuid4(), tenant.id, "whatsapp", "SMdied", DEMO_PHONE, DEMO_NUMBER,
                         "spent 30 at uber", now - timedelta(minutes=1), status="processing", attempts=1,
                         claimed_at=now - timedelta(minutes=1), provider="twilio", claim_token="dead" * 8,
                         lease_until=now - timedelta(seconds=5)),
        ]  # fmt: skip
        async with db.unit_of_work(tenant.id) as uow:
            for row in rows:
                await uow.inbox.add_if_absent(row)
            await uow.commit()
        return tenant.id
    finally:
        await db.dispose()


async def _states(url: str, tenant_id: uuid.UUID) -> tuple[list[tuple[str, str]], list[str]]:
    db = Database(url)
    try:
        async with db.unit_of_work(tenant_id) as uow:
            query = sa.select(inbox.c.provider_message_id, inbox.c.status).order_by(
                inbox.c.provider_message_id
            )
            states = [(r[0], r[1]) for r in (await uow.execute(query)).all()]
            sent = [r[0] for r in (await uow.execute(sa.select(outbound_messages.c.body))).all()]
        return states, sent
    finally:
        await db.dispose()


def test_embedded_serve_answers_held_and_interrupted_messages(env: dict[str, str], tmp_path: Path) -> None:
    url = env["DATABASE_URL"]
    tenant_id = asyncio.run(_store_unanswered(url))
    port = free_port()
    with serving(env, "--port", str(port)) as process:
        wait_healthy(port, process)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            states, sent = asyncio.run(_states(url, tenant_id))
            if all(status == "done" for _, status in states):
                break
            time.sleep(0.5)
        assert states == [("SMdied", "done"), ("SMheld", "done")], server_log(process)[-3000:]
        assert any("$12.00" in body for body in sent) and any("$30.00" in body for body in sent), sent
