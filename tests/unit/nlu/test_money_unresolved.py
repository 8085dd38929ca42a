"""Amounts said but not exactly: ranges, choices and vague quantities, and what is none of them."""

from __future__ import annotations

from decimal import Decimal

import pytest

from nlu.money import find_amounts, primary_amount, unresolved_amounts
from nlu.normalize import normalize


def spans(text: str, lang: str, exclude=()) -> list[str]:
    norm = normalize(text)
    return [norm.original_span(s, e) for s, e in unresolved_amounts(norm, lang, exclude)]


VAGUE = [
    ("en", "20 or 30 bucks on lunch", "20 or 30 bucks"),
    ("en", "between 40 and 50", "between 40 and 50"),
    ("en", "spent from 20 to 30 dollars", "from 20 to 30 dollars"),
    ("en", "20 to 30 bucks", "20 to 30 bucks"),
    ("en", "$20 to $30", "$20 to $30"),
    ("en", "$20-$30 for parking", "$20-$30"),
    ("en", "15–20 dollars", "15–20 dollars"),
    ("en", "twenty or thirty on snacks", "twenty or thirty"),
    ("en", "lunch 15 or 20", "15 or 20"),
    ("en", "a couple hundred on shoes", "a couple hundred"),
    ("en", "a few bucks", "a few bucks"),
    ("en", "a couple of thousand dollars", "a couple of thousand dollars"),
    ("en", "hundreds of dollars on the car", "hundreds of dollars"),
    ("en", "some cash for the tip", "some cash"),
    ("en", "2k or 3k on the trip", "2k or 3k"),
    ("es", "entre 20 y 30 pesos", "entre 20 y 30 pesos"),
    ("es", "gasté de 200 a 300 pesos en el súper", "de 200 a 300 pesos"),
    ("es", "20 o 30 de propina", "20 o 30"),
    ("es", "7 u 8 dólares", "7 u 8 dólares"),
    ("es", "unos pesos", "unos pesos"),
    ("es", "algunos miles", "algunos miles"),
    ("es", "un par de lucas", "un par de lucas"),
    ("es", "miles de pesos en la fiesta", "miles de pesos"),
    ("es", "un dineral", "un dineral"),
    ("pt", "uns 20 ou 30 no bar", "uns 20 ou 30"),
    ("pt", "20-30 reais", "20-30 reais"),
    ("pt", "entre 50 e 60 reais", "entre 50 e 60 reais"),
    ("pt", "uns trocados", "uns trocados"),
    ("pt", "gastei uns 20 reais ou 30", "uns 20 reais ou 30"),
    ("en", "20 bucks or 30 bucks", "20 bucks or 30 bucks"),
    ("pt", "alguns mil reais", "alguns mil reais"),
    ("pt", "uma grana", "uma grana"),
]


@pytest.mark.parametrize(("lang", "text", "said"), VAGUE)
def test_vague(lang: str, text: str, said: str) -> None:
    assert spans(text, lang) == [said]


NOT_VAGUE = [
    # changes, not ranges
    ("en", "change it from 20 to 25"),
    ("en", "change my budget from 300 to 400"),
    ("en", "change 20 to 25"),
    ("es", "cámbialo de 20 a 25"),
    ("es", "cambia el presupuesto de 300 a 400"),
    ("pt", "muda de 20 a 25"),
    ("en", "lost some pounds this month"),  # weight
    ("en", "tip was 15-20%"),  # a percentage
    ("en", "20-30 min"),
    ("en", "2 or 3 coffees"),  # a count of things
    ("en", "2-3 kg of apples"),
    ("en", "between 8 and 10 pm"),
    ("en", "about 40"),
    ("en", "a few snacks for 50"),
    ("en", "some real estate fees"),
    ("en", "2020-2025"),  # years
    ("en", "50-20"),  # the larger first: no range
    ("en", "20 or 20"),
    ("en", "a $3 coffee"),
    ("es", "2 cafés a 4,50"),  # a price each, "a" is no range word
    ("es", "2 o 3 cervezas"),
    ("es", "unos 50 pesos"),  # about 50
    ("es", "unos mil pesos"),  # about a thousand
    ("pt", "uber 20, almoço 30"),  # two items
    ("pt", "uns 50 no bar"),
    ("pt", "uns mil reais"),
    ("pt", "2 ou 3 cervejas"),
    ("pt", "dois cafés a 4,50"),
]


@pytest.mark.parametrize(("lang", "text"), NOT_VAGUE)
def test_not_vague(lang: str, text: str) -> None:
    assert spans(text, lang) == []


def test_a_date_range_is_left_to_dates() -> None:
    norm = normalize("de 10 a 15 de marzo")
    assert unresolved_amounts(norm, "es", exclude=[(0, len(norm.text))]) == []


def test_nothing_inside_a_vague_span_is_an_amount() -> None:
    norm = normalize("gastei uns 20 ou 30 no bar")
    vague = unresolved_amounts(norm, "pt")
    assert find_amounts(norm, "pt", "BRL", exclude=vague) == []


@pytest.mark.parametrize(
    "text", ["change the couch one to 400", "change that one to four hundred", "make the first one 20 or 30"]
)
def test_one_as_a_pronoun_opens_no_range(text: str) -> None:
    assert spans(text, "en") in ([], ["20 or 30"])
    assert not any(s.startswith("one") for s in spans(text, "en"))


@pytest.mark.parametrize(
    ("lang", "text", "amount"),
    [
        ("en", "2 or 3 beers", None),  # a count said loosely: no amount at all
        ("es", "gasté 30 en 2 o 3 tacos", "30"),
        ("pt", "gastei 30 em 2 ou 3 cervejas", "30"),
        ("en", "bought 2-3 coffees for 10", "10"),
    ],
)
def test_a_choice_of_counts_is_no_amount(lang: str, text: str, amount: str | None) -> None:
    norm = normalize(text)
    best = primary_amount(find_amounts(norm, lang, None), norm, lang)
    assert (best.amount if best else None) == (Decimal(amount) if amount else None)
