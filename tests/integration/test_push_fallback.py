"""A WhatsApp push that failed for good goes by SMS once, its failure kept: both dialects, a fake Twilio."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any

import pytest

from adapters.db import Database
from tests.integration import test_alerts
from tests.integration.conftest import MakeTenant
from tests.integration.fake_providers import FakeError
from tests.integration.test_alerts import World

pytestmark = pytest.mark.integration

world = test_alerts.world
"""The alert tests' world: a tenant with a Twilio and a Meta number, a budget, fake Twilio and Meta."""

# GSM-7: the fallback SMS is the alert's text without the emoji, pt_BR amounts intact.
SMS_TEXT = "80% do orcamento de mercado: R$ 1.234,56 de R$ 1.500,00."


async def pushed_on_whatsapp(world: World) -> dict[str, Any]:
    """A crossing pushed on WhatsApp (they wrote an hour ago) and accepted by Twilio: its outbound row."""
    await world.wrote("whatsapp", timedelta(hours=1))
    await world.expense()
    await world.dispatcher().run_once()
    [record] = await world.outbound()
    assert record["channel"] == "whatsapp" and record["provider_message_id"].startswith("SM")
    return record


async def callback(world: World, record: dict[str, Any], status: str, code: str | None) -> None:
    """What POST /webhooks/twilio/status records for the push (the webhook sends nothing itself)."""
    async with world.db.unit_of_work(world.seed.tenant.id) as uow:
        provider, sid = record["provider"], record["provider_message_id"]
        assert await uow.outbound.update_status_by_provider_id(provider, sid, status, code)
        await uow.commit()


def sent(world: World) -> list[dict[str, str]]:
    """What this tenant's Twilio number sent. The module's tests share a database, and a dispatcher passes
    over every tenant: another test's push left failed for good may fall back here, from its own number."""
    ours = (world.twilio_number, f"whatsapp:{world.twilio_number}")
    return [r.form for r in world.fake.of("twilio") if r.form["From"] in ours]


def sms_sent(world: World) -> list[dict[str, str]]:
    return [form for form in sent(world) if not form["To"].startswith("whatsapp:")]


async def test_a_whatsapp_push_refused_at_send_goes_by_sms_once_and_the_reason_is_kept(world: World) -> None:
    await world.wrote("whatsapp", timedelta(hours=1))
    await world.expense()
    world.fake.twilio_whatsapp_error = FakeError(400, 63024, "Invalid message recipient")

    assert await world.dispatcher().run_once() == 2
    assert await world.dispatcher().run_once() == 0

    [whatsapp, sms] = sent(world)
    assert whatsapp["To"] == f"whatsapp:{world.phone}"
    assert (sms["To"], sms["From"]) == (world.phone, world.twilio_number)
    assert SMS_TEXT in sms["Body"]
    failed, fallback = sorted(await world.outbound(), key=lambda r: r["channel"] == "sms")
    assert (failed["channel"], failed["status"], failed["error"]) == (
        "whatsapp",
        "failed",
        "twilio 400 code 63024",
    )
    assert (fallback["channel"], fallback["fallback_for"]) == ("sms", failed["id"])
    assert fallback["outbox_id"] == failed["outbox_id"]  # the alert's history shows both
    assert fallback["provider_message_id"].startswith("SM") and fallback["status"] == "queued"
    crossing = next(row for row in await world.outbox() if row["event_type"] == "BudgetThresholdCrossed")
    assert crossing["outcome"] == "sent"  # by SMS: the alert reached them


@pytest.mark.parametrize(("status", "code"), [("undelivered", "63016"), ("failed", "63024")])
async def test_a_push_a_callback_reports_failed_for_good_goes_by_sms_once_from_the_worker(
    world: World, status: str, code: str
) -> None:
    record = await pushed_on_whatsapp(world)
    await callback(world, record, status, code)
    assert sms_sent(world) == []  # the callback only records the status

    await world.dispatcher().run_once()
    await world.dispatcher().run_once()

    [sms] = sms_sent(world)
    assert sms["To"] == world.phone and SMS_TEXT in sms["Body"]
    rows = {row["channel"]: row for row in await world.outbound()}
    assert (rows["whatsapp"]["status"], rows["whatsapp"]["error"]) == (status, code)
    assert rows["sms"]["fallback_for"] == record["id"] and rows["sms"]["provider_message_id"].startswith("SM")


async def test_two_workers_send_one_fallback(
    world: World, database_url: str, make_tenant: MakeTenant
) -> None:
    if not database_url.startswith("postgresql"):
        pytest.skip("two connections at once: PostgreSQL's; SQLite's write lock serializes workers")
    record = await pushed_on_whatsapp(world)
    await callback(world, record, "undelivered", "63016")
    others = [Database(database_url, clock=world.clock) for _ in range(3)]
    try:
        dispatchers = [world.dispatcher(), *(world.dispatcher(db) for db in others)]
        await asyncio.gather(*(d.run_once() for d in dispatchers))
    finally:
        for db in others:
            await db.dispose()
    assert len(sms_sent(world)) == 1
    assert [row["channel"] for row in await world.outbound()].count("sms") == 1


async def test_opted_out_of_sms_gets_no_fallback_either_way(world: World) -> None:
    await world.opt_out("sms")
    record = await pushed_on_whatsapp(world)
    await callback(world, record, "undelivered", "63016")
    world.fake.twilio_whatsapp_error = FakeError(400, 63024, "Invalid message recipient")
    await world.expense("300")  # past 100%: a second crossing, refused at send
    await world.dispatcher().run_once()
    await world.dispatcher().run_once()

    assert sms_sent(world) == []
    assert {row["channel"] for row in await world.outbound()} == {"whatsapp"}


@pytest.mark.parametrize("code", ["63018", "63014"])
async def test_a_failure_that_passes_or_a_block_by_the_user_is_not_fallen_back(
    world: World, code: str
) -> None:
    """63018 (a rate limit) is not a failure for good; 63014 (they blocked us) is theirs to make."""
    record = await pushed_on_whatsapp(world)
    await callback(world, record, "failed", code)
    await world.dispatcher().run_once()
    assert sms_sent(world) == []


async def test_a_push_through_meta_outside_the_window_falls_back_to_the_twilio_number(world: World) -> None:
    await world.wrote("whatsapp", timedelta(hours=1), recipient=world.meta_number_id)
    await world.expense()
    await world.dispatcher().run_once()
    [record] = await world.outbound()
    assert record["provider"] == "meta"
    await callback(world, record, "failed", "131047")

    await world.dispatcher().run_once()

    [sms] = sms_sent(world)
    assert (sms["To"], sms["From"]) == (world.phone, world.twilio_number)


async def test_a_failure_found_after_the_window_is_not_fallen_back(world: World) -> None:
    record = await pushed_on_whatsapp(world)
    await callback(world, record, "undelivered", "63016")
    world.clock.advance(hours=25)
    await world.dispatcher().run_once()
    assert sms_sent(world) == []


async def test_a_fallback_sms_refused_too_is_recorded_failed_and_not_tried_again(world: World) -> None:
    await world.wrote("whatsapp", timedelta(hours=1))
    await world.expense()
    world.fake.twilio_error = FakeError(400, 21610, "Attempt to send to unsubscribed recipient")

    await world.dispatcher().run_once()
    await world.dispatcher().run_once()

    assert [form["To"] for form in sent(world)] == [f"whatsapp:{world.phone}", world.phone]
    rows = {row["channel"]: row for row in await world.outbound()}
    assert (rows["sms"]["status"], rows["sms"]["error"]) == ("failed", "twilio 400 code 21610")
    assert rows["sms"]["fallback_for"] == rows["whatsapp"]["id"]
    crossing = next(row for row in await world.outbox() if row["event_type"] == "BudgetThresholdCrossed")
    assert crossing["outcome"] == "failed"
