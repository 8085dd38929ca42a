"""Transfers between the user's own accounts by chat ("passei 200 pra poupança", "saqué 50 del cajero",
"paid my card bill"): neither spending nor income; both balances are said after the write."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

import nlu
from bot.conversation import account_slots, days, forms
from bot.conversation.context import Context
from bot.conversation.forms import Form, Slot, Slots, SlotValues
from bot.conversation.handlers import Handlers
from bot.conversation.handlers.ledger import slot_day
from bot.conversation.reply import Line, Reply, Written
from domain import services
from domain.commands import GetBalance, RecordTransfer
from domain.errors import ValidationError
from domain.model import Account, AccountKind, Source
from domain.money import Money
from nlu.normalize import fold

TRANSFER_AMOUNT = Slot("amount", "ask_amount_transfer", forms.has_amount, forms.read_amount)
TRANSFER = Form(
    "transfer",
    (TRANSFER_AMOUNT, days.DAY, account_slots.FROM_ACCOUNT, account_slots.TO_ACCOUNT),
    confirm="when_unsure",
)


def _name(accounts: Sequence[Account], slots: Slots, prefix: str) -> str | None:
    picked = slots.get(f"{prefix}_id")
    if picked:
        return next((a.name for a in accounts if str(a.id) == str(picked)), None)
    new = slots.get(f"{prefix}_new")
    return str(new["name"]) if new else None


class TransferForm:
    form = TRANSFER

    async def prefill(self, ctx: Context) -> SlotValues | Reply:
        parse = ctx.understood
        async with ctx.uow() as uow:
            accounts = await uow.accounts.list_for(ctx.user.id)
        slots: SlotValues = {"amount": None if parse.amount is None else str(parse.amount)}
        if parse.date is not None:
            slots["date"] = parse.date.isoformat()
        if parse.currency and parse.currency != ctx.user.currency:
            slots["currency"] = parse.currency
        origin, target = parse.account, parse.to_account
        if origin is None or target is None:
            # The user's own names the NLU does not know ("passei 200 pra viagem").
            for name, role in nlu.accounts_named(ctx.message.text, parse.lang, [a.name for a in accounts]):
                if any(
                    fold(name) in fold(said) or fold(said) in fold(name) for said in (origin, target) if said
                ):
                    continue  # the name the NLU already found
                if role == "to" and target is None:
                    target = name
                elif origin is None:
                    origin = name
        slots.update(account_slots.values("from_account", origin, accounts, parse.lang))
        slots.update(account_slots.values("to_account", target, accounts, parse.lang))
        same = slots.get("from_account_id") and slots.get("from_account_id") == slots.get("to_account_id")
        if same:
            return Reply.say("transfer_same_account", account=_name(accounts, slots, "from_account"))
        if not self._fill_missing(slots, accounts):
            return Reply.say("transfer_needs_two_accounts")
        return {k: v for k, v in slots.items() if v is not None}

    def _fill_missing(self, slots: SlotValues, accounts: Sequence[Account]) -> bool:
        """A side left unsaid is the only account it can be (never a guess), else the user picks it: money
        is not moved out of a credit card, and a withdrawal comes from a bank, not from cash."""
        if self._said(slots, "from_account") and self._said(slots, "to_account"):
            return True
        target = next((a for a in accounts if str(a.id) == slots.get("to_account_id")), None)
        origin = next((a for a in accounts if str(a.id) == slots.get("from_account_id")), None)
        if not self._said(slots, "from_account"):
            others = [a for a in accounts if a is not target]
            sources = [a for a in others if a.kind != AccountKind.CREDIT_CARD]
            if target is not None and target.kind in (AccountKind.CASH, AccountKind.CREDIT_CARD):
                # A withdrawal comes from a bank; a card bill is paid from one (cash only when it is all).
                sources = [a for a in sources if a.kind != AccountKind.CASH] or sources
            if not self._one_or_ask(slots, "from_account", sources or others):
                return False
        if not self._said(slots, "to_account"):
            return self._one_or_ask(slots, "to_account", [a for a in accounts if a is not origin])
        return True

    @staticmethod
    def _said(slots: Slots, prefix: str) -> bool:
        return any(slots.get(f"{prefix}_{part}") for part in ("id", "choices", "new"))

    @staticmethod
    def _one_or_ask(slots: SlotValues, prefix: str, candidates: Sequence[Account]) -> bool:
        """False when no account can be that side (the user has one account)."""
        if len(candidates) == 1:
            slots[f"{prefix}_id"] = str(candidates[0].id)
        elif candidates:
            slots[f"{prefix}_choices"] = account_slots.options(candidates)
        return bool(candidates)

    async def question(self, ctx: Context, slots: Slots) -> Reply:
        async with ctx.uow() as uow:
            accounts = await uow.accounts.list_for(ctx.user.id)
        return Reply.say(
            "confirm_transfer",
            amount=_money(ctx, slots),
            origin=_name(accounts, slots, "from_account"),
            target=_name(accounts, slots, "to_account"),
            day=slot_day(ctx, slots),
        )

    async def submit(self, ctx: Context, slots: Slots) -> Reply:
        money = _money(ctx, slots)
        async with ctx.uow() as uow:
            origin_id, opened_from = await account_slots.chosen(ctx, uow, slots, "from_account")
            target_id, opened_to = await account_slots.chosen(ctx, uow, slots, "to_account")
            if origin_id is None or target_id is None:
                return Reply.say("ask_transfer_from")
            if origin_id == target_id:
                accounts = await uow.accounts.list_for(ctx.user.id)
                return Reply.say("transfer_same_account", account=_name(accounts, slots, "from_account"))
            cmd = RecordTransfer(
                user_id=ctx.user.id,
                from_account_id=origin_id,
                to_account_id=target_id,
                amount=money.amount,
                currency=slots.get("currency"),
                occurred_on=slot_day(ctx, slots) if slots.get("date") else None,
                source=Source.CHAT,
                source_ref=ctx.message.provider_message_id or None,
            )
            by_id = {a.id: a for a in await uow.accounts.list_for(ctx.user.id)}
            try:
                result = await services.record_transfer(cmd, uow, ctx.clock)
            except ValidationError as exc:
                if exc.reason != "currency_mismatch":
                    raise
                origin, target = by_id[origin_id], by_id[target_id]
                return Reply.say(
                    "transfer_currency_mismatch",
                    origin=origin.name,
                    target=target.name,
                    origin_currency=origin.currency,
                    target_currency=target.currency,
                )
        async with ctx.uow() as uow:
            balance = await services.get_balance(GetBalance(user_id=ctx.user.id), uow)
        out, into = result.outgoing, result.incoming
        origin, target = by_id[out.account_id], by_id[into.account_id]
        shown = account_slots.created_line(opened_from) + account_slots.created_line(opened_to)
        shown.append(
            Line(
                "transfer_recorded",
                {"amount": out.amount, "origin": origin.name, "target": target.name, "day": out.occurred_on},
            )
        )
        for row in balance.accounts:
            if row.account.id in (origin.id, target.id):
                money_in = row.balances.get(out.amount.currency, Money.zero(out.amount.currency))
                shown.append(Line("balance_line", {"account": row.account.name, "amount": money_in}))
        written = (
            Written("transferred", out.id, out.amount, out.occurred_on, origin.name),
            Written("transferred", into.id, into.amount, into.occurred_on, target.name),
        )
        return Reply(lines=tuple(shown), written=written if result.created else ())

    def dropped(self, ctx: Context, slots: Slots) -> Reply:
        if slots.get("amount") is None:
            return Reply.say("dropped_transfer_no_amount")
        return Reply.say("dropped_transfer", amount=_money(ctx, slots))


def _money(ctx: Context, slots: Slots) -> Money:
    return Money(Decimal(str(slots["amount"])), str(slots.get("currency") or ctx.user.currency))


def register(handlers: Handlers) -> None:
    handlers.add_form(TransferForm())
