"""Transactions and transfers through the real app: record, list with filters and cursors, change, delete,
restore, history, CSV, idempotency, and transfers that move balances without being spending."""

from __future__ import annotations

import csv
import io
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from aiohttp.test_utils import TestClient

from tests.e2e.admin.conftest import ApiTenant, bearer

pytestmark = pytest.mark.integration

API = "/api/v1"


async def _post(api: TestClient, path: str, body: dict[str, Any], headers: dict[str, str]) -> dict[str, Any]:
    response = await api.post(API + path, json=body, headers=headers)
    assert response.status == 201, await response.text()
    created: dict[str, Any] = await response.json()
    return created


async def _expense(
    api: TestClient, tenant: ApiTenant, amount: str = "10.00", **fields: Any
) -> dict[str, Any]:
    body = {"user_id": tenant.user["id"], "kind": "expense", "amount": amount, **fields}
    return await _post(api, "/transactions", body, tenant.admin)


async def _account(api: TestClient, tenant: ApiTenant, name: str, **fields: Any) -> dict[str, Any]:
    return await _post(api, f"/users/{tenant.user['id']}/accounts", {"name": name, **fields}, tenant.admin)


async def _ids(api: TestClient, tenant: ApiTenant, query: str = "", limit: int = 50) -> list[str]:
    """Every id the listing gives for `query`, page after page."""
    ids: list[str] = []
    cursor = None
    while True:
        url = f"{API}/transactions?limit={limit}" + (f"&{query}" if query else "")
        url += f"&cursor={cursor}" if cursor else ""
        response = await api.get(url, headers=tenant.viewer)
        assert response.status == 200, await response.text()
        page = await response.json()
        ids += [item["id"] for item in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            return ids


async def test_record_read_and_list_with_every_filter(api, tenant_a: ApiTenant) -> None:
    # The tenant's today (the default date of a transaction without one), not the machine's: between 00:00
    # UTC and 03:00 UTC they differ, and the salary below sorted after the expense dated the UTC today.
    today = datetime.now(ZoneInfo("America/Sao_Paulo")).date()
    first = await _expense(
        api,
        tenant_a,
        "12.30",
        merchant="Uber",
        category="transport",
        occurred_on=str(today - timedelta(days=3)),
    )
    second = await _expense(
        api, tenant_a, "7.70", merchant="UBER", note="Açúcar 100%_", occurred_on=str(today)
    )
    salary = await _post(
        api,
        "/transactions",
        {"user_id": tenant_a.user["id"], "kind": "income", "amount": 3000, "category": "salary"},
        tenant_a.admin,
    )
    assert (first["amount"], first["currency"], first["source"], first["kind"]) == (
        "12.30",
        "BRL",
        "admin_api",
        "expense",
    )
    assert salary["amount"] == "3000.00" and salary["occurred_on"] is not None
    got = await api.get(f"{API}/transactions/{second['id']}", headers=tenant_a.viewer)
    assert got.status == 200 and await got.json() == second

    assert await _ids(api, tenant_a) == [salary["id"], second["id"], first["id"]]
    assert await _ids(api, tenant_a, limit=1) == [salary["id"], second["id"], first["id"]]
    assert await _ids(api, tenant_a, "merchant=uber") == [second["id"], first["id"]]
    assert await _ids(api, tenant_a, "kind=income") == [salary["id"]]
    assert await _ids(api, tenant_a, "category=transport") == [first["id"]]
    assert await _ids(api, tenant_a, "text=a%C3%87%C3%9ACAR") == [second["id"]]  # "aÇÚCAR"
    assert await _ids(api, tenant_a, "text=%25_") == [second["id"]]  # "%_": wildcards are plain text
    assert await _ids(api, tenant_a, f"to={today - timedelta(days=1)}") == [first["id"]]
    assert await _ids(api, tenant_a, f"from={today}&user_id={tenant_a.user['id']}") == [
        salary["id"],
        second["id"],
    ]
    assert await _ids(api, tenant_a, f"account_id={first['account_id']}&kind=expense") == [
        second["id"],
        first["id"],
    ]

    refused = await api.get(
        f"{API}/transactions?from={today}&to={today - timedelta(days=1)}", headers=tenant_a.viewer
    )
    assert refused.status == 422 and (await refused.json())["errors"][0]["field"] == "query.to"
    for bad in ("kind=gift", "deleted=maybe", "from=yesterday", "user_id=42", "limit=1000", "cursor=%21%21"):
        response = await api.get(f"{API}/transactions?{bad}", headers=tenant_a.viewer)
        assert response.status == 422, (bad, await response.text())


async def test_a_forged_cursor_is_refused_not_a_crash(api, tenant_a: ApiTenant) -> None:
    from bot.admin import paging

    for key in (
        ["2025-01-01"],
        ["x", 1],
        ["2025-01-01", "1"],
        [1, 2],
        ["2025-01-01", True],
        ["2025-01-01", 2**64],
        ["2025-01-01", -1],
    ):
        cursor = paging.encode(key, "list_transactions", _default_filters())
        response = await api.get(f"{API}/transactions?cursor={cursor}", headers=tenant_a.viewer)
        assert response.status == 422, (key, await response.text())
        assert (await response.json())["errors"][0]["field"] == "query.cursor"


def _default_filters() -> dict[str, Any]:
    from bot.admin.resources.transactions import TransactionListQuery

    return TransactionListQuery().model_dump(mode="json", exclude={"cursor", "limit", "format"})


async def test_refused_records_name_the_field(api, tenant_a: ApiTenant) -> None:
    user_id = tenant_a.user["id"]
    cases = [
        ({"user_id": user_id, "kind": "expense", "amount": "1.001"}, "amount"),
        ({"user_id": user_id, "kind": "expense", "amount": "-5"}, "amount"),
        ({"user_id": user_id, "kind": "expense", "amount": "5", "category": "yachts"}, "category"),
        ({"user_id": user_id, "kind": "expense", "amount": "5", "occurred_on": "2999-01-01"}, "occurred_on"),
        ({"user_id": user_id, "kind": "gift", "amount": "5"}, "body.kind"),
        ({"user_id": user_id, "kind": "expense", "amount": "5", "colour": "red"}, "body.colour"),
    ]
    for body, field in cases:
        response = await api.post(f"{API}/transactions", json=body, headers=tenant_a.admin)
        assert response.status == 422, (body, await response.text())
        assert field in {e["field"] for e in (await response.json())["errors"]}, (body, await response.text())
    assert await _ids(api, tenant_a) == []


async def test_an_idempotency_key_records_once_per_api_key(api, tenant_a: ApiTenant) -> None:
    body = {"user_id": tenant_a.user["id"], "kind": "expense", "amount": "45.90"}
    headers = {**tenant_a.admin, "Idempotency-Key": "receipt-1"}
    first = await api.post(f"{API}/transactions", json=body, headers=headers)
    again = await api.post(f"{API}/transactions", json=body, headers=headers)
    assert first.status == again.status == 201
    assert await first.json() == await again.json()
    # Another admin key sending the same Idempotency-Key is another request, in the ledger too.
    issued = await _post(api, "/keys", {"name": "second admin", "role": "admin"}, tenant_a.admin)
    other = await api.post(
        f"{API}/transactions", json=body, headers={**bearer(issued["key"]), "Idempotency-Key": "receipt-1"}
    )
    assert other.status == 201 and (await other.json())["id"] != (await first.json())["id"]
    assert len(await _ids(api, tenant_a)) == 2


async def test_change_delete_restore_with_history_and_audit(api, tenant_a: ApiTenant) -> None:
    txn = await _expense(api, tenant_a, "10.00", merchant="Padaria", note="pão", category="dining")
    tid = txn["id"]
    patch = {"amount": 12.5, "merchant": None, "note": "", "category": "groceries"}
    response = await api.patch(f"{API}/transactions/{tid}", json=patch, headers=tenant_a.admin)
    assert response.status == 200, await response.text()
    changed = await response.json()
    assert (changed["amount"], changed["merchant"], changed["note"], changed["category"]) == (
        "12.50",
        None,
        None,
        "groceries",
    )
    same = await api.patch(f"{API}/transactions/{tid}", json={"amount": "12.50"}, headers=tenant_a.admin)
    assert same.status == 200 and await same.json() == changed  # nothing changed, nothing audited
    refused = await api.patch(f"{API}/transactions/{tid}", json={"currency": "JPY"}, headers=tenant_a.admin)
    assert refused.status == 422 and (await refused.json())["errors"][0]["field"] == "currency"

    deleted = await api.delete(f"{API}/transactions/{tid}", headers=tenant_a.admin)
    assert deleted.status == 200 and (await deleted.json())["deleted_at"] is not None
    assert (await api.delete(f"{API}/transactions/{tid}", headers=tenant_a.admin)).status == 409
    assert await _ids(api, tenant_a) == []
    assert await _ids(api, tenant_a, "deleted=only") == [tid]
    assert await _ids(api, tenant_a, "deleted=include") == [tid]
    gone = await api.patch(f"{API}/transactions/{tid}", json={"amount": "1"}, headers=tenant_a.admin)
    assert gone.status == 409

    restored = await api.post(f"{API}/transactions/{tid}/restore", headers=tenant_a.admin)
    assert restored.status == 200 and (await restored.json())["deleted_at"] is None
    assert (await api.post(f"{API}/transactions/{tid}/restore", headers=tenant_a.admin)).status == 409

    history = await (await api.get(f"{API}/transactions/{tid}/history", headers=tenant_a.viewer)).json()
    assert [(h["action"], h["before"]["amount"], h["after"]["amount"]) for h in history["items"]] == [
        ("edit", "10.00", "12.50"),
        ("delete", "12.50", "12.50"),
        ("restore", "12.50", "12.50"),
    ]
    paged = await (await api.get(f"{API}/transactions/{tid}/history?limit=2", headers=tenant_a.viewer)).json()
    rest = await (
        await api.get(
            f"{API}/transactions/{tid}/history?limit=2&cursor={paged['next_cursor']}", headers=tenant_a.viewer
        )
    ).json()
    assert [h["id"] for h in paged["items"] + rest["items"]] == [h["id"] for h in history["items"]]

    trail = await (
        await api.get(f"{API}/audit?entity=transaction&entity_id={tid}", headers=tenant_a.viewer)
    ).json()
    assert [r["action"] for r in trail["items"]] == ["restore", "delete", "update", "create"]
    assert {r["actor"] for r in trail["items"]} == {f"key:{tenant_a.admin_key_id}"}
    update = trail["items"][2]
    assert (update["before"]["merchant"], update["after"]["merchant"]) == ("Padaria", None)


async def test_transfers_move_balances_are_not_spending_and_keep_their_legs_together(
    api, tenant_a: ApiTenant
) -> None:
    user_id = tenant_a.user["id"]
    accounts = await (await api.get(f"{API}/users/{user_id}/accounts", headers=tenant_a.viewer)).json()
    wallet = accounts["items"][0]
    savings = await _account(api, tenant_a, "Poupança", kind="savings")
    dollars = await _account(api, tenant_a, "Dollars", currency="USD")
    budget = await _post(api, "/budgets", {"user_id": user_id, "amount": "100"}, tenant_a.admin)
    await _expense(api, tenant_a, "30.00")

    body = {
        "user_id": user_id,
        "from_account_id": wallet["id"],
        "to_account_id": savings["id"],
        "amount": "250",
    }
    headers = {**tenant_a.admin, "Idempotency-Key": "move-1"}
    response = await api.post(f"{API}/transfers", json={**body, "note": "guardar"}, headers=headers)
    assert response.status == 201, await response.text()
    transfer = await response.json()
    out, into = transfer["outgoing"], transfer["incoming"]
    assert (out["kind"], out["account_id"], into["kind"], into["account_id"]) == (
        "expense",
        wallet["id"],
        "income",
        savings["id"],
    )
    assert out["transfer_id"] == into["transfer_id"] == transfer["transfer_id"]
    assert out["amount"] == into["amount"] == "250.00" and out["note"] == "guardar"
    legs = await _ids(api, tenant_a, f"transfer_id={transfer['transfer_id']}")
    assert sorted(legs) == sorted([out["id"], into["id"]])

    # 250 out of the wallet is not spending: the overall budget still sees only the 30.
    status = await (await api.get(f"{API}/budgets/{budget['id']}", headers=tenant_a.viewer)).json()
    assert status["status"]["spent"] == "30.00"

    for bad, field in [
        ({**body, "to_account_id": wallet["id"]}, "to_account_id"),
        ({**body, "to_account_id": dollars["id"]}, "to_account_id"),
        ({**body, "currency": "USD"}, "currency"),
    ]:
        refused = await api.post(f"{API}/transfers", json=bad, headers=tenant_a.admin)
        assert refused.status == 422 and (await refused.json())["errors"][0]["field"] == field

    kind = await api.patch(f"{API}/transactions/{out['id']}", json={"kind": "income"}, headers=tenant_a.admin)
    assert kind.status == 422 and (await kind.json())["errors"][0]["field"] == "kind"
    same_account = await api.patch(
        f"{API}/transactions/{into['id']}", json={"account_id": wallet["id"]}, headers=tenant_a.admin
    )
    assert same_account.status == 422 and (await same_account.json())["errors"][0]["field"] == "account_id"
    moved = await api.patch(
        f"{API}/transactions/{into['id']}", json={"amount": "200"}, headers=tenant_a.admin
    )
    assert moved.status == 200
    out_now = await (await api.get(f"{API}/transactions/{out['id']}", headers=tenant_a.viewer)).json()
    assert out_now["amount"] == "200.00"

    assert (await api.delete(f"{API}/transactions/{out['id']}", headers=tenant_a.admin)).status == 200
    assert await _ids(api, tenant_a, f"transfer_id={transfer['transfer_id']}") == []
    assert len(await _ids(api, tenant_a, f"transfer_id={transfer['transfer_id']}&deleted=only")) == 2
    trail = await (await api.get(f"{API}/audit?entity=transaction", headers=tenant_a.viewer)).json()
    assert {r["entity_id"] for r in trail["items"] if r["action"] == "delete"} == {out["id"], into["id"]}


async def test_the_listing_streams_as_csv_with_plain_amounts_and_a_currency_column(
    api, tenant_a: ApiTenant
) -> None:
    made = [await _expense(api, tenant_a, f"{n}.05", merchant=f"=shop{n}") for n in range(1, 4)]
    for url, headers in (
        (f"{API}/transactions?format=csv&merchant==shop2", tenant_a.viewer),
        (f"{API}/transactions?merchant=%3Dshop2", {**tenant_a.viewer, "Accept": "text/csv"}),
    ):
        response = await api.get(url, headers=headers)
        assert response.status == 200 and response.content_type == "text/csv", await response.text()
        [row] = list(csv.DictReader(io.StringIO(await response.text())))
        assert (row["id"], row["amount"], row["currency"]) == (made[1]["id"], "2.05", "BRL")
        assert row["merchant"] == "'=shop2"  # a formula is defused for spreadsheets
    everything = await api.get(f"{API}/transactions?format=csv", headers=tenant_a.viewer)
    rows = list(csv.DictReader(io.StringIO(await everything.text())))
    assert [r["id"] for r in rows] == [t["id"] for t in reversed(made)]
