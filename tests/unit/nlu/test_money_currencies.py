"""Currency names, signs and abbreviations: shared signs resolved by the user's currency, safe letters."""

from __future__ import annotations

from decimal import Decimal

import pytest

from nlu import data
from nlu.money import currency_words, family, find_amounts
from nlu.normalize import normalize

# (lang, user's currency, text, amount, currency)
NAMED = [
    ("es", "MXN", "gasté 300 ienes", "300", "JPY"),
    ("es", "MXN", "300 yenes", "300", "JPY"),
    ("es", "MXN", "gasté 20 dollars", "20", "USD"),
    ("pt", "BRL", "paguei 15 bucks", "15", "USD"),
    ("en", "USD", "200 reais", "200", "BRL"),
    ("en", "USD", "50 dólares", "50", "USD"),
    ("es", "NIO", "C$ 100", "100", "NIO"),  # C$ is the córdoba for a Nicaraguan
    ("en", "CAD", "C$ 100", "100", "CAD"),
    ("en", "USD", "C$ 100", "100", "CAD"),  # the family's default elsewhere
    ("es", "PYG", "Gs 50000 almuerzo", "50000", "PYG"),
    ("es", "PYG", "Gs. 50.000", "50000", "PYG"),
    ("es", "PYG", "50.000 Gs", "50000", "PYG"),
    ("es", "PYG", "₲ 50.000", "50000", "PYG"),
    ("es", "GTQ", "Q 50 almuerzo", "50", "GTQ"),
    ("es", "GTQ", "Q50", "50", "GTQ"),
    ("es", "HNL", "L 200", "200", "HNL"),
    ("es", "VES", "Bs.S 100", "100", "VES"),
    ("es", "BOB", "Bs 100", "100", "BOB"),
    ("es", "PAB", "B/. 25", "25", "PAB"),
    ("es", "CRC", "₡5000", "5000", "CRC"),
    ("es", "DOP", "RD$ 350", "350", "DOP"),
    ("es", "PEN", "S/ 30", "30", "PEN"),
    ("en", "USD", "A$ 30", "30", "AUD"),
    ("en", "USD", "HK$ 80", "80", "HKD"),
    ("en", "USD", "J$ 500", "500", "JMD"),
    ("es", "MXN", "20000 pesos colombianos", "20000", "COP"),
    ("es", "MXN", "50 guaraníes", "50", "PYG"),
    ("es", "MXN", "80 quetzales", "80", "GTQ"),
    ("es", "MXN", "100 lempiras", "100", "HNL"),
    ("es", "MXN", "100 córdobas", "100", "NIO"),
    ("es", "MXN", "100 colones", "100", "CRC"),
    ("es", "MXN", "100 balboas", "100", "PAB"),
    ("es", "MXN", "100 bolívares", "100", "VES"),
    ("es", "MXN", "100 wones", "100", "KRW"),
    ("es", "MXN", "100 yuanes", "100", "CNY"),
    ("pt", "BRL", "100 coroas suecas", "100", "SEK"),
    ("pt", "BRL", "100 rupias indianas", "100", "INR"),
    ("pt", "BRL", "100 francos suíços", "100", "CHF"),
    ("pt", "BRL", "100 lempiras", "100", "HNL"),
    ("pt", "BRL", "100 córdobas", "100", "NIO"),
    ("en", "USD", "100 gourdes", "100", "HTG"),
]


@pytest.mark.parametrize(("lang", "hint", "text", "amount", "currency"), NAMED)
def test_named(lang: str, hint: str, text: str, amount: str, currency: str) -> None:
    found = find_amounts(normalize(text), lang, hint)
    assert [(m.amount, m.currency, m.explicit) for m in found] == [(Decimal(amount), currency, True)]


@pytest.mark.parametrize(
    ("lang", "hint", "text"),
    [
        ("es", "MXN", "Q 50 almuerzo"),  # a capital letter is a sign only for its own users
        ("en", "USD", "Q3 50"),
        ("en", "USD", "size L 200"),
        ("es", "GTQ", "q 50"),  # lower case: chat's "que"
        ("es", "HNL", "l 200"),
    ],
)
def test_letters_are_signs_only_where_safe(lang: str, hint: str, text: str) -> None:
    assert all(not m.explicit for m in find_amounts(normalize(text), lang, hint))


TOP_TRADED = (
    "USD EUR JPY GBP CNY AUD CAD CHF HKD SGD SEK KRW NOK NZD INR MXN TWD ZAR BRL DKK PLN THB ILS IDR CZK AED "
    "TRY HUF CLP SAR PHP MYR COP RUB RON PEN ARS BOB CRC CUP DOP GTQ HNL NIO PAB PYG UYU VES HTG JMD TTD BSD "
    "BZD SRD GYD"
).split()


@pytest.mark.parametrize("lang", ["en", "es", "pt"])
def test_every_major_currency_has_a_name(lang: str) -> None:
    """Each has a word of its own in each language, beyond its ISO code (a family word counts when the
    currency is its default)."""
    named: set[str] = set()
    for word, marker in currency_words(lang).items():
        if word.upper() == marker:
            continue
        named.add(family(marker)[0] if marker.startswith("@") else marker)
    names = data.load_lang(lang, "currencies")["names"]
    named.update(code for code in names if not code.startswith("@"))
    assert [code for code in TOP_TRADED if code not in named] == []


@pytest.mark.parametrize(
    ("lang", "text", "currency"),
    [
        ("es", "gasté 20 quid en londres", "GBP"),  # English words in Spanish and Portuguese
        ("pt", "gastei 30 pounds no pub", "GBP"),
        ("es", "compré 2 pounds de carne", None),  # a weight, as "libras de carne"
    ],
)
def test_english_words_elsewhere(lang: str, text: str, currency: str | None) -> None:
    found = [m.currency for m in find_amounts(normalize(text), lang, "MXN") if m.explicit]
    assert found == ([currency] if currency else [])
