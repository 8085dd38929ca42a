"""Forwarded bank notices in the conversation: keyed by their text so a notice forwarded twice is recorded
once, said to come from the notice, and confirmed before they are written."""

from __future__ import annotations

import hashlib

from bot.conversation.context import Context
from bot.conversation.forms import Slots, SlotValues
from bot.conversation.reply import Line, Reply
from domain.model import Source, Transaction
from nlu.normalize import fold

REF = "notice_ref"
CARD = "notice_card"


def source_ref(ctx: Context) -> str:
    """The notice's idempotency key: its folded text, per user (two members may get the same notice)."""
    digest = hashlib.sha256(" ".join(fold(ctx.message.text).split()).encode()).hexdigest()[:40]
    return f"notice:{ctx.user.id}:{digest}"


async def prefill(ctx: Context) -> SlotValues | Reply:
    """The notice's slots, or the reply that it was recorded already (nothing is asked again)."""
    ref = source_ref(ctx)
    async with ctx.uow() as uow:
        stored = await uow.transactions.get_by_source(Source.CHAT.value, ref)
    if stored is not None:
        return already(stored)
    notice = ctx.understood.notice
    return {REF: ref, CARD: None if notice is None else notice.card}


def already(stored: Transaction) -> Reply:
    """The reply to a notice whose transaction exists: recorded, or recorded and then undone (its key is
    spent, so it is not written again: the user is told, never shown a write that did not happen)."""
    key = "notice_was_removed" if stored.is_deleted else "notice_already_recorded"
    return Reply.say(key, amount=stored.amount, day=stored.occurred_on)


def heading(slots: Slots) -> list[Line]:
    """The line before a notice's confirmation: where the reading came from."""
    if not slots.get(REF):
        return []
    card = slots.get(CARD)
    return [Line("notice_read_card", {"card": card})] if card else [Line("notice_read")]
