"""The same Alembic revisions build, tear down and rebuild the schema on PostgreSQL and SQLite."""

from __future__ import annotations

import asyncio
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine
from sqlalchemy.ext.asyncio import create_async_engine

from adapters.db import async_url, downgrade, upgrade
from adapters.db.tables import TENANT_TABLES, metadata

pytestmark = pytest.mark.integration

REPO = Path(__file__).resolve().parents[2]
EXPECTED = {"tenants", "channel_endpoints", "api_keys", *TENANT_TABLES}


async def _pg(url: str, query: str) -> list[tuple[object, ...]]:
    import asyncpg

    conn = await asyncpg.connect(url)
    try:
        return [tuple(row) for row in await conn.fetch(query)]
    finally:
        await conn.close()


def pg_tables(url: str) -> set[str]:
    rows = asyncio.run(_pg(url, "SELECT tablename FROM pg_tables WHERE schemaname = 'public'"))
    return {str(row[0]) for row in rows} - {"alembic_version"}


def sqlite_tables(path: Path) -> set[str]:
    with sqlite3.connect(path) as conn:
        rows = conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'").fetchall()
    return {row[0] for row in rows} - {"alembic_version", "sqlite_sequence"}


def test_postgresql_upgrade_downgrade_upgrade(pg_blank_database) -> None:
    url = pg_blank_database.owner_url
    upgrade(url)
    assert pg_tables(url) == EXPECTED
    security = asyncio.run(
        _pg(url, "SELECT relname, relrowsecurity, relforcerowsecurity FROM pg_class WHERE relkind = 'r'")
    )
    flags = {name: (enabled, forced) for name, enabled, forced in security}
    assert all(flags[table] == (True, True) for table in TENANT_TABLES), flags
    assert flags["tenants"] == (False, False), "the directory is how a tenant is found: no RLS"
    assert flags["channel_endpoints"] == (False, False), "routing finds the tenant: no RLS"
    policies = asyncio.run(
        _pg(url, "SELECT tablename FROM pg_policies WHERE policyname = 'tenant_isolation'")
    )
    assert {row[0] for row in policies} == set(TENANT_TABLES)

    downgrade(url)
    assert pg_tables(url) == set()
    assert asyncio.run(_pg(url, "SELECT 1 FROM pg_policies")) == []
    role = pg_blank_database.app_role
    roles = asyncio.run(_pg(url, f"SELECT 1 FROM pg_roles WHERE rolname = '{role}'"))
    assert roles, "the cluster-wide app role is kept on downgrade (other databases may use it)"

    upgrade(url)
    assert pg_tables(url) == EXPECTED


def test_sqlite_upgrade_downgrade_upgrade(tmp_path: Path) -> None:
    path = tmp_path / "centavo.db"
    upgrade(f"sqlite:///{path}")
    assert sqlite_tables(path) == EXPECTED
    downgrade(f"sqlite:///{path}")
    assert sqlite_tables(path) == set()
    upgrade(f"sqlite:///{path}")
    assert sqlite_tables(path) == EXPECTED


def _differences(sync_connection) -> list[object]:
    context = MigrationContext.configure(sync_connection, opts={"compare_type": True})
    return compare_metadata(context, metadata)


async def _pg_differences(url: str) -> list[object]:
    engine = create_async_engine(async_url(url))
    try:
        async with engine.connect() as conn:
            return await conn.run_sync(_differences)
    finally:
        await engine.dispose()


def test_tables_module_matches_the_migrations_on_postgresql(pg_database) -> None:
    """adapters/db/tables.py (what the repositories query) and the revisions describe the same schema."""
    assert asyncio.run(_pg_differences(pg_database.owner_url)) == []


def test_tables_module_matches_the_migrations_on_sqlite(sqlite_url: str) -> None:
    engine = create_engine(sqlite_url)
    try:
        with engine.connect() as conn:
            assert _differences(conn) == []
    finally:
        engine.dispose()


def test_alembic_command_line_takes_the_url_from_x_then_environment(tmp_path: Path) -> None:
    """`alembic -x url=...` beats MIGRATION_DATABASE_URL, which beats DATABASE_URL; works from any cwd."""
    x_db, migration_db, app_db = (tmp_path / name for name in ("x.db", "migration.db", "app.db"))
    env = {
        **os.environ,
        "MIGRATION_DATABASE_URL": f"sqlite:///{migration_db}",
        "DATABASE_URL": f"sqlite:///{app_db}",
    }
    alembic = [sys.executable, "-m", "alembic", "-c", str(REPO / "alembic.ini")]
    subprocess.run(
        [*alembic, "-x", f"url=sqlite:///{x_db}", "upgrade", "head"], env=env, cwd=tmp_path, check=True
    )
    assert sqlite_tables(x_db) == EXPECTED
    assert not migration_db.exists()
    subprocess.run([*alembic, "upgrade", "head"], env=env, cwd=tmp_path, check=True)
    assert sqlite_tables(migration_db) == EXPECTED
    assert not app_db.exists()
