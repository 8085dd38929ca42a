"""Language identification: the hint stands for short or neutral messages and yields to clear evidence."""

from __future__ import annotations

import pytest

from nlu.language import detect_language
from nlu.normalize import normalize
from nlu.types import LANGUAGES


def detect(text: str, hint: str | None) -> str:
    return detect_language(normalize(text), hint)[0]


@pytest.mark.parametrize("hint", LANGUAGES)
@pytest.mark.parametrize(
    "text",
    ["uber 23", "netflix 45", "starbucks 5.50", "oxxo 120", "ok", "50", "", "   ", "👍", "R$ 30", "€20"],
)
def test_short_or_neutral_messages_keep_the_hint(text: str, hint: str) -> None:
    assert detect(text, hint) == hint


@pytest.mark.parametrize(
    ("text", "hint", "expected"),
    [
        # en <-> es
        ("how much did i spend", "es", "en"),
        ("i paid 20 for lunch yesterday", "es", "en"),
        ("cuanto gaste en comida este mes", "en", "es"),
        ("pague 20 de almuerzo", "en", "es"),
        # en <-> pt
        ("how much did i spend", "pt", "en"),
        ("spent 30 on food", "pt", "en"),
        ("gastei 30 no mercado", "en", "pt"),
        ("quanto eu gastei com comida", "en", "pt"),
        # es <-> pt, without accents: the discriminative words decide
        ("gaste 45 en el super", "pt", "es"),
        ("me pagaron el sueldo", "pt", "es"),
        ("presupuesto de 300 para comida", "pt", "es"),
        ("cuanto gaste este mes", "pt", "es"),
        ("gastei 30 no mercado", "es", "pt"),
        ("recebi meu salario hoje", "es", "pt"),
        ("orcamento de 300 pra comida", "es", "pt"),
        ("quanto gastei este mes", "es", "pt"),
        ("paguei 50 de luz", "es", "pt"),
    ],
)
def test_a_clear_message_overrides_the_hint(text: str, hint: str, expected: str) -> None:
    assert detect(text, hint) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("gaste 45 en el super", "es"),  # "en el"
        ("gaste 45 no mercado", "pt"),  # Portuguese "no" (in the) before a place
        ("cuanto", "es"),
        ("quanto", "pt"),
        ("hola que tal", "es"),
        ("bom dia", "pt"),
        ("good morning", "en"),
    ],
)
def test_es_and_pt_are_told_apart_without_a_hint(text: str, expected: str) -> None:
    assert detect(text, None) == expected


@pytest.mark.parametrize(
    ("text", "hint", "expected"),
    [("¿cuánto?", "pt", "es"), ("mañana", "pt", "es"), ("situação", "es", "pt"), ("não", "es", "pt")],
)
def test_accents_and_inverted_marks_are_evidence(text: str, hint: str, expected: str) -> None:
    assert detect(text, hint) == expected


@pytest.mark.parametrize(
    ("text", "hint", "expected"),
    [
        ("vc tem saldo?", "es", "pt"),
        ("tb gastei 20", "es", "pt"),
        ("xq no me deja", "pt", "es"),
        ("thx u", "es", "en"),
    ],
)
def test_chat_shorthand_is_language_evidence(text: str, hint: str, expected: str) -> None:
    assert detect(text, hint) == expected


@pytest.mark.parametrize("text", ["uber 23", "ok", "", "12345", "🙂🙂"])
def test_without_hint_or_evidence_english_is_the_default(text: str) -> None:
    assert detect(text, None) == "en"


def test_the_hint_prior_only_counts_for_known_languages() -> None:
    assert detect("uber 23", "fr") == "en"


def test_confidence_is_a_probability_and_high_when_the_hint_stands_unopposed() -> None:
    lang, confidence = detect_language(normalize("uber 23"), "pt")
    assert lang == "pt" and 0.5 < confidence <= 1.0
    _, clear = detect_language(normalize("how much did i spend on food this month"), "es")
    assert clear > 0.9


@pytest.mark.parametrize(
    "text",
    [
        "",
        "\x00\x01\x02",
        "🙂" * 50,
        "مرحبا كيف حالك",
        "שלום",
        "你好",
        "a" * 10_000,
        "\u202eabc",
        "\ud800",
        "ß ǅ ﬁ",
    ],
)
def test_never_raises(text: str) -> None:
    for hint in (*LANGUAGES, None):
        lang, confidence = detect_language(normalize(text), hint)
        assert lang in LANGUAGES and 0.0 <= confidence <= 1.0
