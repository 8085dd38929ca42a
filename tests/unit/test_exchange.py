"""Currency conversion: only at a configured source's rate; with none, no answer is made up."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from domain.exchange import convert
from domain.money import Money

DAY = date(2026, 12, 6)


class FixedRates:
    """A rate source with one known pair."""

    def __init__(self) -> None:
        self.asked: list[tuple[str, str, date]] = []

    async def rate(self, base: str, quote: str, on: date) -> Decimal | None:
        self.asked.append((base, quote, on))
        return Decimal("1.0512") if (base, quote) == ("EUR", "USD") else None


async def test_without_a_source_there_is_no_conversion() -> None:
    assert await convert(Money(Decimal("899"), "EUR"), "USD", DAY, None) is None


async def test_a_configured_rate_converts_and_rounds_to_the_currencys_cents() -> None:
    rates = FixedRates()
    found = await convert(Money(Decimal("899"), "EUR"), "usd", DAY, rates)
    assert found is not None
    assert found.converted == Money(Decimal("945.03"), "USD")
    assert (found.rate, found.on) == (Decimal("1.0512"), DAY)
    assert rates.asked == [("EUR", "USD", DAY)]


async def test_a_pair_the_source_lacks_is_no_conversion() -> None:
    assert await convert(Money(Decimal("10"), "GBP"), "BRL", DAY, FixedRates()) is None


async def test_the_same_currency_needs_no_rate() -> None:
    found = await convert(Money(Decimal("5"), "BRL"), "BRL", DAY, None)
    assert found is not None and found.converted == Money(Decimal("5"), "BRL")
