"""The conversation agent: Agent.process(tenant, message) -> Reply; handle() renders it for a channel."""

from __future__ import annotations

import logging
import time
import uuid
from dataclasses import replace
from typing import Protocol

import nlu
from bot.conversation.context import Context, UnitOfWorkFactory
from bot.conversation.controls import control_reply
from bot.conversation.dialogue import Dialogue
from bot.conversation.handlers import Handlers, default_handlers
from bot.conversation.merchants import TenantMerchants
from bot.conversation.pending import Pending, PendingForms, StateStore
from bot.conversation.people import People
from bot.conversation.refusals import refusal
from bot.conversation.reply import Reply
from bot.replies import fit
from domain.charts import ChartRenderer
from domain.errors import DomainError, NotFound, ValidationError
from domain.messages import InboundMessage
from domain.model import Tenant
from domain.periods import user_week_start
from domain.ports import Clock, UnitOfWork
from nlu import Merchants

log = logging.getLogger(__name__)

WELCOME_ALONE = frozenset({"greeting", "help", "unknown", "affirm", "deny"})
"""First messages the welcome guide answers by itself."""


class NluTimer(Protocol):
    """A histogram of NLU time (bot.keys.Metrics.nlu_seconds)."""

    def observe(self, amount: float) -> None: ...


class Agent:
    """Finds the sender, answers control words, understands the message, runs the dialogue, keeps its state.

    Exceptions other than the domain's refusals propagate: the inbox lifecycle keeps the message and
    retries it, so nothing is answered "sorry" and then lost.
    """

    def __init__(
        self,
        *,
        unit_of_work: UnitOfWorkFactory,
        state: StateStore,
        clock: Clock,
        handlers: Handlers | None = None,
        nlu_timer: NluTimer | None = None,
        charts: ChartRenderer | None = None,
    ) -> None:
        self._uow = unit_of_work
        self._clock = clock
        self._people = People(unit_of_work, state, clock)
        self._merchants = TenantMerchants(unit_of_work, clock)
        self._pending = PendingForms(state)
        self._dialogue = Dialogue(handlers or default_handlers())
        self._timer = nlu_timer
        self._charts = charts

    async def handle(self, tenant: Tenant, message: InboundMessage) -> str | None:
        """The reply text fitted to the message's channel; None when nothing is to be sent."""
        text = (await self.process(tenant, message)).render()
        return None if text is None else fit(text, str(message.channel))

    async def process(self, tenant: Tenant, message: InboundMessage) -> Reply:
        user, enrolled = await self._people.find(tenant, message, self._understand)
        if user is None:
            return Reply.say("not_registered").to(str(tenant.language), tenant.locale)
        ctx = Context(tenant, user, message, self._uow, self._clock, charts=self._charts)
        reply = await control_reply(ctx, self._people)
        if reply is None:
            ctx.merchants = await self._merchants.overlay(tenant.id)
            hints = (str(user.language), user.currency, user.timezone)
            ctx.parse = self._understand(message, *hints, ctx.merchants, user_week_start(user))
            ctx.user = await self._people.follow_language(user, ctx.parse.lang)
            pending = await self._pending.load(tenant.id, user.id)
            if enrolled and ctx.parse.intent in WELCOME_ALONE:
                reply = Reply(pending=pending)
            else:
                reply = await self._converse(ctx, pending)
            await self._keep(ctx, pending, reply)
        if enrolled:
            reply = Reply.say("welcome_guide").then(reply)
        return reply.to(str(ctx.user.language), ctx.user.locale)

    async def _converse(self, ctx: Context, pending: Pending | None) -> Reply:
        try:
            return await self._dialogue.reply(ctx, pending)
        except ValidationError as exc:
            log.info("refused: %s (%s)", exc.field, exc.reason, extra={"tenant_id": str(ctx.tenant.id)})
            return replace(refusal(exc, ctx), pending=None)
        except NotFound:
            return Reply.say("nothing_to_undo")
        except DomainError:
            return Reply.say("unknown")

    async def _keep(self, ctx: Context, before: Pending | None, reply: Reply) -> None:
        """Store the form the reply leaves pending, after the reply was made: a failure before this point
        leaves the earlier state for the retry of the same message."""
        if reply.pending is not None:
            await self._pending.save(ctx.tenant.id, ctx.user.id, reply.pending)
        elif before is not None:
            await self._pending.clear(ctx.tenant.id, ctx.user.id)

    def _understand(
        self, message: InboundMessage, lang: str | None, currency: str, tz: str, merchants: Merchants = None,
        week_start: str | None = None,
    ) -> nlu.Parse:  # fmt: skip
        started = time.perf_counter()
        parse = nlu.parse(message.text, now=message.received_at, lang=lang, currency=currency, tz=tz,
                          merchants=merchants, week_start=week_start)  # fmt: skip
        if self._timer is not None:
            self._timer.observe(time.perf_counter() - started)
        return parse


class Stores(Protocol):
    """What the agent is built from: a database opening tenant-bound units of work (adapters.db.Database)."""

    def unit_of_work(self, tenant_id: uuid.UUID) -> UnitOfWork: ...


class Caches(Protocol):
    """A cache with a conversation-state store (adapters.cache.Cache)."""

    @property
    def state(self) -> StateStore: ...


class Timers(Protocol):
    """The app's metrics (bot.keys.Metrics): the agent times its NLU on them."""

    @property
    def nlu_seconds(self) -> NluTimer: ...


def agent_factory(
    db: Stores,
    cache: Caches,
    clock: Clock,
    metrics: Timers | None = None,
    charts: ChartRenderer | None = None,
) -> Agent:
    """The agent over a database and a cache (bot/keys.AgentFactory); `charts` draws chart pictures (the
    composition root passes adapters.charts.ChartRenderer; without one, charts are answered as text)."""
    timer = metrics.nlu_seconds if metrics is not None else None
    # The NLU loads lazily; a first message in each language would pay for it past a webhook's deadline.
    # Loaded here, it is paid before serve's port opens (bootstrap builds the agent on start-up).
    nlu.warm()
    return Agent(unit_of_work=db.unit_of_work, state=cache.state, clock=clock, nlu_timer=timer, charts=charts)
