"""The admin API's operation registry and the call a handler gets.

How to add a resource (see resources/users.py):

    api = Resource("users")

    @api.get("/users/{user_id}", response=UserOut, summary="One user")
    async def get_user(call: Call) -> UserOut:
        async with call.reading() as uow:
            user = await uow.users.get(call.id("user_id"))
        if user is None:
            raise not_found("user")            # another tenant's id answers exactly like a missing one
        return UserOut.of(user)

    @api.listing("/users", item=UserOut, query=UserQuery, summary="Users")
    async def list_users(call: Call) -> Listed:  # call.query: the validated UserQuery
        ...  # read call.limit rows after call.after (the decoded cursor key, None on the first page)
        return Listed(items, next_key)        # next_key: JSON values of the last row's sort key, or None

    @api.post("/users", body=UserIn, response=UserOut, summary="Enrol a user")
    async def create_user(call: Call) -> UserOut:
        async with call.writing() as uow:      # commits once, with the audit records, when the block ends
            user = await services.add_user(..., uow, call.clock)
            call.audit("create", "user", user.id, None, out := UserOut.of(user))
        return out

Every path is under /api/v1 and every {..._id} path parameter is a UUID. Writes (post, patch, delete) need an
admin key; reads a viewer key; scope="platform" operations only the platform key. The registry is also what
openapi.py turns into the OpenAPI document, so what is validated is what is documented.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any, Literal

from aiohttp import web
from pydantic import BaseModel

from adapters.db import Database, SqlUnitOfWork
from adapters.db.unit_of_work import AuditedUnitOfWork
from bot.admin.auth import Principal
from bot.settings import Settings
from domain.access import OperatorAudit
from domain.model import Tenant, new_id
from domain.ports import Clock

PREFIX = "/api/v1"
Scope = Literal["tenant", "platform"]
Method = Literal["GET", "POST", "PATCH", "PUT", "DELETE"]
JSON_BODY_LIMIT = 64 * 1024
"""A JSON body larger than this is refused (413) before it is parsed."""


@dataclass(frozen=True, slots=True)
class Listed:
    """What a listing handler returns: one page of items and the sort key after which the next page starts."""

    items: Sequence[BaseModel]
    next_key: list[Any] | None


Handler = Callable[["Call"], Awaitable[Any]]


@dataclass(frozen=True, slots=True)
class Operation:
    """One method on one path, with the models it validates and answers with."""

    method: Method
    path: str
    """Relative to /api/v1, e.g. "/users/{user_id}"."""
    handler: Handler
    summary: str
    tag: str
    scope: Scope = "tenant"
    query: type[BaseModel] | None = None
    body: type[BaseModel] | None = None
    body_media: Literal["application/json", "text/csv"] = "application/json"
    response: type[BaseModel] | None = None
    """The response model; for a listing, the item model."""
    status: int = 200
    listing: bool = False
    max_body: int = JSON_BODY_LIMIT
    conflicts: bool = False
    """Whether it can answer 409 (documented only when it can)."""
    links: Mapping[str, Mapping[str, str]] = field(default_factory=dict, hash=False, compare=False)
    """OpenAPI links from this operation's answer that openapi.py cannot derive from the paths: the target's
    operationId -> {its parameter or body field: a runtime expression such as "$response.body#/tenant/id"}."""

    @property
    def write(self) -> bool:
        return self.method != "GET"

    @property
    def operation_id(self) -> str:
        return self.handler.__name__

    @property
    def path_ids(self) -> list[str]:
        return [part[1:-1] for part in self.path.split("/") if part.startswith("{")]


class Resource:
    """The operations of one resource (one OpenAPI tag), declared with decorators."""

    def __init__(self, tag: str) -> None:
        self.tag = tag
        self.operations: list[Operation] = []

    def _add(self, method: Method, path: str, **options: Any) -> Callable[[Handler], Handler]:
        def register(handler: Handler) -> Handler:
            self.operations.append(Operation(method, path, handler, tag=self.tag, **options))
            return handler

        return register

    def get(
        self, path: str, *, response: type[BaseModel], summary: str, **options: Any
    ) -> Callable[[Handler], Handler]:
        return self._add("GET", path, response=response, summary=summary, **options)

    def listing(
        self, path: str, *, item: type[BaseModel], query: type[BaseModel], summary: str, **options: Any
    ) -> Callable[[Handler], Handler]:
        return self._add("GET", path, response=item, query=query, listing=True, summary=summary, **options)

    def post(
        self, path: str, *, response: type[BaseModel] | None, summary: str, status: int = 201, **options: Any
    ) -> Callable[[Handler], Handler]:
        return self._add("POST", path, response=response, summary=summary, status=status, **options)

    def patch(
        self, path: str, *, body: type[BaseModel], response: type[BaseModel], summary: str, **options: Any
    ) -> Callable[[Handler], Handler]:
        return self._add("PATCH", path, body=body, response=response, summary=summary, **options)

    def delete(
        self, path: str, *, summary: str, response: type[BaseModel] | None = None, **options: Any
    ) -> Callable[[Handler], Handler]:
        status = 200 if response is not None else 204
        return self._add("DELETE", path, response=response, summary=summary, status=status, **options)


@dataclass(slots=True)
class Call:
    """One validated request, as a handler sees it."""

    request: web.Request
    operation: Operation
    principal: Principal
    tenant: Tenant | None
    """The key's tenant; None for platform operations."""
    db: Database
    clock: Clock
    settings: Settings
    ids: dict[str, uuid.UUID]
    query: Any = None
    """The validated query model (an instance of operation.query), or None."""
    body: Any = None
    """The validated body model, the raw bytes for a text/csv body, or None."""
    after: list[Any] | None = None
    """A listing's decoded cursor: the sort key of the last row of the previous page."""
    limit: int = 50
    raw_body: bytes = b""
    """The body as received (what an Idempotency-Key's request is compared by)."""
    idempotency_key: str | None = None
    """The request's Idempotency-Key header, when it sent one (a transaction stores it as its source_ref)."""
    audits: list[OperatorAudit] = field(default_factory=list)

    def id(self, name: str) -> uuid.UUID:
        return self.ids[name]

    @property
    def tenant_id(self) -> uuid.UUID:
        if self.tenant is None:
            raise RuntimeError("a platform operation has no tenant")
        return self.tenant.id

    def reading(self) -> SqlUnitOfWork:
        """A unit of work in the caller's tenant, for reads (never committed)."""
        return self.db.unit_of_work(self.tenant_id)

    @asynccontextmanager
    async def writing(self, tenant_id: uuid.UUID | None = None) -> AsyncIterator[AuditedUnitOfWork]:
        """A unit of work whose writes commit once, when the block ends, with this call's audit records."""
        async with self.db.audited_unit_of_work(tenant_id or self.tenant_id) as uow:
            yield uow
            records, self.audits = self.audits, []
            await uow.finish(records)

    def audit(
        self,
        action: str,
        entity: str,
        entity_id: uuid.UUID | str | None,
        before: BaseModel | dict[str, Any] | None,
        after: BaseModel | dict[str, Any] | None,
        *,
        tenant_id: uuid.UUID | None = None,
    ) -> None:
        """Record who did what, with the before and after, in the commit of the current `writing()` block."""

        def plain(value: BaseModel | dict[str, Any] | None) -> dict[str, Any] | None:
            return value.model_dump(mode="json") if isinstance(value, BaseModel) else value

        self.audits.append(
            OperatorAudit(
                id=new_id(),
                tenant_id=tenant_id or self.tenant_id,
                actor=self.principal.actor,
                action=action,
                entity=entity,
                entity_id=None if entity_id is None else str(entity_id),
                before=plain(before),
                after=plain(after),
                at=self.clock.now(),
            )
        )
