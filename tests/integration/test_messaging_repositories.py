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


async def claim(db: Database, tenant_id: uuid.UUID, now: datetime, limit: int = 10) -> list[InboxMessage]:
    async with db.unit_of_work(tenant_id) as uow:
        rows = await uow.inbox.claim(limit, now, now + LEASE, uuid.uuid4().hex)
        await uow.commit()
    return rows


LEASE = timedelta(seconds=30)


async def test_a_duplicate_delivery_finds_the_stored_row(database: Database, make_tenant) -> None:
    tenant = (await make_tenant(database)).tenant
    first = message(tenant.id, media_count=1, profile_name="Ana", provider="meta")
    stored, created = await store(database, first)
    assert created and stored.id == first.id
    again, created = await store(database, message(tenant.id))
    assert not created and again.id == first.id and again.status == "pending"
    # The same provider id on another channel (Twilio's "whatsapp:" prefix missing) is the same message.
    again, created = await store(database, message(tenant.id, channel="sms"))
    assert not created and again.id == first.id
    async with database.unit_of_work(tenant.id) as uow:
        got = await uow.inbox.get(first.id)
    assert got is not None and got.received_at == AT and got.text == first.text
    assert (got.media_count, got.profile_name, got.provider) == (1, "Ana", "meta")


async def test_concurrent_deliveries_create_exactly_one_row(database: Database, make_tenant) -> None:
    tenant = (await make_tenant(database)).tenant
    channels = ["whatsapp", "sms"] * 10
    results = await asyncio.gather(
        *(store(database, message(tenant.id, "SM-race", channel=c)) for c in channels)
    )
    assert sum(created for _, created in results) == 1
    assert len({row.id for row, _ in results}) == 1
    assert [m.provider_message_id for m in await claim(database, tenant.id, AT)] == ["SM-race"]


async def test_mark_done_stores_the_reply_for_duplicates(database: Database, make_tenant) -> None:
    tenant = (await make_tenant(database)).tenant
    await store(database, message(tenant.id))
    (msg,) = await claim(database, tenant.id, AT)
    assert msg.claim_token is not None
    async with database.unit_of_work(tenant.id) as uow:
        assert await uow.inbox.mark_done(msg.id, msg.claim_token, "Anotado!", AT + timedelta(seconds=1))
        await uow.commit()
    again, created = await store(database, message(tenant.id))
    assert not created
    assert again.status == "done" and again.reply_text == "Anotado!"
    assert again.processed_at == AT + timedelta(seconds=1)
    assert again.claim_token is None and again.lease_until is None


async def test_claim_takes_due_rows_and_expired_leases_only(database: Database, make_tenant) -> None:
    tenant = (await make_tenant(database)).tenant
    pending, _ = await store(database, message(tenant.id, "SM-pending", AT))
    later, _ = await store(
        database,
        message(tenant.id, "SM-later", AT - timedelta(minutes=4), not_before=AT + timedelta(seconds=5)),
    )
    expired, _ = await store(
        database,
        message(
            tenant.id,
            "SM-expired",
            AT - timedelta(minutes=1),
            status="processing",
            claim_token="x",
            lease_until=AT - timedelta(seconds=1),
        ),
    )
    leased, _ = await store(
        database,
        message(
            tenant.id,
            "SM-leased",
            AT - timedelta(minutes=3),
            status="processing",
            claim_token="y",
            lease_until=AT + timedelta(seconds=10),
        ),
    )
    done, _ = await store(database, message(tenant.id, "SM-done", AT - timedelta(minutes=2), status="done"))

    claimed = await claim(database, tenant.id, AT)
    assert [m.id for m in claimed] == [expired.id, pending.id]  # oldest received first
    assert all(m.status == "processing" and m.claimed_at == AT and m.attempts == 1 for m in claimed)
    assert all(m.lease_until == AT + LEASE for m in claimed)
    assert len({m.claim_token for m in claimed}) == 1 and claimed[0].claim_token not in ("x", None)

    # Claimed just now: another claimant finds nothing new until leases run out or not_before passes.
    assert await claim(database, tenant.id, AT + timedelta(seconds=1)) == []
    assert [m.id for m in await claim(database, tenant.id, AT + timedelta(seconds=6))] == [later.id]
    again = await claim(database, tenant.id, AT + LEASE + timedelta(seconds=1))
    assert {m.id for m in again} == {pending.id, expired.id, leased.id}
    assert done.id not in {m.id for m in again}


async def test_claim_respects_the_limit(database: Database, make_tenant) -> None:
    tenant = (await make_tenant(database)).tenant
    for i in range(3):
        await store(database, message(tenant.id, f"SM{i}", AT + timedelta(seconds=i)))
    first = await claim(database, tenant.id, AT, limit=2)
    rest = await claim(database, tenant.id, AT, limit=2)
    assert [m.provider_message_id for m in first] == ["SM0", "SM1"]
    assert [m.provider_message_id for m in rest] == ["SM2"]


async def test_every_write_of_a_claimant_checks_its_token(database: Database, make_tenant) -> None:
    """A claim taken over (its lease ran out) leaves the first claimant unable to write anything."""
    tenant = (await make_tenant(database)).tenant
    await store(database, message(tenant.id))
    (old,) = await claim(database, tenant.id, AT)
    (new,) = await claim(database, tenant.id, AT + LEASE + timedelta(seconds=1))
    assert old.id == new.id and old.claim_token != new.claim_token and new.attempts == 2
    assert old.claim_token is not None and new.claim_token is not None
    later = AT + timedelta(minutes=2)
    async with database.unit_of_work(tenant.id) as uow:
        inbox = uow.inbox
        assert not await inbox.hold(old.id, old.claim_token, later)
        assert not await inbox.mark_done(old.id, old.claim_token, "stale", later)
        assert not await inbox.retry_later(old.id, old.claim_token, "E", later, later)
        assert not await inbox.give_up(old.id, old.claim_token, "E", "sorry", later)
        assert not await inbox.defer(old.id, old.claim_token, later, later)
        assert not await inbox.drop(old.id, old.claim_token, "E", later)
        assert await inbox.renew(old.claim_token, later) == 0
        assert await inbox.renew(new.claim_token, later) == 1
        assert await inbox.hold(new.id, new.claim_token, later)
        assert await inbox.mark_done(new.id, new.claim_token, "Anotado!", later)
        # Settled: the token is spent too.
        assert not await inbox.mark_done(new.id, new.claim_token, "again", later)
        await uow.commit()
        got = await inbox.get(new.id)
    assert got is not None and got.status == "done" and got.reply_text == "Anotado!"


async def test_retry_later_and_give_up(database: Database, make_tenant) -> None:
    tenant = (await make_tenant(database)).tenant
    await store(database, message(tenant.id))
    (row,) = await claim(database, tenant.id, AT)
    assert row.claim_token is not None
    async with database.unit_of_work(tenant.id) as uow:
        assert await uow.inbox.retry_later(row.id, row.claim_token, "E: boom", AT + timedelta(seconds=5), AT)
        await uow.commit()
        got = await uow.inbox.get(row.id)
    assert got is not None and (got.status, got.error, got.attempts) == ("pending", "E: boom", 1)
    assert await claim(database, tenant.id, AT + timedelta(seconds=4)) == []
    (row,) = await claim(database, tenant.id, AT + timedelta(seconds=5))
    assert row.attempts == 2 and row.claim_token is not None
    async with database.unit_of_work(tenant.id) as uow:
        assert await uow.inbox.give_up(row.id, row.claim_token, "E: again", "Sorry", AT)
        await uow.commit()
        got = await uow.inbox.get(row.id)
    assert got is not None and (got.status, got.error, got.reply_text) == ("failed", "E: again", "Sorry")
    assert await claim(database, tenant.id, AT + timedelta(hours=1)) == []


async def test_deferred_and_dropped_messages(database: Database, make_tenant) -> None:
    tenant = (await make_tenant(database)).tenant
    sender = "+5511987654321"
    for i in range(3):
        await store(database, message(tenant.id, f"SM{i}", AT + timedelta(seconds=i)))
    a, b, c = await claim(database, tenant.id, AT)
    assert a.claim_token and b.claim_token and c.claim_token
    async with database.unit_of_work(tenant.id) as uow:
        assert await uow.inbox.defer(a.id, a.claim_token, AT + timedelta(seconds=3), AT)
        assert await uow.inbox.defer(b.id, b.claim_token, AT + timedelta(seconds=4), AT)
        assert await uow.inbox.drop(c.id, c.claim_token, "over the cap", AT)
        await uow.commit()
        assert await uow.inbox.count_deferred(sender, AT - timedelta(hours=1)) == 2
        assert await uow.inbox.count_deferred(sender, AT + timedelta(seconds=1)) == 0
        assert await uow.inbox.count_deferred("+15550000000", AT - timedelta(hours=1)) == 0
        assert await uow.inbox.has_open(sender)
        assert [m.id for m in await uow.inbox.dropped_unsettled(10)] == [c.id]
        assert not await uow.inbox.dropped_notice_since(sender, AT - timedelta(hours=1))
    (due,) = await claim(database, tenant.id, AT + timedelta(seconds=3))
    assert due.id == a.id and due.attempts == 1  # a deferral is not an attempt
    async with database.unit_of_work(tenant.id) as uow:
        assert await uow.inbox.settle_dropped([c.id], "Too many at once", AT) == 1
        assert await uow.inbox.settle_dropped([c.id], "again", AT) == 0
        await uow.commit()
        assert await uow.inbox.dropped_unsettled(10) == []
        assert await uow.inbox.dropped_notice_since(sender, AT - timedelta(hours=1))
        got = await uow.inbox.get(c.id)
    assert got is not None and (got.status, got.reply_text) == ("dropped", "Too many at once")


async def test_the_inbox_is_tenant_bound(database: Database, make_tenant) -> None:
    a, b = (await make_tenant(database)).tenant, (await make_tenant(database)).tenant
    mine, _ = await store(database, message(a.id, "SM-shared"))
    theirs, created = await store(database, message(b.id, "SM-shared"))
    assert created and theirs.id != mine.id  # the dedupe key is per tenant
    async with database.unit_of_work(a.id) as uow:
        assert await uow.inbox.get(theirs.id) is None
        with pytest.raises(ValueError):
            await uow.inbox.add_if_absent(message(b.id, "SM-x"))
    assert [m.id for m in await claim(database, a.id, AT)] == [mine.id]
    (row,) = await claim(database, b.id, AT)
    assert row.claim_token is not None
    async with database.unit_of_work(a.id) as uow:
        assert not await uow.inbox.mark_done(row.id, row.claim_token, "x", AT)  # another tenant's row


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
