"""Recurring payments and goals in the NLU: names, a schedule's anchor, a goal's date, settled readings."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from bot.conversation.picking import chosen_number, matches
from nlu import parse
from nlu.plans import goal_date
from nlu.types import DateRange

NOW = datetime(2026, 11, 18, 15, 0, tzinfo=UTC)  # a Wednesday
CURRENCY = {"en": "USD", "es": "MXN", "pt": "BRL"}


def _parse(text: str, lang: str):  # type: ignore[no-untyped-def]
    return parse(text, now=NOW, lang=lang, currency=CURRENCY[lang], tz="UTC")


@pytest.mark.parametrize(
    ("lang", "text", "recurrence", "anchor"),
    [
        ("pt", "netflix 39,90 todo mês", "monthly", None),
        ("en", "rent 1200 on the 1st every month", "monthly", 1),
        ("en", "gym 30 every week", "weekly", None),
        ("en", "gym 30 every monday", "weekly", 1),
        ("pt", "aluguel 1500 todo dia 5", "monthly", 5),
        ("pt", "academia 120 toda segunda", "weekly", 1),
        ("es", "spotify 5 al mes", "monthly", None),
        ("es", "gimnasio 500 todos los viernes", "weekly", 5),
    ],
)
def test_a_recurring_payment_has_its_cadence_and_day(
    lang: str, text: str, recurrence: str, anchor: int
) -> None:
    result = _parse(text, lang)
    assert result.intent == "add_recurring"
    assert (result.recurrence, result.anchor) == (recurrence, anchor)
    assert result.to_json()["anchor"] == anchor


@pytest.mark.parametrize(
    ("lang", "text", "intent"),
    [
        ("en", "budget 300 a month for food", "set_budget"),
        ("es", "300 por mes para comida", "set_budget"),
        ("en", "food 300 a month", "set_budget"),
        ("pt", "aluguel 1500 por mes", "add_recurring"),
        ("es", "netflix 39,90 todo mes", "add_recurring"),
        ("en", "paid the phone bill 80 on the 1st", "add_expense"),
        ("pt", "mensalidade da escola 420 dia 5", "add_expense"),
        ("en", "stop", "deny"),
        ("en", "stop netflix", "cancel_recurring"),
    ],
)
def test_budgets_one_off_expenses_and_the_word_stop_keep_their_reading(
    lang: str, text: str, intent: str
) -> None:
    assert _parse(text, lang).intent == intent


@pytest.mark.parametrize(
    ("lang", "text", "intent", "name", "day"),
    [
        ("pt", "quero juntar 5 mil pra viagem até julho", "set_goal", "viagem", "2027-07-31"),
        ("en", "i want to save 1000 for a vacation by june", "set_goal", "vacation", "2027-06-30"),
        ("es", "quiero ahorrar 20 mil para un auto para diciembre", "set_goal", "auto", "2026-12-31"),
        ("en", "save 400 for a bike by march", "set_goal", "bike", "2027-03-31"),
        ("pt", "quero juntar 3 mil pra uma bike até março", "set_goal", "bike", "2027-03-31"),
        ("en", "put 200 in the vacation fund", "goal_contribution", "vacation", None),
        ("pt", "guardei 300 na viajem", "goal_contribution", "viajem", None),
        ("es", "puse 500 en el ahorro del auto", "goal_contribution", "auto", None),
        ("en", "take 100 out of the vacation fund", "goal_withdrawal", "vacation", None),
        ("pt", "como tá minha meta da viagem", "goal_status", "viagem", None),
        ("es", "¿cómo va mi meta?", "goal_status", None, None),
    ],
)
def test_a_goal_is_named_and_dated_ahead(lang: str, text: str, intent: str, name: str, day: str) -> None:
    result = _parse(text, lang)
    assert (result.intent, result.name) == (intent, name)
    assert result.to_json()["date"] == day
    # A goal is never an expense or a budget: nothing in it reads as a merchant or a category.
    assert result.merchant is None and result.category is None


def test_a_month_already_past_this_year_is_next_years() -> None:
    july = DateRange(date(2026, 7, 1), date(2026, 7, 31))
    assert goal_date(None, july, date(2026, 11, 18)) == date(2027, 7, 31)
    assert goal_date(None, DateRange(date(2026, 12, 1), date(2026, 12, 31)), date(2026, 11, 18)) == date(
        2026, 12, 31
    )
    assert goal_date(date(2026, 2, 28), None, date(2026, 11, 18)) == date(2027, 2, 28)
    assert goal_date(None, None, date(2026, 11, 18)) is None


@pytest.mark.parametrize(
    ("typed", "found"),
    [
        ("viajem", ["Viagem"]),
        ("VIAGEM", ["Viagem"]),
        ("the vacation", ["Vacation"]),
        ("car", ["Car"]),
        ("insurance", ["Car insurance"]),
        ("trip", ["Japan trip", "Rio trip"]),
        ("car insurance", ["Car insurance"]),
        ("crismas", ["Christmas"]),
        ("hulu", []),
        ("", []),
    ],
)
def test_names_match_despite_case_accents_articles_and_typos(typed: str, found: list[str]) -> None:
    names = ["Viagem", "Vacation", "Car", "Car insurance", "Christmas", "Netflix", "Japan trip", "Rio trip"]
    assert matches(typed, [(n, n) for n in names]) == found


@pytest.mark.parametrize(
    ("text", "count", "index"),
    [("2", 3, 1), ("#1", 3, 0), ("the 3rd", 3, 2), ("4", 3, None), ("yes", 3, None)],
)
def test_a_numbered_answer_picks_its_option(text: str, count: int, index: int | None) -> None:
    assert chosen_number(text, count) == index
