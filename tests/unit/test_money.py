"""Money: exact amounts, one currency at a time, and input precision checked against the currency."""

from __future__ import annotations

from decimal import Decimal

import pytest

from domain.errors import CurrencyMismatch, ValidationError
from domain.money import Money


def test_adding_and_comparing_different_currencies_is_refused() -> None:
    brl, usd = Money.of("10", "BRL"), Money.of("10", "USD")
    with pytest.raises(CurrencyMismatch):
        _ = brl + usd
    with pytest.raises(CurrencyMismatch):
        _ = brl - usd
    with pytest.raises(CurrencyMismatch):
        _ = brl < usd
    with pytest.raises(CurrencyMismatch):
        brl.ratio(usd)
    assert brl != usd


def test_floats_are_refused_everywhere() -> None:
    with pytest.raises(ValidationError) as err:
        Money.of(0.1, "BRL")
    assert err.value.field == "amount"
    with pytest.raises(ValidationError):
        Money(0.1, "BRL")  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        _ = Money.of("1", "BRL") * 1.5  # type: ignore[operator]
    with pytest.raises(TypeError):
        _ = Money.of("1", "BRL") / 2.0  # type: ignore[operator]


def test_same_currency_arithmetic_is_exact() -> None:
    total = Money.of("0.10", "BRL") + Money.of("0.20", "BRL")
    assert total == Money.of("0.30", "BRL")
    assert (Money.of("10", "BRL") / 3).quantized() == Money.of("3.33", "BRL")


@pytest.mark.parametrize(
    ("currency", "accepted", "refused"),
    [
        ("JPY", ["1500", "1500.0", "1e3"], ["1500.5", "0.1"]),
        ("BRL", ["45.90", "45.9", "45", "45.900"], ["45.901", "0.001"]),
        ("BHD", ["1.234", "1.2", "7"], ["1.2345"]),
    ],
)
def test_of_allows_exactly_the_currencys_minor_units(
    currency: str, accepted: list[str], refused: list[str]
) -> None:
    for text in accepted:
        money = Money.of(text, currency)
        assert money.amount == Decimal(text)
        assert money.currency == currency
    for text in refused:
        with pytest.raises(ValidationError) as err:
            Money.of(text, currency)
        assert err.value.field == "amount"


def test_minor_units_round_trip() -> None:
    assert Money.of("45.90", "BRL").to_minor() == 4590
    assert Money.from_minor(4590, "BRL") == Money.of("45.90", "BRL")
    assert Money.of("1500", "JPY").to_minor() == 1500
    assert Money.from_minor(1234, "BHD") == Money.of("1.234", "BHD")


def test_unknown_currency_names_the_field() -> None:
    with pytest.raises(ValidationError) as err:
        Money.of("10", "XYZ")
    assert err.value.field == "currency"
    assert Money.of("10", " brl ").currency == "BRL"
