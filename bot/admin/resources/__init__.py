"""The resources of the admin API, one module each; RESOURCES is what bot.admin registers."""

from __future__ import annotations

from bot.admin.api import Resource
from bot.admin.resources import (
    alerts,
    audit,
    balances,
    budgets,
    goals,
    households,
    imports,
    keys,
    merchants,
    messages,
    recurring,
    settings,
    tenants,
    transactions,
    users,
)

RESOURCES: tuple[Resource, ...] = (
    tenants.api,
    keys.api,
    settings.api,
    users.api,
    transactions.api,
    balances.api,
    budgets.api,
    recurring.api,
    goals.api,
    households.api,
    alerts.api,
    messages.api,
    merchants.api,
    imports.api,
    audit.api,
)
