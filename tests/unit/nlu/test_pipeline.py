"""The pipeline's own decisions: a number that names a merchant, and fields gated by intent."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

import pytest

from nlu import parse, read_payee

NOW = datetime.fromisoformat("2026-11-18T15:00:00-03:00")


@pytest.mark.parametrize(
    ("text", "lang", "merchant", "amount"),
    [
        ("peguei um 99 de 23 reais", "pt", "99", "23"),
        ("7-eleven 12", "en", "7-Eleven", "12"),
        ("gastei 45 no mercado", "pt", None, "45"),
        ("uber 99", "pt", "Uber", "99"),
    ],
)
def test_a_number_is_a_merchant_only_when_a_merchant_is_named_by_it(
    text: str, lang: str, merchant: str | None, amount: str
) -> None:
    result = parse(text, now=NOW, lang=lang, currency="BRL")
    assert result.merchant == merchant
    assert result.amount == Decimal(amount)


def test_a_question_gets_a_period_and_a_transaction_a_day() -> None:
    asked = parse("quanto gastei ontem?", now=NOW, lang="pt", currency="BRL")
    told = parse("gastei 30 no mercado ontem", now=NOW, lang="pt", currency="BRL")
    assert asked.date is None and asked.period is not None and asked.period.start.isoformat() == "2026-11-17"
    assert told.period is None and told.date is not None and told.date.isoformat() == "2026-11-17"


@pytest.mark.parametrize(
    ("text", "lang", "expected"),
    [
        ("mercado", "pt", (None, "groceries")),
        ("uber", "pt", ("Uber", "transport")),
        ("almoço com a Ana", "pt", (None, "dining")),
        ("en la farmacia", "es", (None, "health")),
        ("gasolina", "es", (None, "transport")),
        ("Starbucks", "en", ("Starbucks", "dining")),
        ("groceries", "en", (None, "groceries")),
        ("sei lá", "pt", (None, None)),
        ("whatever", "en", (None, None)),
    ],
)
def test_read_payee_reads_an_answer_to_what_it_was_for(
    text: str, lang: str, expected: tuple[str | None, str | None]
) -> None:
    assert read_payee(text, lang) == expected
