"""Enrolment: tenants, users with their default account, and extra accounts."""

from __future__ import annotations

import uuid
from decimal import Decimal
from typing import Any

import pytest

from domain import services
from domain.commands import AddAccount, AddUser, CreateTenant
from domain.errors import Conflict, NotFound, ValidationError
from domain.model import AccountKind, EnrolmentPolicy, Language
from domain.money import Money
from tests.unit.fakes import FakeDatabase, FixedClock
from tests.unit.world import World


async def _create_tenant(db: FakeDatabase, **overrides: Any) -> Any:
    fields: dict[str, Any] = dict(
        slug="padaria-do-ze",
        name="Padaria do Zé",
        currency="BRL",
        locale="pt_BR",
        timezone="America/Sao_Paulo",
    )
    fields.update(overrides)
    async with db.directory() as directory:
        return await services.create_tenant(CreateTenant(**fields), directory, FixedClock())


async def test_create_tenant_stores_canonical_values_and_derives_the_language() -> None:
    db = FakeDatabase()
    tenant = await _create_tenant(db, locale="pt-br", currency="brl")
    assert tenant.locale == "pt_BR"
    assert tenant.currency == "BRL"
    assert tenant.language is Language.PT
    assert tenant.policy is EnrolmentPolicy.OPEN
    assert db.store.tenants[tenant.id].slug == "padaria-do-ze"
    assert db.commits == 1


@pytest.mark.parametrize(
    ("locale", "language", "expected"),
    [
        ("es_MX", None, Language.ES),
        ("de_DE", None, Language.EN),
        ("en_US", None, Language.EN),
        ("de_DE", "es", Language.ES),
    ],
)
async def test_tenant_language_defaults_from_locale_when_spoken(
    locale: str, language: str | None, expected: Language
) -> None:
    tenant = await _create_tenant(FakeDatabase(), locale=locale, language=language)
    assert tenant.language is expected


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("slug", "Padaria"),
        ("slug", "x"),
        ("slug", "a" * 41),
        ("slug", "padaria_ze"),
        ("slug", "-padaria"),
        ("name", "   "),
        ("currency", "XYZ"),
        ("currency", ""),
        ("locale", "xx_YY"),
        ("locale", "en_ZZ"),
        ("locale", ""),
        ("locale", "not a locale"),
        ("timezone", "Mars/Olympus_Mons"),
        ("timezone", "localtime"),
        ("timezone", ""),
        ("timezone", "../../etc/passwd"),
        ("language", "fr"),
        ("policy", "maybe"),
    ],
)
async def test_bad_tenant_input_is_refused_naming_the_field_and_nothing_is_written(
    field: str, value: str
) -> None:
    db = FakeDatabase()
    with pytest.raises(ValidationError) as err:
        await _create_tenant(db, **{field: value})
    assert err.value.field == field
    assert db.commits == 0
    assert db.store.tenants == {}


async def test_duplicate_slug_is_a_conflict() -> None:
    db = FakeDatabase()
    await _create_tenant(db)
    with pytest.raises(Conflict) as err:
        await _create_tenant(db, name="Another")
    assert err.value.field == "slug"
    assert len(db.store.tenants) == 1


async def test_add_user_normalises_the_phone_and_creates_a_default_account() -> None:
    world = await World.create()
    user = await world.add_user(" +55 (11) 91234-5678 ", name="Ana")
    assert user.phone == "+5511912345678"
    assert (user.language, user.locale, user.currency, user.timezone) == (
        Language.PT,
        "pt_BR",
        "BRL",
        "America/Sao_Paulo",
    )
    accounts = [a for a in world.db.store.accounts.values() if a.user_id == user.id]
    assert len(accounts) == 1
    main = accounts[0]
    assert (main.name, main.kind, main.currency, main.is_default) == ("Main", AccountKind.CASH, "BRL", True)
    assert main.opening_balance == Money.zero("BRL")


async def test_add_user_takes_explicit_preferences() -> None:
    world = await World.create()
    user = await world.add_user(
        "+14155550123", language="en", locale="en_US", currency="usd", timezone="America/New_York"
    )
    assert (user.language, user.locale, user.currency, user.timezone) == (
        Language.EN,
        "en_US",
        "USD",
        "America/New_York",
    )
    account = next(a for a in world.db.store.accounts.values() if a.user_id == user.id)
    assert account.currency == "USD"


@pytest.mark.parametrize(
    "phone",
    ["11987654321", "+0123456789", "+1234567", "+1234567890123456", "+55 11 abc", "", "0055 11 98765 4321"],
)
async def test_phone_must_be_e164(phone: str) -> None:
    world = await World.create()
    before = world.snapshot(), len(world.db.store.users)
    with pytest.raises(ValidationError) as err:
        await world.add_user(phone)
    assert err.value.field == "phone"
    assert (world.snapshot(), len(world.db.store.users)) == before


@pytest.mark.parametrize(
    ("field", "value"),
    [("currency", "ABC"), ("timezone", "Nowhere/City"), ("locale", "zz"), ("language", "de")],
)
async def test_bad_user_preferences_are_refused(field: str, value: str) -> None:
    world = await World.create()
    with pytest.raises(ValidationError) as err:
        await world.add_user("+5511900000000", **{field: value})
    assert err.value.field == field
    assert len(world.db.store.users) == 1


async def test_same_phone_twice_in_a_tenant_is_a_conflict_but_fine_in_another() -> None:
    world = await World.create()
    with pytest.raises(Conflict) as err:
        await world.add_user("+55 11 98765-4321")  # the World's user, typed differently
    assert err.value.field == "phone"

    other = await _create_tenant(world.db, slug="other")
    async with world.db.uow(other.id) as uow:
        user = await services.add_user(AddUser(phone="+5511987654321"), other, uow, world.clock)
    assert user.tenant_id == other.id


async def test_add_user_refuses_a_unit_of_work_of_another_tenant() -> None:
    world = await World.create()
    other = await _create_tenant(world.db, slug="other")
    async with world.uow() as uow:
        with pytest.raises(ValueError, match="tenant"):
            await services.add_user(AddUser(phone="+5511900000001"), other, uow, world.clock)


async def test_add_account_with_opening_balance() -> None:
    world = await World.create()
    cmd = AddAccount(user_id=world.user.id, name="Cartão", kind="credit_card", opening_balance="-250.40")
    account = await world.run(services.add_account, cmd)
    assert account.kind is AccountKind.CREDIT_CARD
    assert account.currency == "BRL"
    assert account.opening_balance == Money.of("-250.40", "BRL")
    assert account.is_default is False
    assert world.db.store.accounts[account.id].opening_balance.amount == Decimal("-250.40")


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"name": "main"}, "name"),  # "Main" exists; names are unique ignoring case
        ({"name": ""}, "name"),
        ({"kind": "piggy_bank"}, "kind"),
        ({"currency": "QQQ"}, "currency"),
        ({"opening_balance": "10.001"}, "opening_balance"),
        ({"opening_balance": 10.5}, "opening_balance"),
    ],
)
async def test_bad_accounts_are_refused(overrides: dict[str, Any], field: str) -> None:
    world = await World.create()
    before = len(world.db.store.accounts)
    fields: dict[str, Any] = {"user_id": world.user.id, "name": "Poupança", **overrides}
    with pytest.raises((ValidationError, Conflict)) as err:
        await world.run(services.add_account, AddAccount(**fields))
    assert getattr(err.value, "field", None) == field
    assert len(world.db.store.accounts) == before


async def test_add_account_for_an_unknown_user_is_not_found() -> None:
    world = await World.create()
    with pytest.raises(NotFound):
        await world.run(services.add_account, AddAccount(user_id=uuid.uuid4(), name="X"))
