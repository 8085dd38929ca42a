"""Replies in Twilio's webhook response (TwiML) made visible: recorded, and given a status URL naming them.

A reply that rides on the webhook's response is created by Twilio, not by our REST call, so it has no
provider id when we record it. Twilio's `<Message action="URL">` is where the status callbacks of the
message a `<Message>` creates go; our URL carries the inbox message's id (`?inbox=`), and the status
endpoint links the first callback's MessageSid to that message's reply row (adapters/db/messaging.py
link_reply). From there a reply moves sent → delivered → read, or failed/undelivered with the error code,
like any message sent through the API.
"""

from __future__ import annotations

import logging
import uuid
from urllib.parse import urlencode

from aiohttp import web
from twilio.twiml.messaging_response import MessagingResponse

from adapters.channels.base import ChannelKind
from adapters.db import Database
from bot.webhooks.twilio import INBOX_PARAM
from domain.messages import InboundMessage, OutboundRecord
from domain.model import Tenant

__all__ = ["STATUS_PATH", "record_resent", "status_url", "twiml"]

log = logging.getLogger(__name__)

STATUS_PATH = "/webhooks/twilio/status"


def status_url(public_base_url: str, inbox_id: uuid.UUID) -> str:
    """Where Twilio reports on the reply to inbox message `inbox_id` (signed over this very URL)."""
    return f"{public_base_url.rstrip('/')}{STATUS_PATH}?{urlencode({INBOX_PARAM: str(inbox_id)})}"


def twiml(text: str | None, action: str | None = None, media_url: str | None = None) -> web.Response:
    """The webhook's answer: the reply, if any, in a `<Message>` whose statuses go to `action`, with the
    image at `media_url` (a chart) as a `<Media>` of the same message."""
    response = MessagingResponse()
    if text and media_url:
        message = response.message(action=action)
        message.body(text)
        message.media(media_url)
    elif text:
        response.message(text, action=action)  # no action attribute when None
    return web.Response(text=str(response), content_type="application/xml")


async def record_resent(
    db: Database, tenant: Tenant, message: InboundMessage, inbox_id: uuid.UUID, text: str
) -> None:
    """A redelivered message answered again with its stored reply: that TwiML is a second real message,
    recorded like the first (queued, no provider id until its first status). A failure here is logged and
    the reply still goes: what we show must not stop what we say."""
    kind: ChannelKind = "whatsapp" if str(message.channel) == "whatsapp" else "sms"
    record = OutboundRecord(
        uuid.uuid4(), tenant.id, kind, message.sender, text, message.provider, inbox_id=inbox_id
    )
    try:
        async with db.unit_of_work(tenant.id) as uow:
            await uow.outbound.add(record)
            await uow.commit()
    except Exception:
        log.exception(
            "could not record a resent reply",
            extra={"tenant_id": str(tenant.id), "message_id": str(inbox_id)},
        )
