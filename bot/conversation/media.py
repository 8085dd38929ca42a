"""Pictures in the conversation: a photo sent without a caption is read as a receipt; a reply's picture (a
chart) is published where the channel fetches it, or its numbers go as text where a picture cannot."""

from __future__ import annotations

from dataclasses import replace

import nlu
from bot.conversation import receipts
from bot.conversation.context import Context
from bot.conversation.pending import Pending
from bot.conversation.ports import MediaParts
from bot.conversation.receipts import Offering
from bot.conversation.reply import Reply
from domain.messages import InboundMessage
from domain.model import Channel, Tenant


def reads_photo(message: InboundMessage, parse: nlu.Parse) -> bool:
    """Whether a message's photo is read: sent alone, or with a caption that is no message of its own
    ("recibo do mercado", "receipt from starbucks": no amount, nothing asked). A caption that is ("uber 23",
    "quanto gastei esse mês?") is answered as the message, and the photo is not even downloaded."""
    if not message.media:
        return False
    if not message.text.strip():
        return True
    return parse.amount is None and (parse.intent == "add_expense" or parse.confidence < nlu.LOW_CONFIDENCE)


class ChatMedia:
    """The agent's side of photos and pictures; `media` None: photos are answered "cannot read", pictures
    go as their numbers."""

    def __init__(self, media: MediaParts | None) -> None:
        self._media = media

    async def photo(self, ctx: Context, pending: Pending | None, dialogue: Offering) -> Reply:
        if self._media is None:
            return Reply.say("media_only")
        photo = await self._media.photos.read(ctx.message)
        return await receipts.answer(ctx, photo, pending, dialogue)

    async def outgoing(
        self, tenant: Tenant, message: InboundMessage, reply: Reply
    ) -> tuple[Reply, str | None]:
        """The reply to send and its picture's address; without one (SMS, nowhere to publish it), the
        reply carries the same numbers as text instead."""
        picture = reply.picture
        if picture is None:
            return reply, None
        url = None
        if self._media is not None and message.channel != Channel.SMS and not reply.silent:
            url = await self._media.pictures.publish(tenant.id, message, picture.png, picture.name)
        if url is None:
            return replace(reply, lines=reply.lines + picture.alt, picture=None), None
        return reply, url
