"""A signed Meta WhatsApp message through the real app: stored, answered through a fake Graph API."""

from __future__ import annotations

import hashlib
import hmac
import json

from adapters.db import Database
from bot.app import create_app
from bot.bootstrap import Bootstrap
from bot.settings import Settings
from tests.e2e.conftest import META_SECRET, REPLY, Routed, StubAgent, meta_app, stub_factory
from tests.e2e.test_app import inbox_rows


def payload(routed: Routed, wamid: str, text: str) -> bytes:
    value = {
        "messaging_product": "whatsapp",
        "metadata": {"display_phone_number": "15550001111", "phone_number_id": routed.meta_phone_number_id},
        "contacts": [{"profile": {"name": "Ana"}, "wa_id": "5511987654321"}],
        "messages": [
            {
                "from": "5511987654321",
                "id": wamid,
                "timestamp": "1763500000",
                "type": "text",
                "text": {"body": text},
            }
        ],
    }
    body = {
        "object": "whatsapp_business_account",
        "entry": [{"id": "WABA", "changes": [{"field": "messages", "value": value}]}],
    }
    return json.dumps(body).encode()


def signature(body: bytes, secret: str = META_SECRET) -> dict[str, str]:
    digest = hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    return {"Content-Type": "application/json", "X-Hub-Signature-256": f"sha256={digest}"}


async def test_signed_meta_message_is_stored_and_answered_through_the_graph_api(
    aiohttp_client, aiohttp_server, settings: Settings, db: Database, routed: Routed
) -> None:
    client, fake = await meta_app(aiohttp_client, aiohttp_server, settings)

    body = payload(routed, "wamid.ONE", "gastei 10 no mercado")
    response = await client.post("/webhooks/meta", data=body, headers=signature(body))
    assert response.status == 200
    rows = await inbox_rows(db, routed, "wamid.ONE")
    assert len(rows) == 1 and rows[0]["status"] == "done"
    sent = fake.of("meta")
    assert len(sent) == 1
    assert sent[0].json["to"] == "5511987654321" and sent[0].json["text"]["body"] == REPLY

    again = await client.post("/webhooks/meta", data=body, headers=signature(body))
    assert again.status == 200
    assert len(fake.of("meta")) == 1  # a redelivery is not answered twice


async def test_forged_meta_message_is_refused_and_not_stored(
    aiohttp_client, settings: Settings, db: Database, routed: Routed
) -> None:
    client = await aiohttp_client(create_app(Bootstrap(settings, agent_factory=stub_factory(StubAgent()))))
    body = payload(routed, "wamid.FORGED", "gastei 10 no mercado")
    response = await client.post("/webhooks/meta", data=body, headers=signature(body, "not-the-secret"))
    assert response.status == 403
    assert await inbox_rows(db, routed, "wamid.FORGED") == []
