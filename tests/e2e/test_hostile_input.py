"""Hostile input at the webhook edge (issue 11): signed requests with bad fields are 4xx (Twilio) or a skipped
item (Meta), never a 500, and store nothing bad; bodies are bounded before they are read."""

from __future__ import annotations

import asyncio
import json
import logging
import uuid
from typing import Any
from urllib.parse import urlencode

import pytest
from aiohttp.test_utils import TestClient

from adapters.db import Database
from bot.app import create_app
from bot.bootstrap import Bootstrap
from bot.routes import READ_DEADLINE
from bot.settings import Settings
from tests.e2e.conftest import REPLY, Routed, StubAgent, meta_app, stub_factory
from tests.e2e.test_app import inbox_rows, signed, twilio_form
from tests.e2e.test_meta import signature
from tests.e2e.test_status_callbacks import STATUS_PATH, status_form

SID = "SM" + "a" * 32


@pytest.fixture
def agent() -> StubAgent:
    return StubAgent()


@pytest.fixture
async def client(aiohttp_client, settings: Settings, agent: StubAgent) -> TestClient:
    app = create_app(Bootstrap(settings, agent_factory=stub_factory(agent)))
    app[READ_DEADLINE] = 0.5
    return await aiohttp_client(app)


# Each signed Twilio form is changed by one field; all are refused with 400 naming the field.
TWILIO_REFUSED = {
    "nul-in-sid": {"MessageSid": "SM\x00" + "a" * 31},
    "sid-over-column": {"MessageSid": "SM" + "a" * 127},
    "sid-with-space": {"MessageSid": "SM a"},
    "from-40-digits": {"From": "whatsapp:+" + "5" * 40},
    "from-arabic-digits": {"From": "whatsapp:+٥٥١١٩٨٧٦٥٤٣٢١"},
    "from-superscript": {"From": "+55119²"},
    "from-nul": {"From": "+5511\x00987654321"},
    "to-over-column": {"To": "whatsapp:+" + "1" * 70},
    "num-media-superscript": {"NumMedia": "²"},
    "num-media-arabic": {"NumMedia": "٣"},
    "num-media-negative": {"NumMedia": "-1"},
    "num-media-huge": {"NumMedia": "999"},
    "body-over-4096": {"Body": "x" * 4097},
}


@pytest.mark.parametrize("change", TWILIO_REFUSED.values(), ids=TWILIO_REFUSED.keys())
async def test_a_signed_twilio_message_with_a_bad_field_is_400_and_stores_nothing(
    client: TestClient, db: Database, routed: Routed, agent: StubAgent, change: dict[str, str]
) -> None:
    params = {**twilio_form(routed, SID), **change}
    response = await client.post("/webhooks/twilio", data=urlencode(params), headers=signed(params))
    assert response.status == 400, await response.text()
    assert (await response.text()).startswith("field ")
    assert await inbox_rows(db, routed) == [] and agent.seen == []


async def test_a_nul_in_a_twilio_body_is_dropped_and_the_message_answered(
    client: TestClient, db: Database, routed: Routed, agent: StubAgent
) -> None:
    params = {
        **twilio_form(routed, SID, body="gastei\x00 10 no mercado"),
        "ProfileName": "A\x00na" + "n" * 300,
    }
    response = await client.post("/webhooks/twilio", data=urlencode(params), headers=signed(params))
    assert response.status == 200 and REPLY in await response.text()
    (row,) = await inbox_rows(db, routed, SID)
    assert row["text"] == "gastei 10 no mercado"
    # A display name longer than its column is cut, not refused.
    assert row["profile_name"] == "Ana" + "n" * 196


TWILIO_STATUS_REFUSED = {
    "nul-in-sid": {"MessageSid": "SM\x00x"},
    "sid-over-column": {"MessageSid": "SM" + "b" * 200},
    "error-code-nul": {"ErrorCode": "300\x0008"},
    "error-code-long": {"ErrorCode": "3" * 100},
}


@pytest.mark.parametrize("change", TWILIO_STATUS_REFUSED.values(), ids=TWILIO_STATUS_REFUSED.keys())
async def test_a_signed_status_callback_with_a_bad_field_is_400(
    client: TestClient, routed: Routed, change: dict[str, str]
) -> None:
    params = {**status_form(routed, SID, "failed"), **change}
    response = await client.post(STATUS_PATH, data=urlencode(params), headers=signed(params, STATUS_PATH))
    assert response.status == 400, await response.text()


def meta_message(wamid: str, text: str, wa_id: str = "5511987654321") -> dict[str, Any]:
    return {"from": wa_id, "id": wamid, "timestamp": "1763500000", "type": "text", "text": {"body": text}}


def meta_body(routed: Routed, messages: list[Any], statuses: list[Any] | None = None) -> bytes:
    value: dict[str, Any] = {
        "messaging_product": "whatsapp",
        "metadata": {"display_phone_number": "15550001111", "phone_number_id": routed.meta_phone_number_id},
        "messages": messages,
    }
    if statuses is not None:
        value["statuses"] = statuses
    payload = {"object": "whatsapp_business_account", "entry": [{"id": "W", "changes": [{"value": value}]}]}
    return json.dumps(payload).encode()


# Each a messages[] item Meta could never send; the batch around it must still be stored and answered.
META_SKIPPED = {
    "nul-in-id": meta_message("wamid.\x00x", "gastei 1"),
    "id-over-column": meta_message("wamid." + "x" * 200, "gastei 2"),
    "from-40-digits": meta_message("wamid.B3", "gastei 3", wa_id="5" * 40),
    "from-arabic-digits": meta_message("wamid.B4", "gastei 4", wa_id="٥٥١١٩٨٧٦٥٤٣٢١"),
    "from-superscript": meta_message("wamid.B5", "gastei 5", wa_id="55²"),
    "from-a-number": {**meta_message("wamid.B6", "gastei 6"), "from": 5511987654321},
    "text-over-4096": meta_message("wamid.B7", "x" * 5000),
    "not-an-object": "wamid.B8",
}


@pytest.mark.parametrize("bad", META_SKIPPED.values(), ids=META_SKIPPED.keys())
async def test_a_meta_batch_with_one_bad_message_stores_and_answers_the_others(
    aiohttp_client,
    aiohttp_server,
    settings: Settings,
    db: Database,
    routed: Routed,
    caplog: pytest.LogCaptureFixture,
    bad: Any,
) -> None:
    client, fake = await meta_app(aiohttp_client, aiohttp_server, settings)
    before, after = "wamid." + uuid.uuid4().hex, "wamid." + uuid.uuid4().hex
    messages = [
        meta_message(before, "gastei 10 no mercado", "5511900000001"),
        bad,
        # A NUL in a text is dropped, not refused (bot/webhooks/fields.py says why).
        meta_message(after, "gastei 20\x00 na padaria", "5511900000002"),
    ]
    body = meta_body(routed, messages, statuses=[{"id": "wamid.\x00", "status": "read"}, "nonsense"])

    with caplog.at_level(logging.WARNING, logger="bot.routes"):
        response = await client.post("/webhooks/meta", data=body, headers=signature(body))
    assert response.status == 200  # Meta retries a whole batch on anything else
    rows = {row["provider_message_id"]: row for row in await inbox_rows(db, routed)}
    assert set(rows) == {before, after}
    assert rows[after]["text"] == "gastei 20 na padaria"
    assert all(row["status"] == "done" for row in rows.values())
    assert sorted(sent.json["to"] for sent in fake.of("meta")) == ["5511900000001", "5511900000002"]
    skipped = [r.getMessage() for r in caplog.records if r.getMessage().startswith("meta item skipped")]
    assert len(skipped) == 3, skipped  # the bad message and the two bad statuses, each with its reason
    assert all("\x00" not in line for line in skipped)
    metrics = await (await client.get("/metrics")).text()
    assert 'errors_total{kind="meta_item_skipped"} 3.0' in metrics


@pytest.mark.parametrize("depth", [40, 100_000])
async def test_a_deeply_nested_signed_meta_body_is_400(client: TestClient, depth: int) -> None:
    body = b'{"entry":' + b"[" * depth + b"]" * depth + b"}"
    response = await client.post("/webhooks/meta", data=body, headers=signature(body))
    assert response.status == 400
    assert "nests deeper" in await response.text()


async def test_a_declared_body_over_the_route_limit_is_413_before_it_is_sent(client: TestClient) -> None:
    """Only the headers go out: the 413 comes from Content-Length, the 1 MB is never read."""
    reader, writer = await asyncio.open_connection(client.host, client.port)
    for path in ("/webhooks/twilio", "/webhooks/twilio/status", "/webhooks/meta"):
        writer.write(
            f"POST {path} HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\n"
            f"Content-Length: {1024 * 1024}\r\n\r\n".encode()
        )
        await writer.drain()
        status_line = await asyncio.wait_for(reader.readline(), 5)
        assert b" 413 " in status_line
        writer.close()
        reader, writer = await asyncio.open_connection(client.host, client.port)
    writer.close()


async def test_a_chunked_body_is_read_only_up_to_the_limit(client: TestClient) -> None:
    async def chunks():
        for _ in range(100):  # 100 x 4 KB, more than the 64 KB limit; the reader stops at the limit
            yield b"a" * 4096

    response = await client.post("/webhooks/twilio", data=chunks(), headers={"Content-Type": "text/plain"})
    assert response.status == 413


async def test_a_body_that_trickles_is_cut_at_the_read_deadline(client: TestClient) -> None:
    reader, writer = await asyncio.open_connection(client.host, client.port)
    writer.write(
        b"POST /webhooks/twilio HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\n"
        b"Content-Length: 1000\r\n\r\nFrom="
    )
    await writer.drain()
    started = asyncio.get_running_loop().time()
    status_line = await asyncio.wait_for(reader.readline(), 5)
    assert b" 408 " in status_line
    assert asyncio.get_running_loop().time() - started < 2  # the test app's deadline is 0.5 s
    writer.close()
