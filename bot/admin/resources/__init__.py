"""The resources of the admin API, one module each; RESOURCES is what bot.admin registers."""

from __future__ import annotations

from bot.admin.api import Resource
from bot.admin.resources import audit, budgets, imports, keys, merchants, settings, tenants, users

RESOURCES: tuple[Resource, ...] = (
    tenants.api,
    keys.api,
    settings.api,
    users.api,
    budgets.api,
    merchants.api,
    imports.api,
    audit.api,
)
