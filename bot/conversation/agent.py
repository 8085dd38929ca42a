"""The conversation agent: Agent.process(tenant, message) -> Reply; handle() renders it for a channel."""

from __future__ import annotations

import logging
import time
from dataclasses import replace

import nlu
from bot.answer import Answer
from bot.conversation.context import Context, UnitOfWorkFactory
from bot.conversation.controls import control_reply
from bot.conversation.dialogue import Dialogue
from bot.conversation.handlers import Handlers, default_handlers
from bot.conversation.media import ChatMedia, reads_photo
from bot.conversation.merchants import TenantMerchants
from bot.conversation.pending import Pending, PendingForms, StateStore
from bot.conversation.people import People
from bot.conversation.ports import Caches, MediaParts, NluTimer, Stores, Timers
from bot.conversation.refusals import refusal
from bot.conversation.reply import Reply
from bot.replies import fit
from domain.errors import DomainError, NotFound, ValidationError
from domain.messages import InboundMessage
from domain.model import Tenant
from domain.periods import user_week_start
from domain.ports import Clock
from nlu import Merchants

log = logging.getLogger(__name__)

WELCOME_ALONE = frozenset({"greeting", "help", "unknown", "affirm", "deny"})
"""First messages the welcome guide answers by itself."""


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
        media: MediaParts | None = None,
    ) -> None:
        self._uow = unit_of_work
        self._clock = clock
        self._people = People(unit_of_work, state, clock)
        self._merchants = TenantMerchants(unit_of_work, clock)
        self._pending = PendingForms(state)
        self._dialogue = Dialogue(handlers or default_handlers())
        self._timer = nlu_timer
        self._media = ChatMedia(media)
        self._charts = media.charts if media is not None else None

    async def handle(self, tenant: Tenant, message: InboundMessage) -> str | Answer | None:
        """The reply text fitted to the message's channel, with its picture's address when it has one;
        None when nothing is to be sent."""
        reply, media_url = await self._media.outgoing(tenant, message, await self.process(tenant, message))
        text = reply.render()
        if text is None:
            return None
        text = fit(text, str(message.channel))
        return Answer(text, media_url) if media_url else text

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
            if reads_photo(message, ctx.parse):
                reply = await self._media.photo(ctx, pending, self._dialogue)
            elif enrolled and ctx.parse.intent in WELCOME_ALONE:
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


def agent_factory(
    db: Stores, cache: Caches, clock: Clock, metrics: Timers | None = None, *, media: MediaParts | None = None
) -> Agent:
    """The agent over a database and a cache (bot/keys.AgentFactory), reading photos, drawing charts and
    sending pictures through `media` (none: photos get a "cannot read" answer, charts go as text)."""
    timer = metrics.nlu_seconds if metrics is not None else None
    # The NLU loads lazily; a first message in each language would pay for it past a webhook's deadline.
    # Loaded here, it is paid before serve's port opens (bootstrap builds the agent on start-up).
    nlu.warm()
    return Agent(unit_of_work=db.unit_of_work, state=cache.state, clock=clock, nlu_timer=timer, media=media)
