"""Alerts with their delivery history and a user's conversation log through the admin API (the real app)."""

from __future__ import annotations

import csv
import io
import json
import uuid
from datetime import UTC, date, datetime, timedelta
from typing import Any
from urllib.parse import quote, urlencode

import pytest
from aiohttp.test_utils import TestClient

from adapters.clock import SystemClock
from adapters.db import Database, InboxMessage, OutboundRecord
from bot.admin import paging
from bot.admin.api import PREFIX
from bot.admin.resources.alerts import AlertQuery
from bot.admin.resources.messages import MessageQuery
from bot.alerts import AlertDispatcher
from bot.keys import DATABASE
from domain import services
from domain.commands import RecordTransaction
from domain.messages import Attachment
from domain.model import Source, TransactionKind
from tests.e2e.admin.conftest import PLATFORM, ApiTenant, make_tenant, raise_alert
from tests.e2e.conftest import TWILIO_SID
from tests.e2e.test_app import signed
from tests.unit.fake_messaging import FakeChannel

pytestmark = pytest.mark.integration

STATUS_PATH = "/webhooks/twilio/status"


def database(api: TestClient) -> Database:
    return api.app[DATABASE]


async def get(api: TestClient, path: str, headers: dict[str, str], status: int = 200) -> Any:
    response = await api.get(PREFIX + path, headers=headers)
    text = await response.text()
    assert response.status == status, text
    return json.loads(text) if response.content_type.endswith("json") else text


async def every(api: TestClient, path: str, headers: dict[str, str], limit: int) -> list[dict[str, Any]]:
    """Every item of a listing, following next_cursor."""
    items: list[dict[str, Any]] = []
    cursor = None
    while True:
        sep = "&" if "?" in path else "?"
        page = await get(api, f"{path}{sep}limit={limit}" + (f"&cursor={cursor}" if cursor else ""), headers)
        items += page["items"]
        cursor = page["next_cursor"]
        if cursor is None:
            return items


async def route_twilio(api: TestClient, tenant: ApiTenant) -> str:
    number = "+1415" + str(uuid.uuid4().int % 10**7).zfill(7)
    response = await api.post(
        f"{PREFIX}/tenants/{tenant.id}/channels",
        json={"provider": "twilio", "address": number},
        headers=PLATFORM,
    )
    assert response.status == 201, await response.text()
    return number


async def spend_past_the_budget(api: TestClient, tenant: ApiTenant) -> str:
    """A 100 BRL groceries budget through the API, then 85 BRL spent (as the API's transactions would):
    the 80% threshold is crossed. The budget's id."""
    response = await api.post(
        f"{PREFIX}/budgets",
        json={"user_id": tenant.user["id"], "amount": "100", "category": "groceries"},
        headers=tenant.admin,
    )
    assert response.status == 201, await response.text()
    cmd = RecordTransaction(
        user_id=uuid.UUID(tenant.user["id"]),
        kind=TransactionKind.EXPENSE,
        amount="85.00",
        category="groceries",
        source=Source.ADMIN_API,
        source_ref=uuid.uuid4().hex,
    )
    async with database(api).unit_of_work(uuid.UUID(tenant.id)) as uow:
        result = await services.record_transaction(cmd, uow, SystemClock())
    assert len(result.crossings) == 1
    return str((await response.json())["id"])


async def post_status(api: TestClient, number: str, to: str, sid: str, status: str) -> None:
    params = {
        "MessageSid": sid,
        "AccountSid": TWILIO_SID,
        "From": number,
        "To": to,
        "MessageStatus": status,
        "ApiVersion": "2010-04-01",
    }
    response = await api.post(STATUS_PATH, data=urlencode(params), headers=signed(params, STATUS_PATH))
    assert response.status == 204, await response.text()


async def test_an_alert_shows_its_push_and_the_delivery_status_the_provider_reported(api) -> None:
    tenant = await make_tenant(api)
    number = await route_twilio(api, tenant)
    budget_id = await spend_past_the_budget(api, tenant)
    # The worker runs on the wall clock here: quiet hours off, or a night run would hold the push.
    quiet = await api.patch(f"{PREFIX}/settings", json={"quiet_hours": None}, headers=tenant.admin)
    assert quiet.status == 200, await quiet.text()
    twilio = FakeChannel()
    await AlertDispatcher(database(api), {"twilio": twilio}, SystemClock()).run_once()
    [sent] = twilio.sent
    [listed] = (await get(api, "/alerts", tenant.viewer))["items"]
    assert listed["deliveries"][0]["status"] == "queued"

    sid = listed["deliveries"][0]["provider_message_id"]
    await post_status(api, number, tenant.user["phone"], sid, "delivered")
    await post_status(api, number, tenant.user["phone"], sid, "read")
    await post_status(api, number, tenant.user["phone"], sid, "delivered")  # late, out of order

    alert = await get(api, f"/alerts/{listed['id']}", tenant.viewer)
    assert (alert["user_id"], alert["budget_id"], alert["category"]) == (
        tenant.user["id"],
        budget_id,
        "groceries",
    )
    amounts = (alert["threshold"], alert["spent"], alert["budget"], alert["currency"])
    assert amounts == (80, "85.00", "100.00", "BRL")
    assert alert["period_start"].endswith("-01") and alert["period_start"][:7] == alert["period_end"][:7]
    assert (alert["state"], alert["reason"], alert["attempts"]) == ("sent", "sent", 1)
    assert alert["processed_at"] is not None
    [delivery] = alert["deliveries"]
    assert (delivery["channel"], delivery["provider"], delivery["status"]) == ("sms", "twilio", "read")
    assert delivery["updated_at"] is not None and delivery["error"] is None
    assert (alert["delivery_count"], alert["delivery_status"]) == (1, "read")
    assert sent.body and sent.to == tenant.user["phone"]

    # The push is in the user's conversation log, naming its alert.
    [message] = (await get(api, f"/users/{tenant.user['id']}/messages", tenant.viewer))["items"]
    assert (message["direction"], message["alert_id"], message["status"]) == ("outbound", alert["id"], "read")
    assert message["text"] == sent.body


async def test_alert_listing_filters_pages_and_csv(api) -> None:
    tenant = await make_tenant(api)
    budget = str(uuid.uuid4())
    ids = [await raise_alert(api, tenant, threshold) for threshold in (50, 60, 70)]
    ids += [await raise_alert(api, tenant, 80, budget_id=uuid.UUID(budget))]
    await raise_alert(
        api,
        tenant,
        90,
        period_start=date(2025, 4, 1),
        period_end=date(2025, 4, 30),
    )
    newest_first = (await get(api, "/alerts", tenant.viewer))["items"]
    assert [a["threshold"] for a in newest_first] == [90, 80, 70, 60, 50]
    assert [a["state"] for a in newest_first] == ["pending"] * 5
    assert [a["id"] for a in await every(api, "/alerts", tenant.viewer, 2)] == [a["id"] for a in newest_first]

    async def thresholds(query: str) -> list[int]:
        return [a["threshold"] for a in await every(api, f"/alerts?{query}", tenant.viewer, 2)]

    assert await thresholds(f"budget_id={budget}") == [80]
    assert await thresholds(f"user_id={tenant.user['id']}") == [90, 80, 70, 60, 50]
    assert await thresholds(f"user_id={uuid.uuid4()}") == []
    assert await thresholds("period_from=2025-04-01") == [90]
    assert await thresholds("period_to=2025-03-31") == [80, 70, 60, 50]
    assert await thresholds("period_from=2025-03-15&period_to=2025-04-15") == [90, 80, 70, 60, 50]
    later = quote((datetime.now(UTC) + timedelta(hours=1)).isoformat())
    assert await thresholds(f"since={later}") == []
    assert await thresholds(f"until={later}") == [90, 80, 70, 60, 50]

    response = await api.get(f"{PREFIX}/alerts?format=csv&user_id={tenant.user['id']}", headers=tenant.viewer)
    assert response.status == 200 and response.content_type == "text/csv"
    rows = list(csv.DictReader(io.StringIO(await response.text())))
    assert [r["threshold"] for r in rows] == ["90", "80", "70", "60", "50"]
    assert rows[0]["spent"] == "85.10" and rows[0]["currency"] == "BRL"
    assert (rows[0]["delivery_count"], rows[0]["delivery_status"], rows[0]["deliveries"]) == ("0", "", "[]")


async def test_alert_queries_refuse_nonsense(api) -> None:
    tenant = await make_tenant(api)
    await raise_alert(api, tenant)
    await raise_alert(api, tenant)
    for query, field in (
        ("period_from=2025-04-01&period_to=2025-03-01", "query.period_to"),
        ("since=2025-03-01T00:00:00", "query.since"),  # no zone: which moment?
        ("since=0001-01-01T00:00:00%2B14:00", "query.since"),
        ("user_id=ana", "query.user_id"),
        ("colour=red", "query.colour"),
        ("limit=0", "query.limit"),
    ):
        problem = await get(api, f"/alerts?{query}", tenant.viewer, 422)
        assert field in [e["field"] for e in problem["errors"]], (query, problem)
    page = await get(api, "/alerts?limit=1", tenant.viewer)
    assert page["next_cursor"]
    # A cursor of this listing with other filters is refused, and so is a hand-made one (cursors are not
    # signed: one with the right fingerprint but a key of the wrong shape must not reach the database).
    other = await get(
        api, f"/alerts?limit=1&budget_id={uuid.uuid4()}&cursor={page['next_cursor']}", tenant.viewer, 422
    )
    assert other["errors"][0]["field"] == "query.cursor"
    no_filters = AlertQuery().model_dump(mode="json", exclude={"cursor", "limit", "format"})
    for key in (["x"], [1.5], [True], [1, 2], []):
        forged = paging.encode(key, "list_alerts", no_filters)
        problem = await get(api, f"/alerts?cursor={forged}", tenant.viewer, 422)
        assert problem["errors"][0]["field"] == "query.cursor"
    await get(api, f"/alerts/{uuid.uuid4()}", tenant.viewer, 404)
    await get(api, "/alerts/42", tenant.viewer, 422)


async def test_another_tenants_alerts_and_messages_answer_like_missing_ones(api) -> None:
    a, b = await make_tenant(api), await make_tenant(api)
    b_alert = await raise_alert(api, b)
    await raise_alert(api, a)
    missing = await get(api, f"/alerts/{uuid.uuid4()}", a.viewer, 404)
    assert await get(api, f"/alerts/{b_alert}", a.viewer, 404) == missing
    assert b_alert not in [x["id"] for x in (await get(api, "/alerts", a.viewer))["items"]]
    assert (await get(api, f"/alerts?user_id={b.user['id']}", a.viewer))["items"] == []

    missing = await get(api, f"/users/{uuid.uuid4()}/messages", a.viewer, 404)
    assert await get(api, f"/users/{b.user['id']}/messages", a.viewer, 404) == missing


async def store_conversation(api: TestClient, tenant: ApiTenant, start: datetime) -> list[str]:
    """Three exchanges (a message and its reply) a minute apart, then an SMS; texts newest first."""
    tenant_id, phone = uuid.UUID(tenant.id), tenant.user["phone"]
    texts = []
    async with database(api).unit_of_work(tenant_id) as uow:
        for i in range(3):
            at = start + timedelta(minutes=i)
            message = InboxMessage(
                id=uuid.uuid4(),
                tenant_id=tenant_id,
                channel="whatsapp",
                provider_message_id="SM" + uuid.uuid4().hex,
                sender=phone,
                recipient="+14155550100",
                text=f"gastei {i}0 no mercado",
                received_at=at,
                status="done",
                attempts=1,
                reply_text=f"Anotado {i}",
                media=(Attachment("https://api.twilio.com/m/0", "image/jpeg"),) if i == 0 else (),
            )
            await uow.inbox.add_if_absent(message)
            await uow.outbound.add(
                OutboundRecord(
                    id=uuid.uuid4(),
                    tenant_id=tenant_id,
                    channel="whatsapp",
                    recipient=phone,
                    body=f"Anotado {i}",
                    provider="twilio",
                    inbox_id=message.id,
                    provider_message_id="SM" + uuid.uuid4().hex,
                    status="delivered",
                    created_at=at + timedelta(seconds=2),
                    media_url="https://centavo.example.com/media/chart.png" if i == 0 else None,
                )
            )
            texts = [f"Anotado {i}", f"gastei {i}0 no mercado", *texts]
        await uow.inbox.add_if_absent(
            InboxMessage(
                id=uuid.uuid4(),
                tenant_id=tenant_id,
                channel="sms",
                provider_message_id="SM" + uuid.uuid4().hex,
                sender=phone,
                recipient="+14155550100",
                text="=1+1",
                received_at=start + timedelta(minutes=10),
                status="failed",
                attempts=3,
                error="TimeoutError",
                reply_text="Desculpe",
            )
        )
        await uow.commit()
    return ["=1+1", *texts]


async def test_a_users_conversation_log_pages_filters_and_exports(api) -> None:
    tenant = await make_tenant(api)
    start = datetime(2025, 3, 15, 12, 0, tzinfo=UTC)
    texts = await store_conversation(api, tenant, start)
    other = await make_tenant(api)  # the same person may be a user of another tenant too
    await store_conversation(api, other, start)
    path = f"/users/{tenant.user['id']}/messages"

    items = (await get(api, path, tenant.viewer))["items"]
    assert [m["text"] for m in items] == texts
    sms, reply, asked = items[0], items[1], items[2]
    assert (sms["direction"], sms["channel"], sms["status"], sms["attempts"], sms["error"]) == (
        "inbound",
        "sms",
        "failed",
        3,
        "TimeoutError",
    )
    assert (reply["direction"], reply["inbox_id"], reply["status"]) == ("outbound", asked["id"], "delivered")
    assert asked["reply_text"] == reply["text"] and asked["at"] < reply["at"]
    first_in, first_out = items[-1], items[-2]  # the first exchange came with a photo and got a picture
    assert (first_in["attachments"], first_in["media_url"]) == ("image/jpeg", None)
    assert (first_out["attachments"], first_out["media_url"]) == (
        None,
        "https://centavo.example.com/media/chart.png",
    )
    assert asked["attachments"] is None and reply["media_url"] is None
    for size in (1, 2, 3):
        assert [m["id"] for m in await every(api, path, tenant.viewer, size)] == [m["id"] for m in items]

    assert [m["text"] for m in (await get(api, f"{path}?channel=sms", tenant.viewer))["items"]] == ["=1+1"]
    since = quote((start + timedelta(minutes=1)).isoformat())
    until = quote((start + timedelta(minutes=10)).isoformat())
    window = (await get(api, f"{path}?since={since}&until={until}", tenant.viewer))["items"]
    assert [m["text"] for m in window] == texts[1:5]

    response = await api.get(f"{PREFIX}{path}", headers={**tenant.viewer, "Accept": "text/csv"})
    assert response.status == 200 and response.content_type == "text/csv"
    rows = list(csv.DictReader(io.StringIO(await response.text())))
    # A cell a spreadsheet would run as a formula is defused.
    assert [r["text"] for r in rows] == ["'=1+1", *texts[1:]]
    assert rows[0].keys() >= {"direction", "at", "status", "inbox_id", "alert_id", "reply_text"}

    filters = {
        **MessageQuery().model_dump(mode="json", exclude={"cursor", "limit", "format"}),
        "user_id": tenant.user["id"],
    }
    naive, aware = "2025-03-15T12:00:00", "2025-03-15T12:00:00+00:00"
    for key in (["x", "y"], [naive, str(uuid.uuid4())], [aware, "x"], [1, 2], [aware]):
        forged = paging.encode(key, "list_messages", filters)
        problem = await get(api, f"{path}?cursor={forged}", tenant.viewer, 422)
        assert problem["errors"][0]["field"] == "query.cursor"
    problem = await get(api, f"{path}?channel=telegram", tenant.viewer, 422)
    assert problem["errors"][0]["field"] == "query.channel"
    await get(api, f"/users/{tenant.user['id']}/messages", PLATFORM, 403)
