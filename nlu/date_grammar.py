"""Compiles locales/<lang>/dates.yaml into gated regular expressions: the date grammar of one language."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from typing import Any

from nlu.data import load_lang

# Between the words of a phrase or template: a space, or "-"/"," ("sexta-feira", "november 3, 2025").
JOIN = r"(?:\s*[,\-]\s*|\s+)"
# A number that is part of money or of a longer number is no day: "45,90", "1.5", "R$5", "2025".
_NUM_BEFORE = r"(?<![\d$€£¥.,/])"
_NUM_AFTER = r"(?![a-z0-9]|[.,/:\-]\d)"
# Very common words make poor gates: a rule is gated on its rarest required word(s).
_COMMON = frozenset(
    "the on in of a an and to at for my this last next past el la los las de del en y o e al un una no na em "
    "do da os as nos nas dos das ao pra pro por este esta ese esa esse essa mis meus minhas".split()
)
DIGIT = "#"
_WORD = re.compile(r"[a-z]+")
_TEMPLATE_TOKEN = re.compile(r"\[|\]|\(|\)|\||\{[a-z_]+\d?\}|[^\s\[\]()|{}]+")


@dataclass(frozen=True, slots=True)
class Rule:
    """One template or phrase: `kind` says how to resolve a match, `value` what it means."""

    kind: str
    value: Any
    source: str

    @property
    def regex(self) -> re.Pattern[str]:
        """Compiled on first use: compiling every rule of a language takes 0.2-0.3 s (the sre parser on long
        alternations), most rules are gated on words most messages lack, and warm() runs a few messages."""
        return _compiled(self.source)


@cache
def _compiled(source: str) -> re.Pattern[str]:
    return re.compile(source)


@dataclass(frozen=True, slots=True)
class Grammar:
    """Everything find_when needs for one language, compiled once."""

    lang: str
    day_first: bool
    rules: tuple[Rule, ...]
    gates: dict[str, tuple[int, ...]]
    """Word (or "#" for any digit) -> indexes of the rules that may match when the message has it."""
    ungated: tuple[int, ...]
    words: dict[str, dict[str, int]]
    """Slot vocabularies: weekday, month, number, day_word -> word -> number; unit -> word -> index."""
    units: tuple[str, ...]
    prefix: re.Pattern[str]
    since: re.Pattern[str]
    range_start: re.Pattern[str]
    range_join: re.Pattern[str]
    negation: re.Pattern[str]
    article_context: re.Pattern[str]
    habitual: re.Pattern[str]
    duration_after: re.Pattern[str]
    """Matched right after "in 3 days": then it is how long ("in 2 days of vacation"), not when."""
    money_after: re.Pattern[str]
    not_dates: frozenset[str]
    measure_after: re.Pattern[str]
    """Right after "1/2", "3/4": a unit that makes it a fraction of a measure ("1/2 hour", "3/4 kg")."""
    month_words: frozenset[str]
    vocabulary: frozenset[str]
    """Every word of the data: such tokens are never typo-corrected."""
    fuzzy_targets: frozenset[str]
    fuzzy_index: dict[str, tuple[str, ...]]
    """One-letter deletions of each fuzzy target -> targets (symmetric-delete typo lookup)."""
    fuzzy_skip: frozenset[str]


def _phrase(text: str) -> str:
    """A folded phrase as a regex: words joined by JOIN, bounded so "hoy" does not match inside "hoyo"."""
    body = JOIN.join(re.escape(word) for word in str(text).split())
    if text[:1].isalnum():
        body = r"(?<![a-z0-9])" + body
    if text[-1:].isalnum():
        body += r"(?![a-z0-9])"
    return body


def _alternation(phrases: list[str]) -> str:
    """Longest first, so "segunda feira" wins over "segunda" at the same place."""
    unique = sorted({str(p) for p in phrases if str(p).strip()}, key=lambda p: (-len(p), p))
    return "(?:" + "|".join(_phrase(p) for p in unique) + ")" if unique else "(?!)"


def _numbers_by(mapping: dict[Any, list[str]] | None) -> dict[str, int]:
    return {str(word): int(key) for key, words in (mapping or {}).items() for word in words or ()}


class _Compiler:
    """Turns a template ("[el] {wday} pasado") into a regex string and the set of words that gate it."""

    def __init__(self, data: dict[str, Any]) -> None:
        weekdays = _numbers_by(data["weekdays"])
        short_days = _numbers_by(data["weekdays_short"])
        months = _numbers_by(data["months"])
        short_months = _numbers_by(data["months_short"])
        ambiguous = {str(w) for w in data.get("months_ambiguous") or ()}
        numbers = {str(k): int(v) for k, v in (data.get("numbers") or {}).items()}
        day_words = {str(k): int(v) for k, v in (data.get("day_words") or {}).items()}
        day_names = {str(k): int(v) for k, v in (data.get("day_names") or {}).items()}
        plural_days = _numbers_by(data.get("weekdays_plural"))
        ordinal_words = _numbers_by(data.get("ordinals"))
        ordinals = sorted((re.escape(str(s)) for s in data["ordinal_suffixes"]), key=len, reverse=True)
        suffixes = "|".join(ordinals)
        blockers = [str(w) for w in data.get("weekday_blockers") or ()]
        after_weekday = f"(?!{JOIN}{_alternation(blockers)})" if blockers else ""
        not_days = [str(w) for w in data.get("ordinal_blockers") or ()]
        after_day = f"(?!{JOIN}{_alternation(not_days)})" if not_days else ""
        day = rf"{_NUM_BEFORE}(?:3[01]|[12]\d|0?[1-9])(?:{suffixes})?{_NUM_AFTER}{after_day}"
        dayth = rf"{_NUM_BEFORE}(?:3[01]|[12]\d|0?[1-9])(?:{suffixes}){_NUM_AFTER}{after_day}"
        unit_words = [w for words in data["units"].values() for w in words]
        self.units = tuple(data["units"])
        self.words: dict[str, dict[str, int]] = {
            "weekday": weekdays | short_days | plural_days,
            "month": months | short_months,
            "number": numbers,
            "day_word": day_words | day_names,
            "nth": ordinal_words,
            "unit": {str(w): i for i, words in enumerate(data["units"].values()) for w in words},
        }
        month_short = _alternation(list(months) + list(short_months))
        # slot -> (regex, gate words); DIGIT gates slots that are numbers.
        self.slots: dict[str, tuple[str, set[str]]] = {
            "weekday": (_alternation(list(weekdays)) + after_weekday, _first_words(weekdays)),
            "wday": (
                _alternation(list(weekdays) + list(short_days)) + after_weekday,
                _first_words(weekdays) | _first_words(short_days),
            ),
            "month": (_alternation(list(months)), _first_words(months)),
            "month_safe": (_alternation([m for m in months if m not in ambiguous]), _first_words(months)),
            "mon": (month_short + r"\.?", _first_words(months) | _first_words(short_months)),
            "day": (f"(?:{day}|{_alternation(list(day_words))})", {DIGIT} | set(day_words)),
            "dayth": (dayth, {DIGIT}),
            "year": (r"(?<![\d.,$])(?:19\d\d|20\d\d|2100)(?![a-z0-9]|[.,]\d)", {DIGIT}),
            # Two-digit years: after "de" ("de 24") or with an apostrophe ("'24"); dates.py picks the century.
            "short_year": (r"(?<![\d.,$])['\u2019]?\d\d(?![a-z0-9]|[.,]\d)", {DIGIT}),
            "ayear": (r"(?<![\w.,$])['\u2019]\d\d(?![a-z0-9]|[.,]\d)", {DIGIT}),
            # Days written as words ("cinco de maio", "el uno de marzo", "the fifth of may"): only in named
            # dates, next to a month, where a number word cannot be the amount.
            "dayname": (_alternation(list(day_names)), set(_first_words(day_names))),
            "wdays": (_alternation(list(plural_days)), _first_words(plural_days)),
            "nth": (_alternation(list(ordinal_words)), _first_words(ordinal_words)),
            "n": (
                rf"(?:{_NUM_BEFORE}\d{{1,3}}{_NUM_AFTER}|{_alternation(list(numbers))})",
                {DIGIT} | set(numbers),
            ),
            "unit": (_alternation(unit_words), _first_words(unit_words)),
            "count_noun": (_alternation(list(data["count_nouns"])), _first_words(data["count_nouns"])),
        }

    def compile(self, template: str) -> tuple[str, set[str] | None]:
        tokens = _TEMPLATE_TOKEN.findall(str(template))
        position = 0

        def alternatives() -> list[list[tuple[str, set[str] | None, bool]]]:
            nonlocal position
            options = [sequence()]
            while position < len(tokens) and tokens[position] == "|":
                position += 1
                options.append(sequence())
            return options

        def sequence() -> list[tuple[str, set[str] | None, bool]]:
            nonlocal position
            items: list[tuple[str, set[str] | None, bool]] = []
            while position < len(tokens) and tokens[position] not in ("|", ")", "]"):
                token = tokens[position]
                position += 1
                if token in ("[", "("):
                    inner = alternatives()
                    position += 1  # the closing bracket
                    regex, gate = _join_alternatives(inner)
                    items.append((regex, gate, token == "["))
                elif token.startswith("{"):
                    name = token[1:-1]
                    base = name.rstrip("0123456789")
                    regex, gate = self.slots[base]
                    items.append((f"(?P<{name}>{regex})", set(gate), False))
                else:
                    first = _WORD.search(token)
                    items.append((_phrase(token), {first.group()} if first else None, False))
            return items

        return _join_alternatives(alternatives())


def _phrases_gate(texts: list[str]) -> set[str] | None:
    """Each phrase's rarest word; None (always try) when a phrase has no word at all."""
    gate: set[str] = set()
    for text in texts:
        words: list[set[str]] = [{w} for w in _WORD.findall(text)]
        if not words:
            return None
        rarest: set[str] = min(words, key=_gate_cost)
        gate |= rarest
    return gate


def _first_words(phrases: Any) -> set[str]:
    return {m.group() for p in phrases if (m := _WORD.search(str(p)))}


def _gate_cost(gate: set[str]) -> int:
    return sum(50 if w == DIGIT else 20 if w in _COMMON else 1 for w in gate)


def _join_sequence(items: list[tuple[str, set[str] | None, bool]]) -> tuple[str, set[str] | None]:
    parts: list[str] = []
    for index, (regex, _, optional) in enumerate(items):
        last = index == len(items) - 1
        if not optional:
            parts.append(regex if last else regex + JOIN)
        elif last and parts:
            # A trailing optional part carries the joiner before it: "{day} [{year}]".
            if parts[-1].endswith(JOIN):
                parts[-1] = parts[-1][: -len(JOIN)]
            parts.append(f"(?:{JOIN}{regex})?")
        else:
            parts.append(f"(?:{regex}{JOIN})?")
    body = "".join(parts)
    if body.endswith(JOIN):
        body = body[: -len(JOIN)]
    gates = [gate for _, gate, optional in items if not optional and gate]
    return body, min(gates, key=_gate_cost) if gates else None


def _join_alternatives(options: list[list[tuple[str, set[str] | None, bool]]]) -> tuple[str, set[str] | None]:
    joined = [_join_sequence(option) for option in options]
    regex = joined[0][0] if len(joined) == 1 else "(?:" + "|".join(r for r, _ in joined) + ")"
    if any(gate is None for _, gate in joined):
        return regex, None
    return regex, set().union(*(gate for _, gate in joined if gate))


def _words_regex(phrases: list[str], prefixes: list[str] | None, *, at_end: bool) -> re.Pattern[str]:
    """Phrases that must end the text before a date ("since", "desde el") or fill the text between two
    ("and", "hasta el"); `prefixes` may follow them ("desde el lunes", "between the 1st and the 10th")."""
    body = _alternation([str(p) for p in phrases])
    if prefixes:
        body += f"(?:{JOIN}{_alternation([str(p) for p in prefixes])})?"
    return re.compile(body + r"[\s,]*$" if at_end else r"^[\s,]*" + body + r"[\s,]*$")


@cache
def grammar(lang: str) -> Grammar:
    """The compiled grammar of `lang` (en, es, pt), built on first use and kept."""
    data: dict[str, Any] = load_lang(lang, "dates")
    compiler = _Compiler(data)
    # A phrase list becomes one rule (an alternation, longest first); each template is a rule of its own.
    sources: list[tuple[str, Any, str, set[str] | None]] = []  # kind, value, regex, gate
    phrase_lists: list[tuple[str, Any, list[Any]]] = [("neutral", None, data.get("time_of_day") or [])]
    phrase_lists += [("relative", int(k), v) for k, v in data["relative_days"].items()]
    phrase_lists += [("period", k, v) for k, v in data["periods"].items()]
    phrase_lists += [("recurrence", k, v) for k, v in data["recurrence"].items()]
    for kind, value, phrases in phrase_lists:
        texts = [str(p) for p in phrases or ()]
        sources.append((kind, value, _alternation(texts), _phrases_gate(texts)))
    for kind, templates in data["templates"].items():
        groups = templates.items() if isinstance(templates, dict) else [(None, templates)]
        for mode, items in groups:
            for template in dict.fromkeys(str(t) for t in items or ()):
                sources.append((kind, mode, *compiler.compile(template)))

    rules: list[Rule] = []
    gates: dict[str, list[int]] = {}
    ungated: list[int] = []
    for kind, value, regex, gate in sources:
        index = len(rules)
        rules.append(Rule(kind, value, regex))
        if gate is None:
            ungated.append(index)
        for word in gate or ():
            gates.setdefault(word, []).append(index)

    vocabulary = _vocabulary(data, _DATA_SECTIONS)
    skip_targets = {str(w) for w in data["fuzzy"].get("skip_targets") or ()}
    # Typos are read only as the words that carry a date by themselves or with a number ("yesterdy",
    # "smana", "pasdo"); function words and nouns ("compras", "minhas") would only add noise.
    keys = _vocabulary(data, _FUZZY_SECTIONS) | _vocabulary(
        {k: data["templates"][k] for k in ("weekday", "last_n", "ago")}, ("weekday", "last_n", "ago")
    )
    targets = frozenset(w for w in keys if len(w) >= 6 and w.isalpha() and w not in skip_targets)
    index_: dict[str, set[str]] = {}
    for target in targets:
        for i in range(len(target)):
            index_.setdefault(target[:i] + target[i + 1 :], set()).add(target)
    return Grammar(
        lang=lang,
        day_first=str(data["date_order"]) == "dmy",
        rules=tuple(rules),
        gates={w: tuple(ids) for w, ids in gates.items()},
        ungated=tuple(ungated),
        words=compiler.words,
        units=compiler.units,
        prefix=_words_regex(data["prefixes"], None, at_end=True),
        since=_words_regex(data["since"], data["prefixes"], at_end=True),
        range_start=_words_regex(data["range_start"], data["prefixes"], at_end=True),
        range_join=_words_regex(data["range_join"], data["prefixes"], at_end=False),
        negation=_words_regex(data["negations"], data["prefixes"], at_end=True),
        article_context=_words_regex(data["article_context"], data["prefixes"], at_end=True),
        habitual=_words_regex(data["weekday_habitual"], None, at_end=True),
        duration_after=re.compile(JOIN + _alternation([str(w) for w in data.get("duration_after") or ()])),
        money_after=re.compile(r"\s*(?:" + _alternation([str(w) for w in data["money_words"]]) + "|[$€£%])"),
        not_dates=frozenset(str(s) for s in data.get("numeric_not_dates") or ()),
        measure_after=re.compile(
            r"\s?(?:" + _alternation([str(w) for w in data.get("fraction_units") or ["h"]]) + r")\b"
        ),
        month_words=frozenset(compiler.words["month"]),
        vocabulary=frozenset(vocabulary),
        fuzzy_targets=targets,
        fuzzy_index={k: tuple(sorted(v)) for k, v in index_.items()},
        fuzzy_skip=frozenset(str(w) for w in data["fuzzy"].get("skip_words") or ()),
    )


_DATA_SECTIONS = (
    "weekdays",
    "weekdays_short",
    "months",
    "months_short",
    "relative_days",
    "time_of_day",
    "periods",
    "recurrence",
    "numbers",
    "day_words",
    "units",
    "count_nouns",
    "prefixes",
    "since",
    "range_start",
    "range_join",
    "money_words",
    "ordinal_blockers",
    "negations",
    "article_context",
    "weekday_habitual",
    "weekdays_plural",
    "ordinals",
    "day_names",
    "duration_after",
    "templates",
)


_FUZZY_SECTIONS = ("weekdays", "months", "relative_days", "periods", "recurrence", "units")


def _vocabulary(data: dict[str, Any], sections: tuple[str, ...]) -> set[str]:
    """Every folded word of these sections: phrases, slot words, template literals."""
    words: set[str] = set()
    stack: list[Any] = [data.get(section) for section in sections]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            # Keys of word maps are words (numbers: {one: 1}); keys of the other sections are names.
            words |= {str(k) for k in item if isinstance(k, str) and not isinstance(item[k], (dict, list))}
            stack += list(item.values())
        elif isinstance(item, list):
            stack += item
        elif isinstance(item, str):
            words |= set(_WORD.findall(re.sub(r"\{[a-z_]+\d?\}", " ", item)))
    return words
