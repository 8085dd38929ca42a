"""Isolation, generically over every operation the registry holds: another tenant's ids answer exactly like
ids that do not exist and change nothing; a viewer key cannot write; a revoked key gets 401; platform
operations refuse tenant keys and tenant operations the platform key. A new operation needs only a sample."""

from __future__ import annotations

import json
import re
import uuid
from typing import Any

import pytest
from aiohttp.test_utils import TestClient

from bot.admin import operations
from bot.admin.api import PREFIX, Operation
from tests.e2e.admin.conftest import PLATFORM, ApiTenant, make_tenant, raise_alert

pytestmark = pytest.mark.integration

# A valid body for every operation that takes one, so the request gets past validation to the ids. "{x_id}"
# strings are filled with the ids of the tenant under test.
SAMPLES: dict[str, dict[str, Any]] = {
    "create_tenant": {"slug": "t-x", "name": "X", "currency": "USD", "locale": "en_US", "timezone": "UTC"},
    "route_channel": {"provider": "meta", "address": "123456789"},
    "create_api_key": {"name": "k", "role": "viewer"},
    "update_settings": {"week_start": "sunday"},
    "create_user": {"phone": "+5511911112222"},
    "update_user_route": {"name": "Someone else", "week_start": "saturday"},
    "create_account": {"name": "Savings", "kind": "savings"},
    "update_account_route": {"name": "Renamed", "kind": "savings"},
    "create_budget": {"user_id": "{user_id}", "amount": "300", "category": "transport"},
    "update_budget_route": {"amount": "999"},
    "create_goal": {"user_id": "{user_id}", "name": "Trip", "target": "1000"},
    "contribute_to_goal": {"amount": "1"},
    "create_recurring_rule": {"user_id": "{user_id}", "kind": "expense", "amount": "30", "cadence": "weekly"},
    "update_recurring_rule": {"bill": True},
    "create_transaction": {"user_id": "{user_id}", "kind": "expense", "amount": "12.50"},
    "update_transaction_route": {"amount": "99.99", "note": "changed"},
    "create_transfer": {
        "user_id": "{user_id}",
        "from_account_id": "{account_id}",
        "to_account_id": "{account_id}",
        "amount": "5",
    },
    "create_merchant_route": {"name": "Padaria do Zé", "aliases": ["zezinho"], "category": "dining"},
    "create_household_route": {"name": "Casa", "members": ["{user_id}"]},
    "update_household_route": {"name": "Lar"},
    "add_household_member": {"user_id": "{user_id}"},
    "update_merchant_route": {"category": "groceries"},
}
CSV_SAMPLES: dict[str, str] = {
    "import_statement_route": "date,description,amount\n2024-03-15,PADARIA,-10.00\n",
}
"""A valid text/csv body for every operation that takes one."""


async def ids_of(api: TestClient, tenant: ApiTenant) -> dict[str, str]:
    """One id of each kind in `tenant`, made through the API."""
    user_id = tenant.user["id"]
    accounts = await (await api.get(f"{PREFIX}/users/{user_id}/accounts", headers=tenant.admin)).json()
    budget = await api.post(
        f"{PREFIX}/budgets",
        json={"user_id": user_id, "amount": "500", "category": "dining"},
        headers=tenant.admin,
    )
    assert budget.status == 201, await budget.text()
    transaction = await api.post(
        f"{PREFIX}/transactions",
        json={"user_id": user_id, "kind": "expense", "amount": "7.50"},
        headers=tenant.admin,
    )
    assert transaction.status == 201, await transaction.text()
    account_id = accounts["items"][0]["id"]
    merchant = await api.post(
        f"{PREFIX}/merchants", json={"name": f"Shop {uuid.uuid4().hex}"}, headers=tenant.admin
    )
    assert merchant.status == 201, await merchant.text()
    rule = await api.post(
        f"{PREFIX}/recurring-rules",
        json={"user_id": user_id, "kind": "expense", "amount": "39.90", "cadence": "monthly", "anchor": 1},
        headers=tenant.admin,
    )
    assert rule.status == 201, await rule.text()
    goal = await api.post(
        f"{PREFIX}/goals",
        json={"user_id": user_id, "name": f"Goal {uuid.uuid4().hex[:8]}", "target": "5000"},
        headers=tenant.admin,
    )
    assert goal.status == 201, await goal.text()
    household = await api.post(
        f"{PREFIX}/households", json={"name": "Casa", "members": [user_id]}, headers=tenant.admin
    )
    assert household.status == 201, await household.text()
    statement = f"date,description,amount\n2024-03-01,SHOP {uuid.uuid4().hex},-1.00\n"
    imported = await api.post(
        f"{PREFIX}/accounts/{account_id}/imports",
        data=statement.encode(),
        headers={**tenant.admin, "Content-Type": "text/csv"},
    )
    assert imported.status == 201, await imported.text()
    return {
        "transaction_id": (await transaction.json())["id"],
        "tenant_id": tenant.id,
        "user_id": user_id,
        "account_id": account_id,
        "budget_id": (await budget.json())["id"],
        "key_id": tenant.viewer_key_id,
        "alert_id": await raise_alert(api, tenant),
        "merchant_id": (await merchant.json())["id"],
        "import_id": (await imported.json())["statement"]["id"],
        "rule_id": (await rule.json())["id"],
        "goal_id": (await goal.json())["id"],
        "household_id": (await household.json())["id"],
    }


def fill(value: Any, ids: dict[str, str]) -> Any:
    if isinstance(value, str):
        return re.sub(r"\{(\w+)\}", lambda m: ids[m.group(1)], value)
    if isinstance(value, dict):
        return {k: fill(v, ids) for k, v in value.items()}
    if isinstance(value, list):
        return [fill(v, ids) for v in value]
    return value


def request_for(op: Operation, ids: dict[str, str]) -> tuple[str, dict[str, Any] | None]:
    missing = [name for name in op.path_ids if name not in ids]
    assert not missing, f"{op.operation_id}: teach ids_of() to make a {missing}"
    body = None
    if op.body is not None:
        assert op.operation_id in SAMPLES, f"add a sample body for {op.operation_id} to SAMPLES"
        body = fill(SAMPLES[op.operation_id], ids)
    elif op.body_media == "text/csv":
        assert op.operation_id in CSV_SAMPLES, f"add a sample file for {op.operation_id} to CSV_SAMPLES"
        body = fill(CSV_SAMPLES[op.operation_id], ids)
    return PREFIX + fill(op.path, ids), body


async def call(
    api: TestClient, op: Operation, path: str, body: Any, headers: dict[str, str]
) -> tuple[int, Any]:
    if op.body_media == "text/csv":
        headers = {**headers, "Content-Type": "text/csv"}
        response = await api.request(op.method, path, data=str(body).encode(), headers=headers)
    else:
        response = await api.request(op.method, path, json=body, headers=headers)
    text = await response.text()
    try:
        return response.status, json.loads(text) if text else None
    except ValueError:
        return response.status, text


async def snapshot(api: TestClient, tenant: ApiTenant) -> list[Any]:
    """Everything a tenant's admin can read through the listings and the tenant's settings."""
    seen = []
    for op in operations():
        if op.method == "GET" and op.scope == "tenant" and not op.path_ids:
            status, body = await call(api, op, PREFIX + op.path, None, tenant.admin)
            seen.append((op.operation_id, status, body))
    return seen


async def test_another_tenants_ids_answer_like_missing_ones_and_change_nothing(api) -> None:
    a, b = await make_tenant(api), await make_tenant(api)
    b_ids = await ids_of(api, b)
    nowhere = {name: str(uuid.uuid4()) for name in b_ids}
    before = await snapshot(api, b)
    checked = []
    for op in operations():
        if op.scope != "tenant" or not (
            op.path_ids or (op.body is not None and "_id}" in json.dumps(SAMPLES.get(op.operation_id, {})))
        ):
            continue
        path_b, body_b = request_for(op, b_ids)
        path_x, body_x = request_for(op, nowhere)
        status_b, answer_b = await call(api, op, path_b, body_b, a.admin)
        status_x, answer_x = await call(api, op, path_x, body_x, a.admin)
        assert status_b == 404, f"{op.method} {op.path} with B's ids answered {status_b}: {answer_b}"
        assert (status_b, answer_b) == (status_x, answer_x), (
            f"{op.method} {op.path}: B's ids answer differently"
        )
        checked.append(op.operation_id)
    assert {"get_user", "update_user_route", "create_account", "get_budget", "delete_budget_route"} <= set(
        checked
    )
    assert {"create_household_route", "get_household_balances", "remove_household_member"} <= set(checked)
    assert await snapshot(api, b) == before


async def test_a_viewer_key_reads_but_cannot_write(api, tenant_a: ApiTenant) -> None:
    ids = await ids_of(api, tenant_a)
    for op in operations():
        if op.scope != "tenant":
            continue
        path, body = request_for(op, ids)
        status, answer = await call(api, op, path, body, tenant_a.viewer)
        if op.write:
            assert status == 403, f"viewer {op.method} {op.path}: {status} {answer}"
            assert answer["type"].endswith("/forbidden")
        elif op.operation_id != "list_keys":  # the key list is for admins (it shows who can write)
            assert status == 200, f"viewer {op.method} {op.path}: {status} {answer}"


async def test_a_revoked_key_gets_401_everywhere(api, tenant_a: ApiTenant) -> None:
    ids = await ids_of(api, tenant_a)
    response = await api.delete(f"{PREFIX}/keys/{tenant_a.viewer_key_id}", headers=tenant_a.admin)
    assert response.status == 200 and (await response.json())["revoked_at"] is not None
    for op in operations():
        path, body = request_for(op, ids)
        status, answer = await call(api, op, path, body, tenant_a.viewer)
        assert status == 401, f"revoked key on {op.method} {op.path}: {status}"
        assert answer["status"] == 401
    # Revoking twice is a 404: the live key it names is gone.
    assert (await api.delete(f"{PREFIX}/keys/{tenant_a.viewer_key_id}", headers=tenant_a.admin)).status == 404


async def test_platform_operations_refuse_tenant_keys_and_tenant_operations_the_platform_key(
    api, tenant_a: ApiTenant
) -> None:
    ids = await ids_of(api, tenant_a)
    platform_ops = [op for op in operations() if op.scope == "platform"]
    assert {op.operation_id for op in platform_ops} >= {"create_tenant", "list_tenants", "route_channel"}
    for op in operations():
        path, body = request_for(op, ids)
        if op.scope == "platform":
            status, _ = await call(api, op, path, body, tenant_a.admin)
        else:
            status, _ = await call(api, op, path, body, PLATFORM)
        assert status == 403, f"{op.method} {op.path} with the wrong kind of key: {status}"
