"""The sentences about forwarded notices (locales/<lang>/cards.yaml), matched whole before the classifier."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from bot.conversation.control import fold
from nlu.data import load_lang
from nlu.types import LANGUAGES

PHRASE_KINDS = ("always", "always_answer", "stop_always")
_PLACEHOLDERS = {"{digits}": r"(?P<digits>\d{4,5})", "{account}": r"(?P<account>[\w ]+?)"}
"""Last digits as notices give them (nlu/notices.py reads 4 or 5); an account name, the shortest that fits."""


@dataclass(frozen=True, slots=True)
class CardLink:
    """ "final 1234 is my nubank": the digits, the account phrase, and whether a card word was said."""

    digits: str
    account: str
    bare: bool
    """No card word ("1234 is my nubank"): only an account the user has makes it a link."""


@dataclass(frozen=True, slots=True)
class _Words:
    links: tuple[tuple[re.Pattern[str], bool], ...]
    phrases: dict[str, frozenset[str]]


def _compile(pattern: str) -> re.Pattern[str]:
    for placeholder, regex in _PLACEHOLDERS.items():
        pattern = pattern.replace(placeholder, regex)
    return re.compile(pattern)


@cache
def _words() -> _Words:
    # Every language's sentences work for every user, as control words do.
    files = [load_lang(lang, "cards") for lang in LANGUAGES]
    links = [(_compile(p), False) for data in files for p in data["card_link"]]
    links += [(_compile(p), True) for data in files for p in data["card_link_bare"]]
    phrases = {kind: frozenset(fold(p) for data in files for p in data[kind]) for kind in PHRASE_KINDS}
    return _Words(tuple(links), phrases)


def card_link(text: str) -> CardLink | None:
    """The card and account a "final 1234 is my nubank" message names, or None for any other message."""
    folded = fold(text)
    for pattern, bare in _words().links:
        found = pattern.fullmatch(folded)
        if found is not None and found["account"].strip():
            return CardLink(found["digits"], found["account"].strip(), bare)
    return None


def says(kind: str, text: str) -> bool:
    """Whether the whole message is one of the `kind` phrases (always, always_answer, stop_always)."""
    return fold(text) in _words().phrases[kind]
