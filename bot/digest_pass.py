"""The worker's digest pass: each tenant's weekly digests that fell due go into the outbox, once per user and
week however many workers run it (the event id is derived from both)."""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass, field
from datetime import datetime

from adapters.db import Database
from bot.outage import is_unavailable
from domain.digest_schedule import MAX_LATE, digest_event_id, due_digest
from domain.model import Tenant
from domain.ports import Clock

log = logging.getLogger(__name__)


@dataclass
class DigestScheduler:
    """Stores the digests due now; remembers the ones it stored (or found stored) until their day is over,
    so a pass every few seconds does not try the same insert again all day long."""

    db: Database
    clock: Clock
    _known: dict[uuid.UUID, datetime] = field(default_factory=dict)
    """Event id -> when its digest was due."""

    async def run(self, tenant: Tenant) -> int:
        """Store the tenant's digests due now (their slot passed less than a day ago); how many were new. A
        slot missed by more than a day (the workers were down) is not scheduled: no digest goes out late."""
        now = self.clock.now()
        self._known = {key: due for key, due in self._known.items() if now - due < MAX_LATE}
        try:
            stored = await self._schedule(tenant, now)
        except Exception as exc:
            if is_unavailable(exc):
                raise  # the store is gone for every tenant: the worker's loop waits and logs it once
            # One tenant's failure must not keep the others' digests, nor the pushes after them, from going.
            log.exception("digest pass failed", extra={"tenant_id": str(tenant.id)})
            return 0
        if stored:
            log.info("digests scheduled", extra={"tenant_id": str(tenant.id), "count": stored})
        return stored

    async def _schedule(self, tenant: Tenant, now: datetime) -> int:
        stored = 0
        known: dict[uuid.UUID, datetime] = {}
        async with self.db.unit_of_work(tenant.id) as uow:
            for user in await uow.users.with_digest():
                event = due_digest(user, now)
                if event is None:
                    continue
                key = digest_event_id(tenant.id, user.id, event.week_start)
                if key in self._known:
                    continue
                # Another worker may be storing the same id: add_once waits for it, then skips.
                stored += await uow.outbox.add_once(event, key)
                known[key] = event.due_at
            await uow.commit()
        self._known.update(known)  # only once committed: a rolled-back pass tries them again
        return stored


__all__ = ["DigestScheduler"]
