"""The tenant's dead letters: outbox events whose push kept failing with retryable errors until it gave up."""

from __future__ import annotations

import builtins
import uuid
from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa

from adapters.db.sql import TenantBound
from adapters.db.tables import outbound_messages, outbox
from domain.history import DEAD_LETTER


@dataclass(frozen=True, slots=True)
class DeadLetter:
    """One outbox event in the dead-letter state, for operators."""

    id: int
    """The outbox id (the alert history's seq)."""
    event_id: uuid.UUID | None
    """The event's public id (the admin API's alert id)."""
    event_type: str
    attempts: int
    settled_at: datetime | None
    """When the dispatcher gave it up."""
    last_error: str | None
    """The provider's error on the last try (the push's outbound message), when one was recorded."""


class SqlDeadLetters(TenantBound):
    """Read-only: this tenant's outbox events whose outcome is domain.history.DEAD_LETTER."""

    async def count(self, among: Collection[int] | None = None) -> int:
        """How many there are; with `among`, only those of these outbox ids (the events one pass tried:
        a lookup by primary key, cheap enough to run after every pass)."""
        query = sa.select(sa.func.count()).select_from(outbox).where(*self._dead())
        if among is not None:
            if not among:
                return 0
            query = query.where(outbox.c.id.in_(list(among)))
        return int((await self._db.execute(query)).scalar_one())

    async def list(self, limit: int = 1000) -> builtins.list[DeadLetter]:
        """Oldest first, with the last error the provider gave."""
        # The push's latest outbound message carries the error (a retried crash may have left more than one).
        last_error = (
            sa.select(outbound_messages.c.error)
            .where(self._mine(outbound_messages), outbound_messages.c.outbox_id == outbox.c.id)
            .order_by(outbound_messages.c.created_at.desc(), outbound_messages.c.id.desc())
            .limit(1)
            .scalar_subquery()
        )
        query = (
            sa.select(outbox, last_error.label("last_error"))
            .where(*self._dead())
            .order_by(outbox.c.id)
            .limit(limit)
        )
        return [
            DeadLetter(
                id=row["id"],
                event_id=row["event_id"],
                event_type=row["event_type"],
                attempts=row["attempts"],
                settled_at=row["processed_at"],
                last_error=row["last_error"],
            )
            for row in (await self._db.execute(query)).mappings()
        ]

    def _dead(self) -> tuple[sa.ColumnElement[bool], ...]:
        return (self._mine(outbox), outbox.c.processed_at.is_not(None), outbox.c.outcome == DEAD_LETTER)
