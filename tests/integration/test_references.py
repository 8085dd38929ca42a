"""Deleting and editing by reference on the real databases (PostgreSQL under RLS as the app role, and SQLite):
the chat changes exactly the one transaction of the sender it names, never another user's or tenant's."""

from __future__ import annotations

import itertools
import uuid
from datetime import UTC, date, datetime, timedelta

import pytest

from adapters.cache import connect
from adapters.db import Database
from bot.conversation import Agent
from domain import references
from domain.errors import NotFound
from domain.model import Account, AccountKind, Language, Transaction, User
from domain.money import Money
from tests.integration.chat import say

pytestmark = pytest.mark.integration

NOW = datetime(2026, 11, 18, 15, 0, tzinfo=UTC)
EARLIER = datetime(2026, 11, 18, 14, 0, tzinfo=UTC)


class PinnedClock:
    """NOW, then a second later at each reading: the audit trail's order is its records' times."""

    def __init__(self) -> None:
        self._ticks = itertools.count()

    def now(self) -> datetime:
        return NOW + timedelta(seconds=next(self._ticks))


async def _add(
    db: Database, seeded, user_id: uuid.UUID, account_id: uuid.UUID, amount: str, **fields
) -> Transaction:
    # Stored before the pinned now (the chat's changes are stamped with it), as they would have been.
    txn = seeded.expense(amount, date(2026, 11, 17), created_at=EARLIER, **fields)
    txn.user_id, txn.account_id = user_id, account_id
    async with db.unit_of_work(seeded.tenant.id) as uow:
        await uow.transactions.add(txn)
        await uow.commit()
    return txn


async def _second_user(db: Database, seeded) -> tuple[User, Account]:
    """Another person in the same tenant (a household member), with an account of their own."""
    user = User(
        uuid.uuid4(),
        seeded.tenant.id,
        "+5511911112222",
        "Bia",
        Language.PT,
        "pt_BR",
        "BRL",
        seeded.user.timezone,
    )
    account = Account(
        uuid.uuid4(), seeded.tenant.id, user.id, "Conta", AccountKind.CHECKING, "BRL", Money.zero("BRL"), True
    )
    async with db.unit_of_work(seeded.tenant.id) as uow:
        await uow.users.add(user)
        await uow.accounts.add(account)
        await uow.commit()
    return user, account


async def _state(db: Database, seeded, txn: Transaction) -> Transaction | None:
    async with db.unit_of_work(seeded.tenant.id) as uow:
        return await uow.transactions.get(txn.id)


async def test_deleting_by_reference_touches_only_the_senders_own_transaction(
    database: Database, make_tenant
) -> None:
    home = await make_tenant(database)
    other_tenant = await make_tenant(database)  # the same phone number, enrolled in another tenant
    member, member_account = await _second_user(database, home)
    mine = await _add(
        database, home, home.user.id, home.account.id, "39.90", merchant="Netflix", category="subscriptions"
    )
    theirs = await _add(
        database, home, member.id, member_account.id, "39.90", merchant="Netflix", category="subscriptions"
    )
    elsewhere = await _add(
        database, other_tenant, other_tenant.user.id, other_tenant.account.id, "39.90", merchant="Netflix"
    )
    latest = await _add(
        database, home, home.user.id, home.account.id, "20.00", merchant="Uber", category="transport"
    )

    agent = Agent(unit_of_work=database.unit_of_work, state=connect(None).state, clock=PinnedClock())
    question = await say(agent, home, "apaga o da netflix")
    assert question is not None and "39,90" in question  # one match: the sender's own, asked before deleting
    done = await say(agent, home, "sim")
    assert done is not None and "Netflix" in done

    assert (await _state(database, home, mine)).is_deleted
    assert not (await _state(database, home, theirs)).is_deleted
    assert not (await _state(database, home, latest)).is_deleted  # never the last one instead
    assert not (await _state(database, other_tenant, elsewhere)).is_deleted
    async with database.unit_of_work(home.tenant.id) as uow:
        trail = await uow.audit.list_for(mine.id)
    assert [record.action for record in trail] == ["delete"]

    # Undo brings it back, with its own audit record.
    assert "39,90" in (await say(agent, home, "desfaz") or "")
    await say(agent, home, "sim")
    assert not (await _state(database, home, mine)).is_deleted
    async with database.unit_of_work(home.tenant.id) as uow:
        assert [r.action for r in await uow.audit.list_for(mine.id)] == ["delete", "restore"]


async def test_a_reference_matching_nothing_of_the_sender_changes_nothing(
    database: Database, make_tenant
) -> None:
    home = await make_tenant(database)
    other_tenant = await make_tenant(database)
    member, member_account = await _second_user(database, home)
    theirs = await _add(database, home, member.id, member_account.id, "15.00", merchant="Spotify")
    elsewhere = await _add(
        database, other_tenant, other_tenant.user.id, other_tenant.account.id, "15.00", merchant="Spotify"
    )
    latest = await _add(database, home, home.user.id, home.account.id, "20.00", merchant="Uber")

    agent = Agent(unit_of_work=database.unit_of_work, state=connect(None).state, clock=PinnedClock())
    answer = await say(agent, home, "apaga o do spotify")
    assert answer is not None and "60" in answer  # "nothing like that in the last 60 days"
    await say(agent, home, "sim")
    for seeded, txn in ((home, theirs), (other_tenant, elsewhere), (home, latest)):
        assert not (await _state(database, seeded, txn)).is_deleted


async def test_ids_of_another_user_or_tenant_are_refused_as_missing(database: Database, make_tenant) -> None:
    home = await make_tenant(database)
    other_tenant = await make_tenant(database)
    member, member_account = await _second_user(database, home)
    theirs = await _add(database, home, member.id, member_account.id, "10.00", merchant="Padaria")
    elsewhere = await _add(database, other_tenant, other_tenant.user.id, other_tenant.account.id, "10.00")
    for txn in (theirs, elsewhere):
        async with database.unit_of_work(home.tenant.id) as uow:
            with pytest.raises(NotFound):
                await references.delete_own(uow, PinnedClock(), home.user.id, txn.id)
            with pytest.raises(NotFound):
                await references.edit_own(
                    uow, PinnedClock(), home.user.id, txn.id, amount=None, category="health"
                )
    assert not (await _state(database, home, theirs)).is_deleted
    assert not (await _state(database, other_tenant, elsewhere)).is_deleted
