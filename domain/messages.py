"""The channel-neutral inbound message: what a person sent us, whatever the provider delivered it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from domain.model import Channel

Provider = Literal["twilio", "meta", "console"]


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
    """How many attachments came with it (they are not downloaded)."""
    profile_name: str | None = None
    """The WhatsApp profile name, when the provider sends one."""
