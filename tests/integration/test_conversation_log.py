"""A user's conversation log on both dialects: both directions merged, stable pages, filters, isolation."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime, timedelta

import pytest

from adapters.db import Database, InboxMessage, OutboundRecord
from domain.events import BudgetThresholdCrossed
from domain.history import AlertFilter, AlertRecord, LogEntry, LogFilter, LogKey
from domain.money import Money
from tests.integration.conftest import MakeTenant, Seeded
from tests.unit.fakes import FixedClock

pytestmark = pytest.mark.integration

NOW = datetime(2025, 3, 15, 15, 0, tzinfo=UTC)


@pytest.fixture
async def db(database_url: str) -> AsyncIterator[Database]:
    database = Database(database_url, clock=FixedClock(NOW))
    try:
        yield database
    finally:
        await database.dispose()


async def inbound(
    db: Database, seed: Seeded, at: datetime, text: str, channel: str = "whatsapp", phone: str = ""
) -> InboxMessage:
    message = InboxMessage(
        id=uuid.uuid4(),
        tenant_id=seed.tenant.id,
        channel=channel,
        provider_message_id="SM" + uuid.uuid4().hex,
        sender=phone or seed.user.phone,
        recipient="+14155550100",
        text=text,
        received_at=at,
        status="done",
        attempts=1,
        reply_text=f"re: {text}",
    )
    async with db.unit_of_work(seed.tenant.id) as uow:
        await uow.inbox.add_if_absent(message)
        await uow.commit()
    return message


async def outbound(
    db: Database,
    seed: Seeded,
    at: datetime,
    body: str,
    channel: str = "whatsapp",
    phone: str = "",
    **fields: object,
) -> OutboundRecord:
    record = OutboundRecord(
        id=uuid.uuid4(),
        tenant_id=seed.tenant.id,
        channel=channel,
        recipient=phone or seed.user.phone,
        body=body,
        provider="twilio",
        provider_message_id="SM" + uuid.uuid4().hex,
        status="sent",
        created_at=at,
        **fields,  # type: ignore[arg-type]
    )
    async with db.unit_of_work(seed.tenant.id) as uow:
        await uow.outbound.add(record)
        await uow.commit()
    return record


async def an_alert(db: Database, seed: Seeded) -> AlertRecord:
    crossed = BudgetThresholdCrossed(
        tenant_id=seed.tenant.id,
        user_id=seed.user.id,
        budget_id=uuid.uuid4(),
        category=None,
        threshold=100,
        period_start=date(2025, 3, 1),
        period_end=date(2025, 3, 31),
        spent=Money.of("120", "BRL"),
        budget=Money.of("100", "BRL"),
    )
    async with db.unit_of_work(seed.tenant.id) as uow:
        uow.emit(crossed)
        await uow.commit()
    async with db.unit_of_work(seed.tenant.id) as uow:
        return (await uow.alert_history.list(AlertFilter(), 1)).items[0]


async def log(
    db: Database, seed: Seeded, flt: LogFilter | None = None, limit: int = 100, after: LogKey | None = None
) -> list[LogEntry]:
    """Every entry the log gives from `after` on, page by page."""
    entries: list[LogEntry] = []
    while True:
        async with db.unit_of_work(seed.tenant.id) as uow:
            page = await uow.conversation_log.list(flt or LogFilter(seed.user.phone), limit, after)
        entries += page.items
        if page.next is None:
            return entries
        after = page.next


def texts(entries: list[LogEntry]) -> list[str]:
    return [e.text if e.direction == "inbound" else e.body for e in entries]


async def test_the_log_merges_both_directions_newest_first(db: Database, make_tenant: MakeTenant) -> None:
    seed = await make_tenant(db)
    t = NOW - timedelta(hours=1)
    asked = await inbound(db, seed, t, "gastei 10 no mercado")
    answer = await outbound(db, seed, t + timedelta(seconds=1), "Anotado", inbox_id=asked.id)
    pushed = await an_alert(db, seed)
    await outbound(db, seed, t + timedelta(minutes=5), "Alerta", outbox_id=pushed.seq)
    await inbound(db, seed, t + timedelta(minutes=7), "obrigado", channel="sms")
    answer_status = NOW - timedelta(minutes=50)
    async with db.unit_of_work(seed.tenant.id) as uow:
        assert answer.provider_message_id is not None
        await uow.outbound.update_status_by_provider_id(
            "twilio", answer.provider_message_id, "read", at=answer_status
        )
        await uow.commit()
    # Another user of the tenant.
    await inbound(db, seed, t + timedelta(minutes=1), "not ana", phone="+5511900000000")

    entries = await log(db, seed)

    assert texts(entries) == ["obrigado", "Alerta", "Anotado", "gastei 10 no mercado"]
    latest, alert, reply, first = entries
    assert latest.direction == "inbound" and latest.channel == "sms" and latest.at == t + timedelta(minutes=7)
    assert alert.direction == "outbound" and (alert.alert_id, alert.inbox_id) == (pushed.id, None)
    assert reply.direction == "outbound"
    assert (reply.inbox_id, reply.status, reply.updated_at) == (asked.id, "read", answer_status)
    assert first.direction == "inbound"
    assert (first.id, first.status, first.attempts, first.reply_text, first.error) == (
        asked.id,
        "done",
        1,
        "re: gastei 10 no mercado",
        None,
    )


async def test_log_pages_are_stable_while_the_conversation_goes_on(
    db: Database, make_tenant: MakeTenant
) -> None:
    seed = await make_tenant(db)
    start = NOW - timedelta(hours=2)
    for i in range(6):
        at = start + timedelta(minutes=i)
        await inbound(db, seed, at, f"in {i}")
        # Same moment in both tables: the id breaks the tie, the same way on every page.
        await outbound(db, seed, at, f"out {i}")
    whole = await log(db, seed)
    assert len(whole) == 12
    keys = [(e.at, e.id.hex) for e in whole]
    assert keys == sorted(keys, reverse=True) and len(set(keys)) == 12

    for size in (1, 2, 5, 11, 12, 13):
        assert [e.id for e in await log(db, seed, limit=size)] == [e.id for e in whole]

    async with db.unit_of_work(seed.tenant.id) as uow:
        first = await uow.conversation_log.list(LogFilter(seed.user.phone), 4)
    # The user writes and is answered between pages: the next pages go on where the first stopped.
    await inbound(db, seed, NOW, "new")
    await outbound(db, seed, NOW, "new reply")
    rest = await log(db, seed, limit=3, after=first.next)
    assert [e.id for e in (*first.items, *rest)] == [e.id for e in whole]
    assert texts(await log(db, seed, limit=1))[:2] in (["new", "new reply"], ["new reply", "new"])


async def test_log_filters(db: Database, make_tenant: MakeTenant) -> None:
    seed = await make_tenant(db)
    phone = seed.user.phone
    await inbound(db, seed, NOW - timedelta(days=2), "old sms", channel="sms")
    await outbound(db, seed, NOW - timedelta(days=2, seconds=-1), "old sms reply", channel="sms")
    await inbound(db, seed, NOW - timedelta(hours=1), "wa")
    await outbound(db, seed, NOW - timedelta(minutes=59), "wa reply")

    assert texts(await log(db, seed, LogFilter(phone, channel="sms"))) == ["old sms reply", "old sms"]
    assert texts(await log(db, seed, LogFilter(phone, channel="whatsapp"))) == ["wa reply", "wa"]
    day = NOW - timedelta(days=1)
    assert texts(await log(db, seed, LogFilter(phone, since=day))) == ["wa reply", "wa"]
    assert texts(await log(db, seed, LogFilter(phone, until=day))) == ["old sms reply", "old sms"]
    # since is inclusive, until exclusive.
    hour = LogFilter(phone, since=NOW - timedelta(hours=1), until=NOW - timedelta(minutes=59))
    assert texts(await log(db, seed, hour)) == ["wa"]
    assert await log(db, seed, LogFilter("+5511900000001")) == []


async def test_another_tenants_messages_never_appear(db: Database, make_tenant: MakeTenant) -> None:
    # The same phone number is a user of both tenants.
    a, b = await make_tenant(db), await make_tenant(db)
    assert a.user.phone == b.user.phone
    await inbound(db, a, NOW - timedelta(minutes=3), "a in")
    await outbound(db, a, NOW - timedelta(minutes=2), "a out")
    await inbound(db, b, NOW - timedelta(minutes=1), "b in")
    await outbound(db, b, NOW, "b out")

    # A push of A's naming B's alert (no code writes that) does not reveal B's alert.
    b_alert = await an_alert(db, b)
    await outbound(db, a, NOW - timedelta(minutes=4), "a push", outbox_id=b_alert.seq)

    a_log = await log(db, a)
    assert texts(a_log) == ["a out", "a in", "a push"]
    assert [e.alert_id for e in a_log if e.direction == "outbound"] == [None, None]
    assert texts(await log(db, b, limit=1)) == ["b out", "b in"]
