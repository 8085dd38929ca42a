"""What `centavo worker` says about dead letters: pushes given up on retryable errors, per tenant."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Collection, Mapping, Sequence

from adapters.db import Database
from adapters.db.dead_letters import DeadLetter
from bot.outage import is_unavailable
from domain.model import Tenant

log = logging.getLogger(__name__)


async def counts(db: Database, tenants: Sequence[Tenant]) -> dict[uuid.UUID, int]:
    """Each tenant's dead letters (tenants with none included, as 0)."""
    found: dict[uuid.UUID, int] = {}
    for tenant in tenants:
        async with db.unit_of_work(tenant.id) as uow:
            found[tenant.id] = await uow.dead_letters.count()
    return found


async def report(db: Database) -> dict[uuid.UUID, int]:
    """Log each tenant that has dead letters and how many (a warning: someone should look), or one line
    saying there are none; return the counts. The worker calls it when it starts; a store that is not
    there yet is the worker loop's to wait out, so here it is only logged."""
    try:
        async with db.directory() as directory:
            tenants = await directory.tenants.list()
        found = await counts(db, tenants)
    except Exception:
        log.warning("dead-letter report failed", exc_info=True)
        return {}
    _log(tenants, found)
    return found


async def report_new(
    db: Database, tenants: Sequence[Tenant], tried: Mapping[uuid.UUID, Collection[int]]
) -> int:
    """After a pass: when events it tried (outbox ids per tenant) became dead letters, log the totals of
    the tenants concerned; return how many new ones. A failure here is logged, never fatal to the pass
    (except the store being gone, which the worker's loop waits out)."""
    try:
        new: dict[uuid.UUID, int] = {}
        for tenant in tenants:
            ids = tried.get(tenant.id)
            if ids:
                async with db.unit_of_work(tenant.id) as uow:
                    if n := await uow.dead_letters.count(ids):
                        new[tenant.id] = n
        if not new:
            return 0
        concerned = [t for t in tenants if t.id in new]
        _log(concerned, await counts(db, concerned), new)
        return sum(new.values())
    except Exception as exc:
        if is_unavailable(exc):
            raise
        log.exception("dead-letter report failed")
        return 0


async def listing(db: Database) -> list[tuple[Tenant, DeadLetter]]:
    """Every tenant's dead letters, tenant by tenant, oldest first (`centavo worker --dead-letters`)."""
    async with db.directory() as directory:
        tenants = await directory.tenants.list()
    found: list[tuple[Tenant, DeadLetter]] = []
    for tenant in tenants:
        async with db.unit_of_work(tenant.id) as uow:
            found.extend((tenant, letter) for letter in await uow.dead_letters.list())
    return found


def _log(
    tenants: Sequence[Tenant], found: Mapping[uuid.UUID, int], new: Mapping[uuid.UUID, int] | None = None
) -> None:
    new = new or {}
    if not any(found.values()):
        log.info("outbox dead letters: none")
    for tenant in tenants:
        if found.get(tenant.id):
            log.warning(
                "outbox dead letters: %d (centavo worker --dead-letters lists them)",
                found[tenant.id],
                extra={
                    "tenant_id": str(tenant.id),
                    "dead_letters": found[tenant.id],
                    "new": new.get(tenant.id, 0),
                },
            )
