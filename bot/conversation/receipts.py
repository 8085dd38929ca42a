"""Receipt photos in the conversation: what the photo says is offered as an expense and written only once the
user says yes (or corrects it); a photo that cannot be read, a voice note or a file gets a clear answer."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Protocol

from babel.dates import get_date_format

import nlu
from bot.conversation import notices
from bot.conversation.context import Context
from bot.conversation.forms import SlotValues
from bot.conversation.pending import Pending
from bot.conversation.reply import Reply
from domain.model import Source
from domain.periods import local_today

REF = "receipt_ref"
"""The slot keying a receipt's expense by the photo: the same photo sent twice is one transaction."""


class PhotoLike(Protocol):
    """bot.receipts.Photo: what came of the attachment."""

    @property
    def outcome(self) -> str: ...
    @property
    def rows(self) -> tuple[str, ...]: ...
    @property
    def digest(self) -> str | None: ...


class Offering(Protocol):
    """bot.conversation.dialogue.Dialogue's way in for a form filled from elsewhere than the text."""

    async def offer(self, ctx: Context, form: str, slots: SlotValues, pending: Pending | None) -> Reply: ...


def day_first(locale: str) -> bool:
    """Whether the locale writes the day before the month (pt_BR, es_MX: 06/12; en_US: 12/06)."""
    pattern = get_date_format("short", locale=locale).pattern.lower()
    return pattern.find("d") < pattern.find("m")


def reading(
    rows: Sequence[str],
    *,
    currency: str,
    today: date,
    lang: str,
    locale: str,
    merchants: nlu.MerchantOverlay | None = None,
) -> nlu.Receipt:
    """What a receipt says, for a reader of `lang` and `locale` (bench/receipts.py measures this call).

    The receipt's own words tell its country, so how it writes dates (a Brazilian receipt read by someone
    whose phone is in English is still 03/11 = 3 November); words its languages share ("TOTAL") leave it to
    the reader's language and locale."""
    receipt = nlu.read_receipt(rows, currency=currency, today=today, merchants=merchants)
    if receipt.lang is not None:
        return receipt
    return nlu.read_receipt(
        rows, currency=currency, today=today, lang=lang, day_first=day_first(locale), merchants=merchants
    )


async def answer(ctx: Context, photo: PhotoLike, pending: Pending | None, dialogue: Offering) -> Reply:
    """The reply to a photo sent alone or with a caption about it (bot.conversation.media.reads_photo)."""
    if photo.outcome != "read":
        return Reply.say(f"photo_{photo.outcome}")
    user = ctx.user
    receipt = reading(
        photo.rows,
        currency=user.currency,
        today=local_today(ctx.clock, user.timezone),
        lang=str(user.language),
        locale=user.locale,
        merchants=ctx.merchants,
    )
    if receipt.total is None and receipt.merchant is None:
        return Reply.say("photo_unreadable")
    ref = f"receipt:{user.id}:{(photo.digest or '')[:40]}"
    async with ctx.uow() as uow:
        stored = await uow.transactions.get_by_source(Source.CHAT.value, ref)
    if stored is not None:
        return notices.already(stored, "receipt")
    slots: SlotValues = {REF: ref, "said": ""}
    if receipt.total is not None:
        slots["amount"] = str(receipt.total)
    if receipt.currency and receipt.currency != user.currency:
        slots["currency"] = receipt.currency
    if receipt.day is not None:
        slots["date"] = receipt.day.isoformat()
    if receipt.merchant:
        slots["merchant"] = receipt.merchant
    if receipt.category:
        slots["category"] = receipt.category
    slots.update(_caption(ctx, slots))
    offered = await dialogue.offer(ctx, "add_expense", slots, pending)
    if receipt.total is None:
        # Read, but no total: the amount is asked (never guessed from the largest number on the paper).
        return Reply.say("receipt_no_total", merchant=receipt.merchant).then(offered)
    return offered


def _caption(ctx: Context, slots: SlotValues) -> SlotValues:
    """What a caption says about the receipt ("recibo do mercado", "receipt from starbucks", "jantar de
    ontem"): its place and category win over the photo's (the sender knows), its day fills one the photo
    lacks."""
    parse = ctx.parse
    if parse is None or not ctx.message.text.strip():
        return {}
    said: SlotValues = {}
    if parse.merchant:
        said.update(merchant=parse.merchant, category=parse.category)
    elif parse.category:
        said["category"] = parse.category
    if parse.date is not None and "date" not in slots:
        said["date"] = parse.date.isoformat()
    return {name: value for name, value in said.items() if value is not None}


def question(slots: SlotValues, values: dict[str, object]) -> Reply | None:
    """The yes / no question of an expense read from a receipt ("Recibo: Pão de Açúcar, R$ 87,40, 06/12.
    Anoto? sim / não"), None for any other expense."""
    if not slots.get(REF):
        return None
    if slots.get("merchant"):
        return Reply.say("confirm_receipt", merchant=slots["merchant"], **values)
    return Reply.say("confirm_receipt_no_merchant", **values)
