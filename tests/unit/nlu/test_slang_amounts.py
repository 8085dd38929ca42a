"""Slang amounts: "20 lucas", "una luca", "2 palos", "50 pila", "10 paus", "a fiver", "3 grand", and the
ordinary words that look like them ("Grand Hotel", "2 palos de golf", Lucas the friend) left alone."""

from __future__ import annotations

from decimal import Decimal

import pytest

from nlu.money import find_amounts, primary_amount
from nlu.normalize import normalize

# (lang, user's currency, text, amount, written currency or None for a bare amount in the user's currency)
SLANG = [
    ("es", "ARS", "gasté 20 lucas en el super", "20000", None),
    ("es", "ARS", "una luca el almuerzo", "1000", None),
    ("es", "COP", "me costó 2 palos la moto", "2000000", None),
    ("es", "COP", "pagué 2 palos en la moto", "2000000", None),
    ("es", "COP", "gaste un palo en arreglos", "1000000", None),
    ("es", "CLP", "15 lucas en bencina", "15000", None),
    ("pt", "BRL", "gastei 50 pila no mercado", "50", "BRL"),
    ("pt", "BRL", "paguei 10 paus no uber", "10", "BRL"),
    ("en", "GBP", "spent a fiver on coffee", "5", None),
    ("en", "USD", "a tenner for the cab", "10", None),
    ("en", "USD", "paid 3 grand for the car", "3000", None),
    ("en", "USD", "rent was 2 grand", "2000", None),
]


@pytest.mark.parametrize(("lang", "hint", "text", "amount", "currency"), SLANG)
def test_slang_amount(lang: str, hint: str, text: str, amount: str, currency: str | None) -> None:
    norm = normalize(text)
    found = primary_amount(find_amounts(norm, lang, hint), norm, lang)
    assert found is not None
    assert found.amount == Decimal(amount)
    assert found.currency == currency


# Ordinary words that only look like slang: no amount is scaled by them.
ORDINARY = [
    ("en", "USD", "dinner at the grand hotel 80", "80"),
    ("en", "USD", "grand hotel 120", "120"),
    ("en", "USD", "bought 2 grand pianos for 900", "900"),
    ("es", "COP", "compré 2 palos de golf por 300 mil", "300000"),
    ("es", "ARS", "le di 20 a lucas", "20"),
    ("es", "ARS", "almuerzo con lucas 50", "50"),
]


@pytest.mark.parametrize(("lang", "hint", "text", "amount"), ORDINARY)
def test_ordinary_words_do_not_scale(lang: str, hint: str, text: str, amount: str) -> None:
    norm = normalize(text)
    found = find_amounts(norm, lang, hint)
    assert [m.amount for m in found if m.amount == Decimal(amount)]
    assert all(m.amount <= Decimal(amount) for m in found)


@pytest.mark.parametrize(
    ("lang", "text"),
    [("es", "regalo de cumple para lucas"), ("en", "the grand canyon tour"), ("es", "un palo de escoba")],
)
def test_a_slang_word_alone_is_no_amount(lang: str, text: str) -> None:
    assert find_amounts(normalize(text), lang, "USD") == []
