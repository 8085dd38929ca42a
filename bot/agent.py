"""The conversation agent: one inbound message in, one reply text out (or None)."""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Callable
from dataclasses import replace
from decimal import Decimal

import nlu
from adapters.cache import Cache, ConversationState
from adapters.db import Database
from bot import handlers
from bot.conversation import (
    INTENT_LABELS,
    Pending,
    is_cancel,
    is_help,
    is_start,
    is_stop,
    language_request,
)
from bot.handlers import Context
from bot.handlers.budgets import set_budget_from
from bot.handlers.ledger import confirmed, record_from
from bot.keys import Metrics
from bot.refusals import refusal_text
from bot.replies import fit, replies
from domain import services
from domain.commands import AddUser
from domain.errors import Conflict, DomainError, NotFound, ValidationError
from domain.messages import InboundMessage
from domain.model import EnrolmentPolicy, Language, Tenant, User
from domain.ports import Clock, UnitOfWork

log = logging.getLogger("bot.agent")

CLARIFY_MARGIN = 0.15
"""Two readings whose scores are this close, under LOW_CONFIDENCE, are worth a question."""
_SILENT_FIRST = frozenset({"greeting", "help", "unknown", "affirm", "deny"})
"""First messages the welcome guide already answers."""


_ANSWERS = frozenset({"unknown", "affirm", "deny", "add_expense"})
"""Intents a short answer to "what was it for?" is often read as ("mercado" -> unknown, "uber" -> expense)."""

LANGUAGE_SWITCH_AFTER = 3
"""Messages in a row clearly written in another language before replies follow it."""


class Agent:
    """Loads the user and their pending flow, understands the message, runs a handler, renders the reply."""

    def __init__(
        self,
        *,
        unit_of_work: Callable[[uuid.UUID], UnitOfWork],
        state: ConversationState,
        clock: Clock,
        metrics: Metrics | None = None,
    ) -> None:
        self._uow = unit_of_work
        self._state = state
        self._clock = clock
        self._metrics = metrics

    async def handle(self, tenant: Tenant, message: InboundMessage) -> str | None:
        """The reply to one message, fitted to its channel; None when nothing should be sent."""
        extra = {"tenant_id": str(tenant.id), "message_id": message.provider_message_id}
        try:
            text = await self._handle(tenant, message)
        except Exception:
            log.exception("message handling failed", extra=extra)
            if self._metrics is not None:
                self._metrics.errors.labels("agent").inc()
            text = replies().render("error_generic", str(tenant.language), tenant.locale)
        return None if text is None else fit(text, str(message.channel))

    async def _handle(self, tenant: Tenant, message: InboundMessage) -> str | None:
        async with self._uow(tenant.id) as uow:
            user = await uow.users.get_by_phone(message.sender)
        welcome: str | None = None
        if user is None:
            if tenant.policy != EnrolmentPolicy.OPEN:
                return replies().render("not_registered", str(tenant.language), tenant.locale)
            user = await self._enrol(tenant, message)
            welcome = replies().render("welcome_guide", str(user.language), user.locale)

        channel = str(message.channel)
        if is_stop(message.text):
            await self._update(tenant, replace(user, opted_out={**user.opted_out, channel: True}))
            await self._state.clear(tenant.id, user.id)
            return self._render(user, "opted_out")
        if is_start(message.text):
            await self._update(tenant, replace(user, opted_out={**user.opted_out, channel: False}))
            return self._render(user, "opted_in")
        if is_help(message.text):
            # Answered even mid-flow (the flow waits) and even when opted out: carriers require HELP to work.
            return welcome or self._render(user, "help")
        if user.opted_out.get(channel):
            return None

        if not message.text.strip() and message.media_count:
            media = self._render(user, "media_only")
            return media if welcome is None else f"{welcome}\n\n{media}"

        wanted = language_request(message.text)
        if wanted is not None:
            user = replace(user, language=Language(wanted))
            await self._update(tenant, user)
            return self._render(user, "language_changed")

        parse = self._parse(message, lang=str(user.language), currency=user.currency, tz=user.timezone)
        user = await self._follow_language(tenant, user, parse.lang)
        ctx = Context(tenant, user, message, parse, self._uow, self._state, self._clock)
        try:
            reply = await self._pending(ctx)
            if reply is None:
                if welcome is not None and parse.intent in _SILENT_FIRST:
                    return welcome
                reply = await self._dispatch(ctx)
        except ValidationError as exc:
            log.info("refused: %s (%s)", exc.field, exc.reason, extra={"tenant_id": str(tenant.id)})
            reply = refusal_text(exc, ctx)
        except NotFound:
            reply = ctx.render("nothing_to_undo")
        except (Conflict, DomainError):
            reply = ctx.render("unknown")
        return reply if welcome is None else f"{welcome}\n\n{reply}"

    async def _enrol(self, tenant: Tenant, message: InboundMessage) -> User:
        detected = self._parse(message, lang=None, currency=tenant.currency, tz=tenant.timezone)
        cmd = AddUser(phone=message.sender, name=message.profile_name or "", language=detected.lang)
        async with self._uow(tenant.id) as uow:
            return await services.add_user(cmd, tenant, uow, self._clock)

    def _parse(self, message: InboundMessage, *, lang: str | None, currency: str, tz: str) -> nlu.Parse:
        started = time.perf_counter()
        parse = nlu.parse(message.text, now=message.received_at, lang=lang, currency=currency, tz=tz)
        if self._metrics is not None:
            self._metrics.nlu_seconds.observe(time.perf_counter() - started)
        return parse

    async def _follow_language(self, tenant: Tenant, user: User, lang: str) -> User:
        """LANGUAGE_SWITCH_AFTER messages in a row clearly in another language switch the user's language.

        The NLU keeps the user's language for short or mixed messages, so a differing `lang` is already clear
        evidence. The streak lives in a second conversation-state slot of the user (the first holds flows).
        """
        slot = uuid.uuid5(user.id, "language-streak")
        streak = await self._state.get(tenant.id, slot)
        if lang == str(user.language):
            if streak:
                await self._state.clear(tenant.id, slot)
            return user
        count = int(streak.get("count", 0)) + 1 if streak and streak.get("lang") == lang else 1
        if count < LANGUAGE_SWITCH_AFTER:
            await self._state.set(tenant.id, slot, {"lang": lang, "count": count})
            return user
        await self._state.clear(tenant.id, slot)
        switched = replace(user, language=Language(lang))
        await self._update(tenant, switched)
        log.info("language followed", extra={"tenant_id": str(tenant.id), "language": lang})
        return switched

    async def _update(self, tenant: Tenant, user: User) -> None:
        async with self._uow(tenant.id) as uow:
            await uow.users.update(user)
            await uow.commit()

    def _render(self, user: User, key: str) -> str:
        return replies().render(key, str(user.language), user.locale)

    async def _pending(self, ctx: Context) -> str | None:
        """Continue a pending flow; None when there is none or the message starts something new."""
        pending = Pending.from_state(await self._state.get(ctx.tenant.id, ctx.user.id))
        if pending is None:
            return None
        parse = ctx.parse
        if pending.kind == "follow_up" and pending.data.get("awaiting") == "category":
            return await self._category_answer(ctx, pending)
        if is_cancel(ctx.message.text) or parse.intent == "deny":
            await ctx.forget()
            return ctx.render("cancelled")
        if pending.kind == "confirm":
            await ctx.forget()
            if parse.intent == "affirm":
                return await confirmed(ctx, pending)
            return None  # anything else: the question lapses and the message is handled on its own
        # A follow-up waiting for an amount: a bare amount, or a message of the same intent carrying one.
        starts_new = parse.confidence >= nlu.LOW_CONFIDENCE and bool(parse.merchant or parse.category)
        if parse.amount is not None and not starts_new:
            await ctx.forget()
            return await self._complete(ctx, pending, parse.amount, parse.currency)
        if parse.confidence >= nlu.LOW_CONFIDENCE and parse.intent not in ("unknown", "affirm"):
            await ctx.forget()
            return None
        return ctx.render("ask_amount")

    async def _category_answer(self, ctx: Context, pending: Pending) -> str | None:
        """The answer to "what was it for?": record the held expense with what it names, or uncategorised
        when it names nothing ("sei lá", "no idea"); the question is asked once, never in a loop."""
        parse = ctx.parse
        if is_cancel(ctx.message.text):
            await ctx.forget()
            return ctx.render("cancelled")
        await ctx.forget()
        # A new message rather than an answer: it carries an amount, or clearly asks for something else.
        moves_on = parse.confidence >= nlu.LOW_CONFIDENCE and parse.intent not in _ANSWERS
        if parse.amount is not None or moves_on:
            return None
        merchant, category = nlu.read_payee(ctx.message.text, parse.lang)
        data = dict(pending.data)
        data["merchant"] = merchant or data.get("merchant")
        data["category"] = category or data.get("category")
        amount = Decimal(str(data["amount"]))
        return await record_from(ctx, pending.intent, amount, data, ask_category=False)

    async def _complete(self, ctx: Context, pending: Pending, amount: Decimal, currency: str | None) -> str:
        data = dict(pending.data)
        if currency and not data.get("currency"):
            data["currency"] = currency
        if pending.intent == "set_budget":
            return await set_budget_from(ctx, amount, data)
        return await record_from(ctx, pending.intent, amount, data)

    async def _dispatch(self, ctx: Context) -> str:
        parse = ctx.parse
        if parse.confidence < nlu.LOW_CONFIDENCE:
            if parse.amount is None and parse.period is None and (parse.merchant or parse.category):
                # "spent at uber": a place or category with no amount reads as an expense missing its amount.
                ctx.parse = replace(parse, intent="add_expense")
                return await handlers.handler_for("add_expense")(ctx)
            clarify = self._clarify(ctx)
            if clarify is not None:
                return clarify
        return await handlers.handler_for(parse.intent)(ctx)

    def _clarify(self, ctx: Context) -> str | None:
        parse = ctx.parse
        labels = INTENT_LABELS.get(ctx.lang, INTENT_LABELS["en"])
        if not parse.alternatives or parse.intent not in labels:
            return None
        second, score = parse.alternatives[0]
        if second not in labels or parse.confidence - score > CLARIFY_MARGIN:
            return None
        return ctx.render("ask_clarify", first=labels[parse.intent], second=labels[second])


def agent_factory(db: Database, cache: Cache, clock: Clock, metrics: Metrics | None = None) -> Agent:
    """The app's and the worker's AgentFactory (bot/keys.py): the agent over their database and cache."""
    return Agent(unit_of_work=db.unit_of_work, state=cache.state, clock=clock, metrics=metrics)
