"""Finding a goal or a recurring payment by the name a user typed, and picking one from a numbered list."""

from __future__ import annotations

from collections.abc import Sequence
from difflib import SequenceMatcher
from typing import TypeVar

from bot.conversation.control import fold

T = TypeVar("T")

TYPO_RATIO = 0.75
"""How alike a typed name and a stored one must be to count as the same ("viajem" ~ "viagem")."""
MIN_PART = 3
"""A typed name shorter than this is matched whole, never as a part of a longer name."""
ARTICLES = frozenset({"the", "my", "a", "o", "os", "as", "el", "la", "los", "las", "meu", "minha", "mi"})


def _words(text: str) -> list[str]:
    return [w for w in fold(text).split() if w not in ARTICLES]


def matches(typed: str | None, named: Sequence[tuple[str, T]]) -> list[T]:
    """The items whose name is `typed`, tolerant of case, accents, articles and one or two typos: the exact
    names when any, else every name containing it or close to it (several: the caller asks which)."""
    words = _words(typed or "")
    if not words:
        return []
    wanted = " ".join(words)
    exact = [item for name, item in named if " ".join(_words(name)) == wanted]
    if exact:
        return exact
    found = []
    for name, item in named:
        have = " ".join(_words(name))
        if not have:
            continue
        parts = have.split()
        contained = len(wanted) >= MIN_PART and (
            wanted in parts or set(words) <= set(parts) or have in wanted
        )
        close = SequenceMatcher(None, wanted, have).ratio() >= TYPO_RATIO or any(
            SequenceMatcher(None, w, p).ratio() >= TYPO_RATIO
            for w in words
            for p in parts
            if len(w) >= MIN_PART
        )
        if contained or close:
            found.append(item)
    return found


def chosen_number(text: str, count: int) -> int | None:
    """The 0-based index a reply like "2", "#2" or "the 2nd" picks among `count` options; None otherwise."""
    digits = "".join(ch for ch in fold(text) if ch.isdigit())
    words = fold(text).split()
    if not digits or len(words) > 3:
        return None
    number = int(digits)
    return number - 1 if 1 <= number <= count else None
