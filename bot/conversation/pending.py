"""What the assistant waits for from one user: one typed value, kept by a state store with a TTL."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from typing import Any, Protocol

log = logging.getLogger(__name__)

PENDING_TTL_S = 600
"""Ten minutes: a question left unanswered longer than that is forgotten (the next message starts afresh)."""
FORMAT = 2
"""Version of the stored shape; a value of another version (written by older code) is ignored."""


class StateStore(Protocol):
    """A JSON object per (tenant, key) with a TTL: adapters.cache.ConversationState on Redis or fakeredis."""

    async def get(self, tenant_id: uuid.UUID, user_id: uuid.UUID) -> dict[str, Any] | None: ...
    async def set(
        self, tenant_id: uuid.UUID, user_id: uuid.UUID, state: dict[str, Any], ttl: int = ...
    ) -> None: ...
    async def clear(self, tenant_id: uuid.UUID, user_id: uuid.UUID) -> None: ...


@dataclass(frozen=True, slots=True)
class Pending:
    """A form waiting for the user's next message."""

    form: str
    """The form being filled: add_expense, add_income, set_budget, undo, edit_last, add_items."""
    awaiting: str
    """The slot asked for ("amount", "payee"), "kind" (which reading of slots["options"]), or "confirm"."""
    slots: Mapping[str, Any] = field(default_factory=dict)
    """What is known so far, JSON-ready (amounts as decimal strings, days as ISO dates)."""
    confirm: bool = False
    """Ask yes / no before writing, even once every slot is filled (the reading was unsure)."""
    misses: int = 0
    """Messages in a row that neither answered nor started something else."""

    def to_json(self) -> dict[str, Any]:
        raw = asdict(self)
        raw["slots"] = dict(self.slots)
        return {"format": FORMAT, "pending": raw}

    @classmethod
    def from_json(cls, state: Mapping[str, Any] | None) -> Pending | None:
        if not state or state.get("format") != FORMAT or not isinstance(state.get("pending"), dict):
            return None
        raw = state["pending"]
        try:
            return cls(
                form=str(raw["form"]),
                awaiting=str(raw["awaiting"]),
                slots=dict(raw.get("slots") or {}),
                confirm=bool(raw.get("confirm", False)),
                misses=int(raw.get("misses", 0)),
            )
        except (KeyError, TypeError, ValueError):
            log.warning("unreadable pending state ignored")
            return None


class PendingForms:
    """Loads, saves and clears a user's pending form through the state store."""

    def __init__(self, store: StateStore, ttl: int = PENDING_TTL_S) -> None:
        self._store = store
        self._ttl = ttl

    async def load(self, tenant_id: uuid.UUID, user_id: uuid.UUID) -> Pending | None:
        return Pending.from_json(await self._store.get(tenant_id, user_id))

    async def save(self, tenant_id: uuid.UUID, user_id: uuid.UUID, pending: Pending) -> None:
        await self._store.set(tenant_id, user_id, pending.to_json(), self._ttl)

    async def clear(self, tenant_id: uuid.UUID, user_id: uuid.UUID) -> None:
        await self._store.clear(tenant_id, user_id)
