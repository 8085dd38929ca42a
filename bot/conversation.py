"""Pending conversation flows (a follow-up question, a confirmation) and the words that steer them."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterator, Mapping
from dataclasses import asdict, dataclass, field
from functools import cache
from types import MappingProxyType
from typing import Any, TypeVar

from nlu.data import load_lang
from nlu.types import LANGUAGES

_V = TypeVar("_V")

CONTROL_KINDS: tuple[str, ...] = ("cancel", "stop", "start", "help")
"""The word lists of locales/<lang>/conversation.yaml matched against a whole message."""
MAX_LANGUAGE_REQUEST_WORDS = 8
"""Longer messages are sentences about something else, even when every word is a switch word."""


@dataclass(frozen=True, slots=True)
class Vocabulary:
    """The conversation words of every language, merged: a control word works whatever the user's language."""

    control: Mapping[str, frozenset[str]]
    """cancel, stop, start, help -> folded whole-message forms from all languages."""
    language_names: Mapping[str, str]
    """Folded language name, as written in any language ("ingles", "espanhol") -> the language it asks for."""
    switch_words: frozenset[str]
    """Folded words and phrases that may go with a language name in a request ("speak", "em", "por favor")."""
    intent_labels: Mapping[str, Mapping[str, str]]
    """Language -> intent -> the label a clarifying question shows."""
    all_spending: Mapping[str, str]
    """Language -> shown name of a budget over all spending."""


@cache
def vocabulary() -> Vocabulary:
    """Reads locales/<lang>/conversation.yaml of every language once."""
    files = {lang: load_lang(lang, "conversation") for lang in LANGUAGES}
    control = {kind: frozenset(w for data in files.values() for w in data[kind]) for kind in CONTROL_KINDS}
    names = {
        name: wanted
        for data in files.values()
        for wanted, written in data["language_names"].items()
        for name in written
    }
    return Vocabulary(
        control=MappingProxyType(control),
        language_names=MappingProxyType(names),
        switch_words=frozenset(w for data in files.values() for w in data["switch_words"]),
        intent_labels=MappingProxyType(
            {lang: MappingProxyType(dict(data["intent_labels"])) for lang, data in files.items()}
        ),
        all_spending=MappingProxyType({lang: str(data["all_spending"]) for lang, data in files.items()}),
    )


@cache
def _request_pattern() -> re.Pattern[str]:
    # Longest phrase first, so "por favor" is taken whole before any one-word entry could match part of it.
    vocab = vocabulary()
    phrases = sorted({*vocab.language_names, *vocab.switch_words}, key=lambda p: (-len(p), p))
    return re.compile(r"\b(?:" + "|".join(re.escape(p) for p in phrases) + r")\b")


class _Loaded(Mapping[str, _V]):
    """A read-only mapping that reads its data on first use, so importing this module reads no files."""

    def __init__(self, load: Callable[[], Mapping[str, _V]]) -> None:
        self._load = load

    def __getitem__(self, key: str) -> _V:
        return self._load()[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._load())

    def __len__(self) -> int:
        return len(self._load())

    def __repr__(self) -> str:
        return repr(dict(self._load()))


INTENT_LABELS: Mapping[str, Mapping[str, str]] = _Loaded(lambda: vocabulary().intent_labels)
"""Language -> intent -> what a clarifying question offers ("record an expense")."""
ALL_SPENDING: Mapping[str, str] = _Loaded(lambda: vocabulary().all_spending)
"""Shown name of a budget over all spending (category None)."""


def fold(text: str) -> str:
    """Lower case, accents removed, punctuation dropped, spaces collapsed: "¡Cancelar!" -> "cancelar"."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(re.sub(r"[^\w\s]", " ", plain).split())


# Control words are exact whole-message matches after folding: they are commands, not sentences, and must work
# whatever the classifier thinks. The NLU handles the open-ended phrasings.
def is_control(kind: str, text: str) -> bool:
    """Whether the whole message is one of the `kind` words (cancel, stop, start, help) of any language."""
    return fold(text) in vocabulary().control[kind]


def is_cancel(text: str) -> bool:
    """Leave the pending flow: "cancelar", "never mind"."""
    return is_control("cancel", text)


def is_stop(text: str) -> bool:
    """Opt out of the channel: "STOP", "PARAR", "SAIR"."""
    return is_control("stop", text)


def is_start(text: str) -> bool:
    """Opt back in to the channel: "START", "ALTA", "VOLTAR"."""
    return is_control("start", text)


def is_help(text: str) -> bool:
    """Ask for help, even in the middle of a flow: "HELP", "AYUDA", "AJUDA"."""
    return is_control("help", text)


def language_request(text: str) -> str | None:
    """The language a message asks to be answered in ("speak english", "fala português"), else None.

    The message must be short and made only of one language's names and switch words, so a sentence that
    mentions a language ("spent 20 in english class") is not a request.
    """
    folded = fold(text)
    if not folded or len(folded.split()) > MAX_LANGUAGE_REQUEST_WORDS:
        return None
    pattern = _request_pattern()
    if pattern.sub(" ", folded).strip():
        return None
    names = vocabulary().language_names
    wanted = {names[m] for m in pattern.findall(folded) if m in names}
    return wanted.pop() if len(wanted) == 1 else None


@dataclass(slots=True)
class Pending:
    """A flow waiting for the user's next message."""

    kind: str
    """"follow_up" (a missing part was asked for) or "confirm" (a yes/no before a destructive action)."""
    intent: str
    """The intent the flow completes: add_expense, add_income, set_budget, undo, edit_last."""
    data: dict[str, Any] = field(default_factory=dict)
    """What is known so far, JSON-ready: merchant, category, date, currency, transaction_id, amount..."""

    def to_state(self) -> dict[str, Any]:
        return {"pending": asdict(self)}

    @classmethod
    def from_state(cls, state: dict[str, Any] | None) -> Pending | None:
        raw = (state or {}).get("pending")
        if not isinstance(raw, dict) or raw.get("kind") not in ("follow_up", "confirm"):
            return None
        data = raw.get("data")
        return cls(
            kind=str(raw["kind"]),
            intent=str(raw.get("intent", "")),
            data=data if isinstance(data, dict) else {},
        )
