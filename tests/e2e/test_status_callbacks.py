"""Delivery status callbacks through the real app: Twilio's signed form posts and Meta's signed statuses."""

from __future__ import annotations

import json
import uuid
from dataclasses import replace
from urllib.parse import urlencode

import pytest
import sqlalchemy as sa
from aiohttp.test_utils import TestClient

from adapters.clock import SystemClock
from adapters.db import Database
from adapters.db.tables import outbound_messages
from bot.app import create_app
from bot.bootstrap import Bootstrap, twilio_channel
from bot.settings import Settings
from bot.worker import Worker
from tests.e2e.conftest import (
    PUBLIC_BASE_URL,
    REPLY,
    TWILIO_SID,
    TWILIO_TOKEN,
    Routed,
    StubAgent,
    meta_app,
    store_unanswered,
    stub_factory,
)
from tests.e2e.test_app import signed
from tests.e2e.test_meta import payload, signature
from tests.integration.fake_providers import FakeProviders

STATUS_PATH = "/webhooks/twilio/status"


async def outbound(db: Database, routed: Routed) -> list[dict]:
    query = sa.select(outbound_messages).where(outbound_messages.c.tenant_id == routed.tenant.id)
    async with db.unit_of_work(routed.tenant.id) as uow:
        return [dict(row) for row in (await uow.execute(query)).mappings()]


async def sent_through_twilio(aiohttp_server, settings: Settings, db: Database, routed: Routed) -> dict:
    """A reply the worker sent through a fake Twilio REST API; the stored outbound row."""
    fake = FakeProviders(twilio_sid=TWILIO_SID, twilio_token=TWILIO_TOKEN)
    server = await aiohttp_server(fake.app())
    await store_unanswered(db, routed, died=False)
    channel = twilio_channel(replace(settings, twilio_api_base_url=str(server.make_url(""))))
    try:
        worker = Worker(db, StubAgent(), {"twilio": channel}, SystemClock())
        assert await worker.run_once() == 1
    finally:
        await channel.close()
    (request,) = fake.of("twilio")
    # Twilio only reports on a REST message when it is told where to: every send names our callback.
    assert request.form["StatusCallback"] == PUBLIC_BASE_URL + STATUS_PATH
    (record,) = await outbound(db, routed)
    assert record["provider_message_id"].startswith("SM") and record["status"] == "queued"
    return record


def status_form(routed: Routed, sid: str, status: str, **extra: str) -> dict[str, str]:
    return {
        "MessageSid": sid,
        "SmsSid": sid,
        "AccountSid": TWILIO_SID,
        "From": "whatsapp:" + routed.twilio_number,
        "To": "whatsapp:+5511987654321",
        "MessageStatus": status,
        "SmsStatus": status,
        "ApiVersion": "2010-04-01",
        **extra,
    }


async def post_status(client: TestClient, params: dict[str, str], token: str = TWILIO_TOKEN) -> int:
    headers = signed(params, STATUS_PATH, token)
    response = await client.post(STATUS_PATH, data=urlencode(params), headers=headers)
    return response.status


@pytest.fixture
async def client(aiohttp_client, settings: Settings) -> TestClient:
    return await aiohttp_client(create_app(Bootstrap(settings, agent_factory=stub_factory(StubAgent()))))


async def test_twilio_callbacks_move_the_message_forward_and_never_back(
    aiohttp_server, client: TestClient, settings: Settings, db: Database, routed: Routed
) -> None:
    record = await sent_through_twilio(aiohttp_server, settings, db, routed)
    sid = record["provider_message_id"]

    assert await post_status(client, status_form(routed, sid, "sent")) == 204
    assert [r["status"] for r in await outbound(db, routed)] == ["sent"]
    assert await post_status(client, status_form(routed, sid, "read")) == 204
    # Callbacks arrive out of order: a late "delivered" or a repeated "sent" does not undo "read".
    assert await post_status(client, status_form(routed, sid, "delivered")) == 204
    assert await post_status(client, status_form(routed, sid, "sent")) == 204
    (row,) = await outbound(db, routed)
    assert row["status"] == "read" and row["error"] is None and row["updated_at"] is not None


@pytest.mark.parametrize(("status", "code"), [("undelivered", "63016"), ("failed", "30008")])
async def test_twilio_failures_keep_the_error_code(
    aiohttp_server,
    client: TestClient,
    settings: Settings,
    db: Database,
    routed: Routed,
    status: str,
    code: str,
) -> None:
    record = await sent_through_twilio(aiohttp_server, settings, db, routed)
    params = status_form(routed, record["provider_message_id"], status, ErrorCode=code)
    assert await post_status(client, params) == 204
    (row,) = await outbound(db, routed)
    assert (row["status"], row["error"]) == (status, code)


async def test_forged_or_malformed_twilio_callbacks_change_nothing(
    aiohttp_server, client: TestClient, settings: Settings, db: Database, routed: Routed
) -> None:
    record = await sent_through_twilio(aiohttp_server, settings, db, routed)
    sid = record["provider_message_id"]
    assert await post_status(client, status_form(routed, sid, "delivered"), token="not-the-token") == 403
    assert await post_status(client, status_form(routed, sid, "exploded")) == 400
    missing = status_form(routed, sid, "delivered")
    del missing["MessageStatus"], missing["SmsStatus"]
    assert await post_status(client, missing) == 400
    assert [r["status"] for r in await outbound(db, routed)] == ["queued"]


async def test_a_callback_for_an_unknown_message_is_accepted_and_ignored(
    client: TestClient, db: Database, routed: Routed
) -> None:
    # Twilio retries anything but a 2xx; a message we never stored (sent by another system) is not an error.
    assert await post_status(client, status_form(routed, "SM" + uuid.uuid4().hex, "delivered")) == 204
    assert await outbound(db, routed) == []


def meta_statuses(routed: Routed, *statuses: dict) -> bytes:
    value = {
        "messaging_product": "whatsapp",
        "metadata": {"display_phone_number": "15550001111", "phone_number_id": routed.meta_phone_number_id},
        "statuses": list(statuses),
    }
    body = {
        "object": "whatsapp_business_account",
        "entry": [{"id": "WABA", "changes": [{"field": "messages", "value": value}]}],
    }
    return json.dumps(body).encode()


def meta_status(wamid: str, status: str, **extra: object) -> dict:
    recipient = "5511987654321"
    return {"id": wamid, "status": status, "timestamp": "1763500100", "recipient_id": recipient, **extra}


async def test_meta_statuses_update_the_reply_sent_through_the_graph_api(
    aiohttp_client, aiohttp_server, settings: Settings, db: Database, routed: Routed
) -> None:
    client, _ = await meta_app(aiohttp_client, aiohttp_server, settings)
    body = payload(routed, "wamid.IN", "gastei 10 no mercado")
    assert (await client.post("/webhooks/meta", data=body, headers=signature(body))).status == 200
    (record,) = await outbound(db, routed)
    assert record["body"] == REPLY and record["provider_message_id"].startswith("wamid.")
    wamid = record["provider_message_id"]

    # One notification can carry several statuses, in any order; the furthest one wins.
    body = meta_statuses(routed, meta_status(wamid, "delivered"), meta_status(wamid, "sent"))
    assert (await client.post("/webhooks/meta", data=body, headers=signature(body))).status == 200
    assert [r["status"] for r in await outbound(db, routed)] == ["delivered"]

    forged = meta_statuses(routed, meta_status(wamid, "read"))
    response = await client.post("/webhooks/meta", data=forged, headers=signature(forged, "not-the-secret"))
    assert response.status == 403
    assert [r["status"] for r in await outbound(db, routed)] == ["delivered"]

    body = meta_statuses(routed, meta_status(wamid, "read"))
    assert (await client.post("/webhooks/meta", data=body, headers=signature(body))).status == 200
    assert [r["status"] for r in await outbound(db, routed)] == ["read"]


async def test_meta_failed_status_keeps_the_error_code(
    aiohttp_client, aiohttp_server, settings: Settings, db: Database, routed: Routed
) -> None:
    client, _ = await meta_app(aiohttp_client, aiohttp_server, settings)
    body = payload(routed, "wamid.IN2", "oi")
    assert (await client.post("/webhooks/meta", data=body, headers=signature(body))).status == 200
    (record,) = await outbound(db, routed)
    failure = meta_status(
        record["provider_message_id"],
        "failed",
        errors=[{"code": 131047, "title": "Re-engagement message", "message": "More than 24 hours"}],
    )
    body = meta_statuses(routed, failure)
    assert (await client.post("/webhooks/meta", data=body, headers=signature(body))).status == 200
    (row,) = await outbound(db, routed)
    assert (row["status"], row["error"]) == ("failed", "131047")
