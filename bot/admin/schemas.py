"""Shared parts of the API's models: strict bases, safe text, Decimal amounts, pages, listing queries."""

from __future__ import annotations

import re
import typing
from collections.abc import Iterator
from datetime import date, time
from decimal import Decimal
from typing import Annotated, Any, Generic, Literal, TypeVar

from pydantic import (
    AwareDatetime,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    FutureDate,
    FutureDatetime,
    NaiveDatetime,
    PastDate,
    PastDatetime,
    WithJsonSchema,
)
from pydantic_core import PydanticCustomError

# No NUL (PostgreSQL cannot store it) and no other C0 control but tab, newline and carriage return.
SAFE_TEXT = r"^[^\x00-\x08\x0b\x0c\x0e-\x1f]*$"

MAX_PAGE = 200
DEFAULT_PAGE = 50


# With an exponent too: schemathesis found GET /transactions?to=5.752330259458643e-51 answered 200.
_NUMBER = re.compile(r"^\s*[-+]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][-+]?[0-9]+)?\s*$")
TEMPORAL = (date, time, AwareDatetime, NaiveDatetime, PastDate, FutureDate, PastDatetime, FutureDatetime)
"""What pydantic reads as a date or time (its AwareDatetime and the like are not datetime subclasses)."""


def _types(annotation: Any) -> Iterator[Any]:
    """Every type inside an annotation (unions, Annotated, containers)."""
    args = typing.get_args(annotation)
    if not args:
        yield annotation
    for arg in args:
        yield from _types(arg)


def numbers_for_dates(model: type[BaseModel], data: Any, where: str) -> list[str]:
    """The fields of `data` (a query or JSON body) where a date or date-time is due and a number was sent:
    pydantic reads "0" or "1700000000" as a Unix time, even in strict mode, where the document says ISO 8601
    text (format date, date-time). Nested models are followed."""
    if not isinstance(data, dict):
        return []
    found = []
    for field_name, info in model.model_fields.items():
        alias = info.validation_alias if isinstance(info.validation_alias, str) else info.alias
        name = alias or field_name  # what the request calls it ("from" for from_)
        value = data.get(name)
        types = [t for t in _types(info.annotation) if isinstance(t, type)]
        temporal = any(issubclass(t, TEMPORAL) for t in types)
        if temporal and isinstance(value, str) and _NUMBER.fullmatch(value):
            found.append(f"{where}.{name}")
        for nested in (t for t in types if issubclass(t, BaseModel)):
            found += numbers_for_dates(nested, value, f"{where}.{name}")
    return found


class Strict(BaseModel):
    """Every request model: unknown fields are refused, so a typo is an error instead of a silent no-op."""

    model_config = ConfigDict(extra="forbid")


class Out(BaseModel):
    """Every response model."""

    model_config = ConfigDict(extra="forbid")


def text(max_length: int, *, min_length: int = 0) -> object:
    """A string field's constraints: bounded, no control characters."""
    return Field(min_length=min_length, max_length=max_length, pattern=SAFE_TEXT)


Name = Annotated[str, Field(min_length=1, max_length=120, pattern=SAFE_TEXT)]
Note = Annotated[str, Field(max_length=500, pattern=SAFE_TEXT)]
Merchant = Annotated[str, Field(max_length=120, pattern=SAFE_TEXT)]
Currency = Annotated[str, Field(pattern=r"^[A-Za-z]{3}$")]
Phone = Annotated[
    str,
    Field(
        min_length=9,
        max_length=32,
        # E.164 (+, then 8 to 15 digits, the first not 0), the digits maybe parted by the spaces, dots, dashes
        # and parentheses people type: domain.validation.phone takes all of it, so the document promises no
        # more than the domain keeps.
        pattern=r"^\+[1-9](?:[ ().\-]{0,2}[0-9]){7,14}$",
        description="International format, e.g. +55 11 98765-4321",
    ),
]
Category = Annotated[str, Field(max_length=64, pattern=SAFE_TEXT)]

Percent = Annotated[int, Field(ge=1, le=500)]
"""An alert threshold in percent of a budget (domain.validation.thresholds)."""

AMOUNT_TEXT = r"^-?[0-9]{1,16}(\.[0-9]{1,6})?$"
AMOUNT_LIMIT = 10**16
_AMOUNT_TEXT = re.compile(AMOUNT_TEXT)


def _plain_amount(value: Any) -> Any:
    """A string amount is plain ASCII digits (Decimal() alone would also read "1_000", " 5", "1e3" and other
    scripts' digits). Strings and numbers become Decimal here, so the strict typing pass (dispatch) sees the
    type it checks; the JSON body's numbers are already Decimal when the values are read."""
    if isinstance(value, bool):
        raise PydanticCustomError("decimal_type", "an amount is a decimal string or a number")
    if isinstance(value, str):
        if not _AMOUNT_TEXT.fullmatch(value):
            raise PydanticCustomError(
                "amount_format", "a plain decimal such as 12.50: at most 16 digits, a point, 6 decimals"
            )
        return Decimal(value)
    if isinstance(value, int | float):
        return Decimal(repr(value))
    return value


Amount = Annotated[
    Decimal,
    BeforeValidator(_plain_amount),
    Field(max_digits=22, decimal_places=6, allow_inf_nan=False),
    WithJsonSchema(
        {
            "anyOf": [
                {"type": "string", "pattern": AMOUNT_TEXT},
                {"type": "number", "exclusiveMinimum": -AMOUNT_LIMIT, "exclusiveMaximum": AMOUNT_LIMIT},
            ],
            "description": "A decimal string or number, at most 6 decimals (and the currency's precision)",
        },
        mode="validation",
    ),
]
"""Request amounts: a string ("12.50") or a JSON number, read as Decimal (JSON numbers are parsed as
Decimal before validation, so a float never exists). The currency's precision is checked by the domain."""

AmountText = Annotated[
    str, Field(pattern=r"^-?[0-9]+(\.[0-9]+)?$", description="A plain decimal, e.g. 12.50")
]
"""Response amounts: plain decimal strings, exact."""


class ListQuery(Strict):
    """What every listing accepts besides its filters."""

    cursor: str | None = Field(default=None, max_length=512, pattern=r"^[A-Za-z0-9_\-=]*$")
    """The `next_cursor` of the previous page."""
    limit: int = Field(default=DEFAULT_PAGE, ge=1, le=MAX_PAGE)
    format: Literal["json", "csv"] | None = None
    """csv: the whole listing (every page) streamed as CSV; the same as `Accept: text/csv`."""


T = TypeVar("T", bound=BaseModel)


class Page(Out, Generic[T]):
    """One page of a listing, newest first; pass `next_cursor` back as `cursor` for the next one."""

    items: list[T]
    next_cursor: str | None
