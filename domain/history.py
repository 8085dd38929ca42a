"""Read models for operators: budget alerts with their deliveries, and a user's conversation log."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Literal, Protocol

from domain.messages import DeliveryStatus
from domain.model import Period
from domain.money import Money

AlertState = Literal["pending", "sent", "skipped", "given_up"]
"""pending: not settled yet (maybe retrying); sent: a provider accepted the push; skipped: settled without a
push on purpose (told in the chat reply, opted out, no channel...); given_up: no push got through."""

SENT = "sent"
"""The outcome of a push the provider accepted."""
FAILED = "failed"
"""The outcome of a push the provider refused, or that failed on every attempt; its delivery says why."""
DEAD_LETTER = "dead_letter"
"""The outcome of a push whose provider kept failing with retryable errors until its attempts ran out."""
GAVE_UP = "gave_up_"
"""Prefix of the outcome of an alert that kept raising until its attempts ran out ("gave_up_error")."""
SKIP_REASONS: tuple[str, ...] = (
    "told_in_reply",
    "no_user",
    "opted_out",
    "window_closed",
    "no_channel",
    "alerts_off",
    "bill_paid",
    "bill_off",
    "bill_late",
    "digest_off",
    "too_late",
)
"""Outcomes of an alert settled without a push because none was due."""


@dataclass(frozen=True, slots=True)
class Delivery:
    """One push of an alert (an outbound message) and its latest delivery status."""

    id: uuid.UUID
    """The outbound message id."""
    channel: str
    """"whatsapp" or "sms"."""
    provider: str
    """"twilio" or "meta"."""
    provider_message_id: str | None
    """None when the provider refused the message."""
    status: DeliveryStatus
    """As moved by the provider's status callbacks: sent, delivered, read, failed, undelivered."""
    error: str | None
    created_at: datetime
    updated_at: datetime | None


@dataclass(frozen=True, slots=True)
class AlertRecord:
    """A budget threshold crossing (an outbox event) and what became of its push."""

    id: uuid.UUID
    """The alert's public id (the outbox event's event_id)."""
    seq: int
    """The outbox id: increasing in insertion order, the listing's keyset."""
    user_id: uuid.UUID
    budget_id: uuid.UUID
    category: str | None
    """None for a budget on all spending."""
    threshold: int
    """Percent of the budget amount."""
    period_start: date
    period_end: date
    spent: Money
    """Spending in the period when the threshold was crossed."""
    budget: Money
    created_at: datetime
    processed_at: datetime | None
    """When the dispatcher settled it (pushed, skipped or gave up); None while pending."""
    attempts: int
    state: AlertState
    reason: str | None
    """The dispatcher's outcome: "sent", "failed", a skip reason, "gave_up_error"; None while pending."""
    deliveries: tuple[Delivery, ...] = ()
    """Oldest first."""


def alert_state(processed: bool, outcome: str | None, deliveries: Sequence[Delivery]) -> AlertState:
    """The alert's state from the dispatcher's outcome. Alerts settled before outcomes were stored fall back
    on their deliveries: one the provider accepted means sent, only refused ones mean given up, none at all
    means skipped (the old dispatcher recorded no delivery for a skip)."""
    if not processed:
        return "pending"
    if outcome == SENT:
        return "sent"
    if outcome in (FAILED, DEAD_LETTER) or (outcome is not None and outcome.startswith(GAVE_UP)):
        return "given_up"
    if outcome is not None:
        return "skipped"
    if any(d.provider_message_id is not None for d in deliveries):
        return "sent"
    return "given_up" if deliveries else "skipped"


@dataclass(frozen=True, slots=True)
class AlertFilter:
    """Which of the tenant's alerts a listing covers; every condition given must hold."""

    user_id: uuid.UUID | None = None
    budget_id: uuid.UUID | None = None
    period: Period | None = None
    """Alerts whose budget period overlaps these days."""
    since: datetime | None = None
    """Raised at or after this moment."""
    until: datetime | None = None
    """Raised before this moment."""


@dataclass(frozen=True, slots=True)
class InboundEntry:
    """A message the user sent, and what the assistant made of it (an inbox row)."""

    id: uuid.UUID
    at: datetime
    """When it was received."""
    channel: str
    provider: str
    text: str
    status: str
    """Inbox status: pending, processing, done, failed, dropped."""
    attempts: int
    error: str | None
    """The last processing error, kept after a successful retry."""
    reply_text: str | None
    """The reply (or apology) produced for it."""
    provider_message_id: str
    attachments: tuple[str, ...] = ()
    """The types of the files that came with it ("image/jpeg"), oldest first."""
    direction: Literal["inbound"] = "inbound"


@dataclass(frozen=True, slots=True)
class OutboundEntry:
    """A message sent to the user: a reply, a notice or an alert push (an outbound message)."""

    id: uuid.UUID
    at: datetime
    """When it was recorded (created_at)."""
    channel: str
    provider: str
    body: str
    status: DeliveryStatus
    error: str | None
    updated_at: datetime | None
    """The last status change."""
    inbox_id: uuid.UUID | None
    """The inbound message this replies to; None for a push."""
    alert_id: uuid.UUID | None
    """The alert this pushed (AlertRecord.id); None for a reply."""
    provider_message_id: str | None
    media_url: str | None = None
    """The picture sent with it (a chart): its public URL, which lasts an hour."""
    direction: Literal["outbound"] = "outbound"


LogEntry = InboundEntry | OutboundEntry


@dataclass(frozen=True, slots=True)
class LogFilter:
    """One user's conversation: messages from and to `phone`."""

    phone: str
    """The user's E.164 number: the inbox sender, the outbound recipient."""
    channel: str | None = None
    since: datetime | None = None
    """At or after this moment."""
    until: datetime | None = None
    """Before this moment."""


@dataclass(frozen=True, slots=True)
class LogKey:
    """Where a page of the conversation log stops: entries are ordered by (at, id), newest first."""

    at: datetime
    id: uuid.UUID


@dataclass(frozen=True, slots=True)
class AlertPage:
    items: tuple[AlertRecord, ...]
    next: int | None
    """The last alert's seq: pass as `after` for the next page; None on the last page."""


@dataclass(frozen=True, slots=True)
class LogPage:
    items: tuple[LogEntry, ...]
    next: LogKey | None
    """Pass as `after` for the next page; None on the last page."""


def log_key(entry: LogEntry) -> LogKey:
    return LogKey(entry.at, entry.id)


class AlertHistory(Protocol):
    """This tenant's budget alerts, newest first, keyset-paged by their outbox sequence number."""

    async def list(self, flt: AlertFilter, limit: int, after: int | None = None) -> AlertPage:
        """Alerts with `seq` below `after` (the previous page's `next`)."""
        ...

    async def get(self, alert_id: uuid.UUID) -> AlertRecord | None: ...


class ConversationLog(Protocol):
    """One user's inbound and outbound messages in this tenant, newest first."""

    async def list(self, flt: LogFilter, limit: int, after: LogKey | None = None) -> LogPage:
        """Entries strictly before `after` in (at, id) order (the previous page's `next`)."""
        ...
