"""Outbound channels against a local fake of Twilio's and Meta's HTTP APIs."""

from __future__ import annotations

import gc
import json
import logging
import uuid
import warnings
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import aiohttp
import pytest
from aiohttp.test_utils import TestServer

from adapters.channels import ConsoleChannel, MetaChannel, OutboundMessage, Template, TwilioChannel
from adapters.channels.twilio import RoutedHttpClient
from tests.integration.fake_providers import FakeError, FakeProviders

TENANT = uuid.UUID("00000000-0000-4000-8000-000000000001")
PHONE_NUMBER_ID = "106540352242922"

ServerFactory = Callable[..., Awaitable[TestServer]]


def message(channel: str = "sms", *, from_: str = "+15005550006", **kwargs: Any) -> OutboundMessage:
    fields: dict[str, Any] = {
        "tenant_id": TENANT,
        "channel": channel,
        "to": "+5511987654321",
        "from_": from_,
        "body": "Gastou R$ 45,90 em Mercado",
        "idempotency_key": "alert-1",
    }
    fields.update(kwargs)
    return OutboundMessage(**fields)


@pytest.fixture
def fake() -> FakeProviders:
    return FakeProviders()


@pytest.fixture
async def base_url(fake: FakeProviders, aiohttp_server: ServerFactory) -> str:
    server = await aiohttp_server(fake.app(), host="127.0.0.1")
    return str(server.make_url("")).rstrip("/")


@pytest.fixture
async def twilio(fake: FakeProviders, base_url: str) -> AsyncIterator[TwilioChannel]:
    channel = TwilioChannel(fake.twilio_sid, fake.twilio_token, base_url, timeout=5)
    yield channel
    await channel.close()


@pytest.fixture
async def meta(fake: FakeProviders, base_url: str) -> AsyncIterator[MetaChannel]:
    channel = MetaChannel(fake.meta_token, f"{base_url}/v21.0")
    yield channel
    await channel.close()


# Twilio


async def test_twilio_sms_reaches_the_api_with_plain_numbers(
    twilio: TwilioChannel, fake: FakeProviders
) -> None:
    result = await twilio.send(message("sms"))

    [request] = fake.of("twilio")
    assert request.path == f"/2010-04-01/Accounts/{fake.twilio_sid}/Messages.json"
    assert request.form == {
        "To": "+5511987654321",
        "From": "+15005550006",
        "Body": "Gastou R$ 45,90 em Mercado",
    }
    assert result.status == "queued" and result.ok and result.error is None
    assert result.provider_message_id is not None and result.provider_message_id.startswith("SM")


async def test_twilio_whatsapp_prefixes_both_numbers(twilio: TwilioChannel, fake: FakeProviders) -> None:
    result = await twilio.send(message("whatsapp", from_="+14155238886"))

    [request] = fake.of("twilio")
    assert request.form["To"] == "whatsapp:+5511987654321"
    assert request.form["From"] == "whatsapp:+14155238886"
    assert result.status == "queued"


async def test_twilio_template_uses_the_content_api(twilio: TwilioChannel, fake: FakeProviders) -> None:
    template = Template("budget_alert", "pt_BR", ("Mercado", "80%"), content_sid="HX" + "a" * 32)
    await twilio.send(message("whatsapp", template=template))

    [request] = fake.of("twilio")
    assert request.form["ContentSid"] == "HX" + "a" * 32
    assert json.loads(request.form["ContentVariables"]) == {"1": "Mercado", "2": "80%"}
    assert "Body" not in request.form


@pytest.mark.parametrize("code", [21211, 21610])
async def test_twilio_client_errors_fail_for_good(
    twilio: TwilioChannel, fake: FakeProviders, code: int
) -> None:
    fake.twilio_error = FakeError(400, code)

    result = await twilio.send(message())

    assert result.status == "failed" and not result.retryable
    assert result.provider_message_id is None
    assert result.error is not None and str(code) in result.error


async def test_twilio_server_errors_are_retryable(twilio: TwilioChannel, fake: FakeProviders) -> None:
    fake.twilio_error = FakeError(500, 20500)

    result = await twilio.send(message())

    assert result.status == "failed" and result.retryable


async def test_twilio_wrong_credentials_are_not_retryable(fake: FakeProviders, base_url: str) -> None:
    channel = TwilioChannel(fake.twilio_sid, "wrong-token", base_url)
    try:
        result = await channel.send(message())
    finally:
        await channel.close()
    assert result.status == "failed" and not result.retryable and fake.requests == []


async def test_twilio_unreachable_gateway_is_retryable(unused_tcp_port: int) -> None:
    channel = TwilioChannel("AC" + "1" * 32, "token", f"http://127.0.0.1:{unused_tcp_port}", timeout=2)
    try:
        result = await channel.send(message())
    finally:
        await channel.close()
    assert result.status == "failed" and result.retryable
    assert result.error is not None and "unreachable" in result.error


def test_base_url_rewrites_scheme_and_host_only() -> None:
    client = RoutedHttpClient("http://gateway.local:8080/twilio/")
    url = "https://api.twilio.com/2010-04-01/Accounts/AC1/Messages.json?x=1"
    assert client.route(url) == "http://gateway.local:8080/twilio/2010-04-01/Accounts/AC1/Messages.json?x=1"
    assert RoutedHttpClient(None).route(url) == url


# Meta


async def test_meta_text_message(meta: MetaChannel, fake: FakeProviders) -> None:
    result = await meta.send(message("whatsapp", from_=PHONE_NUMBER_ID))

    [request] = fake.of("meta")
    assert request.path == f"/v21.0/{PHONE_NUMBER_ID}/messages"
    assert request.json == {
        "messaging_product": "whatsapp",
        "recipient_type": "individual",
        "to": "5511987654321",
        "type": "text",
        "text": {"body": "Gastou R$ 45,90 em Mercado"},
    }
    assert result.status == "sent" and result.provider_message_id is not None
    assert result.provider_message_id.startswith("wamid.")


async def test_meta_template_message(meta: MetaChannel, fake: FakeProviders) -> None:
    template = Template("budget_alert", "es_MX", ("Comida", "90%"))
    await meta.send(message("whatsapp", from_=PHONE_NUMBER_ID, template=template))

    [request] = fake.of("meta")
    assert request.json["type"] == "template"
    assert request.json["template"] == {
        "name": "budget_alert",
        "language": {"code": "es_MX"},
        "components": [
            {
                "type": "body",
                "parameters": [{"type": "text", "text": "Comida"}, {"type": "text", "text": "90%"}],
            }
        ],
    }
    assert "text" not in request.json


async def test_meta_bad_token_is_not_retryable(fake: FakeProviders, base_url: str) -> None:
    channel = MetaChannel("expired", f"{base_url}/v21.0")
    try:
        result = await channel.send(message("whatsapp", from_=PHONE_NUMBER_ID))
    finally:
        await channel.close()
    assert result.status == "failed" and not result.retryable
    assert result.error == "meta 401 code 190"


@pytest.mark.parametrize(
    ("status", "code", "retryable"),
    [(500, 1, True), (503, 2, True), (429, 130429, True), (400, 130429, True), (400, 131026, False)],
)
async def test_meta_error_mapping(
    meta: MetaChannel, fake: FakeProviders, status: int, code: int, retryable: bool
) -> None:
    fake.meta_error = FakeError(status, code)

    result = await meta.send(message("whatsapp", from_=PHONE_NUMBER_ID))

    assert result.status == "failed" and result.retryable is retryable
    assert result.provider_message_id is None


async def test_meta_refuses_sms(meta: MetaChannel, fake: FakeProviders) -> None:
    result = await meta.send(message("sms", from_=PHONE_NUMBER_ID))
    assert result.status == "failed" and not result.retryable and fake.requests == []


async def test_meta_reuses_one_session(meta: MetaChannel, fake: FakeProviders) -> None:
    first = await meta.send(message("whatsapp", from_=PHONE_NUMBER_ID))
    second = await meta.send(message("whatsapp", from_=PHONE_NUMBER_ID))
    assert first.provider_message_id != second.provider_message_id
    assert len(fake.of("meta")) == 2


# Console


async def test_console_stores_and_returns_ids(caplog: pytest.LogCaptureFixture) -> None:
    channel = ConsoleChannel()
    caplog.set_level(logging.INFO, logger="adapters.channels")

    first = await channel.send(message("whatsapp"))
    second = await channel.send(message("sms", idempotency_key="alert-2"))
    await channel.close()

    assert first.status == second.status == "sent"
    assert [message_id for message_id, _ in channel.sent] == [
        first.provider_message_id,
        second.provider_message_id,
    ]
    assert channel.sent[1][1].idempotency_key == "alert-2"
    assert [r.tenant_id for r in caplog.records] == [str(TENANT), str(TENANT)]  # type: ignore[attr-defined]
    assert all("45,90" not in r.getMessage() for r in caplog.records)


async def test_console_logs_the_text_only_at_debug(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG, logger="adapters.channels")
    await ConsoleChannel().send(message())
    debug = [r for r in caplog.records if r.levelno == logging.DEBUG]
    assert len(debug) == 1 and "45,90" in debug[0].getMessage()


# Resources


async def test_close_releases_every_session(fake: FakeProviders, base_url: str) -> None:
    twilio = TwilioChannel(fake.twilio_sid, fake.twilio_token, base_url)
    meta = MetaChannel(fake.meta_token, f"{base_url}/v21.0")
    await twilio.send(message())
    await meta.send(message("whatsapp", from_=PHONE_NUMBER_ID))
    # Collect what earlier tests left behind first: only these two channels' sessions are under test here.
    gc.collect()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        await twilio.close()
        await meta.close()
        del twilio, meta
        gc.collect()
    assert not [w for w in caught if issubclass(w.category, ResourceWarning)]


async def test_close_without_sending_is_harmless() -> None:
    await TwilioChannel("AC" + "2" * 32, "token").close()
    await MetaChannel("token").close()


async def test_meta_session_factory_is_used(fake: FakeProviders, base_url: str) -> None:
    made: list[aiohttp.ClientSession] = []

    def factory() -> aiohttp.ClientSession:
        made.append(aiohttp.ClientSession())
        return made[-1]

    channel = MetaChannel(fake.meta_token, f"{base_url}/v21.0", session_factory=factory)
    await channel.send(message("whatsapp", from_=PHONE_NUMBER_ID))
    await channel.send(message("whatsapp", from_=PHONE_NUMBER_ID))
    await channel.close()
    assert len(made) == 1 and made[0].closed
