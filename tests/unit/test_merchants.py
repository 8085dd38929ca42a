"""The tenant's own merchants: create, update, delete, and the rules keeping each name the tenant's alone."""

from __future__ import annotations

import uuid

import pytest

from domain.errors import Conflict, NotFound, ValidationError
from domain.merchants import (
    MAX_ALIASES,
    CreateMerchant,
    DeleteMerchant,
    UpdateMerchant,
    create_merchant,
    delete_merchant,
    merchant_key,
    update_merchant,
)
from domain.model import Merchant
from tests.unit.world import World


async def _create(world: World, name: str, *aliases: str, category: str | None = None) -> Merchant:
    merchant: Merchant = await world.run(create_merchant, CreateMerchant(name, aliases, category))
    return merchant


def test_merchant_key_ignores_case_accents_and_punctuation() -> None:
    assert merchant_key("Padaria do Zé") == merchant_key(" PADARIA  DO ZE ") == "padaria do ze"
    assert merchant_key("McDonald's") == merchant_key("mcdonalds") == "mcdonalds"
    assert merchant_key("padaria-do-zé!") == "padaria do ze"
    assert merchant_key("São") == merchant_key("SÃO")
    assert merchant_key("!!!") == ""


async def test_create_stores_a_merchant_with_its_aliases_and_category() -> None:
    world = await World.create()
    merchant = await _create(
        world, "  Padaria do Zé ", "zezinho", "ZEZINHO", "padaria do ze", category="dining"
    )
    assert merchant.name == "Padaria do Zé"
    assert merchant.aliases == ("zezinho",)  # a repeat, and the name spelled again, are dropped
    assert merchant.category == "dining"
    assert merchant.tenant_id == world.tenant.id
    assert merchant.created_at == world.clock.now()
    async with world.uow() as uow:
        assert await uow.merchants.list() == [merchant]
        assert await uow.merchants.find("zezinho") == merchant
        assert await uow.merchants.find("padaria do ze") == merchant


@pytest.mark.parametrize(
    ("cmd", "field"),
    [
        (CreateMerchant(""), "name"),
        (CreateMerchant("   "), "name"),
        (CreateMerchant("!!!"), "name"),
        (CreateMerchant("x" * 121), "name"),
        (CreateMerchant("Shop", category="food"), "category"),
        (CreateMerchant("Shop", ("",)), "aliases[0]"),
        (CreateMerchant("Shop", ("ok", "y" * 201)), "aliases[1]"),
        (CreateMerchant("Shop", tuple(f"a{i}" for i in range(MAX_ALIASES + 1))), "aliases"),
        (CreateMerchant("Shop", "just one"), "aliases"),  # type: ignore[arg-type]
        (CreateMerchant(123), "name"),  # type: ignore[arg-type]
    ],
)
async def test_create_refuses_bad_input_and_writes_nothing(cmd: CreateMerchant, field: str) -> None:
    world = await World.create()
    before = world.db.commits
    with pytest.raises(ValidationError) as refused:
        await world.run(create_merchant, cmd)
    assert refused.value.field == field
    assert world.db.commits == before and not world.db.store.merchants


async def test_fifty_aliases_of_two_hundred_characters_are_fine() -> None:
    world = await World.create()
    aliases = tuple(f"{i:02d}" + "y" * 198 for i in range(MAX_ALIASES))
    merchant = await _create(world, "Shop", *aliases)
    assert len(merchant.aliases) == MAX_ALIASES


@pytest.mark.parametrize(
    ("name", "aliases", "field"),
    [
        ("PADARIA DO ZE", (), "name"),  # another's name, spelled differently
        ("zezinho", (), "name"),  # another's alias as a name
        ("Outra", ("Padaria do Zé",), "aliases"),  # another's name as an alias
        ("Outra", ("ok", "Zézinho"), "aliases"),  # another's alias as an alias
    ],
)
async def test_a_name_or_alias_of_another_merchant_is_a_conflict(
    name: str, aliases: tuple[str, ...], field: str
) -> None:
    world = await World.create()
    await _create(world, "Padaria do Zé", "zezinho")
    with pytest.raises(Conflict) as refused:
        await _create(world, name, *aliases)
    assert refused.value.field == field
    assert len(world.db.store.merchants) == 1


async def test_update_changes_what_is_given_and_keeps_the_rest() -> None:
    world = await World.create()
    merchant = await _create(world, "Padaria do Zé", "zezinho", category="dining")
    world.clock.advance(minutes=5)
    before, after = await world.run(update_merchant, UpdateMerchant(merchant.id, category="groceries"))
    assert before == merchant
    assert (after.name, after.aliases, after.category) == ("Padaria do Zé", ("zezinho",), "groceries")
    assert after.updated_at == world.clock.now() and after.created_at == merchant.created_at
    _, renamed = await world.run(update_merchant, UpdateMerchant(merchant.id, name="Padaria Zé", aliases=[]))
    assert (renamed.name, renamed.aliases, renamed.category) == ("Padaria Zé", (), "groceries")
    _, cleared = await world.run(update_merchant, UpdateMerchant(merchant.id, category=""))
    assert cleared.category is None
    async with world.uow() as uow:
        assert await uow.merchants.get(merchant.id) == cleared


async def test_update_may_respell_its_own_name_but_not_take_anothers() -> None:
    world = await World.create()
    zé = await _create(world, "Padaria do Zé", "zezinho")
    await _create(world, "Mercado Sol")
    _, respelled = await world.run(
        update_merchant, UpdateMerchant(zé.id, name="PADARIA DO ZÉ", aliases=["zezinho"])
    )
    assert respelled.name == "PADARIA DO ZÉ"
    with pytest.raises(Conflict):
        await world.run(update_merchant, UpdateMerchant(zé.id, aliases=["mercado sol"]))


async def test_an_update_that_changes_nothing_writes_nothing() -> None:
    world = await World.create()
    merchant = await _create(world, "Shop", category="shopping")
    commits = world.db.commits
    before, after = await world.run(update_merchant, UpdateMerchant(merchant.id, name="Shop"))
    assert before == after == merchant
    assert world.db.commits == commits


async def test_delete_removes_it_and_a_second_delete_is_not_found() -> None:
    world = await World.create()
    merchant = await _create(world, "Shop")
    deleted = await world.run(delete_merchant, DeleteMerchant(merchant.id))
    assert deleted == merchant and not world.db.store.merchants
    with pytest.raises(NotFound):
        await world.run(delete_merchant, DeleteMerchant(merchant.id))
    with pytest.raises(NotFound):
        await world.run(update_merchant, UpdateMerchant(uuid.uuid4(), name="x"))


async def test_another_tenants_merchant_is_not_found_and_its_names_are_free() -> None:
    world = await World.create()
    other = await World.create(slug="outra")
    other.db = world.db  # one database, two tenants
    async with world.db.directory() as directory:
        await directory.tenants.add(other.tenant)
        await directory.commit()
    theirs: Merchant = await other.run(create_merchant, CreateMerchant("Padaria do Zé"))
    mine = await _create(world, "Padaria do Zé")  # the same name in another tenant is no conflict
    assert mine.id != theirs.id
    for cmd in (UpdateMerchant(theirs.id, name="x"), DeleteMerchant(theirs.id)):
        use_case = update_merchant if isinstance(cmd, UpdateMerchant) else delete_merchant
        with pytest.raises(NotFound):
            await world.run(use_case, cmd)
    async with world.uow() as uow:
        assert [m.id for m in await uow.merchants.list()] == [mine.id]
