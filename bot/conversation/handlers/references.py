"""Undo and edit of an earlier transaction named by reference: find it, ask which of several, confirm."""

from __future__ import annotations

import re
import uuid
from decimal import Decimal
from functools import cache
from typing import Any

from bot.conversation import lines
from bot.conversation.context import Context
from bot.conversation.forms import Slot, Slots, SlotValues
from bot.conversation.reply import CategoryName, Line, Reply, Written
from bot.replies import replies
from domain import references, search
from domain.model import Transaction, TransactionKind
from domain.money import Money
from domain.periods import local_today
from nlu.data import load_lang
from nlu.normalize import fold
from nlu.reference import Reference
from nlu.types import CATEGORIES, LANGUAGES

MAX_LISTED = 9
"""Most matches offered by number; more are narrowed by saying more ("the uber of yesterday")."""
_NUMBER = re.compile(r"^\D{0,12}?(\d)\D{0,20}$")


@cache
def category_names() -> frozenset[str]:
    """Every category's shown name in every language, folded ("mercado", "super", "groceries")."""
    names = replies()
    return frozenset(fold(names.category(key, lang)) for key in CATEGORIES for lang in LANGUAGES)


def described(ref: Reference) -> search.Wanted:
    """What to look for. Words that are only a category's name ("o mercado") look for the category; a
    thing named ("the couch one") is looked for by its words alone: the couch is never the rent, even
    though both are housing."""
    things = tuple(w for w in ref.words if w not in category_names())
    category = None if things else ref.category
    return search.Wanted(
        merchant=ref.merchant, category=category, amount=ref.amount, day=ref.date, words=things
    )


def wanted(ctx: Context) -> search.Wanted | None:
    ref = ctx.understood.reference
    return None if ref is None else described(ref)


async def candidates(ctx: Context, want: search.Wanted) -> tuple[list[Transaction], Transaction | None]:
    """(the recent transactions the reference fits, newest first; the user's latest transaction)."""
    today = local_today(ctx.clock, ctx.user.timezone)
    async with ctx.uow() as uow:
        found = await search.find(uow, ctx.user.id, want, today)
        latest = await uow.transactions.latest(ctx.user.id)
    return found, latest


def card(txn: Transaction) -> dict[str, Any]:
    """A transaction as the pending form keeps it (JSON), to list and confirm without reading it again."""
    return {
        "id": str(txn.id),
        "amount": str(txn.amount.amount),
        "currency": txn.amount.currency,
        "day": txn.occurred_on.isoformat(),
        "merchant": txn.merchant,
        "category": txn.category,
        "note": txn.note,
        "income": txn.kind == TransactionKind.INCOME,
    }


def none_found() -> Reply:
    return Reply.say("reference_none", days=search.RECENT_DAYS)


def slots_for(found: list[Transaction], action: str) -> SlotValues:
    """The form's slots: the one transaction meant, or the numbered candidates to pick from."""
    if len(found) == 1:
        return {"ref": action, "chosen": card(found[0])}
    return {
        "ref": action,
        "candidates": [card(t) for t in found[:MAX_LISTED]],
        "more": len(found) > MAX_LISTED,
    }


def chosen(slots: Slots) -> dict[str, Any] | None:
    if slots.get("chosen"):
        return dict(slots["chosen"])
    pick, listed = slots.get("pick"), slots.get("candidates") or []
    if isinstance(pick, int) and 1 <= pick <= len(listed):
        return dict(listed[pick - 1])
    return None


def has_choice(slots: Slots) -> bool:
    return not slots.get("ref") or chosen(slots) is not None


@cache
def _ordinals() -> dict[str, int]:
    words: dict[str, int] = {}
    for lang in LANGUAGES:
        for word, number in (load_lang(lang, "conversation").get("ordinals") or {}).items():
            words[fold(str(word))] = int(number)
    return words


def read_pick(ctx: Context) -> SlotValues | Reply | None:
    """The number picked from the list: "2", "#2", "the second one", "o segundo", "el primero"."""
    text = fold(ctx.message.text).strip()
    match = _NUMBER.match(text)
    if match:
        return {"pick": int(match.group(1))}
    ordinals = _ordinals()
    picked = [ordinals[w] for w in re.findall(r"[a-z0-9]+", text) if w in ordinals]
    return {"pick": picked[0]} if len(set(picked)) == 1 else None


def _label(item: dict[str, Any]) -> object:
    return item.get("merchant") or item.get("note") or CategoryName(item.get("category") or "other")


def _values(item: dict[str, Any]) -> dict[str, object]:
    from datetime import date

    label: object = item.get("merchant") or CategoryName(item.get("category") or "other")
    money = Money(Decimal(item["amount"]), item["currency"])
    return {"amount": money, "label": label, "day": date.fromisoformat(item["day"])}


async def ask_which(ctx: Context, slots: Slots) -> Reply:
    """The numbered list of what fits, income and expenses marked apart."""
    listed = slots.get("candidates") or []
    shown = [Line("which_one", {"count": len(listed)})]
    for n, item in enumerate(listed, start=1):
        values = {**_values(item), "n": n, "label": _label(item)}
        shown.append(Line("which_line_income" if item.get("income") else "which_line", values))
    if slots.get("more"):
        shown.append(Line("which_more", {"count": MAX_LISTED}))
    shown.append(Line("which_answer"))
    return Reply(lines=tuple(shown))


PICK = Slot("choice", "which_answer", has_choice, read_pick, ask_which)
"""Which of several matching transactions is meant; filled at once when only one fits."""


def confirm_delete(slots: Slots) -> Reply:
    item = chosen(slots)
    assert item is not None
    return Reply.say("confirm_undo", **{**_values(item), "label": _label(item)})


def confirm_edit(slots: Slots) -> Reply:
    item = chosen(slots)
    assert item is not None
    values = _values(item)
    if slots.get("amount") is not None:
        old: object = values["amount"]
        new: object = Money(Decimal(str(slots["amount"])), str(slots.get("currency") or item["currency"]))
    else:
        old, new = CategoryName(item.get("category") or "other"), CategoryName(str(slots["category"]))
    return Reply.say("confirm_edit", label=_label(item), day=values["day"], old=old, new=new)


def _written(kind: str, txn: Transaction) -> Written:
    income = txn.kind == TransactionKind.INCOME
    return Written(kind, txn.id, txn.amount, txn.occurred_on, txn.merchant or txn.category, income)  # type: ignore[arg-type]


async def delete(ctx: Context, slots: Slots) -> Reply:
    item = chosen(slots)
    assert item is not None
    async with ctx.uow() as uow:
        result = await references.delete_own(uow, ctx.clock, ctx.user.id, uuid.UUID(item["id"]))
    before = result.before
    return Reply(
        lines=(Line("undone", lines.described(before)), Line("undo_hint")),
        written=(_written("deleted", before),),
    )


async def edit(ctx: Context, slots: Slots) -> Reply:
    item = chosen(slots)
    assert item is not None
    amount = slots.get("amount")
    async with ctx.uow() as uow:
        result = await references.edit_own(
            uow,
            ctx.clock,
            ctx.user.id,
            uuid.UUID(item["id"]),
            amount=None if amount is None else Decimal(str(amount)),
            currency=slots.get("currency") if amount is not None else None,
            category=slots.get("category") if amount is None else None,
        )
    after = result.after
    edited = Line("edited", {**lines.described(after), "category": CategoryName(after.category or "other")})
    extra = [lines.budget(s) for s in result.budgets] + [lines.alert(c) for c in result.crossings]
    if result.low_balance is not None:
        extra.append(lines.low_balance_line(result.low_balance))
    written = (_written("edited", after),) if result.after != result.before else ()
    return Reply(lines=(edited, Line("undo_hint"), *extra), written=written)


# --- undo right after a change by reference: take that change back ---


async def revertible(ctx: Context) -> SlotValues | None:
    async with ctx.uow() as uow:
        record = await references.latest_change(uow, ctx.user.id)
        if record is None:
            return None
        txn = await uow.transactions.get(record.transaction_id)
    if txn is None:
        return None
    return {
        "revert": record.action,
        "record_at": record.at.isoformat(),
        "chosen": card(txn),
        "old": record.before,
    }


def confirm_revert(slots: Slots) -> Reply:
    item = dict(slots["chosen"])
    values = _values(item)
    if slots["revert"] == "delete":
        return Reply.say("confirm_restore", **values)
    old = slots["old"]
    return Reply.say(
        "confirm_revert",
        label=values["label"],
        day=values["day"],
        new=Money(Decimal(item["amount"]), item["currency"]),
        old=Money(Decimal(str(old["amount"])), str(old["currency"])),
    )


async def revert(ctx: Context, slots: Slots) -> Reply:
    async with ctx.uow() as uow:
        record = await references.latest_change(uow, ctx.user.id)
        if record is None or record.at.isoformat() != slots["record_at"]:
            return Reply.say("nothing_to_undo")  # something else happened since the question: touch nothing
        result = await references.revert(uow, ctx.clock, ctx.user.id, record)
    after = result.after
    key = "restored" if slots["revert"] == "delete" else "reverted"
    return Reply(
        lines=(Line(key, lines.described(after)),),
        written=(_written("edited", after),),
    )
