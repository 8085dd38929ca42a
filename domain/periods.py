"""Calendar periods in a user's local days: today in a time zone, months, ISO weeks and the period before."""

from __future__ import annotations

import calendar
from datetime import date, timedelta
from zoneinfo import ZoneInfo

from domain.model import Period, Recurrence
from domain.ports import Clock


def local_today(clock: Clock, tz_name: str) -> date:
    """The calendar day it is now in `tz_name` (23:30 in São Paulo is still that day, though UTC is not)."""
    now = clock.now()
    if now.tzinfo is None or now.utcoffset() is None:
        # A naive datetime would be read as the machine's local time, which is exactly what we must avoid.
        raise ValueError("the clock returned a naive datetime; clocks must be timezone-aware")
    return now.astimezone(ZoneInfo(tz_name)).date()


def month_of(day: date) -> Period:
    """The calendar month containing `day`."""
    last = calendar.monthrange(day.year, day.month)[1]
    return Period(day.replace(day=1), day.replace(day=last))


def week_of(day: date) -> Period:
    """The ISO week containing `day`, Monday to Sunday."""
    start = day - timedelta(days=day.weekday())
    return Period(start, start + timedelta(days=6))


def current_period(recurrence: Recurrence | str, today: date) -> Period:
    """The budget period of the given recurrence that contains `today`."""
    rec = Recurrence(recurrence)
    return week_of(today) if rec is Recurrence.WEEKLY else month_of(today)


def previous_period(period: Period) -> Period:
    """The period of the same number of days that ends the day before `period` starts."""
    end = period.start - timedelta(days=1)
    return Period(end - timedelta(days=period.days - 1), end)


__all__ = ["current_period", "local_today", "month_of", "previous_period", "week_of"]
