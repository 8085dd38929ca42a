"""Intent classification: exact forms and cues of keywords.yaml, shorthand, feature rules, confidence."""

from __future__ import annotations

import pytest

from nlu import intents
from nlu.intents import ModelMissingError, classify, expand_abbreviations, keywords
from nlu.normalize import normalize
from nlu.types import CLASSIFIED_INTENTS, INTENTS, LANGUAGES, LOW_CONFIDENCE, RULE_INTENTS

MONEY_INTENTS = {"add_expense", "add_income", "set_budget"}


def top(text: str, lang: str, **flags: bool) -> tuple[str, float]:
    return classify(normalize(text), lang, **flags)[0]


def _phrases(group: str) -> list[tuple[str, str, str]]:
    return [
        (lang, intent, str(phrase))
        for lang in LANGUAGES
        for intent, phrases in (keywords(lang).get(group) or {}).items()
        for phrase in phrases or ()
    ]


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("text", ["gastei 30 no mercado", "", "hi", "🙂"])
def test_every_intent_is_scored_once_best_first_summing_to_one(text: str, lang: str) -> None:
    ranked = classify(normalize(text), lang)
    # The rule intents (chart) are read from the message's words after the classifier, never by it.
    assert sorted(intent for intent, _ in ranked) == sorted(CLASSIFIED_INTENTS)
    assert set(CLASSIFIED_INTENTS) | RULE_INTENTS == set(INTENTS)
    assert sum(score for _, score in ranked) == pytest.approx(1.0)
    scores = [score for _, score in ranked]
    assert scores == sorted(scores, reverse=True)


@pytest.mark.parametrize(("lang", "intent", "form"), _phrases("exact"))
def test_exact_forms_are_near_certain(lang: str, intent: str, form: str) -> None:
    assert top(form, lang) == (intent, pytest.approx(intents.EXACT_CONFIDENCE))


@pytest.mark.parametrize(
    ("text", "lang", "intent"),
    [
        ("Yes!!", "en", "affirm"),
        ("SIIIIM", "pt", "affirm"),
        ("Hola!! 👋", "es", "greeting"),
        ("  nooo ", "en", "deny"),
        ("Oi, bom dia!", "pt", "greeting"),
        ("¡Ayuda!", "es", "help"),
    ],
)
def test_exact_forms_survive_case_punctuation_emoji_and_stretched_letters(
    text: str, lang: str, intent: str
) -> None:
    assert top(text, lang)[0] == intent


@pytest.mark.parametrize(
    ("text", "lang", "intent"),
    [
        ("hello thre", "en", "greeting"),
        ("nevermnd", "en", "deny"),
        ("buenos dais", "es", "greeting"),
        ("bom dai", "pt", "greeting"),
    ],
)
def test_a_typo_of_an_exact_form_still_points_to_it(text: str, lang: str, intent: str) -> None:
    assert top(text, lang)[0] == intent


@pytest.mark.parametrize(("lang", "intent", "cue"), _phrases("cues"))
def test_a_cue_alone_gives_its_intent(lang: str, intent: str, cue: str) -> None:
    name, confidence = top(cue, lang, has_amount=intent in MONEY_INTENTS)
    assert name == intent and confidence >= LOW_CONFIDENCE


@pytest.mark.parametrize(
    ("text", "lang", "intent"),
    [
        ("can you undo that please", "en", "undo"),
        ("oye, cuanto gaste en comida este mes?", "es", "spending_summary"),
        ("ei, quero desfazer o ultimo por favor", "pt", "undo"),
    ],
)
def test_a_cue_inside_a_longer_message_still_counts(text: str, lang: str, intent: str) -> None:
    assert top(text, lang)[0] == intent


@pytest.mark.parametrize(
    ("lang", "tokens", "expanded"),
    [
        ("en", ["u", "pls", "thx"], ["you", "please", "thanks"]),
        ("es", ["q", "pq", "xq", "tb"], ["que", "porque", "porque", "tambien"]),
        ("pt", ["vc", "tb", "q", "pq"], ["voce", "tambem", "que", "porque"]),
        ("pt", ["gastei", "30", "hj"], ["gastei", "30", "hoje"]),
        ("es", ["pls"], ["por", "favor"]),  # one shorthand, several words
        ("en", ["vc", "xq"], ["vc", "xq"]),  # another language's shorthand is left alone
    ],
)
def test_chat_abbreviations_are_spelled_out(lang: str, tokens: list[str], expanded: list[str]) -> None:
    assert expand_abbreviations(tokens, lang) == expanded


@pytest.mark.parametrize(
    ("text", "lang", "intent"),
    [
        ("q puedes hacer", "es", "help"),
        ("vc pode me ajudar", "pt", "help"),
        ("how much do u have left", "en", "balance"),
        ("pq nao apaga o ultimo", "pt", "undo"),
    ],
)
def test_abbreviations_reach_the_cues_and_the_classifier(text: str, lang: str, intent: str) -> None:
    assert top(text, lang)[0] == intent


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("uber 23", "en"),
        ("starbucks 5.50", "en"),
        ("wawa 12", "en"),
        ("rent 1200", "en"),
        ("oxxo 45", "es"),
        ("nafta 30", "es"),
        ("padaria do ze 8", "pt"),
        ("ifood 42,90", "pt"),
    ],
)
def test_names_and_a_number_are_an_expense(text: str, lang: str) -> None:
    assert top(text, lang, has_amount=True)[0] == "add_expense"


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("salary 3000", "en"),
        ("pension 900", "en"),
        ("got paid 500", "en"),
        ("sueldo 2000", "es"),
        ("me pagaron 500", "es"),
        ("salario 3000", "pt"),
        ("recebi 200 do freela", "pt"),
    ],
)
def test_a_number_with_income_words_is_income(text: str, lang: str) -> None:
    assert top(text, lang, has_amount=True)[0] == "add_income"


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("how much did i spend on food", "en"),
        ("cuanto gaste en comida", "es"),
        ("quanto gastei com comida", "pt"),
    ],
)
def test_a_question_word_and_a_spend_verb_ask_for_a_summary(text: str, lang: str) -> None:
    assert top(text, lang)[0] == "spending_summary"


@pytest.mark.parametrize(
    ("amount_text", "plain_text", "lang"),
    [
        ("budget 300 for food", "food budget", "en"),
        ("presupuesto 300 comida", "presupuesto comida", "es"),
        ("orcamento 300 mercado", "orcamento do mercado", "pt"),
    ],
)
def test_a_budget_word_with_an_amount_sets_a_budget_and_without_asks_about_it(
    amount_text: str, plain_text: str, lang: str
) -> None:
    assert top(amount_text, lang, has_amount=True)[0] == "set_budget"
    assert top(plain_text, lang)[0] == "budget_status"


@pytest.mark.parametrize(
    ("text", "lang", "intent", "flags"),
    [
        ("undo", "en", "undo", {}),
        ("apaga", "pt", "undo", {}),
        ("borra", "es", "undo", {}),
        ("actually it was 30", "en", "edit_last", {"has_amount": True}),
        ("no era 50", "es", "edit_last", {"has_amount": True}),
        ("corrige", "pt", "edit_last", {}),
    ],
)
def test_undo_and_correction_words(text: str, lang: str, intent: str, flags: dict[str, bool]) -> None:
    assert top(text, lang, **flags)[0] == intent


def test_a_period_leans_to_questions_and_a_day_to_entries() -> None:
    question = dict(classify(normalize("comida"), "es", has_period=True))
    entry = dict(classify(normalize("comida"), "es", has_date=True))
    assert question["add_expense"] < entry["add_expense"]


@pytest.mark.parametrize(
    ("told", "asked", "lang"),
    [
        ("gaste en uber", "cuanto gaste en uber", "es"),
        ("gastei no uber", "quanto gastei no uber", "pt"),
        ("spent at uber", "how much did i spend at uber", "en"),
        ("gaste en uber", "gaste en uber?", "es"),
    ],
)
def test_telling_a_purchase_leans_to_recording_and_asking_to_a_summary(
    told: str, asked: str, lang: str
) -> None:
    statement = dict(classify(normalize(told), lang))
    question = dict(classify(normalize(asked), lang))
    assert statement["add_expense"] > statement["spending_summary"]
    assert question["spending_summary"] > question["add_expense"]


def test_a_period_keeps_a_told_purchase_a_question() -> None:
    scores = dict(classify(normalize("gaste en uber este mes"), "es", has_period=True))
    assert scores["spending_summary"] > scores["add_expense"]


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("text", ["", "   ", "🙂🙂🙂", "\x00\x01", "zxqv wplm", "qqqqqqqq", "?!?!", "ـــ"])
def test_nothing_understood_is_unknown_with_low_confidence(text: str, lang: str) -> None:
    intent, confidence = top(text, lang)
    assert intent == "unknown" and confidence < LOW_CONFIDENCE


@pytest.mark.parametrize(
    ("text", "lang", "flags"),
    [
        ("50", "pt", {"has_amount": True}),
        ("uber", "en", {}),
        ("yes no", "en", {}),
        ("si no", "es", {}),
        ("ok uber", "en", {}),
        ("plm bnq", "pt", {}),
    ],
)
def test_weak_or_split_evidence_has_low_confidence(text: str, lang: str, flags: dict[str, bool]) -> None:
    assert top(text, lang, **flags)[1] < LOW_CONFIDENCE


@pytest.mark.parametrize(
    "text",
    [
        "a" * 10_000,
        "gastei 30 " * 2_000,
        "مرحبا كيف حالك",
        "שלום 50",
        "\u202eabc\u202c",
        "\ud800",
        "你好 100",
    ],
)
def test_never_raises(text: str) -> None:
    for lang in LANGUAGES:
        ranked = classify(normalize(text), lang, has_amount=True, has_period=True, has_date=True)
        assert len(ranked) == len(CLASSIFIED_INTENTS)


def test_a_missing_artefact_fails_clearly_instead_of_training(
    monkeypatch: pytest.MonkeyPatch, tmp_path: object
) -> None:
    monkeypatch.setattr(intents, "MODELS_DIR", tmp_path)
    with pytest.raises(ModelMissingError, match="make nlu-model"):
        intents._model.__wrapped__("en")


@pytest.mark.parametrize(
    ("text", "name", "lang"),
    [("zezinho 12", "zezinho", "en"), ("beto 20", "beto", "pt"), ("el gordo 15", "el gordo", "es")],
)
def test_a_merchant_the_finder_matched_counts_as_a_merchant_for_the_intent(
    text: str, name: str, lang: str
) -> None:
    """A tenant's own merchant is unknown to the shipped lexicon: without being told, the classifier saw only
    an unknown word and an amount, and "zezinho 12" fell under the write threshold (0.70) once new intents
    shared the probability."""
    norm = normalize(text)
    plain = dict(classify(norm, lang, has_amount=True))
    named = dict(classify(norm, lang, has_amount=True, merchant=name))
    assert named["add_expense"] > max(plain["add_expense"], 0.9)
    assert max(named, key=named.__getitem__) == "add_expense"
