"""Who is writing: finding or enrolling the sender, their opt-outs, and the language they are answered in."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable
from dataclasses import replace

import nlu
from bot.conversation.context import UnitOfWorkFactory
from bot.conversation.pending import StateStore
from domain import services
from domain.commands import AddUser
from domain.messages import InboundMessage
from domain.model import EnrolmentPolicy, Language, Tenant, User
from domain.ports import Clock

log = logging.getLogger(__name__)

LANGUAGE_SWITCH_AFTER = 3
"""Messages in a row clearly written in another language before replies follow it."""
OPT_OUT_REMINDER_TTL_S = 30 * 24 * 3600
"""How long "you are opted out, send START" is remembered as told: once a month at most per channel."""

Understand = Callable[[InboundMessage, str | None, str, str], nlu.Parse]
"""(message, language hint, currency, zone) -> Parse: the agent's timed NLU call."""


class People:
    """The sender's user record and the per-user facts the conversation keeps outside the ledger."""

    def __init__(self, unit_of_work: UnitOfWorkFactory, state: StateStore, clock: Clock) -> None:
        self._uow = unit_of_work
        self._state = state
        self._clock = clock

    async def find(
        self, tenant: Tenant, message: InboundMessage, understand: Understand
    ) -> tuple[User | None, bool]:
        """(the sender's user, whether they were enrolled just now); (None, False) when the tenant is closed
        to strangers. A new user's language is the one their first message is written in."""
        async with self._uow(tenant.id) as uow:
            user = await uow.users.get_by_phone(message.sender)
        if user is not None:
            return user, False
        if tenant.policy != EnrolmentPolicy.OPEN:
            return None, False
        detected = understand(message, None, tenant.currency, tenant.timezone)
        cmd = AddUser(phone=message.sender, name=message.profile_name or "", language=detected.lang)
        async with self._uow(tenant.id) as uow:
            return await services.add_user(cmd, tenant, uow, self._clock), True

    async def update(self, user: User) -> User:
        async with self._uow(user.tenant_id) as uow:
            await uow.users.update(user)
            await uow.commit()
        return user

    async def set_opted_out(self, user: User, channel: str, opted_out: bool) -> User:
        if opted_out:
            await self._state.clear(user.tenant_id, user.id)  # a pending question dies with the opt-out
        else:
            await self._state.clear(user.tenant_id, self._slot(user, f"opt-out-told:{channel}"))
        return await self.update(replace(user, opted_out={**user.opted_out, channel: opted_out}))

    async def first_message_since_opt_out(self, user: User, channel: str) -> bool:
        """True once per opted-out channel (remembered for a month): that message gets "send START"."""
        slot = self._slot(user, f"opt-out-told:{channel}")
        if await self._state.get(user.tenant_id, slot):
            return False
        await self._state.set(user.tenant_id, slot, {"told": True}, OPT_OUT_REMINDER_TTL_S)
        return True

    async def follow_language(self, user: User, lang: str) -> User:
        """LANGUAGE_SWITCH_AFTER messages in a row clearly in another language switch the user's language.

        The NLU keeps the user's language for short or mixed messages, so a differing `lang` is already clear
        evidence. The streak lives in a conversation-state slot of its own.
        """
        slot = self._slot(user, "language-streak")
        streak = await self._state.get(user.tenant_id, slot)
        if lang == str(user.language):
            if streak:
                await self._state.clear(user.tenant_id, slot)
            return user
        count = int(streak.get("count", 0)) + 1 if streak and streak.get("lang") == lang else 1
        if count < LANGUAGE_SWITCH_AFTER:
            await self._state.set(user.tenant_id, slot, {"lang": lang, "count": count})
            return user
        await self._state.clear(user.tenant_id, slot)
        log.info("language followed", extra={"tenant_id": str(user.tenant_id), "language": lang})
        return await self.update(replace(user, language=Language(lang)))

    @staticmethod
    def _slot(user: User, name: str) -> uuid.UUID:
        return uuid.uuid5(user.id, name)
