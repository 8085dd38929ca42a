"""Use cases the operators' API adds: configuring a tenant, editing a user, changing and removing a budget."""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass, field, replace
from typing import Any

from domain import quiet
from domain import validation as v
from domain.budgets import build_status, scope_spending
from domain.digest_schedule import DigestSlot
from domain.errors import Conflict, NotFound, ValidationError
from domain.lookup import require_user
from domain.model import Account, Budget, Channel, Language, Tenant, User
from domain.periods import current_period, local_today, user_week_start
from domain.ports import Clock, DirectoryUnitOfWork, UnitOfWork
from domain.results import BudgetStatus

WEEK_STARTS = ("monday", "sunday", "saturday")
_HHMM = re.compile(r"([01][0-9]|2[0-3]):[0-5][0-9]")
MAX_TEMPLATE = 200
UNSET: Any = object()
"""A field the caller did not send (None is a value: "clear it")."""


@dataclass(frozen=True, slots=True)
class ConfigureTenant:
    """Change a tenant's defaults and settings; UNSET leaves a field as it is."""

    tenant_id: uuid.UUID
    name: Any = UNSET
    language: Any = UNSET
    locale: Any = UNSET
    currency: Any = UNSET
    timezone: Any = UNSET
    policy: Any = UNSET
    week_start: Any = UNSET
    alert_thresholds: Any = UNSET
    quiet_hours: Any = UNSET
    """{"start": "22:00", "end": "07:00"} in the user's zone, or None for none."""
    whatsapp_templates: Any = UNSET
    """Language -> approved template name (or Content SID) for pushes outside the 24-hour window."""


async def configure_tenant(cmd: ConfigureTenant, directory: DirectoryUnitOfWork) -> Tenant:
    """Validate every changed field, then store the tenant once."""
    tenant = await directory.tenants.get(cmd.tenant_id)
    if tenant is None:
        raise NotFound("tenant", cmd.tenant_id)
    settings = dict(tenant.settings)
    if cmd.name is not UNSET:
        tenant.name = v.required_text(cmd.name, "name", v.MAX_NAME)
    if cmd.language is not UNSET:
        tenant.language = v.language(cmd.language)
    if cmd.locale is not UNSET:
        tenant.locale = v.locale(cmd.locale)
    if cmd.currency is not UNSET:
        tenant.currency = v.currency(cmd.currency)
    if cmd.timezone is not UNSET:
        tenant.timezone = v.timezone(cmd.timezone)
    if cmd.policy is not UNSET:
        tenant.policy = v.policy(cmd.policy)
    if cmd.week_start is not UNSET:
        settings["week_start"] = _week_start(cmd.week_start)
    if cmd.alert_thresholds is not UNSET:
        settings["alert_thresholds"] = list(v.thresholds(cmd.alert_thresholds))
    if cmd.quiet_hours is not UNSET:
        settings["quiet_hours"] = _quiet_hours(cmd.quiet_hours)
    if cmd.whatsapp_templates is not UNSET:
        settings["whatsapp_templates"] = _templates(cmd.whatsapp_templates)
    tenant.settings = settings
    await directory.tenants.update(tenant)
    await directory.commit()
    return tenant


def _week_start(value: object) -> str:
    if value not in WEEK_STARTS:
        raise ValidationError("week_start", f"must be one of: {', '.join(WEEK_STARTS)}")
    return str(value)


def _quiet_hours(value: object) -> dict[str, str] | None:
    if value is None:
        return None
    if not isinstance(value, dict) or set(value) != {"start", "end"}:
        raise ValidationError("quiet_hours", 'give {"start": "HH:MM", "end": "HH:MM"} or null')
    for part in ("start", "end"):
        if not isinstance(value[part], str) or not _HHMM.fullmatch(value[part]):
            raise ValidationError(f"quiet_hours.{part}", "must be a 24-hour time like 22:00")
    if value["start"] == value["end"]:
        raise ValidationError("quiet_hours", "start and end must differ")
    return {"start": value["start"], "end": value["end"]}


def _templates(value: object) -> dict[str, str]:
    if not isinstance(value, dict):
        raise ValidationError("whatsapp_templates", "must map a language (en, es, pt) to a template name")
    templates = {}
    for language, name in value.items():
        lang = v.language(language)
        templates[str(lang)] = v.required_text(name, f"whatsapp_templates.{lang}", MAX_TEMPLATE)
    return templates


def tenant_settings(tenant: Tenant) -> dict[str, Any]:
    """The settings with their defaults filled in (what a tenant that never set them runs with)."""
    settings: dict[str, Any] = tenant.settings
    return {
        "week_start": settings.get("week_start", "monday"),
        "alert_thresholds": list(settings.get("alert_thresholds", v.thresholds(None))),
        # Unset: the default every tenant starts with; null (chosen by the operators): none.
        "quiet_hours": settings.get("quiet_hours", dict(quiet.DEFAULT)),
        "whatsapp_templates": dict(settings.get("whatsapp_templates", {})),
    }


def tenant_thresholds(tenant: Tenant) -> tuple[int, ...]:
    """The alert thresholds a new budget of this tenant gets unless it names its own."""
    return tuple(tenant_settings(tenant)["alert_thresholds"])


@dataclass(frozen=True, slots=True)
class UpdateUser:
    """Change a user's profile or opt-out state; UNSET leaves a field as it is."""

    user_id: uuid.UUID
    name: Any = UNSET
    language: Any = UNSET
    locale: Any = UNSET
    currency: Any = UNSET
    timezone: Any = UNSET
    week_start: Any = UNSET
    """"monday", "sunday" or "saturday"; None follows the user's locale again."""
    opted_out: dict[str, bool] = field(default_factory=dict)
    """Channel -> opted out; channels not named keep their state."""
    weekly_digest: Any = UNSET
    """A DigestSlot (the weekly digest's day and hour in the user's zone); None: no digest."""


async def update_user(cmd: UpdateUser, uow: UnitOfWork) -> tuple[User, User]:
    """Store the changed user; (before, after)."""
    await uow.users.lock(cmd.user_id)
    user = await require_user(uow, cmd.user_id)
    before = replace(user, opted_out=dict(user.opted_out))
    if cmd.name is not UNSET:
        user.name = v.optional_text(cmd.name, "name", v.MAX_NAME) or ""
    if cmd.language is not UNSET:
        user.language = v.language(cmd.language)
    if cmd.locale is not UNSET:
        user.locale = v.locale(cmd.locale)
    if cmd.currency is not UNSET:
        user.currency = v.currency(cmd.currency)
    if cmd.timezone is not UNSET:
        user.timezone = v.timezone(cmd.timezone)
    if cmd.week_start is not UNSET:
        user.week_start = None if cmd.week_start is None else _week_start(cmd.week_start)
    for channel, opted in cmd.opted_out.items():
        key = str(v.enum_value(Channel, channel, "opted_out"))
        user.opted_out = {**user.opted_out, key: bool(opted)}
    if cmd.weekly_digest is not UNSET:
        slot = cmd.weekly_digest
        if slot is not None and not isinstance(slot, DigestSlot):
            raise ValidationError("weekly_digest", "must be a weekday and an hour, or null")
        user.digest_weekday = None if slot is None else slot.weekday
        user.digest_hour = user.digest_hour if slot is None else slot.hour
    await uow.users.update(user)
    await uow.commit()
    return before, user


@dataclass(frozen=True, slots=True)
class UpdateAccount:
    """Rename an account or change its kind; UNSET leaves a field as it is. Names stay unique per user
    (ignoring case), so the chat can still tell the accounts apart."""

    account_id: uuid.UUID
    name: Any = UNSET
    kind: Any = UNSET


async def update_account(cmd: UpdateAccount, uow: UnitOfWork) -> tuple[Account, Account]:
    """Store the changed account; (before, after). NotFound for an account of no user of the tenant."""
    account = await uow.accounts.get(cmd.account_id)
    if account is None:
        raise NotFound("account", cmd.account_id)
    await uow.users.lock(account.user_id)
    before = replace(account)
    if cmd.name is not UNSET:
        name = v.required_text(cmd.name, "name", v.MAX_ACCOUNT_NAME)
        others = [a for a in await uow.accounts.list_for(account.user_id) if a.id != account.id]
        if any(a.name.casefold() == name.casefold() for a in others):
            raise Conflict("name", f"there is already an account called {name!r}")
        account.name = name
    if cmd.kind is not UNSET:
        account.kind = v.account_kind(cmd.kind)
    await uow.accounts.update(account)
    await uow.commit()
    return before, account


@dataclass(frozen=True, slots=True)
class UpdateBudget:
    budget_id: uuid.UUID
    amount: Any = UNSET
    currency: Any = UNSET
    thresholds: Any = UNSET


async def _budget(uow: UnitOfWork, budget_id: uuid.UUID) -> Budget:
    budget = await uow.budgets.get(budget_id)
    if budget is None:
        raise NotFound("budget", budget_id)
    return budget


async def update_budget(cmd: UpdateBudget, uow: UnitOfWork, clock: Clock) -> tuple[Budget, BudgetStatus]:
    """Change a budget's amount, currency or thresholds by id; (before, the new status)."""
    budget = await _budget(uow, cmd.budget_id)
    await uow.users.lock(budget.user_id)
    user = await require_user(uow, budget.user_id)
    before = replace(budget)
    code = budget.amount.currency if cmd.currency is UNSET else v.currency(cmd.currency)
    amount = budget.amount.amount if cmd.amount is UNSET else cmd.amount
    budget.amount = v.positive_money(amount, code)
    if cmd.thresholds is not UNSET:
        budget.thresholds = v.thresholds(cmd.thresholds)
    budget.updated_at = clock.now()
    await uow.budgets.update(budget)
    today = local_today(clock, user.timezone)
    period = current_period(budget.recurrence, today, user_week_start(user))
    status = build_status(budget, period, today, await scope_spending(uow, budget, period))
    await uow.commit()
    return before, status


async def delete_budget(budget_id: uuid.UUID, uow: UnitOfWork) -> Budget:
    """Remove a budget (its crossings go with it); the removed budget."""
    budget = await _budget(uow, budget_id)
    await uow.users.lock(budget.user_id)
    await uow.budgets.delete(budget.id)
    await uow.commit()
    return budget


async def budget_status_of(budget_id: uuid.UUID, uow: UnitOfWork, clock: Clock) -> BudgetStatus:
    budget = await _budget(uow, budget_id)
    user = await require_user(uow, budget.user_id)
    today = local_today(clock, user.timezone)
    period = current_period(budget.recurrence, today, user_week_start(user))
    return build_status(budget, period, today, await scope_spending(uow, budget, period))


LANGUAGES = tuple(str(language) for language in Language)
