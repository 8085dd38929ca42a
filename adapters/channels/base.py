"""Outbound channel contract: the message to send, the provider's answer, and the Channel protocol."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal, Protocol

ChannelKind = Literal["whatsapp", "sms"]
SendStatus = Literal["queued", "sent", "failed"]


@dataclass(frozen=True, slots=True)
class Template:
    """An approved WhatsApp template, required outside the 24-hour customer-service window."""

    name: str
    """Meta: the template name. Twilio: the Content SID (HX...) unless content_sid is given."""
    language: str
    """Template language code, e.g. "pt_BR"."""
    parameters: tuple[str, ...] = ()
    """Body parameters in order: {{1}}, {{2}} ..."""
    content_sid: str | None = None
    """Twilio Content API SID, when it differs from name."""


@dataclass(frozen=True, slots=True)
class OutboundMessage:
    """One message to one person, channel-neutral."""

    tenant_id: uuid.UUID
    channel: ChannelKind
    to: str
    """Recipient in E.164 (+5511...)."""
    from_: str
    """Sender: E.164 for Twilio, the phone_number_id for Meta."""
    body: str
    idempotency_key: str
    """Stable per logical message, so a retry can be recognised by us (and by providers that honour it)."""
    template: Template | None = None
    media_url: str | None = None
    """A public URL of an image sent with the body (a chart), which becomes its caption."""


@dataclass(frozen=True, slots=True)
class SendResult:
    """What the provider said."""

    provider_message_id: str | None
    status: SendStatus
    error: str | None = None
    retryable: bool = False
    """True when the same message may succeed later (5xx, 429, timeouts, connection errors)."""

    @property
    def ok(self) -> bool:
        return self.status != "failed"


class Channel(Protocol):
    async def send(self, message: OutboundMessage) -> SendResult: ...
    async def close(self) -> None: ...


def log_fields(message: OutboundMessage, **more: Any) -> Mapping[str, Any]:
    """The structured fields every channel logs: never the text, which stays out of INFO logs."""
    fields: dict[str, Any] = {
        "tenant_id": str(message.tenant_id),
        "channel": message.channel,
        "idempotency_key": message.idempotency_key,
        "template": message.template.name if message.template else None,
    }
    fields.update(more)
    return fields


def log_result(log: logging.Logger, provider: str, message: OutboundMessage, result: SendResult) -> None:
    """One INFO (or WARNING on failure) line per send attempt."""
    extra = log_fields(
        message,
        provider=provider,
        provider_message_id=result.provider_message_id,
        status=result.status,
        retryable=result.retryable,
        error=result.error,
    )
    if result.ok:
        log.info("outbound message %s via %s", result.status, provider, extra=dict(extra))
    else:
        log.warning("outbound message failed via %s: %s", provider, result.error, extra=dict(extra))
