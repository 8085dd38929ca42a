"""The inbound message lifecycle every webhook and the worker share: store once, throttle, process, record.

A message is stored before anything else, claimed by whoever processes it (a token and a lease that a
heartbeat renews), and settled only by its claimant: every later write names the token and is refused once
the claim was taken over, so a stalled processor neither answers nor sends. Nothing is lost on the way:
- the agent raising (a lock timeout, a dropped connection) leaves the row pending with the error, retried
  with backoff; after the last attempt the sender is told, in their language, which message was not recorded;
- a sender over the rate limit has the message deferred to the time the token bucket frees a token for it
  (answered later by the worker), up to a cap per hour; beyond it the message is dropped and the sender is
  told once which messages were not processed;
- a processor that dies stops renewing its lease, and the worker takes its rows over within the lease.
The module depends on ports only (a unit-of-work factory, the rate limiter, the agent, a clock, channels).
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Literal, cast

from adapters.channels.base import ChannelKind, OutboundMessage
from bot.answer import answer_parts
from bot.claims import (
    BATCH,
    CAP_WINDOW,
    LEASE,
    QUOTE_CHARS,
    QUOTED_DROPPED,
    Timing,
    heartbeat,
    new_token,
)
from bot.replies import fit, replies
from domain.messages import InboundMessage, InboxMessage, OutboundRecord, Provider
from domain.model import Channel as ChannelName
from domain.model import Tenant
from domain.ports import Clock, RateLimiter, UnitOfWork

if TYPE_CHECKING:
    from adapters.channels.base import Channel
    from bot.keys import AgentLike, Metrics

WORK_CONCURRENCY = 8
"""Senders the worker answers at once in one tenant: held messages drain several times faster than one by
one, and the pool (10 + 10 connections) keeps room for the webhooks of the same process."""

__all__ = ["BATCH", "LEASE", "Lifecycle", "Receipt", "Timing", "inbound_from_row", "quote"]

log = logging.getLogger(__name__)

Outcome = Literal[
    "answered", "duplicate", "deferred", "dropped", "retrying", "failed", "stale", "stored", "held"
]


@dataclass(frozen=True, slots=True)
class Receipt:
    """What became of one message this time round."""

    outcome: Outcome
    """answered (a reply, or nothing to say), duplicate, deferred, dropped, retrying (failed, retried
    later), failed (given up, the sender told), stale (the claim was taken over: nothing written, nothing
    sent), stored (no agent here: left claimed for the worker), held (stored pending for the worker: the
    process was over its bound of work in flight, bot/admission.py)."""
    reply: str | None = None
    """For the provider's synchronous answer (TwiML): the reply, a duplicate's stored reply or the apology.
    None when there is nothing to say now, or when it went out through the provider's API."""
    row_id: uuid.UUID | None = None
    media_url: str | None = None
    """The image sent with `reply` (a chart), for the synchronous answer too."""


class InlineReply:
    """The webhook's side of an inline answer (Twilio's TwiML): the reply rides on the HTTP response only
    while the webhook still waits for it.

    The lifecycle takes it right before it settles the message with its reply and hands it over right
    after; the webhook, out of time, abandons it. One event loop, so no lock: whichever comes first wins.
    Abandoned before it was taken, the reply goes through the provider's API the usual way; abandoned
    between take and hand-over (the settling commit was slow), it is sent through the API after the commit.
    So a reply settled as done was either in a response or sent, never neither."""

    __slots__ = ("_state", "stored")

    def __init__(self) -> None:
        self._state: Literal["waiting", "taken", "handed", "abandoned", "orphaned"] = "waiting"
        self.stored = False
        """The message is in the inbox (stored now, or found there as a duplicate): it will be answered."""

    def take(self) -> bool:
        """The lifecycle, before settling: True when the reply may go in the response."""
        if self._state == "waiting":
            self._state = "taken"
        return self._state == "taken"

    def hand_over(self) -> bool:
        """The lifecycle, once settled: True when the webhook still waits; False: send it through the API."""
        if self._state == "taken":
            self._state = "handed"
        return self._state == "handed"

    def abandon(self) -> bool:
        """The webhook, out of time: True when the reply will go through the API; False when it was handed
        over already (the lifecycle is returning it: wait for it)."""
        if self._state == "waiting":
            self._state = "abandoned"
        elif self._state == "taken":
            self._state = "orphaned"
        return self._state != "handed"


def quote(text: str, limit: int = QUOTE_CHARS) -> str:
    """The start of a message, on one line, cut at a word boundary: "gastei 45,90 no mercado…"."""
    flat = " ".join(text.split())
    if not flat:
        return "📎"  # a media-only message has no words to quote
    if len(flat) <= limit:
        return flat
    head = flat[:limit]
    return (head.rsplit(" ", 1)[0] if " " in head else head) + "…"


def inbound_from_row(row: InboxMessage) -> InboundMessage:
    """Rebuild the channel-neutral message from its inbox row (what a retry processes)."""
    return InboundMessage(
        channel=ChannelName(row.channel),
        provider=cast(Provider, row.provider),
        sender=row.sender,
        recipient=row.recipient,
        text=row.text,
        provider_message_id=row.provider_message_id,
        received_at=row.received_at,
        media_count=row.media_count,
        profile_name=row.profile_name,
        media=row.media,
    )


class Lifecycle:
    """receive() for the webhooks, work() for the worker; both process and record through the same code."""

    def __init__(
        self,
        *,
        unit_of_work: Callable[[uuid.UUID], UnitOfWork],
        agent: AgentLike | None,
        clock: Clock,
        channels: Mapping[str, Channel],
        limiter: RateLimiter | None = None,
        timing: Timing | None = None,
        metrics: Metrics | None = None,
    ) -> None:
        self._uow = unit_of_work
        self._agent = agent
        self._clock = clock
        self._channels = channels
        """"twilio" and "meta" -> the channel that sends for that provider."""
        self._limiter = limiter
        self.timing = timing or Timing()
        self._metrics = metrics

    # -- the webhooks ------------------------------------------------------------------------------------

    async def receive(
        self, tenant: Tenant, message: InboundMessage, *, inline: InlineReply | bool, hold: bool = False
    ) -> Receipt:
        """Store the message once, throttle, process and record it. `inline`: the reply goes back in the
        webhook's response (Twilio's TwiML) while the webhook waits for it (an InlineReply; True: it always
        waits), else through the provider's API (Meta). `hold`: only store it, pending, for the worker."""
        box = InlineReply() if inline is True else inline or None
        now = self._clock.now()
        async with self._uow(tenant.id) as uow:
            # Behind a message of the same sender that waits for the worker, this one waits too: the worker
            # answers a sender's messages in order, and overtaking would answer "yes" before its question.
            hold = hold or await uow.inbox.has_held(message.sender, now)
            row = _inbox_row(tenant, message, now, self.timing, hold=hold)
            stored, created = await uow.inbox.add_if_absent(row)
            await uow.commit()
        if box is not None:
            box.stored = True
        if not created:
            settled = stored.status in ("done", "failed")
            return Receipt("duplicate", stored.reply_text if settled else None, stored.id)
        if hold:
            # The worker claims it on its next pass. It skips the rate limit: deferring needs a claim, and
            # a held message is answered at the worker's pace anyway.
            return Receipt("held", None, row.id)
        if self._limiter is not None:
            decision = await self._limiter.check(tenant.id, message.sender, now)
            if not decision.allowed:
                held = await self._defer_or_drop(tenant, row, now)
                if held is not None:
                    return held
        if self._agent is None:
            return Receipt("stored", None, row.id)  # the lease runs out and the worker answers it
        async with heartbeat(self._uow, self._clock, self.timing, tenant.id, _token(row)):
            return await self._process(tenant, row, inline=box)

    async def _defer_or_drop(self, tenant: Tenant, row: InboxMessage, now: datetime) -> Receipt | None:
        """Over the rate limit: deferred to its reserved token's time, or dropped over the hourly cap.
        None when a token came free in the meantime (process it now)."""
        assert self._limiter is not None
        async with self._uow(tenant.id) as uow:
            deferred = await uow.inbox.count_deferred(row.sender, now - CAP_WINDOW)
        extra = {"tenant_id": str(tenant.id), "message_id": str(row.id)}
        if deferred >= self.timing.deferral_cap:
            async with self._uow(tenant.id) as uow:
                ok = await uow.inbox.drop(row.id, _token(row), "over the sender's hourly deferral cap", now)
                await uow.commit()
            log.warning("rate limited over the hourly cap: dropped", extra=extra)
            return Receipt("dropped" if ok else "stale", None, row.id)
        decision = await self._limiter.check(tenant.id, row.sender, now, reserve=True)
        if decision.allowed:
            return None
        not_before = now + timedelta(seconds=decision.wait)
        async with self._uow(tenant.id) as uow:
            ok = await uow.inbox.defer(row.id, _token(row), not_before, now)
            await uow.commit()
        log.info("rate limited: deferred %.1f s", decision.wait, extra=extra)
        return Receipt("deferred" if ok else "stale", None, row.id)

    # -- the worker --------------------------------------------------------------------------------------

    async def work(self, tenant: Tenant, limit: int = BATCH) -> int:
        """Claim what is due in this tenant (pending rows past their not_before, rows whose processor is
        gone), process them under one heartbeat, then tell senders about dropped messages; how much was
        done."""
        now = self._clock.now()
        token = new_token()
        async with self._uow(tenant.id) as uow:
            rows = await uow.inbox.claim(limit, now, now + self.timing.lease, token)
            await uow.commit()
        done = 0
        if rows:
            # Senders are answered side by side (at most WORK_CONCURRENCY at once), each sender's messages
            # one after another in the order they came: a conversation's turns must not overtake each other.
            by_sender: dict[str, list[InboxMessage]] = {}
            for row in rows:
                by_sender.setdefault(row.sender, []).append(row)
            gate = asyncio.Semaphore(WORK_CONCURRENCY)

            async def answer(turns: list[InboxMessage]) -> int:
                async with gate:
                    return sum([await self._work_one(tenant, row) for row in turns])

            async with heartbeat(self._uow, self._clock, self.timing, tenant.id, token):
                done = sum(await asyncio.gather(*(answer(turns) for turns in by_sender.values())))
        return done + await self._notify_dropped(tenant)

    async def _work_one(self, tenant: Tenant, row: InboxMessage) -> int:
        """1 when a claimed row was settled here, 0 when it was not (stale, or it failed)."""
        try:
            receipt = await self._process(tenant, row, inline=None)
        except Exception:
            # Not the agent (that is handled): the database or a channel. The row stays claimed and is taken
            # over when the lease runs out.
            log.exception("processing failed", extra={"tenant_id": str(tenant.id), "message_id": str(row.id)})
            return 0
        return int(receipt.outcome != "stale")

    # -- processing, shared ------------------------------------------------------------------------------

    async def _process(self, tenant: Tenant, row: InboxMessage, *, inline: InlineReply | None) -> Receipt:
        """Run the agent on a claimed row and record what came of it."""
        extra = {"tenant_id": str(tenant.id), "message_id": str(row.id)}
        if row.attempts > self.timing.max_attempts:
            # Claimed again and again by processors that died: it may be what kills them.
            log.error("giving up on a message whose processors kept dying", extra=extra)
            return await self._give_up(tenant, row, f"no answer after {row.attempts - 1} attempts", inline)
        assert self._agent is not None
        try:
            reply, media_url = answer_parts(await self._agent.handle(tenant, inbound_from_row(row)))
        except Exception as exc:
            log.exception("agent failed (attempt %d)", row.attempts, extra=extra)
            if self._metrics is not None:
                self._metrics.errors.labels("agent").inc()
            error = f"{type(exc).__name__}: {exc}"[:500]
            if row.attempts >= self.timing.max_attempts:
                return await self._give_up(tenant, row, error, inline)
            now = self._clock.now()
            not_before = now + self.timing.backoff(row.attempts)
            async with self._uow(tenant.id) as uow:
                ok = await uow.inbox.retry_later(row.id, _token(row), error, not_before, now)
                await uow.commit()
            return Receipt("retrying" if ok else "stale", None, row.id)
        return await self._record(tenant, row, reply, inline=inline, error=None, media_url=media_url)

    async def _give_up(
        self, tenant: Tenant, row: InboxMessage, error: str, inline: InlineReply | None
    ) -> Receipt:
        """After the last attempt: the row fails with its error and the sender hears which message it was."""
        async with self._uow(tenant.id) as uow:
            lang, locale = await _language(uow, tenant, row.sender)
        text = replies().render("lifecycle_not_recorded", lang, locale, description=quote(row.text))
        return await self._record(tenant, row, fit(text, row.channel), inline=inline, error=error)

    async def _record(
        self,
        tenant: Tenant,
        row: InboxMessage,
        text: str | None,
        *,
        inline: InlineReply | None,
        error: str | None,
        media_url: str | None = None,
    ) -> Receipt:
        """Settle the row with `text` (done, or failed with `error`) and send it, with the image at
        `media_url` if any: in the webhook's response when it still waits (`inline` taken), else through the
        API. The claim is checked in the transaction that records the outbound message, right before the
        send."""
        token, outcome = _token(row), cast(Outcome, "answered" if error is None else "failed")
        extra = {"tenant_id": str(tenant.id), "message_id": str(row.id)}

        async def settle(uow: UnitOfWork) -> bool:
            now = self._clock.now()
            if error is None:
                return await uow.inbox.mark_done(row.id, token, text, now)
            return await uow.inbox.give_up(row.id, token, error, text or "", now)

        if text is None or (inline is not None and inline.take()):
            # A reply for the response is recorded with the settling (queued, no provider id yet): its
            # <Message action> status callbacks link it (bot/delivery.py).
            record = None if text is None else _outbound(tenant, row, text, media_url)
            async with self._uow(tenant.id) as uow:
                settled = await settle(uow)
                if settled and record is not None:
                    await uow.outbound.add(record)
                await uow.commit()
            if not settled:
                log.warning("claim lost before the answer was recorded: not answering", extra=extra)
                return Receipt("stale", None, row.id)
            if record is None or inline is None or inline.hand_over():
                return Receipt(outcome, text, row.id, media_url)
            # The webhook answered (out of time) while the reply was being recorded: no response carries it,
            # so the recorded reply goes through the API instead.
            log.warning("webhook gone before its reply was recorded: sending it through the API", extra=extra)
            await self._send(tenant, row, record, f"reply:{row.id}")
            return Receipt(outcome, None, row.id)

        record = _outbound(tenant, row, text, media_url)
        async with self._uow(tenant.id) as uow:
            if not await uow.inbox.hold(row.id, token, self._clock.now() + self.timing.lease):
                log.warning("claim lost before sending: not sending", extra=extra)
                return Receipt("stale", None, row.id)
            await uow.outbound.add(record)
            await uow.commit()
        await self._send(tenant, row, record, f"reply:{row.id}")
        async with self._uow(tenant.id) as uow:
            settled = await settle(uow)
            await uow.commit()
        if not settled:
            # Only a stall longer than the lease between the check and the send gets here.
            log.warning("claim lost while sending", extra=extra)
        return Receipt(outcome, None, row.id)

    async def _send(self, tenant: Tenant, row: InboxMessage, record: OutboundRecord, key: str) -> bool:
        """Send a recorded outbound message to the row's sender from the address they wrote to."""
        channel = self._channels.get(row.provider) or self._channels["twilio"]
        kind: ChannelKind = "whatsapp" if row.channel == "whatsapp" else "sms"
        result = await channel.send(
            OutboundMessage(
                tenant_id=tenant.id,
                channel=kind,
                to=row.sender,
                from_=row.recipient,
                body=record.body,
                idempotency_key=key,
                media_url=record.media_url,
            )
        )
        if result.provider_message_id:
            async with self._uow(tenant.id) as uow:
                status = "failed" if not result.ok else result.status
                await uow.outbound.set_provider_id(record.id, result.provider_message_id, status)
                await uow.commit()
        if self._metrics is not None:
            self._metrics.messages_out.labels(row.provider, "sent" if result.ok else "failed").inc()
            if not result.ok:
                self._metrics.errors.labels("send").inc()
        return result.ok

    # -- dropped messages --------------------------------------------------------------------------------

    async def _notify_dropped(self, tenant: Tenant) -> int:
        """Tell each sender whose messages were dropped which ones, once their backlog is answered; at most
        one such notice per sender and hour (later drops in that hour are settled silently)."""
        async with self._uow(tenant.id) as uow:
            rows = await uow.inbox.dropped_unsettled(limit=500)
        by_sender: dict[str, list[InboxMessage]] = {}
        for row in rows:
            by_sender.setdefault(row.sender, []).append(row)
        told = 0
        for sender, dropped in by_sender.items():
            now = self._clock.now()
            ids = [r.id for r in dropped]
            last = dropped[-1]
            async with self._uow(tenant.id) as uow:
                if await uow.inbox.has_open(sender):
                    continue  # their deferred messages are still being answered: tell them afterwards
                if await uow.inbox.dropped_notice_since(sender, now - CAP_WINDOW):
                    await uow.inbox.settle_dropped(ids, None, now)
                    await uow.commit()
                    continue
                lang, locale = await _language(uow, tenant, sender)
                quoted = ", ".join(f"“{quote(r.text)}”" for r in dropped[:QUOTED_DROPPED])
                if len(dropped) > QUOTED_DROPPED:
                    quoted += " …"
                text = replies().render(
                    "lifecycle_not_processed", lang, locale, count=len(dropped), description=quoted
                )
                text = fit(text, last.channel)
                if await uow.inbox.settle_dropped(ids, text, now) != len(ids):
                    continue  # another worker is telling them (leaving rolls back)
                kind: ChannelKind = "whatsapp" if last.channel == "whatsapp" else "sms"
                record = OutboundRecord(
                    uuid.uuid4(), tenant.id, kind, sender, text, last.provider, inbox_id=last.id
                )
                await uow.outbound.add(record)
                await uow.commit()
            log.info(
                "told a sender about %d dropped messages",
                len(ids),
                extra={"tenant_id": str(tenant.id), "message_id": str(last.id)},
            )
            await self._send(tenant, last, record, f"dropped:{last.id}")
            told += 1
        return told


def _inbox_row(
    tenant: Tenant, message: InboundMessage, now: datetime, timing: Timing, *, hold: bool
) -> InboxMessage:
    """The inbox row of a message arriving now: claimed by its receiver, or pending for the worker."""
    return InboxMessage(
        id=uuid.uuid4(),
        tenant_id=tenant.id,
        channel=str(message.channel),
        provider_message_id=message.provider_message_id,
        sender=message.sender,
        recipient=message.recipient,
        text=message.text,
        received_at=message.received_at,
        status="pending" if hold else "processing",
        attempts=0 if hold else 1,
        claimed_at=None if hold else now,
        provider=message.provider,
        media_count=message.media_count,
        profile_name=message.profile_name,
        media=message.media,
        claim_token=None if hold else new_token(),
        lease_until=None if hold else now + timing.lease,
    )


def _outbound(tenant: Tenant, row: InboxMessage, text: str, media_url: str | None = None) -> OutboundRecord:
    """The record of a reply to `row` (with the image at `media_url`, if any)."""
    kind: ChannelKind = "whatsapp" if row.channel == "whatsapp" else "sms"
    return OutboundRecord(
        uuid.uuid4(), tenant.id, kind, row.sender, text, row.provider, inbox_id=row.id, media_url=media_url
    )


def _token(row: InboxMessage) -> str:
    if row.claim_token is None:
        raise ValueError(f"inbox message {row.id} is not claimed")
    return row.claim_token


async def _language(uow: UnitOfWork, tenant: Tenant, sender: str) -> tuple[str, str]:
    """The sender's language and locale when they are a user of the tenant, else the tenant's."""
    user = await uow.users.get_by_phone(sender)
    return (str(user.language), user.locale) if user else (str(tenant.language), tenant.locale)
