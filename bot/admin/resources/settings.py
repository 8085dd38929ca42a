"""The tenant's settings: defaults for new users, enrolment policy, alert thresholds, quiet hours,
WhatsApp templates per language; its channel numbers, read-only (the platform routes them)."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from bot.admin.api import Call, Resource
from bot.admin.schemas import Currency, Name, Out, Percent, Strict
from domain.model import Tenant
from domain.operators import ConfigureTenant, configure_tenant, tenant_settings

api = Resource("settings")

Time = Field(pattern=r"^([01][0-9]|2[0-3]):[0-5][0-9]$")
TEMPLATE = r"^[^\x00-\x1f]+$"


class QuietHours(Strict):
    start: str = Time
    end: str = Time


class Templates(Strict):
    en: str | None = Field(default=None, min_length=1, max_length=200, pattern=TEMPLATE)
    es: str | None = Field(default=None, min_length=1, max_length=200, pattern=TEMPLATE)
    pt: str | None = Field(default=None, min_length=1, max_length=200, pattern=TEMPLATE)


class Channel(Out):
    provider: str
    address: str


class SettingsOut(Out):
    name: str
    language: str
    locale: str
    currency: str
    timezone: str
    week_start: str
    enrolment_policy: str
    alert_thresholds: list[int]
    quiet_hours: QuietHours | None
    whatsapp_templates: Templates
    channels: list[Channel]


class SettingsPatch(Strict):
    name: Name | None = None
    language: Literal["en", "es", "pt"] | None = None
    locale: str | None = Field(default=None, max_length=32, pattern=r"^[A-Za-z]{2,3}([_-][A-Za-z0-9]{2,8})*$")
    currency: Currency | None = None
    timezone: str | None = Field(default=None, max_length=64, pattern=r"^[A-Za-z0-9_+\-/]+$")
    week_start: Literal["monday", "sunday", "saturday"] | None = None
    enrolment_policy: Literal["open", "closed"] | None = None
    alert_thresholds: list[Percent] | None = Field(default=None, min_length=1, max_length=10)
    quiet_hours: QuietHours | None = None
    """null turns quiet hours off."""
    whatsapp_templates: Templates | None = None


async def _out(call: Call, tenant: Tenant) -> SettingsOut:
    async with call.db.directory() as directory:
        endpoints = await directory.endpoints.list_for(tenant.id)
    settings = tenant_settings(tenant)
    return SettingsOut(
        name=tenant.name,
        language=str(tenant.language),
        locale=tenant.locale,
        currency=tenant.currency,
        timezone=tenant.timezone,
        week_start=settings["week_start"],
        enrolment_policy=str(tenant.policy),
        alert_thresholds=settings["alert_thresholds"],
        quiet_hours=settings["quiet_hours"],
        whatsapp_templates=Templates(**settings["whatsapp_templates"]),
        channels=[Channel(provider=e.provider, address=e.address) for e in endpoints],
    )


@api.get("/settings", response=SettingsOut, summary="This tenant's settings")
async def get_settings(call: Call) -> SettingsOut:
    assert call.tenant is not None
    return await _out(call, call.tenant)


@api.patch("/settings", body=SettingsPatch, response=SettingsOut, summary="Change this tenant's settings")
async def update_settings(call: Call) -> SettingsOut:
    body: SettingsPatch = call.body
    assert call.tenant is not None
    before = await _out(call, call.tenant)
    sent = body.model_fields_set
    changes = {
        name: getattr(body, name) for name in sent if getattr(body, name) is not None or name == "quiet_hours"
    }
    if "enrolment_policy" in changes:
        changes["policy"] = changes.pop("enrolment_policy")
    if "quiet_hours" in changes and changes["quiet_hours"] is not None:
        changes["quiet_hours"] = changes["quiet_hours"].model_dump()
    if "whatsapp_templates" in changes:
        changes["whatsapp_templates"] = changes["whatsapp_templates"].model_dump(exclude_none=True)
    async with call.db.directory() as directory:
        tenant = await configure_tenant(ConfigureTenant(tenant_id=call.tenant_id, **changes), directory)
    after = await _out(call, tenant)
    async with call.writing():
        call.audit("update", "settings", tenant.id, before, after)
    return after
