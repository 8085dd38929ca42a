"""Per-sender rate limit through the real app, and answering on when Redis is unreachable."""

from __future__ import annotations

from dataclasses import replace
from urllib.parse import urlencode

from aiohttp.test_utils import TestClient

from adapters.db import Database
from bot.app import create_app
from bot.bootstrap import Bootstrap
from bot.settings import Settings
from tests.e2e.conftest import REPLY, Routed, StubAgent, stub_factory
from tests.e2e.test_app import inbox_rows, signed, twilio_form


async def post(client: TestClient, routed: Routed) -> str:
    params = twilio_form(routed)
    response = await client.post("/webhooks/twilio", data=urlencode(params), headers=signed(params))
    assert response.status == 200
    return await response.text()


async def test_a_burst_of_20_then_one_polite_refusal_then_silence(
    aiohttp_client, settings: Settings, db: Database, routed: Routed
) -> None:
    agent = StubAgent()
    client = await aiohttp_client(create_app(Bootstrap(settings, agent_factory=stub_factory(agent))))
    answers = [await post(client, routed) for _ in range(23)]
    assert all(REPLY in a for a in answers[:20])
    # The sender is unknown to the tenant (pt_BR), so the refusal comes in the tenant's language.
    assert "rápido demais" in answers[20]
    assert all("<Message>" not in a for a in answers[21:])
    assert len(agent.seen) == 20
    rows = await inbox_rows(db, routed)
    assert len(rows) == 23 and all(r["status"] == "done" for r in rows)


async def test_with_redis_unreachable_messages_are_still_answered(
    aiohttp_client, settings: Settings, db: Database, routed: Routed
) -> None:
    agent = StubAgent()
    broken = replace(settings, redis_url="redis://127.0.0.1:1/0")
    client = await aiohttp_client(create_app(Bootstrap(broken, agent_factory=stub_factory(agent))))
    answers = [await post(client, routed) for _ in range(3)]
    assert all(REPLY in a for a in answers)
    assert len(await inbox_rows(db, routed)) == 3
    ready = await client.get("/readyz")
    assert ready.status == 503
