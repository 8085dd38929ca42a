"""Claims on inbox rows: the lifecycle's constants and clockwork, claim tokens, and the lease's heartbeat."""

from __future__ import annotations

import asyncio
import logging
import secrets
import uuid
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager, suppress
from dataclasses import dataclass
from datetime import timedelta

from domain.ports import Clock, UnitOfWork

log = logging.getLogger(__name__)

LEASE = timedelta(seconds=30)
"""How long a claim holds without renewal: a processor that is gone loses its rows after this."""
RENEW_EVERY_S = 10.0
"""The heartbeat's period; several renewals fit in one lease, so one slow database call loses nothing."""
BACKOFF_FIRST = timedelta(seconds=5)
BACKOFF_FACTOR = 3
BACKOFF_CAP = timedelta(minutes=10)
MAX_ATTEMPTS = 5
"""Processing attempts before the sender is told the message was not recorded (5 s, 15 s, 45 s, 135 s)."""
DEFERRAL_CAP_PER_HOUR = 120
"""Messages of one sender deferred by the rate limit within an hour; beyond, they are dropped (and told)."""
CAP_WINDOW = timedelta(hours=1)
BATCH = 20
"""Rows one worker claims at a time per tenant."""
QUOTE_CHARS = 40
"""How much of a message is quoted back when telling its sender it was not recorded or processed."""
QUOTED_DROPPED = 3


@dataclass(frozen=True, slots=True)
class Timing:
    """The lifecycle's clockwork; tests shorten the lease and the heartbeat."""

    lease: timedelta = LEASE
    renew_every: float = RENEW_EVERY_S
    """Seconds between lease renewals (real time, not the clock's)."""
    backoff_first: timedelta = BACKOFF_FIRST
    backoff_factor: int = BACKOFF_FACTOR
    backoff_cap: timedelta = BACKOFF_CAP
    max_attempts: int = MAX_ATTEMPTS
    deferral_cap: int = DEFERRAL_CAP_PER_HOUR
    """Per sender and hour."""

    def backoff(self, failed: int) -> timedelta:
        """The wait after the `failed`-th failed attempt: 5 s, 15 s, 45 s, ... capped at 10 minutes."""
        return min(self.backoff_first * self.backoff_factor ** max(failed - 1, 0), self.backoff_cap)


def new_token() -> str:
    return secrets.token_hex(16)


@asynccontextmanager
async def heartbeat(
    unit_of_work: Callable[[uuid.UUID], UnitOfWork],
    clock: Clock,
    timing: Timing,
    tenant_id: uuid.UUID,
    token: str,
) -> AsyncIterator[None]:
    """Renew the lease of the rows claimed under `token` every `timing.renew_every` seconds while the body
    runs. A processor that dies stops renewing, and its rows are taken over when the lease runs out."""

    async def renew() -> None:
        while True:
            await asyncio.sleep(timing.renew_every)
            try:
                async with unit_of_work(tenant_id) as uow:
                    await uow.inbox.renew(token, clock.now() + timing.lease)
                    await uow.commit()
            except Exception:
                # The next beat tries again; the write checks keep a lost claim from doing harm.
                log.warning("lease renewal failed", exc_info=True, extra={"tenant_id": str(tenant_id)})

    task = asyncio.create_task(renew())
    try:
        yield
    finally:
        task.cancel()
        with suppress(asyncio.CancelledError):
            await task
