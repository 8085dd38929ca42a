"""Bill reminders: marking a recurring rule as a bill, and scheduling its reminder the day before it is due.

A rule marked as a bill (RecurringRule.bill) is reminded once per due day, the day before in its user's zone
("Amanhã: aluguel R$ 1.800,00, conta corrente"). The worker's pass (schedule_reminders) stores a BillDue event
under an id made of the rule and the due day, so two workers, or two passes, store it once. No reminder is
scheduled for an occurrence already paid (domain/bill_payments.py says what pays one), nor late: a pass that
runs on the due day or after (the worker was down the whole day before) schedules nothing for it, and the
dispatcher re-checks before sending (still_due): paid in the meantime, no longer a bill, or too late.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, time, timedelta
from typing import Protocol
from zoneinfo import ZoneInfo

from domain.bill_payments import find_payment
from domain.errors import NotFound, ValidationError
from domain.events import BillDue, Event
from domain.model import RecurringRule, TransactionKind
from domain.periods import local_today
from domain.ports import Clock, UnitOfWork
from domain.recurring import occurrence_after, occurrence_before

REMINDERS = uuid.UUID("6f1d3c2e-0b7a-5d41-9a3e-5b2f8c1d7e40")
"""The namespace of reminder ids (uuid5 of "<rule id>:<due day>")."""
PAID = "bill_paid"
"""The dispatcher's outcome for a reminder whose bill was paid after it was scheduled."""
OFF = "bill_off"
"""The dispatcher's outcome for a reminder whose rule is no longer an active bill."""
REMIND_FROM = time(9, 0)
"""Reminders are scheduled from this hour of the day before, in the user's zone: a reminder at midnight would
wake whoever turned quiet hours off, and a morning one leaves the day to pay."""
LATE = "bill_late"
"""The dispatcher's outcome for a reminder that could only go out on the due day or after."""


class ReminderOutbox(Protocol):
    """The outbox's add_once (adapters/db/outbox.py SqlOutbox): an event stored once under the caller's id."""

    async def add_once(self, event: Event, event_id: uuid.UUID) -> bool: ...


def reminder_id(rule_id: uuid.UUID, due: date) -> uuid.UUID:
    """The outbox id of a rule's reminder for one due day: the same for every worker and pass."""
    return uuid.uuid5(REMINDERS, f"{rule_id}:{due.isoformat()}")


def bill_name(rule: RecurringRule) -> str:
    """What the reminder calls the bill: its merchant, else the user's words, else its category key."""
    return rule.merchant or rule.note or rule.category or "other"


def next_reminder(rule: RecurringRule, today: date) -> date:
    """The day the rule's next reminder goes: the day before its first due day after today (due tomorrow:
    today, at the worker's next pass; due today: reminded of the next occurrence)."""
    due = rule.next_due
    while due <= today:
        due = occurrence_after(rule.cadence, rule.anchor, due)
    return due - timedelta(days=1)


async def set_bill(rule_id: uuid.UUID, on: bool, uow: UnitOfWork) -> RecurringRule:
    """Mark an active expense rule as a bill (reminded the day before) or no longer; the rule as it now is.
    Setting what is already set changes nothing and is no error."""
    rule = await uow.recurring.get(rule_id)
    if rule is None or not rule.active:
        raise NotFound("recurring rule", rule_id)
    if on and rule.kind != TransactionKind.EXPENSE:
        raise ValidationError("bill", "only an expense can be a bill")
    if rule.bill != on:
        rule.bill = on
        await uow.recurring.update(rule)
        await uow.commit()
    return rule


@dataclass(frozen=True, slots=True)
class ReminderPass:
    """What one scheduling pass over a tenant's bills did."""

    scheduled: int
    """Reminders stored now (not those another worker or an earlier pass stored)."""
    paid_early: tuple[tuple[uuid.UUID, date, uuid.UUID], ...] = ()
    """Bills due tomorrow with no reminder because they are paid (rule id, due day, paying transaction)."""


async def schedule_reminders(uow: UnitOfWork, outbox: ReminderOutbox, clock: Clock) -> ReminderPass:
    """The worker's pass over one tenant: a BillDue for each active bill due tomorrow in its user's zone
    and not paid yet, stored once per rule and due day. Run after the recurring rules' pass, which has
    moved every next_due past today."""
    utc_today = clock.now().date()
    # Tomorrow is between UTC's today (UTC-12) and the day after tomorrow (UTC+14): checked per user below.
    rules = await uow.recurring.bills_due(utc_today, utc_today + timedelta(days=2))
    scheduled = 0
    paid: list[tuple[uuid.UUID, date, uuid.UUID]] = []
    users: dict[uuid.UUID, date | None] = {}
    for rule in rules:
        if rule.user_id not in users:
            user = await uow.users.get(rule.user_id)
            users[rule.user_id] = None if user is None else _reminding_day(clock, user.timezone)
        today = users[rule.user_id]
        if today is None or rule.next_due != today + timedelta(days=1):
            continue  # not tomorrow where its user is (or due already: no late reminder), or before 9:00
        since = occurrence_before(rule.cadence, rule.anchor, rule.next_due)
        payment = await find_payment(rule, since, rule.next_due, uow)
        if payment is not None:
            paid.append((rule.id, rule.next_due, payment.id))
            continue
        event = BillDue(
            tenant_id=rule.tenant_id,
            user_id=rule.user_id,
            rule_id=rule.id,
            due=rule.next_due,
            amount=rule.amount,
            name=bill_name(rule),
            account=await _account_name(rule, uow),
        )
        scheduled += await outbox.add_once(event, reminder_id(rule.id, rule.next_due))
    await uow.commit()
    return ReminderPass(scheduled, tuple(paid))


async def still_due(event: BillDue, uow: UnitOfWork, clock: Clock) -> str | None:
    """Why a scheduled reminder must not be sent now (OFF, LATE, PAID), None when it should go out."""
    rule = await uow.recurring.get(event.rule_id)
    if rule is None or not rule.active or not rule.bill:
        return OFF
    user = await uow.users.get(event.user_id)
    if user is not None and local_today(clock, user.timezone) >= event.due:
        return LATE
    since = occurrence_before(rule.cadence, rule.anchor, event.due)
    if await find_payment(rule, since, event.due, uow) is not None:
        return PAID
    return None


def _reminding_day(clock: Clock, tz_name: str) -> date | None:
    """The user's today once it is REMIND_FROM or later there; None earlier in their day."""
    local = clock.now().astimezone(ZoneInfo(tz_name))
    return local.date() if local.time() >= REMIND_FROM else None


async def _account_name(rule: RecurringRule, uow: UnitOfWork) -> str | None:
    """The account it is paid from: the rule's, else the user's default one (where it would be recorded)."""
    account = (
        await uow.accounts.get(rule.account_id)
        if rule.account_id is not None
        else await uow.accounts.default_for(rule.user_id)
    )
    return None if account is None else account.name


__all__ = [
    "LATE",
    "OFF",
    "PAID",
    "REMIND_FROM",
    "ReminderOutbox",
    "ReminderPass",
    "bill_name",
    "next_reminder",
    "reminder_id",
    "schedule_reminders",
    "set_bill",
    "still_due",
]
