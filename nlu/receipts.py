"""A receipt's total, currency, merchant and date from its OCR text rows (locales/<lang>/receipts.yaml)."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from functools import cache

from babel.numbers import get_currency_precision

from nlu.data import load
from nlu.normalize import fold
from nlu.numbers import parse_digits
from nlu.overlay import MerchantOverlay, merchant_overlay
from nlu.receipt_names import merchant_of
from nlu.receipt_words import AMOUNT, DATE, glue, guess_language, words
from nlu.types import LANGUAGES

__all__ = ["Receipt", "guess_language", "read_receipt"]

_MAX_AGE = timedelta(days=366)
"""An older date on a receipt is a misread (or a printed expiry, a warranty): no date is better."""

# Whole amounts, for currencies without cents ("$ 12.500" in pesos chilenos): only on such receipts.
_WHOLE = re.compile(r"(?<![0-9.,])(?:[0-9]{1,3}(?:([.,])[0-9]{3})(?:\1[0-9]{3})*|[0-9]+)(?![0-9.,%])")
# OCR reads 0 as O, 1 as l or I and 5 as S inside numbers: put digits back where both sides say "number"
# (a digit, or a digit's decimal mark, on one side; a digit, a mark or the end of the number on the other).
_ZERO_IN_NUMBER = re.compile(
    r"(?<=[0-9][.,])[OoDQ]|(?<=[0-9])[Oo](?=[0-9.,\s]|$)|(?<=[0-9])[DQ](?=[0-9])"
    r"|(?<![A-Za-z0-9])[Oo](?=[.,]?[0-9])"
)
_ONE_IN_NUMBER = re.compile(
    r"(?<=[0-9][.,])[lI|]|(?<=[0-9])[lI|](?=[0-9.,])|(?<=[0-9][.,][0-9])[lI|](?![A-Za-z0-9])"
    r"|(?<![A-Za-z0-9])[lI|](?=[.,]?[0-9])"
)
_FIVE_IN_NUMBER = re.compile(r"(?<=[0-9][.,])S|(?<=[0-9])S(?=[0-9.,])")
# "R$" is often read "RS": taken as reais right before an amount or glued to a total label ("TOTALRS"), not
# elsewhere, where RS is a Brazilian state.
_REAIS_MISREAD = re.compile(r"(?:(?<![a-z])|(?<=total))rs\s?(?=[0-9])|(?<=total)rs$")
# And "TOTAL $" is read "TOTALS": a dollar (or peso) sign when an amount follows.
_DOLLAR_MISREAD = re.compile(r"(?<=total)s(?:\s?(?=[0-9])|$)")


@dataclass(frozen=True, slots=True)
class Receipt:
    """What a receipt photo says, each part None when it could not be read with confidence."""

    total: Decimal | None
    """The amount paid, from the total line; never a subtotal, tax, cash tendered or change."""
    currency: str | None
    """ISO 4217 code printed on the receipt; None when none is (the caller uses the user's)."""
    merchant: str | None
    """A known merchant's canonical name, else the first plausible header line in title case."""
    category: str | None
    """The known merchant's category."""
    day: date | None
    """The date printed on it, never after today nor more than a year old."""
    lang: str | None
    """The language given, else the one its words are in."""


def read_receipt(
    rows: Sequence[str],
    *,
    currency: str,
    today: date,
    lang: str | None = None,
    day_first: bool | None = None,
    merchants: MerchantOverlay | None = None,
) -> Receipt:
    """Read the OCR rows of a receipt, top to bottom. `currency` is the user's (what a bare "$" means when it
    is a dollar or peso), `today` the user's date, `lang` the user's language; `day_first` says how 03/04
    reads (None: month first in English, day first otherwise). A part that cannot be read surely is None:
    the conversation asks rather than records a wrong total."""
    rows = [_digits_back(str(r)) for r in rows if str(r).strip()]
    merchants = merchant_overlay(merchants)
    language = lang if lang in LANGUAGES else guess_language(rows)
    found_currency = _currency(rows, currency.upper())
    precision = get_currency_precision(found_currency or currency.upper())
    merchant, category = merchant_of(rows, merchants)
    first = day_first if day_first is not None else language != "en"
    return Receipt(
        total=_total(rows, precision),
        currency=found_currency,
        merchant=merchant,
        category=category,
        day=_day(rows, today, first),
        lang=language,
    )


def _digits_back(row: str) -> str:
    row = _ZERO_IN_NUMBER.sub("0", row)
    row = _ONE_IN_NUMBER.sub("1", row)
    return _FIVE_IN_NUMBER.sub("5", row)


# ---------------------------------------------------------------- total


@dataclass(frozen=True, slots=True)
class _Line:
    """A label and the amount printed after it (one row may hold several when OCR merged two lines)."""

    label: str
    amount: Decimal | None
    row: int


def _lines(rows: Sequence[str], precision: int) -> list[_Line]:
    out = []
    for number, row in enumerate(rows):
        start = 0
        cents = list(AMOUNT.finditer(row))
        amounts = cents or (list(_WHOLE.finditer(row)) if precision == 0 else [])
        for match in amounts:
            # Cents are always two digits after the last mark, so the marks before it group thousands,
            # whichever OCR read them as ("1.204.02" for "1.204,02").
            text = match.group()
            value = Decimal(re.sub(r"[.,]", "", text)) / 100 if cents else parse_digits(text)
            out.append(_Line(row[start : match.start()], value, number))
            start = match.end()
        if row[start:].strip() or not amounts:
            out.append(_Line(row[start:], None, number))
    return out


def _label(text: str) -> tuple[int, bool]:
    """(length of the longest total phrase, whether a not-total phrase is there) in a label: the phrases are
    taken longest first, each claiming its letters, so "subtotal" hides the "total" inside it."""
    glued = glue(text)
    table = words()
    best, excluded = 0, False
    for phrase in table.phrases:
        at = glued.find(phrase)
        while at >= 0:
            if phrase in table.not_totals:
                excluded = True
            else:
                best = max(best, len(phrase))
            glued = glued[:at] + "#" * len(phrase) + glued[at + len(phrase) :]
            at = glued.find(phrase)
    return best, excluded


def _total(rows: Sequence[str], precision: int) -> Decimal | None:
    """The amount on the total line with the longest total label, the first of equals (a restaurant's
    "suggested tip ... total" lines come after its total); when the label ends its row, the amount alone on
    the next. No total label: the largest amount printed twice (a
    subtotal and its total) when nothing else is larger, else None."""
    lines = _lines(rows, precision)
    candidates: list[tuple[int, int, Decimal]] = []
    for number, line in enumerate(lines):
        strength, excluded = _label(line.label)
        if not strength or excluded:
            continue
        amount = line.amount
        if amount is None and number + 1 < len(lines):
            following = lines[number + 1]
            if following.row == line.row + 1 and following.amount is not None and _bare(following.label):
                amount = following.amount
        if amount is not None and amount > 0:
            candidates.append((strength, -number, amount))
    if candidates:
        return max(candidates)[2]
    kept = [line.amount for line in lines if line.amount is not None and not _label(line.label)[1]]
    if not kept:
        return None
    repeated = [amount for amount, count in Counter(kept).items() if count >= 2 and amount > 0]
    if repeated and max(repeated) == max(kept):
        return max(repeated)
    return None


def _bare(label: str) -> bool:
    """A label with nothing but a currency sign or code: the amount belongs to the row above."""
    return len(glue(label)) <= 3


# ---------------------------------------------------------------- currency


@cache
def _signs() -> tuple[tuple[str, str], ...]:
    """(folded sign, ISO code or "@family") for the signs that are not plain letters, longest first."""
    raw = load("currency_symbols.yaml")
    signs = {fold(str(k)): str(v) for k, v in raw["symbols"].items()}
    return tuple(sorted(((k, v) for k, v in signs.items() if not k.isalpha()), key=lambda kv: -len(kv[0])))


@cache
def _codes() -> frozenset[str]:
    return frozenset(str(code).upper() for code in load("currency_symbols.yaml")["codes"])


@cache
def _dollar_family() -> frozenset[str]:
    return frozenset(str(c) for c in load("currency_symbols.yaml")["families"]["dollar_sign"]["members"])


def _currency(rows: Sequence[str], user: str) -> str | None:
    """The currency printed most often; a bare "$" is the user's dollar or peso, else nothing."""
    votes: Counter[str] = Counter()
    for row in rows:
        folded = fold(row)
        for position, char in enumerate(folded):
            if char in "$€£¥/":
                sign = _sign_at(folded, position)
                if sign:
                    votes[sign] += 1
        if _REAIS_MISREAD.search(folded):
            votes["BRL"] += 1
        elif _DOLLAR_MISREAD.search(folded):
            votes["@dollar_sign"] += 1
        for word in re.findall(r"(?<![A-Za-z])[A-Z]{3}(?![A-Za-z])", row):
            if word in _codes() and AMOUNT.search(row):
                votes[word] += 1
    country = _tax_id_currency(rows)
    # A bare "$" is the dollar or peso of the receipt's country when a tax id names it, else the reader's.
    dollar = country if country in _dollar_family() else user if user in _dollar_family() else None
    resolved: Counter[str] = Counter()
    for marker, count in votes.items():
        if marker.startswith("@"):
            if marker == "@dollar_sign" and dollar is not None:
                resolved[dollar] += count
        else:
            resolved[marker] += count
    if not resolved:
        return country  # no sign read (the OCR has no "€"): the country's currency, if a tax id names it
    return resolved.most_common(1)[0][0]


@cache
def _tax_ids() -> dict[str, str]:
    return {fold(str(k)): str(v).upper() for k, v in load("receipt_countries.yaml")["tax_ids"].items()}


def _tax_id_currency(rows: Sequence[str]) -> str | None:
    """The currency of the country whose tax id is printed ("CNPJ 47.508...", "RFC WAL970924"), or None."""
    for row in rows:
        for word in re.findall(r"[a-z]+", fold(row)):
            if word in _tax_ids():
                return _tax_ids()[word]
    return None


def _sign_at(folded: str, position: int) -> str | None:
    """The sign that ends at `position` ("r$", "us$", "$", "€", "s/"), read only where it cannot be part of a
    word: a letter before "r$" is allowed (OCR glues "TOTALR$"), before other lettered signs it is not."""
    for sign, marker in _signs():
        start = position - len(sign) + 1
        if sign[-1] != folded[position] or start < 0 or folded[start : position + 1] != sign:
            continue
        if sign[0].isalpha() and start > 0 and folded[start - 1].isalpha() and sign != "r$":
            continue
        if sign.startswith("s/") and not re.match(r"\.?\s?[0-9]", folded[position + 1 :]):
            continue  # "S/N" (no street number) is not soles
        return marker
    return None


# ---------------------------------------------------------------- date


# ---------------------------------------------------------------- date and language


def _day(rows: Sequence[str], today: date, day_first: bool) -> date | None:
    """The first date on the receipt that is a real day, not after today and at most a year old."""
    for row in rows:
        for match in DATE.finditer(row):
            found = _as_date(match.groups(), day_first)
            if found is not None and today - _MAX_AGE <= found <= today:
                return found
    return None


def _as_date(groups: Sequence[str], day_first: bool) -> date | None:
    first, second, third = groups
    if len(first) == 4:
        year, month, day = int(first), int(second), int(third)
    elif len(first) <= 2 and len(third) in (2, 4):
        year = int(third) + (2000 if len(third) == 2 else 0)
        a, b = int(first), int(second)
        # The order the user's country writes, unless that reading is impossible and the other one is not.
        day, month = (a, b) if day_first else (b, a)
        if month > 12 >= day:
            day, month = month, day
    else:
        return None
    try:
        return date(year, month, day)
    except ValueError:
        return None
