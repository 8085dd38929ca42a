"""The worker: answers stored messages nobody answered (a crash, an agent error), then pushes alerts."""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from datetime import timedelta

from adapters.channels import Channel
from adapters.db import Database
from bot import inbox
from bot.alerts import AlertDispatcher, AlertTemplates
from bot.keys import AgentLike, Parts
from domain.ports import Clock

log = logging.getLogger(__name__)

LEASE = timedelta(minutes=2)
"""A message claimed longer ago than this is taken over: its processor died."""
BATCH = 20
IDLE_SLEEP_S = 2.0


@dataclass
class Worker:
    """One pass answers up to BATCH claimable messages per tenant, then sends pending budget alerts."""

    db: Database
    agent: AgentLike
    channels: dict[str, Channel]
    """"twilio" and "meta" -> the channel that sends for that provider."""
    clock: Clock
    lease: timedelta = LEASE
    alerts: AlertDispatcher | None = None
    """The outbox consumer; None builds one over the same database, channels and clock."""

    def __post_init__(self) -> None:
        if self.alerts is None:
            self.alerts = AlertDispatcher(self.db, self.channels, self.clock)

    async def run_once(self) -> int:
        """Answer what is claimable now, then push pending alerts (a reply is more urgent than an alert);
        return how much was done: messages answered plus outbox events settled, 0 when idle."""
        answered = await self._answer()
        settled = await self.alerts.run_once() if self.alerts is not None else 0
        return answered + settled

    async def _answer(self) -> int:
        async with self.db.directory() as directory:
            tenants = await directory.tenants.list()
        done = 0
        for tenant in tenants:
            async with self.db.directory() as directory:
                endpoints = {e.address: e.provider for e in await directory.endpoints.list_for(tenant.id)}
            now = self.clock.now()
            async with self.db.unit_of_work(tenant.id) as uow:
                rows = await uow.inbox.claim_pending(BATCH, older_than=now - self.lease, at=now)
                await uow.commit()
            for row in rows:
                provider = endpoints.get(row.recipient, "twilio")
                message = inbox.inbound_from_row(row, provider)
                try:
                    reply = await inbox.answer(self.db, self.agent, tenant, row, message, self.clock.now())
                except Exception:
                    continue  # marked failed (pending again, or failed for good) by answer()
                if reply:
                    await inbox.send_reply(self.db, self.channels[provider], provider, tenant, row, reply)
                done += 1
        return done


async def run(parts: Parts, *, once: bool) -> int:
    """Run the worker over the composition root's parts (bot/bootstrap.py): one pass (once) or loop until
    cancelled; return the work done (messages answered plus alert events settled)."""
    channels = dict(parts.channels)
    alerts = AlertDispatcher(
        parts.db, channels, parts.clock, templates=AlertTemplates.from_settings(parts.settings)
    )
    worker = Worker(parts.db, parts.need_agent(), channels, parts.clock, alerts=alerts)
    total = 0
    while True:
        answered = await worker.run_once()
        total += answered
        if once:
            return total
        if not answered:
            await asyncio.sleep(IDLE_SLEEP_S)
