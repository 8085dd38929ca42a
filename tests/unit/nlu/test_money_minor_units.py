"""Cents and pence after an amount and alone, halves of a unit, and the letters that are not cents."""

from __future__ import annotations

from decimal import Decimal

import pytest

from nlu.money import find_amounts, primary_amount
from nlu.normalize import normalize
from nlu.types import MoneyMention


def mentions(text: str, lang: str, hint: str | None) -> list[MoneyMention]:
    return find_amounts(normalize(text), lang, hint)


# (lang, user's currency, text, amount, currency, the mention's text)
CENTS = [
    ("en", "USD", "spent $20 and 43c", "20.43", "USD", "$20 and 43c"),
    ("en", "USD", "paid 20 dollars 43", "20.43", "USD", "20 dollars 43"),
    ("en", "USD", "paid 20 dollars 43.", "20.43", "USD", "20 dollars 43"),
    ("en", "GBP", "3 GBP 1 pence", "3.01", "GBP", "3 GBP 1 pence"),
    ("en", "GBP", "£3 and 50p", "3.50", "GBP", "£3 and 50p"),
    ("en", "USD", "ten cents for the parking", "0.10", "USD", "ten cents"),
    ("en", "USD", "fifty cents", "0.50", "USD", "fifty cents"),
    ("en", "USD", "a cent", "0.01", "USD", "a cent"),
    ("en", "USD", "99¢", "0.99", "USD", "99¢"),
    ("en", "USD", "50 pence", "0.50", "GBP", "50 pence"),
    ("en", None, "ten cents", "0.10", "USD", "ten cents"),  # cents_default
    ("es", "MXN", "un centavo de propina", "0.01", "MXN", "un centavo"),
    ("es", "MXN", "cincuenta centavos", "0.50", "MXN", "cincuenta centavos"),
    ("es", "MXN", "20 pesos con 50 centavos", "20.50", "MXN", "20 pesos con 50 centavos"),
    ("es", "MXN", "35 pesos 50", "35.50", "MXN", "35 pesos 50"),
    ("es", "MXN", "dos pesos y medio", "2.50", "MXN", "dos pesos y medio"),
    ("pt", "BRL", "um centavo", "0.01", "BRL", "um centavo"),
    ("pt", "BRL", "20 reais e 50 centavos", "20.50", "BRL", "20 reais e 50 centavos"),
    ("pt", "BRL", "15 dólares e 15 centavos", "15.15", "USD", "15 dólares e 15 centavos"),
    ("pt", "BRL", "dois reais e meio", "2.50", "BRL", "dois reais e meio"),
    ("pt", "EUR", "3 euros e 20 cêntimos", "3.20", "EUR", "3 euros e 20 cêntimos"),
]


# A cents letter is cents but names no currency: the mention stays bare (the user's currency applies), so
# that a larger amount in the message wins over it ("apt 4c, rent 1200").
LETTERS = [
    ("en", "USD", "gum 10 c", "0.10", "10 c"),
    ("en", "USD", "gum 10c", "0.10", "10c"),
    ("en", "GBP", "5p sweets", "0.05", "5p"),
    ("en", "GBP", "£3 and 50p", "3.50", "£3 and 50p"),
]


@pytest.mark.parametrize(("lang", "hint", "text", "amount", "said"), LETTERS)
def test_cents_letters(lang: str, hint: str, text: str, amount: str, said: str) -> None:
    found = mentions(text, lang, hint)
    assert [(m.amount, m.text) for m in found] == [(Decimal(amount), said)]


def test_a_cents_letter_does_not_outrank_the_amount() -> None:
    norm = normalize("rent for apt 4c 1200")
    found = find_amounts(norm, "en", "USD")
    best = primary_amount(found, norm, "en")
    assert best is not None and best.amount == Decimal(1200)


@pytest.mark.parametrize(("lang", "hint", "text", "amount", "currency", "said"), CENTS)
def test_cents(lang: str, hint: str | None, text: str, amount: str, currency: str, said: str) -> None:
    found = mentions(text, lang, hint)
    assert [(m.amount, m.currency, m.text) for m in found] == [(Decimal(amount), currency, said)]
    assert found[0].explicit


# Letters and numbers after an amount that are not its cents: (lang, hint, text, [(value, currency)]).
NOT_CENTS = [
    ("en", "USD", "it was 10 C outside", []),  # a capital C is a temperature
    ("en", "USD", "25C today", []),
    ("en", "USD", "5p", []),  # pence or pages: no pounds in play
    ("en", "USD", "$20 43", [("20", "USD"), ("43", None)]),  # after a sign, a second number is its own
    ("en", "USD", "20 USD 43", [("20", "USD"), ("43", None)]),
    ("en", "USD", "120c", []),  # cents letters only below 100, and a glued letter is no bare amount
    ("en", "USD", "booked room 4c", []),  # a label
    ("en", "USD", "seat 12c was 40", [("40", None)]),
    ("en", "USD", "bought a lei for 20", [("20", None)]),  # a garland: no currency word in English
    ("es", "MXN", "2 cafés a 4,50 c/u", [("2", None), ("4.50", None)]),
    ("es", "MXN", "10 c", [("10", None)]),  # no cents letters in Spanish
    ("pt", "BRL", "paguei 100 reais 20 pastéis", [("100", "BRL"), ("20", None)]),
    ("pt", "BRL", "20 reais 5", [("20", "BRL"), ("5", None)]),  # one digit: not written cents
    ("pt", "BRL", "R$ 20,50 e 30", [("20.50", "BRL"), ("30", None)]),  # cents written already
]


@pytest.mark.parametrize(("lang", "hint", "text", "expected"), NOT_CENTS)
def test_not_cents(lang: str, hint: str, text: str, expected: list[tuple[str, str | None]]) -> None:
    assert [(m.amount, m.currency) for m in mentions(text, lang, hint)] == [
        (Decimal(a), c) for a, c in expected
    ]
