"""`centavo chat`: talk to the same agent as the webhooks in a terminal, over the composition root's parts."""

from __future__ import annotations

import asyncio
import mimetypes
import uuid
from collections.abc import AsyncIterator, Callable

from bot.answer import answer_parts
from bot.keys import Parts
from domain import services
from domain.commands import AddUser
from domain.errors import NotFound
from domain.messages import Attachment, InboundMessage
from domain.model import Channel, Language, Tenant

PHOTO_COMMAND = "/photo "
"""Typed before a file path: the line sends that file as a photo."""
PICTURE_MARK = "📎"
"""Before the path of a picture the reply came with (a chart saved as a PNG file)."""
CHAT_ADDRESS = "console"
"""The recipient of console messages: the terminal has no phone number of its own."""


async def terminal_lines(prompt: str = "you> ") -> AsyncIterator[str]:
    """Lines typed at the terminal, read in a thread so the event loop stays free; ends at EOF (Ctrl-D)."""
    while True:
        try:
            yield await asyncio.to_thread(input, prompt)
        except EOFError:
            return


SWITCH_PHRASES = {Language.EN: "speak english", Language.ES: "speak spanish", Language.PT: "speak portuguese"}
"""A message that asks the agent to switch to each language (bot.conversation.language_request)."""


async def chat(
    parts: Parts,
    *,
    tenant_slug: str,
    phone: str,
    lang: str | None,
    lines: AsyncIterator[str],
    say: Callable[[str], None],
    note: Callable[[str], None] | None = None,
) -> None:
    """Send every line to the agent as `phone` (E.164, already checked) of `tenant_slug` and `say` each
    reply; `note` (default `say`) tells, before the first reply, why --lang was not applied."""
    agent = parts.need_agent()
    async with parts.db.directory() as directory:
        tenant = await directory.tenants.get_by_slug(tenant_slug)
    if tenant is None:
        raise NotFound("tenant", tenant_slug)
    if lang is not None:
        notice = await _start_in(parts, tenant, phone, Language(lang))
        if notice:
            (note or say)(notice)
    async for line in lines:
        if not line.strip():
            continue
        text, media = typed(line)
        message = InboundMessage(
            channel=Channel.CONSOLE,
            provider="console",
            sender=phone,
            recipient=CHAT_ADDRESS,
            text=text,
            provider_message_id=f"console-{uuid.uuid4().hex}",
            received_at=parts.clock.now(),
            media_count=len(media),
            media=media,
        )
        reply, picture = answer_parts(await agent.handle(tenant, message))
        if reply:
            say(reply)
        if picture:
            say(f"{PICTURE_MARK} {picture}")  # the console saved the picture there


def typed(line: str) -> tuple[str, tuple[Attachment, ...]]:
    """The text and attachments of a typed line: "/photo receipt.jpg" sends that file as a photo, the way
    a phone would (any words after the path are its caption)."""
    if not line.startswith(PHOTO_COMMAND):
        return line, ()
    path, _, caption = line.removeprefix(PHOTO_COMMAND).strip().partition(" ")
    content_type = mimetypes.guess_type(path)[0] or ""
    return caption.strip(), (Attachment(path, content_type),)


async def _start_in(parts: Parts, tenant: Tenant, phone: str, lang: Language) -> str | None:
    """Enrol a new user in `lang`; an existing one keeps the language they chose (their money and dates
    follow their locale, and the webhooks answer them too), so only say how to switch."""
    async with parts.db.unit_of_work(tenant.id) as uow:
        user = await uow.users.get_by_phone(phone)
        if user is None:
            await services.add_user(AddUser(phone=phone, name="", language=lang), tenant, uow, parts.clock)
            return None
    if user.language == lang:
        return None
    return (
        f"{phone} already speaks {user.language}; --lang applies to new users. "
        f"Send '{SWITCH_PHRASES[lang]}' to switch."
    )
