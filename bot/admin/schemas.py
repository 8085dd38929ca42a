"""Shared parts of the API's models: strict bases, safe text, Decimal amounts, pages, listing queries."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Generic, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field

# No NUL (PostgreSQL cannot store it) and no other C0 control but tab, newline and carriage return.
SAFE_TEXT = r"^[^\x00-\x08\x0b\x0c\x0e-\x1f]*$"

MAX_PAGE = 200
DEFAULT_PAGE = 50


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
Phone = Annotated[str, Field(min_length=2, max_length=32, pattern=r"^\+?[0-9 ()\-.]{1,31}$")]
Category = Annotated[str, Field(max_length=64, pattern=SAFE_TEXT)]

Amount = Annotated[
    Decimal,
    Field(max_digits=22, decimal_places=6, allow_inf_nan=False, description="A decimal string or number"),
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
