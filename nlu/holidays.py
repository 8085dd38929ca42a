"""Holiday names in a message ("no natal", "on black friday", "el día de la madre") as dates of a country."""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta
from functools import cache
from typing import Any

from nlu import periods
from nlu.data import load, load_lang
from nlu.date_grammar import grammar
from nlu.normalize import normalize
from nlu.types import DateRange

Value = date | DateRange | None
"""A day, a period, or None: named but not resolvable with certainty."""
Found = tuple[int, int, str, Value]
"""(start, end, cls, value) of a holiday phrase."""

_WORD = re.compile(r"[a-z0-9]+")
_DIGITS = re.compile(r"\d+")
_WEEKDAYS = {"mon": 0, "tue": 1, "wed": 2, "thu": 3, "fri": 4, "sat": 5, "sun": 6}
# Typos are read only in single words this long: shorter ones collide with real words ("natal"/"fatal").
_TYPO_MIN = 7
_MODES_BEFORE = ("next", "this", "last", "year_last")
_MODES_AFTER = ("last", "next", "year_last", "year_this", "year_next")


@dataclass(frozen=True, slots=True)
class _Lexicon:
    """One language's holiday phrases, compiled once."""

    gate: frozenset[str]
    """A word of every name: a message with none of them costs one set test."""
    regex: re.Pattern[str]
    keys: dict[str, str]
    """Name (letters only, see `_flat`) -> holiday key of locales/holidays.yaml."""
    before: dict[str, str]
    after: dict[str, str]
    follow: frozenset[str] | None
    """When set, a name must be followed by the end, a number, punctuation or one of these words: English
    puts nouns after it ("on christmas gifts" is what was bought, not when)."""
    year_words: frozenset[str]
    not_after: frozenset[str]
    """Words that, just before the cue, make the name a thing: "para el navidad" (a goal), "for christmas"."""
    relative: dict[str, int]
    """Words just before the name that place the time around it: "before" -1, "after" +1, "until" 0. With
    a day word before them ("the day after christmas") they are that day; else the time is unresolved."""
    day_words: frozenset[str]
    opener: re.Pattern[str]
    """Words opening a range ("between", "desde"): a name after a joining word ("and") is its end."""


def find_holidays(text: str, lang: str, today: date, country: str | None) -> list[Found]:
    """(start, end, cls, value) for each holiday phrase of `text` (normalized): cls "day" (a date),
    "period" (a DateRange) or "unresolved" (None: its date depends on a country we do not know, or the
    country has no such holiday). A name said with no year is the latest one not after `today`; "next",
    "this", "last" and a year are honoured as said."""
    lex = _lexicon(lang)
    if lex is None or lex.gate.isdisjoint(_WORD.findall(text)):
        return []
    out: list[Found] = []
    for m in lex.regex.finditer(text):
        # "and christmas" is a time only as the end of a range ("between ... and christmas").
        opened = lex.opener.search(text, max(0, m.start() - 40), m.start())
        joined = bool(m.group("join")) and bool(out or opened)
        previous = out[-1][3] if joined and out else None
        begin = previous if isinstance(previous, date) else previous.start if previous is not None else None
        item = _read(m, text, lex, lang, today, country, begin, joined)
        if item is not None:
            out.append(item)
    return out


def _read(
    m: re.Match[str],
    text: str,
    lex: _Lexicon,
    lang: str,
    today: date,
    country: str | None,
    begin: date | None = None,
    joined: bool = False,
) -> Found | None:
    """One match as a found phrase; `begin` starts the range it ends ("between christmas and ...")."""
    key = lex.keys.get(_flat(m.group("name")))
    if key is None:
        return None
    end = m.end()
    year = int(m.group("year")) if m.group("year") else None
    if year is not None and not _is_year(m, text, year, today, lang):
        end, year = max(m.end(g) for g in ("name", "post", "around_after") if m.group(g)), None
    before = lex.before.get(_flat(m.group("mod") or ""))
    after = lex.after.get(_flat(m.group("post") or ""))
    around = m.group("around") or m.group("around_after")
    said = m.group("cue") or m.group("since") or joined
    start = min(m.start(g) for g in ("cue", "around", "mod", "name") if m.group(g))
    previous = _WORD.findall(text, max(0, m.start() - 30), m.start())
    placed = _placed(previous, lex)
    if placed is not None and not m.group("since"):
        # "antes do natal", "the day after christmas": a time around the holiday, never the holiday itself.
        offset, words = placed
        start = _start_of_words(text, m.start(), words)
        value = _when(key, today, country, year, after or before, begin) if offset else None
        if isinstance(value, date) and value + timedelta(days=offset) <= today:
            return start, end, "day", value + timedelta(days=offset)
        return start, end, "unresolved", None
    if not (said or before or after or year is not None or around) or (
        lex.follow is not None and not _ends_phrase(text, end, lex.follow)
    ):
        # "christmas gifts", "voo pra natal": a name with nothing saying it is a time. A name holding a
        # weekday ("black friday") still takes its words: its "friday" is not last Friday.
        return (m.start("name"), m.end("name"), "unresolved", None) if _has_weekday(m, lang) else None
    if previous and previous[-1] in lex.not_after and not m.group("since"):
        return None
    value = _when(key, today, country, year, after or before, begin)
    if around and isinstance(value, date):
        # "thanksgiving weekend", "fim de semana de páscoa": days around the holiday, which differ from year
        # to year and place to place. Taken ("weekend" is not the last one) but left unresolved. Around a
        # holiday that is already a period ("feriadão de carnaval") it is that period.
        value = None
    if value is None:
        return start, end, "unresolved", None
    return start, end, "day" if isinstance(value, date) else "period", value


def _placed(previous: list[str], lex: _Lexicon) -> tuple[int, int] | None:
    """(offset, words taken) when the words before a name place the time around it: "before" / "antes
    (do)" -> (0, 1 or 2): unresolved; "the day after" / "o dia seguinte ao" -> (+1, 3): that day."""
    for back in (1, 2):  # "before christmas", "antes do natal", "después de navidad"
        if len(previous) < back or previous[-back] not in lex.relative:
            continue
        if back == 2 and previous[-1] not in lex.not_after:
            continue
        shift = lex.relative[previous[-back]]
        head = previous[: len(previous) - back]
        tail = head[-2:]
        if shift and tail and tail[-1] in lex.day_words:
            return shift, back + len(tail)
        return 0, back
    return None


def _start_of_words(text: str, end: int, count: int) -> int:
    """Where the last `count` words before `end` start."""
    starts = [m.start() for m in _WORD.finditer(text, max(0, end - 40), end)]
    return starts[-count] if len(starts) >= count else end


def _has_weekday(m: re.Match[str], lang: str) -> bool:
    weekdays = grammar(lang).words["weekday"]
    return any(word in weekdays for word in _WORD.findall(m.group("name")))


def _is_year(m: re.Match[str], text: str, year: int, today: date, lang: str) -> bool:
    """ "natal de 2024" is a year; "natal 2000" and "christmas 2024 dollars" are amounts."""
    if grammar(lang).money_after.match(text, m.end()) or not today.year - 30 <= year <= today.year + 1:
        return False
    if m.group("yw") or year >= today.year - 10:
        return True
    return any(not m.start("year") <= d.start() < m.end("year") for d in _DIGITS.finditer(text))


def _ends_phrase(text: str, end: int, follow: frozenset[str]) -> bool:
    rest = text[end:].lstrip()
    if not rest or not rest[0].isalpha():
        return True
    word = _WORD.match(rest)
    return word is not None and word.group() in follow


def _when(
    key: str, today: date, country: str | None, year: int | None, mode: str | None, begin: date | None = None
) -> Value:
    """The occurrence meant: a year's, the one a modifier names, the first from `begin` (a range's end),
    else the latest not after today."""
    if year is not None:
        return occurrence(key, year, country)
    shift = {"year_last": -1, "year_this": 0, "year_next": 1, "this": 0}.get(mode or "")
    if shift is not None:
        return occurrence(key, today.year + shift, country)
    if begin is not None and mode is None:
        for candidate in (begin.year, begin.year + 1):
            value = occurrence(key, candidate, country)
            if value is None or (value if isinstance(value, date) else value.start) >= begin:
                return value
    ahead = mode == "next"
    # Three years: "ano novo" of year Y starts on 31 December of Y - 1.
    years = (today.year - 1, today.year, today.year + 1)
    for candidate in years if ahead else reversed(years):
        value = occurrence(key, candidate, country)
        if value is None:
            return None
        first = value if isinstance(value, date) else value.start
        if first > today if ahead else first < today if mode == "last" else first <= today:
            return value
    return None


@cache
def occurrence(key: str, year: int, country: str | None) -> Value:
    """Holiday `key` of locales/holidays.yaml in `year` for `country`: the library's day when it has one,
    else the country's rule, else the general rule; None when the date cannot be known."""
    spec: dict[str, Any] = _rules().get(key) or {}
    overrides: dict[str, Any] = spec.get("countries") or {}
    if country is None:
        if overrides or "rule" not in spec:
            return None  # it differs between countries (or only a country's calendar knows it)
        return _evaluate(spec["rule"], year)
    named = {d for name in spec.get("library") or () for d in _library(country, year).get(name, ())}
    if len(named) == 1:
        return named.pop()
    if named:
        return None  # the calendar puts the name on several days: which one is meant is not said
    rule = overrides.get(country, spec.get("rule"))
    return None if rule is None else _evaluate(rule, year)


def _evaluate(rule: dict[str, Any], year: int) -> Value:
    if "first" in rule:
        first, last = _day(rule["first"], year), _day(rule["last"], year)
        return None if first is None or last is None else DateRange(first, last)
    return _day(rule, year)


def _day(rule: dict[str, Any], year: int) -> date | None:
    year += int(rule.get("year", 0))
    day: date | None
    if "date" in rule:
        month, number = (int(part) for part in str(rule["date"]).split("-"))
        day = periods.valid(year, month, number)
    elif "easter" in rule:
        day = easter(year) + timedelta(days=int(rule["easter"]))
    else:
        day = _nth_weekday(year, int(rule["month"]), _WEEKDAYS[str(rule["weekday"])], int(rule["nth"]))
    return None if day is None else day + timedelta(days=int(rule.get("days", 0)))


def _nth_weekday(year: int, month: int, weekday: int, nth: int) -> date:
    """The nth `weekday` of the month; nth -1 is the last."""
    if nth > 0:
        first = date(year, month, 1)
        return first + timedelta(days=(weekday - first.weekday()) % 7 + 7 * (nth - 1))
    last = periods.add_months(date(year, month, 1), 1) - timedelta(days=1)
    return last - timedelta(days=(last.weekday() - weekday) % 7)


def easter(year: int) -> date:
    """Western Easter Sunday (the anonymous Gregorian algorithm)."""
    a, b, c = year % 19, year // 100, year % 100
    d, e = divmod(b, 4)
    g = (8 * b + 13) // 25
    h = (19 * a + b - d - g + 15) % 30
    i, k = divmod(c, 4)
    el = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 22 * el) // 451
    month, day = divmod(h + el - 7 * m + 114, 31)
    return date(year, month, day + 1)


@cache
def _library(country: str, year: int) -> dict[str, tuple[date, ...]]:
    """python-holidays' calendar of `country` in `year`, every category (observances like Mother's Day are
    "unofficial", Carnival is "optional" in Brazil), by each English name. {} for a country it lacks."""
    import holidays as calendars  # loaded on the first holiday said: most messages never need it

    try:
        categories = calendars.country_holidays(country).supported_categories
        calendar = calendars.country_holidays(country, years=year, categories=categories, language="en_US")
    except Exception:  # an unknown code, or a calendar that cannot build this year: no library days
        return {}
    days: dict[str, list[date]] = defaultdict(list)
    for day, names in sorted(calendar.items()):
        for name in str(names).split("; "):
            days[name].append(day)
    return {name: tuple(found) for name, found in days.items()}


@cache
def _rules() -> dict[str, Any]:
    return load("holidays.yaml") or {}


def warm() -> None:
    """Build every language's names and import the calendars library: 0.1-0.2 s once, at start-up rather
    than in the first message naming a holiday. A country's calendar for a year is still built on its
    first use (a few ms)."""
    import holidays as library  # noqa: F401 (imported for its cost now, used through _library later)

    for lang in ("en", "es", "pt"):
        _lexicon(lang)


@cache
def _lexicon(lang: str) -> _Lexicon | None:
    try:
        data = load_lang(lang, "holidays")
    except FileNotFoundError:
        return None
    keys: dict[str, str] = {}
    names: list[str] = []
    not_typos = {_norm(w) for w in data.get("not_typos") or ()}
    for key, written in (data.get("names") or {}).items():
        for phrase in written:
            for name in _spellings(_norm(phrase)):
                keys.setdefault(_flat(name), key)
                names.append(name)
    for name in list(names):
        if re.fullmatch(r"[a-z]+", name) and len(name) >= _TYPO_MIN:
            for typo in _typos(name) - not_typos:
                if _flat(typo) not in keys:
                    keys[_flat(typo)] = keys[_flat(name)]
                    names.append(typo)
    before = _modes(data.get("before") or {}, _MODES_BEFORE)
    after = _modes(data.get("after") or {}, _MODES_AFTER)
    cues = [_norm(p) for p in data.get("cues") or ()]
    since = [_norm(p) for p in [*(data.get("since") or ()), *(data.get("range_start") or ())]]
    joins = [_norm(p) for p in data.get("range_join") or ()]
    year_words = [_norm(p) for p in data.get("year_words") or ()]
    pattern = (
        r"(?<![\w'’])"
        rf"(?:(?P<since>{_alternation(since)})\s+)?"
        rf"(?:(?P<join>{_alternation(joins)})\s+)?"
        rf"(?:(?P<cue>{_alternation(cues)})\s+)?"
        rf"(?:(?P<around>{_alternation([_norm(p) for p in data.get('around_before') or ()])})\s+)?"
        rf"(?:(?P<mod>{_alternation(list(before))})\s+)?"
        rf"(?P<name>{_trie(names)})"
        rf"(?:\s+(?P<post>{_alternation(list(after))}))?"
        rf"(?:\s+(?P<around_after>{_alternation([_norm(p) for p in data.get('around_after') or ()])}))?"
        rf"(?:\s*,?\s*(?:(?P<yw>{_alternation(year_words)})\s+)?(?P<year>(?:19|20)\d\d))?"
        r"(?![\w'’])"
    )
    gate = {max(_WORD.findall(name), key=len) for name in names}
    follow = data.get("follow")
    return _Lexicon(
        gate=frozenset(gate),
        regex=re.compile(pattern),
        keys=keys,
        before={_flat(p): mode for p, mode in before.items()},
        after={_flat(p): mode for p, mode in after.items()},
        follow=None if follow is None else frozenset(_norm(w) for w in follow),
        year_words=frozenset(year_words),
        not_after=frozenset(_norm(w) for w in data.get("not_after") or ()),
        relative={_norm(str(w)): int(shift) for w, shift in (data.get("relative") or {}).items()},
        day_words=frozenset(_norm(w) for w in data.get("day_words") or ()),
        opener=re.compile(rf"(?<![\w'’])(?:{_alternation(since)})(?![\w'’])"),
    )


def _modes(data: dict[str, Any], modes: tuple[str, ...]) -> dict[str, str]:
    """Modifier phrase (normalized) -> its meaning ("next", "year_last", ...)."""
    return {_norm(phrase): mode for mode in modes for phrase in data.get(mode) or ()}


def _norm(phrase: object) -> str:
    """A data phrase as messages are normalized (lower case, no accents), spaces collapsed."""
    return " ".join(normalize(str(phrase)).text.split())


def _flat(phrase: str) -> str:
    """The letters and digits of a phrase: "new year’s eve", "new years eve", "x-mas" -> one key each."""
    return "".join(_WORD.findall(phrase.replace("'", "").replace("’", "")))


def _typos(word: str) -> set[str]:
    """One letter missing, doubled, or two neighbours swapped."""
    out = {word[:i] + word[i + 1 :] for i in range(len(word))}
    out |= {word[:i] + word[i] + word[i:] for i in range(len(word))}
    out |= {word[:i] + word[i + 1] + word[i] + word[i + 2 :] for i in range(len(word) - 1)}
    out.discard(word)
    return out


def _spellings(phrase: str) -> set[str]:
    """A name as written and without its apostrophes and hyphens ("new years eve", "xmas")."""
    return {phrase, phrase.replace("'", "").replace("’", ""), phrase.replace("-", "")}


def _atoms(phrase: str) -> list[str]:
    """A phrase as regex pieces: a space or hyphen matches either; either apostrophe matches the other. No
    piece matches nothing, so the branches of a node start differently and the longest name wins."""
    pieces: list[str] = []
    for char in phrase:
        if char in " -":
            if not pieces or pieces[-1] != r"[\s\-]+":
                pieces.append(r"[\s\-]+")
        elif char in "'’":
            pieces.append("['’]")
        else:
            pieces.append(re.escape(char))
    return pieces


def _alternation(phrases: list[str]) -> str:
    """Longest first, so "on the" is tried before "on"; a pattern that never matches when empty."""
    ordered = sorted(set(phrases), key=len, reverse=True)
    return "|".join("".join(_atoms(p)) for p in ordered) if ordered else "(?!)"


def _trie(phrases: list[str]) -> str:
    """One regex for many names, sharing their prefixes: tried longest first, in one pass."""
    root: dict[str, Any] = {}
    for phrase in set(phrases):
        node = root
        for atom in _atoms(phrase):
            node = node.setdefault(atom, {})
        node[""] = {}

    def emit(node: dict[str, Any]) -> str:
        branches = [atom + emit(child) for atom, child in sorted(node.items()) if atom]
        if not branches:
            return ""
        body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
        if "" in node:
            return "(?:" + body + ")?" if len(branches) > 1 or len(body) > 1 else body + "?"
        return body

    return emit(root)
