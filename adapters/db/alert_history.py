"""The tenant's budget alerts (outbox events) joined to the pushes that delivered them, for operators."""

from __future__ import annotations

import builtins
import uuid
from collections import defaultdict
from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa

from adapters.db.outbox import OutboxMessage
from adapters.db.sql import TenantBound
from adapters.db.tables import outbound_messages, outbox
from domain.events import BudgetThresholdCrossed
from domain.history import AlertFilter, AlertPage, AlertRecord, Delivery, alert_state

ALERT_EVENT = BudgetThresholdCrossed.__name__
"""The outbox event_type of a budget alert."""


class SqlAlertHistory(TenantBound):
    """domain.history.AlertHistory: read-only, newest first, keyset-paged by the outbox id (an alert's
    seq; its public id is the outbox row's event_id)."""

    async def list(self, flt: AlertFilter, limit: int, after: int | None = None) -> AlertPage:
        if limit < 1:
            raise ValueError("limit must be at least 1")
        conditions = _conditions(flt)
        if after is not None:
            conditions.append(outbox.c.id < after)
        # One row more than asked tells whether another page follows without a count.
        query = self._alerts(*conditions).order_by(outbox.c.id.desc()).limit(limit + 1)
        rows = list((await self._db.execute(query)).mappings())
        more = len(rows) > limit
        alerts = await self._records(rows[:limit])
        return AlertPage(alerts, alerts[-1].seq if more else None)

    async def get(self, alert_id: uuid.UUID) -> AlertRecord | None:
        rows = list((await self._db.execute(self._alerts(outbox.c.event_id == alert_id))).mappings())
        records = await self._records(rows)
        return records[0] if records else None

    def _alerts(self, *conditions: sa.ColumnElement[bool]) -> sa.Select[Any]:
        return sa.select(outbox).where(self._mine(outbox), outbox.c.event_type == ALERT_EVENT, *conditions)

    async def _records(self, rows: Sequence[Any]) -> tuple[AlertRecord, ...]:
        deliveries = await self._deliveries(tuple(row["id"] for row in rows))
        return tuple(_record(row, tuple(deliveries.get(row["id"], ()))) for row in rows)

    async def _deliveries(self, ids: tuple[int, ...]) -> dict[int, builtins.list[Delivery]]:
        """The pushes of these alerts, oldest first (a retried crash can leave more than one)."""
        if not ids:
            return {}
        query = (
            sa.select(outbound_messages)
            .where(self._mine(outbound_messages), outbound_messages.c.outbox_id.in_(ids))
            .order_by(outbound_messages.c.created_at, outbound_messages.c.id)
        )
        found: dict[int, builtins.list[Delivery]] = defaultdict(list)
        for row in (await self._db.execute(query)).mappings():
            found[row["outbox_id"]].append(
                Delivery(
                    id=row["id"],
                    channel=row["channel"],
                    provider=row["provider"],
                    provider_message_id=row["provider_message_id"],
                    status=row["status"],
                    error=row["error"],
                    created_at=row["created_at"],
                    updated_at=row["updated_at"],
                )
            )
        return found


def _conditions(flt: AlertFilter) -> list[sa.ColumnElement[bool]]:
    # The event's fields live in its JSON payload: ids as strings, dates as ISO strings, which compare in
    # date order as text. On PostgreSQL this is payload->>'key', on SQLite json_extract.
    payload = outbox.c.payload
    conditions: list[sa.ColumnElement[bool]] = []
    if flt.user_id is not None:
        conditions.append(payload["user_id"].as_string() == str(flt.user_id))
    if flt.budget_id is not None:
        conditions.append(payload["budget_id"].as_string() == str(flt.budget_id))
    if flt.period is not None:
        conditions.append(payload["period_start"].as_string() <= flt.period.end.isoformat())
        conditions.append(payload["period_end"].as_string() >= flt.period.start.isoformat())
    if flt.since is not None:
        conditions.append(outbox.c.created_at >= flt.since)
    if flt.until is not None:
        conditions.append(outbox.c.created_at < flt.until)
    return conditions


def _record(row: Any, deliveries: tuple[Delivery, ...]) -> AlertRecord:
    stored = OutboxMessage(
        id=row["id"],
        event_type=row["event_type"],
        payload=dict(row["payload"]),
        created_at=row["created_at"],
        attempts=row["attempts"],
    )
    event = stored.event()
    assert isinstance(event, BudgetThresholdCrossed)  # the query selects this event type only
    processed = row["processed_at"] is not None
    return AlertRecord(
        id=row["event_id"],
        seq=row["id"],
        user_id=event.user_id,
        budget_id=event.budget_id,
        category=event.category,
        threshold=event.threshold,
        period_start=event.period_start,
        period_end=event.period_end,
        spent=event.spent,
        budget=event.budget,
        created_at=row["created_at"],
        processed_at=row["processed_at"],
        attempts=row["attempts"],
        state=alert_state(processed, row["outcome"], deliveries),
        reason=row["outcome"] if processed else None,
        deliveries=deliveries,
    )
