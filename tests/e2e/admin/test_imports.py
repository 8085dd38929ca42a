"""POST /api/v1/accounts/{id}/imports, the real app: recorded, replayed, refused by line, listed, audited."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from aiohttp.test_utils import TestClient

from bot.keys import DATABASE
from domain.model import Period, Source, Transaction
from tests.e2e.admin.conftest import ApiTenant

pytestmark = pytest.mark.integration

CSV = {"Content-Type": "text/csv"}


def day(ago: int) -> date:
    return datetime.now(UTC).date() - timedelta(days=ago)


async def account_of(api: TestClient, tenant: ApiTenant) -> str:
    accounts = await (
        await api.get(f"/api/v1/users/{tenant.user['id']}/accounts", headers=tenant.viewer)
    ).json()
    return str(accounts["items"][0]["id"])


async def send(api: TestClient, tenant: ApiTenant, account_id: str, data: bytes, query: str = "") -> Any:
    url = f"/api/v1/accounts/{account_id}/imports" + (f"?{query}" if query else "")
    return await api.post(url, data=data, headers={**tenant.admin, **CSV})


async def stored(api: TestClient, tenant: ApiTenant, account_id: str) -> list[Transaction]:
    db = api.server.app[DATABASE]
    async with db.unit_of_work(uuid.UUID(tenant.id)) as uow:
        rows = await uow.imports.recorded_lines(uuid.UUID(account_id), Period(date(2000, 1, 1), day(-2)))
    return sorted(rows, key=lambda t: t.source_ref or "")


def statement(*lines: str, header: str = "Data;Histórico;Valor") -> bytes:
    return ("\n".join([header, *lines]) + "\n").encode("cp1252")


async def test_a_statement_is_recorded_categorised_and_answered(api: TestClient, tenant_a: ApiTenant) -> None:
    merchant = {"name": "Padaria do Zé", "aliases": ["padariadoze"], "category": "dining"}
    assert (await api.post("/api/v1/merchants", json=merchant, headers=tenant_a.admin)).status == 201
    account_id = await account_of(api, tenant_a)
    data = statement(
        f"{day(3):%d/%m/%Y};PAG*PADARIADOZE SAO PAULO;-45,90",
        f"{day(2):%d/%m/%Y};UBER *TRIP;-12,50",
        f"{day(1):%d/%m/%Y};SALARIO ACME;R$ 5.000,00",
        f"{day(1):%d/%m/%Y};S A L D O;6.176,16",
        f"{day(1):%d/%m/%Y};SALDO DO DIA;6.176,16",
    )
    response = await send(api, tenant_a, account_id, data)
    assert response.status == 201, await response.text()
    answer = await response.json()
    assert answer["replayed"] is False and answer["skipped_lines"] == []
    assert (
        answer["statement"]["lines"],
        answer["statement"]["recorded"],
        answer["statement"]["skipped"],
    ) == (3, 3, 0)
    assert answer["read"] == {
        "encoding": "cp1252",
        "delimiter": ";",
        "date_format": "%d/%m/%Y",
        "decimal": ",",
        "header_line": 1,
        "columns": {"date": "Data", "description": "Histórico", "amount": "Valor"},
        "balance_lines": [5, 6],  # balances, not money moving: not recorded
    }
    rows = await stored(api, tenant_a, account_id)
    assert [(t.merchant, t.category, str(t.amount.amount), str(t.kind)) for t in rows] == [
        ("Padaria do Zé", "dining", "45.90", "expense"),
        ("Uber", "transport", "12.50", "expense"),
        (None, "salary", "5000.00", "income"),
    ]
    assert rows[0].note == "PAG*PADARIADOZE SAO PAULO" and rows[0].source == Source.IMPORT
    assert rows[0].source_ref == f"{answer['statement']['file_hash'][:32]}:2"

    # The same file again: the first answer, nothing recorded, whatever options come with it.
    again = await send(api, tenant_a, account_id, data, "flip=true")
    assert again.status == 201
    replay = await again.json()
    assert (
        replay["replayed"] is True and replay["statement"] == answer["statement"] and replay["read"] is None
    )
    assert len(await stored(api, tenant_a, account_id)) == 3

    listed = await (await api.get("/api/v1/imports", headers=tenant_a.viewer)).json()
    assert [item["id"] for item in listed["items"]] == [answer["statement"]["id"]]
    one = await api.get(f"/api/v1/imports/{answer['statement']['id']}", headers=tenant_a.viewer)
    assert await one.json() == answer["statement"]
    trail = await (await api.get("/api/v1/audit?entity=import", headers=tenant_a.viewer)).json()
    assert len(trail["items"]) == 1
    assert trail["items"][0]["actor"] == f"key:{tenant_a.admin_key_id}"
    assert trail["items"][0]["after"]["recorded"] == 3


async def test_a_file_with_bad_lines_records_nothing_and_names_each(
    api: TestClient, tenant_a: ApiTenant
) -> None:
    account_id = await account_of(api, tenant_a)
    data = statement(
        f"{day(3):%d/%m/%Y};OK;-1,00",
        "31/02/2024;BAD DATE;-1,00",
        f"{day(3):%d/%m/%Y};ZERO;0,00",
        f"{day(3):%d/%m/%Y};MISSING",
        f"{day(3):%d/%m/%Y};BAD\x00;-1,00",
        f"{(day(-10)):%d/%m/%Y};FUTURE;-1,00",
        f"{day(3):%d/%m/%Y};TOO PRECISE;-1,005",
    )
    response = await send(api, tenant_a, account_id, data)
    assert response.status == 422, await response.text()
    problem = await response.json()
    assert problem["type"].endswith("/validation") and problem["detail"].startswith("6 line(s)")
    fields = [error["field"] for error in problem["errors"]]
    assert fields == [
        "body.line.3.date",
        "body.line.4.amount",
        "body.line.5.line",
        "body.line.6.line",
        "body.line.7.occurred_on",
        "body.line.8.amount",
    ]
    assert await stored(api, tenant_a, account_id) == []
    assert (await (await api.get("/api/v1/imports", headers=tenant_a.viewer)).json())["items"] == []


async def test_columns_by_parameters(api: TestClient, tenant_a: ApiTenant) -> None:
    account_id = await account_of(api, tenant_a)
    data = f"{day(1):%Y.%m.%d}|19.90|NETFLIX.COM\n{day(1):%Y.%m.%d}|-100.00|PAYMENT THANK YOU\n".encode()
    query = "&".join(
        [
            "header=false",
            "delimiter=|",
            "date_column=0",
            "amount_column=1",
            "description_column=2",
            "date_format=%25Y.%25m.%25d",
            "decimal=.",
            "flip=true",
        ]
    )
    response = await send(api, tenant_a, account_id, data, query)
    assert response.status == 201, await response.text()
    assert (await response.json())["read"]["columns"] == {"date": "#0", "amount": "#1", "description": "#2"}
    rows = await stored(api, tenant_a, account_id)
    assert [(str(t.kind), str(t.amount.amount), t.merchant) for t in rows] == [
        ("expense", "19.90", "Netflix"),
        ("income", "100.00", None),
    ]


@pytest.mark.parametrize(
    ("data", "query", "field"),
    [
        (b"", "", "body"),
        (b"Data;Historico;Valor\n", "", "body"),
        (b"foo,bar\n1,2\n", "", "query.date_column"),
        (b"Data;Historico;Valor\n01/01/2024;x;-1\n", "amount_column=Importe", "query.amount_column"),
        (b"Data;Historico;Valor\n01/01/2024;x;-1\n", "delimiter=x", "query.delimiter"),
        (b"Data;Historico;Valor\n01/01/2024;x;-1\n", "colour=red", "query.colour"),
        (b"Data;Historico;Valor\n01/01/2024;x;-1\n", "date_format=dd", "query.date_format"),
    ],
)
async def test_a_file_that_cannot_be_read_names_why(
    api: TestClient, tenant_a: ApiTenant, data: bytes, query: str, field: str
) -> None:
    response = await send(api, tenant_a, await account_of(api, tenant_a), data, query)
    assert response.status == 422, await response.text()
    assert field in [error["field"] for error in (await response.json())["errors"]]


async def test_the_wrong_media_type_is_refused(api: TestClient, tenant_a: ApiTenant) -> None:
    account_id = await account_of(api, tenant_a)
    response = await api.post(
        f"/api/v1/accounts/{account_id}/imports", json={"csv": "x"}, headers=tenant_a.admin
    )
    assert response.status == 415


async def test_another_tenants_account_is_not_found_and_a_viewer_cannot_import(
    api: TestClient, tenant_a: ApiTenant, tenant_b: ApiTenant
) -> None:
    theirs = await account_of(api, tenant_b)
    data = statement(f"{day(1):%d/%m/%Y};X;-1,00")
    response = await send(api, tenant_a, theirs, data)
    missing = await send(api, tenant_a, str(uuid.uuid4()), data)
    assert response.status == missing.status == 404
    assert await response.json() == await missing.json()
    assert await stored(api, tenant_b, theirs) == []
    viewer = await api.post(
        f"/api/v1/accounts/{await account_of(api, tenant_a)}/imports",
        data=data,
        headers={**tenant_a.viewer, **CSV},
    )
    assert viewer.status == 403


async def test_a_file_imported_into_one_account_is_refused_for_another(
    api: TestClient, tenant_a: ApiTenant
) -> None:
    first = await account_of(api, tenant_a)
    created = await api.post(
        f"/api/v1/users/{tenant_a.user['id']}/accounts", json={"name": "Poupança"}, headers=tenant_a.admin
    )
    second = (await created.json())["id"]
    data = statement(f"{day(1):%d/%m/%Y};X;-1,00")
    assert (await send(api, tenant_a, first, data)).status == 201
    refused = await send(api, tenant_a, second, data)
    assert refused.status == 409
    assert (await refused.json())["errors"][0]["field"] == "account_id"


async def test_an_overlapping_statement_skips_what_was_imported(api: TestClient, tenant_a: ApiTenant) -> None:
    account_id = await account_of(api, tenant_a)
    a, b, c = (f"{day(n):%d/%m/%Y}" for n in (5, 4, 3))
    assert (
        await send(api, tenant_a, account_id, statement(f"{a};CAFE;-4,50", f"{b};UBER;-20,00"))
    ).status == 201
    response = await send(api, tenant_a, account_id, statement(f"{b};UBER;-20,00", f"{c};LUZ;-90,00"))
    answer = await response.json()
    assert answer["skipped_lines"] == [2]
    assert (answer["statement"]["recorded"], answer["statement"]["skipped"]) == (1, 1)
    assert len(await stored(api, tenant_a, account_id)) == 3
    listed = await (
        await api.get(f"/api/v1/imports?account_id={account_id}&limit=1", headers=tenant_a.viewer)
    ).json()
    assert listed["items"][0]["id"] == answer["statement"]["id"] and listed["next_cursor"]
    rest = await (
        await api.get(
            f"/api/v1/imports?account_id={account_id}&limit=1&cursor={listed['next_cursor']}",
            headers=tenant_a.viewer,
        )
    ).json()
    assert len(rest["items"]) == 1 and rest["next_cursor"] is None
    assert rest["items"][0]["id"] != answer["statement"]["id"]


async def test_a_cursor_made_by_hand_is_refused(api: TestClient, tenant_a: ApiTenant) -> None:
    import base64
    import json

    from bot.admin.paging import _scope

    for key in (["yesterday", "x"], [1], ["2024-03-01T00:00:00", str(uuid.uuid4())]):
        payload = json.dumps({"k": key, "s": _scope("list_imports", {"account_id": None})})
        cursor = base64.urlsafe_b64encode(payload.encode()).decode().rstrip("=")
        response = await api.get(f"/api/v1/imports?cursor={cursor}", headers=tenant_a.viewer)
        assert response.status == 422, await response.text()
        assert (await response.json())["errors"][0]["field"] == "query.cursor"
