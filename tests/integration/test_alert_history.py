"""The operators' alert history on both dialects: pushes linked to alerts, states, paging, isolation."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime, timedelta

import pytest

from adapters.db import ChannelEndpoint, Database, OutboundRecord
from bot.alerts import AlertDispatcher
from domain import services
from domain.commands import RecordTransaction, SetBudget
from domain.events import BudgetThresholdCrossed, TransactionRecorded
from domain.history import AlertFilter, AlertRecord, LogFilter
from domain.model import Period, Source, TransactionKind
from domain.money import Money
from tests.integration.conftest import MakeTenant, Seeded
from tests.unit.fake_messaging import FakeChannel
from tests.unit.fakes import FixedClock

pytestmark = pytest.mark.integration

NOW = datetime(2025, 3, 15, 15, 0, tzinfo=UTC)
MARCH = Period(date(2025, 3, 1), date(2025, 3, 31))


@pytest.fixture
async def db(database_url: str) -> AsyncIterator[Database]:
    database = Database(database_url, clock=FixedClock(NOW))
    try:
        yield database
    finally:
        await database.dispose()


def clock_of(db: Database) -> FixedClock:
    clock = db.clock
    assert isinstance(clock, FixedClock)
    return clock


def crossing(
    seed: Seeded,
    threshold: int = 80,
    *,
    user_id: uuid.UUID | None = None,
    budget_id: uuid.UUID | None = None,
    period: Period = MARCH,
) -> BudgetThresholdCrossed:
    return BudgetThresholdCrossed(
        tenant_id=seed.tenant.id,
        user_id=user_id or seed.user.id,
        budget_id=budget_id or uuid.uuid4(),
        category="groceries",
        threshold=threshold,
        period_start=period.start,
        period_end=period.end,
        spent=Money.of("85.10", "BRL"),
        budget=Money.of("100.00", "BRL"),
        source=Source.ADMIN_API.value,
    )


async def emit(db: Database, seed: Seeded, *events: BudgetThresholdCrossed | TransactionRecorded) -> None:
    async with db.unit_of_work(seed.tenant.id) as uow:
        for event in events:
            uow.emit(event)
        await uow.commit()


async def listed(
    db: Database, seed: Seeded, flt: AlertFilter | None = None, limit: int = 100
) -> list[AlertRecord]:
    """Every alert the listing gives, page by page."""
    found: list[AlertRecord] = []
    after: int | None = None
    while True:
        async with db.unit_of_work(seed.tenant.id) as uow:
            page = await uow.alert_history.list(flt or AlertFilter(), limit, after)
        found += page.items
        if page.next is None:
            return found
        after = page.next


async def alerts(
    db: Database, seed: Seeded, flt: AlertFilter | None = None, limit: int = 100
) -> list[uuid.UUID]:
    """Every alert id the listing gives, page by page."""
    return [alert.id for alert in await listed(db, seed, flt, limit)]


async def get_alert(db: Database, seed: Seeded, alert_id: uuid.UUID) -> AlertRecord | None:
    async with db.unit_of_work(seed.tenant.id) as uow:
        return await uow.alert_history.get(alert_id)


async def route_twilio(db: Database, seed: Seeded) -> None:
    number = "+1415" + str(uuid.uuid4().int % 10**7).zfill(7)
    async with db.directory() as directory:
        await directory.endpoints.add(ChannelEndpoint(uuid.uuid4(), seed.tenant.id, "twilio", number))
        await directory.commit()


async def cross_a_budget(db: Database, seed: Seeded, source: Source = Source.ADMIN_API) -> None:
    """A 100 BRL groceries budget and an 85 BRL expense: the 80% threshold is crossed."""
    async with db.unit_of_work(seed.tenant.id) as uow:
        await services.set_budget(
            SetBudget(user_id=seed.user.id, amount="100", category="groceries"), uow, db.clock
        )
    cmd = RecordTransaction(
        user_id=seed.user.id,
        kind=TransactionKind.EXPENSE,
        amount="85.00",
        category="groceries",
        source=source,
        source_ref=uuid.uuid4().hex,
    )
    async with db.unit_of_work(seed.tenant.id) as uow:
        result = await services.record_transaction(cmd, uow, db.clock)
    assert len(result.crossings) == 1


async def test_a_push_is_linked_to_its_alert_and_follows_its_status_callbacks(
    db: Database, make_tenant: MakeTenant
) -> None:
    seed = await make_tenant(db)
    await route_twilio(db, seed)
    await cross_a_budget(db, seed)
    twilio = FakeChannel()
    await AlertDispatcher(db, {"twilio": twilio}, db.clock).run_once()

    async with db.unit_of_work(seed.tenant.id) as uow:
        page = await uow.alert_history.list(AlertFilter(), 10)
    [alert] = page.items
    assert page.next is None
    async with db.unit_of_work(seed.tenant.id) as uow:
        [budget] = await uow.budgets.list_for(seed.user.id)
    assert (alert.user_id, alert.budget_id, alert.category, alert.threshold) == (
        seed.user.id,
        budget.id,
        "groceries",
        80,
    )
    assert (alert.period_start, alert.period_end) == (MARCH.start, MARCH.end)
    assert (alert.spent, alert.budget) == (Money.of("85.00", "BRL"), Money.of("100.00", "BRL"))
    assert (alert.created_at, alert.processed_at, alert.attempts) == (NOW, NOW, 1)
    assert (alert.state, alert.reason) == ("sent", "sent")
    [delivery] = alert.deliveries
    [sent] = twilio.sent
    assert sent.idempotency_key == f"alert:{alert.seq}"
    assert (delivery.channel, delivery.provider, delivery.status) == ("sms", "twilio", "queued")
    assert delivery.provider_message_id is not None and delivery.error is None
    assert delivery.created_at == NOW

    later = NOW + timedelta(minutes=2)
    async with db.unit_of_work(seed.tenant.id) as uow:
        moved = await uow.outbound.update_status_by_provider_id(
            "twilio", delivery.provider_message_id, "delivered", at=later
        )
        await uow.commit()
    assert moved
    again = await get_alert(db, seed, alert.id)
    assert again is not None
    [delivered] = again.deliveries
    assert (delivered.id, delivered.status, delivered.updated_at) == (delivery.id, "delivered", later)
    assert again.state == "sent"


async def test_states_pending_skipped_and_given_up(db: Database, make_tenant: MakeTenant) -> None:
    told = await make_tenant(db)
    await cross_a_budget(db, told, source=Source.CHAT)
    refused = await make_tenant(db)
    await route_twilio(db, refused)
    await cross_a_budget(db, refused)
    unroutable = await make_tenant(db)  # no Twilio number to send an SMS from
    await cross_a_budget(db, unroutable)

    await AlertDispatcher(db, {"twilio": FakeChannel(fail=True)}, db.clock).run_once()
    pending = await make_tenant(db)  # after the dispatcher's pass
    await cross_a_budget(db, pending)

    [told_id] = await alerts(db, told)
    told_alert = await get_alert(db, told, told_id)
    assert told_alert is not None
    assert (told_alert.state, told_alert.reason, told_alert.deliveries) == ("skipped", "told_in_reply", ())

    [refused_id] = await alerts(db, refused)
    refused_alert = await get_alert(db, refused, refused_id)
    assert refused_alert is not None
    assert (refused_alert.state, refused_alert.reason) == ("given_up", "failed")
    [failed] = refused_alert.deliveries
    assert (failed.status, failed.error, failed.provider_message_id) == ("failed", "fake failure", None)

    [unroutable_id] = await alerts(db, unroutable)
    unroutable_alert = await get_alert(db, unroutable, unroutable_id)
    assert unroutable_alert is not None
    assert (unroutable_alert.state, unroutable_alert.reason) == ("skipped", "no_channel")

    [pending_id] = await alerts(db, pending)
    pending_alert = await get_alert(db, pending, pending_id)
    assert pending_alert is not None
    assert (pending_alert.state, pending_alert.reason, pending_alert.processed_at) == ("pending", None, None)
    assert pending_alert.attempts == 0


async def test_alert_pages_are_newest_first_and_stable_while_alerts_are_raised(
    db: Database, make_tenant: MakeTenant
) -> None:
    seed = await make_tenant(db)
    await emit(db, seed, *(crossing(seed, threshold) for threshold in range(50, 57)))
    # Events that are not alerts stay out of the history.
    await emit(db, seed, TransactionRecorded(seed.tenant.id, seed.user.id, uuid.uuid4()))
    records = await listed(db, seed)
    every = [alert.id for alert in records]
    seqs = [alert.seq for alert in records]
    assert len(every) == 7 and seqs == sorted(seqs, reverse=True)

    seen: list[int] = []
    async with db.unit_of_work(seed.tenant.id) as uow:
        page = await uow.alert_history.list(AlertFilter(), 3)
    seen += [a.id for a in page.items]
    # New alerts are raised between pages: they are newer than the cursor, so no page repeats or skips.
    await emit(db, seed, crossing(seed, 90), crossing(seed, 91))
    while page.next is not None:
        async with db.unit_of_work(seed.tenant.id) as uow:
            page = await uow.alert_history.list(AlertFilter(), 3, page.next)
        seen += [a.id for a in page.items]
    assert seen == every
    thresholds = [alert.threshold for alert in [await get_alert(db, seed, i) for i in every] if alert]
    assert thresholds == list(range(56, 49, -1))


async def test_alert_filters(db: Database, make_tenant: MakeTenant) -> None:
    seed = await make_tenant(db)
    other_user = uuid.uuid4()
    budget = uuid.uuid4()
    week = Period(date(2025, 2, 24), date(2025, 3, 2))
    await emit(db, seed, crossing(seed, 80, budget_id=budget), crossing(seed, 100, budget_id=budget))
    await emit(db, seed, crossing(seed, 80, user_id=other_user), crossing(seed, 80, period=week))
    clock_of(db).advance(hours=1)
    await emit(db, seed, crossing(seed, 80, period=Period(date(2025, 4, 1), date(2025, 4, 30))))
    all_ids = await alerts(db, seed)
    assert len(all_ids) == 5
    newest = all_ids[0]

    assert len(await alerts(db, seed, AlertFilter(budget_id=budget))) == 2
    assert len(await alerts(db, seed, AlertFilter(user_id=seed.user.id))) == 4
    assert len(await alerts(db, seed, AlertFilter(user_id=other_user), limit=1)) == 1
    assert await alerts(db, seed, AlertFilter(user_id=uuid.uuid4())) == []
    # Overlapping periods: the week that ends on March 2nd counts for March and for February.
    assert len(await alerts(db, seed, AlertFilter(period=MARCH))) == 4
    assert len(await alerts(db, seed, AlertFilter(period=Period(date(2025, 2, 1), date(2025, 2, 28))))) == 1
    assert len(await alerts(db, seed, AlertFilter(period=Period(date(2025, 3, 31), date(2025, 4, 1))))) == 4
    later = NOW + timedelta(minutes=30)
    assert await alerts(db, seed, AlertFilter(since=later)) == [newest]
    assert await alerts(db, seed, AlertFilter(until=later)) == all_ids[1:]
    both = AlertFilter(user_id=seed.user.id, budget_id=budget, period=MARCH, since=NOW, until=later)
    assert len(await alerts(db, seed, both)) == 2


async def test_another_tenants_alerts_and_deliveries_never_appear(
    db: Database, make_tenant: MakeTenant
) -> None:
    a, b = await make_tenant(db), await make_tenant(db)
    await emit(db, a, crossing(a))
    await emit(db, b, crossing(b), crossing(b, 100))
    [a_alert] = await listed(db, a)
    a_id = a_alert.id
    b_ids = await alerts(db, b)
    # Even a push of B's claiming A's alert (no code writes that) stays with B.
    async with db.unit_of_work(b.tenant.id) as uow:
        await uow.outbound.add(
            OutboundRecord(
                uuid.uuid4(), b.tenant.id, "sms", b.user.phone, "x", "twilio", outbox_id=a_alert.seq
            )
        )
        await uow.commit()

    assert len(b_ids) == 2 and a_id not in b_ids
    again = await get_alert(db, a, a_id)
    assert again is not None and again.deliveries == ()
    assert await get_alert(db, b, a_id) is None
    for b_id in b_ids:
        assert await get_alert(db, a, b_id) is None
    assert await alerts(db, a, AlertFilter(user_id=b.user.id)) == []


async def test_a_listing_refuses_a_page_size_below_one(db: Database, make_tenant: MakeTenant) -> None:
    seed = await make_tenant(db)
    async with db.unit_of_work(seed.tenant.id) as uow:
        with pytest.raises(ValueError):
            await uow.alert_history.list(AlertFilter(), 0)
        with pytest.raises(ValueError):
            await uow.conversation_log.list(LogFilter(seed.user.phone), 0)
