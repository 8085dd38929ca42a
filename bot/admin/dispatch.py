"""Turns an Operation into an aiohttp handler: authenticate, authorize, rate-limit, validate, run, answer
(JSON, CSV or problem+json), with Idempotency-Key replay for POST."""

from __future__ import annotations

import json
import logging
import math
import time
import uuid
from collections.abc import Awaitable, Callable
from decimal import Decimal
from typing import Any

import pydantic
from aiohttp import web
from pydantic import BaseModel

from bot.admin import paging
from bot.admin.api import Call, Listed, Operation
from bot.admin.auth import Principal, authenticate, authorize
from bot.admin.csv_export import CsvWriter
from bot.admin.idempotency import Idempotency, Stored, check_key, fingerprint
from bot.admin.problems import Problem, field_problem, from_domain, from_validation
from bot.admin.schemas import numbers_for_dates
from bot.keys import API_LIMITER, CACHE, CLOCK, DATABASE, METRICS, SETTINGS
from bot.outage import RETRY_AFTER_S, is_unavailable
from domain.errors import DomainError

log = logging.getLogger(__name__)

CSV_PAGE = 1000
"""Rows per query while streaming a CSV: big enough to be fast, small enough to keep memory flat."""

AiohttpHandler = Callable[[web.Request], Awaitable[web.StreamResponse]]


CALLER = web.RequestKey("centavo_api_caller", Principal)
"""Who made the request, once authenticated: for the access log."""


def handler_for(operation: Operation) -> AiohttpHandler:
    async def observed(request: web.Request) -> web.StreamResponse:
        """One access-log line and the API metrics per request (never the body: it may hold amounts)."""
        started = time.perf_counter()
        response = await handle(request)
        elapsed = time.perf_counter() - started
        metrics = request.app[METRICS]
        metrics.api_requests.labels(operation.operation_id, str(response.status)).inc()
        metrics.api_seconds.labels(operation.operation_id).observe(elapsed)
        caller = request.get(CALLER)
        log.info(
            "api request",
            extra={
                "operation": operation.operation_id,
                "status": response.status,
                "ms": round(elapsed * 1000, 1),
                "tenant_id": str(caller.tenant_id) if caller and caller.tenant_id else None,
                "key": (caller.prefix or "platform") if caller else None,
            },
        )
        return response

    async def handle(request: web.Request) -> web.StreamResponse:
        idempotency: Idempotency | None = None
        try:
            call = await _prepare(request, operation)
            idempotency, replay = await _idempotency(request, call)
            if replay is not None:
                return web.Response(
                    status=replay.status,
                    text=replay.body,
                    content_type=replay.content_type,
                    headers={"Idempotent-Replayed": "true"},
                )
            if operation.listing and _wants_csv(request, call):
                return await _stream_csv(request, call)
            response, stored = await _run(call)
        except Problem as problem:
            response, stored = problem.response(), _stored_problem(problem)
        except DomainError as exc:
            refused = from_domain(exc)
            response, stored = refused.response(), _stored_problem(refused)
        except Exception as exc:
            if idempotency is not None:
                await idempotency.abandon()
            if is_unavailable(exc):
                # The database or Redis is down or hung: a retry later will work, so say so (503).
                log.warning("admin API: a store is unavailable", extra={"operation": operation.operation_id})
                retry = {"Retry-After": str(RETRY_AFTER_S)}
                return Problem(503, "a store is unavailable; retry shortly", headers=retry).response()
            log.exception("admin API operation failed", extra={"operation": operation.operation_id})
            return Problem(500, "the request failed; it may be retried").response()
        if idempotency is not None:
            if stored is not None:
                await idempotency.complete(stored)
            else:
                await idempotency.abandon()
        return response

    observed.__name__ = operation.operation_id
    return observed


def _stored_problem(problem: Problem) -> Stored | None:
    """4xx answers are replayed like successes (the same request gets the same answer), except the ones
    that depend on the moment: rate limited or still running."""
    if problem.status in (409, 429) and "Retry-After" in problem.headers:
        return None
    return Stored(problem.status, problem.body().model_dump_json(), "application/problem+json")


async def _prepare(request: web.Request, operation: Operation) -> Call:
    app = request.app
    settings, db = app[SETTINGS], app[DATABASE]
    principal, tenant = await authenticate(request.headers.get("Authorization"), db, settings)
    request[CALLER] = principal
    authorize(principal, platform_only=operation.scope == "platform", write=operation.write)
    decision = await app[API_LIMITER].check("api", principal.limit_key, app[CLOCK].now())
    if not decision.allowed:
        retry = max(1, math.ceil(1 / app[API_LIMITER].refill_per_second))
        raise Problem(429, "too many requests for this key", headers={"Retry-After": str(retry)})
    ids = _path_ids(request, operation)
    call = Call(
        request=request,
        operation=operation,
        principal=principal,
        tenant=tenant,
        db=db,
        clock=app[CLOCK],
        settings=settings,
        ids=ids,
    )
    if operation.query is not None:
        call.query = _validate(operation.query, _query(request), "query")
    elif _query(request):
        unknown = sorted(_query(request))
        raise field_problem(422, f"query.{unknown[0]}", "unknown parameter")
    if operation.listing:
        call.limit = call.query.limit
        if call.query.cursor:
            call.after = paging.decode(
                call.query.cursor, operation.operation_id, _filters(call), settings.api_key_secret
            )
    if operation.body is not None or operation.body_media == "text/csv":
        call.raw_body = (
            await _read_limited(request, operation.max_body) if _media_ok(request, operation) else b""
        )
        call.body = _parse_body(call.raw_body, operation)
    elif request.can_read_body and request.method != "GET":
        if await request.content.read(1):
            raise Problem(422, "this operation takes no body", kind="validation")
    return call


def _path_ids(request: web.Request, operation: Operation) -> dict[str, uuid.UUID]:
    ids = {}
    for name in operation.path_ids:
        raw = request.match_info.get(name, "")
        try:
            ids[name] = uuid.UUID(raw) if len(raw) <= 36 else uuid.UUID("x")
        except ValueError:
            raise field_problem(422, f"path.{name}", "must be a UUID") from None
    return ids


def _query(request: web.Request) -> dict[str, str]:
    query: dict[str, str] = {}
    for name, value in request.query.items():
        if name in query:
            raise field_problem(422, f"query.{name}", "given more than once")
        if "\x00" in value or "\x00" in name:
            raise field_problem(422, f"query.{name}", "contains a NUL character")
        query[name] = value
    return query


def _validate(model: type[BaseModel], data: Any, where: str) -> Any:
    numbers = numbers_for_dates(model, data, where)
    if numbers:
        raise field_problem(422, numbers[0], "an ISO 8601 date or date-time, not a number")
    try:
        return model.model_validate(data)
    except pydantic.ValidationError as exc:
        raise from_validation(exc, where) from None


async def _read_limited(request: web.Request, limit: int) -> bytes:
    if request.content_length is not None and request.content_length > limit:
        raise Problem(413, f"the body may be at most {limit} bytes")
    data = await request.content.read(limit + 1)
    while len(data) <= limit:
        more = await request.content.read(limit + 1 - len(data))
        if not more:
            break
        data += more
    if len(data) > limit:
        raise Problem(413, f"the body may be at most {limit} bytes")
    return data


def _media_ok(request: web.Request, operation: Operation) -> bool:
    if request.content_type != operation.body_media:
        raise Problem(415, f"send the body as {operation.body_media}", kind="unsupported-media-type")
    return True


def _not_json(constant: str) -> Any:
    raise ValueError(f"{constant} is not JSON")


def _typed(value: Any) -> Any:
    """The parsed body with numbers as JSON Schema reads them (2.0 is an integer), for the typing pass."""
    if isinstance(value, Decimal):
        integral = value == value.to_integral_value() and value.adjusted() < 64
        return int(value) if integral else float(value)
    if isinstance(value, list):
        return [_typed(item) for item in value]
    if isinstance(value, dict):
        return {name: _typed(item) for name, item in value.items()}
    return value


def _parse_body(raw: bytes, operation: Operation) -> Any:
    if operation.body_media == "text/csv":
        return raw
    try:
        # Numbers become Decimal, never float: an amount is exact from the first byte. NaN and Infinity are
        # not JSON (Python's parser takes them by default).
        data = json.loads(raw.decode("utf-8"), parse_float=Decimal, parse_constant=_not_json)
        typed = json.dumps(_typed(data))
    except (UnicodeDecodeError, ValueError, RecursionError):
        raise Problem(400, "the body is not valid JSON", kind="malformed-json") from None
    assert operation.body is not None
    # The JSON types the document states: "80" is no integer and "no" no boolean, which pydantic's lax mode
    # would take. This strict pass only checks types; the values come from the exact (Decimal) parse.
    try:
        operation.body.model_validate_json(typed, strict=True)
    except pydantic.ValidationError as exc:
        raise from_validation(exc, "body") from None
    return _validate(operation.body, data, "body")


async def _idempotency(request: web.Request, call: Call) -> tuple[Idempotency | None, Stored | None]:
    header = request.headers.get("Idempotency-Key")
    if request.method != "POST" or header is None:
        return None, None
    digest = fingerprint(request.method, request.path, request.query_string, call.raw_body)
    call.idempotency_key = check_key(header)
    idempotency = Idempotency(request.app[CACHE], call.principal.limit_key, call.idempotency_key, digest)
    return idempotency, await idempotency.begin()


def _wants_csv(request: web.Request, call: Call) -> bool:
    if call.query is not None and call.query.format is not None:
        return bool(call.query.format == "csv")
    accept = request.headers.get("Accept", "")
    return "text/csv" in accept and "application/json" not in accept


def _filters(call: Call) -> dict[str, Any]:
    """The listing's filters (what a cursor is bound to): the query minus paging and format, plus path ids."""
    assert call.query is not None
    filters = call.query.model_dump(mode="json", exclude={"cursor", "limit", "format"})
    return {**filters, **{name: str(value) for name, value in call.ids.items()}}


async def _run(call: Call) -> tuple[web.Response, Stored | None]:
    operation = call.operation
    result = await operation.handler(call)
    if operation.listing:
        assert isinstance(result, Listed)
        next_cursor = (
            paging.encode(
                result.next_key, operation.operation_id, _filters(call), call.settings.api_key_secret
            )
            if result.next_key is not None
            else None
        )
        body = json.dumps(
            {"items": [item.model_dump(mode="json") for item in result.items], "next_cursor": next_cursor},
            ensure_ascii=False,
        )
    elif result is None:
        return web.Response(status=operation.status), Stored(operation.status, "", "application/json")
    else:
        assert isinstance(result, BaseModel)
        body = result.model_dump_json()
    return (
        web.Response(status=operation.status, text=body, content_type="application/json"),
        Stored(operation.status, body, "application/json"),
    )


async def _stream_csv(request: web.Request, call: Call) -> web.StreamResponse:
    """Every page of the listing, written as it is read: memory stays one page whatever the size."""
    operation = call.operation
    assert operation.response is not None
    writer = CsvWriter(operation.response)
    call.limit = CSV_PAGE
    first = await operation.handler(call)  # before the headers: a problem can still be a clean 4xx
    name = operation.path.strip("/").replace("/", "-").replace("{", "").replace("}", "") or "export"
    response = web.StreamResponse(
        status=200,
        headers={
            "Content-Type": "text/csv; charset=utf-8",
            "Content-Disposition": f'attachment; filename="{name}.csv"',
        },
    )
    await response.prepare(request)
    await response.write(writer.header().encode())
    page: Listed = first
    while True:
        if page.items:
            await response.write(writer.rows(page.items).encode())
        if page.next_key is None:
            break
        call.after = page.next_key
        page = await operation.handler(call)
    await response.write_eof()
    return response
