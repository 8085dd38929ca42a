"""Provider webhooks: verify the signature, turn the payload into channel-neutral messages and statuses."""

from __future__ import annotations

from bot.webhooks.inbound import (
    BadRequest,
    BadSignature,
    PayloadTooLarge,
    StatusUpdate,
    UnsupportedMediaType,
    WebhookError,
)

__all__ = [
    "BadRequest",
    "BadSignature",
    "PayloadTooLarge",
    "StatusUpdate",
    "UnsupportedMediaType",
    "WebhookError",
]
