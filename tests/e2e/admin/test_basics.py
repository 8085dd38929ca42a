"""The admin API's contract: keys and roles, problem+json, validation, idempotency, rate limits, CSV."""

from __future__ import annotations

import csv
import io
import json
from dataclasses import replace

import pytest
from redis.asyncio import from_url as connect

from bot.admin import operations
from bot.app import create_app
from bot.bootstrap import Bootstrap
from tests.e2e.admin.conftest import PLATFORM, ApiTenant, bearer, make_tenant

pytestmark = pytest.mark.integration


async def test_a_tenant_made_by_the_platform_gets_a_working_admin_key(api, tenant_a: ApiTenant) -> None:
    response = await api.get("/api/v1/settings", headers=tenant_a.admin)
    assert response.status == 200
    settings = await response.json()
    assert settings["currency"] == "BRL" and settings["language"] == "pt"
    assert settings["alert_thresholds"] == [80, 100]
    assert settings["quiet_hours"] == {"start": "22:00", "end": "08:00"}  # the default until set


async def test_errors_are_problem_json_naming_each_bad_field(api, tenant_a: ApiTenant) -> None:
    response = await api.post(
        "/api/v1/users", json={"phone": "x", "nmae": "typo", "language": "fr"}, headers=tenant_a.admin
    )
    assert response.status == 422
    assert response.content_type == "application/problem+json"
    problem = await response.json()
    assert problem["status"] == 422 and problem["type"].endswith("/validation")
    fields = {error["field"] for error in problem["errors"]}
    assert fields == {"body.phone", "body.nmae", "body.language"}
    unknown = await api.get("/api/v1/users?colour=blue", headers=tenant_a.admin)
    assert unknown.status == 422 and (await unknown.json())["errors"][0]["field"] == "query.colour"
    assert (await api.get("/api/v1/users?limit=0", headers=tenant_a.admin)).status == 422
    assert (await api.get("/api/v1/users?limit=10&limit=20", headers=tenant_a.admin)).status == 422


async def test_amounts_are_exact_decimals_and_the_currency_decides_the_precision(
    api, tenant_a: ApiTenant
) -> None:
    user_id = tenant_a.user["id"]
    # 0.1 as a JSON number is read as the decimal 0.1, never as the float 0.1000000000000000055...
    response = await api.post(
        "/api/v1/budgets",
        data='{"user_id": "' + user_id + '", "amount": 0.1, "category": "dining"}',
        headers={**tenant_a.admin, "Content-Type": "application/json"},
    )
    assert response.status == 201, await response.text()
    budget = await response.json()
    assert (budget["amount"], budget["currency"]) == ("0.10", "BRL")
    too_precise = await api.patch(
        f"/api/v1/budgets/{budget['id']}", json={"amount": "1.001"}, headers=tenant_a.admin
    )
    assert too_precise.status == 422 and (await too_precise.json())["errors"][0]["field"] == "amount"
    for bad in ("NaN", "Infinity", "1e400", "-5", "abc"):
        answer = await api.patch(
            f"/api/v1/budgets/{budget['id']}", json={"amount": bad}, headers=tenant_a.admin
        )
        assert answer.status == 422, (bad, await answer.text())


async def test_hostile_requests_get_clear_4xx_and_write_nothing(api, tenant_a: ApiTenant) -> None:
    admin = tenant_a.admin
    json_headers = {**admin, "Content-Type": "application/json"}
    cases = [
        ("malformed JSON", "/api/v1/users", "{not json", 400),
        ("deeply nested", "/api/v1/users", "[" * 100_000 + "]" * 100_000, 413),
        ("nested but small", "/api/v1/users", "[" * 5_000 + "]" * 5_000, 400),
        ("NUL in a name", "/api/v1/users", json.dumps({"phone": "+5511955554444", "name": "a\u0000b"}), 422),
        ("a huge body", "/api/v1/users", json.dumps({"phone": "+5511955554444", "name": "x" * 100_000}), 413),
        ("not an object", "/api/v1/users", "[1, 2]", 422),
        ("invalid UTF-8", "/api/v1/users", b'{"phone": "\xff"}', 400),
    ]
    for name, path, body, status in cases:
        response = await api.post(path, data=body, headers=json_headers)
        assert response.status == status, (name, await response.text())
        assert response.content_type == "application/problem+json", name
    form = await api.post("/api/v1/users", data="phone=1", headers={**admin, "Content-Type": "text/plain"})
    assert form.status == 415
    long_id = await api.get("/api/v1/users/" + "1" * 5000, headers=admin)
    assert long_id.status in (404, 414, 422)
    bad_id = await api.get("/api/v1/users/not-a-uuid", headers=admin)
    assert bad_id.status == 422 and (await bad_id.json())["errors"][0]["field"] == "path.user_id"
    listing = await (await api.get("/api/v1/users", headers=admin)).json()
    assert [u["phone"] for u in listing["items"]] == [tenant_a.user["phone"]]


async def test_an_idempotency_key_replays_the_first_answer_and_refuses_another_body(
    api, tenant_a: ApiTenant, admin_settings
) -> None:
    headers = {**tenant_a.admin, "Idempotency-Key": "enrol-bia-1"}
    first = await api.post("/api/v1/users", json={"phone": "+5511933332222", "name": "Bia"}, headers=headers)
    again = await api.post("/api/v1/users", json={"phone": "+5511933332222", "name": "Bia"}, headers=headers)
    assert first.status == again.status == 201
    assert await first.json() == await again.json()
    assert again.headers.get("Idempotent-Replayed") == "true"
    other = await api.post("/api/v1/users", json={"phone": "+5511933332223", "name": "Bia"}, headers=headers)
    assert other.status == 422 and (await other.json())["type"].endswith("/idempotency-key-reused")
    users = await (await api.get("/api/v1/users", headers=tenant_a.admin)).json()
    assert sorted(u["phone"] for u in users["items"]) == sorted([tenant_a.user["phone"], "+5511933332222"])
    # Without a key the same body is a second request: the phone is taken now.
    plain = await api.post("/api/v1/users", json={"phone": "+5511933332222"}, headers=tenant_a.admin)
    assert plain.status == 409 and (await plain.json())["errors"][0]["field"] == "phone"
    # The key expires after 24 hours: Redis keeps the stored answer with that TTL.
    async with connect(admin_settings.redis_url) as client:
        [stored] = [name async for name in client.scan_iter(f"centavo:api:idem:{tenant_a.admin_key_id}:*")]
        assert 24 * 3600 - 60 < await client.ttl(stored) <= 24 * 3600


async def test_each_key_has_its_own_rate_limit(aiohttp_client, admin_settings) -> None:
    slow = replace(admin_settings, api_rate_burst=3, api_rate_per_second=0.5)
    api = await aiohttp_client(create_app(Bootstrap(slow, agent=False)))
    tenant = await make_tenant(api)  # three requests with the platform key and the new admin key
    statuses = [(await api.get("/api/v1/settings", headers=tenant.viewer)).status for _ in range(4)]
    assert statuses[:3] == [200, 200, 200]
    limited = await api.get("/api/v1/settings", headers=tenant.viewer)
    assert limited.status == 429 and int(limited.headers["Retry-After"]) >= 1
    assert (await limited.json())["status"] == 429
    # Another key of the same tenant is not slowed down by this one.
    assert (await api.get("/api/v1/users", headers=tenant.admin)).status == 200


async def test_listings_page_with_cursors_and_stream_as_csv(api, tenant_a: ApiTenant) -> None:
    for n in range(4):
        response = await api.post(
            "/api/v1/users", json={"phone": f"+55119000000{n}{n}"}, headers=tenant_a.admin
        )
        assert response.status == 201
    seen, cursor = [], None
    while True:
        url = "/api/v1/users?limit=2" + (f"&cursor={cursor}" if cursor else "")
        page = await (await api.get(url, headers=tenant_a.viewer)).json()
        seen += [u["id"] for u in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert len(seen) == len(set(seen)) == 5
    elsewhere = await api.get(f"/api/v1/budgets?limit=2&cursor={cursor or 'x'}", headers=tenant_a.viewer)
    assert elsewhere.status == 422
    page = await (await api.get("/api/v1/users?limit=2", headers=tenant_a.viewer)).json()
    reused = await api.get(f"/api/v1/budgets?limit=2&cursor={page['next_cursor']}", headers=tenant_a.viewer)
    assert reused.status == 422 and (await reused.json())["errors"][0]["field"] == "query.cursor"
    for url, headers in (
        ("/api/v1/users?format=csv", tenant_a.viewer),
        ("/api/v1/users", {**tenant_a.viewer, "Accept": "text/csv"}),
    ):
        response = await api.get(url, headers=headers)
        assert response.status == 200 and response.content_type == "text/csv"
        rows = list(csv.DictReader(io.StringIO(await response.text())))
        assert sorted(r["id"] for r in rows) == sorted(seen)
        assert rows[0].keys() >= {"id", "phone", "opted_out_sms"}


async def test_every_write_leaves_an_audit_record_with_the_key_before_and_after(
    api, tenant_a: ApiTenant
) -> None:
    user_id = tenant_a.user["id"]
    response = await api.patch(
        f"/api/v1/users/{user_id}",
        json={"name": "Ana Maria", "opted_out": {"sms": True}},
        headers=tenant_a.admin,
    )
    assert response.status == 200
    assert (await response.json())["opted_out_sms"] is True
    trail = await (
        await api.get(f"/api/v1/audit?entity=user&entity_id={user_id}", headers=tenant_a.viewer)
    ).json()
    latest = trail["items"][0]
    assert latest["action"] == "update" and latest["actor"] == f"key:{tenant_a.admin_key_id}"
    assert latest["before"]["name"] == "Ana" and latest["after"]["name"] == "Ana Maria"
    assert (latest["before"]["opted_out_sms"], latest["after"]["opted_out_sms"]) == (False, True)
    created = trail["items"][-1]
    assert created["action"] == "create" and created["before"] is None
    keys = await (await api.get("/api/v1/audit?entity=key", headers=tenant_a.viewer)).json()
    assert all("key" not in (item["after"] or {}) for item in keys["items"]), (
        "a key's secret reached the audit"
    )


async def test_settings_round_trip_and_refuse_nonsense(api, tenant_a: ApiTenant) -> None:
    change = {
        "week_start": "sunday",
        "quiet_hours": {"start": "22:00", "end": "07:30"},
        "alert_thresholds": [100, 50, 90],
        "whatsapp_templates": {"pt": "alerta_orcamento"},
        "enrolment_policy": "closed",
    }
    response = await api.patch("/api/v1/settings", json=change, headers=tenant_a.admin)
    assert response.status == 200, await response.text()
    settings = await response.json()
    assert settings["alert_thresholds"] == [50, 90, 100] and settings["enrolment_policy"] == "closed"
    assert settings["quiet_hours"] == {"start": "22:00", "end": "07:30"}
    assert settings["whatsapp_templates"]["pt"] == "alerta_orcamento"
    off = await api.patch("/api/v1/settings", json={"quiet_hours": None}, headers=tenant_a.admin)
    assert (await off.json())["quiet_hours"] is None
    for bad in (
        {"quiet_hours": {"start": "25:00", "end": "07:00"}},
        {"alert_thresholds": [0]},
        {"timezone": "Mars/Base"},
    ):
        refused = await api.patch("/api/v1/settings", json=bad, headers=tenant_a.admin)
        assert refused.status == 422, (bad, await refused.text())
    assert (await (await api.get("/api/v1/settings", headers=tenant_a.viewer)).json())[
        "week_start"
    ] == "sunday"


async def test_the_openapi_document_lists_every_operation(api) -> None:
    response = await api.get("/api/v1/openapi.json")
    assert response.status == 200
    document = await response.json()
    assert document["openapi"].startswith("3.1")
    listed = {(method.upper(), path) for path, item in document["paths"].items() for method in item}
    assert listed == {(op.method, "/api/v1" + op.path) for op in operations()}
    for path, item in document["paths"].items():
        for method, spec in item.items():
            assert "422" in spec["responses"] and "401" in spec["responses"], (method, path)


async def test_a_platform_key_that_is_unset_opens_nothing(aiohttp_client, admin_settings) -> None:
    api = await aiohttp_client(create_app(Bootstrap(replace(admin_settings, platform_key=None), agent=False)))
    response = await api.get("/api/v1/tenants", headers=PLATFORM)
    assert response.status == 401
    assert (await api.get("/api/v1/tenants", headers=bearer(""))).status == 401


async def test_requests_are_counted_and_logged_without_their_bodies(api, tenant_a: ApiTenant, caplog) -> None:
    caplog.set_level("INFO", logger="bot.admin.dispatch")
    secret_amount = "7391.13"
    response = await api.post(
        "/api/v1/budgets",
        json={"user_id": tenant_a.user["id"], "amount": secret_amount},
        headers=tenant_a.admin,
    )
    assert response.status == 201
    assert (await api.get("/api/v1/budgets", headers=bearer("cvk_nope"))).status == 401
    [line] = [r for r in caplog.records if r.getMessage() == "api request" and r.operation == "create_budget"]
    assert (line.status, line.tenant_id) == (201, tenant_a.id) and line.key.startswith("cvk_")
    assert all(
        secret_amount not in r.getMessage() and secret_amount not in str(r.__dict__) for r in caplog.records
    )
    metrics = await (await api.get("/metrics")).text()
    assert 'api_requests_total{operation="create_budget",status="201"} 1.0' in metrics
    assert 'api_requests_total{operation="list_budgets",status="401"} 1.0' in metrics


async def test_a_lost_database_answers_503_with_retry_after(aiohttp_client, admin_settings) -> None:
    down = replace(admin_settings, database_url="postgresql://centavo_app@127.0.0.1:1/centavo")
    api = await aiohttp_client(create_app(Bootstrap(down, agent=False)))
    well_formed = "cvk_0123abcd_" + "x" * 43
    response = await api.get("/api/v1/users", headers=bearer(well_formed))
    assert response.status == 503 and response.content_type == "application/problem+json"
    assert int(response.headers["Retry-After"]) >= 1
