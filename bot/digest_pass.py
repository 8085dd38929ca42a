"""The worker's digest pass: each tenant's weekly digests that fell due go into the outbox, once per user and
week however many workers run it (the event id is derived from both)."""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass, field
from datetime import datetime

from adapters.db import Database
from bot.outage import is_unavailable
from domain.digest_schedule import digest_event_id, due_digest
from domain.model import Tenant
from domain.ports import Clock

log = logging.getLogger(__name__)


@dataclass
class DigestScheduler:
    """Stores the digests due now. Slots are whole hours, so each tenant's opted-in users are read once per
    clock hour, not at every pass of a few seconds (reading them all is the cost: a tenant may have many)."""

    db: Database
    clock: Clock
    _scanned: dict[uuid.UUID, datetime] = field(default_factory=dict)
    """Tenant id -> the hour its users were last read in (committed)."""

    async def run(self, tenant: Tenant) -> int:
        """Store the tenant's digests due now (their slot passed less than a day ago); how many were new. A
        slot missed by more than a day (the workers were down) is not scheduled: no digest goes out late.
        Someone who opts in after this hour's reading is read at the next hour's (still within the day)."""
        now = self.clock.now()
        hour = now.replace(minute=0, second=0, microsecond=0)
        if self._scanned.get(tenant.id) == hour:
            return 0
        try:
            stored = await self._schedule(tenant, now)
        except Exception as exc:
            if is_unavailable(exc):
                raise  # the store is gone for every tenant: the worker's loop waits and logs it once
            # One tenant's failure must not keep the others' digests, nor the pushes after them, from going.
            log.exception("digest pass failed", extra={"tenant_id": str(tenant.id)})
            return 0
        self._scanned[tenant.id] = hour  # only once committed: a failed reading is tried at the next pass
        if stored:
            log.info("digests scheduled", extra={"tenant_id": str(tenant.id), "count": stored})
        return stored

    async def _schedule(self, tenant: Tenant, now: datetime) -> int:
        stored = 0
        async with self.db.unit_of_work(tenant.id) as uow:
            for user in await uow.users.with_digest():
                event = due_digest(user, now)
                if event is not None:
                    # Another worker may be storing the same id: add_once waits for it, then skips.
                    key = digest_event_id(tenant.id, user.id, event.week_start)
                    stored += await uow.outbox.add_once(event, key)
            await uow.commit()
        return stored


__all__ = ["DigestScheduler"]
