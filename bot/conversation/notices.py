"""Forwarded bank notices in the conversation: keyed by their text so a notice forwarded twice is recorded
once, said to come from the notice, put on the account its card is linked to, and confirmed before they are
written unless the user trusts notices of that format."""

from __future__ import annotations

import hashlib
import uuid

from bot.conversation.context import Context
from bot.conversation.forms import Slots, SlotValues
from bot.conversation.reply import Line, Reply
from domain.model import Source, Transaction
from nlu.normalize import fold

REF = "notice_ref"
CARD = "notice_card"
SOURCE = "notice_source"
"""The notice's format (nlu Notice.source): what "always record these" trusts."""
TRUSTED = "notice_trusted"
"""The user records notices of this format without being asked."""
LINKED = "notice_linked"
"""The account was the card's linked account (so there is no link to remember at the write)."""


def source_ref(ctx: Context) -> str:
    """The notice's idempotency key: its folded text, per user (two members may get the same notice)."""
    digest = hashlib.sha256(" ".join(fold(ctx.message.text).split()).encode()).hexdigest()[:40]
    return f"notice:{ctx.user.id}:{digest}"


async def prefill(ctx: Context) -> SlotValues | Reply:
    """The notice's slots, or the reply that it was recorded already (nothing is asked again)."""
    ref = source_ref(ctx)
    notice = ctx.understood.notice
    async with ctx.uow() as uow:
        stored = await uow.transactions.get_by_source(Source.CHAT.value, ref)
        if stored is not None:
            return already(stored)
        if notice is None:
            return {REF: ref}
        trusted = await uow.notice_trust.is_trusted(ctx.user.id, notice.source)
        linked = None if notice.card is None else await uow.cards.account_for(ctx.user.id, notice.card)
        accounts = await uow.accounts.list_for(ctx.user.id) if linked is not None else []
    slots: SlotValues = {REF: ref, CARD: notice.card, SOURCE: notice.source, TRUSTED: trusted}
    account = next((a for a in accounts if a.id == linked), None)  # a closed account is no longer listed
    if account is not None:
        slots.update(on_account(account.id, account.name))
        slots[LINKED] = True
    return slots


def on_account(account_id: uuid.UUID, name: str) -> SlotValues:
    """The account slots of a notice put on its card's linked account (whatever else the text names)."""
    return {"account_id": str(account_id), "account_name": name, "account_new": None, "account_choices": None}


async def remember(ctx: Context, slots: Slots, account_id: uuid.UUID) -> None:
    """Link the notice's card to the account the user picked or created when asked for one, so the next
    notice of that card goes there unasked. A notice asked nothing about its account links nothing."""
    card = slots.get(CARD)
    asked = "account_choices" in slots or slots.get("account_decided") == "create"
    if not card or slots.get(LINKED) or not asked:
        return
    async with ctx.uow() as uow:
        await uow.cards.link(ctx.user.id, str(card), account_id)
        await uow.commit()


def already(stored: Transaction, source: str = "notice") -> Reply:
    """The reply to a notice (or a receipt: `source` "receipt") whose transaction exists: recorded, or
    recorded and then undone (its key is spent, so it is not written again: the user is told, never shown a
    write that did not happen)."""
    key = f"{source}_was_removed" if stored.is_deleted else f"{source}_already_recorded"
    return Reply.say(key, amount=stored.amount, day=stored.occurred_on)


def heading(slots: Slots) -> list[Line]:
    """The line before a notice's confirmation: where the reading came from."""
    if not slots.get(REF):
        return []
    card = slots.get(CARD)
    return [Line("notice_read_card", {"card": card})] if card else [Line("notice_read")]


def always_option(slots: Slots) -> list[Line]:
    """After a notice's yes / no question: that "always" records this format from now on without asking."""
    return [Line("notice_always_option")] if slots.get(SOURCE) and not slots.get(TRUSTED) else []


def recorded_unasked(slots: Slots, account: str | None) -> tuple[list[Line], list[Line]]:
    """The lines around a trusted notice's write (made without a question): where it came from before it,
    and after it the account it went to and how to take it back or be asked again."""
    card = slots.get(CARD)
    before = [Line("notice_recorded_card", {"card": card})] if card else [Line("notice_recorded")]
    after = [Line("on_account", {"account": account})] if account else []
    return before, [*after, Line("notice_unasked_hint")]
