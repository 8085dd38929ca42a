"""Tenant-bound repository of recurring rules, with the worker's claim of the due ones."""

from __future__ import annotations

import builtins
import uuid
from datetime import date
from typing import Any

import sqlalchemy as sa

from adapters.db.sql import TenantBound, add_or_skip, rowcount
from adapters.db.tables import recurring_rules as r
from domain.errors import Conflict, NotFound
from domain.model import Recurrence, RecurringRule, TransactionKind
from domain.money import Money


class SqlRecurringRuleRepository(TenantBound):
    """domain.ports.RecurringRuleRepository."""

    async def add(self, rule: RecurringRule) -> None:
        self._check_tenant("recurring rule", rule.tenant_id)
        if rule.created_at is None:
            rule.created_at = self._db.now()
        values = {
            "id": rule.id,
            "tenant_id": self.tenant_id,
            "user_id": rule.user_id,
            "account_id": rule.account_id,
            "kind": str(rule.kind),
            "amount_minor": rule.amount.to_minor(),
            "currency": rule.amount.currency,
            "cadence": str(rule.cadence),
            "anchor": rule.anchor,
            "merchant": rule.merchant,
            "category": rule.category,
            "note": rule.note,
            "created_at": rule.created_at,
            **_state(rule),
        }
        if await add_or_skip(self._db, r, values) == 0:
            raise Conflict("id", f"recurring rule id {rule.id} is taken")

    async def update(self, rule: RecurringRule) -> None:
        self._check_tenant("recurring rule", rule.tenant_id)
        statement = sa.update(r).where(self._mine(r), r.c.id == rule.id).values(**_state(rule))
        if rowcount(await self._db.execute(statement)) == 0:
            raise NotFound("recurring rule", rule.id)

    async def get(self, rule_id: uuid.UUID) -> RecurringRule | None:
        rows = await self._rows(sa.select(r).where(self._mine(r), r.c.id == rule_id))
        return rows[0] if rows else None

    async def list_for(self, user_id: uuid.UUID, *, active_only: bool = True) -> builtins.list[RecurringRule]:
        query = sa.select(r).where(self._mine(r), r.c.user_id == user_id)
        if active_only:
            query = query.where(r.c.cancelled_at.is_(None))
        return await self._rows(query.order_by(r.c.next_due, r.c.created_at, r.c.id))

    async def claim_due(self, on_or_before: date, limit: int) -> builtins.list[RecurringRule]:
        query = (
            sa.select(r)
            .where(self._mine(r), r.c.cancelled_at.is_(None), r.c.next_due <= on_or_before)
            .order_by(r.c.next_due, r.c.id)
            .limit(limit)
        )
        if self._db.dialect == "postgresql":
            query = query.with_for_update(skip_locked=True)
        return await self._rows(query)

    async def page(
        self, *, user_id: uuid.UUID | None = None, after: uuid.UUID | None = None, limit: int = 50
    ) -> builtins.list[RecurringRule]:
        query = sa.select(r).where(self._mine(r))
        if user_id is not None:
            query = query.where(r.c.user_id == user_id)
        if after is not None:
            query = query.where(r.c.id > after)
        return await self._rows(query.order_by(r.c.id).limit(limit))

    async def bills_due(self, first: date, last: date) -> builtins.list[RecurringRule]:
        query = sa.select(r).where(
            self._mine(r), r.c.cancelled_at.is_(None), r.c.bill.is_(True), r.c.next_due.between(first, last)
        )
        return await self._rows(query.order_by(r.c.next_due, r.c.id))

    async def _rows(self, query: sa.Select[Any]) -> builtins.list[RecurringRule]:
        return [rule_from_row(row) for row in (await self._db.execute(query)).mappings()]


def _state(rule: RecurringRule) -> dict[str, Any]:
    """What changes over a rule's life: its next due day, whether it was cancelled, whether it is a bill."""
    return {"next_due": rule.next_due, "cancelled_at": rule.cancelled_at, "bill": rule.bill}


def rule_from_row(row: Any) -> RecurringRule:
    return RecurringRule(
        id=row["id"],
        tenant_id=row["tenant_id"],
        user_id=row["user_id"],
        kind=TransactionKind(row["kind"]),
        amount=Money.from_minor(row["amount_minor"], row["currency"]),
        cadence=Recurrence(row["cadence"]),
        anchor=int(row["anchor"]),
        next_due=row["next_due"],
        merchant=row["merchant"],
        category=row["category"],
        note=row["note"],
        account_id=row["account_id"],
        created_at=row["created_at"],
        cancelled_at=row["cancelled_at"],
        bill=bool(row["bill"]),
    )
