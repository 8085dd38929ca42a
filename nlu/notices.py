"""Bank and wallet notices forwarded as text ("Compra aprovada no cartão final 1234 R$ 45,90 em ..."): the
transaction they report, read with the patterns of locales/notices/<country>.yaml."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from functools import cache
from typing import Any

from nlu.data import load, locales_dir
from nlu.numbers import parse_digits


@dataclass(frozen=True, slots=True)
class Notice:
    """What a bank or wallet notice says happened."""

    source: str
    """The format that read it: "<country>/<bank>/<name>" ("br/nubank/card_purchase"), or "generic"."""
    kind: str
    """ "expense" (a purchase, a payment, a Pix or transfer sent) or "income" (a transfer received)."""
    amount: Decimal
    currency: str
    """ISO 4217, from the notice (its sign or code), else the format's country's currency."""
    merchant: str | None
    """The payee or payer as the notice writes it ("SUPERMERCADO X", "UBER *TRIP", "João Silva")."""
    card: str | None
    """The card's or account's last digits ("1234"), when the notice gives them."""
    day: date | None
    """The day the notice states, its year resolved against `now` (never after it); None when unsaid."""


MIN_LENGTH = 12
"""Shorter than this, no notice: "Pix R$ 5" is a chat message, every real notice says more."""
MAX_LENGTH = 1000
"""Longer than this, no notice (SMS and app notices are a few hundred characters): bounds the regex work."""

_WORD = re.compile(r"[a-z]+")
_DIGIT = re.compile(r"\d")

# The template language of locales/notices/*.yaml: a pattern is a regex in which a space matches any run of
# whitespace and these placeholders stand for the named groups read_notice understands.
_NUMBER = r"(?P<amount>\d{1,3}(?:[.,' ]\d{3})*(?:[.,]\d{1,2})?|\d+(?:[.,]\d{1,2})?)"
_CODES = r"BRL|MXN|ARS|COP|EUR|USD|GBP|CLP|PEN|UYU|CAD|CHF"
_SIGN = r"(?P<currency>R\$|US\$|U\$S|U\$D|MX\$|COP\$|\$|€|£|EUR|USD|BRL|MXN|ARS|COP|GBP)"
_PLACEHOLDERS = {
    # An amount: an optional sign or code before, an optional ISO code after ("$1,250.00 MXN", "45,90 €"). A
    # leading minus or plus is read and ignored: the format's kind says which way the money went.
    "{money}": rf"(?P<sign>[-+−])?\s?(?:{_SIGN}\s?)?{_NUMBER}(?:\s?(?P<code>(?:{_CODES})\b|€|£))?",
    "{card}": r"(?:[*xX•.]+\s?)?(?P<card>\d{4,5})\b",
    "{merchant}": r"(?P<merchant>[^\n]{1,80}?)",
    "{mon}": r"(?P<month>[a-z]{3,10})\.?",
    "{dd}": r"(?P<day>\d{1,2})(?:st|nd|rd|th)?\b",
    "{yyyy}": r"(?P<year>\d{4})",
    "{time}": r"(?P<time>\d{1,2}[:h]\d{2}(?::\d{2})?(?:\s?[ap]\.?m\.?)?)",
    "{dmy}": r"(?P<day>\d{1,2})[/.-](?P<month>\d{1,2})(?:[/.-](?P<year>\d{4}|\d{2}))?\b",
    "{mdy}": r"(?P<month>\d{1,2})[/-](?P<day>\d{1,2})(?:[/-](?P<year>\d{4}|\d{2}))?\b",
    # The end of the notice's sentence: a line's or the text's end, or a stop before more text ("Data: ...");
    # a dot inside a word ("NETFLIX.COM") is none.
    "{end}": r"\s*(?:[.!;](?:\s|$)|\n|$)",
}


# An amount that carries its currency, for the generic reader: a sign or code before it, or a code after it.
_CURRENCY_AMOUNT = (
    rf"{_SIGN}\s?{_NUMBER}|{_NUMBER.replace('<amount>', '<after>')}\s?(?P<code>(?:{_CODES})\b|€|£)"
)
_MARKERS = frozenset("$€£")
# A merchant in capitals for the generic reader: words that each begin with a capital ("LOJAS AMERICANAS").
_CAPITALS = r"(?P<merchant>[A-Z][A-Z0-9*&'.-]{2,30}(?: [A-Z][A-Z0-9*&'.-]{0,30}){0,5})\b"


@dataclass(frozen=True, slots=True)
class _Format:
    """One compiled format of a country file."""

    source: str
    kind: str
    keywords: frozenset[str]
    regex: re.Pattern[str]
    country: str


@dataclass(frozen=True, slots=True)
class _Country:
    """A country file's settings: its currency, decimal mark, signs and month names."""

    code: str
    currency: str
    decimal: str
    signs: Mapping[str, str]
    months: Mapping[str, int]


@dataclass(frozen=True, slots=True)
class _Tables:
    formats: tuple[_Format, ...]
    countries: Mapping[str, _Country]
    keywords: frozenset[str]
    """Every format's keywords and the generic reader's: a message with none of them is no notice."""
    generic: _Generic


@dataclass(frozen=True, slots=True)
class _Generic:
    keywords: frozenset[str]
    codes: frozenset[str]
    income: frozenset[str]
    chat: frozenset[str]
    cues: frozenset[str]
    approvals: frozenset[str]
    money: re.Pattern[str]
    card: re.Pattern[str]
    merchant: re.Pattern[str]
    date: re.Pattern[str]


@cache
def _unaccent() -> dict[int, int]:
    """A one-character-for-one translation that drops accents ("ã" -> "a", "Ç" -> "C"): offsets stay valid, so
    groups read in the unaccented text are cut from the original one (merchants keep their accents)."""
    table: dict[int, int] = {}
    for code in range(0xC0, 0x250):
        base = unicodedata.normalize("NFD", chr(code))[0]
        if base.isascii() and base.isalpha() and base != chr(code):
            table[code] = ord(base)
    return table


def _compile(pattern: str, order: str) -> re.Pattern[str]:
    """A format's template as a regex: placeholders expanded, spaces matching any whitespace, any case."""
    source = pattern.replace("{date}", "{dmy}" if order == "dmy" else "{mdy}")
    pieces = re.split(r"(\{[a-z]+\})", source)
    out = []
    for piece in pieces:
        if piece in _PLACEHOLDERS:
            out.append(_PLACEHOLDERS[piece])
        elif piece.startswith("{") and piece.endswith("}") and piece[1:-1].isalpha():
            raise ValueError(f"unknown placeholder {piece} in notice pattern {pattern!r}")
        else:
            out.append(re.sub(r" +", r"\\s+", piece))
    return re.compile("".join(out), re.IGNORECASE)


def _month_map(names: list[str]) -> dict[str, int]:
    """months: a list of twelve entries, "jan" or "sep|set": each name (folded prefix) -> its month."""
    return {name: index for index, entry in enumerate(names, 1) for name in str(entry).split("|")}


@cache
def _tables() -> _Tables:
    """locales/notices/<cc>.yaml (in name order) and generic.yaml, compiled once per process."""
    formats: list[_Format] = []
    countries: dict[str, _Country] = {}
    for path in sorted((locales_dir() / "notices").glob("??.yaml")):
        data: dict[str, Any] = load(f"notices/{path.name}")
        code = data["country"]
        countries[code] = _Country(
            code=code,
            currency=data["currency"],
            decimal=data["decimal"],
            signs={str(k).upper(): v for k, v in data.get("signs", {}).items()},
            months=_month_map(data["months"]),
        )
        for entry in data["formats"]:
            formats.append(
                _Format(
                    source=f"{code}/{entry['bank']}/{entry['id']}",
                    kind=entry["kind"],
                    keywords=frozenset(entry["keywords"]),
                    regex=_compile(entry["pattern"], data.get("date_order", "dmy")),
                    country=code,
                )
            )
    raw = load("notices/generic.yaml")
    generic = _Generic(
        keywords=frozenset(raw["keywords"]),
        codes=frozenset(_CODES.lower().split("|")),
        income=frozenset(raw["income"]),
        chat=frozenset(raw["chat"]),
        cues=frozenset(raw["cues"]),
        approvals=frozenset(raw["approvals"]),
        money=re.compile(_CURRENCY_AMOUNT, re.IGNORECASE),
        card=re.compile(
            rf"(?:{'|'.join(raw['card_words'])})\s*:?\s*{_PLACEHOLDERS['{card}']}", re.IGNORECASE
        ),
        merchant=re.compile(rf"\b(?i:{'|'.join(raw['merchant_words'])})\s+{_CAPITALS}"),
        date=re.compile(_PLACEHOLDERS["{dmy}"]),
    )
    keywords = frozenset().union(*(f.keywords for f in formats), generic.keywords)
    return _Tables(tuple(formats), countries, keywords, generic)


def read_notice(text: str, now: datetime, country: str | None = None) -> Notice | None:
    """The notice `text` is, or None when it is no bank notice (an ordinary chat message). Never raises.
    `country` (the user's, "br"; optional) has its formats tried first, so a phrasing two countries share
    ("Recibiste $500 de ...") reads the user's peso, and lets the generic reader read "$" as its currency."""
    # The gate, cheap enough for every chat message: a notice is longer than a few words, has digits and says
    # one of the notice words (compra, pix, transaction, ...).
    if len(text) < MIN_LENGTH or len(text) > MAX_LENGTH or not _DIGIT.search(text):
        return None
    plain = text if text.isascii() else text.translate(_unaccent())
    words = set(_WORD.findall(plain.lower()))
    tables = _tables()
    if words.isdisjoint(tables.keywords):
        return None
    formats, by_keyword, signs = _preferring(country if country in tables.countries else None)
    # Only the formats one of whose keywords was said, in their order (the index beats a loop over all).
    tried = sorted({i for word in words.intersection(by_keyword) for i in by_keyword[word]})
    for fmt in (formats[i] for i in tried):
        match = fmt.regex.search(plain)
        if match is None:
            continue
        notice = _from_match(fmt, match, text, now, tables.countries[fmt.country], signs.get("$"))
        if notice is not None:
            return notice
    return _generic(text, plain, words, now, tables.generic, signs)


@cache
def _preferring(
    country: str | None,
) -> tuple[tuple[_Format, ...], Mapping[str, tuple[int, ...]], Mapping[str, str]]:
    """The formats with `country`'s first, the positions of the formats each keyword gates in that order, and
    the signs the generic reader knows (that country's "$" too)."""
    tables = _tables()
    formats, signs = tables.formats, _GENERIC_SIGNS
    if country is not None and country in tables.countries:
        own = tuple(f for f in formats if f.country == country)
        formats = own + tuple(f for f in formats if f.country != country)
        signs = {**tables.countries[country].signs, **_GENERIC_SIGNS}
    by_keyword: dict[str, list[int]] = {}
    for position, fmt in enumerate(formats):
        for keyword in fmt.keywords:
            by_keyword.setdefault(keyword, []).append(position)
    return formats, {k: tuple(v) for k, v in by_keyword.items()}, signs


def _from_match(
    fmt: _Format, match: re.Match[str], text: str, now: datetime, country: _Country, dollar: str | None
) -> Notice | None:
    groups = match.groupdict()
    amount = _amount(groups["amount"], country.decimal) if groups.get("amount") else None
    if amount is None or amount <= 0:
        return None
    currency = _currency(groups.get("code"), groups.get("currency"), country, dollar)
    if currency is None:
        return None
    merchant = None
    if groups.get("merchant"):
        start, end = match.span("merchant")
        merchant = _clean(text[start:end])
    day = None
    if groups.get("day"):
        month = groups.get("month") or ""
        number = int(month) if month.isdigit() else _month_of(month, country.months)
        day = _resolve(int(groups["day"]), number, groups.get("year"), now)
    return Notice(fmt.source, fmt.kind, amount, currency, merchant or None, groups.get("card"), day)


def _amount(run: str, decimal: str) -> Decimal | None:
    """An amount in the country's number format ("1.250,90" with a decimal comma); a run that does not fit it
    ("45.90" in Brazil) is read by parse_digits, which reads the usual notations of every language."""
    run = run.strip()
    thousands = "." if decimal == "," else ","
    head, mark, tail = run.rpartition(decimal)
    if not mark:
        head, tail = run, ""
    groups = re.split(rf"[{re.escape(thousands)}' ]", head)
    strict = len(tail) in (0, 1, 2) and (
        len(groups) == 1 or (1 <= len(groups[0]) <= 3 and all(len(g) == 3 for g in groups[1:]))
    )
    try:
        if strict and all(g.isdigit() for g in groups) and (not tail or tail.isdigit()):
            return Decimal("".join(groups) + ("." + tail if tail else ""))
        return parse_digits(run)
    except InvalidOperation:
        return None


def _currency(code: str | None, sign: str | None, country: _Country, dollar: str | None) -> str | None:
    """ISO 4217 from the code after the amount, else the sign before it, else the country's currency. A bare
    "$" is the user's dollar or peso (`dollar`) when known: Argentina and Mexico phrase some notices alike."""
    for marker in (code, sign):
        if marker:
            marker = marker.upper()
            if marker == "$" and dollar:
                return dollar
            if marker in country.signs:
                return country.signs[marker]
            if len(marker) == 3 and marker.isalpha():
                return marker
            return None
    return country.currency


def _month_of(name: str, months: Mapping[str, int]) -> int:
    name = name.lower().rstrip(".")
    for length in (len(name), 4, 3):
        if name[:length] in months:
            return months[name[:length]]
    return 0


def _resolve(day: int, month: int, year: str | None, now: datetime) -> date | None:
    """The stated day; a year left out is the latest such day not after `now`; None when no such day is."""
    today = now.date()
    if year:
        full = int(year) + (2000 if len(year) == 2 else 0)
        try:
            stated = date(full, month, day)
        except ValueError:
            return None
        return stated if stated <= today else None
    for back in range(9):  # 29 February is at most eight years back
        try:
            stated = date(today.year - back, month, day)
        except ValueError:
            if not 1 <= month <= 12 or not 1 <= day <= 31:
                return None
            continue
        if stated <= today:
            return stated
    return None


def _clean(merchant: str) -> str:
    return merchant.strip().strip(".,;:!-").strip()


def _generic(
    text: str, plain: str, words: set[str], now: datetime, generic: _Generic, signs: Mapping[str, str]
) -> Notice | None:
    """An unknown format: notice words, an amount with its currency, and the card's digits or a merchant in
    capitals said approved. Conservative: a message in the first person ("paguei", "my") or with a relative
    day ("ontem") is somebody talking, not a bank."""
    if words.isdisjoint(generic.keywords) or not words.isdisjoint(generic.chat):
        return None
    # No sign and no ISO code among the words: no amount with its currency (and no regex run).
    if _MARKERS.isdisjoint(plain) and words.isdisjoint(generic.codes):
        return None
    money = generic.money.search(plain)
    if money is None:
        return None
    card = generic.card.search(plain)
    merchant = generic.merchant.search(plain)
    if card is None and (merchant is None or words.isdisjoint(generic.approvals)):
        return None
    if words.isdisjoint(generic.cues):
        return None
    run = money.group("amount") or money.group("after")
    sign, code = money.group("currency"), money.group("code")
    amount = parse_digits(run)
    if amount is None or amount <= 0:
        return None
    marker = (code or sign or "").upper()
    currency = signs.get(marker, marker if len(marker) == 3 and marker.isalpha() else None)
    if currency is None:
        return None
    kind = "expense" if words.isdisjoint(generic.income) else "income"
    day = None
    stated = generic.date.search(plain, money.end()) or generic.date.search(plain)
    if stated is not None and not _is_no_date(stated):
        first, second = int(stated.group("day")), int(stated.group("month"))
        if currency == "USD" and second > 12 >= first:
            first, second = second, first  # a US date, month first: the only reading there is
        # Day first is the rule everywhere but in US dollars, where "12/06" may be either: said no day.
        if currency != "USD" or first > 12 or first == second:
            day = _resolve(first, second, stated.group("year"), now)
    name = None
    if merchant is not None:
        start, end = merchant.span("merchant")
        name = _clean(text[start:end]) or None
    return Notice("generic", kind, amount, currency, name, card.group("card") if card else None, day)


# "$" alone says no country to the generic reader: its dollar is read as US dollars only with a code.
_GENERIC_SIGNS = {"R$": "BRL", "US$": "USD", "U$S": "USD", "U$D": "USD", "MX$": "MXN", "COP$": "COP",
                  "€": "EUR", "£": "GBP"}  # fmt: skip


def _is_no_date(stated: re.Match[str]) -> bool:
    """A d.m run may be an amount ("12.50"): the generic reader takes a day only with a slash or a dash, or
    dots with a year ("05.12.2026")."""
    run = stated.group(0)
    return "/" not in run and "-" not in run and stated.group("year") is None
