"""Messages in and out: the inbound message, its inbox row, outbound records and rate decisions."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Literal, NamedTuple

from domain.model import Channel

Provider = Literal["twilio", "meta", "console"]


@dataclass(frozen=True, slots=True)
class Attachment:
    """A file that came with a message, not downloaded: where the provider keeps it and what it says it is."""

    ref: str
    """Twilio: the MediaUrlN (fetched with the account's credentials); Meta: the media id."""
    content_type: str
    """The type the provider announced ("image/jpeg", "audio/ogg"), lower case; "" when it gave none."""

    @property
    def kind(self) -> str:
        """ "image", "audio", "video", "application"... (the type's first part), "" when unknown."""
        return self.content_type.split("/", 1)[0] if "/" in self.content_type else ""


@dataclass(frozen=True, slots=True)
class InboundMessage:
    """One message a person sent us, whatever the provider."""

    channel: Channel
    """Channel.WHATSAPP, Channel.SMS or Channel.CONSOLE."""
    provider: Provider
    """Who delivered it: "twilio", "meta" or "console"."""
    sender: str
    """The person's number in E.164, "+" kept, any "whatsapp:" prefix stripped."""
    recipient: str
    """Our number in E.164 (Twilio) or the Meta phone_number_id; it decides the tenant."""
    text: str
    """The message text; "" for a media-only message."""
    provider_message_id: str
    """Twilio MessageSid or Meta wamid: the inbox's idempotency key."""
    received_at: datetime
    """When we received it, from the caller's clock."""
    media_count: int = 0
    """How many attachments came with it."""
    profile_name: str | None = None
    """The WhatsApp profile name, when the provider sends one."""
    media: tuple[Attachment, ...] = ()
    """The attachments' references (downloaded only when read: a receipt photo)."""


InboxStatus = Literal["pending", "processing", "done", "failed", "dropped"]
"""pending: waiting (maybe until not_before); processing: claimed; done: answered; failed: given up after
the last attempt (the user was told); dropped: over the sender's hourly deferral cap, never processed."""
DeliveryStatus = Literal["queued", "sent", "delivered", "read", "failed", "undelivered"]


@dataclass(slots=True)
class InboxMessage:
    """One inbound message as received, and what became of it."""

    id: uuid.UUID
    tenant_id: uuid.UUID
    channel: str
    """"whatsapp", "sms" or "console" (domain.model.Channel values)."""
    provider_message_id: str
    """The provider's id (Twilio MessageSid, Meta wamid): the dedupe key within the tenant."""
    sender: str
    """E.164."""
    recipient: str
    """The endpoint address it was sent to."""
    text: str
    received_at: datetime
    status: InboxStatus = "pending"
    attempts: int = 0
    """Processing attempts begun (claims that ran or may have run the agent)."""
    claimed_at: datetime | None = None
    """When the current (or last) processor took it."""
    reply_text: str | None = None
    """The reply produced (or the apology), given again to a duplicate delivery."""
    processed_at: datetime | None = None
    error: str | None = None
    """The last processing error ("ConnectionResetError: ..."), kept after a successful retry."""
    provider: str = "twilio"
    """Who delivered it and answers it: "twilio", "meta" or "console"."""
    media_count: int = 0
    profile_name: str | None = None
    claim_token: str | None = None
    """The current claim's token; every write of the claimant checks it. None when nobody holds the row."""
    lease_until: datetime | None = None
    """The claim expires then unless renewed (heartbeat); an expired claim is taken over."""
    not_before: datetime | None = None
    """A pending row is not processed before this (retry backoff, rate-limit deferral)."""
    deferred_at: datetime | None = None
    """When the rate limit deferred it (counts towards the sender's hourly cap)."""
    media: tuple[Attachment, ...] = ()
    """The attachments' references, kept so a retry can still read the photo."""


@dataclass(slots=True)
class OutboundRecord:
    """One message we sent (or are sending), updated by the provider's status callbacks."""

    id: uuid.UUID
    tenant_id: uuid.UUID
    channel: str
    recipient: str
    body: str
    provider: str
    """"twilio", "meta" or "console"."""
    inbox_id: uuid.UUID | None = None
    """The inbound message this answers, if any."""
    provider_message_id: str | None = None
    status: DeliveryStatus = "queued"
    error: str | None = None
    created_at: datetime | None = None
    updated_at: datetime | None = None
    outbox_id: int | None = None
    """The outbox event (a budget alert) this message pushed; None for a reply."""
    fallback_for: uuid.UUID | None = None
    """The WhatsApp message, failed for good, this SMS was sent in place of."""
    media_url: str | None = None
    """The public URL of the image sent with it (a chart), None for text alone."""


class LastInbound(NamedTuple):
    """Where and when a sender last wrote to the tenant."""

    channel: str
    """"whatsapp", "sms" or "console"."""
    recipient: str
    """The endpoint address they wrote to."""
    received_at: datetime


@dataclass(frozen=True, slots=True)
class RateDecision:
    """The rate limiter's answer for one inbound message."""

    allowed: bool
    """Process the message now."""
    first_refusal: bool = False
    """The first refused message of a streak."""
    wait: float = 0.0
    """Refused with a reservation: seconds until the token reserved for this message is there."""
