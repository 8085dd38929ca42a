"""When a weekly digest falls due: the user's weekday and hour in their zone, the week it sums up, once per
user and week, and never more than a day late."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta

import pytest

from domain.digest_schedule import (
    DigestSlot,
    digest_event_id,
    digest_skip,
    due_digest,
    last_slot,
    too_late,
    week_summed,
)
from domain.errors import ValidationError
from domain.model import Language, User

TENANT = uuid.uuid4()


def _user(weekday: int | None = 6, hour: int = 18, zone: str = "America/Sao_Paulo") -> User:
    return User(
        uuid.uuid4(),
        TENANT,
        "+5511900000000",
        "",
        Language.PT,
        "pt_BR",
        "BRL",
        zone,
        digest_weekday=weekday,
        digest_hour=hour,
    )


def utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)  # type: ignore[misc]


@pytest.mark.parametrize(
    ("weekday", "hour", "zone", "now", "slot"),
    [
        # Sunday 18:00 in São Paulo (UTC-3, no DST) is 21:00 UTC.
        (6, 18, "America/Sao_Paulo", utc(2026, 12, 6, 21, 0), utc(2026, 12, 6, 21, 0)),
        (
            6,
            18,
            "America/Sao_Paulo",
            utc(2026, 12, 6, 20, 59),
            utc(2026, 11, 29, 21, 0),
        ),  # not yet: last week
        (6, 18, "America/Sao_Paulo", utc(2026, 12, 7, 2, 0), utc(2026, 12, 6, 21, 0)),  # Sunday 23:00 local
        # Monday 08:00 in Tokyo (UTC+9) is Sunday 23:00 UTC: the slot's day is the user's, not UTC's.
        (0, 8, "Asia/Tokyo", utc(2026, 12, 6, 23, 30), utc(2026, 12, 6, 23, 0)),
        (0, 8, "Asia/Tokyo", utc(2026, 12, 6, 22, 59), utc(2026, 11, 29, 23, 0)),
        # Mexico City (UTC-6, no DST since 2022): Saturday 00:00 local is Saturday 06:00 UTC.
        (5, 0, "America/Mexico_City", utc(2026, 12, 5, 6, 0), utc(2026, 12, 5, 6, 0)),
        # Buenos Aires (UTC-3): Wednesday 21:00 local is Thursday 00:00 UTC.
        (2, 21, "America/Argentina/Buenos_Aires", utc(2026, 12, 3, 0, 10), utc(2026, 12, 3, 0, 0)),
        # A DST zone: Lisbon's Sunday 18:00 is 18:00 UTC in winter, 17:00 UTC from 29 March 2026.
        (6, 18, "Europe/Lisbon", utc(2026, 3, 22, 18, 30), utc(2026, 3, 22, 18, 0)),
        (6, 18, "Europe/Lisbon", utc(2026, 3, 29, 17, 30), utc(2026, 3, 29, 17, 0)),
    ],
)
def test_the_last_slot_is_the_users_weekday_and_hour_in_their_zone(
    weekday: int, hour: int, zone: str, now: datetime, slot: datetime
) -> None:
    found = last_slot(DigestSlot(weekday, hour), zone, now)
    assert found == slot
    assert found.astimezone(UTC) == slot
    assert found.weekday() == weekday and found.hour == hour  # in the zone


@pytest.mark.parametrize(
    ("local", "week"),
    [
        # An evening digest counts its own day: Sunday 18:00 sums up Monday to that Sunday.
        ((2026, 12, 6, 18), (date(2026, 11, 30), date(2026, 12, 6))),
        # A morning digest sums up the seven days before it: Monday 08:00, last Monday to Sunday.
        ((2026, 12, 7, 8), (date(2026, 11, 30), date(2026, 12, 6))),
        ((2026, 12, 7, 12), (date(2026, 12, 1), date(2026, 12, 7))),  # noon counts the day
        ((2026, 12, 5, 0), (date(2026, 11, 28), date(2026, 12, 4))),  # midnight: the day just past
    ],
)
def test_the_week_summed_up_ends_at_the_slot(local: tuple[int, ...], week: tuple[date, date]) -> None:
    period = week_summed(datetime(*local))  # type: ignore[misc]
    assert (period.start, period.end) == week
    assert period.days == 7


def test_a_digest_is_due_from_its_slot_for_a_day_and_then_skipped() -> None:
    user = _user(6, 18)
    slot = utc(2026, 12, 6, 21, 0)  # Sunday 18:00 in São Paulo
    assert due_digest(user, slot - timedelta(seconds=1)) is None  # last week's slot is six days old
    for after in (timedelta(0), timedelta(hours=5), timedelta(hours=23, minutes=59)):
        event = due_digest(user, slot + after)
        assert event is not None
        assert (event.tenant_id, event.user_id) == (TENANT, user.id)
        assert event.due_at == slot and event.due_at.tzinfo is not None
        assert event.week_start == date(2026, 11, 30)
    # A day or more after the slot (the workers were down), nothing is scheduled: no late digest.
    assert due_digest(user, slot + timedelta(days=1)) is None
    assert due_digest(user, slot + timedelta(days=3)) is None


def test_before_the_slot_of_this_week_nothing_is_due() -> None:
    user = _user(6, 18)
    # Saturday: last Sunday's slot is six days old, this Sunday's has not come.
    assert due_digest(user, utc(2026, 12, 5, 12, 0)) is None
    assert due_digest(user, utc(2026, 12, 6, 20, 59)) is None


def test_no_digest_for_a_user_who_did_not_ask_for_one() -> None:
    assert due_digest(_user(None), utc(2026, 12, 6, 21, 0)) is None


def test_one_id_per_user_and_week() -> None:
    user = _user(6, 18)
    first = due_digest(user, utc(2026, 12, 6, 21, 0))
    again = due_digest(user, utc(2026, 12, 7, 1, 0))  # a later pass, the same week
    next_week = due_digest(user, utc(2026, 12, 13, 21, 0))
    assert first is not None and again is not None and next_week is not None
    ids = [digest_event_id(TENANT, user.id, e.week_start) for e in (first, again, next_week)]
    assert ids[0] == ids[1] != ids[2]
    assert digest_event_id(TENANT, uuid.uuid4(), first.week_start) != ids[0]  # another user
    assert digest_event_id(uuid.uuid4(), user.id, first.week_start) != ids[0]  # another tenant


def test_a_stored_digest_is_skipped_when_stopped_or_a_day_late() -> None:
    user = _user(6, 18)
    event = due_digest(user, utc(2026, 12, 6, 21, 0))
    assert event is not None
    assert digest_skip(user, event, utc(2026, 12, 7, 20, 59)) is None
    assert not too_late(event, utc(2026, 12, 7, 20, 59))
    assert digest_skip(user, event, utc(2026, 12, 7, 21, 0)) == "too_late"
    user.digest_weekday = None  # "stop the summary" after it was stored
    assert digest_skip(user, event, utc(2026, 12, 6, 21, 1)) == "digest_off"


@pytest.mark.parametrize(("weekday", "hour"), [(7, 18), (-1, 18), (6, 24), (6, -1), (True, 18)])
def test_a_slot_outside_the_week_or_the_day_is_refused(weekday: int, hour: int) -> None:
    with pytest.raises(ValidationError):
        DigestSlot(weekday, hour)
