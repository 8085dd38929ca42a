"""Savings goals: a target and a date, money put in (or taken out) by transfer, progress and pace."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, replace
from datetime import date
from decimal import ROUND_UP, Decimal
from typing import Literal

from domain import validation as v
from domain.commands import AddAccount, AmountInput, GetBalance, RecordTransfer
from domain.directory import open_account
from domain.errors import NotFound, ValidationError
from domain.lookup import require_user
from domain.model import AccountKind, Goal, Source, new_id
from domain.money import Money, minor_units
from domain.periods import local_today
from domain.ports import Clock, UnitOfWork
from domain.reports import get_balance
from domain.results import TransferResult
from domain.transfers import record_transfer

Pace = Literal["achieved", "on_track", "behind"]


@dataclass(frozen=True, slots=True)
class CreateGoal:
    """Start saving towards a target, in an account of the goal's own (named like the goal)."""

    user_id: uuid.UUID
    name: str
    target: AmountInput
    currency: str | None = None
    """Defaults to the user's currency."""
    target_date: date | None = None


@dataclass(frozen=True, slots=True)
class Contribute:
    """Put money into a goal (from an account of the user's, the default one unless named), or take it out
    (`withdraw`: back to that account)."""

    goal_id: uuid.UUID
    amount: AmountInput
    account_id: uuid.UUID | None = None
    withdraw: bool = False
    source: Source | str = Source.CHAT
    source_ref: str | None = None


@dataclass(frozen=True, slots=True)
class GoalStatus:
    """Where a goal stands today."""

    goal: Goal
    saved: Money
    left: Money
    """What is still missing (zero once the target is reached)."""
    months_left: int | None
    """Calendar months from this one to the target date's, both counted; 0 past the date; None without one."""
    monthly_needed: Money | None
    """What to put in each month left to arrive on time (all of it at once when the date has passed)."""
    expected_by_now: Money | None
    """What a steady pace from the start would have saved by today."""
    pace: Pace | None
    """achieved; on_track or behind a steady pace to the date; None without a date and not achieved."""


async def start_goal(cmd: CreateGoal, uow: UnitOfWork, clock: Clock) -> GoalStatus:
    """Validate, create the goal and its account in one commit, and say where it stands (nothing saved)."""
    await uow.users.lock(cmd.user_id)
    user = await require_user(uow, cmd.user_id)
    name = v.required_text(cmd.name, "name", v.MAX_ACCOUNT_NAME)
    code = v.currency(user.currency if cmd.currency is None else cmd.currency)
    target = v.positive_money(cmd.target, code, "target")
    today = local_today(clock, user.timezone)
    if cmd.target_date is not None and (not isinstance(cmd.target_date, date) or cmd.target_date < today):
        raise ValidationError("target_date", "must be today or later", reason="past")
    # The goal's money lives in a savings account of its own, named like the goal (names are unique per
    # user, so a clash is a Conflict on "name"); opened in this transaction, committed with the goal.
    account = await open_account(
        AddAccount(user_id=user.id, name=name, kind=AccountKind.SAVINGS, currency=code), uow, clock
    )
    now = clock.now()
    goal = Goal(
        id=new_id(),
        tenant_id=user.tenant_id,
        user_id=user.id,
        name=name,
        target=target,
        account_id=account.id,
        target_date=cmd.target_date,
        created_at=now,
    )
    await uow.goals.add(goal)
    await uow.commit()
    return status_of(goal, Money.zero(code), today, today)


async def contribute(cmd: Contribute, uow: UnitOfWork, clock: Clock) -> tuple[TransferResult, GoalStatus]:
    """Move money into (or out of) the goal's account by transfer; commit once. Taking out more than was
    saved is refused: a goal's account never goes below zero."""
    goal = await _open_goal(uow, cmd.goal_id)
    await uow.users.lock(goal.user_id)
    user = await require_user(uow, goal.user_id)
    other = cmd.account_id or await _default_account(uow, goal)
    if other == goal.account_id:
        raise ValidationError("account_id", "must be another account than the goal's own")
    amount = v.positive_money(cmd.amount, goal.target.currency)
    if cmd.withdraw:
        saved = await _saved(uow, goal)
        if amount > saved:
            raise ValidationError(
                "amount", f"the goal holds {saved.amount} {saved.currency}", reason="more_than_saved"
            )
    origin, target = (goal.account_id, other) if cmd.withdraw else (other, goal.account_id)
    transfer = RecordTransfer(
        user_id=goal.user_id,
        from_account_id=origin,
        to_account_id=target,
        amount=amount.amount,
        currency=amount.currency,
        note=goal.name,
        source=cmd.source,
        source_ref=cmd.source_ref,
    )
    result = await record_transfer(transfer, uow, clock)
    today = local_today(clock, user.timezone)
    return result, await _status(uow, goal, today)


async def goal_status(goal_id: uuid.UUID, uow: UnitOfWork, clock: Clock) -> GoalStatus:
    goal = await uow.goals.get(goal_id)
    if goal is None:
        raise NotFound("goal", goal_id)
    user = await require_user(uow, goal.user_id)
    return await _status(uow, goal, local_today(clock, user.timezone))


async def close_goal(goal_id: uuid.UUID, uow: UnitOfWork, clock: Clock) -> Goal:
    """Stop tracking a goal. Its account and the money in it stay (a transfer moves it elsewhere)."""
    goal = await uow.goals.get(goal_id)
    if goal is None:
        raise NotFound("goal", goal_id)
    if goal.closed_at is None:
        goal = replace(goal, closed_at=clock.now())
        await uow.goals.update(goal)
        await uow.commit()
    return goal


def status_of(goal: Goal, saved: Money, today: date, started: date) -> GoalStatus:
    """The arithmetic of a goal's progress, pure: money never crosses currencies here."""
    code = goal.target.currency
    left = max(goal.target - saved, Money.zero(code)).quantized()
    if saved >= goal.target:
        pace: Pace | None = "achieved"
    else:
        pace = None
    if goal.target_date is None:
        return GoalStatus(goal, saved.quantized(), left, None, None, None, pace)
    target_day = goal.target_date
    if target_day < today:
        months = 0
    else:
        months = (target_day.year * 12 + target_day.month) - (today.year * 12 + today.month) + 1
    needed = left if months == 0 else Money(_up(left.amount / months, code), code)
    span = max((target_day - started).days, 1)
    elapsed = min(max((today - started).days, 0), span)
    expected = Money(goal.target.amount * Decimal(elapsed) / Decimal(span), code).quantized()
    if pace is None:
        pace = "on_track" if saved >= expected else "behind"
    return GoalStatus(goal, saved.quantized(), left, months, needed.quantized(), expected, pace)


async def _status(uow: UnitOfWork, goal: Goal, today: date) -> GoalStatus:
    started = today if goal.created_at is None else goal.created_at.date()
    return status_of(goal, await _saved(uow, goal), today, min(started, today))


async def _saved(uow: UnitOfWork, goal: Goal) -> Money:
    balance = await get_balance(GetBalance(user_id=goal.user_id), uow)
    for line in balance.accounts:
        if line.account.id == goal.account_id:
            return line.balances.get(goal.target.currency, Money.zero(goal.target.currency))
    return Money.zero(goal.target.currency)


async def _open_goal(uow: UnitOfWork, goal_id: uuid.UUID) -> Goal:
    goal = await uow.goals.get(goal_id)
    if goal is None:
        raise NotFound("goal", goal_id)
    if not goal.open:
        raise ValidationError("goal_id", "this goal was closed", reason="closed")
    return goal


async def _default_account(uow: UnitOfWork, goal: Goal) -> uuid.UUID:
    account = await uow.accounts.default_for(goal.user_id)
    if account is None or account.id == goal.account_id:
        raise ValidationError("account_id", "name the account the money comes from", reason="no_default")
    return account.id


def _up(amount: Decimal, code: str) -> Decimal:
    """Rounded up to the currency's cents, so paying it each month reaches the target, never just short."""
    return amount.quantize(Decimal(1).scaleb(-minor_units(code)), rounding=ROUND_UP)
