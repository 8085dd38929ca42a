"""What a user says about forwarded notices: the account a card is ("final 1234 is my nubank"), and which
notice formats to record without asking ("always", "stop recording these automatically")."""

from __future__ import annotations

from dataclasses import dataclass, field

from bot.conversation import accounts as names
from bot.conversation import notice_words, notices
from bot.conversation.context import Context
from bot.conversation.forms import SlotValues
from bot.conversation.pending import Pending
from bot.conversation.reply import Reply


@dataclass(frozen=True, slots=True)
class Said:
    """The answer to such a sentence, and what it changes in a form left pending (which then goes on)."""

    reply: Reply
    slots: SlotValues = field(default_factory=dict)
    submit: bool = False
    """The sentence was also the yes to the pending notice's question ("yes, always"): write it now."""


async def said(ctx: Context, pending: Pending | None) -> Said | None:
    """The answer when the message is one of these sentences, else None (the classifier's reading goes on)."""
    text = ctx.message.text
    link = notice_words.card_link(text)
    if link is not None:
        return await _link(ctx, link, pending)
    source = _source(pending)
    if notice_words.says("always", text) or (source and notice_words.says("always_answer", text)):
        if not source or pending is None:
            # No notice at hand: which format "these" are is not known, so nothing is trusted on a guess.
            return Said(Reply.say("notice_trust_how"))
        async with ctx.uow() as uow:
            await uow.notice_trust.trust(ctx.user.id, source)
            await uow.commit()
        return Said(Reply.say("notice_trusted"), submit=pending.awaiting == "confirm")
    if notice_words.says("stop_always", text):
        return Said(await _forget(ctx, source))
    return None


def _source(pending: Pending | None) -> str | None:
    """The format of the notice a pending form is about."""
    return None if pending is None else pending.slots.get(notices.SOURCE) or None


async def _forget(ctx: Context, source: str | None) -> Reply:
    """Ask again before recording the notice format at hand, or every format when none is."""
    async with ctx.uow() as uow:
        trusted = [source] if source else await uow.notice_trust.trusted(ctx.user.id)
        forgotten = [s for s in trusted if await uow.notice_trust.forget(ctx.user.id, s)]
        await uow.commit()
    return Reply.say("notice_trust_forgotten" if forgotten or source else "notice_trust_none")


async def _link(ctx: Context, link: notice_words.CardLink, pending: Pending | None) -> Said | None:
    async with ctx.uow() as uow:
        accounts = await uow.accounts.list_for(ctx.user.id)
        named = names.match(link.account, accounts, ctx.understood.lang)
        if named.account is None and link.bare:
            return None  # "2000 is my rent": no card word and no such account, so not about a card
        if named.account is not None:
            await uow.cards.link(ctx.user.id, link.digits, named.account.id)
            await uow.commit()
    if named.account is None:
        fitting = named.candidates or accounts
        key = "card_link_unsure" if named.candidates else "card_link_no_account"
        listed = ", ".join(a.name for a in fitting)
        return Said(Reply.say(key, card=link.digits, account=named.new_name or link.account, accounts=listed))
    reply = Reply.say("card_linked", card=link.digits, account=named.account.name)
    if pending is None or pending.slots.get(notices.CARD) != link.digits or pending.slots.get("account_id"):
        return Said(reply)
    # The notice waiting for its yes is of this card: it goes on that account now.
    return Said(reply, notices.on_account(named.account.id, named.account.name))
