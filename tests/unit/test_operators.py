"""The operators' use cases: tenant settings, user edits and opt-outs, budgets changed by id, keys."""

from __future__ import annotations

import uuid
from decimal import Decimal

import pytest

from domain import services
from domain.access import Role, create_key, hash_key, issue_key, looks_like_key
from domain.commands import SetBudget
from domain.errors import NotFound, ValidationError
from domain.model import BudgetCrossing, Language
from domain.operators import (
    ConfigureTenant,
    UpdateBudget,
    UpdateUser,
    configure_tenant,
    delete_budget,
    tenant_settings,
    update_budget,
    update_user,
)
from tests.unit.world import World


async def test_settings_default_until_set_and_are_stored_validated() -> None:
    world = await World.create()
    assert tenant_settings(world.tenant) == {
        "week_start": "monday",
        "alert_thresholds": [80, 100],
        "quiet_hours": {"start": "22:00", "end": "08:00"},  # issue 15: every tenant starts with these
        "whatsapp_templates": {},
    }
    cmd = ConfigureTenant(
        world.tenant.id,
        language="es",
        timezone="America/Mexico_City",
        alert_thresholds=[100, 50],
        quiet_hours={"start": "22:00", "end": "07:00"},
        whatsapp_templates={"ES": "alerta"},
    )
    async with world.db.directory() as directory:
        tenant = await configure_tenant(cmd, directory)
    assert (tenant.language, tenant.timezone, tenant.currency) == (Language.ES, "America/Mexico_City", "BRL")
    stored = world.db.store.tenants[tenant.id]
    assert tenant_settings(stored)["alert_thresholds"] == [50, 100]
    assert tenant_settings(stored)["whatsapp_templates"] == {"es": "alerta"}


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"quiet_hours": {"start": "22:00"}}, "quiet_hours"),
        ({"quiet_hours": {"start": "24:00", "end": "07:00"}}, "quiet_hours.start"),
        ({"quiet_hours": {"start": "07:00", "end": "07:00"}}, "quiet_hours"),
        ({"week_start": "friday"}, "week_start"),
        ({"alert_thresholds": [0]}, "thresholds"),
        ({"whatsapp_templates": {"fr": "x"}}, "language"),
        ({"timezone": "Nowhere/Land"}, "timezone"),
        ({"name": "  "}, "name"),
    ],
)
async def test_a_bad_setting_changes_nothing(change: dict[str, object], field: str) -> None:
    world = await World.create()
    before = world.db.store.tenants[world.tenant.id].settings.copy()
    with pytest.raises(ValidationError) as refused:
        async with world.db.directory() as directory:
            await configure_tenant(
                ConfigureTenant(world.tenant.id, **{"policy": "closed", **change}), directory
            )
    assert refused.value.field == field
    stored = world.db.store.tenants[world.tenant.id]
    assert stored.settings == before and str(stored.policy) == "open"


async def test_a_user_edit_returns_before_and_after_and_sets_opt_outs_per_channel() -> None:
    world = await World.create()
    async with world.uow() as uow:
        before, after = await update_user(
            UpdateUser(world.user.id, name="Ana", language="es", opted_out={"sms": True}), uow
        )
    assert (before.name, after.name) == ("", "Ana")
    assert before.opted_out == {} and after.opted_out == {"sms": True}
    assert world.db.store.users[world.user.id].language is Language.ES
    with pytest.raises(ValidationError):
        async with world.uow() as uow:
            await update_user(UpdateUser(world.user.id, opted_out={"pigeon": True}), uow)
    with pytest.raises(NotFound):
        async with world.uow() as uow:
            await update_user(UpdateUser(uuid.uuid4(), name="x"), uow)


async def test_a_budget_changed_by_id_keeps_its_id_and_reports_where_it_stands() -> None:
    world = await World.create()
    status = await world.run(services.set_budget, SetBudget(world.user.id, "100", category="groceries"))
    await world.expense("30")
    async with world.uow() as uow:
        before, after = await update_budget(
            UpdateBudget(status.budget.id, amount=Decimal("200")), uow, world.clock
        )
    assert before.amount.amount == Decimal("100")
    assert after.budget.id == status.budget.id and after.budget.amount.amount == Decimal("200")
    assert after.spent.amount == Decimal("30")
    with pytest.raises(ValidationError):
        async with world.uow() as uow:
            await update_budget(UpdateBudget(status.budget.id, amount="0.001"), uow, world.clock)


async def test_a_removed_budget_takes_its_crossings_and_is_gone_from_another_tenant_too() -> None:
    world = await World.create()
    status = await world.run(services.set_budget, SetBudget(world.user.id, "100"))
    key = (status.budget.id, status.period.start, 80)
    world.db.store.crossings[key] = BudgetCrossing(
        uuid.uuid4(), world.tenant.id, status.budget.id, status.period.start, 80, world.clock.now()
    )
    other = await World.create(slug="outra")
    with pytest.raises(NotFound):  # another tenant's unit of work cannot see it
        async with other.db.uow(other.tenant.id) as uow:
            await delete_budget(status.budget.id, uow)
    async with world.uow() as uow:
        removed = await delete_budget(status.budget.id, uow)
    assert removed.id == status.budget.id
    assert status.budget.id not in world.db.store.budgets and key not in world.db.store.crossings


async def test_keys_are_random_prefixed_and_only_their_keyed_hash_is_kept() -> None:
    world = await World.create()
    async with world.db.directory() as directory:
        directory.keys = KeysInMemory()
        issued = await create_key(world.tenant.id, "support", "viewer", "s3cret", directory, world.clock)
    assert looks_like_key(issued.plaintext) and issued.plaintext.startswith(issued.record.prefix + "_")
    assert issued.record.role is Role.VIEWER
    assert (
        issued.record.key_hash == hash_key(issued.plaintext, "s3cret") != hash_key(issued.plaintext, "other")
    )
    assert issued.plaintext not in repr(issued.record)
    another = issue_key(world.tenant.id, "x", Role.ADMIN, "s3cret", world.clock.now())
    assert another.plaintext != issued.plaintext and another.record.prefix != issued.record.prefix
    for bad in ("", "cvk_", "cvk_zzzzzzzz_" + "a" * 43, "sk_live_123", issued.plaintext + "x" * 30):
        assert not looks_like_key(bad)
    with pytest.raises(ValidationError):
        async with world.db.directory() as directory:
            directory.keys = KeysInMemory()
            await create_key(world.tenant.id, "x", "owner", "s3cret", directory, world.clock)


class KeysInMemory:
    def __init__(self) -> None:
        self.added: list[object] = []

    async def add(self, key: object) -> None:
        self.added.append(key)
