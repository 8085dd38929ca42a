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

from nlu.data import load, load_lang
from nlu.merchants import index as merchant_index
from nlu.merchants import phrase_keys
from nlu.normalize import fold
from nlu.numbers import parse_digits
from nlu.overlay import MerchantOverlay, merchant_overlay
from nlu.types import LANGUAGES

_MAX_AGE = timedelta(days=366)
"""An older date on a receipt is a misread (or a printed expiry, a warranty): no date is better."""
_HEADER_ROWS = 7
"""The merchant's name is among the first rows, above the items."""
_MIN_GLUED = 5
"""Shorter names are matched only as a whole row or whole words: "coto" and "oxxo" hide inside other words."""

# Amounts as tills print them: cents always shown, thousands grouped or not ("1.204,02", "1,204.02", "87.40").
_AMOUNT = re.compile(
    r"(?<![0-9.,])(?:[0-9]{1,3}(?:([.,])[0-9]{3})(?:\1[0-9]{3})*|[0-9]+)[.,][0-9]{2}(?![0-9%])"
)
# Whole amounts, for currencies without cents ("$ 12.500" in pesos chilenos): only on such receipts.
_WHOLE = re.compile(r"(?<![0-9.,])(?:[0-9]{1,3}(?:([.,])[0-9]{3})(?:\1[0-9]{3})*|[0-9]+)(?![0-9.,%])")
# OCR reads 0 as O, 1 as l or I and 5 as S inside numbers: put digits back where both sides say "number".
_IN_NUMBER = re.compile(
    r"(?<=[0-9][.,])[OoDQ]|(?<=[0-9])[OoDQ](?=[0-9.,\s]|$)|(?<![A-Za-z])[Oo](?=[.,]?[0-9])"
)
_ONE_IN_NUMBER = re.compile(r"(?<=[0-9])[lI|](?=[0-9.,])|(?<=[0-9][.,])[lI|]|(?<![A-Za-z])[lI|](?=[0-9]{2})")
_FIVE_IN_NUMBER = re.compile(r"(?<=[0-9][.,])S|(?<=[0-9])S(?=[0-9])")
# The same confusions the other way in words: "T0TAL", "IMP0RTE", "5UBTOTAL".
_LETTER_DIGITS = str.maketrans({"0": "o", "1": "l", "5": "s"})
_DIGIT_IN_WORD = re.compile(r"(?<=[a-z])[015](?=[a-z])|^[5](?=[a-z]{3})")
_DATE = re.compile(r"(?<![0-9])([0-9]{1,4})\s?[/.-]\s?([0-9]{1,2})\s?[/.-]\s?([0-9]{2,4})(?![0-9])")
# "R$" is often read "RS": taken as reais right before an amount or glued to a total label ("TOTALRS"), not
# elsewhere, where RS is a Brazilian state.
_REAIS_MISREAD = re.compile(r"(?:(?<![a-z])|(?<=total))rs\s?(?=[0-9])|(?<=total)rs$")
# And "TOTAL $" is read "TOTALS": a dollar (or peso) sign when an amount follows.
_DOLLAR_MISREAD = re.compile(r"(?<=total)s(?:\s?(?=[0-9])|$)")
_LETTERS = re.compile(r"[^a-z]+")


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


@dataclass(frozen=True)
class _Words:
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
def _words() -> _Words:
    totals: dict[str, str] = {}
    not_totals: dict[str, str] = {}
    skip: dict[str, frozenset[str]] = {}
    suffixes: set[tuple[str, ...]] = set()
    for lang in LANGUAGES:
        data = load_lang(lang, "receipts")
        for phrase in data["totals"]:
            totals.setdefault(_glue(str(phrase)), lang)
        for phrase in data["not_totals"]:
            not_totals.setdefault(_glue(str(phrase)), lang)
        skip[lang] = frozenset(" ".join(phrase_keys(fold(str(w)))) for w in data["merchant_skip"])
        suffixes.update(phrase_keys(fold(str(s))) for s in data["company_suffixes"])
    phrases = tuple(sorted({*totals, *not_totals}, key=lambda p: (-len(p), p)))
    return _Words(totals, not_totals, skip, tuple(sorted(suffixes, key=len, reverse=True)), phrases)


def _glue(text: str) -> str:
    """Letters only, folded, with the digits OCR put for letters read back: "T0TAL R$" -> "totalr"."""
    folded = fold(text)
    folded = _DIGIT_IN_WORD.sub(lambda m: m.group().translate(_LETTER_DIGITS), folded)
    return _LETTERS.sub("", folded)


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
    merchant, category = _merchant(rows, merchants)
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
    row = _IN_NUMBER.sub("0", row)
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
        amounts = list(_AMOUNT.finditer(row)) or (list(_WHOLE.finditer(row)) if precision == 0 else [])
        for match in amounts:
            value = parse_digits(match.group())
            out.append(_Line(row[start : match.start()], value, number))
            start = match.end()
        if row[start:].strip() or not amounts:
            out.append(_Line(row[start:], None, number))
    return out


def _label(text: str) -> tuple[int, bool]:
    """(length of the longest total phrase, whether a not-total phrase is there) in a label: the phrases are
    taken longest first, each claiming its letters, so "subtotal" hides the "total" inside it."""
    glued = _glue(text)
    words = _words()
    best, excluded = 0, False
    for phrase in words.phrases:
        at = glued.find(phrase)
        while at >= 0:
            if phrase in words.not_totals:
                excluded = True
            else:
                best = max(best, len(phrase))
            glued = glued[:at] + "#" * len(phrase) + glued[at + len(phrase) :]
            at = glued.find(phrase)
    return best, excluded


def _total(rows: Sequence[str], precision: int) -> Decimal | None:
    """The amount on the total line with the longest total label (a larger amount breaks a tie); when the
    label ends its row, the amount alone on the next. No total label: the largest amount printed twice (a
    subtotal and its total) when nothing else is larger, else None."""
    lines = _lines(rows, precision)
    candidates: list[tuple[int, Decimal]] = []
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
            candidates.append((strength, amount))
    if candidates:
        return max(candidates)[1]
    kept = [line.amount for line in lines if line.amount is not None and not _label(line.label)[1]]
    if not kept:
        return None
    repeated = [amount for amount, count in Counter(kept).items() if count >= 2 and amount > 0]
    if repeated and max(repeated) == max(kept):
        return max(repeated)
    return None


def _bare(label: str) -> bool:
    """A label with nothing but a currency sign or code: the amount belongs to the row above."""
    return len(_glue(label)) <= 3


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
            if word in _codes() and _AMOUNT.search(row):
                votes[word] += 1
    resolved: Counter[str] = Counter()
    for marker, count in votes.items():
        if marker.startswith("@"):
            if marker == "@dollar_sign" and user in _dollar_family():
                resolved[user] += count
        else:
            resolved[marker] += count
    return resolved.most_common(1)[0][0] if resolved else None


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


# ---------------------------------------------------------------- merchant


def _merchant(rows: Sequence[str], overlay: MerchantOverlay | None) -> tuple[str | None, str | None]:
    """The tenant's or a shipped merchant named in a header row, else the first header row that looks like a
    name. Header words ("CAIXA", "STORE #12", "CNPJ") are taken out before names are looked for: a row
    "CAIXA 01" is the till, not the bank."""
    header = []
    for row in rows[:_HEADER_ROWS]:
        if _AMOUNT.search(row):
            break  # the items have begun: a priced line is never the name
        if not _DATE.search(row):
            header.append(row)
    for row in header:
        keys = _without_skip_words(_name_keys(row))
        whole = "".join(_without_skip_words(_name_keys(row, suffixes=False)))
        if overlay is not None:
            for merchant in overlay.merchants:
                names = (merchant.name, *merchant.aliases)
                if any(_names_match(keys, phrase_keys(fold(n)), False) for n in names):
                    return merchant.name, merchant.category
        found = _known(keys, whole)
        if found is not None:
            return found
    for row in header:
        keys = _name_keys(row)
        if _plausible(row, keys):
            return _title(row, keys), None
    return None, None


def _name_keys(row: str, suffixes: bool = True) -> tuple[str, ...]:
    """The row's words, OCR's digits-for-letters read back, without a company suffix at the end."""
    keys = phrase_keys(_DIGIT_IN_WORD.sub(lambda m: m.group().translate(_LETTER_DIGITS), fold(row)))
    for _ in range(3 if suffixes else 0):  # "PADARIA ZE LTDA ME": suffixes come in runs
        for suffix in _words().suffixes:
            if len(keys) > len(suffix) and keys[-len(suffix) :] == suffix:
                keys = keys[: -len(suffix)]
                break
    return keys


def _without_skip_words(keys: tuple[str, ...]) -> tuple[str, ...]:
    skip = _skip_phrases()
    out: list[str] = []
    i = 0
    while i < len(keys):
        size = next((n for n in range(min(3, len(keys) - i), 0, -1) if keys[i : i + n] in skip), 0)
        if size:
            i += size
        else:
            out.append(keys[i])
            i += 1
    return tuple(out)


@cache
def _skip_phrases() -> frozenset[tuple[str, ...]]:
    return frozenset(tuple(w.split()) for words in _words().skip.values() for w in words)


def _names_match(keys: tuple[str, ...], name: tuple[str, ...], weak: bool) -> bool:
    """A header row names a merchant: the whole row is the name, or (for a name that is not an everyday word)
    the name is a run of the row's words or starts the row glued ("PAODEACUCAR LTDA")."""
    glued, target = "".join(keys), "".join(name)
    if not glued or not any(ch.isalpha() for ch in target):
        return False
    if target in _glued_forms(glued):
        return True
    if weak:
        return False
    if any(keys[i : i + len(name)] == name for i in range(len(keys) - len(name) + 1)):
        return len(target) >= 3
    return len(target) >= _MIN_GLUED and glued.startswith(target)


@cache
def _glued_forms(glued: str) -> frozenset[str]:
    """The glued row, and without a company suffix OCR glued on: "cotocicsa" -> "coto"."""
    forms = {glued}
    for suffix in _words().suffixes:
        tail = "".join(suffix)
        if len(tail) >= 3 and glued.endswith(tail) and len(glued) - len(tail) >= 3:
            forms.add(glued[: -len(tail)])
    return frozenset(forms)


@dataclass(frozen=True)
class _Aliases:
    """The shipped merchants' aliases, for lookups: glued ("paodeacucar") and as word runs."""

    glued: dict[str, tuple[int, bool]]
    """Glued alias -> (merchant number, weak)."""
    runs: dict[tuple[str, ...], int]
    """Word keys of aliases that are not everyday words -> merchant number."""


@cache
def _aliases() -> _Aliases:
    glued: dict[str, tuple[int, bool]] = {}
    runs: dict[tuple[str, ...], int] = {}
    for keys, alias in merchant_index().exact.items():
        joined = "".join(keys)
        if not any(ch.isalpha() for ch in joined):
            continue  # "99" alone on a till row is a number, not the ride app
        glued.setdefault(joined, (alias.merchant, alias.weak))
        if not alias.weak and len(joined) >= 3:
            runs.setdefault(keys, alias.merchant)
    return _Aliases(glued, runs)


def _known(keys: tuple[str, ...], whole: str) -> tuple[str, str | None] | None:
    """The shipped merchant the row names (the rules of _names_match, by lookups), the longest alias winning
    ("Uber Eats" over "Uber"). `whole` is the row glued with its suffixes, which OCR may have run into the
    name ("COTOC.I.C.S.A.")."""
    aliases = _aliases()
    found: list[tuple[int, int]] = []
    glued = "".join(keys)
    for form in _glued_forms(glued) | _glued_forms(whole):
        if form in aliases.glued:
            found.append((len(form), aliases.glued[form][0]))
    for size in range(1, len(keys) + 1):
        for start in range(len(keys) - size + 1):
            run = keys[start : start + size]
            if run in aliases.runs:
                found.append((sum(len(k) for k in run), aliases.runs[run]))
    for end in range(_MIN_GLUED, len(glued)):
        hit = aliases.glued.get(glued[:end])
        if hit is not None and not hit[1]:
            found.append((end, hit[0]))
    if not found:
        return None
    merchant = merchant_index().merchants[max(found)[1]]
    return merchant.name, merchant.category


def _plausible(row: str, keys: tuple[str, ...]) -> bool:
    """A name: mostly letters, at least three of them, and no tax id, title or address word."""
    letters = sum(ch.isalpha() for ch in row)
    if letters < 3 or letters < 0.6 * sum(not ch.isspace() for ch in row):
        return False
    words = set(phrase_keys(fold(row)))
    folded = " ".join(phrase_keys(fold(row)))
    for skip in _words().skip.values():
        if any((" " in w and f" {w} " in f" {folded} ") or w in words for w in skip):
            return False
    return bool(keys)


def _title(row: str, keys: tuple[str, ...]) -> str:
    """The name as printed, in title case, without its company suffix: "PADARIA ZE LTDA" -> "Padaria Ze"."""
    words = row.split()
    kept = len(phrase_keys(fold(row))) - len(keys)
    while kept > 0 and words:
        dropped = len(phrase_keys(fold(words[-1])))
        words.pop()
        kept -= max(dropped, 1)
    text = " ".join(words) if words else " ".join(keys)
    return re.sub(r"['’]S\b", "'s", text.strip(" .,-:;").title())


# ---------------------------------------------------------------- date and language


def _day(rows: Sequence[str], today: date, day_first: bool) -> date | None:
    """The first date on the receipt that is a real day, not after today and at most a year old."""
    for row in rows:
        for match in _DATE.finditer(row):
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


def guess_language(rows: Sequence[str]) -> str | None:
    """The language whose own receipt words (those no other language shares) appear most; None on a tie."""
    words = _words()
    text = _glue(" ".join(rows))
    spaced = " " + " ".join(phrase_keys(fold(" ".join(rows)))) + " "
    score: Counter[str] = Counter()
    for lang in LANGUAGES:
        score[lang] += sum(len(p) >= 4 and p in text and _only(p, lang) for p in _label_phrases(lang))
        score[lang] += sum(
            f" {w} " in spaced and _skip_only(w, lang) for w in words.skip[lang] if len(w) >= 3
        )
    ranked = score.most_common(2)
    if not ranked or (len(ranked) == 2 and ranked[0][1] == ranked[1][1]):
        return None
    return ranked[0][0]


@cache
def _label_phrases(lang: str) -> frozenset[str]:
    data = load_lang(lang, "receipts")
    return frozenset(_glue(str(p)) for p in [*data["totals"], *data["not_totals"]])


def _only(glued: str, lang: str) -> bool:
    """The phrase belongs to `lang`'s receipt words and no other language's."""
    return all(glued not in _label_phrases(other) for other in LANGUAGES if other != lang)


@cache
def _skip_only(word: str, lang: str) -> bool:
    return all(word not in _words().skip[o] for o in LANGUAGES if o != lang)
