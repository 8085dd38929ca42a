"""The OpenAPI 3.1 document, generated from the registry: the very models the handlers validate with."""

from __future__ import annotations

import copy
from typing import Any

from pydantic import BaseModel
from pydantic.json_schema import models_json_schema

from bot.admin.api import PREFIX, Operation
from bot.admin.problems import ProblemBody
from bot.admin.schemas import Page

REF = "#/components/schemas/{model}"
PROBLEM = {"$ref": "#/components/schemas/ProblemBody"}


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
    statuses = [400, 401, 403, 422, 429]
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
    paths: dict[str, dict[str, Any]] = {}
    for op in operations:
        paths.setdefault(PREFIX + op.path, {})[op.method.lower()] = _operation(op, names)
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
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
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
                "schema": {"type": "string", "minLength": 1, "maxLength": 255, "pattern": "^[\\x21-\\x7e]+$"},
            }
        )
    spec: dict[str, Any] = {
        "operationId": op.operation_id,
        "summary": op.summary,
        "tags": [op.tag],
        "parameters": parameters,
        "responses": {},
    }
    if op.handler.__doc__:
        spec["description"] = op.handler.__doc__.strip()
    if op.body is not None:
        spec["requestBody"] = {
            "required": True,
            "content": {"application/json": {"schema": names[(op.body, "validation")]}},
        }
    elif op.body_media == "text/csv":
        spec["requestBody"] = {"required": True, "content": {"text/csv": {"schema": {"type": "string"}}}}
    if op.response is None:
        spec["responses"][str(op.status)] = {"description": "Done"}
    else:
        model = _page_model(op.response) if op.listing else op.response
        content: dict[str, Any] = {"application/json": {"schema": names[(model, "serialization")]}}
        if op.listing:
            content["text/csv"] = {"schema": {"type": "string"}}
        spec["responses"][str(op.status)] = {"description": "OK", "content": content}
    for status in _error_statuses(op):
        spec["responses"][str(status)] = {
            "description": "A problem (RFC 9457)",
            "content": {"application/problem+json": {"schema": PROBLEM}},
        }
    return spec
