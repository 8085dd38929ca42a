"""TwiML replies get a status too: recorded, and named by their <Message action> status URL."""

from __future__ import annotations

import re
import uuid
from urllib.parse import urlencode

import pytest
from aiohttp.test_utils import TestClient

from adapters.db import ChannelEndpoint, Database
from bot.app import create_app
from bot.bootstrap import Bootstrap
from bot.settings import Settings
from domain.model import Language, Tenant
from tests.e2e.conftest import PUBLIC_BASE_URL, REPLY, Routed, StubAgent, stub_factory
from tests.e2e.test_app import inbox_rows, signed, twilio_form
from tests.e2e.test_status_callbacks import STATUS_PATH, outbound, status_form

ACTION = re.compile(r'<Message action="([^"]+)">')


@pytest.fixture
async def victim(db: Database) -> Routed:
    """Another tenant, with a Twilio number of its own."""
    tenant = Tenant(
        id=uuid.uuid4(),
        slug=f"v-{uuid.uuid4().hex[:12]}",
        name="Outra casa",
        language=Language.PT,
        locale="pt_BR",
        currency="BRL",
        timezone="America/Sao_Paulo",
    )
    number = "+1415" + str(uuid.uuid4().int % 10**7).zfill(7)
    async with db.directory() as directory:
        await directory.tenants.add(tenant)
        await directory.endpoints.add(ChannelEndpoint(uuid.uuid4(), tenant.id, "twilio", number))
        await directory.commit()
    return Routed(tenant, number, "")


@pytest.fixture
async def client(aiohttp_client, settings: Settings) -> TestClient:
    return await aiohttp_client(create_app(Bootstrap(settings, agent_factory=stub_factory(StubAgent()))))


async def message_in(
    client: TestClient, routed: Routed, sid: str | None = None
) -> tuple[str, dict[str, str]]:
    """Post an inbound message; the TwiML's action path (with its query) and the form posted."""
    params = twilio_form(routed, sid)
    response = await client.post("/webhooks/twilio", data=urlencode(params), headers=signed(params))
    assert response.status == 200
    text = await response.text()
    assert f">{REPLY}</Message>" in text
    found = ACTION.search(text)
    assert found is not None and found.group(1).startswith(PUBLIC_BASE_URL)
    return found.group(1).removeprefix(PUBLIC_BASE_URL), params


async def post_to(client: TestClient, path_qs: str, params: dict[str, str]) -> int:
    """A status callback to `path_qs`, signed over the full URL with its query as Twilio signs it. An
    action URL's answer is an empty TwiML (nothing more to do), should Twilio read it as the next step."""
    response = await client.post(path_qs, data=urlencode(params), headers=signed(params, path_qs))
    if response.status == 200:
        assert response.content_type == "application/xml" and "<Message" not in await response.text()
    return response.status


async def test_a_twiml_reply_is_recorded_and_its_statuses_move_it_to_read(
    client: TestClient, db: Database, routed: Routed
) -> None:
    action, params = await message_in(client, routed)
    (row,) = await inbox_rows(db, routed, params["MessageSid"])
    assert action == f"{STATUS_PATH}?inbox={row['id']}"
    (record,) = await outbound(db, routed)
    assert (record["inbox_id"], record["provider"], record["status"]) == (row["id"], "twilio", "queued")
    assert record["provider_message_id"] is None and record["body"] == REPLY
    assert record["channel"] == "whatsapp" and record["recipient"] == "+5511987654321"

    sid = "SM" + uuid.uuid4().hex
    for status in ("sent", "delivered", "read"):
        assert await post_to(client, action, status_form(routed, sid, status)) == 200
        (record,) = await outbound(db, routed)
        assert (record["provider_message_id"], record["status"]) == (sid, status)
    # Late or repeated statuses never move it back.
    assert await post_to(client, action, status_form(routed, sid, "delivered")) == 200
    assert [r["status"] for r in await outbound(db, routed)] == ["read"]


@pytest.mark.parametrize("e2e_database_url", ["sqlite"], indirect=True)
async def test_a_failed_twiml_reply_keeps_the_error_code_on_sqlite(
    client: TestClient, db: Database, routed: Routed
) -> None:
    action, _ = await message_in(client, routed)
    sid = "SM" + uuid.uuid4().hex
    assert await post_to(client, action, status_form(routed, sid, "failed", ErrorCode="63016")) == 200
    (record,) = await outbound(db, routed)
    assert (record["provider_message_id"], record["status"], record["error"]) == (sid, "failed", "63016")


async def test_a_failed_twiml_reply_keeps_the_error_code(
    client: TestClient, db: Database, routed: Routed
) -> None:
    action, _ = await message_in(client, routed)
    sid = "SM" + uuid.uuid4().hex
    assert await post_to(client, action, status_form(routed, sid, "sent")) == 200
    assert await post_to(client, action, status_form(routed, sid, "undelivered", ErrorCode="63024")) == 200
    (record,) = await outbound(db, routed)
    assert (record["status"], record["error"]) == ("undelivered", "63024")


async def test_a_redelivery_answered_again_is_a_second_message_with_its_own_status(
    client: TestClient, db: Database, routed: Routed
) -> None:
    first_action, params = await message_in(client, routed)
    again_action, _ = await message_in(client, routed, params["MessageSid"])  # Twilio retried
    assert again_action == first_action
    records = await outbound(db, routed)
    assert [r["status"] for r in records] == ["queued", "queued"]
    assert len({r["inbox_id"] for r in records}) == 1

    first, second = "SM" + uuid.uuid4().hex, "SM" + uuid.uuid4().hex
    assert await post_to(client, first_action, status_form(routed, first, "delivered")) == 200
    assert (
        await post_to(client, first_action, status_form(routed, second, "failed", ErrorCode="30008")) == 200
    )
    assert await post_to(client, first_action, status_form(routed, first, "read")) == 200
    statuses = {r["provider_message_id"]: (r["status"], r["error"]) for r in await outbound(db, routed)}
    assert statuses == {first: ("read", None), second: ("failed", "30008")}


@pytest.mark.parametrize(
    "inbox",
    [
        "not-a-uuid",
        "1" * 5000,  # far longer than an id
        "%FF%FE",  # not UTF-8
        "%7B12345678-1234-5678-1234-567812345678%7D",  # a UUID in braces: not as we write one
        "urn:uuid:12345678-1234-5678-1234-567812345678",
        "",
    ],
)
async def test_a_signed_callback_with_a_malformed_inbox_is_a_clear_400(
    client: TestClient, db: Database, routed: Routed, inbox: str
) -> None:
    await message_in(client, routed)
    params = status_form(routed, "SM" + uuid.uuid4().hex, "failed", ErrorCode="1")
    response = await client.post(
        f"{STATUS_PATH}?inbox={inbox}",
        data=urlencode(params),
        headers=signed(params, f"{STATUS_PATH}?inbox={inbox}"),
    )
    assert response.status == 400
    assert "inbox" in await response.text() or "query" in await response.text()
    assert [r["status"] for r in await outbound(db, routed)] == ["queued"]


async def test_a_repeated_inbox_is_refused(client: TestClient, db: Database, routed: Routed) -> None:
    action, _ = await message_in(client, routed)
    path = f"{action}&inbox={uuid.uuid4()}"
    assert await post_to(client, path, status_form(routed, "SM" + uuid.uuid4().hex, "failed")) == 400
    assert [r["status"] for r in await outbound(db, routed)] == ["queued"]


async def test_an_inbox_the_signature_does_not_cover_is_refused(
    client: TestClient, db: Database, routed: Routed
) -> None:
    action, _ = await message_in(client, routed)
    params = status_form(routed, "SM" + uuid.uuid4().hex, "failed", ErrorCode="1")
    # Signed for the plain status URL, posted with our inbox added: the query is part of what is signed.
    response = await client.post(action, data=urlencode(params), headers=signed(params, STATUS_PATH))
    assert response.status == 403
    assert [r["status"] for r in await outbound(db, routed)] == ["queued"]


async def test_another_tenants_inbox_touches_nothing(
    client: TestClient, db: Database, routed: Routed, victim: Routed
) -> None:
    """A callback from our number naming another tenant's inbox id: that tenant's reply stays as it was."""
    their_action, _ = await message_in(client, victim)
    await message_in(client, routed)
    sid = "SM" + uuid.uuid4().hex
    # Our number in From, their inbox id in the URL, correctly signed.
    assert await post_to(client, their_action, status_form(routed, sid, "failed", ErrorCode="1")) == 200
    assert [(r["status"], r["provider_message_id"]) for r in await outbound(db, victim)] == [("queued", None)]
    assert [(r["status"], r["provider_message_id"]) for r in await outbound(db, routed)] == [("queued", None)]


async def test_an_unknown_inbox_id_is_accepted_and_ignored(
    client: TestClient, db: Database, routed: Routed
) -> None:
    await message_in(client, routed)
    path = f"{STATUS_PATH}?inbox={uuid.uuid4()}"
    assert await post_to(client, path, status_form(routed, "SM" + uuid.uuid4().hex, "delivered")) == 200
    assert [r["status"] for r in await outbound(db, routed)] == ["queued"]
