"""Errors as RFC 9457 problem details (application/problem+json), from domain and validation errors."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

import pydantic
from aiohttp import web

from domain.errors import Conflict, CurrencyMismatch, DomainError, NotFound, ValidationError

PROBLEM_JSON = "application/problem+json"
TYPE_BASE = "https://centavo.dev/problems/"

TITLES = {
    400: "Bad request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not found",
    405: "Method not allowed",
    409: "Conflict",
    413: "Payload too large",
    415: "Unsupported media type",
    422: "Unprocessable content",
    429: "Too many requests",
    500: "Internal server error",
    503: "Service unavailable",
}


class FieldError(pydantic.BaseModel):
    """One bad part of a request: where it is and what is wrong with it."""

    field: str
    """Dotted location: "amount", "query.limit", "body.aliases.2", "path.user_id"."""
    message: str


class ProblemBody(pydantic.BaseModel):
    """The problem+json document every error answers with (documented in the OpenAPI components)."""

    type: str
    title: str
    status: int
    detail: str | None = None
    errors: list[FieldError] = []


class Problem(Exception):
    """An error response; raise it anywhere below a handler and the dispatcher renders it."""

    def __init__(
        self,
        status: int,
        detail: str | None = None,
        *,
        kind: str | None = None,
        errors: list[FieldError] | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(detail or TITLES.get(status, "Error"))
        self.status = status
        self.detail = detail
        self.kind = kind or TITLES.get(status, "error").lower().replace(" ", "-")
        self.errors = errors or []
        self.headers = dict(headers or {})

    def body(self) -> ProblemBody:
        return ProblemBody(
            type=TYPE_BASE + self.kind,
            title=TITLES.get(self.status, "Error"),
            status=self.status,
            detail=self.detail,
            errors=self.errors,
        )

    def response(self) -> web.Response:
        return web.Response(
            status=self.status,
            text=self.body().model_dump_json(),
            content_type=PROBLEM_JSON,
            headers=self.headers,
        )


def not_found(what: str) -> Problem:
    """The one answer for a missing id and for another tenant's id: same status, same body."""
    return Problem(404, f"no such {what}", kind="not-found")


def field_problem(status: int, field: str, message: str, *, kind: str = "validation") -> Problem:
    return Problem(
        status, f"{field}: {message}", kind=kind, errors=[FieldError(field=field, message=message)]
    )


def from_domain(exc: DomainError) -> Problem:
    """A domain error as the problem it is for an API caller."""
    if isinstance(exc, NotFound):
        return not_found(exc.what)
    if isinstance(exc, ValidationError):
        return field_problem(422, exc.field, exc.message)
    if isinstance(exc, Conflict):
        return field_problem(409, exc.field, exc.message, kind="conflict")
    if isinstance(exc, CurrencyMismatch):
        return field_problem(422, "currency", str(exc))
    return Problem(422, str(exc), kind="validation")


def from_validation(exc: pydantic.ValidationError, where: str) -> Problem:
    """Every field pydantic refused, named as `where`.field (query, body, path)."""
    errors = []
    for error in exc.errors(include_url=False, include_input=False):
        location = ".".join(str(part) for part in error["loc"])
        field = f"{where}.{location}" if location else where
        message = "unknown field" if error["type"] == "extra_forbidden" else str(error["msg"])
        errors.append(FieldError(field=field, message=message))
    detail = "; ".join(f"{e.field}: {e.message}" for e in errors[:5])
    return Problem(422, detail, kind="validation", errors=errors)


def dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))
