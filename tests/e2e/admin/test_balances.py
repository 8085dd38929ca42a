"""GET /users/{id}/balance through the real app: per account and currency, transfers and loans move it, and
currencies are never added together."""

from __future__ import annotations

import pytest

from tests.e2e.admin.conftest import ApiTenant
from tests.e2e.admin.test_transactions import API, _account, _expense, _post

pytestmark = pytest.mark.integration


async def test_the_balance_is_per_account_and_currency_and_transfers_move_it(
    api, tenant_a: ApiTenant
) -> None:
    user_id = tenant_a.user["id"]
    accounts = await (await api.get(f"{API}/users/{user_id}/accounts", headers=tenant_a.viewer)).json()
    wallet = accounts["items"][0]
    savings = await _account(api, tenant_a, "Poupança", kind="savings", opening_balance="100")
    await _expense(api, tenant_a, "30.00")
    await _expense(api, tenant_a, "20.00", currency="USD")
    await _expense(api, tenant_a, "15.00", category="loans", merchant="João")
    body = {"user_id": user_id, "amount": "50"}
    body |= {"from_account_id": wallet["id"], "to_account_id": savings["id"]}
    await _post(api, "/transfers", body, tenant_a.admin)

    response = await api.get(f"{API}/users/{user_id}/balance", headers=tenant_a.viewer)
    assert response.status == 200, await response.text()
    balance = await response.json()
    by_name = {row["account"]["name"]: row["balances"] for row in balance["accounts"]}
    assert balance["accounts"][0]["account"]["is_default"]
    assert by_name[savings["name"]] == [{"amount": "150.00", "currency": savings["currency"]}]
    wallet_balances = {entry["currency"]: entry["amount"] for entry in by_name[wallet["name"]]}
    code = wallet["currency"]
    assert wallet_balances[code] == "-95.00" and wallet_balances["USD"] == "-20.00"
    totals = {entry["currency"]: entry["amount"] for entry in balance["totals"]}
    assert totals == {code: "55.00", "USD": "-20.00"}


async def test_another_tenants_user_has_no_balance_here(
    api, tenant_a: ApiTenant, tenant_b: ApiTenant
) -> None:
    response = await api.get(f"{API}/users/{tenant_b.user['id']}/balance", headers=tenant_a.viewer)
    assert response.status == 404


async def test_an_account_is_renamed_and_its_kind_changed_and_names_stay_unique(
    api, tenant_a: ApiTenant
) -> None:
    first = await _account(api, tenant_a, "Cartão do inter", kind="checking")
    await _account(api, tenant_a, "Poupança", kind="savings")
    path = f"{API}/accounts/{first['id']}"
    response = await api.patch(
        path, json={"name": "Cartão Inter", "kind": "credit_card"}, headers=tenant_a.admin
    )
    assert response.status == 200, await response.text()
    changed = await response.json()
    assert (changed["name"], changed["kind"], changed["currency"]) == (
        "Cartão Inter",
        "credit_card",
        first["currency"],
    )
    assert (await (await api.get(path, headers=tenant_a.viewer)).json())["name"] == "Cartão Inter"

    taken = await api.patch(path, json={"name": "POUPANÇA"}, headers=tenant_a.admin)
    assert taken.status == 409
    assert (await (await api.get(path, headers=tenant_a.viewer)).json())["name"] == "Cartão Inter"
    assert (await api.patch(path, json={"name": "x"}, headers=tenant_a.viewer)).status == 403
