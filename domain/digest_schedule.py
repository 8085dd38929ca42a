"""When a user's weekly digest falls due: their weekday and hour in their zone, once per week, never late."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from domain.errors import ValidationError
from domain.events import WeeklyDigestDue
from domain.model import Period, User

DEFAULT_WEEKDAY = 6
"""Sunday: the day a digest goes out when the user did not say one."""
DEFAULT_HOUR = 18
"""18:00 in the user's zone, when they did not say an hour."""
MAX_LATE = timedelta(days=1)
"""A digest that could not go out within this long of its slot is skipped: last week's news, sent on a
Wednesday after a downtime, is noise."""
MORNING_UNTIL = 12
"""A digest due before noon sums up the seven days before its day (Monday 08:00: Monday to Sunday just
past); from noon on its own day is one of the seven (Sunday 18:00: Monday to that Sunday)."""
_NAMESPACE = uuid.UUID("6f1c3a52-2d7e-4f0b-9a43-6c1d0e5b7a21")
"""uuid5 namespace of digest event ids: the same user and week give the same id on every worker."""


@dataclass(frozen=True, slots=True)
class DigestSlot:
    """A weekday and an hour in the user's zone."""

    weekday: int
    """0 = Monday .. 6 = Sunday."""
    hour: int

    def __post_init__(self) -> None:
        if isinstance(self.weekday, bool) or not isinstance(self.weekday, int) or not 0 <= self.weekday <= 6:
            raise ValidationError("weekday", "must be a weekday, 0 (Monday) to 6 (Sunday)")
        if isinstance(self.hour, bool) or not isinstance(self.hour, int) or not 0 <= self.hour <= 23:
            raise ValidationError("hour", "must be an hour, 0 to 23")


def slot_of(user: User) -> DigestSlot | None:
    """The user's digest slot, None when they get no digest."""
    if user.digest_weekday is None:
        return None
    return DigestSlot(user.digest_weekday, user.digest_hour)


def last_slot(slot: DigestSlot, tz_name: str, now: datetime) -> datetime:
    """The latest moment at or before `now` that is the slot's weekday and hour in the zone (aware, in the
    zone). A wall-clock hour a DST change skips is read as zoneinfo does (fold 0), so it still occurs."""
    zone = ZoneInfo(tz_name)
    local = now.astimezone(zone)
    day = local.date() - timedelta(days=(local.weekday() - slot.weekday) % 7)
    moment = datetime.combine(day, time(slot.hour), tzinfo=zone)
    if moment > now:
        moment = datetime.combine(day - timedelta(days=7), time(slot.hour), tzinfo=zone)
    return moment


def week_summed(slot_at: datetime) -> Period:
    """The seven local days a digest due at `slot_at` (aware, in the user's zone) sums up."""
    last = slot_at.date() if slot_at.hour >= MORNING_UNTIL else slot_at.date() - timedelta(days=1)
    return Period(last - timedelta(days=6), last)


def digest_event_id(tenant_id: uuid.UUID, user_id: uuid.UUID, week_start: date) -> uuid.UUID:
    """The outbox id of one user's digest of one week: every worker derives the same one, so it is stored
    once (SqlOutbox.add_once)."""
    return uuid.uuid5(_NAMESPACE, f"{tenant_id}/{user_id}/{week_start.isoformat()}")


def due_digest(user: User, now: datetime) -> WeeklyDigestDue | None:
    """The digest to schedule for `user` at `now`: their latest slot when it passed less than MAX_LATE ago;
    None when they get none, or the slot passed longer ago (downtime: skipped, not sent late)."""
    slot = slot_of(user)
    if slot is None:
        return None
    at = last_slot(slot, user.timezone, now)
    if now - at >= MAX_LATE:
        return None
    return WeeklyDigestDue(
        tenant_id=user.tenant_id,
        user_id=user.id,
        week_start=week_summed(at).start,
        due_at=at.astimezone(now.tzinfo),
    )


def too_late(event: WeeklyDigestDue, now: datetime) -> bool:
    """Whether a digest taken up `now` is past its day (quiet hours, retries, a stopped worker)."""
    return now - event.due_at >= MAX_LATE


def digest_skip(user: User, event: WeeklyDigestDue, now: datetime) -> str | None:
    """Why a stored digest is not pushed (domain.history.SKIP_REASONS): "digest_off" when the user stopped
    digests after it was stored, "too_late" a day past its slot; None: push it."""
    if user.digest_weekday is None:
        return "digest_off"
    if too_late(event, now):
        return "too_late"
    return None


__all__ = [
    "DEFAULT_HOUR",
    "DEFAULT_WEEKDAY",
    "MAX_LATE",
    "DigestSlot",
    "digest_event_id",
    "digest_skip",
    "due_digest",
    "last_slot",
    "slot_of",
    "too_late",
    "week_summed",
]
