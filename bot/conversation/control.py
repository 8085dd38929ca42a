"""Control words: STOP/START/HELP, cancel, thanks and goodbyes, language requests, "which one?" answers."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from functools import cache
from types import MappingProxyType
from typing import TypeVar

from nlu.data import load_lang
from nlu.types import LANGUAGES

_V = TypeVar("_V")

CONTROL_KINDS: tuple[str, ...] = ("cancel", "stop", "start", "help", "thanks")
"""The word lists of locales/<lang>/conversation.yaml matched against a whole message."""
MAX_LANGUAGE_REQUEST_WORDS = 8
"""Longer messages are sentences about something else, even when every word is a switch word."""


@dataclass(frozen=True, slots=True)
class Vocabulary:
    """The conversation words of every language, merged: a control word works whatever the user's language."""

    control: Mapping[str, frozenset[str]]
    """cancel, stop, start, help, thanks -> folded whole-message forms from all languages."""
    language_names: Mapping[str, str]
    """Folded language name, as written in any language ("ingles", "espanhol") -> the language it asks for."""
    switch_words: frozenset[str]
    """Folded words and phrases that may go with a language name in a request ("speak", "em", "por favor")."""
    intent_labels: Mapping[str, Mapping[str, str]]
    """Language -> intent -> the label a clarifying question shows."""
    all_spending: Mapping[str, str]
    """Language -> shown name of a budget over all spending."""
    intent_answers: Mapping[str, frozenset[str]]
    """Intent -> folded words picking it in answer to "did you mean X or Y?" ("gasto", "income")."""


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
        intent_answers=MappingProxyType(
            {
                intent: frozenset(
                    w for data in files.values() for w in data["intent_answers"].get(intent, ())
                )
                for intent in {i for data in files.values() for i in data["intent_answers"]}
            }
        ),
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


def is_thanks(text: str) -> bool:
    """Thanks and goodbyes ("thanks!!", "valeu", "gracias, chau"): never a cancel, never a question."""
    return is_control("thanks", text)


def chosen_intent(text: str, options: tuple[str, ...]) -> str | None:
    """Which of `options` (intents offered by "did you mean X or Y?") the answer picks: its number ("1", "2")
    or one of that intent's answer words; None when it picks none or both."""
    folded = fold(text)
    if folded.isdigit() and 1 <= int(folded) <= len(options):
        return options[int(folded) - 1]
    words = set(folded.split())
    answers = vocabulary().intent_answers
    picked = {o for o in options if folded in answers.get(o, ()) or words & answers.get(o, frozenset())}
    return picked.pop() if len(picked) == 1 else None


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
