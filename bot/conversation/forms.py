"""Declarative forms: the slots each writing intent needs, how each is asked and read, when to confirm."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any, Literal, Protocol

import nlu
from bot.conversation import policy
from bot.conversation.context import Context
from bot.conversation.reply import Reply

Slots = Mapping[str, Any]
SlotValues = dict[str, Any]
Reader = Callable[[Context], "SlotValues | Reply | None"]
"""Reads a slot from an answer: values to add, a Reply refusing the answer, or None (not an answer)."""
SlotsReader = Callable[[Context, Slots], "SlotValues | Reply | None"]
"""A Reader that also sees what the form holds (which accounts were offered)."""


@dataclass(frozen=True, slots=True)
class Slot:
    """A part of a form that must be known before it is submitted."""

    name: str
    ask: str
    """The reply key asking for it ("ask_amount")."""
    filled: Callable[[Slots], bool]
    read: Reader
    question: Callable[[Context, Slots], Awaitable[Reply]] | None = None
    """Asks for the slot with values of the form (a numbered list to pick from); None: just `ask`."""
    read_slots: SlotsReader | None = None
    """When set, read instead of `read`."""
    drops_on_no: Callable[[Slots], bool] | None = None
    """Whether the question asked now is a yes / no whose "no" lets the form go, like a confirmation."""

    def answer(self, ctx: Context, slots: Slots) -> SlotValues | Reply | None:
        return self.read_slots(ctx, slots) if self.read_slots is not None else self.read(ctx)


@dataclass(frozen=True, slots=True)
class Form:
    """What an intent that writes needs and when it asks before writing."""

    name: str
    slots: tuple[Slot, ...] = ()
    confirm: Literal["when_unsure", "always"] = "when_unsure"
    """always: a yes / no before every submit (undo, edit, several items); when_unsure: only when the
    reading was unsure or named several amounts."""

    def missing(self, slots: Slots) -> Slot | None:
        return next((slot for slot in self.slots if not slot.filled(slots)), None)

    def slot(self, name: str) -> Slot | None:
        return next((slot for slot in self.slots if slot.name == name), None)


@dataclass(frozen=True, slots=True)
class Reread:
    """What a prefill returns when the message is better read as another intent ("borra el de spotify" with
    no recurring payment of that name deletes the Spotify transaction): the dialogue starts over with it."""

    intent: str


class FormHandler(Protocol):
    """The intent-specific half of a form: filling it from a message, asking, writing, letting go."""

    form: Form

    async def prefill(self, ctx: Context) -> SlotValues | Reply | Reread:
        """The slots the message itself fills, a Reply when there is nothing to fill a form for, or Reread
        when the message means another of its readings."""
        ...

    async def question(self, ctx: Context, slots: Slots) -> Reply:
        """The yes / no question stating exactly what would be written."""
        ...

    async def submit(self, ctx: Context, slots: Slots) -> Reply:
        """Write, and say exactly what was written."""
        ...

    def dropped(self, ctx: Context, slots: Slots) -> Reply:
        """The form is let go: say what was not written ("OK, I dropped the $7.00 expense")."""
        ...


def read_amount(ctx: Context) -> SlotValues | Reply | None:
    """An amount given in answer to "how much?": refused when zero, negative or absurd."""
    parse = ctx.understood
    refused = policy.refused_amount(ctx)
    if refused is not None:
        reason, amount = refused
        return Reply.say(f"refused_amount_{reason}", amount=amount, limit=policy.limit_money(amount.currency))
    if parse.amount is None:
        return None
    values: SlotValues = {"amount": str(parse.amount)}
    if parse.currency and parse.currency != ctx.user.currency:
        values["currency"] = parse.currency
    return values


def read_payee(ctx: Context) -> SlotValues | Reply | None:
    """The answer to "what was it for?": a merchant, a category, or, when it names neither ("no idea"),
    "other", so the question is asked once and never in a loop."""
    merchant, category = nlu.read_payee(ctx.message.text, ctx.understood.lang, merchants=ctx.merchants)
    return {"merchant": merchant, "category": category or ("other" if merchant is None else None)}


CORRECTED_FORMS = frozenset({"add_expense", "add_income"})
"""Forms whose yes / no question takes a correction instead ("no, it was 52.30", "foi no carrefour")."""


def correction(ctx: Context, form: str) -> SlotValues | None:
    """What a reply to a record's yes / no question corrects: said as a correction (read as edit_last:
    "não, foi 78,40", "it was on the 4th", "foi no carrefour") its amount, day, merchant or category; or an
    amount alone ("180"). None when the reply corrects nothing (a yes, a no, a new expense of its own)."""
    parse = ctx.understood
    if form not in CORRECTED_FORMS:
        return None
    said = parse.intent == "edit_last" and parse.confidence >= nlu.LOW_CONFIDENCE
    alone = parse.amount is not None and not (parse.merchant or parse.category)
    if not (said or (alone and parse.confidence < nlu.LOW_CONFIDENCE)):
        return None
    values: SlotValues = {}
    if parse.amount is not None:
        if policy.refused_amount(ctx) is not None:
            return None
        values.update(amount=str(parse.amount), amounts=None)
        written = next((m.currency for m in parse.mentions if m.explicit and m.currency), None)
        if written:  # only a currency written changes it: "foi 78,40" keeps the receipt's R$
            values["currency"] = written if written != ctx.user.currency else None
    if parse.date is not None:
        values["date"] = parse.date.isoformat()
    if parse.merchant:
        values["merchant"] = parse.merchant
    if parse.category:
        values["category"] = parse.category
    return values or None


def has_amount(slots: Slots) -> bool:
    return slots.get("amount") is not None


def has_payee(slots: Slots) -> bool:
    return bool(slots.get("merchant") or slots.get("category"))


AMOUNT = Slot("amount", "ask_amount", has_amount, read_amount)
INCOME_AMOUNT = Slot("amount", "ask_amount_income", has_amount, read_amount)
BUDGET_AMOUNT = Slot("amount", "ask_amount_budget", has_amount, read_amount)
PAYEE = Slot("payee", "ask_category", has_payee, read_payee)

EXPENSE = Form("add_expense", (AMOUNT, PAYEE))
INCOME = Form("add_income", (INCOME_AMOUNT,))
BUDGET = Form("set_budget", (BUDGET_AMOUNT,))
UNDO = Form("undo", confirm="always")
EDIT = Form("edit_last", confirm="always")
CHOICE = Form("choose", confirm="always")
"""Which of two readings the user meant ("an expense or income?"); the answer restarts with that intent."""
