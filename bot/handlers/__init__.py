"""Intent handlers: a registry maps an intent name to the coroutine that answers it."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from adapters.cache import ConversationState
from bot.conversation import ALL_SPENDING, Pending
from bot.replies import replies
from domain.messages import InboundMessage
from domain.model import Tenant, User
from domain.ports import Clock, UnitOfWork
from nlu import Parse


@dataclass(slots=True)
class Context:
    """Everything a handler needs for one message."""

    tenant: Tenant
    user: User
    message: InboundMessage
    parse: Parse
    unit_of_work: Callable[[uuid.UUID], UnitOfWork]
    state: ConversationState
    clock: Clock

    @property
    def lang(self) -> str:
        return str(self.user.language)

    def render(self, key: str, **values: Any) -> str:
        return replies().render(key, self.lang, self.user.locale, **values)

    def render_value(self, name: str, value: Any) -> str:
        """One value (Money, date, number) formatted for the user's locale."""
        return replies().format_value(name, value, self.lang, self.user.locale)

    def category(self, name: str | None) -> str:
        if name is None:
            return ALL_SPENDING.get(self.lang, "total")
        return replies().category(name, self.lang)

    def uow(self) -> UnitOfWork:
        return self.unit_of_work(self.tenant.id)

    async def remember(self, pending: Pending) -> None:
        await self.state.set(self.tenant.id, self.user.id, pending.to_state())

    async def forget(self) -> None:
        await self.state.clear(self.tenant.id, self.user.id)


Handler = Callable[[Context], Awaitable[str]]

REGISTRY: dict[str, Handler] = {}


def handles(*intents: str) -> Callable[[Handler], Handler]:
    """Register a handler for one or more intents."""

    def register(handler: Handler) -> Handler:
        for intent in intents:
            REGISTRY[intent] = handler
        return handler

    return register


def handler_for(intent: str) -> Handler:
    """The handler of an intent; unknown intents get the "unknown" handler."""
    _load()
    return REGISTRY.get(intent) or REGISTRY["unknown"]


def _load() -> None:
    # Importing the modules fills REGISTRY through @handles.
    from bot.handlers import budgets, conversation, ledger, queries  # noqa: F401


__all__ = ["REGISTRY", "Context", "Handler", "handler_for", "handles"]
