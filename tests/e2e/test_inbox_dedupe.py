"""The inbox's dedupe key is the provider's message id alone, whatever channel a redelivery claims."""

from __future__ import annotations

from urllib.parse import urlencode

from adapters.db import Database
from bot.app import create_app
from bot.bootstrap import Bootstrap
from bot.settings import Settings
from tests.e2e.conftest import REPLY, Routed, StubAgent, stub_factory
from tests.e2e.test_app import inbox_rows, signed, twilio_form


async def test_one_message_sid_with_and_without_the_whatsapp_prefix_is_one_row_and_one_reply(
    aiohttp_client, settings: Settings, db: Database, routed: Routed
) -> None:
    agent = StubAgent()
    client = await aiohttp_client(create_app(Bootstrap(settings, agent_factory=stub_factory(agent))))
    prefixed = twilio_form(routed)
    bare = {**prefixed, "From": prefixed["From"].removeprefix("whatsapp:"), "To": routed.twilio_number}
    first = await client.post("/webhooks/twilio", data=urlencode(prefixed), headers=signed(prefixed))
    second = await client.post("/webhooks/twilio", data=urlencode(bare), headers=signed(bare))
    assert REPLY in await first.text()
    # The redelivery gets the stored reply (Twilio only delivers one of them) and is not processed again.
    assert REPLY in await second.text()
    assert len(agent.seen) == 1
    (row,) = await inbox_rows(db, routed)
    assert row["channel"] == "whatsapp" and row["status"] == "done"
    metrics = await (await client.get("/metrics")).text()
    assert 'messages_in_total{channel="sms",outcome="duplicate"} 1.0' in metrics
