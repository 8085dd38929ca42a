"""Recurring payments and savings goals: the name a message gives one, a schedule's anchor, a goal's date."""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date
from functools import cache

from nlu.data import load_lang
from nlu.normalize import Normalized
from nlu.types import DateRange

RECURRING_INTENTS = frozenset({"add_recurring", "cancel_recurring", "list_recurring"})
GOAL_INTENTS = frozenset({"set_goal", "goal_contribution", "goal_withdrawal", "goal_status"})
NAMED_INTENTS = frozenset({"add_recurring", "cancel_recurring", *GOAL_INTENTS})
"""Intents whose messages may name a goal or a recurring payment."""
MAX_NAME_WORDS = 4
"""Longer leftovers are a sentence, not a name."""
_WORD = re.compile(r"[\w']+")


@dataclass(frozen=True, slots=True)
class Schedule:
    """When a recurring payment falls, as said."""

    recurrence: str | None
    """ "weekly" or "monthly"; None when the message says neither."""
    anchor: int | None
    """Weekly: ISO weekday 1..7; monthly: day of the month 1..31; None when unsaid."""
    spans: tuple[tuple[int, int], ...]


@dataclass(frozen=True, slots=True)
class _Data:
    stopwords: frozenset[str]
    habits: tuple[tuple[re.Pattern[str], int], ...]
    days: tuple[re.Pattern[str], ...]
    day_words: dict[str, int]
    day_word_patterns: tuple[re.Pattern[str], ...]
    monthly: re.Pattern[str]
    weekly: re.Pattern[str]


def _phrases(words: list[str]) -> re.Pattern[str]:
    ordered = sorted(words, key=len, reverse=True)
    return re.compile(r"(?<![\w/])(?:" + "|".join(re.escape(w) for w in ordered) + r")(?![\w])")


@cache
def _data(lang: str) -> _Data:
    raw = load_lang(lang, "plans")
    habits = tuple(
        (_phrases([str(w) for w in words]), int(day)) for day, words in raw["weekday_habits"].items()
    )
    return _Data(
        stopwords=frozenset(str(w) for w in raw["name_stopwords"]),
        habits=habits,
        days=tuple(re.compile(p) for p in raw["day_patterns"]),
        day_words={str(k): int(v) for k, v in raw["day_words"].items()},
        day_word_patterns=tuple(re.compile(p) for p in raw["day_word_patterns"]),
        monthly=_phrases([str(w) for w in raw["monthly"]]),
        weekly=_phrases([str(w) for w in raw["weekly"]]),
    )


def find_schedule(norm: Normalized, lang: str, recurrence: str | None) -> Schedule:
    """The cadence and anchor of a recurring payment: "every monday" -> weekly on 1, "todo dia 5" ->
    monthly on 5, "on the 1st every month" -> monthly on 1. `recurrence` is what nlu.dates found."""
    data, text = _data(lang), norm.text
    spans: list[tuple[int, int]] = []
    for pattern, weekday in data.habits:
        if m := pattern.search(text):
            spans.append(m.span())
            return Schedule("weekly", weekday, tuple(spans))
    anchor = None
    for pattern in data.days:
        if (m := pattern.search(text)) and 1 <= int(m.group(1)) <= 31:
            anchor = int(m.group(1))
            spans.append(m.span())
            break
    if anchor is None:
        for pattern in data.day_word_patterns:
            if (m := pattern.search(text)) and m.group(1) in data.day_words:
                anchor = data.day_words[m.group(1)]
                spans.append(m.span())
                break
    said = recurrence
    if said is None:
        if m := data.weekly.search(text):
            said = "weekly"
            spans.append(m.span())
        elif m := data.monthly.search(text):
            said = "monthly"
            spans.append(m.span())
    if said is None and anchor is not None:
        said = "monthly"  # a day of the month said as a habit ("todo dia 5") is monthly
    if said == "weekly" and anchor is not None:
        anchor = None  # "every week on the 5th" names no weekday
    return Schedule(said, anchor, tuple(spans))


def find_name(
    norm: Normalized, lang: str, claimed: list[tuple[int, int]], merchant: str | None = None
) -> str | None:
    """The name of a goal or recurring payment: a known merchant, else the words left once amounts, dates
    and the words around a name are taken out ("vacation", "viagem", "auto"), as typed; None if none."""
    if merchant:
        return merchant
    stop = _data(lang).stopwords
    words = []
    for m in _WORD.finditer(norm.text):
        start, end = m.span()
        if any(a < end and start < b for a, b in claimed):
            continue
        word = m.group()
        if word in stop or any(ch.isdigit() for ch in word):
            continue
        words.append(norm.original_span(start, end))
    if not words or len(words) > MAX_NAME_WORDS:
        return None
    return " ".join(words)


def goal_date(day: date | None, period: DateRange | None, today: date) -> date | None:
    """A goal's target date: a day as said, a month or other period's last day ("até julho" = 31 July),
    always ahead: a month already past this year is next year's."""
    if day is not None:
        target = day
    elif period is not None:
        target = period.end
    else:
        return None
    while target < today:
        try:
            target = target.replace(year=target.year + 1)
        except ValueError:  # 29 February
            target = date(target.year + 1, target.month, 28)
        if period is not None and day is None:
            last = calendar.monthrange(target.year, target.month)[1]
            target = target.replace(day=last) if target.day >= 28 else target
    return target


def named_cancel(ranked: list[tuple[str, float]], name: str | None) -> list[tuple[str, float]]:
    """ "stop netflix": the word "stop" is a "no" (a deny cue), but followed by a name it stops a recurring
    payment. When the classifier's second reading is cancel_recurring and a name is left, that one wins,
    with both readings' weight; "no, stop" (no name) stays a deny."""
    if len(ranked) < 2 or ranked[0][0] != "deny" or ranked[1][0] != "cancel_recurring" or not name:
        return ranked
    return _promote(ranked)


def scheduled_expense(ranked: list[tuple[str, float]], schedule: Schedule) -> list[tuple[str, float]]:
    """ "academia 120 toda segunda": an expense said with a schedule (a habit's weekday, "todo dia 5", "every
    month") is a recurring payment when that is the classifier's second reading: one purchase has no cadence."""
    if len(ranked) < 2 or ranked[0][0] != "add_expense" or ranked[1][0] != "add_recurring":
        return ranked
    if schedule.recurrence is None:
        return ranked
    return _promote(ranked)


def merchant_bill(ranked: list[tuple[str, float]], known_merchant: bool) -> list[tuple[str, float]]:
    """ "spotify 5 al mes": a budget is kept per category, never per merchant, so an amount a month for a
    known merchant is a recurring payment when that is the classifier's second reading."""
    if len(ranked) < 2 or ranked[0][0] != "set_budget" or ranked[1][0] != "add_recurring" or not known_merchant:
        return ranked
    return _promote(ranked)


def _promote(ranked: list[tuple[str, float]]) -> list[tuple[str, float]]:
    """The second reading first, with both readings' weight (the first's was the same message misread)."""
    (first, low), (second, high) = ranked[0], ranked[1]
    return [(second, min(1.0, low + high)), *ranked[2:], (first, 0.0)]
