"""Whole sentences matched before the classifier (quiet hours, budget alerts): every language's patterns of
locales/<lang>/<name>.yaml, their {placeholders} made regex groups, tried against the folded message."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

from bot.conversation.control import fold
from nlu.data import load_lang
from nlu.types import LANGUAGES

Patterns = tuple[tuple[str, re.Pattern[str]], ...]


def words(name: str, key: str) -> frozenset[str]:
    """A word list of every language's file, folded."""
    return frozenset(fold(str(w)) for lang in LANGUAGES for w in load_lang(lang, name)[key])


def compile_all(name: str, kinds: Iterable[str], placeholders: Mapping[str, str]) -> Patterns:
    """(kind, pattern) for every pattern of every language: a sentence of any of them works for everybody,
    as control words do. `placeholders`: "{time}" -> the regex it stands for."""
    found = []
    for lang in LANGUAGES:
        data = load_lang(lang, name)
        for kind in kinds:
            for pattern in data[kind]:
                for placeholder, regex in placeholders.items():
                    pattern = pattern.replace(placeholder, regex)
                found.append((kind, re.compile(pattern)))
    return tuple(found)


def match(patterns: Patterns, text: str) -> tuple[str, re.Match[str]] | None:
    """The first (kind, match) whose pattern the whole folded message is."""
    folded = fold(text)
    for kind, pattern in patterns:
        found = pattern.fullmatch(folded)
        if found is not None:
            return kind, found
    return None
