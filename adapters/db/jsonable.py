"""Turn domain values (dataclasses, Money, dates, ids, enums) into JSON-native data for JSON columns."""

from __future__ import annotations

import dataclasses
import enum
import uuid
from collections.abc import Mapping
from datetime import UTC, date, datetime
from decimal import Decimal

from domain.money import Money


def to_jsonable(value: object) -> object:
    """Money -> {"amount": "12.30", "currency": "BRL"}; dates ISO; uuids, Decimals str; enums their value."""
    if value is None or isinstance(value, bool | int | float):
        return value
    if isinstance(value, enum.Enum):  # before str: the domain's enums are str subclasses
        return value.value
    if isinstance(value, str):
        return value
    if isinstance(value, Money):
        return {"amount": str(value.quantized().amount), "currency": value.currency}
    if isinstance(value, Decimal | uuid.UUID):
        return str(value)
    if isinstance(value, datetime):  # before date: datetime is a date
        if value.tzinfo is None:
            raise ValueError(f"naive datetime {value!r}: timestamps must be timezone-aware")
        return value.astimezone(UTC).isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: to_jsonable(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, Mapping):
        return {str(k): to_jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [to_jsonable(v) for v in value]
    raise TypeError(f"cannot store {type(value).__name__} as JSON")
