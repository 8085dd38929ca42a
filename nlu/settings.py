"""Settings named in a message: which one (currency, time zone, week start, language) and its new value."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from zoneinfo import available_timezones

from nlu import data
from nlu.money import currency_words, family, upper_codes
from nlu.normalize import Normalized, fold
from nlu.types import LANGUAGES

SETTINGS: tuple[str, ...] = ("week_start", "timezone", "currency", "language")
"""What a user changes by chat, in the order their words are looked for (the most specific first)."""
ASKED_FAMILIES = frozenset({"@peso"})
"""Currency words shared by several currencies in wide use ("pesos"): a setting asks which one, never picks
the family's default. "dollars" and "pounds" mean USD and GBP unless the user's currency is another member."""
ASKED_MEMBERS: dict[str, tuple[str, ...]] = {"@peso": ("ARS", "CLP", "COP", "MXN", "UYU", "DOP")}
"""The choices offered for an asked family: the members people in fact use as their main currency."""
_ZONE = re.compile(r"\b[a-z]+(?:/[a-z_\-]+)+\b")


@dataclass(frozen=True, slots=True)
class SettingChange:
    """A setting and its new value as named in a message."""

    setting: str | None
    """currency, timezone, week_start or language; None when the message names none."""
    value: str | None
    """ISO 4217 code, IANA zone, "monday".."sunday", or "en"/"es"/"pt"; None when unknown or ambiguous."""
    choices: tuple[str, ...] = ()
    """The values an ambiguous name could mean ("san jose" -> two zones), for the assistant to ask."""


@dataclass(frozen=True, slots=True)
class _Words:
    settings: dict[str, tuple[str, ...]]
    weekdays: dict[str, str]
    languages: dict[str, str]


@cache
def _words(lang: str) -> _Words:
    raw = data.load_lang(lang, "settings")
    settings = {name: tuple(fold(str(p)) for p in raw["setting_words"].get(name) or ()) for name in SETTINGS}
    weekdays = {fold(str(k)): str(v) for k, v in raw["weekdays"].items()}
    languages = {
        fold(str(name)): code
        for other in LANGUAGES
        for code, names in data.load_lang(other, "conversation")["language_names"].items()
        for name in names
    }
    return _Words(settings, weekdays, languages)


@cache
def _cities() -> dict[str, tuple[str, ...]]:
    raw = data.load("cities.yaml")["cities"]
    return {fold(str(k)): (v,) if isinstance(v, str) else tuple(v) for k, v in raw.items()}


@cache
def _zones() -> dict[str, str]:
    return {zone.lower(): zone for zone in available_timezones()}


@cache
def _pattern(words: tuple[str, ...]) -> re.Pattern[str]:
    ordered = sorted(set(words), key=lambda w: (-len(w), w))
    return re.compile(r"(?<![\w/])(?:" + "|".join(re.escape(w) for w in ordered) + r")(?![\w/])")


def _find(text: str, table: Mapping[str, object]) -> list[tuple[int, int, str]]:
    if not table:
        return []
    return [(m.start(), m.end(), m.group()) for m in _pattern(tuple(table)).finditer(text)]


def named_currencies(
    norm: Normalized, lang: str, exclude: Sequence[tuple[int, int]] = ()
) -> list[tuple[str, int, int]]:
    """Currencies named by a word or code outside `exclude` (the amounts): [(marker, start, end)] in order."""
    lang = lang if lang in LANGUAGES else "en"
    words = currency_words(lang)
    found = []
    for start, end, word in _find(norm.text, words):
        if not any(s < end and start < e for s, e in exclude):
            found.append((words[word], start, end))
    for code in re.finditer(r"\b[A-Z]{3}\b", norm.original):
        marker = upper_codes().get(code.group().lower())
        if marker:
            found.append((marker, code.start(), code.end()))
    return sorted(found, key=lambda item: item[1])


def resolve_for_setting(marker: str, current: str | None) -> tuple[str | None, tuple[str, ...]]:
    """(code, choices) of a currency named as the new setting: a family resolves to the user's currency when
    it is a member, else to its default, except an asked family ("pesos"), whose members are offered."""
    if not marker.startswith("@"):
        return marker, ()
    default, members = family(marker)
    if current in members:
        return current, ()
    if marker in ASKED_FAMILIES:
        return None, ASKED_MEMBERS.get(marker, tuple(sorted(members)))
    return default, ()


def resolve_currency_word(marker: str, current: str | None) -> str:
    """A named currency as an ISO code, the way amounts read it: a family takes the user's currency when it is
    a member, else its default ("en pesos" for an Argentine is ARS)."""
    if not marker.startswith("@"):
        return marker
    default, members = family(marker)
    return current if current in members else default


def find_setting(
    norm: Normalized, lang: str, current_currency: str | None, exclude: Sequence[tuple[int, int]] = ()
) -> SettingChange:
    """The setting a message changes and its new value ("mude meu fuso pra Lisboa" -> timezone,
    Europe/Lisbon). Nothing is guessed: an unknown city gives value None, an ambiguous one its choices."""
    lang = lang if lang in LANGUAGES else "en"
    words, text = _words(lang), norm.text
    named = [name for name in SETTINGS if _find(text, dict.fromkeys(words.settings[name]))]
    setting = named[0] if named else None
    if setting is None:
        # No setting word: the value tells ("usa reales", "lisboa time"), when it tells one thing.
        kinds = [
            kind
            for kind, hits in (
                ("timezone", _find(text, _cities()) or _zones_in(text)),
                ("currency", named_currencies(norm, lang, exclude)),
                ("language", _find(text, words.languages)),
            )
            if hits
        ]
        setting = kinds[0] if len(kinds) == 1 else None
    if setting is None:
        return SettingChange(None, None)
    return value_of(setting, norm, lang, current_currency, exclude)


def value_of(
    setting: str,
    norm: Normalized,
    lang: str,
    current_currency: str | None,
    exclude: Sequence[tuple[int, int]] = (),
) -> SettingChange:
    """The new value of a known `setting` named in the text (an answer to "which city?": "Lisboa")."""
    lang = lang if lang in LANGUAGES else "en"
    words, text = _words(lang), norm.text
    if setting == "week_start":
        days = [words.weekdays[w] for _, _, w in _find(text, words.weekdays)]
        return SettingChange(setting, days[-1] if days else None)
    if setting == "timezone":
        zones = _zones_in(text)
        if zones:
            return SettingChange(setting, zones[-1])
        cities = _find(text, _cities())
        if not cities:
            return SettingChange(setting, None)
        options = _cities()[cities[-1][2]]
        if len(options) == 1:
            return SettingChange(setting, options[0])
        return SettingChange(setting, None, options)
    if setting == "currency":
        currencies = named_currencies(norm, lang, exclude)
        if not currencies:
            return SettingChange(setting, None)
        code, choices = resolve_for_setting(currencies[-1][0], current_currency)
        return SettingChange(setting, code, choices)
    found = [words.languages[w] for _, _, w in _find(text, words.languages)]
    return SettingChange(setting, found[-1] if found else None)


def _zones_in(text: str) -> list[str]:
    return [_zones()[m.group()] for m in _ZONE.finditer(text) if m.group() in _zones()]


__all__ = [
    "SETTINGS",
    "SettingChange",
    "find_setting",
    "named_currencies",
    "resolve_currency_word",
    "value_of",
]
