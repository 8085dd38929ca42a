"""The admin API's contract: keys and roles, problem+json, validation, idempotency, rate limits, CSV."""

from __future__ import annotations

import pytest

from tests.e2e.admin.conftest import ApiTenant

pytestmark = pytest.mark.integration


async def test_a_tenant_made_by_the_platform_gets_a_working_admin_key(api, tenant_a: ApiTenant) -> None:
    response = await api.get("/api/v1/settings", headers=tenant_a.admin)
    assert response.status == 200
    settings = await response.json()
    assert settings["currency"] == "BRL" and settings["language"] == "pt"
    assert settings["alert_thresholds"] == [80, 100] and settings["quiet_hours"] is None
