"""A user's conversation log: what they sent, what the assistant answered or pushed, and delivery status."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any, Literal

from pydantic import AwareDatetime

from bot.admin.api import Call, Listed, Resource
from bot.admin.problems import not_found
from bot.admin.resources.alerts import bad_cursor, utc
from bot.admin.schemas import ListQuery, Out
from domain.history import InboundEntry, LogEntry, LogFilter, LogKey

api = Resource("messages")


class MessageOut(Out):
    """One message in or out; the fields of the other direction are null."""

    id: uuid.UUID
    direction: Literal["inbound", "outbound"]
    at: datetime
    """Inbound: when it was received. Outbound: when it was recorded for sending."""
    channel: str
    """"whatsapp", "sms" or "console"."""
    provider: str
    text: str
    """What the user wrote, or what was sent to them."""
    status: str
    """Inbound: pending, processing, done, failed (the user got an apology) or dropped (over the rate cap).
    Outbound: queued, sent, delivered, read, failed or undelivered, as the provider reported it."""
    error: str | None
    """Inbound: the last processing error (kept after a successful retry). Outbound: the provider's."""
    provider_message_id: str | None
    attempts: int | None
    """Inbound: processing attempts."""
    reply_text: str | None
    """Inbound: the reply produced for it."""
    updated_at: datetime | None
    """Outbound: the last status change."""
    inbox_id: uuid.UUID | None
    """Outbound: the inbound message this replies to."""
    alert_id: uuid.UUID | None
    """Outbound: the budget alert this pushed (GET /alerts/{alert_id})."""
    attachments: str | None
    """Inbound: the types of the files that came with it ("image/jpeg"), comma-separated; null for none."""
    media_url: str | None
    """Outbound: the picture sent with it (a chart), at a URL that lasts an hour."""

    @classmethod
    def of(cls, entry: LogEntry) -> MessageOut:
        if isinstance(entry, InboundEntry):
            return cls(
                id=entry.id,
                direction="inbound",
                at=entry.at,
                channel=entry.channel,
                provider=entry.provider,
                text=entry.text,
                status=entry.status,
                error=entry.error,
                provider_message_id=entry.provider_message_id,
                attempts=entry.attempts,
                reply_text=entry.reply_text,
                updated_at=None,
                inbox_id=None,
                alert_id=None,
                attachments=", ".join(entry.attachments) or None,
                media_url=None,
            )
        return cls(
            id=entry.id,
            direction="outbound",
            at=entry.at,
            channel=entry.channel,
            provider=entry.provider,
            text=entry.body,
            status=entry.status,
            error=entry.error,
            provider_message_id=entry.provider_message_id,
            attempts=None,
            reply_text=None,
            updated_at=entry.updated_at,
            inbox_id=entry.inbox_id,
            alert_id=entry.alert_id,
            attachments=None,
            media_url=entry.media_url,
        )


class MessageQuery(ListQuery):
    channel: Literal["whatsapp", "sms", "console"] | None = None
    since: AwareDatetime | None = None
    """At or after this moment."""
    until: AwareDatetime | None = None
    """Before this moment."""


@api.listing(
    "/users/{user_id}/messages",
    item=MessageOut,
    query=MessageQuery,
    summary="A user's conversation log, newest first",
)
async def list_messages(call: Call) -> Listed:
    query: MessageQuery = call.query
    after = _after(call.after)
    since, until = utc(query.since, "since"), utc(query.until, "until")
    async with call.reading() as uow:
        user = await uow.users.get(call.id("user_id"))
        if user is None:
            raise not_found("user")
        flt = LogFilter(phone=user.phone, channel=query.channel, since=since, until=until)
        page = await uow.conversation_log.list(flt, call.limit, after)
    next_key = None if page.next is None else [page.next.at.isoformat(), str(page.next.id)]
    return Listed([MessageOut.of(e) for e in page.items], next_key)


def _after(key: list[Any] | None) -> LogKey | None:
    if key is None:
        return None
    # Cursors are not signed: a hand-made one must fail as a bad cursor, not as a server error.
    try:
        at, id_ = key
        moment = datetime.fromisoformat(at)
        if moment.tzinfo is None:
            raise ValueError("naive")
        return LogKey(utc(moment, "cursor") or moment, uuid.UUID(id_))
    except (TypeError, ValueError, AttributeError):
        raise bad_cursor() from None
