"""/api/v1/merchants through the real app: create, read, list, change, delete, conflicts, and their audit."""

from __future__ import annotations

import uuid

import pytest
from aiohttp.test_utils import TestClient

from tests.e2e.admin.conftest import ApiTenant

pytestmark = pytest.mark.integration

BASE = "/api/v1/merchants"


async def test_a_merchant_round_trip(api: TestClient, tenant_a: ApiTenant) -> None:
    body = {
        "name": "Padaria do Zé",
        "aliases": ["zezinho", "PAG*PADARIADOZE", "ZEZINHO"],
        "category": "dining",
    }
    response = await api.post(BASE, json=body, headers=tenant_a.admin)
    assert response.status == 201, await response.text()
    created = await response.json()
    assert created["name"] == "Padaria do Zé" and created["category"] == "dining"
    assert created["aliases"] == ["zezinho", "PAG*PADARIADOZE"]  # a repeat is dropped
    merchant_id = created["id"]

    got = await api.get(f"{BASE}/{merchant_id}", headers=tenant_a.viewer)
    assert got.status == 200 and await got.json() == created

    patched = await api.patch(f"{BASE}/{merchant_id}", json={"category": "groceries"}, headers=tenant_a.admin)
    assert patched.status == 200, await patched.text()
    after = await patched.json()
    assert (after["category"], after["aliases"], after["name"]) == (
        "groceries",
        created["aliases"],
        "Padaria do Zé",
    )
    cleared = await (
        await api.patch(f"{BASE}/{merchant_id}", json={"category": None}, headers=tenant_a.admin)
    ).json()
    assert cleared["category"] is None
    renamed = await api.patch(
        f"{BASE}/{merchant_id}", json={"name": "Padaria Zé", "aliases": []}, headers=tenant_a.admin
    )
    assert (await renamed.json())["aliases"] == []

    deleted = await api.delete(f"{BASE}/{merchant_id}", headers=tenant_a.admin)
    assert deleted.status == 204
    assert (await api.get(f"{BASE}/{merchant_id}", headers=tenant_a.viewer)).status == 404
    assert (await api.delete(f"{BASE}/{merchant_id}", headers=tenant_a.admin)).status == 404

    trail = await (
        await api.get(f"/api/v1/audit?entity=merchant&entity_id={merchant_id}", headers=tenant_a.viewer)
    ).json()
    actions = [item["action"] for item in trail["items"]]
    assert actions == ["delete", "update", "update", "update", "create"]
    assert all(item["actor"] == f"key:{tenant_a.admin_key_id}" for item in trail["items"])
    first_update = trail["items"][3]
    assert (first_update["before"]["category"], first_update["after"]["category"]) == ("dining", "groceries")
    assert trail["items"][0]["after"] is None and trail["items"][0]["before"]["name"] == "Padaria Zé"


async def test_a_patch_that_changes_nothing_writes_no_audit(api: TestClient, tenant_a: ApiTenant) -> None:
    created = await (await api.post(BASE, json={"name": "Shop"}, headers=tenant_a.admin)).json()
    again = await api.patch(f"{BASE}/{created['id']}", json={"name": "Shop"}, headers=tenant_a.admin)
    assert again.status == 200
    trail = await (
        await api.get(f"/api/v1/audit?entity=merchant&entity_id={created['id']}", headers=tenant_a.viewer)
    ).json()
    assert [item["action"] for item in trail["items"]] == ["create"]


async def test_names_and_aliases_are_the_tenants_alone(
    api: TestClient, tenant_a: ApiTenant, tenant_b: ApiTenant
) -> None:
    await api.post(BASE, json={"name": "Padaria do Zé", "aliases": ["zezinho"]}, headers=tenant_a.admin)
    for body, field in (
        ({"name": "PADARIA DO ZE"}, "name"),
        ({"name": "Zezinho"}, "name"),
        ({"name": "Outra", "aliases": ["padaria-do-zé"]}, "aliases"),
    ):
        response = await api.post(BASE, json=body, headers=tenant_a.admin)
        assert response.status == 409, await response.text()
        problem = await response.json()
        assert problem["type"].endswith("/conflict") and problem["errors"][0]["field"] == field
    # Another tenant may use the same name.
    assert (await api.post(BASE, json={"name": "Padaria do Zé"}, headers=tenant_b.admin)).status == 201


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "body.name"),
        ({"name": ""}, "body.name"),
        ({"name": "x" * 121}, "body.name"),
        ({"name": "a\x00b"}, "body.name"),
        ({"name": "Shop", "category": "food"}, "body.category"),
        ({"name": "Shop", "aliases": ["y" * 201]}, "body.aliases.0"),
        ({"name": "Shop", "aliases": [f"a{i}" for i in range(51)]}, "body.aliases"),
        ({"name": "Shop", "colour": "red"}, "body.colour"),
        ({"name": "!!!"}, "name"),
    ],
)
async def test_bad_bodies_are_refused_naming_the_field(
    api: TestClient, tenant_a: ApiTenant, body: dict, field: str
) -> None:
    response = await api.post(BASE, json=body, headers=tenant_a.admin)
    assert response.status == 422, await response.text()
    assert response.content_type == "application/problem+json"
    assert field in [error["field"] for error in (await response.json())["errors"]]


async def test_the_listing_pages_by_name_filters_and_streams_csv(
    api: TestClient, tenant_a: ApiTenant
) -> None:
    names = ["Zebra Café", "açougue Bom", "Mercado Sol", "Bar do Zé", "Loja 21"]
    for name in names:
        category = "dining" if "Bar" in name or "Café" in name else None
        assert (
            await api.post(BASE, json={"name": name, "category": category}, headers=tenant_a.admin)
        ).status == 201
    seen, cursor = [], None
    while True:
        url = f"{BASE}?limit=2" + (f"&cursor={cursor}" if cursor else "")
        page = await (await api.get(url, headers=tenant_a.viewer)).json()
        seen += [item["name"] for item in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == ["açougue Bom", "Bar do Zé", "Loja 21", "Mercado Sol", "Zebra Café"]
    dining = await (await api.get(f"{BASE}?category=dining", headers=tenant_a.viewer)).json()
    assert [item["name"] for item in dining["items"]] == ["Bar do Zé", "Zebra Café"]
    exported = await api.get(f"{BASE}?format=csv", headers=tenant_a.viewer)
    assert exported.status == 200 and exported.content_type == "text/csv"
    assert (await exported.text()).count("\n") == len(names) + 1


async def test_an_unknown_id_is_not_found(api: TestClient, tenant_a: ApiTenant) -> None:
    missing = uuid.uuid4()
    assert (await api.get(f"{BASE}/{missing}", headers=tenant_a.viewer)).status == 404
    assert (await api.patch(f"{BASE}/{missing}", json={"name": "x"}, headers=tenant_a.admin)).status == 404
