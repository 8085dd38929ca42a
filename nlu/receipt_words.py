"""Receipt words of every language (locales/<lang>/receipts.yaml) and the OCR-tolerant patterns the receipt
readers share."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache

from nlu.data import load_lang
from nlu.merchants import phrase_keys
from nlu.normalize import fold
from nlu.types import LANGUAGES

# Amounts as tills print them: cents always shown, thousands grouped or not ("1.204,02", "1,204.02", "87.40").
AMOUNT = re.compile(
    r"(?<![0-9.,])(?:[0-9]{1,3}(?:([.,])[0-9]{3})(?:\1[0-9]{3})*|[0-9]+)[.,][0-9]{2}(?![0-9%])"
)
# A date, maybe run into the time after it ("03-11-202616:30" when OCR drops the space).
DATE = re.compile(
    r"(?<![0-9])([0-9]{1,4})\s?[/.-]\s?([0-9]{1,2})\s?[/.-]\s?([0-9]{2,4})(?:(?![0-9])|(?=[0-9]{1,2}:[0-9]{2}))"
)
# OCR puts digits for letters in words: "T0TAL", "IMP0RTE", "5UBTOTAL".
_LETTER_DIGITS = str.maketrans({"0": "o", "1": "l", "5": "s"})
_DIGIT_IN_WORD = re.compile(r"(?<=[a-z])[015](?=[a-z])|^[5](?=[a-z]{3})")
_LETTERS = re.compile(r"[^a-z]+")


def letters_back(folded: str) -> str:
    """Folded text with the digits OCR read for letters inside words read back: "t0tal" -> "total"."""
    return _DIGIT_IN_WORD.sub(lambda m: m.group().translate(_LETTER_DIGITS), folded)


def glue(text: str) -> str:
    """Letters only, folded, letters read back: "T0TAL R$" -> "totalr". Labels are compared this way because
    OCR drops the spaces between printed words ("VALORTOTALR$")."""
    return _LETTERS.sub("", letters_back(fold(text)))


@dataclass(frozen=True)
class Words:
    """Every language's receipt words (a receipt abroad is read too), glued: spaces taken out."""

    totals: dict[str, str]
    """Glued total label -> its language."""
    not_totals: dict[str, str]
    skip: dict[str, frozenset[str]]
    """Merchant-skip words, whole, per language."""
    suffixes: tuple[tuple[str, ...], ...]
    """Company suffixes as word keys, longest first."""
    phrases: tuple[str, ...]
    """Every glued label phrase, longest first: the order labels are searched in."""


@cache
def words() -> Words:
    """The receipt words of every language, loaded once."""
    totals: dict[str, str] = {}
    not_totals: dict[str, str] = {}
    skip: dict[str, frozenset[str]] = {}
    suffixes: set[tuple[str, ...]] = set()
    for lang in LANGUAGES:
        data = load_lang(lang, "receipts")
        for phrase in data["totals"]:
            totals.setdefault(glue(str(phrase)), lang)
        for phrase in data["not_totals"]:
            not_totals.setdefault(glue(str(phrase)), lang)
        skip[lang] = frozenset(" ".join(phrase_keys(fold(str(w)))) for w in data["merchant_skip"])
        suffixes.update(phrase_keys(fold(str(s))) for s in data["company_suffixes"])
    phrases = tuple(sorted({*totals, *not_totals}, key=lambda p: (-len(p), p)))
    return Words(totals, not_totals, skip, tuple(sorted(suffixes, key=len, reverse=True)), phrases)


def guess_language(rows: Sequence[str]) -> str | None:
    """The language whose own receipt words (those no other language shares) appear most; None on a tie."""
    table = words()
    text = glue(" ".join(rows))
    spaced = " " + " ".join(phrase_keys(fold(" ".join(rows)))) + " "
    score: Counter[str] = Counter()
    for lang in LANGUAGES:
        score[lang] += sum(len(p) >= 4 and p in text and _only(p, lang) for p in _label_phrases(lang))
        score[lang] += sum(
            f" {w} " in spaced and _skip_only(w, lang) for w in table.skip[lang] if len(w) >= 3
        )
    ranked = score.most_common(2)
    if not ranked or (len(ranked) == 2 and ranked[0][1] == ranked[1][1]):
        return None
    return ranked[0][0]


@cache
def _label_phrases(lang: str) -> frozenset[str]:
    data = load_lang(lang, "receipts")
    return frozenset(glue(str(p)) for p in [*data["totals"], *data["not_totals"]])


def _only(glued: str, lang: str) -> bool:
    """The phrase belongs to `lang`'s receipt words and no other language's."""
    return all(glued not in _label_phrases(other) for other in LANGUAGES if other != lang)


@cache
def _skip_only(word: str, lang: str) -> bool:
    return all(word not in words().skip[o] for o in LANGUAGES if o != lang)
