"""The real app with the real agent: signed Twilio posts in three languages give the right reply and rows."""

from __future__ import annotations

import asyncio
import uuid
from urllib.parse import urlencode

import pytest
import sqlalchemy as sa
from aiohttp.test_utils import TestClient

from adapters.db import Database
from adapters.db.tables import inbox, transactions, users
from bot.app import create_app
from bot.bootstrap import Bootstrap
from bot.conversation import agent_factory
from bot.settings import Settings
from tests.e2e.conftest import Routed
from tests.e2e.test_app import signed


@pytest.fixture
async def client(aiohttp_client, settings: Settings) -> TestClient:
    return await aiohttp_client(create_app(Bootstrap(settings, agent_factory=agent_factory)))


def form(routed: Routed, body: str, sender: str = "+5511987654321", sid: str | None = None) -> dict[str, str]:
    return {
        "MessageSid": sid or "SM" + uuid.uuid4().hex,
        "From": "whatsapp:" + sender,
        "To": "whatsapp:" + routed.twilio_number,
        "Body": body,
        "NumMedia": "0",
    }


async def post(client: TestClient, params: dict[str, str]) -> str:
    response = await client.post("/webhooks/twilio", data=urlencode(params), headers=signed(params))
    assert response.status == 200
    return await response.text()


async def stored(db: Database, routed: Routed) -> list[dict]:
    query = sa.select(transactions).where(transactions.c.tenant_id == routed.tenant.id)
    async with db.unit_of_work(routed.tenant.id) as uow:
        return [dict(row) for row in (await uow.execute(query)).mappings()]


@pytest.mark.parametrize(
    ("text", "sender", "shown", "minor", "lang"),
    [
        ("gastei R$ 45,90 no mercado ontem", "+5511987650001", "R$ 45,90", 4590, "pt"),
        ("gasté 30 reales en el super", "+5511987650002", "R$ 30,00", 3000, "es"),
        ("spent 12.50 reais on lunch", "+5511987650003", "R$ 12,50", 1250, "en"),
    ],
)
async def test_a_first_message_enrols_the_sender_and_records_the_expense(
    client: TestClient,
    db: Database,
    routed: Routed,
    text: str,
    sender: str,
    shown: str,
    minor: int,
    lang: str,
) -> None:
    reply = await post(client, form(routed, text, sender))
    assert shown in reply
    rows = await stored(db, routed)
    assert [(r["amount_minor"], r["currency"], r["kind"]) for r in rows] == [(minor, "BRL", "expense")]
    async with db.unit_of_work(routed.tenant.id) as uow:
        user = (await uow.execute(sa.select(users).where(users.c.phone == sender))).mappings().one()
    assert user["language"] == lang


async def test_twenty_concurrent_deliveries_record_one_transaction(
    client: TestClient, db: Database, routed: Routed
) -> None:
    params = form(routed, "uber 23")
    replies = await asyncio.gather(*(post(client, params) for _ in range(20)))
    assert len(await stored(db, routed)) == 1
    assert any("23" in r for r in replies)


@pytest.mark.parametrize(
    ("sender", "spend", "undo", "yes", "no", "merchant_only", "merchant"),
    [
        ("+5511987650011", "gastei 18 na padaria", "desfaz", "sim", "não", "gastei no uber", "Uber"),
        ("+5511987650012", "gasté 18 en la panadería", "deshacer", "sí", "no", "compré en el oxxo", "Oxxo"),
        ("+5511987650013", "spent 18 at the bakery", "undo", "yes", "no", "spent at uber", "Uber"),
    ],
)
async def test_undo_confirmation_and_amount_follow_up(
    client: TestClient,
    db: Database,
    routed: Routed,
    sender: str,
    spend: str,
    undo: str,
    yes: str,
    no: str,
    merchant_only: str,
    merchant: str,
) -> None:
    async def live() -> list[dict]:
        return [r for r in await stored(db, routed) if r["deleted_at"] is None]

    assert "18" in await post(client, form(routed, spend, sender))
    await post(client, form(routed, undo, sender))
    await post(client, form(routed, no, sender))  # kept
    assert len(await live()) == 1
    await post(client, form(routed, undo, sender))
    await post(client, form(routed, yes, sender))  # deleted
    assert await live() == []

    question = await post(client, form(routed, merchant_only, sender))
    assert "<Message" in question and await live() == []
    answer = await post(client, form(routed, "23", sender))
    if not await live():  # an unsure reading states what it would record and asks first
        assert "23,00" in answer and merchant in answer
        answer = await post(client, form(routed, yes, sender))
    assert "23,00" in answer
    recorded = await live()
    assert [(r["amount_minor"], r["merchant"]) for r in recorded] == [(2300, merchant)]


@pytest.mark.parametrize(
    ("sender", "spend", "edit", "yes"),
    [
        ("+5511987650021", "gastei 18 na padaria", "muda pra 45", "sim"),
        ("+5511987650022", "gasté 18 en la panadería", "cámbialo a 45", "sí"),
        ("+5511987650023", "spent 18 at the bakery", "actually it was 45", "yes"),
    ],
)
async def test_edit_asks_first_and_changes_on_yes(
    client: TestClient, db: Database, routed: Routed, sender: str, spend: str, edit: str, yes: str
) -> None:
    await post(client, form(routed, spend, sender))
    question = await post(client, form(routed, edit, sender))
    assert "45" in question
    assert [r["amount_minor"] for r in await stored(db, routed)] == [1800]  # nothing changes before yes
    await post(client, form(routed, yes, sender))
    assert [r["amount_minor"] for r in await stored(db, routed)] == [4500]


async def test_metrics_time_the_nlu_and_count_refused_webhooks(client: TestClient, routed: Routed) -> None:
    await post(client, form(routed, "uber 23"))
    await post(client, form(routed, "quanto gastei esse mês?"))
    params = form(routed, "uber 99")
    forged = {**signed(params), "X-Twilio-Signature": "forged"}
    assert (await client.post("/webhooks/twilio", data=urlencode(params), headers=forged)).status == 403

    metrics = await (await client.get("/metrics")).text()
    # Each message is parsed once, plus once more for a new sender's enrolment (their language).
    assert "nlu_seconds_count 3.0" in metrics
    assert 'nlu_seconds_bucket{le="0.0002"}' in metrics
    assert 'errors_total{kind="webhook_refused"} 1.0' in metrics
    assert 'messages_in_total{channel="whatsapp",outcome="stored"} 2.0' in metrics


async def rows_of(db: Database, routed: Routed, table: sa.Table) -> list[dict]:
    query = sa.select(table).where(table.c.tenant_id == routed.tenant.id)
    async with db.unit_of_work(routed.tenant.id) as uow:
        return [dict(row) for row in (await uow.execute(query)).mappings()]


async def test_signed_media_without_text_gets_a_helpful_reply_and_records_nothing(
    client: TestClient, db: Database, routed: Routed
) -> None:
    params = {**form(routed, ""), "NumMedia": "1", "MediaUrl0": "https://api.twilio.com/m/1.jpg"}
    params["MediaContentType0"] = "image/jpeg"
    reply = await post(client, params)
    # An agent built without the media reader (agent_factory alone): the photo cannot be opened, and says so.
    assert "Não consegui abrir esse arquivo" in reply  # a new sender: the tenant's Portuguese
    assert await stored(db, routed) == []
    (row,) = await rows_of(db, routed, inbox)
    assert row["status"] == "done" and row["text"] == ""


@pytest.mark.parametrize("missing", ["From", "To", "MessageSid", "Body"])
async def test_signed_posts_missing_a_field_are_400_and_store_nothing(
    client: TestClient, db: Database, routed: Routed, missing: str
) -> None:
    params = form(routed, "gastei 10 no mercado")
    del params[missing]
    response = await client.post("/webhooks/twilio", data=urlencode(params), headers=signed(params))
    assert response.status == 400
    assert missing in await response.text()
    assert await rows_of(db, routed, inbox) == [] and await stored(db, routed) == []


async def test_unknown_fields_are_ignored(client: TestClient, db: Database, routed: Routed) -> None:
    params = {**form(routed, "gastei 12 no mercado"), "SomethingNew": "x", "ChannelMetadata": "{}"}
    assert "R$ 12,00" in await post(client, params)
    assert [r["amount_minor"] for r in await stored(db, routed)] == [1200]


async def test_the_longest_message_gets_a_reply_that_fits(
    client: TestClient, db: Database, routed: Routed
) -> None:
    reply = await post(client, form(routed, ("bla " * 400)[:1600]))
    text = reply.split("<Message", 1)[1].split(">", 1)[1].split("</Message>", 1)[0]
    assert 0 < len(text) <= 1600
    assert await stored(db, routed) == []


@pytest.mark.parametrize(
    ("sender", "spend", "answer", "category"),
    [
        ("+5511987650031", "gastei 45", "mercado", "groceries"),
        ("+5511987650032", "gasté 45", "en la farmacia", "health"),
        ("+5511987650033", "spent 45", "lunch", "dining"),
    ],
)
async def test_an_expense_without_a_category_is_asked_for_one(
    client: TestClient, db: Database, routed: Routed, sender: str, spend: str, answer: str, category: str
) -> None:
    question = await post(client, form(routed, spend, sender))
    assert "?" in question and await stored(db, routed) == []
    reply = await post(client, form(routed, answer, sender))
    assert "45,00" in reply
    if not await stored(db, routed):  # an unsure reading states what it would record and asks first
        reply = await post(client, form(routed, {"+5511987650032": "sí"}.get(sender, "yes"), sender))
    assert "45,00" in reply
    assert [(r["amount_minor"], r["category"]) for r in await stored(db, routed)] == [(4500, category)]
