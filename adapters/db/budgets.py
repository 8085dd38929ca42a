"""Tenant-bound repositories for budgets and the threshold crossings that make alerts fire once."""

from __future__ import annotations

import builtins
import uuid
from typing import Any

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from adapters.db.sql import TENANT, TenantBound, add_or_skip, rowcount
from adapters.db.tables import ALL_SPENDING, budget_crossings, budgets
from domain.errors import Conflict, NotFound
from domain.model import Budget, BudgetCrossing, Recurrence
from domain.money import Money


def scope_of(category: str | None) -> str:
    """The non-null column the budget uniqueness rule is enforced on ('*' = all spending)."""
    return ALL_SPENDING if category is None else category


# Run for every expense (TenantBound._run): built once.
_BUDGETS_OF = (
    sa.select(budgets)
    .where(
        budgets.c.tenant_id == TENANT,
        budgets.c.user_id == sa.bindparam("user_id"),
        budgets.c.household_id.is_(None),
    )
    .order_by(budgets.c.scope, budgets.c.recurrence)
)


class SqlBudgetRepository(TenantBound):
    """domain.ports.BudgetRepository."""

    async def add(self, budget: Budget) -> None:
        self._check_tenant("budget", budget.tenant_id)
        if budget.created_at is None:
            budget.created_at = self._db.now()
        values = {
            "id": budget.id,
            "tenant_id": self.tenant_id,
            "created_at": budget.created_at,
            **_fields(budget),
        }
        if await add_or_skip(self._db, budgets, values) == 0:
            raise Conflict(
                "category",
                f"a {budget.recurrence} budget for {scope_of(budget.category)} exists for this user",
            )

    async def update(self, budget: Budget) -> None:
        self._check_tenant("budget", budget.tenant_id)
        statement = (
            sa.update(budgets).where(self._mine(budgets), budgets.c.id == budget.id).values(**_fields(budget))
        )
        try:
            result = await self._db.execute(statement)
        except IntegrityError as exc:
            raise Conflict("category", "another budget has this category and recurrence") from exc
        if rowcount(result) == 0:
            raise NotFound("budget", budget.id)

    async def get(self, budget_id: uuid.UUID) -> Budget | None:
        return await self._first(sa.select(budgets).where(self._mine(budgets), budgets.c.id == budget_id))

    async def find(
        self,
        user_id: uuid.UUID,
        category: str | None,
        recurrence: Recurrence,
        household_id: uuid.UUID | None = None,
    ) -> Budget | None:
        """The user's own budget, or (household_id given) the household's shared one."""
        whose = (
            sa.and_(budgets.c.user_id == user_id, budgets.c.household_id.is_(None))
            if household_id is None
            else budgets.c.household_id == household_id
        )
        query = sa.select(budgets).where(
            self._mine(budgets),
            whose,
            budgets.c.scope == scope_of(category),
            budgets.c.recurrence == str(recurrence),
        )
        return await self._first(query)

    async def list_for(self, user_id: uuid.UUID) -> list[Budget]:
        """The user's own budgets (not the household's they share)."""
        return [budget_from_row(row) for row in (await self._run(_BUDGETS_OF, user_id=user_id)).mappings()]

    async def shared_by(self, household_id: uuid.UUID) -> list[Budget]:
        """A household's shared budgets."""
        query = (
            sa.select(budgets)
            .where(self._mine(budgets), budgets.c.household_id == household_id)
            .order_by(budgets.c.scope, budgets.c.recurrence)
        )
        return [budget_from_row(row) for row in (await self._db.execute(query)).mappings()]

    async def delete(self, budget_id: uuid.UUID) -> bool:
        # Crossings first: SQLite enforces the foreign key but not its ON DELETE CASCADE unless the
        # constraint was created with it in this database's schema version; explicit is safe on both.
        await self._db.execute(
            sa.delete(budget_crossings).where(
                self._mine(budget_crossings), budget_crossings.c.budget_id == budget_id
            )
        )
        statement = sa.delete(budgets).where(self._mine(budgets), budgets.c.id == budget_id)
        return rowcount(await self._db.execute(statement)) == 1

    async def page(
        self, *, user_id: uuid.UUID | None = None, after: uuid.UUID | None = None, limit: int = 50
    ) -> builtins.list[Budget]:
        query = sa.select(budgets).where(self._mine(budgets))
        if user_id is not None:
            query = query.where(budgets.c.user_id == user_id)
        if after is not None:
            query = query.where(budgets.c.id > after)
        query = query.order_by(budgets.c.id).limit(limit)
        return [budget_from_row(row) for row in (await self._db.execute(query)).mappings()]

    async def _first(self, query: sa.Select[Any]) -> Budget | None:
        row = (await self._db.execute(query)).mappings().first()
        return None if row is None else budget_from_row(row)


def _fields(budget: Budget) -> dict[str, Any]:
    return {
        "user_id": budget.user_id,
        "category": budget.category,
        "scope": scope_of(budget.category),
        "amount_minor": budget.amount.to_minor(),
        "currency": budget.amount.currency,
        "recurrence": str(budget.recurrence),
        "thresholds": [int(threshold) for threshold in budget.thresholds],
        "updated_at": budget.updated_at,
        "household_id": budget.household_id,
    }


def budget_from_row(row: Any) -> Budget:
    return Budget(
        id=row["id"],
        tenant_id=row["tenant_id"],
        user_id=row["user_id"],
        category=row["category"],
        amount=Money.from_minor(row["amount_minor"], row["currency"]),
        recurrence=Recurrence(row["recurrence"]),
        thresholds=tuple(int(threshold) for threshold in row["thresholds"]),
        created_at=row["created_at"],
        updated_at=row["updated_at"],
        household_id=row["household_id"],
    )


class SqlCrossingRepository(TenantBound):
    """domain.ports.CrossingRepository."""

    async def add_if_absent(self, crossing: BudgetCrossing) -> bool:
        self._check_tenant("budget crossing", crossing.tenant_id)
        values = {
            "id": crossing.id,
            "tenant_id": self.tenant_id,
            "budget_id": crossing.budget_id,
            "period_start": crossing.period_start,
            "threshold": crossing.threshold,
            "at": crossing.at,
        }
        # Concurrent crossers all reach this insert; the unique constraint lets exactly one of them in
        # (on PostgreSQL the others wait for the winner to commit, then skip).
        return await add_or_skip(self._db, budget_crossings, values) == 1
