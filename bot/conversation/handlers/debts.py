"""Money lent to, paid back to, or got back from a person ("lent mike 20", "o joão me devolveu 50"): a
transaction with the person as payee in the "loans" category, which balances count and spending does not."""

from __future__ import annotations

from datetime import date

import nlu
from bot.conversation import account_slots, days, forms, lines
from bot.conversation.context import Context
from bot.conversation.forms import Form, Slot, Slots, SlotValues
from bot.conversation.handlers import Handlers
from bot.conversation.handlers.ledger import account_prefill, slot_day, slot_money
from bot.conversation.reply import Line, Reply, Written
from domain.commands import RecordTransaction
from domain.model import LOANS, Source, TransactionKind


def read_person(ctx: Context) -> SlotValues | None:
    """The answer to "who was it?" ("pro Caio", "a juan", "Sarah"): the name, with a capital."""
    person = nlu.person_answer(ctx.message.text, ctx.understood.lang)
    return None if person is None else {"person": person}


def read_direction(ctx: Context) -> SlotValues | None:
    direction = nlu.answer_direction(ctx.message.text, ctx.understood.lang)
    return None if direction is None else {"direction": direction}


LOAN_AMOUNT = Slot("amount", "ask_amount_loan", forms.has_amount, forms.read_amount)
PERSON = Slot("person", "ask_person", lambda slots: bool(slots.get("person")), read_person)


async def ask_direction(ctx: Context, slots: Slots) -> Reply:
    return Reply.say("ask_loan_direction", amount=slot_money(ctx, slots))


DIRECTION = Slot(
    "direction",
    "ask_loan_direction",
    lambda slots: bool(slots.get("direction")),
    read_direction,
    question=ask_direction,
)
DEBT = Form("debt", (LOAN_AMOUNT, PERSON, DIRECTION, days.DAY, account_slots.ACCOUNT))


class DebtForm:
    form = DEBT

    async def prefill(self, ctx: Context) -> SlotValues | Reply:
        parse = ctx.understood
        slots: SlotValues = {
            "amount": None if parse.amount is None else str(parse.amount),
            "currency": parse.currency if parse.currency != ctx.user.currency else None,
            "date": parse.date.isoformat() if parse.date else None,
            "person": parse.person,
            "direction": parse.direction,
        }
        slots.update(await account_prefill(ctx, {}))
        return {k: v for k, v in slots.items() if v is not None}

    async def question(self, ctx: Context, slots: Slots) -> Reply:
        key = "confirm_loan_in" if slots.get("direction") == "in" else "confirm_loan_out"
        return Reply.say(key, amount=slot_money(ctx, slots), person=slots["person"], day=slot_day(ctx, slots))

    async def submit(self, ctx: Context, slots: Slots) -> Reply:
        money = slot_money(ctx, slots)
        inward = slots.get("direction") == "in"
        cmd = RecordTransaction(
            user_id=ctx.user.id,
            kind=TransactionKind.INCOME if inward else TransactionKind.EXPENSE,
            amount=money.amount,
            currency=money.currency,
            occurred_on=date.fromisoformat(slots["date"]) if slots.get("date") else None,
            merchant=slots["person"],
            category=LOANS,
            source=Source.CHAT,
            source_ref=ctx.message.provider_message_id or None,
        )
        recorded = await account_slots.record_on_account(self.form.name, ctx, slots, cmd)
        if isinstance(recorded, Reply):
            return recorded
        result, txn = recorded.result, recorded.result.transaction
        values = {"amount": txn.amount, "person": txn.merchant, "day": txn.occurred_on}
        shown = account_slots.created_line(recorded.opened)
        shown.append(Line("loan_in_recorded" if inward else "loan_out_recorded", values))
        shown += lines.account(recorded.accounts, txn)
        if result.low_balance is not None:
            shown.append(lines.low_balance_line(result.low_balance))
        written = Written("loan", txn.id, txn.amount, txn.occurred_on, txn.merchant, inward)
        return Reply(lines=tuple(shown), written=(written,) if result.created else ())

    def dropped(self, ctx: Context, slots: Slots) -> Reply:
        if slots.get("amount") is None:
            return Reply.say("dropped_loan_no_amount")
        return Reply.say("dropped_loan", amount=slot_money(ctx, slots))


def register(handlers: Handlers) -> None:
    handlers.add_form(DebtForm())
