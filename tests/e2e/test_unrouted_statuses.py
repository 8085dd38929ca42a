"""A delivery status costs one directory lookup and at most one tenant transaction, however many tenants there
are (issue 11: an unrouted status was tried in every tenant, one transaction each)."""

from __future__ import annotations

import json
import time
import uuid
from collections import Counter
from urllib.parse import urlencode

import pytest
from aiohttp.test_utils import TestClient

from adapters.db import ChannelEndpoint, Database
from bot.app import create_app
from bot.bootstrap import Bootstrap
from bot.keys import DATABASE
from bot.settings import Settings
from domain.model import Language, Tenant
from tests.e2e.conftest import Routed, StubAgent, stub_factory
from tests.e2e.test_app import signed
from tests.e2e.test_meta import signature
from tests.e2e.test_status_callbacks import STATUS_PATH, status_form

TENANTS = 40
STATUSES = 60


@pytest.fixture
async def many_tenants(db: Database, routed: Routed) -> int:
    """TENANTS more tenants, each with a Twilio number and a Meta phone_number_id."""
    async with db.directory() as directory:
        for _ in range(TENANTS):
            tenant = Tenant(
                id=uuid.uuid4(),
                slug=f"t-{uuid.uuid4().hex[:12]}",
                name="Outra",
                language=Language.ES,
                locale="es_AR",
                currency="ARS",
                timezone="America/Argentina/Buenos_Aires",
            )
            await directory.tenants.add(tenant)
            number = "+1415" + str(uuid.uuid4().int % 10**7).zfill(7)
            await directory.endpoints.add(ChannelEndpoint(uuid.uuid4(), tenant.id, "twilio", number))
            await directory.endpoints.add(
                ChannelEndpoint(uuid.uuid4(), tenant.id, "meta", str(uuid.uuid4().int)[:15])
            )
        await directory.commit()
    return TENANTS


@pytest.fixture
async def counted(
    aiohttp_client, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> tuple[TestClient, Counter]:
    """The app, and how many directory and tenant transactions it opens."""
    client = await aiohttp_client(create_app(Bootstrap(settings, agent_factory=stub_factory(StubAgent()))))
    database: Database = client.app[DATABASE]
    opened: Counter[str] = Counter()
    directory, unit_of_work = database.directory, database.unit_of_work

    def count_directory():  # type: ignore[no-untyped-def]
        opened["directory"] += 1
        return directory()

    def count_unit_of_work(tenant_id: uuid.UUID):  # type: ignore[no-untyped-def]
        opened["tenant"] += 1
        return unit_of_work(tenant_id)

    monkeypatch.setattr(database, "directory", count_directory)
    monkeypatch.setattr(database, "unit_of_work", count_unit_of_work)
    return client, opened


async def test_twilio_statuses_cost_one_lookup_and_touch_no_tenant_when_unrouted(
    counted: tuple[TestClient, Counter], routed: Routed, many_tenants: int
) -> None:
    client, opened = counted
    started = time.perf_counter()
    for _ in range(STATUSES):
        params = {
            **status_form(routed, "SM" + uuid.uuid4().hex, "delivered"),
            "From": "whatsapp:+19995550000",
        }
        response = await client.post(STATUS_PATH, data=urlencode(params), headers=signed(params, STATUS_PATH))
        assert response.status == 204  # not ours, but Twilio must not retry it
    elapsed = time.perf_counter() - started
    assert opened == Counter(directory=STATUSES)  # was STATUSES x (1 + tenants) transactions
    print(f"{STATUSES} unrouted Twilio statuses with {many_tenants + 1} tenants: {elapsed:.2f} s")

    opened.clear()
    params = status_form(routed, "SM" + uuid.uuid4().hex, "delivered")
    assert (
        await client.post(STATUS_PATH, data=urlencode(params), headers=signed(params, STATUS_PATH))
    ).status == 204
    assert opened == Counter(directory=1, tenant=1)  # a routed one: its own tenant only


async def test_a_meta_batch_of_statuses_costs_one_lookup(
    counted: tuple[TestClient, Counter], routed: Routed, many_tenants: int
) -> None:
    client, opened = counted
    for phone_number_id, tenant_transactions in (
        ("999000111222333", 0),
        (routed.meta_phone_number_id, STATUSES),
    ):
        opened.clear()
        statuses = [{"id": f"wamid.{uuid.uuid4().hex}", "status": "delivered"} for _ in range(STATUSES)]
        value = {"metadata": {"phone_number_id": phone_number_id}, "statuses": statuses}
        body = json.dumps({"object": "whatsapp_business_account", "entry": [{"changes": [{"value": value}]}]})
        response = await client.post("/webhooks/meta", data=body.encode(), headers=signature(body.encode()))
        assert response.status == 200
        expected = Counter(directory=1, tenant=tenant_transactions)
        assert opened == +expected
