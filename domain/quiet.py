"""Quiet hours: the part of a user's day no push is sent in; a push due then waits for its end."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from domain.errors import ValidationError
from domain.model import Tenant, User

DEFAULT = {"start": "22:00", "end": "08:00"}
"""A tenant's quiet hours until its operators choose others (or none, with null)."""
OFF = "off"
"""users.quiet_hours of someone who wants pushes at any hour."""
_HHMM = re.compile(r"([01][0-9]|2[0-3]):([0-5][0-9])")


@dataclass(frozen=True, slots=True)
class QuietHours:
    """A daily window in the user's zone, [start, end); it may cross midnight (22:00-08:00)."""

    start: time
    end: time

    def __post_init__(self) -> None:
        if self.start == self.end:
            raise ValidationError("quiet_hours", "start and end must differ")

    @classmethod
    def parse(cls, text: str) -> QuietHours:
        """From "22:00-08:00" (the stored form)."""
        start, _, end = text.partition("-")
        return cls(_clock(start, "quiet_hours.start"), _clock(end, "quiet_hours.end"))

    def stored(self) -> str:
        return f"{self.start:%H:%M}-{self.end:%H:%M}"

    def holds(self, local: time) -> bool:
        """Whether a push at this local time of day waits."""
        if self.start < self.end:
            return self.start <= local < self.end
        return local >= self.start or local < self.end

    def ends_after(self, local: datetime) -> datetime:
        """The first end of the window after `local` (an aware datetime in the user's zone)."""
        end = datetime.combine(local.date(), self.end, tzinfo=local.tzinfo)
        return end if end > local else end + timedelta(days=1)


def _clock(text: str, field: str) -> time:
    match = _HHMM.fullmatch(text.strip())
    if match is None:
        raise ValidationError(field, "must be a 24-hour time like 22:00")
    return time(int(match.group(1)), int(match.group(2)))


def user_quiet_hours(user: User, tenant: Tenant) -> QuietHours | None:
    """The user's own quiet hours ("off": none), else the tenant's (null: none), else DEFAULT."""
    own = user.quiet_hours
    if own == OFF:
        return None
    if own:
        return QuietHours.parse(own)
    settings: dict[str, Any] = tenant.settings
    chosen = settings.get("quiet_hours", DEFAULT)
    if chosen is None:
        return None
    return QuietHours(_clock(chosen["start"], "quiet_hours.start"), _clock(chosen["end"], "quiet_hours.end"))


def held_until(user: User, tenant: Tenant, now: datetime) -> datetime | None:
    """When a push due `now` may go: None at once, else the end of the user's quiet hours (UTC)."""
    quiet = user_quiet_hours(user, tenant)
    if quiet is None:
        return None
    local = now.astimezone(ZoneInfo(user.timezone))
    if not quiet.holds(local.time()):
        return None
    return quiet.ends_after(local).astimezone(now.tzinfo)
