"""Recurring payments by chat: add one (always confirmed), list them, stop one by name (always confirmed)."""

from __future__ import annotations

import uuid
from typing import Any

from bot.conversation import forms, lines, picking
from bot.conversation.context import Context
from bot.conversation.control import fold
from bot.conversation.forms import Form, Reread, Slot, Slots, SlotValues
from bot.conversation.handlers import Handlers
from bot.conversation.handlers.ledger import slot_money
from bot.conversation.reply import CategoryName, Line, Phrase, Reply
from domain import recurring
from domain.model import Recurrence, RecurringRule, TransactionKind
from domain.periods import local_today

SECOND_READING = 0.01
"""An alternative the NLU scores under this is no reading of the message, only the order of what is left
("ya no pago hulu" is a stop, whatever follows it at 0.00004)."""


def _has_label(slots: Slots) -> bool:
    return bool(slots.get("merchant") or slots.get("name") or slots.get("category"))


def _read_label(ctx: Context) -> SlotValues | Reply | None:
    """The answer to "what is it for?": a merchant or category when it names one, else its words."""
    values = forms.read_payee(ctx)
    if isinstance(values, dict) and values.get("category") == "other" and not values.get("merchant"):
        words = ctx.message.text.strip()
        values = {"name": words[:60], "category": None} if words else values
    return values


AMOUNT = Slot("amount", "ask_amount_recurring", forms.has_amount, forms.read_amount)
LABEL = Slot("payee", "ask_recurring_name", _has_label, _read_label)
ADD = Form("add_recurring", (AMOUNT, LABEL), confirm="always")


def label(merchant: str | None, name: str | None, category: str | None) -> object:
    """How a rule is named to its user: the merchant, else the words they used, else its category."""
    if merchant:
        return merchant
    if name:
        return name[:1].upper() + name[1:]
    return CategoryName(category or "other")


def rule_label(rule: RecurringRule) -> object:
    return label(rule.merchant, rule.note, rule.category)


def _label_text(value: object) -> str:
    if isinstance(value, CategoryName):
        return str(value.key or "")
    return str(value)


def schedule_values(cadence: str, anchor: int) -> dict[str, Any]:
    """`anchor` (monthly) or `weekday` (weekly) as a reply shows it."""
    if cadence == Recurrence.WEEKLY.value:
        return {"weekday": Phrase(f"weekday_{anchor + 1}")}
    return {"anchor": anchor}


class AddRecurringForm:
    form = ADD

    async def prefill(self, ctx: Context) -> SlotValues | Reply:
        parse = ctx.understood
        today = local_today(ctx.clock, ctx.user.timezone)
        cadence = parse.recurrence or Recurrence.MONTHLY.value
        if parse.anchor is not None:
            anchor = parse.anchor - 1 if cadence == Recurrence.WEEKLY.value else parse.anchor
        else:
            anchor = today.weekday() if cadence == Recurrence.WEEKLY.value else today.day
        named = parse.merchant or parse.name
        if named:
            # The same payment twice would record it twice each month: say so and write nothing.
            same = [r for r in await _rules(ctx) if fold(_label_text(rule_label(r))) == fold(named)]
            if same:
                return Reply(lines=(rule_line(same[0], "recurring_exists"),))
        values = {
            "amount": None if parse.amount is None else str(parse.amount),
            "currency": parse.currency if parse.currency != ctx.user.currency else None,
            "merchant": parse.merchant,
            "name": None if parse.merchant else parse.name,
            "category": parse.category,
            "cadence": cadence,
            "anchor": anchor,
        }
        return {key: value for key, value in values.items() if value is not None}

    def _first(self, ctx: Context, slots: Slots) -> tuple[Any, bool]:
        today = local_today(ctx.clock, ctx.user.timezone)
        first = recurring.occurrence_on_or_after(Recurrence(slots["cadence"]), int(slots["anchor"]), today)
        return first, first == today

    async def question(self, ctx: Context, slots: Slots) -> Reply:
        first, today = self._first(ctx, slots)
        key = f"confirm_recurring_{slots['cadence']}" + ("_today" if today else "")
        values = {
            "label": label(slots.get("merchant"), slots.get("name"), slots.get("category")),
            "amount": slot_money(ctx, slots),
            "first": first,
            **schedule_values(str(slots["cadence"]), int(slots["anchor"])),
        }
        return Reply.say(key, **values)

    async def submit(self, ctx: Context, slots: Slots) -> Reply:
        money = slot_money(ctx, slots)
        cmd = recurring.CreateRecurring(
            user_id=ctx.user.id,
            kind=TransactionKind.EXPENSE,
            amount=money.amount,
            currency=money.currency,
            cadence=str(slots["cadence"]),
            anchor=int(slots["anchor"]),
            merchant=slots.get("merchant"),
            category=slots.get("category"),
            note=None if slots.get("merchant") else slots.get("name"),
        )
        async with ctx.uow() as uow:
            started = await recurring.start_rule(cmd, uow, ctx.clock)
        rule = started.rule
        values = {
            "label": rule_label(rule),
            "amount": rule.amount,
            **schedule_values(rule.cadence.value, rule.anchor),
        }
        shown = [Line(f"recurring_started_{rule.cadence.value}", values)]
        written = []
        for result in started.recorded:
            line, write = lines.recorded(result.transaction)
            shown.append(line)
            if result.created:
                written.append(write)
        if not started.recorded:
            shown.append(Line("recurring_next", {"day": rule.next_due}))
        return Reply(lines=tuple(shown), written=tuple(written))

    def dropped(self, ctx: Context, slots: Slots) -> Reply:
        return Reply.say("dropped_recurring")


async def _rules(ctx: Context) -> list[RecurringRule]:
    """The user's active rules, by name: the order a numbered list shows and its answer picks from."""
    async with ctx.uow() as uow:
        found = await uow.recurring.list_for(ctx.user.id)
    return sorted(found, key=lambda r: (_label_text(rule_label(r)).casefold(), r.next_due, str(r.id)))


def rule_line(rule: RecurringRule, key: str = "recurring_line", **extra: object) -> Line:
    values = {
        "label": rule_label(rule),
        "amount": rule.amount,
        "day": rule.next_due,
        **schedule_values(rule.cadence.value, rule.anchor),
        **extra,
    }
    return Line(f"{key}_{rule.cadence.value}", values)


async def list_recurring(ctx: Context) -> Reply:
    rules = await _rules(ctx)
    if not rules:
        return Reply.say("no_recurring")
    return Reply(lines=(Line("recurring_list", {"count": len(rules)}), *(rule_line(r) for r in rules)))


def chosen(slots: Slots, key: str = "rule_id") -> str | None:
    """The id picked: given at once (one match), or by its number in the options offered."""
    if slots.get(key):
        return str(slots[key])
    pick, options = slots.get("pick"), list(slots.get("options") or [])
    if isinstance(pick, int) and 1 <= pick <= len(options):
        return str(options[pick - 1])
    return None


def read_pick(ctx: Context) -> SlotValues | Reply | None:
    """The number of an option: "2", "#2", "the 2nd"."""
    number = picking.chosen_number(ctx.message.text, 99)
    return None if number is None else {"pick": number + 1}


async def _ask_which(ctx: Context, slots: Slots) -> Reply:
    wanted = {str(r.id): r for r in await _rules(ctx)}
    shown = [
        rule_line(wanted[rule_id], "recurring_option", number=n)
        for n, rule_id in enumerate(slots.get("options") or [], start=1)
        if rule_id in wanted
    ]
    return Reply(lines=(Line("ask_which_recurring"), *shown))


WHICH = Slot("which", "ask_which_recurring", lambda slots: chosen(slots) is not None, read_pick, _ask_which)
CANCEL = Form("cancel_recurring", (WHICH,), confirm="always")


class CancelRecurringForm:
    """Stop a rule named in the message; several alike are offered by number; none is said."""

    form = CANCEL

    async def prefill(self, ctx: Context) -> SlotValues | Reply | Reread:
        parse = ctx.understood
        rules = await _rules(ctx)
        typed = parse.name or parse.merchant
        if typed is None:
            found = rules
        else:
            found = picking.matches(typed, [(_label_text(rule_label(r)), r) for r in rules])
        seconds = [intent for intent, score in parse.alternatives[:2] if score >= SECOND_READING]
        if not found and "undo" in seconds:
            # "borra el de spotify" with no recurring payment of that name: the Spotify transaction.
            return Reread("undo")
        if not rules:
            return Reply.say("no_recurring")
        if not found:
            return Reply.say("recurring_not_found", name=typed)
        if len(found) == 1:
            return {"rule_id": str(found[0].id)}
        return {"options": [str(r.id) for r in found]}

    async def question(self, ctx: Context, slots: Slots) -> Reply:
        async with ctx.uow() as uow:
            rule = await uow.recurring.get(uuid.UUID(str(chosen(slots))))
        if rule is None or not rule.active:
            return Reply.say("recurring_not_found", name="?")
        return Reply.say(
            "confirm_cancel_recurring",
            label=rule_label(rule),
            amount=rule.amount,
            cadence=Phrase(f"cadence_{rule.cadence.value}"),
        )

    async def submit(self, ctx: Context, slots: Slots) -> Reply:
        async with ctx.uow() as uow:
            rule = await recurring.cancel_rule(uuid.UUID(str(chosen(slots))), uow, ctx.clock)
        return Reply.say("recurring_cancelled", label=rule_label(rule))

    def dropped(self, ctx: Context, slots: Slots) -> Reply:
        return Reply.say("dropped_cancel_recurring")


def register(handlers: Handlers) -> None:
    handlers.add_form(AddRecurringForm())
    handlers.add_form(CancelRecurringForm())
    handlers.add_answer(["list_recurring"], list_recurring)
