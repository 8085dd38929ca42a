"""Undoing and editing the last transaction: always confirmed, and only if it is still the last one."""

from __future__ import annotations

import uuid
from decimal import Decimal

from bot.conversation import forms, lines
from bot.conversation.context import Context
from bot.conversation.forms import Slots, SlotValues
from bot.conversation.handlers import Handlers, references
from bot.conversation.reply import CategoryName, Line, Reply, Written
from domain import services
from domain.commands import EditLast, UndoLast
from domain.model import Source, Transaction, TransactionKind
from domain.money import Money
from domain.ports import UnitOfWork


async def _latest(ctx: Context) -> Transaction | None:
    async with ctx.uow() as uow:
        return await uow.transactions.latest(ctx.user.id)


async def _still_latest(ctx: Context, slots: Slots) -> Transaction | None:
    """The transaction the question was about, if nothing was recorded or undone since."""
    latest = await _latest(ctx)
    if latest is None or latest.id != uuid.UUID(str(slots["transaction_id"])):
        return None
    return latest


MAX_GROUP = 50
"""The most items one message records, looked up when undoing them together."""


async def _group(uow: UnitOfWork, latest: Transaction) -> list[Transaction]:
    """The live transactions written by the same message as `latest` (items "<message id>#<n>"), in order;
    just `latest` when it was written alone."""
    ref = latest.source_ref or ""
    base, sep, number = ref.rpartition("#")
    if not sep or not number.isdigit():
        return [latest]
    found = []
    for n in range(1, MAX_GROUP + 1):
        txn = await uow.transactions.get_by_source(latest.source.value, f"{base}#{n}")
        if txn is None:
            break
        if not txn.is_deleted and txn.user_id == latest.user_id:
            found.append(txn)
    return found or [latest]


def _deleted(txn: Transaction) -> Written:
    label = txn.merchant or txn.category
    return Written("deleted", txn.id, txn.amount, txn.occurred_on, label, txn.kind == TransactionKind.INCOME)


class UndoForm:
    """Undo deletes exactly what the last write recorded: one transaction, or every item of one message."""

    form = forms.Form("undo", (references.PICK,), confirm="always")
    """forms.UNDO with the pick of an earlier transaction named by reference ("delete the netflix one")."""

    async def prefill(self, ctx: Context) -> SlotValues | Reply:
        want = references.wanted(ctx)
        if want is not None:
            found, _ = await references.candidates(ctx, want)
            if not found:
                return references.none_found()  # never the last one instead
            # Exactly the one named, even when it is the latest: never the other items of its message.
            return references.slots_for(found, "delete")
        else:
            undone = await references.revertible(ctx)
            if undone is not None:
                return undone
        async with ctx.uow() as uow:
            latest = await uow.transactions.latest(ctx.user.id)
            if latest is None:
                return Reply.say("nothing_to_undo")
            group = await _group(uow, latest)
        return {"transaction_id": str(latest.id), "group": [str(t.id) for t in group]}

    async def question(self, ctx: Context, slots: Slots) -> Reply:
        if slots.get("ref"):
            return references.confirm_delete(slots)
        if slots.get("revert"):
            return references.confirm_revert(slots)
        async with ctx.uow() as uow:
            latest = await uow.transactions.latest(ctx.user.id)
            if latest is None or str(latest.id) != slots["transaction_id"]:
                return Reply.say("nothing_to_undo")
            group = await _group(uow, latest)
        if len(group) == 1:
            return Reply.say("confirm_undo", **lines.described(latest))
        listed = [Line("undo_item", lines.described(txn)) for txn in group]
        return Reply(lines=(Line("confirm_undo_items", {"count": len(group)}), *listed, Line("yes_no")))

    async def submit(self, ctx: Context, slots: Slots) -> Reply:
        if slots.get("ref"):
            return await references.delete(ctx, slots)
        if slots.get("revert"):
            return await references.revert(ctx, slots)
        deleted: list[Transaction] = []
        lows: list[Line] = []
        for _ in slots["group"]:
            async with ctx.uow() as uow:
                latest = await uow.transactions.latest(ctx.user.id)
                if latest is None or str(latest.id) not in slots["group"]:
                    break  # something else was recorded or undone since the question: touch nothing else
                result = await services.undo_last(UndoLast(user_id=ctx.user.id), uow, ctx.clock)
            deleted.append(result.before)
            if result.low_balance is not None:  # an income taken back can leave an account under its warning
                lows.append(lines.low_balance_line(result.low_balance))
        if not deleted:
            return Reply.say("nothing_to_undo")
        shown = tuple(Line("undone", lines.described(txn)) for txn in deleted) + tuple(lows)
        return Reply(lines=shown, written=tuple(_deleted(txn) for txn in deleted))

    def dropped(self, ctx: Context, slots: Slots) -> Reply:
        return Reply.say("dropped_undo")


class EditForm:
    form = forms.Form("edit_last", (references.PICK,), confirm="always")
    """forms.EDIT with the pick of an earlier transaction named by reference ("the uber was 25")."""

    async def prefill(self, ctx: Context) -> SlotValues | Reply:
        parse = ctx.understood
        want = references.wanted(ctx)
        change = parse.change
        if want is not None and (change is None or (change.amount is None and not change.category)):
            # The transaction is named but not what to change in it: ask about that one, not the last.
            found, _ = await references.candidates(ctx, want)
            if not found:
                return references.none_found()
            return Reply.say("edit_unclear", **lines.described(found[0]))
        if want is not None and change is not None:
            found, latest = await references.candidates(ctx, want)
            if not found:
                return references.none_found()
            new: SlotValues = (
                {"amount": str(change.amount), "currency": change.currency}
                if change.amount is not None
                else {"category": change.category}
            )
            if found and not (len(found) == 1 and latest is not None and found[0].id == latest.id):
                return {**references.slots_for(found, "edit"), **new}
            if found and latest is not None:
                currency = new.get("currency") or latest.amount.currency
                return {
                    "transaction_id": str(latest.id),
                    **new,
                    **({"currency": currency} if "amount" in new else {}),
                }
        latest = await _latest(ctx)
        if latest is None:
            return Reply.say("nothing_to_undo")
        if parse.amount is not None:
            currency = parse.currency or latest.amount.currency
            return {"transaction_id": str(latest.id), "amount": str(parse.amount), "currency": currency}
        if parse.category is not None and parse.category != latest.category:
            return {"transaction_id": str(latest.id), "category": parse.category}
        return Reply.say("edit_unclear", **lines.described(latest))

    def _new(self, slots: Slots) -> object:
        if slots.get("amount") is not None:
            return Money(Decimal(str(slots["amount"])), str(slots["currency"]))
        return CategoryName(str(slots["category"]))

    async def question(self, ctx: Context, slots: Slots) -> Reply:
        if slots.get("ref"):
            return references.confirm_edit(slots)
        latest = await _still_latest(ctx, slots)
        if latest is None:
            return Reply.say("nothing_to_undo")
        old: object = (
            latest.amount if slots.get("amount") is not None else CategoryName(latest.category or "other")
        )
        described = lines.described(latest)
        return Reply.say(
            "confirm_edit", label=described["label"], day=latest.occurred_on, old=old, new=self._new(slots)
        )

    async def submit(self, ctx: Context, slots: Slots) -> Reply:
        if slots.get("ref"):
            return await references.edit(ctx, slots)
        cmd = EditLast(
            user_id=ctx.user.id,
            amount=slots.get("amount"),
            currency=slots.get("currency"),
            category=slots.get("category"),
        )
        async with ctx.uow() as uow:
            latest = await uow.transactions.latest(ctx.user.id)
            if latest is None or latest.id != uuid.UUID(str(slots["transaction_id"])):
                return Reply.say("nothing_to_undo")
            result = await services.edit_last(cmd, uow, ctx.clock, source=Source.CHAT)
        after = result.after
        described = lines.described(after)
        edited = Reply.say("edited", **described, category=CategoryName(after.category or "other"))
        written = Written(
            "edited",
            after.id,
            after.amount,
            after.occurred_on,
            after.merchant or after.category,
            after.kind == TransactionKind.INCOME,
        )
        extra = [lines.budget(s) for s in result.budgets] + [lines.alert(c) for c in result.crossings]
        if result.low_balance is not None:
            extra.append(lines.low_balance_line(result.low_balance))
        return Reply(lines=(*edited.lines, *extra), written=(written,))

    def dropped(self, ctx: Context, slots: Slots) -> Reply:
        return Reply.say("dropped_edit")


def register(handlers: Handlers) -> None:
    handlers.add_form(UndoForm())
    handlers.add_form(EditForm())
