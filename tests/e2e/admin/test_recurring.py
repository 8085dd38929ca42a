"""Recurring rules through the admin API: a rule due today records at once, once; cancelling keeps what it
recorded; a viewer reads but cannot start one."""

from __future__ import annotations

from typing import Any

import pytest
from aiohttp.test_utils import TestClient

from tests.e2e.admin.conftest import ApiTenant

pytestmark = pytest.mark.integration

API = "/api/v1"


async def _rule(api: TestClient, tenant: ApiTenant, **fields: Any) -> Any:
    body = {
        "user_id": tenant.user["id"],
        "kind": "expense",
        "amount": "39.90",
        "cadence": "monthly",
        **fields,
    }
    return await api.post(f"{API}/recurring-rules", json=body, headers=tenant.admin)


async def test_a_rule_due_today_records_once_and_cancelling_keeps_it(
    api: TestClient, tenant_a: ApiTenant
) -> None:
    response = await _rule(api, tenant_a, merchant="Netflix", category="subscriptions")
    assert response.status == 201, await response.text()
    rule = await response.json()
    [recorded] = rule["recorded"]
    assert rule["cadence"] == "monthly" and rule["amount"] == "39.90" and rule["cancelled_at"] is None
    transaction = await (await api.get(f"{API}/transactions/{recorded}", headers=tenant_a.viewer)).json()
    assert (transaction["source"], transaction["merchant"], transaction["amount"]) == (
        "recurring",
        "Netflix",
        "39.90",
    )
    assert transaction["occurred_on"] < rule["next_due"]

    assert (await api.delete(f"{API}/recurring-rules/{rule['id']}", headers=tenant_a.admin)).status == 204
    cancelled = await (await api.get(f"{API}/recurring-rules/{rule['id']}", headers=tenant_a.viewer)).json()
    assert cancelled["cancelled_at"] is not None
    assert (await api.get(f"{API}/transactions/{recorded}", headers=tenant_a.viewer)).status == 200
    listed = await (await api.get(f"{API}/recurring-rules", headers=tenant_a.viewer)).json()
    assert [item["id"] for item in listed["items"]] == [rule["id"]]


async def test_bad_rules_are_refused_with_the_field(api: TestClient, tenant_a: ApiTenant) -> None:
    for fields, field in [
        ({"cadence": "daily"}, "body.cadence"),
        ({"cadence": "weekly", "anchor": 7}, "anchor"),  # the domain's check: its range depends on cadence
        ({"anchor": 32}, "body.anchor"),
        ({"amount": "0"}, "amount"),
    ]:
        response = await _rule(api, tenant_a, **fields)
        assert response.status == 422, (fields, await response.text())
        assert (await response.json())["errors"][0]["field"] == field
    listed = await (await api.get(f"{API}/recurring-rules", headers=tenant_a.viewer)).json()
    assert listed["items"] == []


async def test_a_viewer_cannot_start_a_rule(api: TestClient, tenant_a: ApiTenant) -> None:
    body = {"user_id": tenant_a.user["id"], "kind": "expense", "amount": "5", "cadence": "weekly"}
    assert (await api.post(f"{API}/recurring-rules", json=body, headers=tenant_a.viewer)).status == 403


async def test_a_rule_is_marked_as_a_bill_at_creation_and_by_patch(
    api: TestClient, tenant_a: ApiTenant
) -> None:
    response = await _rule(
        api, tenant_a, amount="1800", note="aluguel", category="housing", bill=True, anchor=1
    )
    assert response.status == 201, await response.text()
    rule = await response.json()
    assert rule["bill"] is True
    url = f"{API}/recurring-rules/{rule['id']}"
    assert (await (await api.get(url, headers=tenant_a.viewer)).json())["bill"] is True

    patched = await api.patch(url, json={"bill": False}, headers=tenant_a.admin)
    assert patched.status == 200, await patched.text()
    assert (await patched.json())["bill"] is False
    assert (await (await api.get(url, headers=tenant_a.viewer)).json())["bill"] is False
    again = await (await api.patch(url, json={"bill": True}, headers=tenant_a.admin)).json()
    assert (again["bill"], again["next_due"], again["amount"]) == (True, rule["next_due"], "1800.00")

    plain = await (await _rule(api, tenant_a, merchant="Netflix")).json()
    assert plain["bill"] is False  # not a bill unless said
    salary = await _rule(api, tenant_a, kind="income", amount="5000", note="salário", bill=True)
    assert salary.status == 422 and (await salary.json())["errors"][0]["field"] == "bill"


async def test_a_bill_patch_is_validated_scoped_and_for_admins(
    api: TestClient, tenant_a: ApiTenant, tenant_b: ApiTenant
) -> None:
    rule = await (await _rule(api, tenant_a, merchant="Netflix")).json()
    url = f"{API}/recurring-rules/{rule['id']}"
    for body, field in [({"bill": "yes"}, "body.bill"), ({"cadence": "weekly"}, "body.cadence")]:
        refused = await api.patch(url, json=body, headers=tenant_a.admin)
        assert refused.status == 422, (body, await refused.text())
        assert (await refused.json())["errors"][0]["field"] == field
    assert (await api.patch(url, json={"bill": True}, headers=tenant_a.viewer)).status == 403
    # Another tenant's rule is not found; nor is a cancelled one (it has no reminders left to have).
    assert (await api.patch(url, json={"bill": True}, headers=tenant_b.admin)).status == 404
    assert (await api.delete(url, headers=tenant_a.admin)).status == 204
    assert (await api.patch(url, json={"bill": True}, headers=tenant_a.admin)).status == 404
    assert (await (await api.get(url, headers=tenant_a.viewer)).json())["bill"] is False


async def test_the_openapi_document_has_the_writable_bill(api: TestClient) -> None:
    document = await (await api.get(f"{API}/openapi.json")).json()
    operations = document["paths"]["/api/v1/recurring-rules/{rule_id}"]
    assert "patch" in operations
    schemas = document["components"]["schemas"]
    assert schemas["RecurringIn"]["properties"]["bill"]["type"] == "boolean"
    assert "bill" in schemas["RecurringOut"]["properties"]
    assert "bill" in schemas["RecurringPatch"]["properties"]
