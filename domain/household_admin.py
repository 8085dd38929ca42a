"""Households as an operator manages them (admin API): create, rename, close, members, balances.

The operator acts for the tenant, so the members they add are active at once (no invitation to answer, unlike
domain.households.invite, which waits for the invitee's own reply).
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, replace
from decimal import Decimal

from domain import validation as v
from domain.errors import Conflict, NotFound, ValidationError
from domain.events import HouseholdNotice
from domain.households import HOUSEHOLD_NAME_MAX, display_name
from domain.lookup import require_user
from domain.model import Household, Member, MemberRole, MemberStatus, Share, new_id
from domain.money import Money
from domain.ports import Clock, UnitOfWork

OPEN = (MemberStatus.INVITED, MemberStatus.ACTIVE)


@dataclass(frozen=True, slots=True)
class CreateHousehold:
    tenant_id: uuid.UUID
    name: str
    members: Sequence[uuid.UUID] = ()
    """Users who join at once; the first is the owner."""


@dataclass(frozen=True, slots=True)
class PairBalance:
    """`debtor` owes `creditor` `amount` (net of every share and settlement between the two)."""

    debtor_id: uuid.UUID
    creditor_id: uuid.UUID
    amount: Money


async def require_household(uow: UnitOfWork, household_id: uuid.UUID, *, lock: bool = False) -> Household:
    """The open household (locked when asked: member changes are serialised on it). A closed household is
    gone for the operator as for its members: NotFound, like an id that never existed."""
    found = await (uow.households.lock(household_id) if lock else uow.households.get(household_id))
    if found is None or found.closed_at is not None:
        raise NotFound("household", household_id)
    return found


async def create_household(
    cmd: CreateHousehold, uow: UnitOfWork, clock: Clock
) -> tuple[Household, list[Member]]:
    name = v.required_text(cmd.name, "name", HOUSEHOLD_NAME_MAX)
    if len(set(cmd.members)) != len(cmd.members):
        raise ValidationError("members", "a user is listed twice")
    for user_id in cmd.members:
        await require_user(uow, user_id)  # 404 for an unknown id, and for another tenant's
    now = clock.now()
    household = Household(
        id=new_id(),
        tenant_id=cmd.tenant_id,
        name=name,
        created_by=cmd.members[0] if cmd.members else None,
        created_at=now,
    )
    await uow.households.add(household)
    members = []
    for position, user_id in enumerate(cmd.members):
        role = MemberRole.OWNER if position == 0 else MemberRole.MEMBER
        members.append(await _join(uow, household, user_id, role, clock))
    await uow.commit()
    return household, members


async def rename_household(
    household_id: uuid.UUID, name: str, uow: UnitOfWork
) -> tuple[Household, Household]:
    before = await require_household(uow, household_id, lock=True)
    after = replace(before, name=v.required_text(name, "name", HOUSEHOLD_NAME_MAX))
    await uow.households.update(after)
    await uow.commit()
    return before, after


async def close_household(
    household_id: uuid.UUID, uow: UnitOfWork, clock: Clock
) -> tuple[Household, Household, list[Member]]:
    """Close it: every open membership and invitation ends ("removed") and the household is gone (NotFound
    from then on). Refused while members owe each other (settle up first): once closed, nobody could see or
    settle those debts as a household. Shared budgets and accounts and their transactions stay, still naming
    the household (history)."""
    before = await require_household(uow, household_id, lock=True)
    if await pair_balances(uow, household_id):
        raise Conflict("household_id", "members still owe each other: settle up before closing")
    now = clock.now()
    ended = []
    for member in await uow.households.members(household_id, active_only=False):
        if member.status in OPEN:
            ended.append(replace(member, status=MemberStatus.REMOVED, updated_at=now))
            await uow.households.update_member(ended[-1])
    after = replace(before, closed_at=now)
    await uow.households.update(after)
    await uow.commit()
    return before, after, ended


async def add_member(
    household_id: uuid.UUID, user_id: uuid.UUID, role: MemberRole, uow: UnitOfWork, clock: Clock
) -> Member:
    """The user joins at once (an open invitation to this household is accepted for them). An owner added
    takes the role over from the one before: a household has one owner."""
    household = await require_household(uow, household_id, lock=True)
    if await uow.users.get(user_id) is None:
        # Not a 404: the household named by the path exists; what is wrong is a field of the request.
        raise ValidationError("user_id", "no such user")
    member = await _join(uow, household, user_id, MemberRole.MEMBER, clock)
    if role == MemberRole.OWNER:
        await _hand_over(uow, household_id, member, clock)
        member = replace(member, role=MemberRole.OWNER)
    # Nobody joins a household without being told: the member by push, and so are the others.
    _tell(uow, member.tenant_id, user_id, "added", household.name)
    joined = await uow.users.get(user_id)
    for other in await uow.households.members(household_id):
        if other.user_id != user_id and joined is not None:
            _tell(uow, member.tenant_id, other.user_id, "joined", display_name(joined, member))
    await uow.commit()
    return member


async def remove_member(
    household_id: uuid.UUID, user_id: uuid.UUID, uow: UnitOfWork, clock: Clock
) -> tuple[Member, Member]:
    """End the user's membership (or open invitation). Removing someone already out changes nothing. When the
    owner goes, the longest-standing active member takes over (as when an owner leaves by chat)."""
    await require_household(uow, household_id, lock=True)
    rows = [m for m in await uow.households.members(household_id, active_only=False) if m.user_id == user_id]
    if not rows:
        raise NotFound("household member", user_id)
    current = next((m for m in rows if m.status in OPEN), rows[-1])
    if current.status not in OPEN:
        return current, current
    after = replace(current, status=MemberStatus.REMOVED, updated_at=clock.now())
    await uow.households.update_member(after)
    if current.status == MemberStatus.ACTIVE:
        household = await require_household(uow, household_id)
        _tell(uow, current.tenant_id, user_id, "dropped", household.name)
    if current.role == MemberRole.OWNER and current.status == MemberStatus.ACTIVE:
        heirs = [m for m in await uow.households.members(household_id) if m.user_id != user_id]
        if heirs:
            await _hand_over(uow, household_id, heirs[0], clock)
    await uow.commit()
    return current, after


async def require_active_member(uow: UnitOfWork, household_id: uuid.UUID, user_id: uuid.UUID) -> Household:
    """For a shared budget or account: the household (of this tenant, open) and the user an active member of
    it; else a validation error naming household_id (an unknown id and another tenant's read the same)."""
    household = await uow.households.get(household_id)
    if household is None or household.closed_at is not None:
        raise ValidationError("household_id", "no such household")
    membership = await uow.households.membership(user_id)
    if membership is None or membership.household_id != household_id:
        raise ValidationError("household_id", "the user is not an active member of this household")
    return household


async def pair_balances(uow: UnitOfWork, household_id: uuid.UUID) -> list[PairBalance]:
    """Who owes whom, per pair of people and currency, from the household's live shares and settlements
    (each row: debtor owes creditor; a settlement is the reverse entry, so it cancels). Even pairs are left
    out."""
    await require_household(uow, household_id)
    shares: dict[uuid.UUID, Share] = {}
    people = {m.user_id for m in await uow.households.members(household_id, active_only=False)}
    for user_id in people:
        for share in await uow.households.shares(household_id, user_id):
            shares[share.id] = share
    # Net per (a, b, currency) with a < b: positive, a owes b.
    net: dict[tuple[uuid.UUID, uuid.UUID, str], Decimal] = {}
    for share in shares.values():
        a, b = sorted((share.debtor_id, share.creditor_id), key=str)
        sign = 1 if share.debtor_id == a else -1
        key = (a, b, share.amount.currency)
        net[key] = net.get(key, Decimal(0)) + sign * share.amount.amount
    result = []
    for (a, b, code), amount in sorted(
        net.items(), key=lambda item: (str(item[0][0]), str(item[0][1]), item[0][2])
    ):
        if amount == 0:
            continue
        debtor, creditor = (a, b) if amount > 0 else (b, a)
        result.append(PairBalance(debtor, creditor, Money(abs(amount), code)))
    return result


def _tell(uow: UnitOfWork, tenant_id: uuid.UUID, user_id: uuid.UUID, what: str, who: str) -> None:
    uow.emit(HouseholdNotice(tenant_id=tenant_id, user_id=user_id, what=what, who=who))


async def _join(
    uow: UnitOfWork, household: Household, user_id: uuid.UUID, role: MemberRole, clock: Clock
) -> Member:
    now = clock.now()
    elsewhere = await uow.households.membership(user_id)
    if elsewhere is not None:
        where = "this" if elsewhere.household_id == household.id else "another"
        raise Conflict("user_id", f"the user is already an active member of {where} household")
    invited = [
        m
        for m in await uow.households.members(household.id, active_only=False)
        if m.user_id == user_id and m.status == MemberStatus.INVITED
    ]
    if invited:
        # The operator accepts for them; a race with another household is refused by update_member.
        member = replace(invited[0], role=role, status=MemberStatus.ACTIVE, updated_at=now)
        await uow.households.update_member(member)
        return member
    member = Member(
        id=new_id(),
        tenant_id=household.tenant_id,
        household_id=household.id,
        user_id=user_id,
        role=role,
        status=MemberStatus.ACTIVE,
        created_at=now,
        updated_at=now,
    )
    if not await uow.households.add_member(member):
        # Joined elsewhere between the check and the insert (uq_household_members_active_user).
        raise Conflict("user_id", "the user is already an active member of a household")
    return member


async def _hand_over(uow: UnitOfWork, household_id: uuid.UUID, heir: Member, clock: Clock) -> None:
    """`heir` becomes the owner, whoever was before becomes a member."""
    now = clock.now()
    for member in await uow.households.members(household_id):
        if member.role == MemberRole.OWNER and member.id != heir.id:
            await uow.households.update_member(replace(member, role=MemberRole.MEMBER, updated_at=now))
    await uow.households.update_member(replace(heir, role=MemberRole.OWNER, updated_at=now))


__all__ = [
    "CreateHousehold",
    "PairBalance",
    "add_member",
    "close_household",
    "create_household",
    "pair_balances",
    "remove_member",
    "rename_household",
    "require_active_member",
    "require_household",
]
