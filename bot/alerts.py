"""Budget alert pushes: the outbox consumer that tells users about crossings no chat reply has told them."""

from __future__ import annotations

import asyncio
import logging
import random
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Any

from adapters.channels import Channel, OutboundMessage, SendResult
from adapters.channels.base import ChannelKind, Template
from adapters.db import Database, LastInbound, OutboundRecord, OutboxMessage, SqlUnitOfWork
from bot import dead_letters, fallback
from bot.bill_reminders import bill_line
from bot.conversation.lines import alert, low_balance_line
from bot.conversation.reply import Line, render_line
from bot.digest_text import digest_text
from bot.outage import is_unavailable
from bot.replies import fit
from bot.settings import Settings
from domain.bills import still_due
from domain.digest import Digest, compose
from domain.digest_schedule import digest_skip
from domain.events import BillDue, BudgetThresholdCrossed, HouseholdNotice, LowBalance, WeeklyDigestDue
from domain.history import DEAD_LETTER, FAILED, GAVE_UP, SENT
from domain.model import Source, Tenant, User
from domain.operators import tenant_settings
from domain.ports import Clock
from domain.quiet import held_until
from nlu.types import LANGUAGES

log = logging.getLogger(__name__)

# Delivery guarantee: at least once per outbox row. Each event gets its own unit of work that claims the row
# (FOR UPDATE SKIP LOCKED on PostgreSQL, so a concurrent dispatcher skips it; SQLite's write lock serializes),
# sends while the row stays locked, and only then records the outbound message and marks the row processed,
# in one commit. A crash (or a failed commit) after the provider accepted the message and before that commit
# leaves the row pending and the next pass sends it again: Twilio has no idempotency key, so that window can
# double-send (so can a timeout, which counts as retryable). The alternative, committing "processed" before
# sending, turns the same crash into a silently lost alert. An alert exists to arrive before the money runs
# out, and a rare duplicate costs less than a missing warning, so duplicates are the side we chose; the
# window is one HTTP call wide, and the crossing itself is still raised once (budget_crossings' unique key).
# On SQLite every transaction holds the write lock (BEGIN IMMEDIATE), so webhooks wait out one send; fine for
# the one-process embedded mode, whose console channel answers at once. On PostgreSQL a pass runs several such
# units of work at once (`concurrency`): each claims its own row, so the guarantee holds for each of them.

WHATSAPP_WINDOW = timedelta(hours=24)
"""WhatsApp allows free-form messages only this long after the user's last message; later, templates only."""
MAX_ATTEMPTS = 5
"""Sends tried per event before it is given up (marked processed with a log line)."""
BATCH = 50
"""Events handled per tenant per pass, so one busy tenant cannot starve the others."""
CONCURRENCY = 16
"""PostgreSQL: a tenant's events in flight at once in one pass. One at a time, a provider answering in 50 ms
caps a worker at 20 pushes a second (bench/pushes.py); each in flight holds a pooled connection while its
push is sent, and the pool's default is 10 + 10 (adapters/db/engine.py)."""
PUSHED = (
    BudgetThresholdCrossed.__name__,
    HouseholdNotice.__name__,
    LowBalance.__name__,
    WeeklyDigestDue.__name__,
    BillDue.__name__,
)
"""The events that may become a push. The others (a transaction recorded, and types this version does not
know) are settled together at the start of each pass (SqlOutbox.settle_all_but)."""


def alert_text(crossing: BudgetThresholdCrossed, lang: str, locale: str) -> str:
    """The alert in `lang` with amounts for `locale`, as the chat reply that crossed it would say it."""
    return render_line(alert(crossing), lang, locale)


Pushed = BudgetThresholdCrossed | HouseholdNotice | LowBalance | WeeklyDigestDue | BillDue


def push_text(event: Pushed, lang: str, locale: str, digest: Digest | None = None) -> str:
    """What a push says, in the language of the member it goes to (members may speak different ones). A
    weekly digest's text is its `digest`, composed from the ledger when it is sent."""
    if isinstance(event, WeeklyDigestDue):
        assert digest is not None, "a digest's push is composed before it is rendered"
        return digest_text(digest, lang, locale)
    if isinstance(event, BillDue):
        return render_line(bill_line(event), lang, locale)
    if isinstance(event, HouseholdNotice):
        return render_line(Line(f"household_push_{event.what}", {"who": event.who}), lang, locale)
    if isinstance(event, LowBalance):
        return render_line(low_balance_line(event), lang, locale)
    return alert_text(event, lang, locale)


@dataclass(frozen=True, slots=True)
class Route:
    """How a push goes out."""

    channel: ChannelKind
    provider: str
    """"twilio" or "meta": the key of the Channel that sends it."""
    from_: str
    """Our address: the number (or Meta phone_number_id) the user wrote to, or the tenant's Twilio number."""
    template: bool = False
    """WhatsApp outside the 24-hour window: the approved alert template, the alert text as its variable."""


@dataclass(frozen=True, slots=True)
class AlertTemplates:
    """Approved WhatsApp templates for alerts outside the 24-hour window. Each has one body variable, {{1}},
    which carries the rendered alert ("Centavo: {{1}}" is the body to submit for approval)."""

    twilio: Mapping[str, str] = field(default_factory=dict)
    """Language (en, es, pt) -> Twilio Content SID (HX...): Twilio approves one content per language."""
    meta: str | None = None
    """Meta template name; Meta approves translations under one name, chosen by the user's locale."""
    tenant: Mapping[str, str] = field(default_factory=dict)
    """The tenant's own per language (settings `whatsapp_templates`), ahead of the deployment's: the Content
    SID on Twilio, the template name on Meta (a branded assistant has templates of its own)."""

    def for_tenant(self, tenant: Tenant) -> AlertTemplates:
        own = tenant_settings(tenant)["whatsapp_templates"]
        return replace(self, tenant=dict(own)) if own else self

    @classmethod
    def from_settings(cls, settings: Settings) -> AlertTemplates:
        """From TWILIO_ALERT_CONTENT_SIDS ("en=HX...,pt=HX...") and META_ALERT_TEMPLATE; ValueError names a
        malformed entry, so a bad deployment fails at start rather than at the first alert."""
        sids: dict[str, str] = {}
        for entry in (settings.twilio_alert_content_sids or "").split(","):
            if not entry.strip():
                continue
            lang, _, sid = (part.strip() for part in entry.partition("="))
            if lang not in LANGUAGES or not sid:
                raise ValueError(f"TWILIO_ALERT_CONTENT_SIDS: expected en|es|pt=SID, got {entry!r}")
            sids[lang] = sid
        return cls(twilio=sids, meta=settings.meta_alert_template)

    def available(self, provider: str, lang: str) -> bool:
        if provider in ("twilio", "meta") and self.tenant.get(lang):
            return True
        return bool(self.twilio.get(lang)) if provider == "twilio" else provider == "meta" and bool(self.meta)

    def template(self, provider: str, user: User, text: str) -> Template:
        own = self.tenant.get(str(user.language))
        if own:
            sid = own if provider == "twilio" else None
            return Template(name=own, language=user.locale, parameters=(text,), content_sid=sid)
        if provider == "twilio":
            sid = self.twilio[str(user.language)]
            return Template(name=sid, language=user.locale, parameters=(text,), content_sid=sid)
        assert self.meta is not None
        return Template(name=self.meta, language=user.locale, parameters=(text,))


@dataclass(frozen=True, slots=True)
class Skip:
    """Why no push is sent."""

    reason: str
    """"opted_out", "window_closed" or "no_channel" (domain.history.SKIP_REASONS)."""


def choose_route(
    user: User,
    last: LastInbound | None,
    endpoints: Mapping[str, str],
    now: datetime,
    templates: AlertTemplates | None = None,
) -> Route | Skip:
    """Where to push: the channel the user last wrote from, within WhatsApp's rules and the user's opt-outs.

    WhatsApp within 24 hours of their last message: free-form through the provider of the address they wrote
    to. Outside the window: the approved alert template on the same WhatsApp number when one is configured for
    that provider and the user's language, else (or when that address is no longer ours) SMS from the
    tenant's Twilio number. Their last message by SMS: SMS, from the number they texted when it
    is still ours. Never wrote: SMS from the tenant's Twilio number. No Twilio number: skip. Someone who
    opted out of the channel they last used is not chased onto another one.
    """
    twilio_numbers = sorted(address for address, provider in endpoints.items() if provider == "twilio")
    sms = Route("sms", "twilio", twilio_numbers[0]) if twilio_numbers else None
    if last is not None and user.opted_out.get(last.channel):
        return Skip("opted_out")
    route: Route | None = sms
    if last is not None and last.channel == "whatsapp":
        provider = endpoints.get(last.recipient)
        in_window = now - last.received_at < WHATSAPP_WINDOW
        if in_window and provider is not None:
            route = Route("whatsapp", provider, last.recipient)
        elif provider is not None and templates and templates.available(provider, str(user.language)):
            route = Route("whatsapp", provider, last.recipient, template=True)
        elif sms is None:
            return Skip("no_channel" if in_window else "window_closed")
    elif last is not None and last.channel == "sms" and endpoints.get(last.recipient) == "twilio":
        route = Route("sms", "twilio", last.recipient)
    if route is None:
        return Skip("no_channel")
    if user.opted_out.get(route.channel):
        return Skip("opted_out")
    return route


@dataclass(frozen=True, slots=True)
class PushBackoff:
    """How long a push that failed with a retryable error waits: exponential from `base`, capped, with
    "equal jitter" (half the step fixed, half random) so pushes that failed together do not retry together,
    and each wait is at least as long as the one before."""

    base: timedelta = timedelta(seconds=30)
    cap: timedelta = timedelta(hours=1)
    rng: random.Random = field(default_factory=random.Random, compare=False)

    def delay(self, failures: int) -> timedelta:
        step = min(self.cap, self.base * 2 ** max(failures - 1, 0))
        return step / 2 + step / 2 * self.rng.random()


@dataclass(slots=True)
class _Claims:
    """One tenant's pass, shared by its workers: claims left of the batch, and the ids tried (each claim asks
    for none of them, so the pass does not come back to an event it left pending, held or failed; a claim
    asked before another worker let one go may still return it: it is skipped). Not a cursor of the highest
    id claimed: an event that waited for an earlier one of its person (SqlOutbox.pending) is claimable in
    the same pass once that one is settled, so a person's pushes go out in one pass, in order."""

    left: int
    tried: set[int]


@dataclass
class AlertDispatcher:
    """Consumes each tenant's outbox: pushes BudgetThresholdCrossed alerts, settles every other event."""

    db: Database
    channels: Mapping[str, Channel]
    """"twilio" and "meta" -> the channel that sends for that provider."""
    clock: Clock
    batch: int = BATCH
    max_attempts: int = MAX_ATTEMPTS
    templates: AlertTemplates = field(default_factory=AlertTemplates)
    backoff: PushBackoff = field(default_factory=lambda: PushBackoff())
    concurrency: int | None = None
    """Events of one tenant sent at once, each claimed in a unit of work of its own; None: CONCURRENCY on
    PostgreSQL (see workers())."""

    async def run_once(self) -> int:
        """Handle what is pending now; return how many outbox events were settled (sent, skipped, dropped)."""
        async with self.db.directory() as directory:
            tenants = await directory.tenants.list()
        settled = 0
        tried: dict[uuid.UUID, set[int]] = {}
        for tenant in tenants:
            try:
                settled += await self._tenant(tenant, tried.setdefault(tenant.id, set()))
                # Pushes a status callback reported failed for good since: their SMS (bot/fallback.py).
                await fallback.run_pass(self.db, self.channels, tenant, self.clock.now())
            except Exception as exc:
                if is_unavailable(exc):
                    raise  # the store is gone for every tenant: the worker's loop waits and logs it once
                # A database failure in one tenant must not keep the others' alerts from going out.
                log.exception("alert pass failed", extra={"tenant_id": str(tenant.id)})
        await dead_letters.report_new(self.db, tenants, tried)
        return settled

    def workers(self) -> int:
        """Events of one tenant in flight at once: `concurrency`, else CONCURRENCY on PostgreSQL; 1 on
        SQLite, whose write lock lets one unit of work run at a time anyway; never more than the pool's
        connections, as each holds one for its whole send."""
        if self.db.dialect != "postgresql":
            return 1
        wanted = CONCURRENCY if self.concurrency is None else self.concurrency
        return max(1, min(wanted, self.db.connections))

    async def _tenant(self, tenant: Tenant, tried: set[int]) -> int:
        # Read before any unit of work opens: on SQLite a second connection would wait for our own write lock.
        endpoints = await self._endpoints(tenant)
        async with self.db.unit_of_work(tenant.id) as uow:
            settled = await uow.outbox.settle_all_but(PUSHED, self.clock.now())
            await uow.commit()
        claims = _Claims(left=self.batch, tried=tried)
        workers = self.workers()
        if workers == 1:
            return settled + await self._claim_each(tenant, endpoints, claims)
        results = await asyncio.gather(
            *(self._claim_each(tenant, endpoints, claims) for _ in range(workers)), return_exceptions=True
        )
        # Every worker finishes its send before a failure is raised: cancelling one mid-send could only
        # add a duplicate.
        for result in results:
            if isinstance(result, BaseException):
                raise result
        return settled + sum(r for r in results if isinstance(r, int))

    async def _claim_each(self, tenant: Tenant, endpoints: Mapping[str, str], claims: _Claims) -> int:
        """One of a pass's workers: claims events one at a time until the batch or the events run out."""
        settled = 0
        while claims.left > 0:
            claims.left -= 1
            # One event per unit of work: its row stays locked exactly while its push is being sent.
            async with self.db.unit_of_work(tenant.id) as uow:
                try:
                    claimed = await uow.outbox.pending(1, exclude=tuple(claims.tried), now=self.clock.now())
                except Exception:
                    claims.left = 0  # the pass ends here for every worker, as it did for the one before
                    raise
                if not claimed:
                    # Nothing claimable now. The others go on: the next event of a person whose push one of
                    # them is sending becomes claimable when that one is settled.
                    claims.left += 1
                    break
                message = claimed[0]
                # Not again in this pass: a retryable failure is tried again next pass.
                if message.id in claims.tried:
                    continue  # released by the worker that tried it (held, or failed) while we asked
                claims.tried.add(message.id)
                try:
                    done = await self._handle(uow, tenant, message, endpoints)
                except Exception:
                    log.exception("alert failed", extra=_fields(tenant, message))
                    await uow.rollback()
                    done = await self._failed(uow, tenant, message, "error")
                await uow.commit()
            settled += done
        return settled

    async def _endpoints(self, tenant: Tenant) -> dict[str, str]:
        async with self.db.directory() as directory:
            return {e.address: e.provider for e in await directory.endpoints.list_for(tenant.id)}

    async def _handle(
        self, uow: SqlUnitOfWork, tenant: Tenant, message: OutboxMessage, endpoints: Mapping[str, str]
    ) -> bool:
        """Push or skip one event; True when it is settled (processed), False when it stays pending."""
        now = self.clock.now()
        event = message.event()
        if not isinstance(event, Pushed):
            # TransactionRecorded and types this version does not know: nothing to push.
            await uow.outbox.mark_processed(message.id, now)
            return True
        if isinstance(event, BudgetThresholdCrossed | LowBalance) and event.source == Source.CHAT.value:
            # The reply to the chat message that crossed already carried the alert.
            return await self._skip(uow, tenant, message, "told_in_reply", now)
        user = await uow.users.get(event.user_id)
        if user is None:
            return await self._skip(uow, tenant, message, "no_user", now)
        if isinstance(event, BudgetThresholdCrossed) and not user.budget_alerts:
            return await self._skip(uow, tenant, message, "alerts_off", now)  # "stop budget alerts"
        if isinstance(event, BillDue) and (why := await still_due(event, uow, self.clock)) is not None:
            return await self._skip(uow, tenant, message, why, now)  # paid meanwhile, no longer a bill, late
        if isinstance(event, WeeklyDigestDue) and (skipped := digest_skip(user, event, now)) is not None:
            return await self._skip(uow, tenant, message, skipped, now)  # "stop the summary", or a day late
        until = held_until(user, tenant, now)
        if until is not None:
            # Their quiet hours: the push stays pending, untried, and a pass after `until` sends it.
            log.info("push held for quiet hours", extra=_fields(tenant, message, until=until.isoformat()))
            return False
        last = await uow.inbox.last_inbound(user.phone)
        templates = self.templates.for_tenant(tenant)
        route = choose_route(user, last, endpoints, now, templates)
        if isinstance(route, Skip):
            return await self._skip(uow, tenant, message, route.reason, now)
        digest = None
        if isinstance(event, WeeklyDigestDue):
            digest = await compose(uow, user, event.week_start, self.clock)  # the ledger as it is now
        body = fit(push_text(event, str(user.language), user.locale, digest), route.channel)
        if route.template:
            # A template's variable may hold no line breaks (Meta refuses them): a digest's lines in a row.
            body = " · ".join(line.strip().lstrip("• ") for line in body.splitlines() if line.strip())
        result = await self._send(tenant, message, user, route, body, templates)
        if not result.ok and result.retryable and message.attempts + 1 < self.max_attempts:
            retry_at = now + self.backoff.delay(message.attempts + 1)
            await uow.outbox.mark_failed(message.id, retry_at)
            log.warning(
                "alert send failed, will retry",
                extra=_fields(tenant, message, error=result.error, retry_at=retry_at.isoformat()),
            )
            return False
        outcome = SENT if result.ok else DEAD_LETTER if result.retryable else FAILED
        if outcome == DEAD_LETTER:
            # The provider kept failing with errors worth retrying: kept as a dead letter the history shows.
            log.error("alert dead-lettered", extra=_fields(tenant, message, error=result.error))
        elif not result.ok:
            # Opted out, an invalid number, a rejected template: trying again cannot help.
            log.warning("alert send failed, giving up", extra=_fields(tenant, message, error=result.error))
        await uow.outbound.add(
            record := OutboundRecord(
                id=uuid.uuid4(),
                tenant_id=tenant.id,
                channel=route.channel,
                recipient=user.phone,
                body=body,
                provider=route.provider,
                inbox_id=None,  # a push answers no inbound message
                provider_message_id=result.provider_message_id,
                status="failed" if not result.ok else result.status,
                error=result.error,
                updated_at=now,
                outbox_id=message.id,  # links the alert to this push and its later status callbacks
            )
        )
        if route.channel == "whatsapp" and outcome == FAILED:
            # Refused for good on WhatsApp: the same text by SMS, once (bot/fallback.py); sent if it took it.
            sms = await fallback.send_instead(uow, self.channels, tenant, record, user, endpoints, now)
            outcome = SENT if sms is not None and sms.ok else outcome
        await uow.outbox.mark_processed(message.id, now, outcome)
        log.info("alert pushed", extra=_fields(tenant, message, channel=route.channel, ok=result.ok))
        return True

    async def _send(
        self,
        tenant: Tenant,
        message: OutboxMessage,
        user: User,
        route: Route,
        body: str,
        templates: AlertTemplates,
    ) -> SendResult:
        channel = self.channels.get(route.provider)
        if channel is None:
            return SendResult(None, "failed", f"no {route.provider} channel configured", retryable=True)
        outbound = OutboundMessage(
            tenant_id=tenant.id,
            channel=route.channel,
            to=user.phone,
            from_=route.from_,
            body=body,
            idempotency_key=f"alert:{message.id}",
            template=templates.template(route.provider, user, body) if route.template else None,
        )
        try:
            return await channel.send(outbound)
        except Exception as exc:
            # Channels report provider errors as results; anything else counts as a transient failure.
            log.exception("alert channel raised", extra=_fields(tenant, message))
            return SendResult(None, "failed", type(exc).__name__, retryable=True)

    async def _skip(
        self, uow: SqlUnitOfWork, tenant: Tenant, message: OutboxMessage, reason: str, now: datetime
    ) -> bool:
        await uow.outbox.mark_processed(message.id, now, reason)
        log.info("alert not pushed: %s", reason, extra=_fields(tenant, message, reason=reason))
        return True

    async def _failed(self, uow: SqlUnitOfWork, tenant: Tenant, message: OutboxMessage, reason: str) -> bool:
        """Count a failed attempt, giving the event up once it has had max_attempts."""
        if message.attempts + 1 < self.max_attempts:
            now = self.clock.now()
            await uow.outbox.mark_failed(message.id, now + self.backoff.delay(message.attempts + 1))
            return False
        return await self._skip(uow, tenant, message, f"{GAVE_UP}{reason}", self.clock.now())


def _fields(tenant: Tenant, message: OutboxMessage, **more: Any) -> dict[str, Any]:
    # Ids and outcomes only: the alert text and amounts stay out of INFO logs.
    return {"tenant_id": str(tenant.id), "outbox_id": message.id, "attempts": message.attempts, **more}


__all__ = ["AlertDispatcher", "AlertTemplates", "Route", "Skip", "alert_text", "choose_route", "push_text"]
