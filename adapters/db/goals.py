"""Tenant-bound repository of savings goals."""

from __future__ import annotations

import builtins
import uuid
from typing import Any

import sqlalchemy as sa

from adapters.db.sql import TenantBound, add_or_skip, rowcount
from adapters.db.tables import goals as g
from domain.errors import Conflict, NotFound
from domain.model import Goal
from domain.money import Money


class SqlGoalRepository(TenantBound):
    """domain.ports.GoalRepository."""

    async def add(self, goal: Goal) -> None:
        self._check_tenant("goal", goal.tenant_id)
        if goal.created_at is None:
            goal.created_at = self._db.now()
        values = {
            "id": goal.id,
            "tenant_id": self.tenant_id,
            "user_id": goal.user_id,
            "name": goal.name,
            "account_id": goal.account_id,
            "created_at": goal.created_at,
            **_state(goal),
        }
        if await add_or_skip(self._db, g, values) == 0:
            raise Conflict("id", f"goal id {goal.id} is taken")

    async def update(self, goal: Goal) -> None:
        self._check_tenant("goal", goal.tenant_id)
        statement = sa.update(g).where(self._mine(g), g.c.id == goal.id).values(**_state(goal))
        if rowcount(await self._db.execute(statement)) == 0:
            raise NotFound("goal", goal.id)

    async def get(self, goal_id: uuid.UUID) -> Goal | None:
        rows = await self._rows(sa.select(g).where(self._mine(g), g.c.id == goal_id))
        return rows[0] if rows else None

    async def list_for(self, user_id: uuid.UUID, *, open_only: bool = True) -> builtins.list[Goal]:
        query = sa.select(g).where(self._mine(g), g.c.user_id == user_id)
        if open_only:
            query = query.where(g.c.closed_at.is_(None))
        return await self._rows(query.order_by(g.c.created_at, g.c.id))

    async def page(
        self, *, user_id: uuid.UUID | None = None, after: uuid.UUID | None = None, limit: int = 50
    ) -> builtins.list[Goal]:
        query = sa.select(g).where(self._mine(g))
        if user_id is not None:
            query = query.where(g.c.user_id == user_id)
        if after is not None:
            query = query.where(g.c.id > after)
        return await self._rows(query.order_by(g.c.id).limit(limit))

    async def _rows(self, query: sa.Select[Any]) -> builtins.list[Goal]:
        return [goal_from_row(row) for row in (await self._db.execute(query)).mappings()]


def _state(goal: Goal) -> dict[str, Any]:
    """What may change: the target, its date, whether the goal is closed."""
    return {
        "target_minor": goal.target.to_minor(),
        "currency": goal.target.currency,
        "target_date": goal.target_date,
        "closed_at": goal.closed_at,
    }


def goal_from_row(row: Any) -> Goal:
    return Goal(
        id=row["id"],
        tenant_id=row["tenant_id"],
        user_id=row["user_id"],
        name=row["name"],
        target=Money.from_minor(row["target_minor"], row["currency"]),
        account_id=row["account_id"],
        target_date=row["target_date"],
        created_at=row["created_at"],
        closed_at=row["closed_at"],
    )
