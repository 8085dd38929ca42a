"""Several expenses (or incomes) in one message: one confirmation listing them, then all written or none."""

from __future__ import annotations

import uuid
from decimal import Decimal
from typing import Any

from bot.conversation import account_slots, days, lines, policy
from bot.conversation.context import Context
from bot.conversation.forms import Form, Slots, SlotValues
from bot.conversation.handlers import Handlers
from bot.conversation.handlers.ledger import slot_day
from bot.conversation.reply import CategoryName, Line, Reply
from domain import services
from domain.commands import RecordTransaction
from domain.model import Source, TransactionKind
from domain.money import Money


def _money(ctx: Context, item: dict[str, Any]) -> Money:
    return Money(Decimal(item["amount"]), item.get("currency") or ctx.user.currency)


def _item_line(ctx: Context, item: dict[str, Any], income: bool) -> Line:
    category = CategoryName(item.get("category") or ("other_income" if income else "other"))
    if item.get("merchant"):
        return Line(
            "item_line", {"amount": _money(ctx, item), "label": item["merchant"], "category": category}
        )
    return Line("item_line_no_merchant", {"amount": _money(ctx, item), "category": category})


ITEMS = Form("add_items", (days.DAY,), confirm="always")
"""Several items of one message: a day it names but does not pin down is asked before the confirmation."""


class ItemsForm:
    form = ITEMS

    async def prefill(self, ctx: Context) -> SlotValues | Reply:
        parse = ctx.understood
        items = policy.split_items(ctx) or []
        return {
            **await self._account(ctx),
            "income": parse.intent == "add_income",
            "date": parse.date.isoformat() if parse.date else None,
            "items": [
                {
                    "amount": str(item.amount),
                    "currency": item.currency,
                    "merchant": item.merchant,
                    "category": item.category,
                    "note": item.note,
                }
                for item in items
            ],
        }

    async def _account(self, ctx: Context) -> SlotValues:
        """The account the items go on, stated in the confirmation: the one the message names when it is
        exactly one of the user's, else the default account (an unknown or ambiguous name is not guessed
        at, and the confirmation shows where they would go)."""
        phrase = ctx.understood.account
        if phrase is None:
            return {}
        async with ctx.uow() as uow:
            accounts = await uow.accounts.list_for(ctx.user.id)
        picked = account_slots.values("account", phrase, accounts, ctx.understood.lang)
        chosen = [a for a in accounts if str(a.id) == picked.get("account_id")]
        shown = chosen or [a for a in accounts if a.is_default]
        if not shown:
            return {}
        return {"account_id": str(chosen[0].id) if chosen else None, "account_name": shown[0].name}

    async def question(self, ctx: Context, slots: Slots) -> Reply:
        income = bool(slots["income"])
        key = "confirm_items_income" if income else "confirm_items"
        head = Line(key, {"count": len(slots["items"]), "day": slot_day(ctx, slots)})
        listed = (_item_line(ctx, item, income) for item in slots["items"])
        on = [Line("on_account", {"account": slots["account_name"]})] if slots.get("account_name") else []
        return Reply(lines=(head, *listed, *on, Line("yes_no")))

    async def submit(self, ctx: Context, slots: Slots) -> Reply:
        income = bool(slots["income"])
        day = slot_day(ctx, slots) if slots.get("date") else None
        ref = ctx.message.provider_message_id
        cmds = [
            RecordTransaction(
                user_id=ctx.user.id,
                kind=TransactionKind.INCOME if income else TransactionKind.EXPENSE,
                amount=Decimal(item["amount"]),
                currency=item.get("currency"),
                occurred_on=day,
                merchant=item.get("merchant"),
                category=item.get("category"),
                note=item.get("note"),
                account_id=uuid.UUID(str(slots["account_id"])) if slots.get("account_id") else None,
                source=Source.CHAT,
                # One source id per item, so a retried message records each item once.
                source_ref=f"{ref}#{number}" if ref else None,
            )
            for number, item in enumerate(slots["items"], start=1)
        ]
        async with ctx.uow() as uow:
            accounts = await uow.accounts.list_for(ctx.user.id)  # in the write's transaction (ledger.py)
            results = await services.record_transactions(cmds, uow, ctx.clock)
        recorded = [lines.recorded(result.transaction) for result in results]
        statuses = {s.budget.id: s for result in results for s in result.budgets}
        after = lines.account(accounts, results[0].transaction) if results else []
        after += [lines.budget(s) for s in statuses.values()]
        after += [lines.alert(c) for result in results for c in result.crossings]
        # Several items on one account: the last write that went under the warning says it (once).
        after += [lines.low_balance_line(r.low_balance) for r in results if r.low_balance is not None][-1:]
        return Reply(
            lines=(*(line for line, _ in recorded), *after),
            written=tuple(w for (_, w), result in zip(recorded, results, strict=True) if result.created),
        )

    def dropped(self, ctx: Context, slots: Slots) -> Reply:
        return Reply.say("dropped_items", count=len(slots["items"]))


def register(handlers: Handlers) -> None:
    handlers.add_form(ItemsForm())
