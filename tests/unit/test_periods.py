"""Periods: the user's local today, calendar months, ISO weeks and the period right before."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.model import Period, Recurrence
from domain.periods import current_period, local_today, month_of, previous_period, week_of
from tests.unit.fakes import FixedClock


def test_half_past_eleven_in_sao_paulo_is_still_that_day_although_utc_is_the_next() -> None:
    clock = FixedClock(datetime(2024, 3, 16, 2, 30, tzinfo=UTC))  # 23:30 on the 15th in São Paulo
    assert local_today(clock, "America/Sao_Paulo") == date(2024, 3, 15)
    assert local_today(clock, "UTC") == date(2024, 3, 16)
    assert local_today(clock, "Asia/Tokyo") == date(2024, 3, 16)


def test_a_naive_clock_is_refused() -> None:
    with pytest.raises(ValueError, match="naive"):
        local_today(FixedClock(datetime(2024, 3, 15, 12, 0)), "UTC")


@pytest.mark.parametrize(
    ("day", "start", "end"),
    [
        (date(2024, 2, 10), date(2024, 2, 1), date(2024, 2, 29)),  # leap year
        (date(2023, 2, 28), date(2023, 2, 1), date(2023, 2, 28)),
        (date(2024, 12, 31), date(2024, 12, 1), date(2024, 12, 31)),
    ],
)
def test_month_of(day: date, start: date, end: date) -> None:
    assert month_of(day) == Period(start, end)


@pytest.mark.parametrize(
    ("day", "monday"),
    [
        (date(2024, 3, 13), date(2024, 3, 11)),  # Wednesday
        (date(2024, 3, 11), date(2024, 3, 11)),  # Monday
        (date(2024, 3, 17), date(2024, 3, 11)),  # Sunday still belongs to the week that began on Monday
        (date(2025, 1, 1), date(2024, 12, 30)),  # across a year boundary
    ],
)
def test_week_runs_monday_to_sunday(day: date, monday: date) -> None:
    week = week_of(day)
    assert week.start == monday
    assert week.start.weekday() == 0
    assert week.end.weekday() == 6
    assert week.days == 7
    assert day in week


def test_previous_period_has_the_same_length_and_ends_the_day_before() -> None:
    march = month_of(date(2024, 3, 15))
    assert previous_period(march) == Period(date(2024, 1, 30), date(2024, 2, 29))
    assert previous_period(week_of(date(2024, 3, 15))) == Period(date(2024, 3, 4), date(2024, 3, 10))


def test_current_period_by_recurrence() -> None:
    today = date(2024, 3, 15)
    assert current_period(Recurrence.MONTHLY, today) == month_of(today)
    assert current_period("weekly", today) == week_of(today)
    with pytest.raises(ValueError):
        current_period("daily", today)


@given(st.dates(min_value=date(2000, 1, 1), max_value=date(2100, 12, 31)))
def test_periods_contain_the_day_and_the_previous_one_is_adjacent(day: date) -> None:
    for period in (week_of(day), month_of(day)):
        assert day in period
        before = previous_period(period)
        assert before.days == period.days
        assert (period.start - before.end).days == 1
    assert week_of(day).start.isoweekday() == 1
    assert month_of(day).start.day == 1
    assert (month_of(day).end + timedelta(days=1)).day == 1
