"""What fuzzing the admin API found (test_schema_fuzz and the probes it led to), one regression test each: the
document promised less than the handlers took, or a hand-made input reached a handler and failed there."""

from __future__ import annotations

import base64
import json
import uuid

import pytest

from bot.admin import operations, paging
from bot.admin.idempotency import KEY_PATTERN
from tests.e2e.admin.conftest import PLATFORM, ApiTenant

pytestmark = pytest.mark.integration

JSON = {"Content-Type": "application/json"}


async def _document(api) -> dict:
    response = await api.get("/api/v1/openapi.json")
    assert response.status == 200
    return await response.json()


async def _problem(response, status: int) -> dict:
    assert response.status == status, await response.text()
    assert response.content_type == "application/problem+json"
    return await response.json()


async def test_an_idempotency_key_the_document_refuses_is_refused(api, tenant_a: ApiTenant) -> None:
    # Found by negative_data_rejection: "a b" broke the documented pattern (visible ASCII) and was taken.
    parameter = next(
        p
        for p in (await _document(api))["paths"]["/api/v1/keys"]["post"]["parameters"]
        if p["in"] == "header"
    )
    assert parameter["schema"]["pattern"] == KEY_PATTERN
    for key in ("a b", " ", "é"):
        response = await api.post(
            "/api/v1/keys", json={"name": "k"}, headers={**tenant_a.admin, "Idempotency-Key": key}
        )
        problem = await _problem(response, 422)
        assert problem["errors"][0]["field"] == "header.Idempotency-Key"
    ok = await api.post(
        "/api/v1/keys", json={"name": "k"}, headers={**tenant_a.admin, "Idempotency-Key": "a-b"}
    )
    assert ok.status == 201


async def test_a_hand_made_cursor_is_refused_not_a_server_error(api, tenant_a: ApiTenant) -> None:
    # Cursors carried an unkeyed fingerprint: a cursor made by hand with the right one reached the handler,
    # whose uuid.UUID("x") / int("x") answered 500. They are signed now.
    forged = [
        ("/api/v1/budgets", paging.encode(["not-a-uuid"], "list_budgets", {"user_id": None})),
        (
            "/api/v1/audit",
            paging.encode(["x"], "list_audit", {"entity": None, "entity_id": None, "actor": None}),
        ),
        ("/api/v1/users", paging.encode([], "list_users", {"phone": None})),
    ]
    unsigned = json.dumps({"k": ["x"], "s": "é"})  # a non-ASCII signature must not break the comparison
    forged.append(("/api/v1/budgets", base64.urlsafe_b64encode(unsigned.encode()).decode().rstrip("=")))
    for path, cursor in forged:
        problem = await _problem(await api.get(f"{path}?cursor={cursor}", headers=tenant_a.viewer), 422)
        assert problem["errors"][0]["field"] == "query.cursor", path


async def test_a_real_cursor_still_pages(api, tenant_a: ApiTenant) -> None:
    for n in range(3):
        await api.post("/api/v1/keys", json={"name": f"k{n}"}, headers=tenant_a.admin)
    seen, cursor = [], None
    while True:
        url = "/api/v1/keys?limit=2" + (f"&cursor={cursor}" if cursor else "")
        page = await (await api.get(url, headers=tenant_a.admin)).json()
        seen += [key["id"] for key in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert len(seen) == len(set(seen)) == 5  # the first admin key, the viewer and three more


@pytest.mark.parametrize("amount", ["٣٠٠", "1_000", " 5", "5 ", "+5", "1e3", "0x10", "", "1.", ".5"])
async def test_an_amount_string_is_a_plain_decimal(api, tenant_a: ApiTenant, amount: str) -> None:
    # Decimal() alone reads all of these (Arabic-Indic digits as 300, "1_000" as 1000); the document says
    # "a plain decimal".
    body = {"user_id": tenant_a.user["id"], "amount": amount, "category": "dining"}
    problem = await _problem(await api.post("/api/v1/budgets", json=body, headers=tenant_a.admin), 422)
    assert problem["errors"][0]["field"] == "body.amount"


async def test_amounts_are_documented_as_the_handlers_read_them(api, tenant_a: ApiTenant) -> None:
    schema = (await _document(api))["components"]["schemas"]["BudgetIn"]["properties"]["amount"]
    text, number = schema["anyOf"]
    assert text["type"] == "string" and text["pattern"] == "^-?[0-9]{1,16}(\\.[0-9]{1,6})?$"
    assert number == {"type": "number", "exclusiveMinimum": -(10**16), "exclusiveMaximum": 10**16}
    for amount, ok in (("12.50", True), (12.5, True), (500, True), ("9" * 17, False), (10**16, False)):
        body = {
            "user_id": tenant_a.user["id"],
            "amount": amount,
            "category": "dining",
            "recurrence": "weekly",
        }
        response = await api.post("/api/v1/budgets", json=body, headers=tenant_a.admin)
        assert (response.status == 201) is ok, (amount, await response.text())
        if ok:
            await api.delete(f"/api/v1/budgets/{(await response.json())['id']}", headers=tenant_a.admin)


@pytest.mark.parametrize(
    ("path", "method", "body", "field"),
    [
        ("/api/v1/settings", "PATCH", {"alert_thresholds": [True]}, "body.alert_thresholds.0"),
        ("/api/v1/settings", "PATCH", {"alert_thresholds": ["80"]}, "body.alert_thresholds.0"),
        ("/api/v1/settings", "PATCH", {"alert_thresholds": [80.5]}, "body.alert_thresholds.0"),
        ("/api/v1/users/{user_id}", "PATCH", {"opted_out": {"sms": "no"}}, "body.opted_out.sms"),
        ("/api/v1/users/{user_id}", "PATCH", {"opted_out": {"sms": 0}}, "body.opted_out.sms"),
        ("/api/v1/budgets", "POST", {"user_id": "{user_id}", "amount": True}, "body.amount"),
    ],
)
async def test_json_values_are_not_coerced_to_the_documented_type(
    api, tenant_a: ApiTenant, path: str, method: str, body: dict, field: str
) -> None:
    # pydantic's lax mode took "80" and true as integers and "no" as a boolean; the document says integer
    # and boolean, so only those are taken.
    text = json.dumps(body).replace("{user_id}", tenant_a.user["id"])
    url = path.replace("{user_id}", tenant_a.user["id"])
    response = await api.request(method, url, data=text, headers={**tenant_a.admin, **JSON})
    problem = await _problem(response, 422)
    assert field in {error["field"] for error in problem["errors"]}


async def test_a_whole_number_written_with_a_point_is_still_an_integer(api, tenant_a: ApiTenant) -> None:
    # JSON Schema's "integer" includes 80.0, and the fuzzer sends it: the strict typing must not refuse it.
    response = await api.patch(
        "/api/v1/settings", data='{"alert_thresholds": [80.0, 120]}', headers={**tenant_a.admin, **JSON}
    )
    assert response.status == 200, await response.text()
    assert (await response.json())["alert_thresholds"] == [80, 120]


@pytest.mark.parametrize("constant", ["NaN", "Infinity", "-Infinity"])
async def test_nan_and_infinity_are_not_json(api, tenant_a: ApiTenant, constant: str) -> None:
    body = '{"user_id": "%s", "amount": %s}' % (tenant_a.user["id"], constant)  # noqa: UP031
    response = await api.post("/api/v1/budgets", data=body, headers={**tenant_a.admin, **JSON})
    assert (await _problem(response, 400))["type"].endswith("/malformed-json")


async def test_thresholds_are_documented_with_their_bounds(api, tenant_a: ApiTenant) -> None:
    schemas = (await _document(api))["components"]["schemas"]
    for model, name in (("BudgetIn", "thresholds"), ("SettingsPatch", "alert_thresholds")):
        items = schemas[model]["properties"][name]["anyOf"][0]["items"]
        assert (items["type"], items["minimum"], items["maximum"]) == ("integer", 1, 500), model
    response = await api.patch("/api/v1/settings", json={"alert_thresholds": [501]}, headers=tenant_a.admin)
    assert (await _problem(response, 422))["errors"][0]["field"] == "body.alert_thresholds.0"


async def test_a_key_name_is_documented_as_long_as_the_column(api, tenant_a: ApiTenant) -> None:
    # The document allowed 120 characters; the column (and domain.access) 100: 101 passed the schema.
    schema = (await _document(api))["components"]["schemas"]["KeyIn"]["properties"]["name"]
    assert schema["maxLength"] == 100
    response = await api.post("/api/v1/keys", json={"name": "k" * 101}, headers=tenant_a.admin)
    assert (await _problem(response, 422))["errors"][0]["field"] == "body.name"
    assert (await api.post("/api/v1/keys", json={"name": "k" * 100}, headers=tenant_a.admin)).status == 201


@pytest.mark.parametrize(
    ("phone", "status"),
    [("+55 (11) 98765-4321", 201), ("+1 415.555.0100", 201), ("5511987654321", 422), ("+0123456789", 422)],
)
async def test_the_phone_pattern_is_the_domains(api, tenant_a: ApiTenant, phone: str, status: int) -> None:
    # "0" matched the documented pattern and every schema-valid phone the fuzzer sent was refused later.
    response = await api.post("/api/v1/users", json={"phone": phone}, headers=tenant_a.admin)
    assert response.status == status, await response.text()
    if status == 422:
        assert (await response.json())["errors"][0]["field"] == "body.phone"


@pytest.mark.parametrize(
    ("path", "name", "number", "text"),
    [
        ("/api/v1/alerts", "since", "0", "2024-03-01T00:00:00Z"),
        ("/api/v1/alerts", "since", "1700000000", "2024-03-01T00:00:00Z"),
        ("/api/v1/alerts", "since", "1.5", "2024-03-01T00:00:00Z"),
        ("/api/v1/transactions", "from", "0", "2024-03-01"),  # a field with an alias (from_)
        ("/api/v1/transactions", "to", "5.752330259458643e-51", "2024-03-01"),  # an exponent
        ("/api/v1/transactions", "to", ".5", "2024-03-01"),
    ],
)
async def test_a_number_is_not_a_date(
    api, tenant_a: ApiTenant, path: str, name: str, number: str, text: str
) -> None:
    # Found by negative_data_rejection: GET /alerts?cursor=&since=0 answered 200 (pydantic read 0 as the
    # Unix epoch), and then by the coverage phase, GET /transactions?from=0; the document says format
    # date-time and date.
    response = await api.get(f"{path}?{name}={number}", headers=tenant_a.viewer)
    assert (await _problem(response, 422))["errors"][0]["field"] == f"query.{name}"
    assert (await api.get(f"{path}?{name}={text}", headers=tenant_a.viewer)).status == 200


async def test_problems_carry_the_headers_the_document_names(api, tenant_a: ApiTenant) -> None:
    document = await _document(api)
    responses = document["paths"]["/api/v1/users"]["get"]["responses"]
    assert responses["401"]["headers"]["WWW-Authenticate"]["required"] is True
    assert responses["429"]["headers"]["Retry-After"]["required"] is True
    response = await api.get("/api/v1/users", headers={"Authorization": "Bearer cvk_nope"})
    assert response.status == 401 and response.headers["WWW-Authenticate"].startswith("Bearer ")


async def test_platform_operations_name_the_platform_key(api) -> None:
    document = await _document(api)
    assert set(document["components"]["securitySchemes"]) == {"bearer", "platform"}
    for op in operations():
        spec = document["paths"]["/api/v1" + op.path][op.method.lower()]
        expected = [{"platform": []}] if op.scope == "platform" else None
        assert spec.get("security") == expected, op.operation_id


async def test_links_lead_from_a_creation_to_what_it_created(api, tenant_a: ApiTenant) -> None:
    # The stateful fuzzer follows these: each link's expression must find a value in a real answer.
    document = await _document(api)
    links = document["paths"]["/api/v1/users"]["post"]["responses"]["201"]["links"]
    assert links["get_user"] == {
        "operationId": "get_user",
        "parameters": {"path.user_id": "$response.body#/id"},
    }
    assert links["create_budget"]["requestBody"] == {"user_id": "$response.body#/id"}
    tenant_links = document["paths"]["/api/v1/tenants"]["post"]["responses"]["201"]["links"]
    assert tenant_links["get_tenant"]["parameters"] == {"path.tenant_id": "$response.body#/tenant/id"}
    body = {"slug": f"t-{uuid.uuid4().hex[:10]}", "name": "L", "currency": "BRL", "locale": "pt_BR"}
    created = await api.post("/api/v1/tenants", json={**body, "timezone": "UTC"}, headers=PLATFORM)
    tenant_id = (await created.json())["tenant"]["id"]
    assert (await api.get(f"/api/v1/tenants/{tenant_id}", headers=PLATFORM)).status == 200


async def test_an_undeclared_method_answers_405_with_the_documented_methods(api, tenant_a: ApiTenant) -> None:
    # What the coverage phase's unsupported_method and allow_header_conformance check, stated for every path
    # (the fuzz test only meets the methods schemathesis picks).
    for path, item in (await _document(api))["paths"].items():
        declared = {method.upper() for method in item}
        undeclared = next(m for m in ("PUT", "PATCH", "DELETE", "POST") if m not in declared)
        url = path.replace("{", "").replace("}", "")  # any segment: the method is refused before the path ids
        response = await api.request(undeclared, url, headers=tenant_a.admin)
        problem = await _problem(response, 405)
        assert problem["status"] == 405, path
        assert set(response.headers["Allow"].split(",")) == declared, path


async def test_a_request_http_refuses_is_a_documented_400(api, tenant_a: ApiTenant) -> None:
    # A request line over 8190 bytes is refused by aiohttp before the app, in text/plain: the document's
    # 400 said problem+json only.
    response = await api.get("/api/v1/users?phone=" + "1" * 9000, headers=tenant_a.viewer)
    assert response.status == 400 and response.content_type == "text/plain"
    content = (await _document(api))["paths"]["/api/v1/users"]["get"]["responses"]["400"]["content"]
    assert set(content) == {"application/problem+json", "text/plain"}
