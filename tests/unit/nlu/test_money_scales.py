"""Scale words and halves after a number, and the article that is no amount before a sign and a number."""

from __future__ import annotations

from decimal import Decimal

import pytest

from nlu.money import find_amounts
from nlu.normalize import normalize

# (lang, user's currency, text, amount, currency or None for a bare number)
SCALES = [
    ("en", "USD", "a US$ 4.7 billion deal", "4700000000", "USD"),
    ("en", "USD", "a USD 3 fee", "3", "USD"),
    ("en", "USD", "an € 80 fine", "80", "EUR"),
    ("en", "USD", "$ 75 million", "75000000", "USD"),
    ("en", "USD", "2 billion", "2000000000", None),
    ("en", "USD", "1.2bn", "1200000000", None),
    ("en", "USD", "spent half a million on it", "500000", None),
    ("en", "USD", "half a million dollars", "500000", "USD"),
    ("en", "USD", "a million and a half dollars", "1500000", "USD"),
    ("en", "USD", "2 million and a half", "2500000", None),
    ("es", "MXN", "un millón y medio de pesos", "1500000", "MXN"),
    ("es", "MXN", "medio millón de pesos", "500000", "MXN"),
    ("es", "MXN", "1.5 mil millones", "1500000000", None),
    ("es", "MXN", "48 mil dólares", "48000", "USD"),
    ("es", "MXN", "un millón de pesos", "1000000", "MXN"),
    ("es", "ARS", "media luca", "500", None),
    ("es", "MXN", "2 millones y medio de pesos", "2500000", "MXN"),
    ("pt", "BRL", "420 milhões de reais", "420000000", "BRL"),
    ("pt", "BRL", "1,17 bilhões de reais", "1170000000", "BRL"),
    ("pt", "BRL", "3,5 mi de reais", "3500000", "BRL"),
    ("pt", "BRL", "2 bi", "2000000000", None),
    ("pt", "BRL", "meio milhão de reais", "500000", "BRL"),
    ("pt", "BRL", "um milhão e meio", "1500000", None),
    ("pt", "BRL", "uma US$ 3 mil de taxa", "3000", "USD"),
]


@pytest.mark.parametrize(("lang", "hint", "text", "amount", "currency"), SCALES)
def test_scales(lang: str, hint: str, text: str, amount: str, currency: str | None) -> None:
    found = [m for m in find_amounts(normalize(text), lang, hint)]
    assert [(m.amount, m.currency) for m in found] == [(Decimal(amount), currency)]


@pytest.mark.parametrize(
    ("lang", "text"),
    [
        ("en", "half price"),  # half of no scale
        ("en", "a half gallon"),
        ("es", "media docena"),
        ("pt", "meia hora"),
        ("pt", "meio do caminho"),
        ("pt", "meia entrada"),
    ],
)
def test_halves_need_a_scale(lang: str, text: str) -> None:
    assert find_amounts(normalize(text), lang, None) == []


@pytest.mark.parametrize(
    ("lang", "text", "amount"),
    [
        ("pt", "paguei 20 reais e meio quilo de carne", "20"),  # half a kilo, not half a real
        ("es", "un millón y media docena de huevos", "1000000"),
        ("es", "2 pesos y medio", "2.50"),
        ("en", "a million and a half dollars", "1500000"),
    ],
)
def test_half_of_something_else(lang: str, text: str, amount: str) -> None:
    assert [m.amount for m in find_amounts(normalize(text), lang, None)][:1] == [Decimal(amount)]
