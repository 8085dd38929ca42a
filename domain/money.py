"""Money: a Decimal amount with an ISO 4217 currency; never a float, never mixed across currencies."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_EVEN, Decimal, InvalidOperation
from functools import lru_cache

from babel.numbers import get_currency_precision, list_currencies

from domain.errors import CurrencyMismatch, ValidationError


@lru_cache(maxsize=1)
def _known_currencies() -> frozenset[str]:
    return frozenset(list_currencies())


def normalize_currency(code: object, field: str = "currency") -> str:
    """Return the upper-case ISO 4217 code, or raise ValidationError naming `field`."""
    if not isinstance(code, str) or not code.strip():
        raise ValidationError(field, "a currency code is required", reason="required")
    upper = code.strip().upper()
    if upper not in _known_currencies():
        raise ValidationError(field, f"unknown currency code {code!r}", reason="unknown_currency")
    return upper


def minor_units(currency: str) -> int:
    """Digits after the decimal point for the currency (JPY 0, BRL 2, BHD 3), from Babel's CLDR data."""
    return int(get_currency_precision(currency))


def to_decimal(value: object, field: str = "amount") -> Decimal:
    """Parse an amount given as Decimal, int or str; floats are refused because they are not exact."""
    if isinstance(value, bool) or isinstance(value, float):
        raise ValidationError(field, "amounts must be given as decimal strings, not floats")
    if isinstance(value, Decimal):
        result = value
    elif isinstance(value, int):
        result = Decimal(value)
    elif isinstance(value, str):
        try:
            result = Decimal(value.strip())
        except InvalidOperation:
            raise ValidationError(field, f"not a number: {value!r}") from None
    elif value is None:
        raise ValidationError(field, "an amount is required", reason="required")
    else:
        raise ValidationError(field, f"not a number: {value!r}")
    if not result.is_finite():
        raise ValidationError(field, "the amount must be a finite number")
    return result


@dataclass(frozen=True, slots=True)
class Money:
    """An exact amount in one currency. Arithmetic keeps full precision; `quantized()` rounds for storage."""

    amount: Decimal
    """The amount; may carry more digits than the currency while computing (shares, averages)."""
    currency: str
    """ISO 4217 code, upper case."""

    def __post_init__(self) -> None:
        object.__setattr__(self, "amount", to_decimal(self.amount))
        object.__setattr__(self, "currency", normalize_currency(self.currency))

    # -- construction -------------------------------------------------------------------------------
    @classmethod
    def of(cls, amount: object, currency: object, field: str = "amount") -> Money:
        """Strict constructor for input: refuses more precision than the currency's minor unit allows."""
        code = normalize_currency(currency)
        value = to_decimal(amount, field)
        exponent = value.normalize().as_tuple().exponent
        assert isinstance(exponent, int)
        if -exponent > minor_units(code):
            raise ValidationError(
                field,
                f"{value} has more decimal places than {code} allows ({minor_units(code)})",
                reason="too_precise",
            )
        return cls(value, code).quantized()

    @classmethod
    def zero(cls, currency: str) -> Money:
        return cls(Decimal(0), currency).quantized()

    @classmethod
    def from_minor(cls, minor: int, currency: str) -> Money:
        """Build from an integer count of minor units (cents), as stored in the database."""
        code = normalize_currency(currency)
        return cls(Decimal(minor).scaleb(-minor_units(code)), code)

    # -- conversion ---------------------------------------------------------------------------------
    def quantized(self) -> Money:
        """Rounded half-even to the currency's minor unit."""
        exp = Decimal(1).scaleb(-minor_units(self.currency))
        return Money(self.amount.quantize(exp, rounding=ROUND_HALF_EVEN), self.currency)

    def to_minor(self) -> int:
        """Integer minor units; exact because the amount is quantized first."""
        return int(self.quantized().amount.scaleb(minor_units(self.currency)))

    # -- arithmetic ---------------------------------------------------------------------------------
    def _same(self, other: Money) -> None:
        if not isinstance(other, Money):
            raise TypeError(f"cannot combine Money with {type(other).__name__}")
        if other.currency != self.currency:
            raise CurrencyMismatch(f"cannot combine {self.currency} with {other.currency}")

    def __add__(self, other: Money) -> Money:
        self._same(other)
        return Money(self.amount + other.amount, self.currency)

    def __sub__(self, other: Money) -> Money:
        self._same(other)
        return Money(self.amount - other.amount, self.currency)

    def __neg__(self) -> Money:
        return Money(-self.amount, self.currency)

    def __mul__(self, factor: Decimal | int) -> Money:
        if isinstance(factor, float | Money) or isinstance(factor, bool):
            raise TypeError("Money can only be multiplied by a Decimal or int")
        return Money(self.amount * Decimal(factor), self.currency)

    __rmul__ = __mul__

    def __truediv__(self, divisor: Decimal | int) -> Money:
        if isinstance(divisor, float | Money) or isinstance(divisor, bool):
            raise TypeError("Money can only be divided by a Decimal or int")
        return Money(self.amount / Decimal(divisor), self.currency)

    def ratio(self, other: Money) -> Decimal:
        """self / other as a plain Decimal (a share used); same currency required."""
        self._same(other)
        return self.amount / other.amount

    def __lt__(self, other: Money) -> bool:
        self._same(other)
        return self.amount < other.amount

    def __le__(self, other: Money) -> bool:
        self._same(other)
        return self.amount <= other.amount

    def __gt__(self, other: Money) -> bool:
        self._same(other)
        return self.amount > other.amount

    def __ge__(self, other: Money) -> bool:
        self._same(other)
        return self.amount >= other.amount

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Money):
            return NotImplemented
        return self.currency == other.currency and self.amount == other.amount

    def __hash__(self) -> int:
        return hash((self.amount.normalize(), self.currency))

    def is_positive(self) -> bool:
        return self.amount > 0

    def __str__(self) -> str:
        # Plain, locale-free form for logs and tests; user-facing text is formatted by Babel at the edge.
        return f"{self.quantized().amount} {self.currency}"
