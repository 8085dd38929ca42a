"""The real clock: timezone-aware UTC now."""

from __future__ import annotations

from datetime import UTC, datetime


class SystemClock:
    """domain.ports.Clock backed by the system time."""

    def now(self) -> datetime:
        return datetime.now(UTC)
