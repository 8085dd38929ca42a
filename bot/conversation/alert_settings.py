"""Budget alerts by chat: "alert me at 90% of dining", "avisa quando chegar a 50% do mercado", "stop budget
alerts" and back on. The sentences (locales/<lang>/alerts.yaml) are matched whole, before the classifier."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from functools import cache

import nlu
from bot.conversation import sentences
from bot.conversation.context import Context
from bot.conversation.control import fold
from bot.conversation.reply import CategoryName, Line, Reply, Written
from domain.budgets import alert_at
from domain.low_balance import WarnBelow, warn_below

KINDS = ("threshold", "pause", "resume", "low_balance")
_PLACEHOLDERS = {
    "{amount}": r"(?P<amount>[\w$€£ .,]+?)",
    "{percent}": r"(?P<percent>\d{1,3}) ?(?:%|percent|pct|por ?ciento|por ?cento|porcento)?",
    "{budget}": r"(?P<budget>[\w ]+?)",
}


@dataclass(frozen=True, slots=True)
class Said:
    kind: str
    percent: int | None = None
    budget: str | None = None
    """The words naming the budget's category, as written."""
    amount: str | None = None
    """low_balance: the amount as written ("100 mil", "R$ 500")."""


@cache
def _patterns() -> sentences.Patterns:
    return sentences.compile_all("alerts", KINDS, _PLACEHOLDERS)


def read(text: str) -> Said | None:
    matched = sentences.match(_patterns(), text)
    if matched is None:
        return None
    kind, found = matched
    if kind == "low_balance":
        return Said(kind, amount=found["amount"].strip())
    if kind != "threshold":
        return Said(kind)
    percent = int(found["percent"])
    return Said(kind, percent, found["budget"].strip()) if 1 <= percent <= 500 else None


async def said(ctx: Context) -> Reply | None:
    """The answer when the message is about budget alerts, else None (the classifier's reading goes on)."""
    found = read(ctx.message.text)
    if found is None:
        return None
    if found.kind == "low_balance":
        return await _low_balance(ctx, found.amount or "")
    if found.kind in ("pause", "resume"):
        on = found.kind == "resume"
        async with ctx.uow() as uow:
            user = await uow.users.lock(ctx.user.id)
            if user is None:
                return None
            user.budget_alerts = on
            await uow.users.update(user)
            await uow.commit()
        ctx.user.budget_alerts = on
        return Reply.say("alerts_resumed" if on else "alerts_paused")
    assert found.percent is not None and found.budget is not None
    # The budget's words name a category as a short answer does ("dining", "mercado", "el súper").
    _, category = nlu.read_payee(found.budget, str(ctx.user.language), merchants=ctx.merchants)
    if category is None and fold(found.budget) not in ("budget", "presupuesto", "orcamento", "total"):
        return None  # not a budget we can tell: let the classifier read the message
    async with ctx.uow() as uow:
        changed = await alert_at(ctx.user.id, category, found.percent, uow)
    name = CategoryName(category)
    if not changed:
        return Reply.say("alerts_no_budget", category=name)
    key = "alerts_at" if found.percent < 100 else "alerts_at_only"
    percent = Decimal(found.percent) / 100
    # Every budget changed is said, with its amount: a budget's thresholds are part of what it is.
    shown = tuple(Line(key, {"category": name, "amount": b.amount, "percent": percent}) for b in changed)
    written = tuple(Written("budget_set", None, b.amount, None, b.category) for b in changed)
    return Reply(lines=shown, written=written)


async def _low_balance(ctx: Context, written: str) -> Reply | None:
    """ "avísame si la cuenta baja de 100 mil": the warning on the user's default account, the amount read
    as any amount is ("100 mil", "R$ 500")."""
    amount = ctx.read(written, "set_budget").amount
    if amount is None:
        return None  # no amount we can tell: let the classifier read the message
    async with ctx.uow() as uow:
        account, balance = await warn_below(WarnBelow(ctx.user.id, amount), uow)
    assert account.low_balance is not None
    key = "low_balance_set_below" if account.low_balance_warned else "low_balance_set"
    return Reply.say(key, account=account.name, threshold=account.low_balance, balance=balance)
