"""The category of a message: the known merchant's default, else the words people use for it."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache

from nlu.data import load_lang
from nlu.merchants import MerchantMatch, Token, analyze, claimed_spans, phrase_keys
from nlu.normalize import Normalized
from nlu.types import CATEGORIES, LANGUAGES

log = logging.getLogger(__name__)

INCOME = frozenset({"salary", "other_income"})
ALL = frozenset(CATEGORIES)
EXPENSES = ALL - INCOME
# Spending and budgets are never about income: "gastei o salário no mercado" is groceries, not salary.
_SPENDING_INTENTS = frozenset({"add_expense", "set_budget", "budget_status", "delete_budget"})


@dataclass(frozen=True, slots=True)
class Reading:
    """A word whose category depends on the rest of the message (categories.yaml `ambiguous`)."""

    default: str
    contexts: tuple[tuple[str, frozenset[str]], ...]
    """(category, words): the first category one of whose words is in the message wins."""

    def resolve(self, words: set[str], allowed: frozenset[str]) -> str | None:
        for category, cues in self.contexts:
            if category in allowed and not cues.isdisjoint(words):
                return category
        if self.default in allowed:
            return self.default
        # The intent rules the default out ("recebi as férias"): the first reading it allows.
        return next((category for category, _ in self.contexts if category in allowed), None)


@dataclass(frozen=True)
class Lexicon:
    """One language's category phrases, as word-key tuples."""

    phrases: dict[tuple[str, ...], str | Reading | None]
    """Phrase -> category, a Reading for ambiguous words, None for neutral phrases that hide a category."""
    longest: int


@cache
def lexicon(lang: str) -> Lexicon:
    data = load_lang(lang, "categories")
    phrases: dict[tuple[str, ...], str | Reading | None] = {}
    for category, words in (data.get("categories") or {}).items():
        for phrase in words or ():
            phrases.setdefault(phrase_keys(str(phrase)), str(category))
    for word, spec in (data.get("ambiguous") or {}).items():
        contexts = tuple(
            (str(category), frozenset(k for w in cues for k in phrase_keys(str(w))))
            for category, cues in spec.items()
            if category != "default"
        )
        phrases[phrase_keys(str(word))] = Reading(str(spec["default"]), contexts)
    for phrase in data.get("neutral") or ():
        phrases[phrase_keys(str(phrase))] = None
    phrases.pop((), None)
    return Lexicon(phrases, max(len(k) for k in phrases))


def find_category(
    norm: Normalized,
    lang: str,
    merchant: MerchantMatch | None,
    intent: str | None = None,
    exclude: Sequence[tuple[int, int]] = (),
) -> str | None:
    """The category the message is about, or None when nothing says (the conversation then asks).

    Order: the known merchant's default; words outside an unknown merchant's name ("almoço na padaria do Zé"
    is dining); words inside it ("padaria do Zé" is groceries); for an income with no clue, other_income.
    The longest phrase wins, then the earliest; a word under a negation ("no fue en el súper, fue en la
    farmacia") only when nothing else is said."""
    allowed = INCOME if intent == "add_income" else EXPENSES if intent in _SPENDING_INTENTS else ALL
    if merchant is not None and merchant.known and merchant.category in allowed:
        return merchant.category
    try:
        found = _from_words(norm, lang if lang in LANGUAGES else "en", merchant, allowed, exclude)
    except Exception:  # a bug must not cost the whole message; the rest of the parse still stands
        log.exception("find_category failed")
        found = None
    if found is None and intent == "add_income":
        return "other_income"
    return found


def _from_words(
    norm: Normalized,
    lang: str,
    merchant: MerchantMatch | None,
    allowed: frozenset[str],
    exclude: Sequence[tuple[int, int]],
) -> str | None:
    lex = lexicon(lang)
    span = None if merchant is None else (merchant.start, merchant.end)
    # The pipeline also claims the merchant's span; an unknown name's own words are still read, last.
    tokens, negs = analyze(norm.text, tuple(s for s in claimed_spans(exclude) if s != span), lang)
    words = {t.key.rstrip("+") for t in tokens if t.free}
    best: tuple[tuple[bool, bool, int, int], str] | None = None
    for i, j, value in _phrases(tokens, lex):
        if value is None:
            continue
        inside = span is not None and span[0] <= tokens[i].start and tokens[j].end <= span[1]
        if (
            inside
            and merchant is not None
            and merchant.known
            and not (merchant.own and not merchant.category)
        ):
            # Words of a known name are the name ("Pizza Hut" when the intent rules its default out); a
            # tenant's merchant with no category of its own is read like an unknown name ("Padaria do Zé").
            continue
        category = value.resolve(words, allowed) if isinstance(value, Reading) else value
        if category is None or category not in allowed:
            continue
        rank = (not negs[i], not inside, j - i, -i)
        if best is None or rank > best[0]:
            best = (rank, category)
    return None if best is None else best[1]


def _phrases(tokens: Sequence[Token], lex: Lexicon) -> list[tuple[int, int, str | Reading | None]]:
    """Leftmost-longest phrases of the lexicon in the message, never across punctuation or a claimed span."""
    found: list[tuple[int, int, str | Reading | None]] = []
    i = 0
    while i < len(tokens):
        if not tokens[i].free:
            i += 1
            continue
        hit: tuple[int, str | Reading | None] | None = None
        keys: list[str] = []
        for j in range(i, min(len(tokens), i + lex.longest)):
            if not tokens[j].free or (j > i and tokens[j].gap):
                break
            keys.append(tokens[j].key.rstrip("+"))  # "lunch+drinks": the + belongs to names ("disney+")
            key = tuple(keys)
            if key in lex.phrases:
                hit = (j, lex.phrases[key])
        if hit is None:
            i += 1
            continue
        found.append((i, hit[0], hit[1]))
        i = hit[0] + 1
    return found
