"""Card digits linked to accounts and trusted notice formats on both databases: one link per card and user
(said again, it moves), a format trusted once however often it is said, each tenant and user seeing only
their own."""

from __future__ import annotations

import uuid

from adapters.db import Database
from domain.model import Account, AccountKind
from domain.money import Money
from tests.integration.conftest import MakeTenant, Seeded

SOURCE = "br/itau/card_purchase"


async def _card_account(db: Database, seeded: Seeded, name: str = "Nubank") -> Account:
    account = Account(
        id=uuid.uuid4(),
        tenant_id=seeded.tenant.id,
        user_id=seeded.user.id,
        name=name,
        kind=AccountKind.CREDIT_CARD,
        currency="BRL",
        opening_balance=Money.of("0", "BRL"),
    )
    async with db.unit_of_work(seeded.tenant.id) as uow:
        await uow.accounts.add(account)
        await uow.commit()
    return account


async def test_a_card_links_to_one_account_and_said_again_moves(
    database: Database, make_tenant: MakeTenant
) -> None:
    seeded = await make_tenant(database)
    nubank = await _card_account(database, seeded)
    async with database.unit_of_work(seeded.tenant.id) as uow:
        assert await uow.cards.account_for(seeded.user.id, "1234") is None
        await uow.cards.link(seeded.user.id, "1234", nubank.id)
        await uow.commit()
    async with database.unit_of_work(seeded.tenant.id) as uow:
        assert await uow.cards.account_for(seeded.user.id, "1234") == nubank.id
        assert await uow.cards.account_for(seeded.user.id, "5678") is None
        await uow.cards.link(seeded.user.id, "1234", seeded.account.id)
        await uow.commit()
    async with database.unit_of_work(seeded.tenant.id) as uow:
        assert await uow.cards.account_for(seeded.user.id, "1234") == seeded.account.id


async def test_a_format_is_trusted_once_and_forgotten(database: Database, make_tenant: MakeTenant) -> None:
    seeded = await make_tenant(database)
    async with database.unit_of_work(seeded.tenant.id) as uow:
        assert not await uow.notice_trust.is_trusted(seeded.user.id, SOURCE)
        await uow.notice_trust.trust(seeded.user.id, SOURCE)
        await uow.notice_trust.trust(seeded.user.id, SOURCE)  # said twice: still one
        await uow.notice_trust.trust(seeded.user.id, "generic")
        await uow.commit()
    async with database.unit_of_work(seeded.tenant.id) as uow:
        assert await uow.notice_trust.is_trusted(seeded.user.id, SOURCE)
        assert await uow.notice_trust.trusted(seeded.user.id) == [SOURCE, "generic"]
        assert await uow.notice_trust.forget(seeded.user.id, SOURCE)
        assert not await uow.notice_trust.forget(seeded.user.id, SOURCE)
        await uow.commit()
    async with database.unit_of_work(seeded.tenant.id) as uow:
        assert not await uow.notice_trust.is_trusted(seeded.user.id, SOURCE)
        assert await uow.notice_trust.trusted(seeded.user.id) == ["generic"]


async def test_links_and_trust_are_each_users_own(database: Database, make_tenant: MakeTenant) -> None:
    seeded = await make_tenant(database)
    other = await make_tenant(database, phone="+5511911112222")
    nubank = await _card_account(database, seeded)
    async with database.unit_of_work(seeded.tenant.id) as uow:
        await uow.cards.link(seeded.user.id, "1234", nubank.id)
        await uow.notice_trust.trust(seeded.user.id, SOURCE)
        await uow.commit()
    async with database.unit_of_work(other.tenant.id) as uow:
        assert await uow.cards.account_for(seeded.user.id, "1234") is None
        assert not await uow.notice_trust.is_trusted(seeded.user.id, SOURCE)
        assert await uow.notice_trust.trusted(seeded.user.id) == []
        assert not await uow.notice_trust.forget(seeded.user.id, SOURCE)
        assert await uow.cards.account_for(other.user.id, "1234") is None
        assert not await uow.notice_trust.is_trusted(other.user.id, SOURCE)
    async with database.unit_of_work(seeded.tenant.id) as uow:
        assert await uow.notice_trust.is_trusted(
            seeded.user.id, SOURCE
        )  # the other tenant's forget did nothing
