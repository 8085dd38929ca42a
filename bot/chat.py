"""`centavo chat`: talk to the same agent in a terminal, on the embedded defaults or the configured stores."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Callable

from adapters.cache import connect
from adapters.clock import SystemClock
from adapters.db import Database
from bot.conversation import agent_factory
from bot.settings import Settings
from domain import services
from domain.commands import AddUser
from domain.errors import NotFound
from domain.messages import InboundMessage
from domain.model import Channel, Language, Tenant

CHAT_ADDRESS = "console"
"""The recipient of console messages: the terminal has no phone number of its own."""


async def terminal_lines(prompt: str = "you> ") -> AsyncIterator[str]:
    """Lines typed at the terminal, read in a thread so the event loop stays free; ends at EOF (Ctrl-D)."""
    while True:
        try:
            yield await asyncio.to_thread(input, prompt)
        except EOFError:
            return


async def chat(
    settings: Settings,
    *,
    tenant_slug: str,
    phone: str,
    lang: str | None,
    lines: AsyncIterator[str],
    say: Callable[[str], None],
) -> None:
    """Send every line to the agent as `phone` of `tenant_slug` and show each reply."""
    db = Database(settings.database_url)
    cache = connect(settings.redis_url)
    clock = SystemClock()
    try:
        async with db.directory() as directory:
            tenant = await directory.tenants.get_by_slug(tenant_slug)
        if tenant is None:
            raise NotFound("tenant", tenant_slug)
        if lang is not None:
            await _prefer_language(db, tenant, phone, Language(lang), clock)
        agent = agent_factory(db, cache, clock)
        async for line in lines:
            if not line.strip():
                continue
            message = InboundMessage(
                channel=Channel.CONSOLE,
                provider="console",
                sender=phone,
                recipient=CHAT_ADDRESS,
                text=line,
                provider_message_id=f"console-{uuid.uuid4().hex}",
                received_at=clock.now(),
            )
            reply = await agent.handle(tenant, message)
            if reply:
                say(reply)
    finally:
        await cache.close()
        await db.dispose()


async def _prefer_language(
    db: Database, tenant: Tenant, phone: str, lang: Language, clock: SystemClock
) -> None:
    # --lang: the chat starts in that language, for a new user (enrolled now) or an existing one.
    async with db.unit_of_work(tenant.id) as uow:
        user = await uow.users.get_by_phone(phone)
        if user is None:
            await services.add_user(AddUser(phone=phone, name="", language=lang), tenant, uow, clock)
            return
        user.language = lang
        await uow.users.update(user)
        await uow.commit()
