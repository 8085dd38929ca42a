"""Renders reply keys from locales/<lang>/replies.yaml with Babel formatting for an explicit locale."""

from __future__ import annotations

import re
from datetime import date, datetime
from decimal import Decimal
from functools import cache
from string import Formatter
from typing import Any

from babel import Locale
from babel.dates import format_date
from babel.numbers import format_currency, format_decimal, format_percent

from bot.sms import is_gsm7, segments, to_gsm7
from domain.money import Money
from nlu.data import load_lang
from nlu.types import LANGUAGES

WHATSAPP_LIMIT = 1600
SMS_MAX_SEGMENTS = 2
# Babel puts (narrow) no-break spaces in "R$ 1.234,56" and "80 %"; chat apps show plain spaces more reliably.
_NBSP = re.compile("[\u00a0\u202f]")


def placeholders(text: str) -> set[str]:
    """The {names} a reply text uses."""
    return {field for _, field, _, _ in Formatter().parse(text) if field}


def _spaces(text: str) -> str:
    return _NBSP.sub(" ", text)


class Replies:
    """All languages' reply texts, loaded once; render() fills a key for one language and locale."""

    def __init__(self, languages: tuple[str, ...] = LANGUAGES) -> None:
        self._data: dict[str, dict[str, Any]] = {lang: load_lang(lang, "replies") for lang in languages}

    def keys(self, lang: str) -> set[str]:
        """Every reply key of a language."""
        return set(self._language(lang)["replies"])

    def text(self, key: str, lang: str) -> str | dict[str, str]:
        """The raw text of a key (a mapping of plural forms for plural keys)."""
        texts = self._language(lang)["replies"]
        if key not in texts:
            raise KeyError(f"reply key {key!r} missing for language {lang!r}")
        value: str | dict[str, str] = texts[key]
        return value

    def render(self, key: str, lang: str, locale: str, **values: Any) -> str:
        """The key's text in `lang`, values formatted for `locale` ("pt_BR"); plural keys take count."""
        raw = self.text(key, lang)
        if isinstance(raw, dict):
            if "count" not in values:
                raise KeyError(f"reply key {key!r} ({lang}) is plural and needs count")
            form = _locale(locale).plural_form(abs(values["count"]))
            raw = raw.get(form, raw["other"])
        missing = placeholders(raw) - set(values)
        if missing:
            raise KeyError(f"reply key {key!r} ({lang}) needs {sorted(missing)}")
        formatted = {name: self.format_value(name, value, lang, locale) for name, value in values.items()}
        for name, shown in formatted.items():
            if shown.endswith("."):
                # An abbreviation ending a sentence ("20 nov.") gives way to its full stop or question mark.
                for mark in ".?!":
                    if f"{{{name}}}{mark}" in raw:
                        formatted[name] = shown[:-1]
        return raw.format(**formatted)

    def category(self, category: str, lang: str) -> str:
        """The shown name of a canonical category ("groceries" -> "mercado" in pt)."""
        return str(self.text(f"category_{category}", lang))

    def format_value(self, name: str, value: Any, lang: str, locale: str) -> str:
        """One value as shown in chat: Money, dates, numbers and percentages through Babel for `locale`."""
        if isinstance(value, Money):
            return self.money(value, lang, locale)
        if isinstance(value, datetime):
            value = value.date()
        if isinstance(value, date):
            return _spaces(format_date(value, format=self._language(lang)["date_format"], locale=locale))
        if isinstance(value, bool):
            return str(value)
        if name == "percent" and isinstance(value, Decimal | int | float):
            # A fraction: Decimal("0.8") -> "80%".
            return _spaces(format_percent(value, locale=locale))
        if isinstance(value, Decimal | int):
            return _spaces(format_decimal(value, locale=locale))
        return str(value)

    def money(self, money: Money, lang: str, locale: str) -> str:
        """Money as shown in chat: R$ 1.234,56 (pt_BR), 1234,56 € (pt_PT), $1,234.56 (en_US)."""
        minimum = self._language(lang)["minimum_grouping_digits"].get(str(_locale(locale)), 1)
        # Grouping starts at minimum + 3 integer digits (CLDR minimumGroupingDigits).
        grouped = len(str(abs(int(money.amount)))) >= minimum + 3
        text = format_currency(money.amount, money.currency, locale=locale, group_separator=grouped)
        return _spaces(text)

    def _language(self, lang: str) -> dict[str, Any]:
        if lang not in self._data:
            raise KeyError(f"no replies loaded for language {lang!r}")
        return self._data[lang]


@cache
def _locale(locale: str) -> Locale:
    return Locale.parse(locale)


@cache
def replies() -> Replies:
    """The process-wide Replies (the YAML is read once)."""
    return Replies()


def fit(text: str, channel: str) -> str:
    """Text that fits the channel: SMS in GSM-7 within two segments, anything else under WhatsApp's 1,600."""
    if channel == "sms":
        return _fit_sms(text)
    return _fit_whatsapp(text)


def _fit_whatsapp(text: str) -> str:
    if len(text) < WHATSAPP_LIMIT:
        return text
    budget = WHATSAPP_LIMIT - 2  # room for "\n…" and strictly under the limit
    kept: list[str] = []
    used = 0
    for line in text.split("\n"):
        cost = len(line) + (1 if kept else 0)
        if used + cost > budget:
            break
        kept.append(line)
        used += cost
    if not kept:
        # One giant first line: fall back to a word boundary.
        cut = text[:budget].rsplit(" ", 1)[0] if " " in text[:budget] else text[:budget]
        return cut.rstrip() + "…"
    return "\n".join(kept).rstrip() + "\n…"


def _fit_sms(text: str) -> str:
    if not is_gsm7(text):
        text = to_gsm7(text)
    if segments(text) <= SMS_MAX_SEGMENTS:
        return text
    # Longest prefix ending at a word boundary that, with "...", still fits.
    best = ""
    for match in re.finditer(r"\s+", text):
        candidate = text[: match.start()].rstrip() + "..."
        if segments(candidate) > SMS_MAX_SEGMENTS:
            break
        best = candidate
    if not best:
        best = text[: SMS_MAX_SEGMENTS * 153 - 3] + "..."
        while segments(best) > SMS_MAX_SEGMENTS:
            best = best[:-4] + "..."
    return best
