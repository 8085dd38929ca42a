"""Calendar periods in a user's local days: today in a time zone, months, ISO weeks and the period before."""

from __future__ import annotations

import calendar
from datetime import date, timedelta
from zoneinfo import ZoneInfo

from domain.model import Period, Recurrence, User
from domain.ports import Clock

WEEK_STARTS: dict[str, int] = {"monday": 0, "sunday": 1, "saturday": 2}
"""The first day of a week -> how many days before Monday it is."""
SUNDAY_TERRITORIES = frozenset({"US"})
"""Territories whose people count the week from Sunday when they did not say otherwise."""


def default_week_start(locale: str) -> str:
    """The week start a locale implies: Sunday in the US (en_US, es_US), Monday elsewhere."""
    territory = locale.replace("-", "_").partition("_")[2].upper()
    return "sunday" if territory in SUNDAY_TERRITORIES else "monday"


def user_week_start(user: User) -> str:
    """The first day of the user's week: their own choice, else what their locale implies."""
    return user.week_start if user.week_start in WEEK_STARTS else default_week_start(user.locale)


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


def week_of(day: date, week_start: str = "monday") -> Period:
    """The week containing `day`: Monday to Sunday (ISO), or from the given first day."""
    start = day - timedelta(days=(day.weekday() + WEEK_STARTS.get(week_start, 0)) % 7)
    return Period(start, start + timedelta(days=6))


def current_period(recurrence: Recurrence | str, today: date, week_start: str = "monday") -> Period:
    """The budget period of the given recurrence that contains `today`; weeks start on `week_start`."""
    rec = Recurrence(recurrence)
    return week_of(today, week_start) if rec is Recurrence.WEEKLY else month_of(today)


def previous_period(period: Period) -> Period:
    """The period of the same number of days that ends the day before `period` starts."""
    end = period.start - timedelta(days=1)
    return Period(end - timedelta(days=period.days - 1), end)


__all__ = [
    "WEEK_STARTS",
    "current_period",
    "default_week_start",
    "local_today",
    "month_of",
    "previous_period",
    "user_week_start",
    "week_of",
]
