"""Budget alerts and their delivery history: what was pushed, on which channel, and what became of it."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime
from typing import Any, Literal

from pydantic import AwareDatetime

from bot.admin.api import Call, Listed, Resource
from bot.admin.problems import Problem, field_problem, not_found
from bot.admin.schemas import AmountText, ListQuery, Out
from domain.history import AlertFilter, AlertRecord, Delivery
from domain.model import Period
from domain.money import Money

api = Resource("alerts")


class DeliveryOut(Out):
    """One push of the alert (an outbound message)."""

    id: uuid.UUID
    channel: str
    """"whatsapp" or "sms"."""
    provider: str
    """"twilio" or "meta"."""
    provider_message_id: str | None
    status: Literal["queued", "sent", "delivered", "read", "failed", "undelivered"]
    """The latest status the provider reported (status callbacks move it forward)."""
    error: str | None
    created_at: datetime
    updated_at: datetime | None

    @classmethod
    def of(cls, delivery: Delivery) -> DeliveryOut:
        return cls(
            id=delivery.id,
            channel=delivery.channel,
            provider=delivery.provider,
            provider_message_id=delivery.provider_message_id,
            status=delivery.status,
            error=delivery.error,
            created_at=delivery.created_at,
            updated_at=delivery.updated_at,
        )


class AlertOut(Out):
    """A budget threshold crossing and its push."""

    id: uuid.UUID
    user_id: uuid.UUID
    budget_id: uuid.UUID
    category: str | None
    """null: the budget on all spending."""
    threshold: int
    """Percent of the budget amount."""
    period_start: date
    period_end: date
    spent: AmountText
    """Spending in the period when the threshold was crossed."""
    budget: AmountText
    currency: str
    created_at: datetime
    processed_at: datetime | None
    attempts: int
    state: Literal["pending", "sent", "skipped", "given_up"]
    """pending: not settled yet; sent: a provider took the push; skipped: no push was due (told in the chat
    reply, opted out, no channel); given_up: no push got through."""
    reason: str | None
    """What the dispatcher did: sent, failed, told_in_reply, no_user, opted_out, window_closed, no_channel,
    gave_up_error; null while pending."""
    delivery_count: int
    delivery_status: str | None
    """The latest delivery's status, null when nothing was pushed."""
    deliveries: list[DeliveryOut]
    """Oldest first (a push retried after a crash can appear twice). In CSV, one JSON column."""

    @classmethod
    def of(cls, alert: AlertRecord) -> AlertOut:
        return cls(
            id=alert.id,
            user_id=alert.user_id,
            budget_id=alert.budget_id,
            category=alert.category,
            threshold=alert.threshold,
            period_start=alert.period_start,
            period_end=alert.period_end,
            spent=_amount(alert.spent),
            budget=_amount(alert.budget),
            currency=alert.budget.currency,
            created_at=alert.created_at,
            processed_at=alert.processed_at,
            attempts=alert.attempts,
            state=alert.state,
            reason=alert.reason,
            delivery_count=len(alert.deliveries),
            delivery_status=alert.deliveries[-1].status if alert.deliveries else None,
            deliveries=[DeliveryOut.of(d) for d in alert.deliveries],
        )


class AlertQuery(ListQuery):
    user_id: uuid.UUID | None = None
    budget_id: uuid.UUID | None = None
    period_from: date | None = None
    """Alerts whose budget period ends on or after this day."""
    period_to: date | None = None
    """Alerts whose budget period starts on or before this day."""
    since: AwareDatetime | None = None
    """Raised at or after this moment."""
    until: AwareDatetime | None = None
    """Raised before this moment."""


@api.listing("/alerts", item=AlertOut, query=AlertQuery, summary="Budget alerts and their deliveries")
async def list_alerts(call: Call) -> Listed:
    query: AlertQuery = call.query
    if query.period_from and query.period_to and query.period_from > query.period_to:
        raise field_problem(422, "query.period_to", "must not be before period_from")
    period = None
    if query.period_from or query.period_to:
        period = Period(query.period_from or date.min, query.period_to or date.max)
    flt = AlertFilter(
        user_id=query.user_id,
        budget_id=query.budget_id,
        period=period,
        since=utc(query.since, "since"),
        until=utc(query.until, "until"),
    )
    async with call.reading() as uow:
        page = await uow.alert_history.list(flt, call.limit, _after(call.after))
    return Listed([AlertOut.of(a) for a in page.items], None if page.next is None else [page.next])


@api.get("/alerts/{alert_id}", response=AlertOut, summary="One alert and its deliveries")
async def get_alert(call: Call) -> AlertOut:
    async with call.reading() as uow:
        alert = await uow.alert_history.get(call.id("alert_id"))
    if alert is None:
        raise not_found("alert")
    return AlertOut.of(alert)


def utc(moment: datetime | None, name: str) -> datetime | None:
    """The moment in UTC; one that falls outside the calendar there (year 1 at +14:00) is refused."""
    if moment is None:
        return None
    try:
        return moment.astimezone(UTC)
    except OverflowError:
        raise field_problem(422, f"query.{name}", "out of range") from None


def bad_cursor() -> Problem:
    return field_problem(422, "query.cursor", "not a cursor this API made")


def _after(key: list[Any] | None) -> int | None:
    if key is None:
        return None
    # Cursors are not signed: a hand-made one must fail as a bad cursor, not as a server error.
    if len(key) != 1 or type(key[0]) is not int:
        raise bad_cursor()
    return int(key[0])


def _amount(money: Money) -> str:
    return str(money.quantized().amount)
