"""Bills by chat: "remind me of the rent the day before", "aluguel é conta", "stop reminding me of rent".
The sentences (locales/<lang>/bills.yaml) are matched whole, before the classifier; the payment they name is
found among the user's active recurring rules as a cancel finds one (typos, accents); several: which one?"""

from __future__ import annotations

import uuid
from dataclasses import replace
from functools import cache

from bot.conversation import picking, sentences
from bot.conversation.context import Context
from bot.conversation.forms import Form, Slots, SlotValues
from bot.conversation.handlers import Handlers
from bot.conversation.handlers.recurring import WHICH, chosen, rule_label, schedule_values
from bot.conversation.pending import Pending
from bot.conversation.reply import Line, Reply
from bot.replies import replies
from domain import bills
from domain.errors import NotFound
from domain.model import RecurringRule, TransactionKind
from domain.periods import local_today

KINDS = ("mark", "unmark")
_PLACEHOLDERS = {"{bill}": r"(?P<bill>[\w ]+?)"}
FORM = "bill"


@cache
def _patterns() -> sentences.Patterns:
    return sentences.compile_all("bills", KINDS, _PLACEHOLDERS)


def read(text: str) -> tuple[bool, str] | None:
    """(mark it as a bill or not, the words naming the payment) when `text` is one of these sentences."""
    matched = sentences.match(_patterns(), text)
    if matched is None:
        return None
    kind, found = matched
    return kind == "mark", found["bill"].strip()


def _names(rule: RecurringRule, lang: str) -> list[str]:
    """What a user may call a rule: its merchant, their words for it, its category in their language."""
    names = [name for name in (rule.merchant, rule.note) if name]
    if rule.category:
        names += [rule.category, replies().category(rule.category, lang)]
    return names


def find(typed: str, rules: list[RecurringRule], lang: str, on: bool) -> list[RecurringRule]:
    """The rules `typed` names; when several do and turning reminders off, the bills among them (only a bill
    has reminders to stop)."""
    found = picking.matches(typed, [(name, r.id) for r in rules for name in _names(r, lang)])
    ids = list(dict.fromkeys(found))  # one rule may match by several of its names
    named = [r for r in rules if r.id in ids]
    if not on and len(named) > 1:
        named = [r for r in named if r.bill] or named
    return named


def outcome(ctx: Context, rule: RecurringRule, on: bool) -> Reply:
    """What was set, exactly: the rule (name, amount, schedule) and, when on, the first reminder's day."""
    values: dict[str, object] = {
        "label": rule_label(rule),
        "amount": rule.amount,
        **schedule_values(rule.cadence.value, rule.anchor),
    }
    if on:
        values["day"] = bills.next_reminder(rule, local_today(ctx.clock, ctx.user.timezone))
    key = "bill_on" if on else "bill_off"
    return Reply(lines=(Line(f"{key}_{rule.cadence.value}", values),))


async def _set(ctx: Context, rule_id: uuid.UUID, on: bool) -> Reply:
    try:
        async with ctx.uow() as uow:
            rule = await bills.set_bill(rule_id, on, uow)
    except NotFound:
        return Reply.say("bill_not_found", name="?")  # cancelled between the question and the answer
    return outcome(ctx, rule, on)


async def said(ctx: Context) -> Reply | None:
    """The answer when the message marks or unmarks a bill, else None (the classifier reads it)."""
    found = read(ctx.message.text)
    if found is None:
        return None
    on, typed = found
    async with ctx.uow() as uow:
        stored = await uow.recurring.list_for(ctx.user.id)
    rules = [r for r in stored if r.kind == TransactionKind.EXPENSE]  # a salary is no bill
    named = find(typed, rules, str(ctx.user.language), on)
    if not named:
        return Reply.say("bill_not_found", name=typed)
    if len(named) == 1:
        return await _set(ctx, named[0].id, on)
    slots = {"on": on, "options": [str(r.id) for r in named]}
    pending = Pending(FORM, WHICH.name, slots)
    question = await BillForm().ask(ctx, slots)
    return replace(question, asked=WHICH.name, pending=pending)


class BillForm:
    """The question "which one?" when several payments have the name said; the answer sets the bill."""

    form = Form(FORM, (WHICH,))

    async def prefill(self, ctx: Context) -> SlotValues | Reply:
        return Reply.say("unknown")  # started by a sentence of bills.yaml only (`said`), never an intent

    async def ask(self, ctx: Context, slots: Slots) -> Reply:
        assert WHICH.question is not None
        return await WHICH.question(ctx, slots)

    async def question(self, ctx: Context, slots: Slots) -> Reply:
        return await self.ask(ctx, slots)

    async def submit(self, ctx: Context, slots: Slots) -> Reply:
        rule_id = chosen(slots)
        if rule_id is None:
            return Reply.say("dropped_bill")
        return await _set(ctx, uuid.UUID(rule_id), bool(slots.get("on")))

    def dropped(self, ctx: Context, slots: Slots) -> Reply:
        return Reply.say("dropped_bill")


def register(handlers: Handlers) -> None:
    handlers.add_form(BillForm())


__all__ = ["BillForm", "find", "outcome", "read", "register", "said"]
