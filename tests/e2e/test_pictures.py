"""Pictures we send: served at PUBLIC_BASE_URL/media/<token>.png for a limited time, never listed or guessed,
and sent as the <Media> of the TwiML reply (or the REST message) with the reply as its caption."""

from __future__ import annotations

import asyncio
import re
from dataclasses import replace
from datetime import UTC, datetime
from urllib.parse import urlencode

import pytest
import sqlalchemy as sa
from aiohttp.test_utils import TestClient

from adapters.cache.media import TOKEN
from adapters.db import Database
from adapters.db.tables import outbound_messages
from bot.answer import Answer
from bot.app import create_app
from bot.bootstrap import Bootstrap
from bot.keys import CACHE
from bot.pictures import PicturePublisher
from bot.settings import Settings
from domain.messages import InboundMessage
from domain.model import Channel, Tenant
from tests.e2e.conftest import PUBLIC_BASE_URL, Routed, StubAgent, stub_factory
from tests.e2e.test_app import signed, twilio_form
from tests.e2e.test_meta import payload, signature
from tests.integration.fake_providers import FakeProviders

PNG = b"\x89PNG\r\n\x1a\n" + b"chart" * 200
MEDIA = re.compile(r"<Media>([^<]+)</Media>")


class PictureAgent(StubAgent):
    """Answers with a caption and a picture published the way the real agent does."""

    def __init__(self) -> None:
        super().__init__()
        self.publisher: PicturePublisher | None = None

    async def handle(self, tenant: Tenant, message: InboundMessage) -> str | Answer | None:
        self.seen.append(message)
        assert self.publisher is not None
        url = await self.publisher.publish(tenant.id, message, PNG, "chart")
        return Answer("Seus gastos de dezembro", url)


@pytest.fixture
async def agent_and_client(aiohttp_client, settings: Settings) -> tuple[PictureAgent, TestClient]:
    agent = PictureAgent()
    client = await aiohttp_client(create_app(Bootstrap(settings, agent_factory=stub_factory(agent))))
    agent.publisher = PicturePublisher(client.app[CACHE].media, PUBLIC_BASE_URL)
    return agent, client


def path_of(url: str) -> str:
    assert url.startswith(PUBLIC_BASE_URL + "/media/") and url.endswith(".png")
    return url.removeprefix(PUBLIC_BASE_URL)


async def test_the_twiml_reply_carries_the_picture_and_it_is_served(
    agent_and_client: tuple[PictureAgent, TestClient], db: Database, routed: Routed
) -> None:
    _, client = agent_and_client
    params = twilio_form(routed, body="grafico de gastos")
    response = await client.post("/webhooks/twilio", data=urlencode(params), headers=signed(params))
    text = await response.text()
    assert "<Body>Seus gastos de dezembro</Body>" in text
    [url] = MEDIA.findall(text)
    served = await client.get(path_of(url))
    assert served.status == 200
    assert served.content_type == "image/png"
    assert await served.read() == PNG
    assert "no-store" in served.headers["Cache-Control"]
    async with db.unit_of_work(routed.tenant.id) as uow:
        rows = (await uow.execute(sa.select(outbound_messages.c.body, outbound_messages.c.media_url))).all()
    assert [tuple(row) for row in rows] == [("Seus gastos de dezembro", url)]


async def test_tokens_are_unguessable_and_nothing_is_listed(
    agent_and_client: tuple[PictureAgent, TestClient], routed: Routed
) -> None:
    agent, client = agent_and_client
    assert agent.publisher is not None
    message = InboundMessage(
        channel=Channel.WHATSAPP,
        provider="twilio",
        sender="+5511987654321",
        recipient=routed.twilio_number,
        text="grafico",
        provider_message_id="SM1",
        received_at=datetime.now(UTC),
    )
    urls = [await agent.publisher.publish(routed.tenant.id, message, PNG, "chart") for _ in range(20)]
    tokens = [path_of(str(url)).removeprefix("/media/").removesuffix(".png") for url in urls]
    assert len(set(tokens)) == 20 and all(TOKEN.fullmatch(t) for t in tokens)  # 256 random bits each
    for path in ("/media/", "/media", "/media/.png", f"/media/{tokens[0][:-1]}A.png", f"/media/{tokens[0]}"):
        assert (await client.get(path)).status == 404, path
    assert (await client.get(f"/media/{tokens[0]}.png")).status == 200


async def test_a_picture_expires(settings: Settings, aiohttp_client, routed: Routed) -> None:
    agent = PictureAgent()
    client = await aiohttp_client(create_app(Bootstrap(settings, agent_factory=stub_factory(agent))))
    token = await client.app[CACHE].media.put(routed.tenant.id, PNG, ttl=1)
    assert token is not None
    assert (await client.get(f"/media/{token}.png")).status == 200
    for _ in range(50):  # Redis drops the key once its second is up
        await asyncio.sleep(0.1)
        if (await client.get(f"/media/{token}.png")).status == 404:
            break
    assert (await client.get(f"/media/{token}.png")).status == 404


async def test_through_meta_the_picture_goes_as_an_image_message_captioned_with_the_reply(
    aiohttp_client, aiohttp_server, settings: Settings, routed: Routed
) -> None:
    fake = FakeProviders(meta_token="meta-token")
    graph = await aiohttp_server(fake.app())
    configured = replace(
        settings, meta_access_token="meta-token", meta_graph_base_url=str(graph.make_url("/v21.0"))
    )
    agent = PictureAgent()
    client = await aiohttp_client(create_app(Bootstrap(configured, agent_factory=stub_factory(agent))))
    agent.publisher = PicturePublisher(client.app[CACHE].media, PUBLIC_BASE_URL)
    body = payload(routed, "wamid.CHART", "grafico de gastos")
    assert (await client.post("/webhooks/meta", data=body, headers=signature(body))).status == 200
    [sent] = [r.json for r in fake.of("meta")]
    assert sent["type"] == "image" and sent["image"]["caption"] == "Seus gastos de dezembro"
    served = await client.get(path_of(sent["image"]["link"]))
    assert (served.status, await served.read()) == (200, PNG)
