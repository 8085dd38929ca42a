"""The NLU's reading of earlier transactions: the reference, the change, and an entry's note."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

import nlu

NOW = datetime(2026, 12, 6, 15, 0, tzinfo=UTC)


def _parse(text: str, lang: str, currency: str = "USD") -> nlu.Parse:
    return nlu.parse(text, now=NOW, lang=lang, currency=currency, tz="America/Sao_Paulo")


@pytest.mark.parametrize(
    ("text", "lang", "merchant", "category", "amount", "day", "words"),
    [
        ("delete the netflix one", "en", "Netflix", None, None, None, ()),
        ("borra el de amazon de ayer", "es", "Amazon", None, None, date(2026, 12, 5), ()),
        ("delete the couch one", "en", None, "housing", None, None, ("couch",)),
        ("apaga o do sofá", "pt", None, "housing", None, None, ("sofa",)),
        ("the uber was 25 not 23.40", "en", "Uber", None, Decimal("23.40"), None, ()),
        ("muda o mercado de ontem pra 85", "pt", None, "groceries", None, date(2026, 12, 5), ("mercado",)),
    ],
)
def test_the_transaction_named(text, lang, merchant, category, amount, day, words) -> None:
    ref = _parse(text, lang).reference
    assert ref is not None
    assert (ref.merchant, ref.category, ref.amount, ref.date, ref.words) == (
        merchant,
        category,
        amount,
        day,
        words,
    )


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("undo", "en"),
        ("delete that", "en"),
        ("oops, didn't mean to add that", "en"),
        ("undo the last expense", "en"),
        ("change it to 35", "en"),
        ("cambialo a 35", "es"),
        ("bórralo porfa, me confundí", "es"),
        ("muda pra 35", "pt"),
        ("apaga o que eu acabei de mandar", "pt"),
    ],
)
def test_the_last_one_is_meant_when_nothing_is_named(text: str, lang: str) -> None:
    assert _parse(text, lang).reference is None


@pytest.mark.parametrize(
    ("text", "lang", "amount", "category"),
    [
        ("the uber was 25 not 23.40", "en", Decimal("25"), None),
        ("change the starbucks one to groceries", "en", None, "groceries"),
        ("cambia el de starbucks a super", "es", None, "groceries"),
        ("muda o mercado de ontem pra 85", "pt", Decimal("85"), None),
    ],
)
def test_the_new_value_is_read_apart_from_the_transaction_named(text, lang, amount, category) -> None:
    parse = _parse(text, lang)
    assert parse.intent == "edit_last"
    assert parse.change is not None and (parse.change.amount, parse.change.category) == (amount, category)
    # The target's own category (Starbucks: dining) is not taken for the new one.
    assert parse.reference is not None and (category is None or parse.reference.category != category)


@pytest.mark.parametrize(
    ("text", "lang", "note"),
    [
        ("bought a couch 450", "en", "couch"),
        ("comprei um sofá 450", "pt", "sofá"),
        ("lunch 11.99", "en", "lunch"),
        ("spent 25 at Starbucks", "en", None),
        ("uber 23", "en", None),
    ],
)
def test_an_entry_keeps_its_own_words_as_the_note(text: str, lang: str, note: str | None) -> None:
    assert _parse(text, lang).note == note


def test_search_reads_what_is_looked_for_and_the_period() -> None:
    parse = _parse("search couch in november", "en")
    assert parse.intent == "search"
    assert parse.reference is not None and parse.reference.words == ("couch",)
    assert parse.period is not None and parse.period.start == date(2026, 11, 1)


def test_the_contract_output_carries_the_new_fields() -> None:
    out = _parse("the uber was 25 not 23.40", "en").to_json()
    assert out["reference"] == {
        "merchant": "Uber",
        "category": None,
        "amount": "23.40",
        "date": None,
        "words": [],
    }
    # No currency written: null, and the transaction keeps its own.
    assert out["change"] == {"amount": "25", "currency": None, "category": None}
    assert _parse("bought a couch 450", "en").to_json()["note"] == "couch"
