"""The weekly digest by chat: "send me a weekly summary", "resumen semanal todos los domingos", "quero um
resumo toda segunda às 9h", "stop the summary". The sentences (locales/<lang>/digest.yaml) are matched whole,
before the classifier."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache

from bot.conversation import sentences
from bot.conversation.context import Context
from bot.conversation.control import fold
from bot.conversation.reply import Phrase, Reply
from domain.digest_schedule import DEFAULT_HOUR, DEFAULT_WEEKDAY, DigestSlot
from nlu.data import load_lang
from nlu.types import LANGUAGES

KINDS = ("start", "stop")


@dataclass(frozen=True, slots=True)
class Said:
    kind: str
    weekday: int | None = None
    """The day said (0 = Monday), None when none was."""
    hour: int | None = None
    """The hour said (0..23), None when none was."""
    on_the_hour: bool = True
    """False for a time with minutes ("8:30"): digests go out on the hour."""


@cache
def _days() -> dict[str, int]:
    """Every language's weekday words, folded -> 0 (Monday) .. 6."""
    return {
        fold(str(word)): int(weekday)
        for lang in LANGUAGES
        for weekday, words in load_lang(lang, "digest")["days"].items()
        for word in words
    }


@cache
def _parts() -> tuple[frozenset[str], frozenset[str]]:
    """The words that make an hour of the evening and of the morning (quiet hours' lists, "pm", "de la
    mañana")."""
    return sentences.words("quiet", "evening"), sentences.words("quiet", "morning")


@cache
def _patterns() -> sentences.Patterns:
    evening, morning = _parts()
    clock = (
        r"(?P<hour>\d{1,2})(?:(?: |h)(?P<minute>\d{2}))?(?: ?(?:h|hs|hrs|horas|hours|o clock))?"
        rf"(?: ?(?P<part>{_alternatives(evening | morning)}))?"
    )
    return sentences.compile_all(
        "digest", KINDS, {"{day}": f"(?P<day>{_alternatives(_days())})", "{time}": clock}
    )


def _alternatives(words: Iterable[str]) -> str:
    # Longest first, so "segunda feira" is taken whole rather than as "segunda" and a stray "feira".
    return "|".join(sorted(map(re.escape, words), key=len, reverse=True))


def read(text: str) -> Said | None:
    """What the message says about the digest, None when it is no such sentence (or names no real hour)."""
    matched = sentences.match(_patterns(), text)
    if matched is None:
        return None
    kind, found = matched
    if kind == "stop":
        return Said(kind)
    named = found.groupdict()
    weekday = _days()[named["day"]] if named.get("day") else None
    if not named.get("hour"):
        return Said(kind, weekday)
    hour, minute = int(named["hour"]), int(named["minute"] or 0)
    evening, morning = _parts()
    part = named.get("part")
    if hour > 23 or minute > 59 or (part and hour > 12):
        return None  # "at 25", "at 14pm": not a time; the classifier reads it
    if part in evening and hour < 12:
        hour += 12
    elif part in morning and hour == 12:
        hour = 0
    return Said(kind, weekday, hour, on_the_hour=minute == 0)


async def said(ctx: Context) -> Reply | None:
    """The answer when the message starts or stops the user's digest, else None."""
    found = read(ctx.message.text)
    if found is None:
        return None
    if not found.on_the_hour:
        return Reply.say("digest_whole_hour")
    async with ctx.uow() as uow:
        user = await uow.users.lock(ctx.user.id)
        if user is None:
            return None
        if found.kind == "stop":
            was_on = user.digest_weekday is not None
            user.digest_weekday = None
        else:
            # A day or an hour not said keeps the user's; a first digest is Sunday 18:00.
            weekday, hour = (user.digest_weekday, user.digest_hour)
            if weekday is None:
                weekday, hour = DEFAULT_WEEKDAY, DEFAULT_HOUR
            slot = DigestSlot(
                weekday if found.weekday is None else found.weekday,
                hour if found.hour is None else found.hour,
            )
            user.digest_weekday, user.digest_hour = slot.weekday, slot.hour
        await uow.users.update(user)
        await uow.commit()
    ctx.user.digest_weekday, ctx.user.digest_hour = user.digest_weekday, user.digest_hour
    if found.kind == "stop":
        return Reply.say("digest_off" if was_on else "digest_already_off")
    return Reply.say("digest_set", when=Phrase(f"digest_day_{slot.weekday}"), hour=f"{slot.hour:02d}:00")
