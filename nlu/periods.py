"""Calendar arithmetic for the NLU's date conventions: days and inclusive periods resolved against today."""

from __future__ import annotations

import calendar
from datetime import date, timedelta

from nlu.types import DateRange

# How far back "a year left out" may look for a 29 February.
_YEARS_BACK = 8


def valid(year: int, month: int, day: int) -> date | None:
    """The date, or None when it does not exist (31 April, 29 February 2026, year 0)."""
    if not (1 <= year <= 9999 and 1 <= month <= 12 and 1 <= day <= calendar.monthrange(year, month)[1]):
        return None
    return date(year, month, day)


def add_months(day: date, months: int) -> date:
    """Same day of month `months` later (or earlier), clamped to the month's last day."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    year = min(max(year, 1), 9999)
    return date(year, month + 1, min(day.day, calendar.monthrange(year, month + 1)[1]))


def single(day: date) -> DateRange:
    return DateRange(day, day)


def month_range(year: int, month: int) -> DateRange | None:
    if not (1 <= year <= 9999 and 1 <= month <= 12):
        return None
    return DateRange(date(year, month, 1), date(year, month, calendar.monthrange(year, month)[1]))


def year_range(year: int) -> DateRange | None:
    return DateRange(date(year, 1, 1), date(year, 12, 31)) if 1 <= year <= 9999 else None


def week_range(day: date, week_start: int = 0) -> DateRange:
    """The week of `day`: Monday to Sunday (the ISO week), or starting `week_start` days before Monday
    (1: Sunday to Saturday, 2: Saturday to Friday) for users whose week starts then."""
    first = day - timedelta(days=(day.weekday() + week_start) % 7)
    return DateRange(first, first + timedelta(days=6))


def weekday_on_or_before(today: date, weekday: int) -> date:
    """The latest `weekday` (ISO, 1 = Monday) on or before today: "el viernes", "on friday"."""
    return today - timedelta(days=(today.isoweekday() - weekday) % 7)


def weekday_before(today: date, weekday: int) -> date:
    """The latest `weekday` strictly before today: "last friday", "sexta passada"."""
    return today - timedelta(days=(today.isoweekday() - weekday - 1) % 7 + 1)


def weekday_after(today: date, weekday: int) -> date:
    """The earliest `weekday` strictly after today: "next friday"."""
    return today + timedelta(days=(weekday - today.isoweekday() - 1) % 7 + 1)


def weekday_in_week(today: date, weekday: int, weeks: int, week_start: int = 0) -> date:
    """`weekday` of the week `weeks` away from today's (0 = this week, -1 = last week)."""
    offset = (weekday - 1 + week_start) % 7
    return week_range(today, week_start).start + timedelta(days=7 * weeks + offset)


def day_of_month(today: date, day: int) -> date | None:
    """ "dia 5": the 5th of this month when not after today, else of the previous month (the contract). None
    when neither will do ("dia 31" on 5 December: December's is ahead, November has none): which month is
    meant is a guess."""
    for back in range(2):
        month = add_months(today.replace(day=1), -back)
        candidate = valid(month.year, month.month, day)
        if candidate is not None and candidate <= today:
            return candidate
    return None


def day_of_month_ahead(today: date, day: int) -> date | None:
    """ "next friday the 11th": the `day` of this month when not before today, else of the next month."""
    for ahead in range(13):
        month = add_months(today.replace(day=1), ahead)
        candidate = valid(month.year, month.month, day)
        if candidate is not None and candidate >= today:
            return candidate
    return None


def day_in_month_of(today: date, day: int, months: int) -> date | None:
    """The `day` of the month `months` away from today's: "dia 5 deste mes" (0), "do mes passado" (-1)."""
    month = add_months(today.replace(day=1), months)
    return valid(month.year, month.month, day)


def latest_date(today: date, month: int, day: int, *, strictly_before: bool = False) -> date | None:
    """A date without a year: the latest one not after today (before today when `strictly_before`)."""
    for back in range(_YEARS_BACK + 1):
        candidate = valid(today.year - back, month, day)
        if candidate is not None and (candidate < today or (candidate == today and not strictly_before)):
            return candidate
    return None


def latest_month(today: date, month: int) -> DateRange | None:
    """ "in October": that month of the latest year in which it has begun."""
    year = today.year if month <= today.month else today.year - 1
    return month_range(year, month)


def named_period(today: date, key: str, week_start: int = 0) -> DateRange | None:
    """The period phrases of dates.yaml: this_month, last_week, this_weekend, ..."""
    first = today.replace(day=1)
    if key.endswith("weekend"):
        return weekend(today, last=key.startswith("last"))
    # "before_last_week" (the week before last, "semana retrasada"), "last_month", "next_year"...
    head, _, unit = key.rpartition("_")
    step = {"this": 0, "last": -1, "next": 1, "before_last": -2, "after_next": 2}.get(head)
    if step is None:
        return None
    if unit == "month":
        month = add_months(first, step)
        return month_range(month.year, month.month)
    if unit == "week":
        return week_range(today + timedelta(days=7 * step), week_start)
    if unit == "year":
        return year_range(today.year + step)
    return None


def weekend(today: date, *, last: bool) -> DateRange:
    """This weekend = Saturday-Sunday of today's ISO week once it has begun, else the one before; last
    weekend = Saturday-Sunday of the previous ISO week. Past-leaning: people ask what they spent."""
    saturday = week_range(today).start + timedelta(days=5)
    if last or today < saturday:
        saturday -= timedelta(days=7)
    return DateRange(saturday, saturday + timedelta(days=1))


def last_n(today: date, count: int, unit: str) -> DateRange | None:
    """ "last 7 days" = today-6..today; weeks, months and years roll the same way (today included)."""
    if not 1 <= count <= 3660:
        return None
    if unit == "fortnight":
        start = today - timedelta(days=14 * count - 1)
    elif unit == "day":
        start = today - timedelta(days=count - 1)
    elif unit == "week":
        start = today - timedelta(days=7 * count - 1)
    elif unit == "month":
        start = add_months(today, -count) + timedelta(days=1)
    elif unit == "year":
        start = add_months(today, -12 * count) + timedelta(days=1)
    else:
        return None
    return DateRange(start, today)


def ago(today: date, count: int, unit: str) -> date | None:
    """ "3 days ago", "hace una semana", "faz 2 meses"; a negative count is ahead ("in 3 days")."""
    if not -3660 <= count <= 3660:
        return None
    if unit == "fortnight":
        return today - timedelta(days=14 * count)
    if unit == "day":
        return today - timedelta(days=count)
    if unit == "week":
        return today - timedelta(days=7 * count)
    if unit == "month":
        return add_months(today, -count)
    if unit == "year":
        return add_months(today, -12 * count)
    return None


def two_digit_year(yy: int, today: date) -> int | None:
    """ "31/10/74", "de 24", "'24": the latest year ending in those digits not after this year (1974, 2024):
    a two-digit year is never read into the future. None for next year's digits ("27" in 2026): next year,
    or a century ago? Only the user can say."""
    year = today.year - today.year % 100 + yy
    if year == today.year + 1:
        return None
    return year if year <= today.year else year - 100


def weekdays_ago(today: date, weekday: int, count: int) -> date | None:
    """ "2 thursdays ago", "hace dos jueves": the latest such weekday before today, then `count - 1` weeks
    further back."""
    if not 1 <= count <= 520:
        return None
    return weekday_before(today, weekday) - timedelta(days=7 * (count - 1))


def nth_in_month(year: int, month: int, nth: int, weekday: int | None) -> date | None:
    """The `nth` (1..5, or -1 for the last) `weekday` of a month ("first monday of last month"), or with no
    weekday its `nth` day ("the last day of last month"). None when the month has no such day."""
    whole = month_range(year, month)
    if whole is None:
        return None
    if weekday is None:
        return whole.end if nth == -1 else valid(year, month, nth)
    if nth == -1:
        return whole.end - timedelta(days=(whole.end.isoweekday() - weekday) % 7)
    first = whole.start + timedelta(days=(weekday - whole.start.isoweekday()) % 7)
    found = first + timedelta(days=7 * (nth - 1))
    return found if found.month == month else None


def nth_week(year: int, month: int, nth: int) -> DateRange | None:
    """ "the second week of march": days 8-14 (a week counted from the 1st, as people count them); the
    last week is the month's last seven days."""
    whole = month_range(year, month)
    if whole is None or not (nth == -1 or 1 <= nth <= 4):
        return None
    if nth == -1:
        return DateRange(whole.end - timedelta(days=6), whole.end)
    start = whole.start + timedelta(days=7 * (nth - 1))
    return DateRange(start, start + timedelta(days=6))
