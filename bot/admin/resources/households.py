"""Households: groups of users who share accounts and budgets and split expenses; members and balances."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Annotated, Literal

from pydantic import Field

from bot.admin.api import Call, Listed, Resource
from bot.admin.problems import not_found
from bot.admin.schemas import AmountText, ListQuery, Out, Strict
from domain.household_admin import (
    CreateHousehold,
    add_member,
    close_household,
    create_household,
    pair_balances,
    remove_member,
    rename_household,
    require_household,
)
from domain.households import HOUSEHOLD_NAME_MAX
from domain.model import Household, Member, MemberRole

api = Resource("households")

HouseholdName = Annotated[
    str, Field(min_length=1, max_length=HOUSEHOLD_NAME_MAX, pattern=r"^[^\x00-\x1f]*\S[^\x00-\x1f]*$")
]
Role = Literal["owner", "member"]
Status = Literal["invited", "active", "declined", "left", "removed"]


class HouseholdIn(Strict):
    name: HouseholdName
    members: list[uuid.UUID] = Field(default_factory=list, max_length=50)
    """Users who join at once (active, no invitation to answer); the first one is the owner."""


class HouseholdPatch(Strict):
    name: HouseholdName


class MemberIn(Strict):
    user_id: uuid.UUID
    role: Role = "member"
    """"owner" takes the role over: the owner before becomes a member."""


class MemberOut(Out):
    """A person's place in a household; members are addressed by user_id."""

    household_id: uuid.UUID
    user_id: uuid.UUID
    role: Role
    status: Status
    label: str | None
    invited_by: uuid.UUID | None
    created_at: datetime | None
    updated_at: datetime | None

    @classmethod
    def of(cls, member: Member) -> MemberOut:
        return cls(
            household_id=member.household_id,
            user_id=member.user_id,
            role=member.role.value,
            status=member.status.value,
            label=member.label,
            invited_by=member.invited_by,
            created_at=member.created_at,
            updated_at=member.updated_at,
        )


class HouseholdOut(Out):
    id: uuid.UUID
    name: str
    created_by: uuid.UUID | None
    created_at: datetime | None
    closed_at: datetime | None
    """Set when it is closed (in the audit trail: a closed household is no longer served)."""
    members: list[MemberOut] | None = None
    """Active members and open invitations (in the order they joined); left out of listings."""

    @classmethod
    def of(cls, household: Household, members: list[Member] | None = None) -> HouseholdOut:
        return cls(
            id=household.id,
            name=household.name,
            created_by=household.created_by,
            created_at=household.created_at,
            closed_at=household.closed_at,
            members=None if members is None else [MemberOut.of(m) for m in members],
        )


class MemberQuery(ListQuery):
    status: Status | None = None
    """Only memberships in this state (absent: every one, past ones included)."""


class BalanceOut(Out):
    """`debtor_id` owes `creditor_id` `amount` in `currency`, net of every split and settlement."""

    debtor_id: uuid.UUID
    creditor_id: uuid.UUID
    amount: AmountText
    currency: str


class BalancesOut(Out):
    household_id: uuid.UUID
    balances: list[BalanceOut]
    """One per pair of people and currency that are not even."""


async def _open_members(call: Call, household_id: uuid.UUID) -> list[Member]:
    async with call.reading() as uow:
        members = await uow.households.members(household_id, active_only=False)
    return [m for m in members if m.status.value in ("invited", "active")]


def _page(items: Sequence[Out], key: list[str], call: Call) -> Listed:
    """Rows sorted by `key`, the page after the cursor (households and members are few per tenant)."""
    after = str(call.after[0]) if call.after else ""
    rest = [(k, item) for k, item in sorted(zip(key, items, strict=True), key=lambda p: p[0]) if k > after]
    page = rest[: call.limit]
    return Listed([item for _, item in page], [page[-1][0]] if len(rest) > call.limit else None)


@api.listing("/households", item=HouseholdOut, query=ListQuery, summary="List households")
async def list_households(call: Call) -> Listed:
    """Open households (a closed one is gone: its id stays only on shared budgets, accounts, transactions and
    in the audit trail)."""
    async with call.reading() as uow:
        households = [h for h in await uow.households.list() if h.closed_at is None]
    return _page([HouseholdOut.of(h) for h in households], [str(h.id) for h in households], call)


@api.post(
    "/households", body=HouseholdIn, response=HouseholdOut, summary="Create a household", conflicts=True
)
async def create_household_route(call: Call) -> HouseholdOut:
    """The operator acts for the tenant: the users listed join at once, active, with no invitation to answer
    (by chat a member is only invited, until they accept). The first is the owner. 409 when one of them is
    already an active member of another household; nothing is created then."""
    body: HouseholdIn = call.body
    cmd = CreateHousehold(tenant_id=call.tenant_id, name=body.name, members=tuple(body.members))
    async with call.writing() as uow:
        household, members = await create_household(cmd, uow, call.clock)
        out = HouseholdOut.of(household, members)
        call.audit("create", "household", household.id, None, HouseholdOut.of(household))
        for member in members:
            call.audit("create", "household_member", member.id, None, MemberOut.of(member))
    return out


@api.get("/households/{household_id}", response=HouseholdOut, summary="One household and its members")
async def get_household(call: Call) -> HouseholdOut:
    async with call.reading() as uow:
        household = await uow.households.get(call.id("household_id"))
    if household is None or household.closed_at is not None:
        raise not_found("household")  # a closed household answers like one that never existed
    return HouseholdOut.of(household, await _open_members(call, household.id))


@api.patch(
    "/households/{household_id}",
    body=HouseholdPatch,
    response=HouseholdOut,
    summary="Rename a household",
)
async def update_household_route(call: Call) -> HouseholdOut:
    body: HouseholdPatch = call.body
    async with call.writing() as uow:
        before, after = await rename_household(call.id("household_id"), body.name, uow)
        call.audit("update", "household", after.id, HouseholdOut.of(before), HouseholdOut.of(after))
    return HouseholdOut.of(after, await _open_members(call, after.id))


@api.delete(
    "/households/{household_id}",
    response=HouseholdOut,
    summary="Close a household (members are removed)",
    conflicts=True,
)
async def close_household_route(call: Call) -> HouseholdOut:
    """Removes every member and open invitation and sets closed_at; from then on the household answers 404
    and is not listed, and its former members may join other households. Shared budgets and accounts, their
    transactions and the audit trail keep its id (household_id) for the history. 409 while members owe each
    other (GET .../balances is not empty): settle up first, as nobody could see those debts afterwards."""
    async with call.writing() as uow:
        before, after, ended = await close_household(call.id("household_id"), uow, call.clock)
        call.audit("delete", "household", after.id, HouseholdOut.of(before), HouseholdOut.of(after))
        for member in ended:
            call.audit("delete", "household_member", member.id, None, MemberOut.of(member))
    return HouseholdOut.of(after, [])


@api.listing(
    "/households/{household_id}/members",
    item=MemberOut,
    query=MemberQuery,
    summary="A household's members, past ones included",
)
async def list_household_members(call: Call) -> Listed:
    query: MemberQuery = call.query
    async with call.reading() as uow:
        household = await require_household(uow, call.id("household_id"))
        members = await uow.households.members(household.id, active_only=False)
    if query.status is not None:
        members = [m for m in members if m.status.value == query.status]
    return _page([MemberOut.of(m) for m in members], [str(m.id) for m in members], call)


@api.post(
    "/households/{household_id}/members",
    body=MemberIn,
    response=MemberOut,
    summary="Add a member (active at once)",
    conflicts=True,
)
async def add_household_member(call: Call) -> MemberOut:
    """The operator acts for the tenant: the user is an active member at once (an open invitation of theirs
    to this household counts as accepted). 409 when they are already an active member of this or another
    household (one household per person)."""
    body: MemberIn = call.body
    async with call.writing() as uow:
        member = await add_member(
            call.id("household_id"), body.user_id, MemberRole(body.role), uow, call.clock
        )
        out = MemberOut.of(member)
        call.audit("create", "household_member", member.id, None, out)
    return out


@api.delete(
    "/households/{household_id}/members/{user_id}",
    response=MemberOut,
    summary="Remove a member (or withdraw an invitation)",
)
async def remove_household_member(call: Call) -> MemberOut:
    """Their status becomes "removed"; what they owe or are owed stays. When the owner is removed, the
    longest-standing member becomes the owner. Removing someone no longer in it answers their last
    membership unchanged."""
    async with call.writing() as uow:
        before, after = await remove_member(call.id("household_id"), call.id("user_id"), uow, call.clock)
        if after != before:
            call.audit("delete", "household_member", after.id, MemberOut.of(before), MemberOut.of(after))
    return MemberOut.of(after)


@api.get(
    "/households/{household_id}/balances",
    response=BalancesOut,
    summary="Who owes whom in a household, per pair and currency",
)
async def get_household_balances(call: Call) -> BalancesOut:
    async with call.reading() as uow:
        found = await pair_balances(uow, call.id("household_id"))
    return BalancesOut(
        household_id=call.id("household_id"),
        balances=[
            BalanceOut(
                debtor_id=b.debtor_id,
                creditor_id=b.creditor_id,
                amount=str(b.amount.quantized().amount),
                currency=b.amount.currency,
            )
            for b in found
        ],
    )


__all__ = ["HouseholdOut", "MemberOut", "api"]
