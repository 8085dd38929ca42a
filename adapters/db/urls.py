"""Database URL handling: plain postgresql:// and sqlite:/// URLs become their asyncio driver URLs."""

from __future__ import annotations

from typing import Literal

from sqlalchemy.engine import URL, make_url

Dialect = Literal["postgresql", "sqlite"]


def dialect_of(url: str | URL) -> Dialect:
    """'postgresql' or 'sqlite'; anything else is refused, since the migrations support only these two."""
    backend = make_url(url).get_backend_name()
    if backend in ("postgresql", "postgres"):
        return "postgresql"
    if backend == "sqlite":
        return "sqlite"
    raise ValueError(f"unsupported database {backend!r}: use a postgresql:// or sqlite:/// URL")


def async_url(url: str | URL) -> URL:
    """The URL with its asyncio driver: postgresql+asyncpg or sqlite+aiosqlite."""
    parsed = make_url(url)
    driver = "postgresql+asyncpg" if dialect_of(parsed) == "postgresql" else "sqlite+aiosqlite"
    return parsed.set(drivername=driver)


def is_memory_sqlite(url: str | URL) -> bool:
    """True for sqlite:// and sqlite:///:memory: (one private database per connection)."""
    parsed = make_url(url)
    return dialect_of(parsed) == "sqlite" and parsed.database in (None, "", ":memory:")
