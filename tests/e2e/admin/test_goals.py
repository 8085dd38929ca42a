"""Savings goals through the admin API on PostgreSQL: money put in is a transfer (balances move, spending and
income totals do not), progress and pace are reported, and a closed goal takes no more."""

from __future__ import annotations

from typing import Any

import pytest
from aiohttp.test_utils import TestClient

from tests.e2e.admin.conftest import ApiTenant

pytestmark = pytest.mark.integration

API = "/api/v1"


async def _json(response: Any, status: int) -> Any:
    assert response.status == status, await response.text()
    return await response.json()


async def test_money_put_into_a_goal_moves_between_accounts_and_is_not_spending(
    api: TestClient, tenant_a: ApiTenant
) -> None:
    user_id = tenant_a.user["id"]
    body = {"user_id": user_id, "name": "Vacation", "target": "1000", "target_date": "2099-06-30"}
    goal = await _json(await api.post(f"{API}/goals", json=body, headers=tenant_a.admin), 201)
    assert (goal["saved"], goal["left"], goal["pace"]) == ("0.00", "1000.00", "on_track")

    put = {"amount": "250"}
    path = f"{API}/goals/{goal['id']}/contributions"
    contribution = await _json(await api.post(path, json=put, headers=tenant_a.admin), 201)
    assert contribution["goal"]["saved"] == "250.00" and contribution["goal"]["left"] == "750.00"
    taken = await _json(
        await api.post(path, json={"amount": "50", "withdraw": True}, headers=tenant_a.admin), 201
    )
    assert taken["goal"]["saved"] == "200.00"
    refused = await api.post(path, json={"amount": "500", "withdraw": True}, headers=tenant_a.admin)
    assert refused.status == 422

    accounts = await _json(await api.get(f"{API}/users/{user_id}/accounts", headers=tenant_a.viewer), 200)
    by_name = {a["name"]: a for a in accounts["items"]}
    assert by_name["Vacation"]["kind"] == "savings"
    listed = await _json(await api.get(f"{API}/transactions?user_id={user_id}", headers=tenant_a.viewer), 200)
    legs = [t for t in listed["items"] if t.get("transfer_id")]
    assert len(legs) == 4  # two transfers, two legs each: no expense, no income of its own
    assert all(t["note"] == "Vacation" for t in legs)

    read = await _json(await api.get(f"{API}/goals/{goal['id']}", headers=tenant_a.viewer), 200)
    assert read["saved"] == "200.00" and read["months_left"] is not None

    assert (await api.delete(f"{API}/goals/{goal['id']}", headers=tenant_a.admin)).status == 204
    closed = await api.post(path, json=put, headers=tenant_a.admin)
    assert closed.status == 422
    assert (await _json(await api.get(f"{API}/goals/{goal['id']}", headers=tenant_a.viewer), 200))[
        "saved"
    ] == ("200.00")


async def test_a_goal_cannot_take_an_existing_accounts_name(api: TestClient, tenant_a: ApiTenant) -> None:
    user_id = tenant_a.user["id"]
    accounts = await _json(await api.get(f"{API}/users/{user_id}/accounts", headers=tenant_a.viewer), 200)
    name = accounts["items"][0]["name"]
    response = await api.post(
        f"{API}/goals", json={"user_id": user_id, "name": name, "target": "10"}, headers=tenant_a.admin
    )
    assert response.status == 409
