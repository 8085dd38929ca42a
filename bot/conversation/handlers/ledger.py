"""Recording an expense or an income: the forms that fill, confirm and write one transaction."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from bot.conversation import account_slots, days, forms, lines, notices, receipts
from bot.conversation.context import Context
from bot.conversation.forms import Form, Slots, SlotValues
from bot.conversation.handlers import Handlers
from bot.conversation.reply import CategoryName, Line, Reply
from domain.commands import RecordTransaction
from domain.model import Source, TransactionKind
from domain.money import Money
from domain.periods import local_today
from nlu.normalize import fold


def slot_money(ctx: Context, slots: Slots) -> Money:
    return Money(Decimal(str(slots["amount"])), str(slots.get("currency") or ctx.user.currency))


def slot_day(ctx: Context, slots: Slots) -> date:
    day = slots.get("date")
    return date.fromisoformat(day) if day else local_today(ctx.clock, ctx.user.timezone)


def message_slots(ctx: Context) -> SlotValues:
    """Amount, currency, day, merchant and category as the message gives them (what is absent is left out)."""
    parse = ctx.understood
    values: SlotValues = {
        "amount": None if parse.amount is None else str(parse.amount),
        "currency": parse.currency if parse.currency != ctx.user.currency else None,
        "date": parse.date.isoformat() if parse.date else None,
        "merchant": parse.merchant,
        "category": parse.category,
        "note": parse.note,
        # "mercado da casa": the household's spending (ignored for someone in no household).
        "shared": True if parse.shared else None,
    }
    return {name: value for name, value in values.items() if value is not None}


def record_command(ctx: Context, slots: Slots, kind: TransactionKind) -> RecordTransaction:
    """The write a record form's slots describe (an expense, an income, the payer's side of a split), keyed by
    the message so a retry records it once."""
    money = slot_money(ctx, slots)
    return RecordTransaction(
        user_id=ctx.user.id,
        kind=kind,
        amount=money.amount,
        currency=money.currency,
        occurred_on=date.fromisoformat(slots["date"]) if slots.get("date") else None,
        merchant=slots.get("merchant"),
        category=slots.get("category"),
        note=slots.get("note"),
        source=Source.CHAT,
        # A forwarded notice is keyed by its own text, a receipt by its photo: sent again, it is the same
        # transaction.
        source_ref=slots.get(notices.REF)
        or slots.get(receipts.REF)
        or ctx.message.provider_message_id
        or None,
        shared=bool(slots.get("shared")),
    )


class RecordForm:
    """add_expense and add_income."""

    def __init__(self, form: Form, kind: TransactionKind) -> None:
        self.form = form
        self.kind = kind

    @property
    def income(self) -> bool:
        return self.kind == TransactionKind.INCOME

    async def prefill(self, ctx: Context) -> SlotValues | Reply:
        slots = message_slots(ctx)
        if slots.get("shared"):
            async with ctx.uow() as uow:
                if await uow.households.membership(ctx.user.id) is None:
                    # "da casa" from someone in no household is their own spending, said as such.
                    del slots["shared"]
        if ctx.understood.notice is not None:
            forwarded = await notices.prefill(ctx)
            if isinstance(forwarded, Reply):
                return forwarded
            slots.update(forwarded)
        if not slots.get(
            notices.LINKED
        ):  # a notice's card linked to an account goes there, whatever it names
            slots.update(await account_prefill(ctx, slots))
        mentions = ctx.understood.mentions
        if len(mentions) > 1:
            # Several amounts that are not several items: the question shows them all, so the one recorded
            # is chosen in the open, never silently.
            slots["amounts"] = [[str(m.amount), m.currency or ctx.user.currency] for m in mentions]
        return slots

    async def question(self, ctx: Context, slots: Slots) -> Reply:
        found = slots.get("amounts")
        question = self._question(ctx, slots)
        question = Reply(lines=tuple(await self._account(ctx, slots)) + question.lines)
        question = Reply(
            lines=tuple(notices.heading(slots)) + question.lines + tuple(notices.always_option(slots))
        )
        if not found:
            return question
        amounts = tuple(Money(Decimal(amount), currency) for amount, currency in found)
        return Reply.say("several_amounts", amounts=amounts).then(question)

    def _question(self, ctx: Context, slots: Slots) -> Reply:
        values: dict[str, object] = {"amount": slot_money(ctx, slots), "day": slot_day(ctx, slots)}
        if self.income:
            category = CategoryName(slots.get("category") or "other_income")
            return Reply.say("confirm_income", category=category, **values)
        category = CategoryName(slots.get("category") or "other")
        from_receipt = receipts.question(dict(slots), {**values, "category": category})
        if from_receipt is not None:
            return from_receipt
        if slots.get("merchant"):
            return Reply.say("confirm_expense", merchant=slots["merchant"], category=category, **values)
        return Reply.say("confirm_expense_no_merchant", category=category, **values)

    async def _account(self, ctx: Context, slots: Slots) -> list[Line]:
        """The account a confirmation is about, when the message names one (the NLU's phrase, else one of
        the user's own names, looked up only now that a question is asked)."""
        name = slots.get("account_name") or (slots.get("account_new") or {}).get("name")
        if name is None and not slots.get("account_choices"):
            async with ctx.uow() as uow:
                accounts = await uow.accounts.list_for(ctx.user.id)
            late = account_slots.in_text(ctx, accounts, slots)
            name = next((a.name for a in accounts if str(a.id) == late.get("account_id")), None)
        return [Line("on_account", {"account": name})] if name else []

    async def submit(self, ctx: Context, slots: Slots) -> Reply:
        cmd = record_command(ctx, slots, self.kind)
        recorded = await account_slots.record_on_account(self.form.name, ctx, slots, cmd)
        if isinstance(recorded, Reply):
            return recorded
        result = recorded.result
        if not result.created and (slots.get(notices.REF) or slots.get(receipts.REF)):
            # The same notice or photo was recorded meanwhile (sent again and confirmed elsewhere): say so.
            return notices.already(result.transaction, "notice" if slots.get(notices.REF) else "receipt")
        await notices.remember(ctx, slots, result.transaction.account_id)
        line, written = lines.recorded(result.transaction)
        before: list[Line] = []
        said_account = lines.account(recorded.accounts, result.transaction)
        after = account_slots.created_line(recorded.opened)
        if slots.get(notices.TRUSTED):
            # Written with no question: the reply says all of it, the account too, and how to take it back.
            account = next((a.name for a in recorded.accounts if a.id == result.transaction.account_id), None)
            before, said_account = notices.recorded_unasked(slots, account)
        after += said_account
        budgets = [lines.budget(s) for s in result.budgets]
        if result.transaction.household_id is not None and not any(
            s.budget.household_id for s in result.budgets
        ):
            # Household spending no house budget shows: the members see it, so the writer is told.
            after.append(Line("household_spending"))
        after += budgets + [lines.alert(c) for c in result.crossings]
        if result.low_balance is not None:
            after.append(lines.low_balance_line(result.low_balance))
        return Reply(lines=(*before, line, *after), written=(written,) if result.created else ())

    def dropped(self, ctx: Context, slots: Slots) -> Reply:
        kind = "income" if self.income else "expense"
        if slots.get("amount") is None:
            return Reply.say(f"dropped_{kind}_no_amount")
        return Reply.say(f"dropped_{kind}", amount=slot_money(ctx, slots))


async def account_prefill(ctx: Context, slots: Slots) -> SlotValues:
    """The account slots of a record: the account the message names (and the default's name, which the
    question about a new account offers instead). A merchant that is the account's name was the account.
    Only a message the NLU found an account in costs a read here (account_slots.in_text finds the user's
    own names later, in the write's transaction)."""
    phrase = ctx.understood.account
    if phrase is None:
        # Kept for in_text, which may run on a later message (the "yes" to a confirmation).
        return {"said": ctx.message.text}
    async with ctx.uow() as uow:
        accounts = await uow.accounts.list_for(ctx.user.id)
    values = account_slots.values("account", phrase, accounts, ctx.understood.lang)
    default = next((a for a in accounts if a.is_default), None)
    if default is not None:
        values["default_account"] = default.name
    picked = next((a for a in accounts if str(a.id) == values.get("account_id")), None)
    if picked is not None:
        values["account_name"] = picked.name
    merchant = slots.get("merchant")
    if merchant and fold(merchant) in {fold(phrase), *(fold(a.name) for a in accounts)}:
        values["merchant"] = None
    return values


EXPENSE = Form("add_expense", (forms.AMOUNT, days.DAY, forms.PAYEE, account_slots.ACCOUNT))
INCOME = Form("add_income", (forms.INCOME_AMOUNT, days.DAY, account_slots.ACCOUNT))


def register(handlers: Handlers) -> None:
    handlers.add_form(RecordForm(EXPENSE, TransactionKind.EXPENSE))
    handlers.add_form(RecordForm(INCOME, TransactionKind.INCOME))
