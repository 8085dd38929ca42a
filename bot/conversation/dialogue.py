"""The generic form machine: start a form, fill it from later messages, confirm, submit or drop it."""

from __future__ import annotations

from dataclasses import replace

import nlu
from bot.conversation import (
    alert_settings,
    control,
    days,
    digest_settings,
    forms,
    notice_settings,
    notices,
    policy,
    quiet_hours,
)
from bot.conversation.context import Context
from bot.conversation.forms import FormHandler, Reread, SlotValues
from bot.conversation.handlers import Handlers, bills
from bot.conversation.pending import Pending
from bot.conversation.reply import Line, Reply

MAX_MISSES = 2
"""Messages in a row that neither answer nor start something new before the form is dropped (and said so)."""


class Dialogue:
    """Turns one understood message, and the form pending before it, into a Reply (and what is pending)."""

    def __init__(self, handlers: Handlers) -> None:
        self._handlers = handlers

    async def reply(self, ctx: Context, pending: Pending | None) -> Reply:
        handler = self._handlers.form(pending.form) if pending is not None else None
        said = await notice_settings.said(ctx, pending)  # about notices: read before the classifier's intent
        if said is not None:
            return await self._after_said(ctx, pending, handler, said)
        # Also before the classifier: quiet hours, budget alerts, bills, the weekly digest.
        quiet = (
            await quiet_hours.said(ctx)
            or await alert_settings.said(ctx)
            or await bills.said(ctx)
            or await digest_settings.said(ctx)
        )
        if quiet is not None:
            # Said in the middle of a form: answered, then the form's question again (unless the answer is
            # a question of its own, "which rent?", which takes the form's place).
            return (
                quiet
                if pending is None or handler is None or quiet.pending is not None
                else quiet.then(await self._ask(ctx, pending, handler))
            )
        if pending is None or handler is None:
            return await self.start(ctx)
        return await self._resume(ctx, pending, handler)

    async def _after_said(
        self, ctx: Context, pending: Pending | None, handler: FormHandler | None, said: notice_settings.Said
    ) -> Reply:
        """The answer to a sentence about notices, then the form left pending going on (with what it set)."""
        if pending is None or handler is None:
            return said.reply
        pending = replace(pending, slots={**pending.slots, **said.slots})
        if said.submit:
            return said.reply.then(await handler.submit(ctx, pending.slots))
        if said.slots:
            return said.reply.then(await self._advance(ctx, handler, pending))
        return said.reply.then(await self._ask(ctx, pending, handler))

    async def start(self, ctx: Context, *, chosen: bool = False) -> Reply:
        """A message with nothing pending (or after the pending form was answered or dropped)."""
        parse = ctx.understood
        if control.is_thanks(ctx.message.text):
            return Reply.say("you_are_welcome")
        options = None if chosen else policy.choices(parse)
        if options is not None:
            choose = self._handlers.forms["choose"]
            slots = {"text": ctx.message.text, "options": list(options)}
            return await self._ask(ctx, Pending("choose", "kind", slots), choose)
        intent = parse.intent
        if intent not in self._handlers.forms and parse.confidence < nlu.LOW_CONFIDENCE:
            if parse.amount is None and parse.period is None and (parse.merchant or parse.category):
                intent = "add_expense"  # "spent at uber": a place with no amount is an expense missing it
        handler = self._handlers.form(intent)
        if handler is None:
            which_dates = days.unsure_period(parse)
            if which_dates is not None:
                return which_dates  # dates not pinned down are asked about, never answered on a guess
            return await self._handlers.answer(intent)(ctx)
        if intent in policy.WRITE_INTENTS or intent == "edit_last":
            refused = policy.refused_amount(ctx)
            if refused is not None:
                reason, amount = refused
                return Reply.say(
                    f"refused_amount_{reason}", amount=amount, limit=policy.limit_money(amount.currency)
                )
            if intent in policy.RECORD_INTENTS and policy.split_items(ctx):
                handler = self._handlers.forms["add_items"]
        filled = await handler.prefill(ctx)
        if isinstance(filled, Reread) and not chosen:
            ctx.parse = ctx.read(ctx.message.text, filled.intent)
            return await self.start(ctx, chosen=True)
        if isinstance(filled, Reread):
            return Reply.say("unknown")  # read as told and still nothing to do: never loop
        if isinstance(filled, Reply):
            return filled
        # What the message names but does not pin down is asked, never taken as today or a partial amount.
        unsure = days.unsure_slots(parse)
        if handler.form.slot("date") is not None:
            too_far = days.too_far(ctx, filled)
            if too_far is not None:
                return too_far
        else:
            unsure.pop(days.UNSURE_DATE, None)
        filled = {**filled, **unsure}
        writes = intent in policy.CONFIRM_WHEN_UNSURE
        # A forwarded bank notice is confirmed too: the reading is sure, but the user did not type it.
        # Unless the user trusts notices of this format ("always"): then it is written at once, said in full.
        forwarded = parse.notice is not None and not filled.get(notices.TRUSTED)
        confirm = (
            writes and not chosen and (policy.unsure(parse) or policy.several_amounts(parse) or forwarded)
        )
        return await self._advance(ctx, handler, Pending(handler.form.name, "", filled, confirm=confirm))

    async def offer(self, ctx: Context, form: str, slots: SlotValues, pending: Pending | None) -> Reply:
        """Start `form` with `slots` read from elsewhere than the text (a receipt photo), always confirmed
        before it is written; a form left pending is let go first, and said so."""
        handler = self._handlers.forms[form]
        before = self._handlers.form(pending.form) if pending is not None else None
        dropped = (
            before.dropped(ctx, pending.slots) if before is not None and pending is not None else Reply()
        )
        return dropped.then(await self._advance(ctx, handler, Pending(form, "", slots, confirm=True)))

    async def _resume(self, ctx: Context, pending: Pending, handler: FormHandler) -> Reply:
        text, parse = ctx.message.text, ctx.understood
        asked = handler.form.slot(pending.awaiting)
        answering_yes_no = pending.awaiting in ("confirm", "kind") or bool(
            asked is not None and asked.drops_on_no is not None and asked.drops_on_no(pending.slots)
        )
        denied = answering_yes_no and parse.intent == "deny" and parse.confidence >= nlu.LOW_CONFIDENCE
        if control.is_cancel(text) or denied:
            return handler.dropped(ctx, pending.slots)
        if control.is_thanks(text):
            return Reply.say("you_are_welcome").then(await self._ask(ctx, pending, handler))
        anew = policy.starts_anew(ctx, pending.awaiting)
        if pending.awaiting == "kind":
            chosen = control.chosen_intent(text, tuple(pending.slots["options"]))
            if chosen is not None:
                ctx.parse = ctx.read(str(pending.slots["text"]), chosen)
                return await self.start(ctx, chosen=True)
        elif pending.awaiting == "confirm":
            # An unsure "yes" is no yes ("out" read as affirm at 0.16): never write on a guess.
            if parse.intent == "affirm" and parse.confidence >= nlu.LOW_CONFIDENCE and not anew:
                return await handler.submit(ctx, pending.slots)
            corrected = forms.correction(ctx, pending.form)
            if corrected is not None:  # "não, foi 78,40": the same question again, with the right amount
                return await self._ask(ctx, replace(pending, slots={**pending.slots, **corrected}), handler)
        elif not anew and (slot := handler.form.slot(pending.awaiting)) is not None:
            answer = slot.answer(ctx, pending.slots)
            if isinstance(answer, Reply):  # an answer refused (a zero amount): say why, ask again
                return answer.then(await self._ask(ctx, pending, handler))
            if answer:
                return await self._advance(ctx, handler, replace(pending, slots={**pending.slots, **answer}))
        if anew:
            return handler.dropped(ctx, pending.slots).then(await self.start(ctx))
        if parse.intent in policy.QUESTION_INTENTS and parse.confidence >= nlu.LOW_CONFIDENCE:
            # A digression: answer it, then offer the form again.
            answer_reply = await self._handlers.answer(parse.intent)(ctx)
            return answer_reply.then(await self._ask(ctx, pending, handler))
        if pending.misses + 1 >= MAX_MISSES:
            return handler.dropped(ctx, pending.slots)
        missed = replace(pending, misses=pending.misses + 1)
        return Reply.say("not_an_answer").then(await self._ask(ctx, missed, handler))

    async def _advance(self, ctx: Context, handler: FormHandler, pending: Pending) -> Reply:
        """Ask for the next missing slot, or for yes / no, or submit."""
        slot = handler.form.missing(pending.slots)
        if slot is not None:
            return await self._ask(ctx, replace(pending, awaiting=slot.name, misses=0), handler)
        ahead = days.ahead(ctx, pending.slots) is not None and handler.form.slot("date") is not None
        if pending.confirm or handler.form.confirm == "always" or ahead:
            # A write dated after today is confirmed, with the day said, however sure the reading was.
            return await self._ask(ctx, replace(pending, awaiting="confirm", misses=0), handler)
        return await handler.submit(ctx, pending.slots)

    async def _ask(self, ctx: Context, pending: Pending, handler: FormHandler) -> Reply:
        """The question `pending` waits on, with `pending` kept for the next message."""
        if pending.awaiting in ("confirm", "kind"):
            question = await handler.question(ctx, pending.slots)
        else:
            slot = handler.form.slot(pending.awaiting)
            if slot is not None and slot.question is not None:
                question = await slot.question(ctx, pending.slots)
            else:
                question = Reply(lines=(Line(slot.ask if slot else "not_an_answer"),))
        if handler.form.slot("date") is not None or pending.awaiting == "amount":
            said = days.before_question(ctx, pending.awaiting, pending.slots)
            question = replace(question, lines=(*said, *question.lines))
        return replace(question, asked=pending.awaiting, pending=pending)
