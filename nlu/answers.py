"""Short answers to the conversation's date question: a weekday named alone ("tuesday", "na terça")."""

from __future__ import annotations

import re

from nlu.date_grammar import grammar
from nlu.normalize import fold
from nlu.types import LANGUAGES

_WORDS = re.compile(r"[a-z0-9]+")
_MAX_LEAD = 2
"""Short words before the weekday that change nothing ("on", "el", "na"); longer ones do ("last")."""


def weekday_alone(text: str, lang: str) -> int | None:
    """The ISO weekday (1 = Monday) when `text` is a weekday and nothing else but short leading words ("on
    tuesday", "el martes", "na sexta-feira"), else None. "last tuesday" or "yesterday" say more than a
    weekday: None."""
    words = _WORDS.findall(fold(text))
    lead = 0
    while lead < min(_MAX_LEAD, len(words) - 1) and len(words[lead]) <= 3:
        lead += 1
    names = grammar(lang if lang in LANGUAGES else "en").words["weekday"]
    for start in range(lead + 1):
        found = names.get(" ".join(words[start:]))
        if found is not None and all(len(w) <= 3 for w in words[:start]):
            return found
    return None
