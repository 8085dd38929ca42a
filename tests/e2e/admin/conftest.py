"""Admin API fixtures: the real app (PostgreSQL, Redis) with a platform key; tenants made through the API."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, replace
from typing import Any

import pytest
from aiohttp.test_utils import TestClient

from bot.app import create_app
from bot.bootstrap import Bootstrap
from bot.settings import Settings

PLATFORM_KEY = "platform-" + "p" * 40


@pytest.fixture
def admin_settings(settings: Settings) -> Settings:
    return replace(settings, platform_key=PLATFORM_KEY, api_rate_burst=10_000, api_rate_per_second=10_000.0)


@pytest.fixture
async def api(aiohttp_client, admin_settings: Settings) -> TestClient:
    return await aiohttp_client(create_app(Bootstrap(admin_settings, agent=False)))


def bearer(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


PLATFORM = bearer(PLATFORM_KEY)


@dataclass(frozen=True)
class ApiTenant:
    """A tenant made through POST /tenants, with its first admin key, a viewer key and one user."""

    id: str
    slug: str
    admin: dict[str, str]
    viewer: dict[str, str]
    admin_key_id: str
    viewer_key_id: str
    user: dict[str, Any]


async def make_tenant(api: TestClient, *, currency: str = "BRL", locale: str = "pt_BR") -> ApiTenant:
    slug = f"t-{uuid.uuid4().hex[:10]}"
    body = {
        "slug": slug,
        "name": "Casa",
        "currency": currency,
        "locale": locale,
        "timezone": "America/Sao_Paulo",
    }
    response = await api.post("/api/v1/tenants", json=body, headers=PLATFORM)
    assert response.status == 201, await response.text()
    created = await response.json()
    admin = bearer(created["admin_key"]["key"])
    response = await api.post("/api/v1/keys", json={"name": "support", "role": "viewer"}, headers=admin)
    assert response.status == 201, await response.text()
    issued = await response.json()
    viewer = bearer(issued["key"])
    phone = "+55119" + str(uuid.uuid4().int % 10**8).zfill(8)
    response = await api.post("/api/v1/users", json={"phone": phone, "name": "Ana"}, headers=admin)
    assert response.status == 201, await response.text()
    return ApiTenant(
        created["tenant"]["id"],
        slug,
        admin,
        viewer,
        created["admin_key"]["id"],
        issued["id"],
        await response.json(),
    )


@pytest.fixture
async def tenant_a(api: TestClient) -> ApiTenant:
    return await make_tenant(api)


@pytest.fixture
async def tenant_b(api: TestClient) -> ApiTenant:
    return await make_tenant(api)
