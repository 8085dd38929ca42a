"""Shared fixtures: a private PostgreSQL database and Redis database number per test run, or a clear skip."""

from __future__ import annotations

import asyncio
import os
import secrets
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from typing import NoReturn

import pytest
from sqlalchemy.engine import URL, make_url

POSTGRES_ADMIN_URL = os.environ.get("TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
"""A superuser connection; each run creates (and drops) its own databases through it."""
REDIS_BASE_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379")
APP_ROLE = os.environ.get("CENTAVO_APP_ROLE", "centavo_app")


def unavailable(service: str, error: BaseException) -> NoReturn:
    """CI must not pass with the real services missing; a bare machine skips with the reason."""
    message = f"{service} is not reachable ({type(error).__name__}: {error})"
    if os.environ.get("CI", "").strip().lower() in ("1", "true", "yes"):
        pytest.fail(f"{message}; CI=true requires it", pytrace=False)
    pytest.skip(f"{message}; start it to run these tests (CI=true turns this skip into a failure)")


@dataclass(frozen=True)
class PgDatabase:
    """A throwaway PostgreSQL database."""

    name: str
    owner_url: str
    """As postgres (superuser, owns the tables, bypasses RLS): migrations and checks behind the app's back."""
    app_url: str
    """As the application role: owns nothing, no BYPASSRLS, so Row-Level Security applies."""
    app_role: str = APP_ROLE


def _url(url: URL) -> str:
    return url.render_as_string(hide_password=False)


def _admin(*statements: str) -> None:
    """Run statements as the superuser, on a thread of its own so it works even inside a running loop."""
    import asyncpg

    async def run() -> None:
        conn = await asyncpg.connect(POSTGRES_ADMIN_URL, timeout=5)
        try:
            for statement in statements:
                await conn.execute(statement)
        finally:
            await conn.close()

    with ThreadPoolExecutor(max_workers=1) as pool:
        pool.submit(asyncio.run, run()).result()


@pytest.fixture(scope="session")
def postgres_server() -> str:
    """The admin URL, once PostgreSQL has answered."""
    import asyncpg

    try:
        _admin("SELECT 1")
    except (OSError, TimeoutError, asyncpg.PostgresError, asyncpg.InterfaceError) as exc:
        unavailable(f"PostgreSQL at {make_url(POSTGRES_ADMIN_URL).render_as_string()}", exc)
    return POSTGRES_ADMIN_URL


@contextmanager
def temporary_pg_database(*, migrated: bool) -> Iterator[PgDatabase]:
    """A new database with a unique name, migrated as its owner when asked, dropped (FORCE) afterwards."""
    from adapters.db.migrate import upgrade

    name = f"centavo_test_{os.getpid()}_{secrets.token_hex(4)}"
    admin = make_url(POSTGRES_ADMIN_URL)
    _admin(f'CREATE DATABASE "{name}"')
    try:
        db = PgDatabase(
            name=name,
            owner_url=_url(admin.set(database=name)),
            app_url=_url(admin.set(username=APP_ROLE, password=None, database=name)),
        )
        if migrated:
            upgrade(db.owner_url)
        yield db
    finally:
        _admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="module")
def pg_database(postgres_server: str) -> Iterator[PgDatabase]:
    """A migrated database shared by one test module (tests keep apart by creating their own tenants)."""
    with temporary_pg_database(migrated=True) as db:
        yield db


@pytest.fixture
def pg_blank_database(postgres_server: str) -> Iterator[PgDatabase]:
    """An empty database for one test (migration tests)."""
    with temporary_pg_database(migrated=False) as db:
        yield db


@pytest.fixture
def redis_url() -> Iterator[str]:
    """redis://host:port/N on a database number of this run's own, flushed before and after."""
    with redis_database() as url:
        yield url


def _redis_db_number() -> int:
    """TEST_REDIS_DB (else one picked by process id), moved along by the pytest-xdist worker's index, so the
    two workers of `make test` never flush each other's database. 0 is left to whoever uses Redis by hand."""
    worker = os.environ.get("PYTEST_XDIST_WORKER", "")
    index = int(worker[2:]) if worker.startswith("gw") and worker[2:].isdigit() else 0
    # Under xdist the workers share their parent: its pid gives them one base, their index keeps them apart.
    default = 1 + (os.getppid() if worker else os.getpid()) % 15
    base = int(os.environ.get("TEST_REDIS_DB", default))
    return 1 + (base - 1 + index) % 15


@contextmanager
def redis_database() -> Iterator[str]:
    """This run's Redis database (TEST_REDIS_DB), flushed on entry and exit; a clear skip (or, with CI=true,
    a failure) when Redis is unreachable. Fixtures of any scope wrap it."""
    import redis

    number = _redis_db_number()
    url = f"{REDIS_BASE_URL.rstrip('/')}/{number}"
    client = redis.Redis.from_url(url, socket_connect_timeout=2, socket_timeout=5)
    try:
        client.flushdb()
    except Exception as exc:
        client.close()
        unavailable(f"Redis at {REDIS_BASE_URL}", exc)
    try:
        yield url
    finally:
        client.flushdb()
        client.close()
