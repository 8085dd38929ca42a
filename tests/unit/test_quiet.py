"""Quiet hours: the window in the user's zone (across midnight too), whose choice wins, when a push may go."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, time

import pytest

from domain.errors import ValidationError
from domain.model import Language, Tenant, User
from domain.quiet import QuietHours, held_until, user_quiet_hours


def _tenant(**settings: object) -> Tenant:
    return Tenant(
        uuid.uuid4(), "casa", "Casa", Language.PT, "pt_BR", "BRL", "America/Sao_Paulo", settings=settings
    )


def _user(tenant: Tenant, quiet: str | None = None, zone: str = "America/Sao_Paulo") -> User:
    return User(
        uuid.uuid4(), tenant.id, "+5511900000000", "", Language.PT, "pt_BR", "BRL", zone, quiet_hours=quiet
    )


@pytest.mark.parametrize(
    ("window", "at", "held"),
    [
        ("22:00-08:00", time(23, 30), True),
        ("22:00-08:00", time(0, 0), True),
        ("22:00-08:00", time(7, 59), True),
        ("22:00-08:00", time(8, 0), False),
        ("22:00-08:00", time(21, 59), False),
        ("13:00-15:00", time(14, 0), True),
        ("13:00-15:00", time(15, 0), False),
        ("13:00-15:00", time(12, 59), False),
    ],
)
def test_the_window_holds_from_its_start_up_to_its_end(window: str, at: time, held: bool) -> None:
    assert QuietHours.parse(window).holds(at) is held


@pytest.mark.parametrize("bad", ["22:00-22:00", "24:00-08:00", "22-08", ""])
def test_a_window_that_is_not_one_is_refused(bad: str) -> None:
    with pytest.raises(ValidationError):
        QuietHours.parse(bad)


def test_whose_quiet_hours_count() -> None:
    tenant = _tenant()
    assert user_quiet_hours(_user(tenant), tenant) == QuietHours.parse("22:00-08:00")  # every tenant's start
    assert user_quiet_hours(_user(tenant, "21:00-07:00"), tenant) == QuietHours.parse("21:00-07:00")
    assert user_quiet_hours(_user(tenant, "off"), tenant) is None
    quiet_free = _tenant(quiet_hours=None)  # an operator turned them off
    assert user_quiet_hours(_user(quiet_free), quiet_free) is None
    assert user_quiet_hours(_user(quiet_free, "23:00-06:00"), quiet_free) == QuietHours.parse("23:00-06:00")


def test_a_push_due_in_quiet_hours_waits_for_their_end_in_the_users_zone() -> None:
    tenant = _tenant()
    late = datetime(
        2026, 12, 7, 2, 30, tzinfo=UTC
    )  # 23:30 in São Paulo, 21:30 in Los Angeles (the day before)
    assert held_until(_user(tenant), tenant, late) == datetime(2026, 12, 7, 11, 0, tzinfo=UTC)  # 08:00 local
    assert held_until(_user(tenant, zone="America/Los_Angeles"), tenant, late) is None
    morning = datetime(2026, 12, 7, 11, 0, tzinfo=UTC)
    assert held_until(_user(tenant), tenant, morning) is None
