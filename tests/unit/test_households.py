"""Household use cases on fakes: consent, leaving, removing, splits, balances, settling, house budgets."""

from __future__ import annotations

from decimal import Decimal

import pytest

from domain import households as hh
from domain import services
from domain.commands import (
    AddAccount,
    AnswerInvitation,
    GetBalance,
    GetBudgetStatus,
    InviteMember,
    LeaveHousehold,
    RecordTransaction,
    RemoveMember,
    RestoreTransaction,
    SetBudget,
    SettleUp,
    SplitExpense,
    UndoLast,
)
from domain.errors import ValidationError
from domain.events import HouseholdNotice
from domain.model import MemberRole, MemberStatus, TransactionKind, User
from tests.unit.world import World


async def _invite(world: World, inviter: User, phone: str, label: str | None = None) -> hh.Invitation:
    async with world.uow() as uow:
        return await hh.invite(InviteMember(inviter.id, phone, label), world.tenant, uow, world.clock)


async def _answer(world: World, user: User, accept: bool = True) -> hh.Answer:
    async with world.uow() as uow:
        return await hh.answer_invitation(AnswerInvitation(user.id, accept), uow, world.clock)


async def _house(world: World, *names: str) -> list[User]:
    """The world's user and a member per name, each invited and joined."""
    members = []
    for number, name in enumerate(names, start=1):
        invited = await _invite(world, world.user, f"+55119000000{number:02d}", name)
        assert invited.outcome == "invited" and invited.invitee is not None
        assert (await _answer(world, invited.invitee)).outcome == "joined"
        members.append(invited.invitee)
    return members


def _expense(user: User, amount: str, ref: str, category: str = "dining") -> RecordTransaction:
    return RecordTransaction(user.id, TransactionKind.EXPENSE, amount, category=category, source_ref=ref)


async def test_an_invitation_shares_nothing_until_the_invitee_says_yes() -> None:
    world = await World.create()
    invited = await _invite(world, world.user, "+5511900000001", "Ana")
    assert invited.outcome == "invited" and invited.invitee is not None
    # Enrolled in the inviter's language and currency, named as the inviter wrote it, and told by push.
    assert (invited.invitee.name, invited.invitee.currency) == ("Ana", "BRL")
    [notice] = [e for e in world.events() if isinstance(e, HouseholdNotice)]
    assert (notice.user_id, notice.what) == (invited.invitee.id, "invited")
    async with world.uow() as uow:
        assert await uow.households.membership(invited.invitee.id) is None
        status = await services.budget_status(
            GetBudgetStatus(user_id=invited.invitee.id, all_budgets=True), uow, world.clock
        )
    assert status == []
    assert (await _answer(world, invited.invitee)).outcome == "joined"
    async with world.uow() as uow:
        member = await uow.households.membership(invited.invitee.id)
    assert member is not None and member.status == MemberStatus.ACTIVE
    assert (await _answer(world, invited.invitee)).outcome == "no_invitation"


async def test_a_declined_invitation_tells_the_inviter_and_shares_nothing() -> None:
    world = await World.create()
    invited = await _invite(world, world.user, "+5511900000001", "Ana")
    assert invited.invitee is not None
    assert (await _answer(world, invited.invitee, accept=False)).outcome == "declined"
    told = [(e.user_id, e.what) for e in world.events() if isinstance(e, HouseholdNotice)]
    assert told[-1] == (world.user.id, "declined")
    async with world.uow() as uow:
        assert await uow.households.membership(invited.invitee.id) is None


async def test_inviting_yourself_or_a_member_again_writes_nothing_new() -> None:
    world = await World.create()
    [ana] = await _house(world, "Ana")
    assert (await _invite(world, world.user, world.user.phone)).outcome == "self"
    assert (await _invite(world, world.user, ana.phone)).outcome == "already_member"
    with pytest.raises(ValidationError):
        await _invite(world, world.user, "12")


async def test_someone_in_another_household_cannot_be_invited_nor_join_two() -> None:
    world = await World.create()
    [ana] = await _house(world, "Ana")
    bia = await world.add_user("+5511900000077", name="Bia")
    assert (await _invite(world, bia, ana.phone)).outcome == "in_another_household"


async def test_splits_are_equal_parts_and_the_payer_keeps_the_odd_cents() -> None:
    world = await World.create()
    ana, tom = await _house(world, "Ana", "Tom")
    async with world.uow() as uow:
        done = await hh.split_expense(SplitExpense(_expense(world.user, "100", "m1")), uow, world.clock)
    assert done.outcome == "split" and done.record is not None
    assert [(who, str(m.amount)) for who, m in done.parts] == [("Ana", "33.33"), ("Tom", "33.33")]
    assert done.record.transaction.household_id is not None
    async with world.uow() as uow:
        mine = await hh.balances(uow, world.user, done.record.transaction.household_id)
        theirs = await hh.balances(uow, ana, done.record.transaction.household_id)
    assert {b.who: str(b.net["BRL"].amount) for b in mine} == {"Ana": "33.33", "Tom": "33.33"}
    assert [str(b.net["BRL"].amount) for b in theirs if b.user_id == world.user.id] == ["-33.33"]
    assert tom.id in {b.user_id for b in mine}


async def test_a_split_names_members_and_checks_the_parts_said() -> None:
    world = await World.create()
    await _house(world, "Ana", "Tom")
    async with world.uow() as uow:
        with_ana = SplitExpense(_expense(world.user, "90", "m1"), ("ana",))
        done = await hh.split_expense(with_ana, uow, world.clock)
    assert [(who, str(m.amount)) for who, m in done.parts] == [("Ana", "45.00")]
    async with world.uow() as uow:
        wrong = SplitExpense(_expense(world.user, "90", "m2"), (), shares=2)
        assert (await hh.split_expense(wrong, uow, world.clock)).outcome == "shares_mismatch"
        nobody = SplitExpense(_expense(world.user, "90", "m3"), ("Zé",))
        assert (await hh.split_expense(nobody, uow, world.clock)).outcome == "no_such_member"
    assert len(world.db.store.transactions) == 1  # the refused splits wrote nothing


async def test_a_split_replayed_records_once() -> None:
    world = await World.create()
    await _house(world, "Ana")
    for _ in range(2):
        async with world.uow() as uow:
            done = await hh.split_expense(SplitExpense(_expense(world.user, "50", "same")), uow, world.clock)
        assert [(who, str(m.amount)) for who, m in done.parts] == [("Ana", "25.00")]
    assert (len(world.db.store.transactions), len(world.db.store.shares)) == (1, 1)


async def test_settling_up_zeroes_every_balance_and_keeps_the_history() -> None:
    world = await World.create()
    ana, tom = await _house(world, "Ana", "Tom")
    async with world.uow() as uow:
        await hh.split_expense(SplitExpense(_expense(ana, "60", "a1")), uow, world.clock)
    async with world.uow() as uow:
        settled = await hh.settle_up(SettleUp(world.user.id, "ana", "s1"), uow, world.clock)
    assert settled.outcome == "settled" and [b.who for b in settled.settled] == ["Ana"]
    household = next(iter(world.db.store.households))
    async with world.uow() as uow:
        after = await hh.balances(uow, world.user, household)
        again = await hh.settle_up(SettleUp(world.user.id, None, "s2"), uow, world.clock)
    assert all(b.even for b in after)
    assert again.outcome == "already_even"
    assert len(world.db.store.shares) == 3  # two parts of Ana's split, one settlement; Tom's part untouched
    assert tom.id in {s.debtor_id for s in world.db.store.shares.values()}


async def test_only_the_owner_removes_and_an_owner_who_leaves_hands_over() -> None:
    world = await World.create()
    ana, tom = await _house(world, "Ana", "Tom")
    async with world.uow() as uow:
        assert (await hh.remove(RemoveMember(ana.id, "tom"), uow, world.clock)).outcome == "not_owner"
    async with world.uow() as uow:
        assert (await hh.remove(RemoveMember(world.user.id, "Tom"), uow, world.clock)).outcome == "removed"
    async with world.uow() as uow:
        assert (await hh.leave(LeaveHousehold(world.user.id), uow, world.clock)).outcome == "left"
        heir = await uow.households.membership(ana.id)
        assert await uow.households.membership(tom.id) is None
    assert heir is not None and heir.role == MemberRole.OWNER
    told = {(e.user_id, e.what) for e in world.events() if isinstance(e, HouseholdNotice)}
    assert {(tom.id, "removed"), (ana.id, "left")} <= told


async def test_a_house_budget_counts_every_members_spending_and_alerts_each_once() -> None:
    world = await World.create()
    [ana] = await _house(world, "Ana")
    await world.budget("100", "groceries", shared=True)
    await world.expense("50", "groceries")
    result = await world.expense("40", "groceries", user_id=ana.id)
    # Ana's R$ 40 took the house to 90%: she is told in her reply, the owner by push.
    assert [c.threshold for c in result.crossings] == [80]
    alerts = world.alerts()
    assert sorted((a.user_id, a.threshold, a.shared) for a in alerts) == sorted(
        [(world.user.id, 80, True), (ana.id, 80, True)]
    )
    assert [str(s.spent.amount) for s in result.budgets] == ["90.00"]
    # A personal expense of a category the house does not budget stays personal.
    lunch = await world.expense("30", "dining", user_id=ana.id)
    assert lunch.transaction.household_id is None
    assert result.transaction.household_id is not None


async def test_a_house_budget_needs_a_household() -> None:
    world = await World.create()
    with pytest.raises(ValidationError):
        await world.run(services.set_budget, SetBudget(world.user.id, Decimal("100"), shared=True))


async def test_an_undone_split_owes_nothing_and_restored_owes_again() -> None:
    world = await World.create()
    await _house(world, "Ana")
    async with world.uow() as uow:
        done = await hh.split_expense(SplitExpense(_expense(world.user, "50", "u1")), uow, world.clock)
    assert done.record is not None
    household = done.record.transaction.household_id
    assert household is not None

    async def owed() -> list[str]:
        async with world.uow() as uow:
            return [
                str(m.amount) for b in await hh.balances(uow, world.user, household) for m in b.net.values()
            ]

    assert await owed() == ["25.00"]
    undone = await world.run(services.undo_last, UndoLast(world.user.id))
    assert await owed() == []
    await world.run(services.restore_transaction, RestoreTransaction(world.user.id, undone.after.id))
    assert await owed() == ["25.00"]


async def test_a_shared_account_is_every_members_and_its_balance_counts_all_of_them() -> None:
    world = await World.create()
    [ana] = await _house(world, "Ana")
    household = next(iter(world.db.store.households))
    cmd = AddAccount(world.user.id, "Conta da casa", opening_balance="100", household_id=household)
    house_account = await world.run(services.add_account, cmd)
    await world.expense("30", "groceries", user_id=ana.id, account_id=house_account.id)
    await world.expense("20", "groceries", account_id=house_account.id)
    for member in (world.user, ana):
        balance = await world.read(services.get_balance, GetBalance(member.id))
        shown = {row.account.name: str(row.balances["BRL"].amount) for row in balance.accounts}
        assert shown["Conta da casa"] == "50.00", member.name
    outsider = await world.add_user("+5511900000099", name="Zé")
    with pytest.raises(ValidationError):
        await world.expense("5", "groceries", user_id=outsider.id, account_id=house_account.id)
