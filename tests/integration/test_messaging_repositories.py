"""Messaging storage on both dialects: endpoint routing, the deduplicating inbox, status callbacks."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime, timedelta

import asyncpg
import pytest

from adapters.db import ChannelEndpoint, Database, InboxMessage, OutboundRecord
from domain.errors import Conflict

pytestmark = pytest.mark.integration

AT = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)


def message(tenant_id: uuid.UUID, provider_id: str = "SM1", at: datetime = AT, **fields) -> InboxMessage:
    return InboxMessage(
        id=uuid.uuid4(),
        tenant_id=tenant_id,
        channel=fields.pop("channel", "whatsapp"),
        provider_message_id=provider_id,
        sender="+5511987654321",
        recipient="+14155550100",
        text="gastei 45,90 no mercado",
        received_at=at,
        **fields,
    )


async def store(db: Database, msg: InboxMessage) -> tuple[InboxMessage, bool]:
    async with db.unit_of_work(msg.tenant_id) as uow:
        result = await uow.inbox.add_if_absent(msg)
        await uow.commit()
    return result


# -- endpoints ---------------------------------------------------------------------------------------


async def test_endpoints_route_an_address_to_its_tenant(database: Database, make_tenant) -> None:
    a, b = (await make_tenant(database)).tenant, (await make_tenant(database)).tenant
    number = f"+1415{uuid.uuid4().int % 10**7:07d}"
    phone_id = f"10{uuid.uuid4().int % 10**12}"
    async with database.directory() as directory:
        await directory.endpoints.add(ChannelEndpoint(uuid.uuid4(), a.id, "twilio", number))
        await directory.endpoints.add(ChannelEndpoint(uuid.uuid4(), b.id, "meta", phone_id))
        # The same address under another provider is another endpoint.
        await directory.endpoints.add(ChannelEndpoint(uuid.uuid4(), b.id, "meta", number))
        await directory.commit()
    async with database.directory() as directory:
        assert await directory.endpoints.find("twilio", number) == a.id
        assert await directory.endpoints.find("meta", phone_id) == b.id
        assert await directory.endpoints.find("meta", number) == b.id
        assert await directory.endpoints.find("twilio", "+10000000000") is None
        assert [e.address for e in await directory.endpoints.list_for(a.id)] == [number]
        assert {e.address for e in await directory.endpoints.list_for(b.id)} == {phone_id, number}
        assert all(e.created_at is not None for e in await directory.endpoints.list_for(b.id))


async def test_an_address_routes_to_one_tenant_only(database: Database, make_tenant) -> None:
    a, b = (await make_tenant(database)).tenant, (await make_tenant(database)).tenant
    number = f"+1415{uuid.uuid4().int % 10**7:07d}"
    async with database.directory() as directory:
        await directory.endpoints.add(ChannelEndpoint(uuid.uuid4(), a.id, "twilio", number))
        await directory.commit()
    async with database.directory() as directory:
        with pytest.raises(Conflict):
            await directory.endpoints.add(ChannelEndpoint(uuid.uuid4(), b.id, "twilio", number))
        with pytest.raises(ValueError):
            await directory.endpoints.add(ChannelEndpoint(uuid.uuid4(), b.id, "smoke", "x"))  # type: ignore[arg-type]
    async with database.directory() as directory:
        assert await directory.endpoints.find("twilio", number) == a.id


# -- inbox -------------------------------------------------------------------------------------------


async def test_a_duplicate_delivery_finds_the_stored_row(database: Database, make_tenant) -> None:
    tenant = (await make_tenant(database)).tenant
    first = message(tenant.id)
    stored, created = await store(database, first)
    assert created and stored.id == first.id
    again, created = await store(database, message(tenant.id))
    assert not created and again.id == first.id and again.status == "pending"
    # The same provider id on another channel is another message.
    _, created = await store(database, message(tenant.id, channel="sms"))
    assert created
    async with database.unit_of_work(tenant.id) as uow:
        got = await uow.inbox.get(first.id)
    assert got is not None and got.received_at == AT and got.text == first.text


async def test_concurrent_deliveries_create_exactly_one_row(database: Database, make_tenant) -> None:
    tenant = (await make_tenant(database)).tenant
    results = await asyncio.gather(*(store(database, message(tenant.id, "SM-race")) for _ in range(20)))
    assert sum(created for _, created in results) == 1
    assert len({row.id for row, _ in results}) == 1
    async with database.unit_of_work(tenant.id) as uow:
        claimed = await uow.inbox.claim_pending(100, older_than=AT)
    assert [m.provider_message_id for m in claimed] == ["SM-race"]


async def test_mark_done_stores_the_reply_for_duplicates(database: Database, make_tenant) -> None:
    tenant = (await make_tenant(database)).tenant
    msg, _ = await store(database, message(tenant.id))
    async with database.unit_of_work(tenant.id) as uow:
        await uow.inbox.mark_done(msg.id, "Anotado: R$ 45,90 em mercado", AT + timedelta(seconds=1))
        await uow.commit()
    again, created = await store(database, message(tenant.id))
    assert not created
    assert again.status == "done" and again.reply_text == "Anotado: R$ 45,90 em mercado"
    assert again.processed_at == AT + timedelta(seconds=1)


async def test_claim_pending_skips_done_and_fresh_claims_takes_stale_ones(
    database: Database, make_tenant
) -> None:
    tenant = (await make_tenant(database)).tenant
    lease = timedelta(minutes=5)
    pending, _ = await store(database, message(tenant.id, "SM-pending", AT))
    done, _ = await store(database, message(tenant.id, "SM-done", AT - timedelta(minutes=2)))
    stale, _ = await store(
        database,
        message(
            tenant.id, "SM-stale", AT - timedelta(minutes=1), status="processing", claimed_at=AT - lease * 2
        ),
    )
    fresh, _ = await store(
        database,
        message(tenant.id, "SM-fresh", AT - timedelta(minutes=3), status="processing", claimed_at=AT),
    )
    async with database.unit_of_work(tenant.id) as uow:
        await uow.inbox.mark_done(done.id, "ok", AT)
        await uow.commit()

    now = AT + timedelta(minutes=1)
    async with database.unit_of_work(tenant.id) as uow:
        claimed = await uow.inbox.claim_pending(10, older_than=now - lease, at=now)
        await uow.commit()
    assert [m.id for m in claimed] == [stale.id, pending.id]  # oldest received first
    assert all(m.status == "processing" and m.claimed_at == now and m.attempts == 1 for m in claimed)

    async with database.unit_of_work(tenant.id) as uow:
        # Claimed just now: another worker finds nothing until the lease runs out.
        assert await uow.inbox.claim_pending(10, older_than=now - lease) == []
        later = now + lease + timedelta(seconds=1)
        again = await uow.inbox.claim_pending(10, older_than=later - lease, at=later)
    assert {m.id for m in again} == {stale.id, pending.id, fresh.id}


async def test_claim_pending_respects_the_limit(database: Database, make_tenant) -> None:
    tenant = (await make_tenant(database)).tenant
    for i in range(3):
        await store(database, message(tenant.id, f"SM{i}", AT + timedelta(seconds=i)))
    async with database.unit_of_work(tenant.id) as uow:
        first = await uow.inbox.claim_pending(2, older_than=AT)
        await uow.commit()
        rest = await uow.inbox.claim_pending(2, older_than=AT)
    assert [m.provider_message_id for m in first] == ["SM0", "SM1"]
    assert [m.provider_message_id for m in rest] == ["SM2"]


async def test_mark_failed_retries_then_gives_up(database: Database, make_tenant) -> None:
    tenant = (await make_tenant(database)).tenant
    msg, _ = await store(database, message(tenant.id))
    for attempt in (1, 2):
        async with database.unit_of_work(tenant.id) as uow:
            [claimed] = await uow.inbox.claim_pending(10, older_than=AT)
            assert claimed.attempts == attempt
            await uow.inbox.mark_failed(msg.id, "nlu exploded", AT, max_attempts=2)
            await uow.commit()
            got = await uow.inbox.get(msg.id)
        assert got is not None and got.error == "nlu exploded"
        assert got.status == ("pending" if attempt == 1 else "failed")
    async with database.unit_of_work(tenant.id) as uow:
        assert await uow.inbox.claim_pending(10, older_than=AT) == []
        with pytest.raises(LookupError):
            await uow.inbox.mark_done(uuid.uuid4(), "x", AT)


async def test_the_inbox_is_tenant_bound(database: Database, make_tenant) -> None:
    a, b = (await make_tenant(database)).tenant, (await make_tenant(database)).tenant
    mine, _ = await store(database, message(a.id, "SM-shared"))
    theirs, created = await store(database, message(b.id, "SM-shared"))
    assert created and theirs.id != mine.id  # the dedupe key is per tenant
    async with database.unit_of_work(a.id) as uow:
        assert await uow.inbox.get(theirs.id) is None
        assert [m.id for m in await uow.inbox.claim_pending(10, older_than=AT)] == [mine.id]
        with pytest.raises(ValueError):
            await uow.inbox.add_if_absent(message(b.id, "SM-x"))


# -- outbound ----------------------------------------------------------------------------------------


async def sent_message(db: Database, tenant_id: uuid.UUID, provider_id: str) -> OutboundRecord:
    inbound, _ = await store(db, message(tenant_id, f"in-{provider_id}"))
    record = OutboundRecord(
        uuid.uuid4(), tenant_id, "whatsapp", "+5511987654321", "Anotado", "twilio", inbox_id=inbound.id
    )
    async with db.unit_of_work(tenant_id) as uow:
        await uow.outbound.add(record)
        await uow.outbound.set_provider_id(record.id, provider_id, "sent", AT)
        await uow.commit()
    return record


async def callbacks(db: Database, tenant_id: uuid.UUID, provider_id: str, *statuses: str) -> list[bool]:
    moved = []
    for status in statuses:
        async with db.unit_of_work(tenant_id) as uow:
            error = "63016" if status in ("failed", "undelivered") else None
            moved.append(
                await uow.outbound.update_status_by_provider_id("twilio", provider_id, status, error)
            )
            await uow.commit()
    return moved


async def status_of(db: Database, tenant_id: uuid.UUID, record: OutboundRecord) -> OutboundRecord:
    async with db.unit_of_work(tenant_id) as uow:
        got = await uow.outbound.get(record.id)
    assert got is not None
    return got


async def test_status_callbacks_in_order(database: Database, make_tenant) -> None:
    tenant = (await make_tenant(database)).tenant
    record = await sent_message(database, tenant.id, "SMout1")
    got = await status_of(database, tenant.id, record)
    assert got.status == "sent" and got.provider_message_id == "SMout1" and got.inbox_id is not None
    assert await callbacks(database, tenant.id, "SMout1", "delivered", "read") == [True, True]
    got = await status_of(database, tenant.id, record)
    assert got.status == "read" and got.updated_at is not None


async def test_status_callbacks_out_of_order_never_move_back(database: Database, make_tenant) -> None:
    tenant = (await make_tenant(database)).tenant
    record = await sent_message(database, tenant.id, "SMout2")
    assert await callbacks(database, tenant.id, "SMout2", "read", "delivered", "sent", "failed") == [
        True,
        False,
        False,
        False,
    ]
    assert (await status_of(database, tenant.id, record)).status == "read"


async def test_failed_is_terminal(database: Database, make_tenant) -> None:
    tenant = (await make_tenant(database)).tenant
    record = await sent_message(database, tenant.id, "SMout3")
    assert await callbacks(database, tenant.id, "SMout3", "undelivered", "delivered", "read") == [
        True,
        False,
        False,
    ]
    got = await status_of(database, tenant.id, record)
    assert got.status == "undelivered" and got.error == "63016"


async def test_a_callback_arriving_before_the_send_returns_is_kept(database: Database, make_tenant) -> None:
    """The provider may call back before our send call has stored its answer ("sent")."""
    tenant = (await make_tenant(database)).tenant
    record = OutboundRecord(uuid.uuid4(), tenant.id, "sms", "+5511987654321", "Oi", "twilio")
    async with database.unit_of_work(tenant.id) as uow:
        await uow.outbound.add(record)
        await uow.outbound.set_provider_id(record.id, "SMout4", "queued", AT)
        await uow.commit()
    assert await callbacks(database, tenant.id, "SMout4", "delivered") == [True]
    async with database.unit_of_work(tenant.id) as uow:
        await uow.outbound.set_provider_id(record.id, "SMout4", "sent", AT)
        await uow.commit()
    assert (await status_of(database, tenant.id, record)).status == "delivered"


async def test_unknown_or_other_tenants_callbacks_change_nothing(database: Database, make_tenant) -> None:
    a, b = (await make_tenant(database)).tenant, (await make_tenant(database)).tenant
    record = await sent_message(database, a.id, "SMout5")
    assert await callbacks(database, a.id, "SM-nope", "delivered") == [False]
    assert await callbacks(database, b.id, "SMout5", "delivered") == [False]
    assert (await status_of(database, a.id, record)).status == "sent"
    async with database.unit_of_work(a.id) as uow:
        with pytest.raises(ValueError):
            await uow.outbound.update_status_by_provider_id("twilio", "SMout5", "exploded")


# -- Row-Level Security (PostgreSQL) -----------------------------------------------------------------


async def test_rls_hides_other_tenants_messages(pg_database, make_tenant) -> None:
    db = Database(pg_database.app_url)
    try:
        a, b = (await make_tenant(db)).tenant, (await make_tenant(db)).tenant
        await store(db, message(a.id, "SM-a"))
        theirs, _ = await store(db, message(b.id, "SM-b"))
        await sent_message(db, b.id, "SMout-b")
    finally:
        await db.dispose()
    conn = await asyncpg.connect(pg_database.app_url)
    try:
        async with conn.transaction():
            await conn.execute("SELECT set_config('app.tenant_id', $1, true)", str(a.id))
            # No tenant filter in the query: only RLS keeps B's rows out.
            assert await conn.fetchval("SELECT count(*) FROM inbox WHERE id = $1", theirs.id) == 0
            assert {r["tenant_id"] for r in await conn.fetch("SELECT tenant_id FROM inbox")} == {a.id}
            assert await conn.fetchval("SELECT count(*) FROM outbound_messages") == 0
            assert (
                await conn.execute("UPDATE inbox SET status = 'done' WHERE id = $1", theirs.id) == "UPDATE 0"
            )
        with pytest.raises(asyncpg.InsufficientPrivilegeError, match="row-level security"):
            async with conn.transaction():
                await conn.execute("SELECT set_config('app.tenant_id', $1, true)", str(a.id))
                await conn.execute(
                    "INSERT INTO inbox (id, tenant_id, channel, provider_message_id, sender, recipient, text,"
                    " received_at, status) VALUES (gen_random_uuid(), $1, 'sms', 'x', '+1', '+2', 't', now(),"
                    " 'pending')",
                    b.id,
                )
        # The routing directory has no RLS: it is read before any tenant is known.
        assert await conn.fetchval("SELECT count(*) FROM channel_endpoints") >= 0
    finally:
        await conn.close()
