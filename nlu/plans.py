"""Recurring payments and savings goals: the name a message gives one, a schedule's anchor, a goal's date."""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date
from functools import cache

from nlu.data import load_lang
from nlu.intents import says
from nlu.normalize import Normalized
from nlu.types import DateRange

RECURRING_INTENTS = frozenset({"add_recurring", "cancel_recurring", "list_recurring"})
GOAL_INTENTS = frozenset({"set_goal", "goal_contribution", "goal_withdrawal", "goal_status"})
NAMED_INTENTS = frozenset({"add_recurring", "cancel_recurring", *GOAL_INTENTS})
"""Intents whose messages may name a goal or a recurring payment."""
MAX_NAME_WORDS = 4
"""Longer leftovers are a sentence, not a name."""
_WORD = re.compile(r"[\w']+")
MIN_SECOND = 0.05
"""A reading the classifier scores under this is not promoted by the rules below, whatever the words say."""


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
    habits_days: tuple[re.Pattern[str], ...]
    days: tuple[re.Pattern[str], ...]
    day_words: dict[str, int]
    day_word_patterns: tuple[re.Pattern[str], ...]
    monthly: re.Pattern[str]
    weekly: re.Pattern[str]
    before_month: re.Pattern[str]
    months: dict[str, int]
    goal_words: frozenset[str]
    recurring_words: frozenset[str]
    name_phrases: re.Pattern[str]


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
        # Month names too: "até março" dates a goal, it does not name it.
        stopwords=frozenset(str(w) for w in raw["name_stopwords"]) | frozenset(_months(lang)),
        habits=habits,
        habits_days=tuple(re.compile(p) for p in raw["day_habits"]),
        days=tuple(re.compile(p) for p in raw["day_patterns"]),
        day_words={str(k): int(v) for k, v in raw["day_words"].items()},
        day_word_patterns=tuple(re.compile(p) for p in raw["day_word_patterns"]),
        monthly=_phrases([str(w) for w in raw["monthly"]]),
        weekly=_phrases([str(w) for w in raw["weekly"]]),
        before_month=_phrases([str(w) for w in raw["before_month"]]),
        months=_months(lang),
        goal_words=frozenset(str(w) for w in raw["goal_words"]),
        recurring_words=frozenset(str(w) for w in raw["recurring_words"]),
        name_phrases=_phrases([str(w) for w in raw["name_phrases"]]),
    )


def _months(lang: str) -> dict[str, int]:
    """Month names of locales/<lang>/dates.yaml (full and short) -> month number."""
    dates = load_lang(lang, "dates")
    found: dict[str, int] = {}
    for key in ("months", "months_short"):
        for number, words in (dates.get(key) or {}).items():
            for word in words:
                found.setdefault(str(word), int(number))
    return found


def goal_month(norm: Normalized, lang: str) -> int | None:
    """The month a goal is due in when said after "by"/"para"/"até" ("by march", "para mayo"): month names
    that are ordinary words too ("march", "may") count only there."""
    data = _data(lang)
    names = "|".join(re.escape(m) for m in sorted(data.months, key=len, reverse=True))
    found = re.search(rf"{data.before_month.pattern}\s+({names})\b", norm.text)
    return None if found is None else data.months[found.group(1)]


def find_schedule(norm: Normalized, lang: str, recurrence: str | None) -> Schedule:
    """The cadence and anchor of a recurring payment: "every monday" -> weekly on 1, "todo dia 5" ->
    monthly on 5, "on the 1st every month" -> monthly on 1. `recurrence` is what nlu.dates found."""
    data, text = _data(lang), norm.text
    spans: list[tuple[int, int]] = []
    for pattern, weekday in data.habits:
        if m := pattern.search(text):
            spans.append(m.span())
            return Schedule("weekly", weekday, tuple(spans))
    anchor, habitual = None, False
    for patterns, habit in ((data.habits_days, True), (data.days, False)):
        for pattern in patterns:
            if (m := pattern.search(text)) and 1 <= int(m.group(1)) <= 31:
                anchor, habitual = int(m.group(1)), habit
                spans.append(m.span())
                break
        if anchor is not None:
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
    if said is None and habitual:
        said = "monthly"  # a day of the month said as a habit ("todo dia 5") is monthly; "dia 5" alone is not
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
    data = _data(lang)
    stop = data.stopwords
    claimed = [*claimed, *(m.span() for m in data.name_phrases.finditer(norm.text))]
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


STOP_LOOKALIKES = frozenset({"deny", "search"})
"""First readings of "stop netflix" besides the right one: "stop" is a "no", and a bare name looks like a
search ("netflix"). Followed by a name, with cancel_recurring among the next readings, it stops a payment."""


def named_cancel(ranked: list[tuple[str, float]], name: str | None) -> list[tuple[str, float]]:
    """ "stop netflix": the word "stop" is a "no" (a deny cue), but followed by a name it stops a recurring
    payment. When the classifier's second reading is cancel_recurring and a name is left, that one wins,
    with both readings' weight; "no, stop" (no name) stays a deny."""
    readings = [intent for intent, _ in ranked[:3]]
    if ranked[0][0] not in STOP_LOOKALIKES or "cancel_recurring" not in readings or not name:
        return ranked
    return _promote(ranked, "cancel_recurring")


def scheduled_expense(ranked: list[tuple[str, float]], schedule: Schedule) -> list[tuple[str, float]]:
    """ "academia 120 toda segunda", "máximo 900 por semana en uber": an expense said with a cadence is
    no one-off purchase: the likelier of a recurring payment and a budget is read if the classifier saw it."""
    top, confidence = ranked[0]
    unsure_edit = top == "edit_last" and confidence < 0.5  # "el paseador del perro 200 cada martes"
    if (top != "add_expense" and not unsure_edit) or schedule.recurrence is None:
        return ranked
    scores = dict(ranked)
    return _promote(ranked, max(("add_recurring", "set_budget"), key=lambda i: scores.get(i, 0.0)))


def reread(
    ranked: list[tuple[str, float]], norm: Normalized, lang: str, has_amount: bool, schedule: Schedule | None
) -> list[tuple[str, float]]:
    """Readings the words settle: a question naming a goal is about goals, not budgets ("am i on track with
    the bike goal"); a listing of recurring payments is not one of transactions ("list my recurring
    charges"); and a recurring payment with neither an amount nor a cadence is no such thing ("remind me to
    pay rent on friday": the next reading stands)."""
    data, words = _data(lang), set(norm.text.split())
    top = ranked[0][0]
    if top in ("budget_status", "overview") and words & data.goal_words:
        return _promote(ranked, "goal_status")
    if top == "list_transactions" and words & data.recurring_words:
        return _promote(ranked, "list_recurring")
    if top == "add_recurring" and not has_amount and schedule is not None and schedule.recurrence is None:
        return [*ranked[1:], ranked[0]]
    return ranked


def merchant_bill(ranked: list[tuple[str, float]], known_merchant: bool) -> list[tuple[str, float]]:
    """ "spotify 5 al mes": a budget is kept per category, never per merchant, so an amount a month for a
    known merchant is a recurring payment when the classifier sees that reading too."""
    if ranked[0][0] != "set_budget" or not known_merchant:
        return ranked
    return _promote(ranked, "add_recurring")


def _promote(ranked: list[tuple[str, float]], wanted: str) -> list[tuple[str, float]]:
    """`wanted` first, with the first reading's weight added (it was the same message misread); unchanged
    when the classifier gave `wanted` almost nothing (then it is not what the message says)."""
    scores = dict(ranked)
    if scores.get(wanted, 0.0) < MIN_SECOND:
        return ranked
    first, low = ranked[0]
    rest = [(name, score) for name, score in ranked[1:] if name != wanted]
    return [(wanted, min(1.0, low + scores[wanted])), *rest, (first, 0.0)]


def month_range(month: int | None, today: date) -> DateRange | None:
    """That month of this year, as a period (goal_date moves it ahead when it is past)."""
    if month is None:
        return None
    return DateRange(
        date(today.year, month, 1), date(today.year, month, calendar.monthrange(today.year, month)[1])
    )


def settle(
    ranked: list[tuple[str, float]],
    norm: Normalized,
    lang: str,
    has_amount: bool,
    recurrence: str | None,
    known_merchant: bool,
    claimed: list[tuple[int, int]],
) -> list[tuple[str, float]]:
    """The classifier's readings after the rules above: each applies to one first reading only."""
    # The schedule's patterns cost more than the rest of this: looked for only when a rule may use it.
    uses_schedule = ("add_recurring", "add_expense", "edit_last")
    schedule: Schedule | None
    if ranked[0][0] in uses_schedule:
        schedule = find_schedule(norm, lang, recurrence)
        ranked = reread(ranked, norm, lang, has_amount, schedule)
    else:
        ranked = reread(ranked, norm, lang, has_amount, None)
        schedule = find_schedule(norm, lang, recurrence) if ranked[0][0] in uses_schedule else None
    top = ranked[0][0]
    if top == "deny" or (top == "search" and says(norm.text, lang, "removal_words")):
        return named_cancel(ranked, find_name(norm, lang, claimed))
    if top in ("add_expense", "edit_last") and schedule is not None:
        return scheduled_expense(ranked, schedule)
    if top == "set_budget":
        return merchant_bill(ranked, known_merchant)
    return ranked
