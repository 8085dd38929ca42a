"""The day and amount of a write when the message does not pin them down: asked, refused when too far
ahead, and a day ahead of today confirmed before anything is written."""

from __future__ import annotations

import re
from datetime import date, timedelta

import nlu
from bot.conversation.context import Context
from bot.conversation.forms import Slot, Slots, SlotValues
from bot.conversation.reply import Line, Reply
from domain.periods import local_today
from domain.validation import MAX_DAYS_AHEAD
from nlu.normalize import fold
from nlu.periods import day_of_month

UNSURE_DATE = "date_unsure"
UNSURE_AMOUNT = "amount_unsure"
WITHIN = "date_within"
"""The period an unsure day was said as ("last week"), [start, end]: an answer naming a weekday alone is
that weekday of the period."""
_DAY_NUMBER = re.compile(r"(?:[a-z]{1,3}\.? )?([0-9]{1,2})(?:st|nd|rd|th|o|a)?[.!]?")
"""A bare day number answering "which day?": "24", "el 24", "o 24", "the 24th", "dia 24"."""
"""Slot keys holding the phrase the message named but the NLU could not resolve ("Tuesday 19th", "20 or
30"): while one is set, its slot is unfilled and asked."""


def today(ctx: Context) -> date:
    return local_today(ctx.clock, ctx.user.timezone)


def unsure_slots(parse: nlu.Parse) -> SlotValues:
    """The unresolved phrases of the message, by slot: a write never takes today or a partial amount for
    them."""
    values: SlotValues = {}
    for item in parse.unresolved:
        key = UNSURE_DATE if item.field == "date" else UNSURE_AMOUNT
        if key not in values and item.within is not None:
            values[WITHIN] = [item.within.start.isoformat(), item.within.end.isoformat()]
        values.setdefault(key, item.text)
    return values


def unsure_period(parse: nlu.Parse) -> Reply | None:
    """The reply to a question whose dates the message names but the NLU cannot pin down: which dates."""
    phrase = next((u.text for u in parse.unresolved if u.field == "period"), None)
    return None if phrase is None else Reply.say("unsure_period", phrase=phrase)


def too_far(ctx: Context, slots: Slots) -> Reply | None:
    """The refusal of a day beyond what the ledger takes (tomorrow), said before any question is asked: a
    "yes" that is then refused would waste the user's answer."""
    day = slots.get("date")
    if day and date.fromisoformat(str(day)) > today(ctx) + timedelta(days=MAX_DAYS_AHEAD):
        return Reply.say("invalid_future_date", day=date.fromisoformat(str(day)))
    return None


def ahead(ctx: Context, slots: Slots) -> date | None:
    """The form's day when it is after today (a write dated ahead is confirmed first), else None."""
    day = slots.get("date")
    if not day:
        return None
    when = date.fromisoformat(str(day))
    return when if when > today(ctx) else None


def has_day(slots: Slots) -> bool:
    return not slots.get(UNSURE_DATE)


def read_day(ctx: Context, slots: Slots) -> SlotValues | Reply | None:
    """The answer to "which day was that?": read as the day of a transaction ("ontem", "el 3", "last
    friday"); a day still unresolved or absent is no answer, and one too far ahead is refused."""
    answer = ctx.read(ctx.message.text, "add_expense")
    day = answer.date
    number = _DAY_NUMBER.fullmatch(fold(ctx.message.text).strip())
    if day is None and number is not None and not answer.unresolved:
        # In a message "el 24" is more often money than a day; as the answer to "which day?" it is the day.
        day = day_of_month(today(ctx), int(number.group(1)))
    if day is None:
        return None
    values: SlotValues = {"date": in_period(day, slots, ctx).isoformat(), UNSURE_DATE: None}
    refused = too_far(ctx, values)
    return refused if refused is not None else values


def in_period(day: date, slots: Slots, ctx: Context) -> date:
    """The answer's day, narrowed to the period the message named: "tuesday" answering "last week" is the
    Tuesday of last week, not the latest Tuesday. Any answer saying more than a weekday stands as said."""
    within = slots.get(WITHIN)
    weekday = nlu.weekday_alone(ctx.message.text, ctx.understood.lang)
    if not within or weekday is None:
        return day
    start, end = date.fromisoformat(within[0]), date.fromisoformat(within[1])
    matching = [start + timedelta(days=n) for n in range((end - start).days + 1)]
    matching = [d for d in matching if d.isoweekday() == weekday]
    return matching[0] if len(matching) == 1 else day


async def ask_day(ctx: Context, slots: Slots) -> Reply:
    return Reply(lines=(Line("unsure_date", {"phrase": slots.get(UNSURE_DATE) or ""}), Line("ask_date")))


DAY = Slot("date", "ask_date", has_day, lambda ctx: None, question=ask_day, read_slots=read_day)
"""Asked only when the message named a day that could not be resolved: a day left unsaid is today."""


def before_question(ctx: Context, asked: str, slots: Slots) -> list[Line]:
    """Lines said before a form's question: which amount could not be read exactly, when the amount is
    asked; that the day is ahead of today, when a write is confirmed."""
    if asked == "amount" and slots.get(UNSURE_AMOUNT):
        return [Line("unsure_amount", {"phrase": slots[UNSURE_AMOUNT]})]
    if asked == "confirm":
        day = ahead(ctx, slots)
        if day is not None:
            return [Line("future_day", {"day": day})]
    return []
