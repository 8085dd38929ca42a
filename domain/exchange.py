"""Converting an amount to another currency: only at a rate a configured source gives, never a guessed one."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from domain import validation as v
from domain.money import Money
from domain.ports import ExchangeRates


@dataclass(frozen=True, slots=True)
class Conversion:
    """An amount in another currency, with the rate and the day it came from."""

    original: Money
    converted: Money
    rate: Decimal
    """Units of the new currency per unit of the original."""
    on: date


async def convert(money: Money, quote: str, on: date, rates: ExchangeRates | None) -> Conversion | None:
    """`money` in `quote` at the source's rate for `on`; None when no source is configured or it has no rate
    for that pair (the caller says so: an invented rate would be a guess written as a fact)."""
    code = v.currency(quote)
    if code == money.currency:
        return Conversion(money, money, Decimal(1), on)
    if rates is None:
        return None
    rate = await rates.rate(money.currency, code, on)
    if rate is None or rate <= 0:
        return None
    return Conversion(money, Money(money.amount * rate, code).quantized(), rate, on)
