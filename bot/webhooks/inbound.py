"""The StatusUpdate, and the errors a webhook maps to HTTP statuses."""

from __future__ import annotations

import re
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

from domain.messages import Provider

DeliveryStatus = Literal["queued", "sent", "delivered", "read", "failed", "undelivered"]

E164 = re.compile(r"^\+[1-9][0-9]{1,14}$")


@dataclass(frozen=True, slots=True)
class StatusUpdate:
    """A delivery status for a message we sent."""

    provider: Provider
    """Who reported it: "twilio" or "meta"."""
    provider_message_id: str
    """The id the provider gave our outbound message."""
    status: DeliveryStatus
    """Normalized: queued, sent, delivered, read, failed or undelivered."""
    error_code: str | None = None
    """The provider's error code on failure, as a string."""
    business_address: str | None = None
    """Our side of the conversation when the provider says it (Meta's phone_number_id): names the tenant."""
    reply_to: uuid.UUID | None = None
    """The inbox message whose reply in the webhook's response (TwiML) this status is about: the `inbox`
    of the `<Message action>` URL (bot/delivery.py), since such a reply has no provider id until then."""


class WebhookError(Exception):
    """A request the webhook refuses; `status` is the HTTP status to answer with, `reason` says why."""

    def __init__(self, status: int, reason: str) -> None:
        super().__init__(f"{status}: {reason}")
        self.status = status
        self.reason = reason


class BadSignature(WebhookError):
    """Missing or wrong signature (or no secret configured): 403, and nothing is stored."""

    def __init__(self, reason: str) -> None:
        super().__init__(403, reason)


class BadRequest(WebhookError):
    """A signed request whose content is malformed: 400 with a reason naming the problem."""

    def __init__(self, reason: str) -> None:
        super().__init__(400, reason)


class PayloadTooLarge(WebhookError):
    """A body larger than any the provider sends: 413."""

    def __init__(self, reason: str) -> None:
        super().__init__(413, reason)


class UnsupportedMediaType(WebhookError):
    """A body that is not the content type the provider sends: 415."""

    def __init__(self, reason: str) -> None:
        super().__init__(415, reason)


def header(headers: Mapping[str, str], name: str) -> str | None:
    """Case-insensitive header lookup that works on a plain dict as well as aiohttp's CIMultiDict."""
    value = headers.get(name)
    if value is not None:
        return value
    lowered = name.lower()
    for key, candidate in headers.items():
        if key.lower() == lowered:
            return candidate
    return None
