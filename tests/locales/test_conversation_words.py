"""Mirrors locales/<lang>/conversation.yaml: its schema, and a behaviour case for every word it lists."""

from __future__ import annotations

from itertools import combinations
from typing import Any

import pytest

from bot.conversation.control import (
    ALL_SPENDING,
    CONTROL_KINDS,
    INTENT_LABELS,
    fold,
    is_cancel,
    is_help,
    is_start,
    is_stop,
    language_request,
)
from nlu.data import load_lang
from nlu.types import INTENTS, LANGUAGES

# Intents a clarifying question may offer (bot/agent.py reads INTENT_LABELS for both readings); greetings,
# yes/no answers and "unknown" are not something one asks a person to choose.
NOT_OFFERED = {"greeting", "affirm", "deny", "unknown"}
CHECKS = {"cancel": is_cancel, "stop": is_stop, "start": is_start, "help": is_help}


def _data(lang: str) -> dict[str, Any]:
    data: dict[str, Any] = load_lang(lang, "conversation")
    return data


def _words(kind: str) -> list[tuple[str, str]]:
    return [(lang, word) for lang in LANGUAGES for word in _data(lang)[kind]]


def _names() -> list[tuple[str, str, str]]:
    return [
        (lang, wanted, name)
        for lang in LANGUAGES
        for wanted, names in _data(lang)["language_names"].items()
        for name in names
    ]


# --- schema ---


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_language_has_the_same_keys(lang: str) -> None:
    data = _data(lang)
    assert data["language"] == lang
    assert set(data) == set(_data("en"))
    assert set(data["language_names"]) == set(LANGUAGES), f"{lang}: a name for each language"
    for kind in (*CONTROL_KINDS, "switch_words"):
        words = data[kind]
        assert words and all(isinstance(w, str) and w for w in words), f"{lang}/{kind}"
        assert len(set(words)) == len(words), f"{lang}/{kind} has duplicates"


@pytest.mark.parametrize("lang", LANGUAGES)
def test_matching_words_are_folded(lang: str) -> None:
    data = _data(lang)
    written = [w for kind in (*CONTROL_KINDS, "switch_words") for w in data[kind]]
    written += [name for names in data["language_names"].values() for name in names]
    unfolded = [w for w in written if fold(w) != w]
    assert not unfolded, f"{lang}/conversation.yaml words not folded: {unfolded}"


def test_no_word_is_in_two_control_lists() -> None:
    lists = {kind: {word for _, word in _words(kind)} for kind in CONTROL_KINDS}
    for first, second in combinations(CONTROL_KINDS, 2):
        assert not lists[first] & lists[second], f"{first} and {second} share {lists[first] & lists[second]}"


def test_a_language_name_asks_for_one_language_and_is_not_a_switch_word() -> None:
    asked: dict[str, set[str]] = {}
    for _, wanted, name in _names():
        asked.setdefault(name, set()).add(wanted)
    assert {name: langs for name, langs in asked.items() if len(langs) > 1} == {}
    switch = {word for _, word in _words("switch_words")}
    assert not set(asked) & switch


@pytest.mark.parametrize("lang", LANGUAGES)
def test_intent_labels_cover_the_intents_a_question_may_offer(lang: str) -> None:
    labels = _data(lang)["intent_labels"]
    assert set(labels) == set(INTENTS) - NOT_OFFERED
    assert all(isinstance(label, str) and label.strip() for label in labels.values())
    assert INTENT_LABELS[lang] == labels


@pytest.mark.parametrize("lang", LANGUAGES)
def test_all_spending_is_a_shown_name(lang: str) -> None:
    assert isinstance(_data(lang)["all_spending"], str)
    assert ALL_SPENDING[lang] == _data(lang)["all_spending"]


# --- behaviour ---


@pytest.mark.parametrize(
    ("kind", "lang", "word"), [(k, lang, w) for k in CONTROL_KINDS for lang, w in _words(k)]
)
def test_control_word_in_any_case_is_only_its_kind(kind: str, lang: str, word: str) -> None:
    for typed in (word, word.upper(), f"{word.capitalize()}!"):
        results = {other: check(typed) for other, check in CHECKS.items()}
        assert results == {other: other == kind for other in CHECKS}, f"{lang}/{kind}: {typed!r}"


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("STOP", "stop"),
        ("STOPALL", "stop"),
        ("Unsubscribe", "stop"),
        ("PARAR", "stop"),
        ("BAJA", "stop"),
        ("SAIR", "stop"),
        ("cancelar inscrição", "stop"),
        ("cancelar suscripción", "stop"),
        ("START", "start"),
        ("UNSTOP", "start"),
        ("ALTA", "start"),
        ("VOLTAR", "start"),
        ("ativar", "start"),
        ("HELP", "help"),
        ("¡Ayuda!", "help"),
        ("AJUDA", "help"),
        ("cancel", "cancel"),
        ("Cancelar", "cancel"),
        ("never mind", "cancel"),
    ],
)
def test_carrier_and_local_forms(text: str, kind: str) -> None:
    assert {other: check(text) for other, check in CHECKS.items()} == {
        other: other == kind for other in CHECKS
    }


@pytest.mark.parametrize(
    "text",
    [
        "yes",
        "sim",
        "sí",
        "stop spending on uber",
        "please stop",
        "help me with my budget",
        "gastei 20 para ir",
    ],
)
def test_sentences_and_answers_are_not_control_words(text: str) -> None:
    assert not any(check(text) for check in CHECKS.values())


@pytest.mark.parametrize(("lang", "wanted", "name"), _names())
def test_language_name_alone_or_with_a_switch_word(lang: str, wanted: str, name: str) -> None:
    assert language_request(name) == wanted
    assert language_request(name.upper()) == wanted
    for word in _data(lang)["switch_words"]:
        assert language_request(f"{word} {name}") == wanted, f"{lang}: {word} {name}"


@pytest.mark.parametrize(
    ("text", "wanted"),
    [
        ("speak english", "en"),
        ("Speak English please", "en"),
        ("can you reply in spanish?", "es"),
        ("fala português", "pt"),
        ("fala em inglês, por favor", "en"),
        ("em espanhol", "es"),
        ("en español por favor", "es"),
        ("habla ingles", "en"),
        ("¿Hablas portugués?", "pt"),
        ("español", "es"),
        ("Português!", "pt"),
        ("castellano", "es"),
        ("quiero que me hables en inglés", "en"),
        ("mejor en español", "es"),
        ("fala português comigo", "pt"),
        ("agora em inglês", "en"),
        ("speak english with me from now on", "en"),
    ],
)
def test_language_requests(text: str, wanted: str) -> None:
    assert language_request(text) == wanted


@pytest.mark.parametrize(
    "text",
    [
        "spent 20 in english class",
        "gasté 30 en clases de inglés",
        "paguei o curso de inglês",
        "english 20",
        "no english",
        "english or spanish",
        "inglés y portugués",
        "speak",
        "por favor",
        "",
        "in english please " * 3,  # too long to be a request
    ],
)
def test_not_language_requests(text: str) -> None:
    assert language_request(text) is None
