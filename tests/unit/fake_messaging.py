"""In-memory inbox, outbound messages, rate limiter and channel: the ports the message lifecycle uses."""

# The inbox and outbound fakes live in the FakeUnitOfWork's working copy like every other fake repository
# (tests/unit/fakes.py), so a write left uncommitted is discarded. They follow the SQL adapter
# (adapters/db/inbox.py) rule for rule: a claimant's writes name its token and are refused once it is stale.

from __future__ import annotations

import copy
import uuid
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import TYPE_CHECKING

from adapters.channels.base import OutboundMessage, SendResult
from domain.messages import DeliveryStatus, InboxMessage, LastInbound, OutboundRecord, RateDecision

if TYPE_CHECKING:
    from tests.unit.fakes import _Session

# A status callback moves an outbound message only forward (as adapters/db/messaging.py).
_MOVES_FROM: dict[str, tuple[str, ...]] = {
    "queued": (),
    "sent": ("queued",),
    "delivered": ("queued", "sent"),
    "read": ("queued", "sent", "delivered"),
    "failed": ("queued", "sent"),
    "undelivered": ("queued", "sent"),
}


class FakeInboxRepository:
    def __init__(self, session: _Session) -> None:
        self._s = session

    def _rows(self, call: str) -> list[InboxMessage]:
        rows = [m for m in self._s.data(call).inbox.values() if self._s.mine(m)]
        return sorted(rows, key=lambda m: (m.received_at, str(m.id)))

    async def add_if_absent(self, message: InboxMessage) -> tuple[InboxMessage, bool]:
        data = self._s.data("inbox.add_if_absent")
        self._s.check_tenant(message)
        found = [m for m in self._rows("inbox.find") if m.provider_message_id == message.provider_message_id]
        if found:
            return copy.deepcopy(found[0]), False
        assert message.id not in data.inbox, "inbox id taken"
        data.inbox[message.id] = copy.deepcopy(message)
        return copy.deepcopy(message), True

    async def get(self, message_id: uuid.UUID) -> InboxMessage | None:
        row = self._s.data("inbox.get").inbox.get(message_id)
        return copy.deepcopy(row) if self._s.mine(row) else None

    async def last_inbound(self, sender: str) -> LastInbound | None:
        rows = [m for m in self._rows("inbox.last_inbound") if m.sender == sender]
        return LastInbound(rows[-1].channel, rows[-1].recipient, rows[-1].received_at) if rows else None

    async def claim(self, limit: int, now: datetime, lease_until: datetime, token: str) -> list[InboxMessage]:
        def due(m: InboxMessage) -> bool:
            if m.status == "pending":
                return m.not_before is None or m.not_before <= now
            return m.status == "processing" and (m.lease_until is None or m.lease_until < now)

        claimed = []
        for m in [m for m in self._rows("inbox.claim") if due(m)][:limit]:
            updated = replace(
                m,
                status="processing",
                claimed_at=now,
                claim_token=token,
                lease_until=lease_until,
                attempts=m.attempts + 1,
            )
            self._s.data("inbox.claim").inbox[m.id] = updated
            claimed.append(copy.deepcopy(updated))
        return claimed

    async def renew(self, token: str, lease_until: datetime) -> int:
        data = self._s.data("inbox.renew")
        held = [m for m in self._rows("inbox.renew") if m.claim_token == token and m.status == "processing"]
        for m in held:
            data.inbox[m.id] = replace(m, lease_until=lease_until)
        return len(held)

    async def hold(self, message_id: uuid.UUID, token: str, lease_until: datetime) -> bool:
        return self._settle("inbox.hold", message_id, token, lease_until=lease_until)

    async def mark_done(
        self, message_id: uuid.UUID, token: str, reply_text: str | None, at: datetime
    ) -> bool:
        return self._settle(
            "inbox.mark_done",
            message_id,
            token,
            status="done",
            reply_text=reply_text,
            processed_at=at,
            **_FREE,
        )

    async def retry_later(
        self, message_id: uuid.UUID, token: str, error: str, not_before: datetime, at: datetime
    ) -> bool:
        return self._settle(
            "inbox.retry_later",
            message_id,
            token,
            status="pending",
            error=error,
            not_before=not_before,
            **_FREE,
        )

    async def give_up(
        self, message_id: uuid.UUID, token: str, error: str, reply_text: str, at: datetime
    ) -> bool:
        return self._settle(
            "inbox.give_up",
            message_id,
            token,
            status="failed",
            error=error,
            reply_text=reply_text,
            processed_at=at,
            **_FREE,
        )

    async def defer(self, message_id: uuid.UUID, token: str, not_before: datetime, at: datetime) -> bool:
        row = self._s.data("inbox.defer").inbox.get(message_id)
        attempts = row.attempts - 1 if row is not None else 0
        return self._settle(
            "inbox.defer",
            message_id,
            token,
            status="pending",
            not_before=not_before,
            deferred_at=at,
            attempts=attempts,
            **_FREE,
        )

    async def drop(self, message_id: uuid.UUID, token: str, error: str, at: datetime) -> bool:
        return self._settle("inbox.drop", message_id, token, status="dropped", error=error, **_FREE)

    async def count_deferred(self, sender: str, since: datetime) -> int:
        rows = self._rows("inbox.count_deferred")
        return sum(
            1 for m in rows if m.sender == sender and m.deferred_at is not None and m.deferred_at >= since
        )

    async def has_held(self, sender: str, now: datetime) -> bool:
        rows = self._rows("inbox.has_held")
        return any(
            m.sender == sender and m.status == "pending" and (m.not_before is None or m.not_before <= now)
            for m in rows
        )

    async def has_open(self, sender: str) -> bool:
        rows = self._rows("inbox.has_open")
        return any(m.sender == sender and m.status in ("pending", "processing") for m in rows)

    async def dropped_unsettled(self, limit: int) -> list[InboxMessage]:
        rows = self._rows("inbox.dropped_unsettled")
        return [copy.deepcopy(m) for m in rows if m.status == "dropped" and m.processed_at is None][:limit]

    async def dropped_notice_since(self, sender: str, since: datetime) -> bool:
        return any(
            m.sender == sender
            and m.status == "dropped"
            and m.reply_text is not None
            and m.processed_at is not None
            and m.processed_at >= since
            for m in self._rows("inbox.dropped_notice_since")
        )

    async def settle_dropped(self, message_ids: list[uuid.UUID], reply_text: str | None, at: datetime) -> int:
        data = self._s.data("inbox.settle_dropped")
        settled = 0
        for m in self._rows("inbox.settle_dropped"):
            if m.id in message_ids and m.status == "dropped" and m.processed_at is None:
                data.inbox[m.id] = replace(m, reply_text=reply_text, processed_at=at)
                settled += 1
        return settled

    def _settle(self, call: str, message_id: uuid.UUID, token: str, **values: object) -> bool:
        data = self._s.data(call)
        row = data.inbox.get(message_id)
        if not self._s.mine(row) or row is None or row.claim_token != token or row.status != "processing":
            return False
        data.inbox[message_id] = replace(row, **values)  # type: ignore[arg-type]
        return True


_FREE: dict[str, None] = {"claim_token": None, "lease_until": None}


class FakeOutboundRepository:
    def __init__(self, session: _Session) -> None:
        self._s = session

    async def add(self, message: OutboundRecord) -> None:
        data = self._s.data("outbound.add")
        self._s.check_tenant(message)
        assert message.id not in data.outbound, "outbound id taken"
        data.outbound[message.id] = copy.deepcopy(message)

    async def get(self, message_id: uuid.UUID) -> OutboundRecord | None:
        row = self._s.data("outbound.get").outbound.get(message_id)
        return copy.deepcopy(row) if self._s.mine(row) else None

    async def set_provider_id(
        self,
        message_id: uuid.UUID,
        provider_message_id: str,
        status: DeliveryStatus = "sent",
        at: datetime | None = None,
    ) -> None:
        data = self._s.data("outbound.set_provider_id")
        row = data.outbound.get(message_id)
        if row is None or not self._s.mine(row):
            raise LookupError(f"no outbound message {message_id}")
        moved = status if row.status in (*_MOVES_FROM[status], status) else row.status
        data.outbound[message_id] = replace(row, provider_message_id=provider_message_id, status=moved)

    async def update_status_by_provider_id(
        self,
        provider: str,
        provider_message_id: str,
        status: str,
        error: str | None = None,
        at: datetime | None = None,
    ) -> bool:
        data = self._s.data("outbound.update_status_by_provider_id")
        for row in data.outbound.values():
            if (
                self._s.mine(row)
                and (row.provider, row.provider_message_id) == (provider, provider_message_id)
                and row.status in _MOVES_FROM[status]
            ):
                data.outbound[row.id] = replace(row, status=status, error=error)  # type: ignore[arg-type]
                return True
        return False


class FakeRateLimiter:
    """domain.ports.RateLimiter: the token bucket of adapters/cache/rate_limit.py, in memory."""

    def __init__(self, capacity: int = 20, refill_per_second: float = 1.0) -> None:
        self.capacity = capacity
        self.rate = refill_per_second
        self.buckets: dict[tuple[str, str], tuple[float, float]] = {}
        """(tenant, sender) -> (tokens, last refill in epoch seconds)."""

    async def check(
        self, tenant_id: uuid.UUID | str, sender: str, now: datetime | float, *, reserve: bool = False
    ) -> RateDecision:
        seconds = now.timestamp() if isinstance(now, datetime) else float(now)
        tokens, ts = self.buckets.get((str(tenant_id), sender), (float(self.capacity), seconds))
        if seconds > ts:
            tokens, ts = min(self.capacity, tokens + (seconds - ts) * self.rate), seconds
        if tokens >= 1:
            self.buckets[(str(tenant_id), sender)] = (tokens - 1, ts)
            return RateDecision(allowed=True)
        wait = 0.0
        if reserve:
            tokens -= 1
            wait = -tokens / self.rate
        self.buckets[(str(tenant_id), sender)] = (tokens, ts)
        return RateDecision(allowed=False, wait=wait)


@dataclass
class FakeChannel:
    """adapters.channels.base.Channel that records what it was asked to send."""

    sent: list[OutboundMessage] = field(default_factory=list)
    fail: bool = False

    async def send(self, message: OutboundMessage) -> SendResult:
        self.sent.append(message)
        if self.fail:
            return SendResult(None, "failed", error="fake failure")
        return SendResult(f"SM{uuid.uuid4().hex}", "queued")

    async def close(self) -> None:
        """Nothing to release."""
