"""The worker: answers stored messages nobody answered (a crash, an agent error), records what recurring
rules made due, schedules tomorrow's bill reminders, then pushes alerts."""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, field

from adapters.channels import Channel
from adapters.db import Database
from bot import dead_letters
from bot.alerts import AlertDispatcher, AlertTemplates
from bot.digest_pass import DigestScheduler
from bot.keys import AgentLike, Parts
from bot.lifecycle import BATCH, LEASE, Lifecycle, Timing
from bot.outage import Backoff, Outage, is_unavailable
from domain.bills import schedule_reminders
from domain.model import Tenant
from domain.ports import Clock
from domain.recurring import record_due_rules

__all__ = ["BATCH", "IDLE_SLEEP_S", "LEASE", "Worker", "run"]

log = logging.getLogger(__name__)

IDLE_SLEEP_S = 2.0


@dataclass
class Worker:
    """One pass answers up to BATCH due messages per tenant (pending ones past their backoff or deferral,
    and ones whose processor is gone), tells senders about dropped messages, then sends pending alerts."""

    db: Database
    agent: AgentLike
    channels: dict[str, Channel]
    """"twilio" and "meta" -> the channel that sends for that provider."""
    clock: Clock
    timing: Timing = field(default_factory=Timing)
    """Lease, heartbeat and backoff (bot/lifecycle.py); tests shorten them."""
    alerts: AlertDispatcher | None = None
    """The outbox consumer; None builds one over the same database, channels and clock."""

    def __post_init__(self) -> None:
        if self.alerts is None:
            self.alerts = AlertDispatcher(self.db, self.channels, self.clock)
        self.lifecycle = Lifecycle(
            unit_of_work=self.db.unit_of_work,
            agent=self.agent,
            clock=self.clock,
            channels=self.channels,
            timing=self.timing,
        )
        self.digests = DigestScheduler(self.db, self.clock)

    async def run_once(self) -> int:
        """Answer what is due now, record the recurring transactions that fell due, then push pending alerts
        (a reply is more urgent than an alert, and a recurring charge may cross a budget); return how much
        was done: messages settled and senders told, occurrences recorded, outbox events settled; 0 when
        idle."""
        async with self.db.directory() as directory:
            tenants = await directory.tenants.list()
        done = 0
        for tenant in tenants:
            done += await self.lifecycle.work(tenant, BATCH)
        for tenant in tenants:
            done += await self._recurring(tenant)
            done += await self._bills(tenant)
        for tenant in tenants:
            done += await self.digests.run(tenant)  # weekly digests due: stored in the outbox, pushed below
        settled = await self.alerts.run_once() if self.alerts is not None else 0
        return done + settled

    async def _recurring(self, tenant: Tenant) -> int:
        try:
            async with self.db.unit_of_work(tenant.id) as uow:
                done = await record_due_rules(uow, self.clock, BATCH)
        except Exception as exc:
            if is_unavailable(exc):
                raise  # the store is gone for every tenant: the loop waits and logs it once
            # One tenant's bug must not stop the other tenants' rules nor the alerts after them.
            log.exception("recurring pass failed", extra={"tenant_id": str(tenant.id)})
            return 0
        for rule_id, why in done.refused:
            log.warning(
                "recurring rule %s not recorded: %s", rule_id, why, extra={"tenant_id": str(tenant.id)}
            )
        for rule_id, day, paid_by in done.paid_early:
            log.info(
                "bill %s of %s paid early by transaction %s: not recorded again",
                rule_id,
                day.isoformat(),
                paid_by,
                extra={"tenant_id": str(tenant.id)},
            )
        return done.created

    async def _bills(self, tenant: Tenant) -> int:
        """Store the reminders of bills due tomorrow (after the rules' pass: next_due is past today)."""
        try:
            async with self.db.unit_of_work(tenant.id) as uow:
                done = await schedule_reminders(uow, uow.outbox, self.clock)
        except Exception as exc:
            if is_unavailable(exc):
                raise
            log.exception("bill reminder pass failed", extra={"tenant_id": str(tenant.id)})
            return 0
        for rule_id, day, paid_by in done.paid_early:
            # Every pass of the day finds it again: debug, not info.
            log.debug(
                "bill %s of %s paid early by transaction %s: no reminder",
                rule_id,
                day.isoformat(),
                paid_by,
                extra={"tenant_id": str(tenant.id)},
            )
        return done.scheduled


async def run(parts: Parts, *, once: bool) -> int:
    """Run the worker over the composition root's parts (bot/bootstrap.py): one pass (once) or loop until
    cancelled; return the work done (messages answered plus alert events settled)."""
    channels = dict(parts.channels)
    alerts = AlertDispatcher(
        parts.db, channels, parts.clock, templates=AlertTemplates.from_settings(parts.settings)
    )
    worker = Worker(parts.db, parts.need_agent(), channels, parts.clock, alerts=alerts)
    await dead_letters.report(parts.db)  # then after each pass that adds one (AlertDispatcher.run_once)
    if once:
        return await worker.run_once()
    return await loop(worker)


async def loop(worker: Worker, *, idle_s: float = IDLE_SLEEP_S, backoff: Backoff | None = None) -> int:
    """Pass after pass until cancelled. A pass that fails (PostgreSQL or Redis gone, restarting or hung, or
    a bug) never ends the loop: the next one comes after a growing delay (bounded), and a store's outage
    is logged once when it starts and once when it ends, not at every attempt."""
    backoff = backoff or Backoff()
    outage = Outage("a store (database or cache), seen by the worker", log)
    total = 0
    while True:
        try:
            answered = await worker.run_once()
        except Exception as exc:
            if is_unavailable(exc):
                outage.failed(exc)
            else:
                log.exception("worker pass failed")
            await asyncio.sleep(backoff.delay())
            continue
        outage.recovered()
        backoff.reset()
        total += answered
        if not answered:
            await asyncio.sleep(idle_s)
