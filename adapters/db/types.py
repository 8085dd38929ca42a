"""Column types that behave the same on PostgreSQL and SQLite: aware UTC timestamps, JSON, ids."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql
from sqlalchemy.engine import Dialect

from domain.messages import Attachment


class UtcDateTime(sa.TypeDecorator[datetime]):
    """Timezone-aware UTC in and out. SQLite drops tzinfo, so values are stored as naive UTC there and
    re-tagged on the way out; naive input is refused because its zone would be a guess."""

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None or value.utcoffset() is None:
            raise ValueError(f"naive datetime {value!r}: timestamps must be timezone-aware")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


class Attachments(sa.TypeDecorator[tuple[Attachment, ...]]):
    """A message's attachments as a JSON list of [ref, content type] in a text column; NULL when none."""

    impl = sa.Text()
    cache_ok = True

    def process_bind_param(self, value: tuple[Attachment, ...] | None, dialect: Dialect) -> str | None:
        if not value:
            return None
        return json.dumps([[a.ref, a.content_type] for a in value], separators=(",", ":"))

    def process_result_value(self, value: str | None, dialect: Dialect) -> tuple[Attachment, ...]:
        if not value:
            return ()
        return tuple(Attachment(str(ref), str(kind)) for ref, kind in json.loads(value))


Json: sa.types.TypeEngine[Any] = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")
"""JSONB on PostgreSQL (indexable, normalized), JSON text on SQLite."""

Seq: sa.types.TypeEngine[int] = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
"""Autoincrement key: SQLite only autoincrements an INTEGER PRIMARY KEY, PostgreSQL gets a bigint."""

Id = sa.Uuid(as_uuid=True)
"""uuid on PostgreSQL, CHAR(32) hex on SQLite."""
