"""The OpenAPI 3.1 document, generated from the registry: the very models the handlers validate with."""

from __future__ import annotations

import copy
import itertools
import typing
from typing import Any

from pydantic import BaseModel
from pydantic.json_schema import models_json_schema

from bot.admin.api import PREFIX, Operation
from bot.admin.idempotency import KEY_PATTERN, MAX_KEY
from bot.admin.problems import ProblemBody
from bot.admin.schemas import Page

REF = "#/components/schemas/{model}"
PROBLEM = {"$ref": "#/components/schemas/ProblemBody"}
SECURITY_SCHEMES = {
    "bearer": {"type": "http", "scheme": "bearer", "description": "A tenant's API key (admin or viewer)."},
    "platform": {"type": "http", "scheme": "bearer", "description": "CENTAVO_PLATFORM_KEY."},
}
SECONDS = {"type": "integer", "minimum": 1}
ERROR_HEADERS: dict[int, dict[str, Any]] = {
    401: {"WWW-Authenticate": {"required": True, "schema": {"type": "string", "pattern": "^Bearer "}}},
    409: {"Retry-After": {"description": "When the same request is still running.", "schema": SECONDS}},
    429: {"Retry-After": {"required": True, "schema": SECONDS}},
    503: {"Retry-After": {"required": True, "schema": SECONDS}},
}
"""Headers some problems always (or, for 409, sometimes) carry: documented, so the fuzzer checks them."""
REPLAYED = {
    "Idempotent-Replayed": {
        "description": "Present on the stored answer to an earlier request with the same Idempotency-Key.",
        "schema": {"type": "string", "enum": ["true"]},
    }
}


def _page_model(item: type[BaseModel]) -> type[BaseModel]:
    return Page[item]  # type: ignore[valid-type]


def _inline(schema: dict[str, Any], defs: dict[str, Any]) -> dict[str, Any]:
    """A query parameter's schema with its local $refs resolved (parameters cannot point into $defs)."""
    if "$ref" in schema:
        target = defs[schema["$ref"].rsplit("/", 1)[-1]]
        return _inline({**target, **{k: v for k, v in schema.items() if k != "$ref"}}, defs)
    out: dict[str, Any] = {}
    for name, value in schema.items():
        if isinstance(value, dict):
            out[name] = _inline(value, defs)
        elif isinstance(value, list):
            out[name] = [_inline(v, defs) if isinstance(v, dict) else v for v in value]
        else:
            out[name] = value
    return out


def _query_parameters(model: type[BaseModel]) -> list[dict[str, Any]]:
    schema = model.model_json_schema()
    defs = schema.get("$defs", {})
    required = set(schema.get("required", []))
    parameters = []
    for name, prop in schema.get("properties", {}).items():
        prop = _inline(copy.deepcopy(prop), defs)
        description = prop.pop("description", None) or prop.pop("title", None)
        prop.pop("title", None)
        parameter: dict[str, Any] = {
            "name": name,
            "in": "query",
            "required": name in required,
            "schema": prop,
        }
        if description:
            parameter["description"] = description
        parameters.append(parameter)
    return parameters


def _error_statuses(operation: Operation) -> list[int]:
    statuses = [400, 401, 403, 422, 429, 503]
    if operation.path_ids or operation.write:
        statuses.append(404)
    if operation.body is not None or operation.body_media == "text/csv":
        statuses += [413, 415]
    if operation.conflicts or operation.method == "POST":
        statuses.append(409)
    return sorted(set(statuses))


def document(operations: list[Operation], *, version: str = "1") -> dict[str, Any]:
    """The OpenAPI 3.1 document for these operations."""
    inputs = {op.body for op in operations if op.body is not None}
    outputs: set[type[BaseModel]] = {ProblemBody}
    for op in operations:
        if op.response is not None:
            outputs.add(_page_model(op.response) if op.listing else op.response)
    keyed = [(m, "validation") for m in inputs] + [(m, "serialization") for m in outputs]
    names, definitions = models_json_schema(keyed, ref_template=REF)  # type: ignore[arg-type]
    links = _links(operations)
    paths: dict[str, dict[str, Any]] = {}
    for op in operations:
        spec = _operation(op, names)
        if links.get(op.operation_id):
            spec["responses"][str(op.status)]["links"] = links[op.operation_id]
        paths.setdefault(PREFIX + op.path, {})[op.method.lower()] = spec
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Centavo admin API",
            "version": version,
            "description": (
                "Tenant operators manage what the assistant recorded. Authenticate with "
                "`Authorization: Bearer <key>`: a tenant key (role admin writes, viewer reads) or the "
                "platform key for /tenants. Errors are application/problem+json (RFC 9457). Listings are "
                "cursor-paged and stream as CSV with `Accept: text/csv` or `?format=csv`."
            ),
        },
        "servers": [{"url": "/"}],
        "security": [{"bearer": []}],
        "paths": paths,
        "components": {
            "schemas": definitions.get("$defs", {}),
            "securitySchemes": SECURITY_SCHEMES,
        },
    }


def _operation(op: Operation, names: dict[Any, Any]) -> dict[str, Any]:
    parameters: list[dict[str, Any]] = [
        {"name": name, "in": "path", "required": True, "schema": {"type": "string", "format": "uuid"}}
        for name in op.path_ids
    ]
    if op.query is not None:
        parameters += _query_parameters(op.query)
    if op.method == "POST":
        parameters.append(
            {
                "name": "Idempotency-Key",
                "in": "header",
                "required": False,
                "description": "Replays the first answer to the same request for 24 hours.",
                "schema": {"type": "string", "minLength": 1, "maxLength": MAX_KEY, "pattern": KEY_PATTERN},
            }
        )
    spec: dict[str, Any] = {
        "operationId": op.operation_id,
        "summary": op.summary,
        "tags": [op.tag],
        "parameters": parameters,
        "responses": {},
    }
    if op.scope == "platform":
        spec["security"] = [{"platform": []}]
    if op.handler.__doc__:
        spec["description"] = op.handler.__doc__.strip()
    if op.body is not None:
        spec["requestBody"] = {
            "required": True,
            "content": {"application/json": {"schema": names[(op.body, "validation")]}},
        }
    elif op.body_media == "text/csv":
        spec["requestBody"] = {"required": True, "content": {"text/csv": {"schema": {"type": "string"}}}}
    success: dict[str, Any]
    if op.response is None:
        success = {"description": "Done"}
    else:
        model = _page_model(op.response) if op.listing else op.response
        content: dict[str, Any] = {"application/json": {"schema": names[(model, "serialization")]}}
        if op.listing:
            content["text/csv"] = {"schema": {"type": "string"}}
        success = {"description": "OK", "content": content}
    if op.method == "POST":
        success["headers"] = REPLAYED
    spec["responses"][str(op.status)] = success
    for status in _error_statuses(op):
        spec["responses"][str(status)] = {
            "description": "A problem (RFC 9457)",
            "content": {"application/problem+json": {"schema": PROBLEM}},
        }
        if status == 400:
            # aiohttp answers a request HTTP itself refuses (a request line or a header over 8190 bytes)
            # before the app sees it, in plain text.
            spec["responses"]["400"]["content"]["text/plain"] = {"schema": {"type": "string"}}
        if status in ERROR_HEADERS:
            spec["responses"][str(status)]["headers"] = ERROR_HEADERS[status]
    return spec


def _fields(model: type[BaseModel] | None) -> dict[str, Any]:
    return {} if model is None else dict(model.model_fields)


def _nested(annotation: Any) -> type[BaseModel] | None:
    """The model in a field annotated `Model` or `Model | None`."""
    candidates = typing.get_args(annotation) or (annotation,)
    models = [c for c in candidates if isinstance(c, type) and issubclass(c, BaseModel)]
    return models[0] if len(models) == 1 else None


def _id_name(source: Operation, operations: list[Operation]) -> str | None:
    """What a created item's `id` is called in the paths that take it: POST /users answers a user whose id
    is {user_id} in /users/{user_id}; POST /users/{user_id}/accounts an account, {account_id} in
    /accounts/{account_id} (the path parameter after the collection's name)."""
    collection = [part for part in source.path.split("/") if part and not part.startswith("{")][-1:]
    for op in operations:
        parts = op.path.split("/")
        for before, part in itertools.pairwise(parts):
            if [before] == collection and part.startswith("{"):
                return part[1:-1]
    return None


def _produced(source: Operation, operations: list[Operation]) -> dict[str, str]:
    """The values a creation's answer offers to other operations, by the name they take there: its id
    (under its path name), its *_id fields, and the ids of nested items ("tenant": {"id"} as tenant_id)."""
    values: dict[str, str] = {}
    fields = _fields(source.response)
    for name, info in fields.items():
        nested = _nested(info.annotation)
        if name.endswith("_id"):
            values[name] = f"$response.body#/{name}"
        elif nested is not None and "id" in nested.model_fields:
            values[f"{name}_id"] = f"$response.body#/{name}/id"
    alias = _id_name(source, operations) if "id" in fields else None
    if alias is not None:
        values[alias] = "$response.body#/id"
    return values


def _link(source: Operation, target: Operation, values: dict[str, str]) -> dict[str, Any] | None:
    """The link to `target` when every one of its path parameters has a value (from the answer, or the
    source's own path) and at least one value comes from the answer."""
    parameters: dict[str, str] = {}
    for name in target.path_ids:
        if name in values:
            parameters[f"path.{name}"] = values[name]
        elif name in source.path_ids:
            parameters[f"path.{name}"] = f"$request.path.{name}"
        else:
            return None
    for name in _fields(target.query):
        if name in values:
            parameters[f"query.{name}"] = values[name]
    body = {name: values[name] for name in _fields(target.body) if name in values}
    if not any(v.startswith("$response.") for v in [*parameters.values(), *body.values()]):
        return None
    link: dict[str, Any] = {"operationId": target.operation_id, "parameters": parameters}
    if body:
        link["requestBody"] = body
    return link


def _links(operations: list[Operation]) -> dict[str, dict[str, Any]]:
    """OpenAPI links (what a client, or a stateful fuzzer, can do next with an answer): from every creation
    to the operations that take what it created, plus each operation's explicit `links`."""
    by_id = {op.operation_id: op for op in operations}
    links: dict[str, dict[str, Any]] = {}
    for source in operations:
        found: dict[str, Any] = {}
        if source.method == "POST" and source.status == 201 and source.response is not None:
            values = _produced(source, operations)
            for target in operations:
                if target is not source and (link := _link(source, target, values)) is not None:
                    found[target.operation_id] = link
        for target_id, given in source.links.items():
            link = _link(source, by_id[target_id], dict(given))
            if link is None:
                raise ValueError(f"{source.operation_id}: link to {target_id} misses a path parameter")
            found[target_id] = link
        if found:
            links[source.operation_id] = found
    return links
