"""The tenant-bound outbox: events written in the emitting transaction, claimed later by a worker."""

from __future__ import annotations

import dataclasses
import types
import typing
import uuid
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import sqlalchemy as sa

from adapters.db.jsonable import to_jsonable
from adapters.db.sql import TenantBound, add_or_skip, rowcount
from adapters.db.tables import outbox
from domain.events import (
    BillDue,
    BudgetThresholdCrossed,
    Event,
    HouseholdNotice,
    LowBalance,
    StatementImported,
    TransactionRecorded,
    WeeklyDigestDue,
)
from domain.money import Money

EVENT_TYPES: dict[str, type[Event]] = {
    cls.__name__: cls
    for cls in (
        BudgetThresholdCrossed,
        TransactionRecorded,
        StatementImported,
        HouseholdNotice,
        LowBalance,
        WeeklyDigestDue,
        BillDue,
    )
}
"""The events the outbox can turn back into objects, by stored event_type."""


@dataclass(frozen=True, slots=True)
class OutboxMessage:
    """One stored event."""

    id: int
    """Increasing in insertion order."""
    event_type: str
    """The event's class name, e.g. "BudgetThresholdCrossed"."""
    payload: dict[str, Any]
    """The event's fields as JSON: Money as {"amount": "12.30", "currency": "BRL"}, dates ISO, ids str."""
    created_at: datetime
    attempts: int

    def event(self) -> Event | None:
        """The stored event as its dataclass, or None for an event type this code does not know.

        Fields missing from the payload take their defaults, so events stored before a field was added
        stay readable; a malformed payload raises ValueError.
        """
        cls = EVENT_TYPES.get(self.event_type)
        if cls is None:
            return None
        hints = typing.get_type_hints(cls)
        values: dict[str, Any] = {}
        for field in dataclasses.fields(cls):
            if field.name in self.payload:
                values[field.name] = _decode(hints[field.name], self.payload[field.name])
        try:
            return cls(**values)
        except TypeError as exc:  # a required field is missing
            raise ValueError(f"outbox message {self.id}: {exc}") from exc


def event_payload(event: Event) -> dict[str, Any]:
    payload = to_jsonable(event)
    assert isinstance(payload, dict)
    return payload


def _decode(hint: Any, value: Any) -> Any:
    """The inverse of to_jsonable for the field types events use."""
    if value is None:
        return None
    if isinstance(hint, types.UnionType):  # X | None
        (hint,) = [arg for arg in typing.get_args(hint) if arg is not type(None)]
    if hint is Money:
        return Money(Decimal(value["amount"]), value["currency"])
    if hint is uuid.UUID:
        return uuid.UUID(value)
    if hint is datetime:
        return datetime.fromisoformat(value)
    if hint is date:
        return date.fromisoformat(value)
    return value


class SqlOutbox(TenantBound):
    """Writes a unit of work's events on commit; lets a worker claim this tenant's pending ones."""

    async def add_all(self, events: Sequence[Event]) -> None:
        now = self._db.now()
        rows = []
        for event in events:
            self._check_tenant(type(event).__name__, event.tenant_id)
            rows.append(
                {
                    "tenant_id": self.tenant_id,
                    "event_type": type(event).__name__,
                    "event_id": uuid.uuid4(),
                    "payload": event_payload(event),
                    "created_at": now,
                    "attempts": 0,
                }
            )
        if rows:
            await self._db.execute(sa.insert(outbox), rows)

    async def add_once(self, event: Event, event_id: uuid.UUID) -> bool:
        """Store `event` under an id of the caller's (a user's digest of one week, a bill's reminder of one
        due day), now rather than on commit; False when that id is already stored. The unique (tenant,
        event_id) index makes it once even when several workers schedule the same thing at once."""
        self._check_tenant(type(event).__name__, event.tenant_id)
        values = {
            "tenant_id": self.tenant_id,
            "event_type": type(event).__name__,
            "event_id": event_id,
            "payload": event_payload(event),
            "created_at": self._db.now(),
            "attempts": 0,
        }
        return await add_or_skip(self._db, outbox, values) == 1

    async def pending(
        self,
        limit: int = 100,
        *,
        after_id: int | None = None,
        exclude: Collection[int] = (),
        now: datetime | None = None,
    ) -> list[OutboxMessage]:
        """Oldest unprocessed first (only ids above `after_id` when given, and none of `exclude`, so one pass
        can pass over the messages it has already tried; with `now`, only those whose backoff is over). On
        PostgreSQL the rows stay locked until the unit of work ends and other workers skip them (FOR UPDATE
        SKIP LOCKED); on SQLite the write lock already serializes.

        A person's events come in the order they were stored: an event is not claimed while an earlier one
        of the same user is pending (being sent by another worker, backing off, or held for quiet hours).
        Several pushes go at once on PostgreSQL, and "you went over the budget" must not overtake "80% of
        the budget" of the same write. The check reads only pending rows (ix_outbox_pending), a handful
        in flight plus whatever is held."""
        conditions = [self._mine(outbox), outbox.c.processed_at.is_(None)]
        if now is not None:
            conditions.append(sa.or_(outbox.c.next_attempt_at.is_(None), outbox.c.next_attempt_at <= now))
        if after_id is not None:
            conditions.append(outbox.c.id > after_id)
        if exclude:
            conditions.append(outbox.c.id.not_in(sorted(exclude)))
        earlier = outbox.alias("earlier")
        user = outbox.c.payload["user_id"].as_string()
        conditions.append(
            ~sa.exists().where(
                earlier.c.tenant_id == outbox.c.tenant_id,
                earlier.c.processed_at.is_(None),
                earlier.c.id < outbox.c.id,
                earlier.c.payload["user_id"].as_string() == user,
            )
        )
        query = sa.select(outbox).where(*conditions).order_by(outbox.c.id).limit(limit)
        if self._db.dialect == "postgresql":
            query = query.with_for_update(skip_locked=True)
        rows = (await self._db.execute(query)).mappings()
        return [
            OutboxMessage(
                id=row["id"],
                event_type=row["event_type"],
                payload=dict(row["payload"]),
                created_at=row["created_at"],
                attempts=row["attempts"],
            )
            for row in rows
        ]

    async def settle_all_but(self, pushed: Collection[str], at: datetime) -> int:
        """Settle every pending event whose type is not in `pushed`, in one statement; how many. Every
        chat write emits an event that nothing pushes (TransactionRecorded): claimed and settled one by one,
        each cost a transaction of its own, as much database work as the write that emitted it. Rows a
        concurrent dispatcher holds are waited for, then skipped when that one settled them."""
        statement = (
            sa.update(outbox)
            .where(
                self._mine(outbox),
                outbox.c.processed_at.is_(None),
                outbox.c.event_type.not_in(list(pushed)),
            )
            .values(processed_at=at, attempts=outbox.c.attempts + 1, outcome=None)
        )
        return rowcount(await self._db.execute(statement))

    async def mark_processed(self, message_id: int, at: datetime, outcome: str | None = None) -> None:
        """Settle the message; `outcome` says what was done with it (domain.history: "sent", "failed", a
        skip reason), for the operators' alert history."""
        statement = (
            sa.update(outbox)
            .where(self._mine(outbox), outbox.c.id == message_id)
            .values(processed_at=at, attempts=outbox.c.attempts + 1, outcome=outcome)
        )
        await self._db.execute(statement)

    async def mark_failed(self, message_id: int, retry_at: datetime | None = None) -> None:
        """Count a failed attempt; the message stays pending, tried again from `retry_at` (None: now)."""
        statement = (
            sa.update(outbox)
            .where(self._mine(outbox), outbox.c.id == message_id)
            .values(attempts=outbox.c.attempts + 1, next_attempt_at=retry_at)
        )
        await self._db.execute(statement)
