"""Recurring rules ("netflix 39,90 todo mês"): their schedule, and recording each occurrence exactly once."""

from __future__ import annotations

import calendar
import uuid
from dataclasses import dataclass, replace
from datetime import date, timedelta

from domain import validation as v
from domain.bill_payments import find_payment
from domain.commands import AmountInput, RecordTransaction
from domain.errors import DomainError, NotFound, ValidationError
from domain.ledger import record_occurrence
from domain.model import Recurrence, RecurringRule, Source, TransactionKind, new_id
from domain.periods import local_today
from domain.ports import Clock, UnitOfWork
from domain.results import RecordResult

MAX_CATCH_UP = 62
"""Occurrences one rule records in one go: after a long downtime a weekly rule catches up a year at most
(the rest follows on the next passes), so one rule cannot hold a worker's transaction for long."""


@dataclass(frozen=True, slots=True)
class CreateRecurring:
    """Start a recurring rule for a user."""

    user_id: uuid.UUID
    kind: TransactionKind | str
    amount: AmountInput
    cadence: Recurrence | str
    currency: str | None = None
    """Defaults to the user's currency."""
    anchor: int | None = None
    """Defaults to the start day's weekday (weekly) or day of the month (monthly)."""
    start: date | None = None
    """The first day an occurrence may fall on; defaults to today in the user's zone."""
    merchant: str | None = None
    category: str | None = None
    note: str | None = None
    account_id: uuid.UUID | None = None
    bill: bool = False
    """A bill: reminded the day before it is due (domain/bills.py)."""


@dataclass(frozen=True, slots=True)
class Started:
    """A new rule, and the occurrences recorded at once because they were already due (today's)."""

    rule: RecurringRule
    recorded: tuple[RecordResult, ...]


def occurrence_on_or_after(cadence: Recurrence, anchor: int, day: date) -> date:
    """The first day on or after `day` that the schedule falls on."""
    if cadence == Recurrence.WEEKLY:
        return day + timedelta(days=(anchor - day.weekday()) % 7)
    this_month = _monthly(day.year, day.month, anchor)
    if this_month >= day:
        return this_month
    year, month = (day.year + 1, 1) if day.month == 12 else (day.year, day.month + 1)
    return _monthly(year, month, anchor)


def occurrence_after(cadence: Recurrence, anchor: int, day: date) -> date:
    """The first day strictly after `day` that the schedule falls on."""
    return occurrence_on_or_after(cadence, anchor, day + timedelta(days=1))


def occurrence_before(cadence: Recurrence, anchor: int, day: date) -> date:
    """The last day strictly before `day` that the schedule falls on."""
    if cadence == Recurrence.WEEKLY:
        return day - timedelta(days=(day.weekday() - anchor - 1) % 7 + 1)
    this_month = _monthly(day.year, day.month, anchor)
    if this_month < day:
        return this_month
    year, month = (day.year - 1, 12) if day.month == 1 else (day.year, day.month - 1)
    return _monthly(year, month, anchor)


def _monthly(year: int, month: int, anchor: int) -> date:
    return date(year, month, min(anchor, calendar.monthrange(year, month)[1]))


def source_ref(rule_id: uuid.UUID, day: date) -> str:
    """The idempotency key of one occurrence: recording it twice (two workers, a retry) finds the first."""
    return f"{rule_id}:{day.isoformat()}"


async def start_rule(cmd: CreateRecurring, uow: UnitOfWork, clock: Clock) -> Started:
    """Validate and store a rule, and record its occurrences already due (a rule starting today records
    today's at once, so the reply can say so). Everything is checked before the first write."""
    user = await uow.users.lock(cmd.user_id)
    if user is None:
        raise NotFound("user", cmd.user_id)
    today = local_today(clock, user.timezone)
    kind = v.transaction_kind(cmd.kind)
    cadence = _cadence(cmd.cadence)
    code = v.currency(user.currency if cmd.currency is None else cmd.currency)
    amount = v.positive_money(cmd.amount, code)
    start = today if cmd.start is None else v.occurred_on(cmd.start, today + timedelta(days=366))
    anchor = _anchor(cadence, cmd.anchor, start)
    if cmd.bill and kind != TransactionKind.EXPENSE:
        raise ValidationError("bill", "only an expense can be a bill")
    rule = RecurringRule(
        id=new_id(),
        tenant_id=user.tenant_id,
        user_id=user.id,
        kind=kind,
        amount=amount,
        cadence=cadence,
        anchor=anchor,
        next_due=occurrence_on_or_after(cadence, anchor, start),
        merchant=v.optional_text(cmd.merchant, "merchant", v.MAX_MERCHANT),
        category=v.category(cmd.category),
        note=v.optional_text(cmd.note, "note", v.MAX_NOTE),
        account_id=cmd.account_id,
        created_at=clock.now(),
        bill=bool(cmd.bill),
    )
    await uow.recurring.add(rule)
    recorded = await _record_due(rule, uow, clock, today)
    await uow.commit()
    return Started(rule, recorded)


async def cancel_rule(rule_id: uuid.UUID, uow: UnitOfWork, clock: Clock) -> RecurringRule:
    """Stop a rule: nothing more is recorded; what was recorded stays. Cancelling twice is harmless."""
    rule = await uow.recurring.get(rule_id)
    if rule is None:
        raise NotFound("recurring rule", rule_id)
    if rule.cancelled_at is None:
        rule = replace(rule, cancelled_at=clock.now())
        await uow.recurring.update(rule)
        await uow.commit()
    return rule


@dataclass(frozen=True, slots=True)
class DuePass:
    """What one pass over a tenant's due rules did."""

    created: int
    """Occurrences recorded."""
    refused: tuple[tuple[uuid.UUID, str], ...] = ()
    """Rules that could not be recorded (id, why): they stay due and are tried again next pass."""
    paid_early: tuple[tuple[uuid.UUID, date, uuid.UUID], ...] = ()
    """Bills' occurrences not recorded because a payment was already recorded by hand (rule id, due day,
    the paying transaction's id): next_due moved past them all the same (domain/bill_payments.py)."""


async def record_due_rules(uow: UnitOfWork, clock: Clock, limit: int = 50) -> DuePass:
    """The worker's pass over one tenant: record every occurrence that is due, once.
    Rules are claimed so that two workers never record the same rule at once (FOR UPDATE SKIP LOCKED on
    PostgreSQL), and each occurrence carries its own idempotency key besides."""
    # Claimed by the latest day it could be anywhere (UTC+14), then checked in each user's own zone.
    horizon = clock.now().date() + timedelta(days=1)
    created = 0
    refused: list[tuple[uuid.UUID, str]] = []
    paid_early: list[tuple[uuid.UUID, date, uuid.UUID]] = []
    users: dict[uuid.UUID, date | None] = {}
    for rule in await uow.recurring.claim_due(horizon, limit):
        if rule.user_id not in users:
            user = await uow.users.lock(rule.user_id)
            users[rule.user_id] = None if user is None else local_today(clock, user.timezone)
        today = users[rule.user_id]
        if today is None:
            continue  # the user is gone: the rule waits (the admin API can cancel it)
        try:
            passed: list[tuple[uuid.UUID, date, uuid.UUID]] = []
            recorded = await _record_due(rule, uow, clock, today, passed)
            created += sum(result.created for result in recorded)
            paid_early += passed
        except DomainError as exc:
            # Refused before writing (its account was deleted, say): the others go on; this one stays due
            # and is tried again next pass. Occurrences it recorded before the refusal are kept: each
            # carries its own key, so the next pass finds them instead of writing them again.
            refused.append((rule.id, str(exc)))
    await uow.commit()
    return DuePass(created, tuple(refused), tuple(paid_early))


async def _record_due(
    rule: RecurringRule,
    uow: UnitOfWork,
    clock: Clock,
    today: date,
    paid_early: list[tuple[uuid.UUID, date, uuid.UUID]] | None = None,
) -> tuple[RecordResult, ...]:
    """Record the rule's occurrences up to today (at most MAX_CATCH_UP) and move next_due past them. A bill
    already paid by hand is not recorded a second time: its occurrence is passed over (and listed in
    `paid_early`)."""
    results: list[RecordResult] = []
    day = rule.next_due
    passed = 0
    while rule.active and day <= today and len(results) + passed < MAX_CATCH_UP:
        if rule.bill:
            since = occurrence_before(rule.cadence, rule.anchor, day)
            payment = await find_payment(rule, since, day, uow)
            if payment is not None:
                if paid_early is not None:
                    paid_early.append((rule.id, day, payment.id))
                passed += 1
                day = occurrence_after(rule.cadence, rule.anchor, day)
                continue
        cmd = RecordTransaction(
            user_id=rule.user_id,
            kind=rule.kind,
            amount=rule.amount.amount,
            currency=rule.amount.currency,
            occurred_on=day,
            merchant=rule.merchant,
            category=rule.category,
            note=rule.note,
            account_id=rule.account_id,
            source=Source.RECURRING,
            source_ref=source_ref(rule.id, day),
        )
        results.append(await record_occurrence(cmd, uow, clock))
        day = occurrence_after(rule.cadence, rule.anchor, day)
    if day != rule.next_due:
        rule.next_due = day
        await uow.recurring.update(rule)
    return tuple(results)


def _cadence(value: Recurrence | str) -> Recurrence:
    try:
        return Recurrence(str(value))
    except ValueError:
        raise ValidationError("cadence", "must be weekly or monthly") from None


def _anchor(cadence: Recurrence, anchor: int | None, start: date) -> int:
    if anchor is None:
        return start.weekday() if cadence == Recurrence.WEEKLY else start.day
    if isinstance(anchor, bool) or not isinstance(anchor, int):
        raise ValidationError("anchor", "must be a whole number")
    low, high = (0, 6) if cadence == Recurrence.WEEKLY else (1, 31)
    if not low <= anchor <= high:
        what = "a weekday, 0 (Monday) to 6" if cadence == Recurrence.WEEKLY else "a day of the month, 1 to 31"
        raise ValidationError("anchor", f"must be {what}")
    return anchor


__all__ = [
    "MAX_CATCH_UP",
    "CreateRecurring",
    "DuePass",
    "RecurringRule",
    "Started",
    "cancel_rule",
    "occurrence_after",
    "occurrence_before",
    "occurrence_on_or_after",
    "record_due_rules",
    "source_ref",
    "start_rule",
]
