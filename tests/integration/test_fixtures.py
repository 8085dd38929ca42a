"""The fixtures give each run private, reachable services: its own PostgreSQL database and Redis db number."""

from __future__ import annotations

import asyncpg
import pytest
import redis.asyncio as redis

from adapters.db import Database
from adapters.db.migrate import head_revision

pytestmark = pytest.mark.integration


async def test_postgresql_database_is_private_and_migrated(pg_database) -> None:
    assert pg_database.name.startswith("centavo_test_")
    conn = await asyncpg.connect(pg_database.owner_url)
    try:
        assert await conn.fetchval("SELECT current_database()") == pg_database.name
        assert await conn.fetchval("SELECT version_num FROM alembic_version") == head_revision()
    finally:
        await conn.close()
    db = Database(pg_database.app_url)
    try:
        await db.ping()
    finally:
        await db.dispose()


async def test_redis_database_is_empty_and_usable(redis_url: str) -> None:
    client = redis.Redis.from_url(redis_url)
    try:
        assert await client.dbsize() == 0
        await client.set("centavo:test", "1", ex=60)
        assert await client.get("centavo:test") == b"1"
    finally:
        await client.aclose()
