"""Delivery storage on both dialects: TwiML replies linked by their first status, fallbacks stored once."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime, timedelta

import pytest

from adapters.db import Database, OutboundRecord
from bot.fallback import PERMANENT
from tests.integration.test_messaging_repositories import message, store

pytestmark = pytest.mark.integration

AT = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)
PHONE = "+5511987654321"


async def twiml_reply(db: Database, tenant_id: uuid.UUID, inbox_id: uuid.UUID) -> OutboundRecord:
    """A reply recorded as the lifecycle records one that goes in the webhook's response."""
    record = OutboundRecord(
        uuid.uuid4(), tenant_id, "whatsapp", PHONE, "Anotado", "twilio", inbox_id=inbox_id
    )
    async with db.unit_of_work(tenant_id) as uow:
        await uow.outbound.add(record)
        await uow.commit()
    return record


async def link(db: Database, tenant_id: uuid.UUID, inbox_id: uuid.UUID, sid: str, status: str, **kw) -> bool:
    async with db.unit_of_work(tenant_id) as uow:
        moved = await uow.outbound.link_reply(inbox_id, "twilio", sid, status, kw.get("error"))
        await uow.commit()
    return moved


async def get(db: Database, tenant_id: uuid.UUID, record: OutboundRecord) -> OutboundRecord:
    async with db.unit_of_work(tenant_id) as uow:
        got = await uow.outbound.get(record.id)
    assert got is not None
    return got


async def test_a_twiml_reply_is_linked_by_its_first_status_and_moves_on(
    database: Database, make_tenant
) -> None:
    tenant = (await make_tenant(database)).tenant
    inbound, _ = await store(database, message(tenant.id, "SMin-link"))
    record = await twiml_reply(database, tenant.id, inbound.id)

    assert await link(database, tenant.id, inbound.id, "SMreply1", "sent")
    got = await get(database, tenant.id, record)
    assert (got.provider_message_id, got.status) == ("SMreply1", "sent")
    assert await link(database, tenant.id, inbound.id, "SMreply1", "delivered")
    assert await link(database, tenant.id, inbound.id, "SMreply1", "read")
    # Never back, and a SID of a message we do not know finds no row once the reply is linked.
    assert not await link(database, tenant.id, inbound.id, "SMreply1", "delivered")
    assert not await link(database, tenant.id, inbound.id, "SMother", "failed", error="30008")
    got = await get(database, tenant.id, record)
    assert (got.provider_message_id, got.status, got.error) == ("SMreply1", "read", None)


async def test_a_failed_twiml_reply_keeps_the_error_code(database: Database, make_tenant) -> None:
    tenant = (await make_tenant(database)).tenant
    inbound, _ = await store(database, message(tenant.id, "SMin-fail"))
    record = await twiml_reply(database, tenant.id, inbound.id)
    assert await link(database, tenant.id, inbound.id, "SMreply2", "undelivered", error="63016")
    got = await get(database, tenant.id, record)
    assert (got.status, got.error) == ("undelivered", "63016")


async def test_a_reply_answered_twice_links_each_sid_to_its_own_row(database: Database, make_tenant) -> None:
    tenant = (await make_tenant(database)).tenant
    inbound, _ = await store(database, message(tenant.id, "SMin-twice"))
    first = await twiml_reply(database, tenant.id, inbound.id)
    second = await twiml_reply(database, tenant.id, inbound.id)
    assert await link(database, tenant.id, inbound.id, "SMa", "sent")
    assert await link(database, tenant.id, inbound.id, "SMb", "delivered")
    assert await link(database, tenant.id, inbound.id, "SMa", "read")
    rows = {
        r.provider_message_id: r.status for r in [await get(database, tenant.id, x) for x in (first, second)]
    }
    assert rows == {"SMa": "read", "SMb": "delivered"}


async def test_racing_first_statuses_of_one_reply_link_it_once(database: Database, make_tenant) -> None:
    tenant = (await make_tenant(database)).tenant
    inbound, _ = await store(database, message(tenant.id, "SMin-race"))
    record = await twiml_reply(database, tenant.id, inbound.id)
    results = await asyncio.gather(
        link(database, tenant.id, inbound.id, "SMrace", "sent"),
        link(database, tenant.id, inbound.id, "SMrace", "delivered"),
    )
    assert any(results)
    got = await get(database, tenant.id, record)
    assert got.provider_message_id == "SMrace" and got.status in ("sent", "delivered")


async def test_another_tenants_inbox_id_links_nothing(database: Database, make_tenant) -> None:
    a, b = (await make_tenant(database)).tenant, (await make_tenant(database)).tenant
    inbound, _ = await store(database, message(a.id, "SMin-iso"))
    record = await twiml_reply(database, a.id, inbound.id)
    assert not await link(database, b.id, inbound.id, "SMforged", "failed", error="1")
    got = await get(database, a.id, record)
    assert (got.provider_message_id, got.status) == (None, "queued")


def push(tenant_id: uuid.UUID, status: str, error: str | None, **fields) -> OutboundRecord:
    return OutboundRecord(
        id=uuid.uuid4(),
        tenant_id=tenant_id,
        channel=fields.pop("channel", "whatsapp"),
        recipient=PHONE,
        body="⚠️ 80%",
        provider=fields.pop("provider", "twilio"),
        provider_message_id="SM" + uuid.uuid4().hex,
        status=status,  # type: ignore[arg-type]
        error=error,
        updated_at=fields.pop("updated_at", AT),
        outbox_id=fields.pop("outbox_id", 1),
        **fields,
    )


async def test_failed_pushes_are_those_failed_for_good_with_no_fallback_yet(
    database: Database, make_tenant
) -> None:
    tenant = (await make_tenant(database)).tenant
    inbound, _ = await store(database, message(tenant.id, "SMin-pushes"))
    wanted = [
        push(tenant.id, "undelivered", "63016"),
        push(tenant.id, "failed", "131047", provider="meta"),
    ]
    others = [
        push(tenant.id, "failed", "63018"),  # a rate limit passes with time
        push(tenant.id, "failed", "63014"),  # blocked by the user: not chased onto SMS
        push(tenant.id, "delivered", None),
        push(tenant.id, "failed", "63016", channel="sms"),
        push(tenant.id, "failed", "63016", outbox_id=None, inbox_id=inbound.id),  # a chat reply
        push(tenant.id, "failed", "63016", updated_at=AT - timedelta(days=2)),  # too long ago
    ]
    async with database.unit_of_work(tenant.id) as uow:
        for record in [*wanted, *others]:
            await uow.outbound.add(record)
        await uow.commit()

    async with database.unit_of_work(tenant.id) as uow:
        found = await uow.outbound.failed_pushes(PERMANENT, AT - timedelta(days=1))
        assert {r.id for r in found} == {r.id for r in wanted}
        # Paged by id.
        first = await uow.outbound.failed_pushes(PERMANENT, AT - timedelta(days=1), limit=1)
        rest = await uow.outbound.failed_pushes(PERMANENT, AT - timedelta(days=1), after=first[0].id)
        assert {r.id for r in [*first, *rest]} == {r.id for r in wanted}

        sms = OutboundRecord(
            uuid.uuid4(), tenant.id, "sms", PHONE, "80%", "twilio", fallback_for=wanted[0].id, outbox_id=1
        )
        assert await uow.outbound.add_fallback(sms)
        again = OutboundRecord(
            uuid.uuid4(), tenant.id, "sms", PHONE, "80%", "twilio", fallback_for=wanted[0].id, outbox_id=1
        )
        assert not await uow.outbound.add_fallback(again)  # one fallback per failed message
        assert [r.id for r in await uow.outbound.failed_pushes(PERMANENT, AT - timedelta(days=1))] == [
            wanted[1].id
        ]
        await uow.outbound.set_result(sms.id, "SMfallback", "queued", None, AT)
        await uow.commit()
    got = await get(database, tenant.id, sms)
    assert (got.provider_message_id, got.status, got.fallback_for) == ("SMfallback", "queued", wanted[0].id)
