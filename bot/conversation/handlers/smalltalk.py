"""Small talk and fallbacks: greeting, help, unknown, a yes / no with nothing pending, and "which one?"."""

from __future__ import annotations

from bot.conversation import forms
from bot.conversation.context import Context
from bot.conversation.forms import Slots, SlotValues
from bot.conversation.handlers import Handlers
from bot.conversation.reply import IntentLabel, Reply


async def greeting(ctx: Context) -> Reply:
    return Reply.say("greeting")


async def help_(ctx: Context) -> Reply:
    return Reply.say("help")


async def nothing_pending(ctx: Context) -> Reply:
    # "ok", "no", "sure" with no question open: nothing to confirm or cancel, and nothing changed.
    return Reply.say("nothing_pending")


async def unknown(ctx: Context) -> Reply:
    """A message the assistant cannot act on: say what it can do instead."""
    return Reply.say("unknown")


class ChoiceForm:
    """ "Did you mean X or Y?": the dialogue reads the answer and starts the chosen intent's form."""

    form = forms.CHOICE

    async def prefill(self, ctx: Context) -> SlotValues | Reply:
        return {"text": ctx.message.text}

    async def question(self, ctx: Context, slots: Slots) -> Reply:
        first, second = (IntentLabel(option) for option in slots["options"])
        return Reply.say("ask_clarify", first=first, second=second)

    async def submit(self, ctx: Context, slots: Slots) -> Reply:
        raise RuntimeError("a choice is never submitted: the answer restarts the chosen intent's form")

    def dropped(self, ctx: Context, slots: Slots) -> Reply:
        return Reply.say("dropped_choice")


def register(handlers: Handlers) -> None:
    handlers.add_answer(["greeting"], greeting)
    handlers.add_answer(["help"], help_)
    handlers.add_answer(["affirm", "deny"], nothing_pending)
    handlers.add_answer(["unknown"], unknown)
    handlers.add_form(ChoiceForm())
