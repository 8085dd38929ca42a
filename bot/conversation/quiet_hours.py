"""Quiet hours by chat: "don't message me after 9pm", "no me mandes nada de noche", "pode me mandar a qualquer
hora". The sentences (locales/<lang>/quiet.yaml) are matched whole, before the classifier."""

from __future__ import annotations

import re
from datetime import time
from functools import cache

from bot.conversation import sentences
from bot.conversation.context import Context
from bot.conversation.reply import Reply
from domain import quiet
from domain.errors import ValidationError

KINDS = ("from", "between", "night", "anytime")
# "9", "21h", "21 00" (folding turns "21:00" into that), "21h30", "9 hours".
_CLOCK = r"\d{1,2}(?:(?: |h)\d{2})?(?: ?(?:h|hs|hrs|horas|hours|o clock))?"


@cache
def _evening() -> frozenset[str]:
    return sentences.words("quiet", "evening")


@cache
def _morning() -> frozenset[str]:
    return sentences.words("quiet", "morning")


@cache
def _patterns() -> sentences.Patterns:
    part = "|".join(sorted((re.escape(w) for w in _evening() | _morning()), key=len, reverse=True))
    clocks = {
        "{" + name + "}": rf"(?P<{name}>{_CLOCK})(?: ?(?P<{name}_part>{part}))?"
        for name in ("time", "start", "end")
    }
    return sentences.compile_all("quiet", KINDS, clocks)


def _clock(found: re.Match[str], name: str, evening_first: bool) -> time | None:
    """The time of day a {time} placeholder matched; a bare hour is read as the sentence means it: the
    evening for when quiet starts ("after 9"), the morning for when it ends ("until 7")."""
    digits = re.findall(r"\d+", found[name])
    hour, minute = int(digits[0]), int(digits[1]) if len(digits) > 1 else 0
    if hour > 23 or minute > 59:
        return None
    said = found[f"{name}_part"]
    evening = said in _evening() if said else evening_first and 1 <= hour <= 11
    if evening and hour < 12:
        hour += 12
    elif said in _morning() and hour == 12:
        hour = 0
    return time(hour, minute)


def read(text: str) -> tuple[str, quiet.QuietHours | None] | None:
    """(kind, the window it sets) when `text` is one of these sentences; the window is None for "anytime" and,
    for "from", carries only its start (the end is the user's)."""
    matched = sentences.match(_patterns(), text)
    if matched is None:
        return None
    kind, found = matched
    if kind == "anytime":
        return kind, None
    if kind == "night":
        return kind, quiet.QuietHours.parse(f"{quiet.DEFAULT['start']}-{quiet.DEFAULT['end']}")
    start = _clock(found, "time" if kind == "from" else "start", evening_first=True)
    end = time(8, 0) if kind == "from" else _clock(found, "end", evening_first=False)
    if start is None or end is None or start == end:
        return None
    return kind, quiet.QuietHours(start, end)


async def said(ctx: Context) -> Reply | None:
    """The answer when the message sets the user's quiet hours, else None (the classifier reads it)."""
    found = read(ctx.message.text)
    if found is None:
        return None
    kind, window = found
    async with ctx.uow() as uow:
        user = await uow.users.lock(ctx.user.id)
        if user is None:
            return None
        if window is not None and kind == "from":
            # "after 9pm" moves the start; the window ends when it did (the tenant's, else 08:00).
            current = quiet.user_quiet_hours(user, ctx.tenant)
            end = current.end if current is not None else time(8, 0)
            try:
                window = quiet.QuietHours(window.start, end)
            except ValidationError:
                return Reply.say("quiet_same_times")
        user.quiet_hours = quiet.OFF if window is None else window.stored()
        await uow.users.update(user)
        await uow.commit()
    ctx.user.quiet_hours = user.quiet_hours
    if window is None:
        return Reply.say("quiet_off")
    return Reply.say("quiet_set", start=f"{window.start:%H:%M}", end=f"{window.end:%H:%M}")
