"""Recurring rules: list, start (recording today's occurrence when it is due today), read, mark as a bill,
cancel."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Literal

from pydantic import Field

from bot.admin.api import Call, Listed, Resource
from bot.admin.problems import not_found
from bot.admin.schemas import Amount, AmountText, Category, Currency, ListQuery, Merchant, Note, Out, Strict
from domain.bills import set_bill
from domain.model import RecurringRule
from domain.recurring import CreateRecurring, cancel_rule, start_rule

api = Resource("recurring-rules")


class RecurringIn(Strict):
    user_id: uuid.UUID
    kind: Literal["expense", "income"]
    amount: Amount
    currency: Currency | None = None
    """Defaults to the user's currency."""
    cadence: Literal["weekly", "monthly"]
    anchor: int | None = Field(default=None, ge=0, le=31)
    """Weekly: the weekday, 0 = Monday to 6. Monthly: the day of the month, 1 to 31 (the last day in shorter
    months). Defaults to the start day's."""
    start: date | None = None
    """The first day an occurrence may fall on. Defaults to today in the user's zone; occurrences already due
    (a start in the past, or today's) are recorded at once."""
    account_id: uuid.UUID | None = None
    merchant: Merchant | None = None
    category: Category | None = None
    note: Note | None = None
    bill: bool = False
    """A bill: its user is reminded the day before it is due, unless it was already paid."""


class RecurringPatch(Strict):
    bill: bool | None = None
    """Mark the rule as a bill (reminded the day before it is due) or no longer; the schedule itself never
    changes (cancel the rule and start another)."""


class RecurringOut(Out):
    id: uuid.UUID
    user_id: uuid.UUID
    kind: str
    amount: AmountText
    currency: str
    cadence: str
    anchor: int
    next_due: date
    account_id: uuid.UUID | None
    merchant: str | None
    category: str | None
    note: str | None
    created_at: datetime | None
    cancelled_at: datetime | None
    bill: bool
    """Reminded the day before it is due."""
    recorded: list[uuid.UUID] = Field(default_factory=list)
    """On creation: the transactions recorded at once (occurrences already due)."""

    @classmethod
    def of(cls, rule: RecurringRule, recorded: list[uuid.UUID] | None = None) -> RecurringOut:
        return cls(
            id=rule.id,
            user_id=rule.user_id,
            kind=str(rule.kind),
            amount=str(rule.amount.quantized().amount),
            currency=rule.amount.currency,
            cadence=str(rule.cadence),
            anchor=rule.anchor,
            next_due=rule.next_due,
            account_id=rule.account_id,
            merchant=rule.merchant,
            category=rule.category,
            note=rule.note,
            created_at=rule.created_at,
            cancelled_at=rule.cancelled_at,
            bill=rule.bill,
            recorded=recorded or [],
        )


class RecurringQuery(ListQuery):
    user_id: uuid.UUID | None = None


@api.listing("/recurring-rules", item=RecurringOut, query=RecurringQuery, summary="List recurring rules")
async def list_recurring_rules(call: Call) -> Listed:
    query: RecurringQuery = call.query
    after = uuid.UUID(str(call.after[0])) if call.after else None
    async with call.reading() as uow:
        rules = await uow.recurring.page(user_id=query.user_id, after=after, limit=call.limit + 1)
    page = rules[: call.limit]
    more = [str(page[-1].id)] if len(rules) > call.limit else None
    return Listed([RecurringOut.of(rule) for rule in page], more)


@api.post("/recurring-rules", body=RecurringIn, response=RecurringOut, summary="Start a recurring rule")
async def create_recurring_rule(call: Call) -> RecurringOut:
    body: RecurringIn = call.body
    cmd = CreateRecurring(
        user_id=body.user_id,
        kind=body.kind,
        amount=body.amount,
        cadence=body.cadence,
        currency=body.currency,
        anchor=body.anchor,
        start=body.start,
        merchant=body.merchant,
        category=body.category,
        note=body.note,
        account_id=body.account_id,
        bill=body.bill,
    )
    async with call.writing() as uow:
        started = await start_rule(cmd, uow, call.clock)
        recorded = [result.transaction.id for result in started.recorded if result.created]
        out = RecurringOut.of(started.rule, recorded)
        call.audit("create", "recurring_rule", started.rule.id, None, out)
    return out


@api.get("/recurring-rules/{rule_id}", response=RecurringOut, summary="One recurring rule")
async def get_recurring_rule(call: Call) -> RecurringOut:
    async with call.reading() as uow:
        rule = await uow.recurring.get(call.id("rule_id"))
    if rule is None:
        raise not_found("recurring rule")
    return RecurringOut.of(rule)


@api.patch(
    "/recurring-rules/{rule_id}",
    body=RecurringPatch,
    response=RecurringOut,
    summary="Mark a recurring rule as a bill (reminded the day before it is due) or no longer",
)
async def update_recurring_rule(call: Call) -> RecurringOut:
    body: RecurringPatch = call.body
    async with call.writing() as uow:
        before = await uow.recurring.get(call.id("rule_id"))
        if before is None or not before.active:
            raise not_found("recurring rule")
        old = RecurringOut.of(before)
        after = before if body.bill is None else await set_bill(before.id, body.bill, uow)
        out = RecurringOut.of(after)
        call.audit("update", "recurring_rule", after.id, old, out)
    return out


@api.delete("/recurring-rules/{rule_id}", summary="Cancel a recurring rule (what it recorded stays)")
async def cancel_recurring_rule(call: Call) -> None:
    async with call.writing() as uow:
        before = await uow.recurring.get(call.id("rule_id"))
        if before is None:
            raise not_found("recurring rule")
        after = await cancel_rule(before.id, uow, call.clock)
        call.audit("delete", "recurring_rule", after.id, RecurringOut.of(before), RecurringOut.of(after))
