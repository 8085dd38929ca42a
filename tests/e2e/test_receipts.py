"""A receipt photo through the real app: downloaded from a fake Twilio (or Meta) with the provider's
credentials, read, offered for a yes / no, and written only after the yes; voice notes, files, huge pictures
and photos with a caption get what a person would expect."""

from __future__ import annotations

import io
import json
import uuid
from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime, timedelta
from pathlib import Path
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

import matplotlib
import pytest
import sqlalchemy as sa
from aiohttp.test_utils import TestClient
from PIL import Image, ImageDraw, ImageFont

from adapters.db import Database
from adapters.db.tables import transactions
from bot.app import create_app
from bot.bootstrap import Bootstrap
from bot.settings import Settings
from tests.e2e.conftest import TWILIO_SID, TWILIO_TOKEN, Routed
from tests.e2e.test_app import signed
from tests.e2e.test_meta import signature
from tests.integration.fake_providers import FakeProviders

SENDER = "+5511987654321"
BOUGHT = datetime.now(ZoneInfo("America/Sao_Paulo")).date() - timedelta(days=2)
"""The receipt's day: two days ago in the tenant's zone (the app runs on the real clock)."""
PAO_DE_ACUCAR = (
    "PAO DE ACUCAR",
    "CNPJ 47.508.411/0001-56",
    "AV PAULISTA 1000 SAO PAULO",
    f"{BOUGHT:%d/%m/%Y} 14:32",
    "ARROZ 5KG          27,90",
    "FEIJAO 1KG          8,50",
    "LEITE 1L X3        15,00",
    "CAFE 500G          36,00",
    "VALOR TOTAL R$     87,40",
    "DINHEIRO          100,00",
    "TROCO              12,60",
)


def receipt_png(lines: Sequence[str]) -> bytes:
    """A clean receipt as a phone would photograph it (the noisy ones are bench/receipts.py's business)."""
    font = ImageFont.truetype(str(Path(matplotlib.get_data_path()) / "fonts/ttf/DejaVuSansMono.ttf"), 24)
    image = Image.new("L", (520, 40 + 34 * len(lines)), 255)
    draw = ImageDraw.Draw(image)
    for row, line in enumerate(lines):
        draw.text((20, 20 + 34 * row), line, font=font, fill=0)
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


@pytest.fixture
async def app(aiohttp_client, aiohttp_server, settings: Settings) -> tuple[TestClient, FakeProviders, str]:
    """The real app and agent; Twilio and Meta are a local fake holding the files people sent."""
    fake = FakeProviders(twilio_sid=TWILIO_SID, twilio_token=TWILIO_TOKEN, meta_token="meta-token")
    server = await aiohttp_server(fake.app())
    base = str(server.make_url("")).rstrip("/")
    configured = replace(
        settings,
        twilio_api_base_url=base,
        meta_access_token="meta-token",
        meta_graph_base_url=base + "/v21.0",
        webhook_deadline_s=60.0,  # the OCR's first read loads its model: the reply still rides on the TwiML
    )
    client = await aiohttp_client(create_app(Bootstrap(configured)))
    return client, fake, base


async def say(client: TestClient, routed: Routed, body: str = "", **media: str) -> str:
    params = {
        "MessageSid": "SM" + uuid.uuid4().hex,
        "From": "whatsapp:" + SENDER,
        "To": "whatsapp:" + routed.twilio_number,
        "Body": body,
        "NumMedia": "1" if media else "0",
        **media,
    }
    response = await client.post("/webhooks/twilio", data=urlencode(params), headers=signed(params))
    assert response.status == 200
    return await response.text()


def photo(fake: FakeProviders, base: str, body: bytes, content_type: str = "image/png") -> dict[str, str]:
    url = fake.twilio_media_url(base, fake.add_file(content_type, body))
    return {"MediaUrl0": url, "MediaContentType0": content_type}


async def ledger(db: Database, routed: Routed) -> list[tuple[int, str, str | None, str]]:
    query = sa.select(
        transactions.c.amount_minor,
        transactions.c.currency,
        transactions.c.merchant,
        transactions.c.occurred_on,
    ).where(transactions.c.tenant_id == routed.tenant.id, transactions.c.deleted_at.is_(None))
    async with db.unit_of_work(routed.tenant.id) as uow:
        return [(r[0], r[1], r[2], str(r[3])) for r in (await uow.execute(query)).all()]


async def test_a_receipt_photo_is_read_confirmed_then_recorded_once(
    app, db: Database, routed: Routed
) -> None:
    client, fake, base = app
    png = receipt_png(PAO_DE_ACUCAR)
    await say(client, routed, "oi")  # enrolled first, so the reply is only the receipt's question
    asked = await say(client, routed, **photo(fake, base, png))
    assert "Recibo: Pão de Açúcar, R$ 87,40" in asked and "Anoto? sim / não" in asked, asked
    assert await ledger(db, routed) == []  # never written straight from a photo
    [fetch] = fake.media_fetches
    assert fetch.headers["Authorization"].startswith("Basic ")  # with the account's credentials

    done = await say(client, routed, "sim")
    assert "87,40" in done
    assert await ledger(db, routed) == [(8740, "BRL", "Pão de Açúcar", BOUGHT.isoformat())]

    again = await say(client, routed, **photo(fake, base, png))  # the same photo, sent again
    assert "já está anotado" in again
    assert len(await ledger(db, routed)) == 1


async def test_a_no_drops_the_receipt_and_writes_nothing(app, db: Database, routed: Routed) -> None:
    client, fake, base = app
    await say(client, routed, "oi")
    await say(client, routed, **photo(fake, base, receipt_png(PAO_DE_ACUCAR)))
    dropped = await say(client, routed, "não")
    assert "87,40" in dropped
    assert await ledger(db, routed) == []


async def test_a_caption_is_the_message(app, db: Database, routed: Routed) -> None:
    client, fake, base = app
    await say(client, routed, "oi")
    reply = await say(client, routed, "uber 23", **photo(fake, base, receipt_png(PAO_DE_ACUCAR)))
    assert "23,00" in reply
    assert fake.media_fetches == []  # the text said it all: the photo is not even downloaded
    assert [(amount, merchant) for amount, _, merchant, _ in await ledger(db, routed)] == [(2300, "Uber")]


@pytest.mark.parametrize(
    ("content_type", "body", "expected", "downloaded"),
    [
        ("audio/ogg", b"OggS" + b"\x00" * 100, "não consigo ouvir áudios", False),
        ("video/mp4", b"\x00" * 100, "Não consigo ver vídeos", False),
        ("application/pdf", b"%PDF-1.4", "Só leio fotos de recibos", False),
        ("image/jpeg", b"\xff\xd8" + b"\x00" * (6 * 1024 * 1024), "grande demais", True),
        ("image/png", b"not a picture at all", "Não consegui ler essa foto", True),
    ],
)
async def test_what_cannot_be_read_gets_a_clear_answer(
    app, db: Database, routed: Routed, content_type: str, body: bytes, expected: str, downloaded: bool
) -> None:
    client, fake, base = app
    await say(client, routed, "oi")
    reply = await say(client, routed, **photo(fake, base, body, content_type))
    assert expected in reply, reply
    assert bool(fake.media_fetches) is downloaded  # audio, video and files are told by their type alone
    assert await ledger(db, routed) == []


async def test_a_photo_sent_through_meta_is_fetched_with_the_access_token(
    app, db: Database, routed: Routed
) -> None:
    client, fake, _ = app
    media_id = fake.add_file("image/png", receipt_png(PAO_DE_ACUCAR))
    value = {
        "messaging_product": "whatsapp",
        "metadata": {"display_phone_number": "15550001111", "phone_number_id": routed.meta_phone_number_id},
        "contacts": [{"profile": {"name": "Ana"}, "wa_id": SENDER.lstrip("+")}],
        "messages": [
            {
                "from": SENDER.lstrip("+"),
                "id": "wamid." + uuid.uuid4().hex,
                "timestamp": "1763500000",
                "type": "image",
                "image": {"id": media_id, "mime_type": "image/png"},
            }
        ],
    }
    body = json.dumps(
        {
            "object": "whatsapp_business_account",
            "entry": [{"id": "W", "changes": [{"field": "messages", "value": value}]}],
        }
    ).encode()
    response = await client.post("/webhooks/meta", data=body, headers=signature(body))
    assert response.status == 200
    sent = [r.json for r in fake.of("meta")]
    assert any("Pão de Açúcar" in m["text"]["body"] and "87,40" in m["text"]["body"] for m in sent), sent
    assert {r.headers["Authorization"] for r in fake.media_fetches} == {"Bearer meta-token"}
    assert await ledger(db, routed) == []
