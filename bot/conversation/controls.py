"""Messages answered before understanding: STOP/START/HELP, opted-out senders, media, language requests."""

from __future__ import annotations

from dataclasses import replace

from bot.conversation import control
from bot.conversation.context import Context
from bot.conversation.people import People
from bot.conversation.reply import Reply
from domain.model import Language


async def control_reply(ctx: Context, people: People) -> Reply | None:
    """The reply to a control message, or None when the message is for the conversation proper."""
    text, channel, user = ctx.message.text, str(ctx.message.channel), ctx.user
    if control.is_stop(text):
        ctx.user = await people.set_opted_out(user, channel, True)
        return Reply.say("opted_out")
    if control.is_start(text):
        ctx.user = await people.set_opted_out(user, channel, False)
        return Reply.say("opted_in")
    if control.is_help(text):
        # Answered even mid-flow (the flow waits) and even when opted out: carriers require HELP to work.
        return Reply.say("help")
    if user.opted_out.get(channel):
        # Nothing is recorded for someone who opted out of this channel; the first message says how to
        # come back, later ones get no reply (they asked us not to write).
        if await people.first_message_since_opt_out(user, channel):
            return Reply.say("opted_out_reminder")
        return Reply(silent=True)
    if not text.strip() and ctx.message.media_count and not ctx.message.media:
        return Reply.say("media_only")  # nothing to fetch it by (an old row, a malformed reference)
    wanted = control.language_request(text)
    if wanted is not None:
        ctx.user = await people.update(replace(user, language=Language(wanted)))
        return Reply.say("language_changed")
    return None
