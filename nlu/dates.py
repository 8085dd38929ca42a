"""Finds the day, period, recurrence and count a message talks about (NLU_CONTRACT.md, Dates and Periods)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from rapidfuzz.distance import OSA

from nlu import holidays, periods
from nlu.date_grammar import DIGIT, Grammar, grammar
from nlu.normalize import Normalized
from nlu.types import LANGUAGES, DateRange


@dataclass(frozen=True, slots=True)
class When:
    """The time a message refers to."""

    day: date | None
    """A single day ("ontem", "el viernes pasado", "dia 5", "3/11"); None when none is said."""
    period: DateRange | None
    """An inclusive range ("this month", "la semana pasada", "em outubro"); a one-day phrase, that day."""
    spans: tuple[tuple[int, int], ...]
    """Spans of Normalized.text taken by date, period, time-of-day, count and recurrence phrases."""
    recurrence: str | None
    """ "weekly" or "monthly" ("per week", "al mes", "mensal")."""
    count: int | None
    """ "last 5 transactions", "ultimos 10 gastos" -> 5, 10."""
    unresolved: tuple[tuple[int, int], ...] = ()
    """Spans of Normalized.text read as a date that cannot be resolved with certainty ("Tuesday 19th" when
    the 19th is no Tuesday, "the other day"): `day` says nothing of them and the conversation asks. Each
    is also in `spans` (the words are taken: they are no amount)."""


EMPTY = When(day=None, period=None, spans=(), recurrence=None, count=None)
# Dates sit near the start of real messages; the cap bounds the work on a 10,000-character paste.
MAX_CHARS = 2000
_WORD = re.compile(r"[a-z]+")
_LONG_WORD = re.compile(r"(?<![a-z0-9])[a-z]{5,}(?![a-z0-9])")
_DIGITS = re.compile(r"\d+")
_KEY_PART = re.compile(r"[^\s,\-.]+")
# Day-month or month-day, optional year; or year-month-day. Dots only with a 4-digit year: "3.11" is money.
_NUMERIC = re.compile(r"(?<![\d$€£¥.,/\-])(\d{1,4})([/\-.])(\d{1,2})(?:\2(\d{4}|\d{2}))?(?![\d]|[/\-.,]\d)")
_MONTH_YEAR = re.compile(r"(?<![\d$€£¥.,/\-])(\d{1,2})/(\d{4})(?![\d]|[/\-.,]\d)")
_RANK = {"day": 0, "unresolved": 0, "period": 1, "count": 2, "recurrence": 3, "neutral": 4}
_MONTH_STEP = {"this_month": 0, "last_month": -1, "next_month": 1}
# After a day-before-month with nothing between ("20 marzo"), another day number: "gasté 20 marzo 3" is
# March 3 and an amount of 20, not March 20.
_DAY_AFTER = re.compile(r"[\s,]+(?:3[01]|[12]\d|0?[1-9])(?![a-z0-9]|[.,:/\-]\d)")


@dataclass(slots=True)
class _Found:
    """A phrase found in the text, already resolved against today."""

    start: int
    end: int
    cls: str
    """day, period, count, recurrence, neutral (a time of day: consumed, means nothing alone) or unresolved
    (a date that cannot be told: value is the period it lies in, or None)."""
    value: object
    rank: int = 0
    """For days: how specific the phrase is (a written date beats a weekday beside it)."""
    negated: bool = False
    """Said after "not"/"no era"/"nao foi": another date of the message is the one meant."""
    weekday: int | None = None
    """A bare weekday's ISO number ("friday"): a written date right after it must fall on it."""


def find_when(
    norm: Normalized,
    lang: str,
    today: date,
    week_start: int = 0,
    country: str | None = None,
    numbers_are_days: bool = False,
) -> When:
    """Everything about time in `norm`, resolved against `today` (the user's local day). Never raises.
    `week_start` is how many days before Monday the user's week starts (0 Monday, 1 Sunday, 2 Saturday);
    `country` (ISO 3166 alpha-2, None when unknown) is the calendar holidays are read in.
    `numbers_are_days`: a bare number after an article or a weekday ("el 5", "terça 19") is a day even with
    no other number in the message (a question has no amount for it to be)."""
    try:
        language = lang if lang in LANGUAGES else "en"
        return _find(norm.text[:MAX_CHARS], language, today, week_start, country, numbers_are_days)
    except Exception:  # a date must never cost the whole message; the rest of the parse still stands
        return EMPTY


def _find(
    text: str,
    lang: str,
    today: date,
    week_start: int = 0,
    country: str | None = None,
    numbers_are_days: bool = False,
) -> When:
    if not text:
        return EMPTY
    g = grammar(lang)
    work, back = _correct_typos(text, g)
    has_digit = _DIGITS.search(work) is not None
    ids: set[int] = set(g.ungated)
    words = set(_WORD.findall(work))
    for word in words:
        ids.update(g.gates.get(word, ()))
    if has_digit:
        ids.update(g.gates.get(DIGIT, ()))
    named = _holidays(work, lang, today, country)
    if not ids and not has_digit and not named:
        return EMPTY
    found: list[_Found] = list(named)
    for index in sorted(ids):
        rule = g.rules[index]
        for match in rule.regex.finditer(work):
            item = _resolve(rule.kind, rule.value, match, work, g, today, week_start, numbers_are_days)
            if item is not None:
                found.append(item)
    if has_digit:
        found += _numeric(work, g, today)
    chosen = _select(found)
    chosen = _agree(chosen, work)
    chosen = _compose(chosen, work, g, today)
    dated = any(f.cls in ("day", "period", "unresolved") for f in chosen)
    if has_digit and not dated and g.month_words.intersection(words):
        extra = _fallback(work, g, today, chosen)
        if extra is not None:
            chosen = sorted([*chosen, extra], key=lambda f: f.start)
    return _when(chosen, back)


def _holidays(text: str, lang: str, today: date, country: str | None) -> list[_Found]:
    """Holiday names (nlu/holidays.py) as found phrases, as specific as a written date; one whose date
    cannot be known ("dia das mães" in no known country) is unresolved."""
    return [
        _Found(start, end, cls, value, 3)
        for start, end, cls, value in holidays.find_holidays(text, lang, today, country)
    ]


def _when(chosen: list[_Found], back: tuple[list[int], list[int]] | None) -> When:
    if not chosen:
        return EMPTY
    days = [f for f in chosen if f.cls == "day"]
    best = max(days, key=lambda f: (not f.negated, f.rank, -f.start)) if days else None
    vague = [f for f in chosen if f.cls == "unresolved"]
    touching = [f for f in vague if best is not None and f.start - best.end <= 1 and best.start - f.end <= 1]
    if best is not None and touching:
        # A day touching an unresolved phrase is part of it ("third tuesday after christmas"): not that day,
        # and the phrase is reported whole.
        first, last = min(best.start, *(f.start for f in touching)), max(best.end, *(f.end for f in touching))
        whole = _Found(first, last, "unresolved", None)
        vague = sorted([f for f in vague if f not in touching] + [whole], key=lambda f: f.start)
        best = None
    day = best.value if best is not None else None
    ranges = sorted((f for f in chosen if f.cls == "period"), key=lambda f: (f.negated, f.start))
    explicit = ranges[0].value if ranges else None
    if explicit is None and not isinstance(day, date):
        # "early last month": no day, but a summary may still read the month it lies in.
        explicit = next((f.value for f in vague if isinstance(f.value, DateRange)), None)
    period = explicit if explicit is not None else (periods.single(day) if isinstance(day, date) else None)

    def span(f: _Found) -> tuple[int, int]:
        return (f.start, f.end) if back is None else (back[0][f.start], back[1][f.end])

    spans = tuple(span(f) for f in chosen)
    return When(
        day=day if isinstance(day, date) else None,
        period=period if isinstance(period, DateRange) else None,
        spans=spans,
        recurrence=next((str(f.value) for f in chosen if f.cls == "recurrence"), None),
        count=next((int(f.value) for f in chosen if f.cls == "count" and isinstance(f.value, int)), None),
        unresolved=tuple(span(f) for f in vague),
    )


def _key(text: str | None) -> str:
    """A slot's text as written in the data: "sexta-feira" -> "sexta feira", "nov." -> "nov"."""
    return " ".join(_KEY_PART.findall(text or ""))


def _number(text: str | None, g: Grammar, words: str = "number") -> int | None:
    if not text:
        return None
    digits = _DIGITS.match(text)
    if digits:
        return int(digits.group())
    return g.words[words].get(_key(text))


def _resolve(
    kind: str,
    mode: object,
    m: re.Match[str],
    text: str,
    g: Grammar,
    today: date,
    week_start: int = 0,
    numbers_are_days: bool = False,
) -> _Found | None:
    """One rule's match as a day, period, count, recurrence or time of day; None when it does not hold."""
    start, end = m.span()
    if start == end:
        return None
    if text[end - 1].isdigit() and g.money_after.match(text, end):
        return None  # "el 5 dolares", "last 3 bucks": a number followed by money is an amount
    groups = m.groupdict()

    def found(cls: str, value: object, rank: int = 0) -> _Found | None:
        return None if value is None else _Found(start, end, cls, value, rank)

    def day_or_unresolved(value: date | None, rank: int) -> _Found:
        """A phrase that is surely a date: its day, or unresolved when there is no such day."""
        return (
            _Found(start, end, "unresolved", None)
            if value is None
            else _Found(start, end, "day", value, rank)
        )

    if kind == "relative":
        return found("day", today + timedelta(days=int(str(mode))), 1)
    if kind == "neutral":
        return _Found(start, end, "neutral", None)
    if kind == "period":
        return found("period", periods.named_period(today, str(mode), week_start))
    if kind == "recurrence":
        return found("recurrence", mode)
    if kind == "vague":
        anchor = None if mode in ("none", "month") else periods.named_period(today, str(mode), week_start)
        if mode == "month":
            month_of = g.words["month"].get(_key(groups.get("month")))
            anchor = None if month_of is None else periods.latest_month(today, month_of)
        return _Found(start, end, "unresolved", anchor)
    if kind == "weekday":
        if g.habitual.search(text[max(0, start - 20) : start]):
            return None  # "todos los lunes", "every friday": a habit, not a day
        weekday = g.words["weekday"].get(_key(groups.get("weekday") or groups.get("wday")))
        if weekday is None:
            return None
        resolve = {
            "on_or_before": periods.weekday_on_or_before,
            "before": periods.weekday_before,
            "next": periods.weekday_after,
            "this_week": lambda t, w: periods.weekday_in_week(t, w, 0, week_start),
            "last_week": lambda t, w: periods.weekday_in_week(t, w, -1, week_start),
            "next_week": lambda t, w: periods.weekday_in_week(t, w, 1, week_start),
            "before_last": lambda t, w: periods.weekdays_ago(t, w, 2),
            "after_next": lambda t, w: periods.weekday_after(t, w) + timedelta(days=7),
        }[str(mode)]
        item = found("day", resolve(today, weekday), 1)
        if item is not None and mode == "on_or_before":
            item.weekday = weekday
        return item
    day = _number(groups.get("day") or groups.get("dayth") or groups.get("dayname"), g, "day_word")
    month = g.words["month"].get(_key(groups.get("mon") or groups.get("month") or groups.get("month_safe")))
    year = _number(groups.get("year"), g)
    short_year = groups.get("short_year") or groups.get("ayear")
    if year is None and short_year:
        year = periods.two_digit_year(int(short_year.lstrip("'\u2019")), today)
        if year is None:
            return _Found(start, end, "unresolved", None)  # "3 de enero del 27" in 2026: which century?
    count = _number(groups.get("n"), g)
    unit_index = g.words["unit"].get(_key(groups.get("unit")), -1)
    unit = g.units[unit_index] if 0 <= unit_index < len(g.units) else ""
    if kind == "day_of_month" and day is not None:
        if mode == "article" and not (numbers_are_days or _article_is_date(start, end, text, g)):
            return None
        months = _MONTH_STEP.get(str(mode))
        if months is None:
            return day_or_unresolved(periods.day_of_month(today, day), 2)
        # "the 31st of last month" when it had 30 days: no such day, and no other 31st is meant.
        return day_or_unresolved(periods.day_in_month_of(today, day, months), 2)
    if kind == "named_date" and day is not None and month is not None:
        # "gasté 20 marzo 3": the month-first reading ("marzo 3") is the date; "el 20 marzo 3 ..." is not.
        after = _DAY_AFTER.match(text, end) if mode == "bare" else None
        before = text[max(0, start - 30) : start]
        if after and not g.money_after.match(text, after.end()) and not g.prefix.search(before):
            return None
        if year is not None:
            return day_or_unresolved(periods.valid(year, month, day), 3)
        return day_or_unresolved(periods.latest_date(today, month, day, strictly_before=mode == "before"), 3)
    if kind == "weekday_day" and day is not None:
        bare_ok = numbers_are_days and mode == "bare"
        return _weekday_day(
            groups, day, month, year, g, today, start, end, text, "dated" if bare_ok else str(mode)
        )
    if kind in ("nth_in_month", "nth_week"):
        return _nth_in_month(kind, str(mode), groups, month, year, g, today, start, end)
    if kind == "weekdays_ago" and count is not None:
        weekday = g.words["weekday"].get(_key(groups.get("wdays")))
        return None if weekday is None else found("day", periods.weekdays_ago(today, weekday, count), 1)
    if kind == "in_n":
        if mode == "bare" and g.duration_after.match(text, end):
            return None  # "em 2 meses de academia": how long, not when
        return found("day", periods.ago(today, -(1 if count is None else count), unit), 1)
    if kind == "month" and month is not None:
        return found("period", periods.latest_month(today, month))
    if kind == "month_year" and month is not None and year is not None:
        return found("period", periods.month_range(year, month))
    if kind == "year" and year is not None:
        return found("period", periods.year_range(year))
    if kind == "last_n" and count is not None:
        return found("period", periods.last_n(today, count, unit))
    if kind == "ago":
        return found("day", periods.ago(today, 1 if count is None else count, unit), 1)
    if kind == "count" and count is not None and 1 <= count <= 1000:
        return found("count", count)
    if kind == "day_range" and day is not None:
        last = _number(groups.get("day2") or groups.get("dayth2"), g, "day_word")
        return found("period", _day_range(today, day, last, month))
    return None


def _weekday_day(
    groups: dict[str, str | None],
    day: int,
    month: int | None,
    year: int | None,
    g: Grammar,
    today: date,
    start: int,
    end: int,
    text: str,
    mode: str,
) -> _Found | None:
    """ "Tuesday 19th", "el martes 19", "sexta dia 4", "friday dec 4": the day the numbers say (the latest
    such not after today when no year is said; the next one for "next friday the 11th") when it falls on
    that weekday; unresolved when it does not, for then one of the two is wrong and only the user can say
    which."""
    if mode == "bare" and not _article_is_date(start, end, text, g):
        return None
    weekday = g.words["weekday"].get(_key(groups.get("wday") or groups.get("weekday")))
    if weekday is None:
        return None
    if month is None and mode == "ahead":
        value = periods.day_of_month_ahead(today, day)
    elif month is None:
        value = periods.day_of_month(today, day)
    elif year is None:
        value = periods.latest_date(today, month, day)
    else:
        value = periods.valid(year, month, day)
    if value is None or value.isoweekday() != weekday:
        return _Found(start, end, "unresolved", None)
    return _Found(start, end, "day", value, 3)


def _nth_in_month(
    kind: str,
    mode: str,
    groups: dict[str, str | None],
    month: int | None,
    year: int | None,
    g: Grammar,
    today: date,
    start: int,
    end: int,
) -> _Found | None:
    """ "first monday of last month", "o último dia do mês passado", "la segunda semana de marzo". A month
    named without a year is the latest one in which that day (or week) is not after today."""
    nth = g.words["nth"].get(_key(groups.get("nth")))
    if nth is None:
        return None
    weekday = g.words["weekday"].get(_key(groups.get("wday"))) if groups.get("wday") else None

    def resolve(y: int, m: int) -> date | DateRange | None:
        if kind == "nth_week":
            return periods.nth_week(y, m, nth)
        return periods.nth_in_month(y, m, nth, weekday)

    if mode in _MONTH_STEP:
        first = periods.add_months(today.replace(day=1), _MONTH_STEP[mode])
        value = resolve(first.year, first.month)
    elif month is None:
        return None
    elif year is not None:
        value = resolve(year, month)
    else:
        value = resolve(today.year, month)
        begins = value.start if isinstance(value, DateRange) else value
        if begins is None or begins > today:
            value = resolve(today.year - 1, month)
    if isinstance(value, DateRange):
        return _Found(start, end, "period", value)
    if value is None:
        return _Found(start, end, "unresolved", None)  # "the fifth friday of february": no such day
    return _Found(start, end, "day", value, 3)


def _article_is_date(start: int, end: int, text: str, g: Grammar) -> bool:
    """ "el 5" / "o 5" is a day only beside another number (the amount) or after "desde"/"entre"; amounts
    are far more common than bare days, so anything else stays an amount."""
    window = text[max(0, start - 30) : start]
    if g.since.search(window) or g.range_start.search(window) or g.article_context.search(window):
        return True
    if len(text[start:end].split()[0]) == 1 and re.search(r"\d[\s,]*$", window):
        return False  # "2 o 3" is a choice between numbers (Spanish "or"), not "o dia 3"
    return any(not start <= m.start() < end for m in _DIGITS.finditer(text))


def _day_range(today: date, first: int, last: int | None, month: int | None) -> DateRange | None:
    """ "del 1 al 10 (de noviembre)": in that month (latest year it has begun), or the month of "dia 1"."""
    if last is None:
        return None
    start = periods.latest_date(today, month, first) if month else periods.day_of_month(today, first)
    if start is None:
        return None
    end = periods.valid(start.year, start.month, last)
    if end is not None and end < start:
        following = periods.add_months(start.replace(day=1), 1)
        end = periods.valid(following.year, following.month, last)
    return None if end is None else DateRange(start, end)


def _numeric(text: str, g: Grammar, today: date) -> list[_Found]:
    """ "3/11", "03/11/2026", "2026-11-03", "03.11.2026" (day-first in es/pt, month-first in en); "10/2025"
    is a month."""
    out: list[_Found] = []
    for m in _NUMERIC.finditer(text):
        first, sep, second, year_text = m.group(1), m.group(2), m.group(3), m.group(4)
        if g.money_after.match(text, m.end()):
            continue
        if m.group() in g.not_dates and not g.prefix.search(text[max(0, m.start() - 30) : m.start()]):
            continue  # "open 24/7"; but "el 24/7", "on 24/7" is the 24th of July
        if year_text is None and g.measure_after.match(text, m.end()):
            continue  # "in 1/2 hour", "3/4 kg": a fraction of a measure
        if len(first) == 4:
            if year_text is None:
                continue
            value = periods.valid(int(first), int(second), int(year_text))
        elif len(first) > 2 or (sep == "." and (year_text is None or len(year_text) != 4)):
            continue
        else:
            day, month = (int(first), int(second)) if g.day_first else (int(second), int(first))
            if month > 12 >= day and year_text is not None:
                # "14/04/2015" in English, "04/14/2015" in Spanish: only the other order is a date, and a
                # full date with its year is no fraction or score.
                day, month = month, day
            if year_text is None:
                value = periods.latest_date(today, month, day)
            else:
                year = (
                    int(year_text) if len(year_text) == 4 else periods.two_digit_year(int(year_text), today)
                )
                if year is None:
                    out.append(_Found(m.start(), m.end(), "unresolved", None))
                    continue
                value = periods.valid(year, month, day)
        if value is not None:
            out.append(_Found(m.start(), m.end(), "day", value, 3))
    for m in _MONTH_YEAR.finditer(text):
        whole = periods.month_range(int(m.group(2)), int(m.group(1)))
        if whole is not None and not g.money_after.match(text, m.end()):
            out.append(_Found(m.start(), m.end(), "period", whole))
    return out


def _select(found: list[_Found]) -> list[_Found]:
    """Longest phrases first, then the more telling kind; no two overlap. In text order."""
    chosen: list[_Found] = []
    for item in sorted(found, key=lambda f: (f.start - f.end, _RANK[f.cls], f.start)):
        if all(item.end <= c.start or c.end <= item.start for c in chosen):
            chosen.append(item)
    return sorted(chosen, key=lambda f: f.start)


def _agree(chosen: list[_Found], text: str) -> list[_Found]:
    """A weekday just before a written date ("tuesday 11/19", "sexta, 04/12") is one phrase: the date when
    it falls on that weekday, else unresolved (one of the two is wrong and only the user can say which)."""
    out: list[_Found] = []
    for item in chosen:
        previous = out[-1] if out else None
        if (
            previous is not None
            and previous.weekday is not None
            and item.cls == "day"
            and isinstance(item.value, date)
            and item.rank >= 3
            and re.fullmatch(r"[\s,]*", text[previous.end : item.start])
        ):
            agrees = item.value.isoweekday() == previous.weekday
            out[-1] = _Found(
                previous.start,
                item.end,
                "day" if agrees else "unresolved",
                item.value if agrees else None,
                item.rank,
            )
            continue
        out.append(item)
    return out


def _bounds(item: _Found) -> tuple[date, date] | None:
    if isinstance(item.value, DateRange):
        return item.value.start, item.value.end
    if isinstance(item.value, date):
        return item.value, item.value
    return None


def _compose(chosen: list[_Found], text: str, g: Grammar, today: date) -> list[_Found]:
    """Joins "between A and B" / "desde A hasta B", turns "since A" into A..today, and takes the words
    in front of a date ("on", "el", "no", "en los") into its span."""
    joined: list[_Found] = []
    for item in chosen:
        previous = joined[-1] if joined else None
        bounds, earlier = _bounds(item), _bounds(previous) if previous else None
        if bounds and earlier and previous is not None and earlier[0] <= bounds[1]:
            floor = joined[-2].end if len(joined) > 1 else 0
            before = text[max(floor, previous.start - 30) : previous.start]
            opener = g.range_start.search(before)
            if opener and g.range_join.match(text[previous.end : item.start]):
                previous.start -= len(before) - opener.start()
                previous.end, previous.cls = item.end, "period"
                previous.value = DateRange(earlier[0], bounds[1])
                continue
        joined.append(item)
    floor = 0
    for item in joined:
        bounds = _bounds(item)
        if bounds is not None:
            before = text[max(floor, item.start - 30) : item.start]
            since = g.since.search(before)
            if since and bounds[0] <= today:
                item.start -= len(before) - since.start()
                item.cls, item.value = "period", DateRange(bounds[0], today)
            elif prefix := g.prefix.search(before):
                item.start -= len(before) - prefix.start()
            item.negated = g.negation.search(text[max(floor, item.start - 20) : item.start]) is not None
        floor = item.end
    return joined


def _fallback(text: str, g: Grammar, today: date, chosen: list[_Found]) -> _Found | None:
    """dateparser, for written dates glued into one token that the rules miss ("03nov2025", "nov/3",
    "2025-nov-03"). Only reached for a token with both digits and a month word: it costs milliseconds."""
    taken = [(f.start, f.end) for f in chosen]
    for m in re.finditer(r"\S+", text):
        token = m.group()
        if any(s < m.end() and m.start() < e for s, e in taken) or not _DIGITS.search(token):
            continue
        if any(w in g.month_words for w in _WORD.findall(token)):
            value = _dateparser(token.strip(".,;:!?()"), g, today)
            if value is not None:
                return _Found(m.start(), m.end(), "day", value, 3)
    return None


def _dateparser(piece: str, g: Grammar, today: date) -> date | None:
    import dateparser  # imported here: it takes ~100 ms to load and most messages never need it

    settings = {
        "RELATIVE_BASE": datetime(today.year, today.month, today.day, 12),
        "PREFER_DATES_FROM": "past",
        "DATE_ORDER": "DMY" if g.day_first else "MDY",
        "REQUIRE_PARTS": ["day", "month"],
        "RETURN_AS_TIMEZONE_AWARE": False,
    }
    parsed = dateparser.parse(piece, languages=[g.lang], settings=settings)
    return None if parsed is None else parsed.date()


def _correct_typos(text: str, g: Grammar) -> tuple[str, tuple[list[int], list[int]] | None]:
    """Words of 5+ letters one edit away from a data word of 6+ letters are read as that word ("yesterdy",
    "smana"). Returns the corrected text and, when anything changed, where each start/end came from."""
    fixes: list[tuple[int, int, str]] = []
    for m in _LONG_WORD.finditer(text):
        word = m.group()
        if word in g.vocabulary or word in g.fuzzy_skip:
            continue
        target = _nearest(word, g)
        if target is not None:
            fixes.append((m.start(), m.end(), target))
    if not fixes:
        return text, None
    pieces: list[str] = []
    starts: list[int] = []
    ends: list[int] = [0]
    position = 0
    for start, end, target in [*fixes, (len(text), len(text), "")]:
        pieces.append(text[position:start])
        starts += range(position, start)
        ends += range(position + 1, start + 1)
        pieces.append(target)
        starts += [start] * len(target)
        ends += [end] * len(target)
        position = end
    return "".join(pieces), ([*starts, len(text)], ends)


def _nearest(word: str, g: Grammar) -> str | None:
    """Symmetric-delete lookup: a missing, extra, wrong or swapped letter."""
    candidates = set(g.fuzzy_index.get(word, ()))
    for i in range(len(word)):
        shorter = word[:i] + word[i + 1 :]
        if shorter in g.fuzzy_targets:
            candidates.add(shorter)
        candidates.update(g.fuzzy_index.get(shorter, ()))
    # A swapped or wrong letter (same length) beats a missing one: "ultimso" is "ultimos", not "ultimo".
    best = [(OSA.distance(word, c), abs(len(c) - len(word)), c) for c in candidates]
    best = [ranked for ranked in best if ranked[0] <= 1]
    return min(best)[2] if best else None
