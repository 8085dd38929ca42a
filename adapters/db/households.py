"""Tenant-bound repository of households, their members, and the shares and settlements between members."""

from __future__ import annotations

import builtins
import uuid
from typing import Any

import sqlalchemy as sa

from adapters.db.sql import TenantBound, add_or_skip, rowcount
from adapters.db.tables import household_members as hm
from adapters.db.tables import household_shares as hs
from adapters.db.tables import households as h
from adapters.db.tables import transactions as t
from domain.errors import Conflict, NotFound
from domain.model import Household, Member, MemberRole, MemberStatus, Share, ShareKind
from domain.money import Money

OPEN = (MemberStatus.INVITED.value, MemberStatus.ACTIVE.value)


class SqlHouseholdRepository(TenantBound):
    """domain.ports.HouseholdRepository."""

    async def add(self, household: Household) -> None:
        self._check_tenant("household", household.tenant_id)
        if household.created_at is None:
            household.created_at = self._db.now()
        values = {
            "id": household.id,
            "tenant_id": self.tenant_id,
            "name": household.name,
            "created_by": household.created_by,
            "created_at": household.created_at,
            "closed_at": household.closed_at,
        }
        if await add_or_skip(self._db, h, values) == 0:
            raise Conflict("id", f"household id {household.id} is taken")

    async def get(self, household_id: uuid.UUID) -> Household | None:
        row = (await self._db.execute(sa.select(h).where(self._mine(h), h.c.id == household_id))).mappings()
        first = row.first()
        return None if first is None else _household(first)

    async def lock(self, household_id: uuid.UUID) -> Household | None:
        query = sa.select(h).where(self._mine(h), h.c.id == household_id).with_for_update()
        first = (await self._db.execute(query)).mappings().first()
        return None if first is None else _household(first)

    async def list(self) -> builtins.list[Household]:
        query = sa.select(h).where(self._mine(h)).order_by(h.c.created_at, h.c.id)
        return [_household(row) for row in (await self._db.execute(query)).mappings()]

    async def update(self, household: Household) -> None:
        self._check_tenant("household", household.tenant_id)
        statement = (
            sa.update(h)
            .where(self._mine(h), h.c.id == household.id)
            .values(name=household.name, closed_at=household.closed_at)
        )
        if rowcount(await self._db.execute(statement)) == 0:
            raise NotFound("household", household.id)

    async def add_member(self, member: Member) -> bool:
        self._check_tenant("household member", member.tenant_id)
        if member.created_at is None:
            member.created_at = self._db.now()
        values = {
            "id": member.id,
            "tenant_id": self.tenant_id,
            "household_id": member.household_id,
            "user_id": member.user_id,
            "invited_by": member.invited_by,
            "created_at": member.created_at,
            **_member_state(member),
        }
        return await add_or_skip(self._db, hm, values) == 1

    async def update_member(self, member: Member) -> None:
        self._check_tenant("household member", member.tenant_id)
        statement = sa.update(hm).where(self._mine(hm), hm.c.id == member.id).values(**_member_state(member))
        try:
            touched = rowcount(await self._db.execute(statement))
        except sa.exc.IntegrityError as exc:
            raise Conflict("status", "this person is already in a household") from exc
        if touched == 0:
            raise NotFound("household member", member.id)

    async def members(self, household_id: uuid.UUID, *, active_only: bool = True) -> builtins.list[Member]:
        query = sa.select(hm).where(self._mine(hm), hm.c.household_id == household_id)
        if active_only:
            query = query.where(hm.c.status == MemberStatus.ACTIVE.value)
        return await self._members(query.order_by(hm.c.created_at, hm.c.id))

    async def membership(self, user_id: uuid.UUID) -> Member | None:
        query = sa.select(hm).where(
            self._mine(hm), hm.c.user_id == user_id, hm.c.status == MemberStatus.ACTIVE.value
        )
        found = await self._members(query)
        return found[0] if found else None

    async def invitation(self, user_id: uuid.UUID) -> Member | None:
        query = (
            sa.select(hm)
            .where(self._mine(hm), hm.c.user_id == user_id, hm.c.status == MemberStatus.INVITED.value)
            .order_by(hm.c.created_at.desc(), hm.c.id)
            .limit(1)
        )
        found = await self._members(query)
        return found[0] if found else None

    async def add_share(self, share: Share) -> bool:
        self._check_tenant("share", share.tenant_id)
        if share.created_at is None:
            share.created_at = self._db.now()
        values = {
            "id": share.id,
            "tenant_id": self.tenant_id,
            "household_id": share.household_id,
            "transaction_id": share.transaction_id,
            "creditor_id": share.creditor_id,
            "debtor_id": share.debtor_id,
            "amount_minor": share.amount.to_minor(),
            "currency": share.amount.currency,
            "kind": str(share.kind),
            "source_ref": share.source_ref,
            "created_at": share.created_at,
            "deleted_at": share.deleted_at,
        }
        return await add_or_skip(self._db, hs, values) == 1

    async def shares(self, household_id: uuid.UUID, user_id: uuid.UUID) -> builtins.list[Share]:
        query = (
            sa.select(hs)
            .where(
                self._mine(hs),
                hs.c.household_id == household_id,
                sa.or_(hs.c.creditor_id == user_id, hs.c.debtor_id == user_id),
                hs.c.deleted_at.is_(None),
                # A split expense that was undone owes nothing (restored, it owes again).
                ~sa.exists().where(
                    t.c.tenant_id == hs.c.tenant_id,
                    t.c.id == hs.c.transaction_id,
                    t.c.deleted_at.is_not(None),
                ),
            )
            .order_by(hs.c.created_at, hs.c.id)
        )
        return [_share(row) for row in (await self._db.execute(query)).mappings()]

    async def shares_of(self, transaction_id: uuid.UUID) -> builtins.list[Share]:
        query = sa.select(hs).where(self._mine(hs), hs.c.transaction_id == transaction_id).order_by(hs.c.id)
        return [_share(row) for row in (await self._db.execute(query)).mappings()]

    async def _members(self, query: sa.Select[Any]) -> builtins.list[Member]:
        return [_member(row) for row in (await self._db.execute(query)).mappings()]


def _member_state(member: Member) -> dict[str, Any]:
    return {
        "role": str(member.role),
        "status": str(member.status),
        "label": member.label,
        "updated_at": member.updated_at,
    }


def _household(row: Any) -> Household:
    return Household(
        id=row["id"],
        tenant_id=row["tenant_id"],
        name=row["name"],
        created_by=row["created_by"],
        created_at=row["created_at"],
        closed_at=row["closed_at"],
    )


def _member(row: Any) -> Member:
    return Member(
        id=row["id"],
        tenant_id=row["tenant_id"],
        household_id=row["household_id"],
        user_id=row["user_id"],
        role=MemberRole(row["role"]),
        status=MemberStatus(row["status"]),
        label=row["label"],
        invited_by=row["invited_by"],
        created_at=row["created_at"],
        updated_at=row["updated_at"],
    )


def _share(row: Any) -> Share:
    return Share(
        id=row["id"],
        tenant_id=row["tenant_id"],
        household_id=row["household_id"],
        creditor_id=row["creditor_id"],
        debtor_id=row["debtor_id"],
        amount=Money.from_minor(row["amount_minor"], row["currency"]),
        kind=ShareKind(row["kind"]),
        transaction_id=row["transaction_id"],
        source_ref=row["source_ref"],
        created_at=row["created_at"],
        deleted_at=row["deleted_at"],
    )
