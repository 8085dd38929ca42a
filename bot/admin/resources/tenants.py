"""Platform operations (the platform key only): create and list tenants, route channel numbers to them."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Literal

from pydantic import Field

from adapters.db import ChannelEndpoint
from bot.admin.api import Call, Listed, Resource
from bot.admin.problems import field_problem, not_found
from bot.admin.resources.keys import IssuedKeyOut
from bot.admin.schemas import Currency, ListQuery, Name, Out, Strict
from bot.webhooks.inbound import E164
from domain import services
from domain.access import Role, create_key
from domain.commands import CreateTenant
from domain.model import Tenant

api = Resource("tenants")

Slug = str


class TenantIn(Strict):
    slug: str = Field(min_length=2, max_length=40, pattern=r"^[a-z0-9][a-z0-9-]{1,39}$")
    name: Name
    currency: Currency
    locale: str = Field(max_length=32, pattern=r"^[A-Za-z]{2,3}([_-][A-Za-z0-9]{2,8})*$")
    timezone: str = Field(max_length=64, pattern=r"^[A-Za-z0-9_+\-/]+$")
    language: Literal["en", "es", "pt"] | None = None
    policy: Literal["open", "closed"] = "open"


class TenantOut(Out):
    id: uuid.UUID
    slug: str
    name: str
    language: str
    locale: str
    currency: str
    timezone: str
    policy: str
    created_at: datetime | None

    @classmethod
    def of(cls, tenant: Tenant) -> TenantOut:
        return cls(
            id=tenant.id,
            slug=tenant.slug,
            name=tenant.name,
            language=str(tenant.language),
            locale=tenant.locale,
            currency=tenant.currency,
            timezone=tenant.timezone,
            policy=str(tenant.policy),
            created_at=tenant.created_at,
        )


class CreatedTenantOut(Out):
    tenant: TenantOut
    admin_key: IssuedKeyOut
    """The tenant's first admin key. Its `key` is shown this once: store it now."""


@api.post(
    "/tenants",
    body=TenantIn,
    response=CreatedTenantOut,
    scope="platform",
    summary="Create a tenant",
    conflicts=True,
)
async def create_tenant(call: Call) -> CreatedTenantOut:
    body: TenantIn = call.body
    cmd = CreateTenant(
        slug=body.slug,
        name=body.name,
        currency=body.currency,
        locale=body.locale,
        timezone=body.timezone,
        language=body.language,
        policy=body.policy,
    )
    async with call.db.directory() as directory:
        tenant = await services.create_tenant(cmd, directory, call.clock)
        issued = await create_key(
            tenant.id, "first admin key", Role.ADMIN, call.settings.api_key_secret, directory, call.clock
        )
    out = CreatedTenantOut(tenant=TenantOut.of(tenant), admin_key=IssuedKeyOut.of(issued))
    async with call.writing(tenant.id):
        call.audit("create", "tenant", tenant.id, None, out.tenant, tenant_id=tenant.id)
        call.audit(
            "create", "key", issued.record.id, None, IssuedKeyOut.of(issued).public(), tenant_id=tenant.id
        )
    return out


@api.listing("/tenants", item=TenantOut, query=ListQuery, scope="platform", summary="List tenants")
async def list_tenants(call: Call) -> Listed:
    async with call.db.directory() as directory:
        tenants = await directory.tenants.list()
    after = str(call.after[0]) if call.after else ""
    rest = [t for t in tenants if t.slug > after]
    page = rest[: call.limit]
    return Listed([TenantOut.of(t) for t in page], [page[-1].slug] if len(rest) > call.limit else None)


@api.get("/tenants/{tenant_id}", response=TenantOut, scope="platform", summary="One tenant")
async def get_tenant(call: Call) -> TenantOut:
    async with call.db.directory() as directory:
        tenant = await directory.tenants.get(call.id("tenant_id"))
    if tenant is None:
        raise not_found("tenant")
    return TenantOut.of(tenant)


class ChannelIn(Strict):
    provider: Literal["twilio", "meta"]
    address: str = Field(min_length=1, max_length=64, pattern=r"^\+?[0-9]+$")
    """A Twilio number in E.164, or a Meta WhatsApp phone_number_id (digits)."""


class ChannelOut(Out):
    id: uuid.UUID
    provider: str
    address: str
    created_at: datetime | None = None


@api.post(
    "/tenants/{tenant_id}/channels",
    body=ChannelIn,
    response=ChannelOut,
    scope="platform",
    summary="Route a number to a tenant",
    conflicts=True,
)
async def route_channel(call: Call) -> ChannelOut:
    body: ChannelIn = call.body
    if body.provider == "twilio" and not E164.match(body.address):
        raise field_problem(422, "body.address", "a Twilio number must be E.164, e.g. +14155550100")
    if body.provider == "meta" and not body.address.isdigit():
        raise field_problem(422, "body.address", "a Meta phone_number_id is digits")
    tenant_id = call.id("tenant_id")
    endpoint = ChannelEndpoint(
        id=uuid.uuid4(), tenant_id=tenant_id, provider=body.provider, address=body.address
    )
    async with call.db.directory() as directory:
        if await directory.tenants.get(tenant_id) is None:
            raise not_found("tenant")
        await directory.endpoints.add(endpoint)
        await directory.commit()
    out = ChannelOut(id=endpoint.id, provider=endpoint.provider, address=endpoint.address)
    async with call.writing(tenant_id):
        call.audit("create", "channel", endpoint.id, None, out, tenant_id=tenant_id)
    return out


@api.listing(
    "/tenants/{tenant_id}/channels",
    item=ChannelOut,
    query=ListQuery,
    scope="platform",
    summary="A tenant's numbers",
)
async def list_channels(call: Call) -> Listed:
    tenant_id = call.id("tenant_id")
    async with call.db.directory() as directory:
        if await directory.tenants.get(tenant_id) is None:
            raise not_found("tenant")
        endpoints = await directory.endpoints.list_for(tenant_id)
    items = [
        ChannelOut(id=e.id, provider=e.provider, address=e.address, created_at=e.created_at)
        for e in endpoints
    ]
    return Listed(items, None)
