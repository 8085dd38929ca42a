"""`centavo worker --once` pushes a budget alert raised outside the chat through a fake Twilio REST server."""

from __future__ import annotations

import asyncio
import uuid
from datetime import timedelta

import pytest
import sqlalchemy as sa

import bot.bootstrap
from adapters.clock import SystemClock
from adapters.db import Database, InboxMessage
from adapters.db.tables import outbound_messages, outbox
from bot import cli
from bot.settings import Settings
from domain import services
from domain.commands import AddUser, RecordTransaction, SetBudget
from domain.model import Source, TransactionKind
from tests.e2e.conftest import TWILIO_SID, TWILIO_TOKEN, Routed, StubAgent, stub_factory
from tests.integration.fake_providers import FakeProviders

PHONE = "+5511987654321"


async def test_worker_once_pushes_an_admin_api_crossing_on_whatsapp(
    aiohttp_server, settings: Settings, db: Database, routed: Routed, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake = FakeProviders(twilio_sid=TWILIO_SID, twilio_token=TWILIO_TOKEN)
    server = await aiohttp_server(fake.app())
    clock = SystemClock()
    tenant = routed.tenant
    async with db.unit_of_work(tenant.id) as uow:
        user = await services.add_user(AddUser(phone=PHONE), tenant, uow, clock)
    async with db.unit_of_work(tenant.id) as uow:
        # The worker runs on the wall clock here: quiet hours off, or a night run would hold the push.
        user.quiet_hours = "off"
        await uow.users.update(user)
        await uow.commit()
    async with db.unit_of_work(tenant.id) as uow:
        await services.set_budget(SetBudget(user.id, "1500", category="groceries"), uow, clock)
    # They wrote on WhatsApp an hour ago (and were answered): the window is open.
    async with db.unit_of_work(tenant.id) as uow:
        await uow.inbox.add_if_absent(
            InboxMessage(
                id=uuid.uuid4(),
                tenant_id=tenant.id,
                channel="whatsapp",
                provider_message_id="SM" + uuid.uuid4().hex,
                sender=PHONE,
                recipient=routed.twilio_number,
                text="oi",
                received_at=clock.now() - timedelta(hours=1),
                status="done",
            )
        )
        await uow.commit()
    expense = RecordTransaction(
        user_id=user.id,
        kind=TransactionKind.EXPENSE,
        amount="1234.56",
        category="groceries",
        source=Source.ADMIN_API,
        source_ref="idem-" + uuid.uuid4().hex,
    )
    async with db.unit_of_work(tenant.id) as uow:
        assert len((await services.record_transaction(expense, uow, clock)).crossings) == 1

    env = {
        "DATABASE_URL": settings.database_url,
        "REDIS_URL": settings.redis_url or "",
        "TWILIO_ACCOUNT_SID": TWILIO_SID,
        "TWILIO_AUTH_TOKEN": TWILIO_TOKEN,
        "TWILIO_API_BASE_URL": str(server.make_url("")),
    }
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setattr(bot.bootstrap, "default_agent_factory", lambda: stub_factory(StubAgent()))

    assert await asyncio.to_thread(cli.main, ["worker", "--once"]) == 0
    assert await asyncio.to_thread(cli.main, ["worker", "--once"]) == 0  # nothing left: no second push

    [sent] = fake.of("twilio")
    assert sent.form["To"] == f"whatsapp:{PHONE}"
    assert sent.form["From"] == f"whatsapp:{routed.twilio_number}"
    assert sent.form["Body"] == "⚠️ Você já usou 80% do orçamento de mercado: R$ 1.234,56 de R$ 1.500,00."
    async with db.unit_of_work(tenant.id) as uow:
        records = (await uow.execute(sa.select(outbound_messages))).mappings().all()
        pending = (await uow.execute(sa.select(outbox).where(outbox.c.processed_at.is_(None)))).all()
    assert [(r["inbox_id"], r["channel"], r["recipient"], r["status"]) for r in records] == [
        (None, "whatsapp", PHONE, "queued")
    ]
    assert pending == []
