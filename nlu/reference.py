"""Earlier transactions named in a message: what names one ("the uber", "o mercado de ontem"), the change."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from functools import cache

from nlu.categories import find_category
from nlu.data import load_lang
from nlu.merchants import MerchantMatch
from nlu.normalize import Normalized, fold
from nlu.types import LANGUAGES, MoneyMention, format_decimal

_WORD = re.compile(r"[a-z0-9]+")
MAX_NOTE = 80
"""A note longer than this is cut: it is a reminder, not a copy of the message."""
Span = tuple[int, int]


@dataclass(frozen=True, slots=True)
class Reference:
    """What the message says of the earlier transaction it is about; every field is a condition it meets."""

    merchant: str | None = None
    category: str | None = None
    amount: Decimal | None = None
    date: date | None = None
    words: tuple[str, ...] = ()
    """Other folded words naming it ("couch"), matched against its note and merchant."""

    def to_json(self) -> dict[str, object]:
        return {
            "merchant": self.merchant,
            "category": self.category,
            "amount": None if self.amount is None else format_decimal(self.amount),
            "date": None if self.date is None else self.date.isoformat(),
            "words": list(self.words),
        }


@dataclass(frozen=True, slots=True)
class Change:
    """The new value a correction gives an earlier transaction."""

    amount: Decimal | None = None
    currency: str | None = None
    category: str | None = None

    def to_json(self) -> dict[str, object]:
        return {
            "amount": None if self.amount is None else format_decimal(self.amount),
            "currency": self.currency,
            "category": self.category,
        }


@dataclass(frozen=True, slots=True)
class _Words:
    markers: tuple[tuple[str, ...], ...]
    negations: tuple[tuple[str, ...], ...]
    filler: frozenset[str]
    articles: frozenset[str]


@cache
def _words(lang: str) -> _Words:
    data = load_lang(lang if lang in LANGUAGES else "en", "keywords")

    def phrases(key: str) -> tuple[tuple[str, ...], ...]:
        return tuple(tuple(fold(str(p)).split()) for p in data.get(key) or ())

    return _Words(
        phrases("change_markers"),
        phrases("change_negations"),
        frozenset(data.get("filler_words") or ()),
        frozenset(data.get("reference_articles") or ()),
    )


def _tokens(norm: Normalized) -> list[tuple[str, int, int]]:
    return [(m.group(), m.start(), m.end()) for m in _WORD.finditer(norm.text)]


def _inside(start: int, end: int, spans: Sequence[Span]) -> bool:
    return any(a < end and start < b for a, b in spans)


def _phrase_at(tokens: list[tuple[str, int, int]], i: int, phrases: tuple[tuple[str, ...], ...]) -> int:
    """Length in tokens of the longest phrase starting at tokens[i], 0 when none does."""
    best = 0
    for phrase in phrases:
        n = len(phrase)
        if n > best and tuple(t[0] for t in tokens[i : i + n]) == phrase:
            best = n
    return best


def content_words(
    norm: Normalized, lang: str, claimed: Sequence[Span], start: int = 0, end: int | None = None
):
    """Tokens between start and end that are not claimed (amounts, dates, merchant) and not filler words."""
    stop = len(norm.text) if end is None else end
    filler = _words(lang).filler
    return [
        (w, a, b)
        for w, a, b in _tokens(norm)
        if start <= a and b <= stop and not _inside(a, b, claimed) and w not in filler and not w.isdigit()
    ]


def note(norm: Normalized, lang: str, claimed: Sequence[Span]) -> str | None:
    """The words of an entry that are not its amount, day, merchant or a filler ("bought a couch 450" ->
    "couch"), as typed; None when nothing is left."""
    words = content_words(norm, lang, claimed)
    if not words:
        return None
    text = norm.original_span(words[0][1], words[-1][2]).strip(" ,.;:!?-")
    return text[:MAX_NOTE] or None


def _split(
    norm: Normalized, lang: str, mentions: Sequence[MoneyMention], claimed: Sequence[Span]
) -> int | None:
    """Where the new value starts: the last change marker followed by an amount or a category word, or a
    negation followed by an amount ("meant 2.5k not 25": the new value comes first); None when neither."""
    tokens = _tokens(norm)
    words = _words(lang)
    best: int | None = None
    for i, (_, a, _) in enumerate(tokens):
        if i == 0 or _inside(a, a + 1, claimed):
            continue
        n = _phrase_at(tokens, i, words.markers)
        if not n:
            continue
        after = tokens[i + n - 1][2]
        if any(m.start >= after for m in mentions) or find_category(norm, lang, None, None, [(0, after)]):
            best = a
    return best


def _negated(
    norm: Normalized, lang: str, start: int, mentions: Sequence[MoneyMention]
) -> MoneyMention | None:
    """An amount right after a negation at or after `start` ("25 not 23.40" -> 23.40): the old value."""
    tokens = _tokens(norm)
    for i, (_, a, _) in enumerate(tokens):
        if a < start:
            continue
        n = _phrase_at(tokens, i, _words(lang).negations)
        if n:
            after = tokens[i + n - 1][2]
            following = [m for m in mentions if m.start >= after]
            if following and not content_words(norm, lang, [], after, following[0].start):
                return following[0]
    return None


def _named(norm: Normalized, lang: str, claimed: Sequence[Span], end: int) -> tuple[str, ...]:
    """Words naming the transaction: those right after an article ("the couch one", "el de la silla"); other
    leftovers of a correction ("oops", "wait", "me equivoqué") name nothing."""
    articles = _words(lang).articles
    tokens = _tokens(norm)
    index = {a: i for i, (_, a, _) in enumerate(tokens)}
    found = []
    for word, start, _ in content_words(norm, lang, claimed, 0, end):
        i = index[start]
        one = tokens[i - 1][0] if i >= 1 else ""
        two = f"{tokens[i - 2][0]} {one}" if i >= 2 else ""
        if one in articles or two in articles:  # "the couch", "el de la silla", "o do sofá", "el de tacos"
            found.append(word)
    return tuple(found)


def reference_of(
    norm: Normalized,
    lang: str,
    intent: str,
    *,
    mentions: Sequence[MoneyMention],
    merchant: MerchantMatch | None,
    day: date | None,
    day_spans: Sequence[Span],
) -> tuple[Reference | None, Change | None]:
    """(the transaction named, the new value) of an undo, edit_last or search message; (None, None) when it
    names no earlier transaction, so the last one is meant. An edit names one only before its change marker
    ("the uber WAS 25", "muda o mercado de ontem PRA 85"); an undo anywhere ("borra el de amazon de ayer")."""
    claimed = [*day_spans, *((m.start, m.end) for m in mentions)]
    if merchant is not None:
        claimed.append((merchant.start, merchant.end))
    end = len(norm.text)
    change: Change | None = None
    old: MoneyMention | None = None
    if intent == "edit_last":
        split = _split(norm, lang, mentions, claimed)
        old = _negated(norm, lang, 0 if split is None else split, mentions)
        if split is None and old is None:
            return None, None
        end = split if split is not None else old.start if old is not None else end
        fresh = [m for m in mentions if m.start >= (split or 0) and m is not old]
        new_category = find_category(norm, lang, None, None, [(0, end), *claimed])
        first = fresh[0] if fresh else None
        change = Change(
            amount=first.amount if first else None,
            currency=first.currency if first else None,
            category=new_category,
        )
        if split is None:
            end = old.start if old is not None else end
            # "meant 2.5k not 25": nothing before the negation names a transaction except the new amount.
            claimed = [*claimed, (0, end)]
    if intent == "search":
        # What is looked for is every word left once the period and the search verb are taken.
        words = tuple(w for w, _, _ in content_words(norm, lang, claimed, 0, end))
    else:
        words = _named(norm, lang, claimed, end)
    in_target = merchant is not None and merchant.end <= end
    target_amounts = [m for m in mentions if m.end <= end] if intent != "edit_last" else []
    amount = old.amount if old is not None else (target_amounts[0].amount if target_amounts else None)
    on_day = day if day is not None and any(b <= end for _, b in day_spans) else None
    category = None
    if merchant is None or not merchant.known or not in_target:
        category = find_category(norm, lang, None, None, [*claimed, (end, len(norm.text))])
    ref = Reference(
        merchant=merchant.name if in_target and merchant is not None else None,
        category=category,
        amount=amount,
        date=on_day,
        words=words,
    )
    if ref == Reference():
        return None, change
    return ref, change
