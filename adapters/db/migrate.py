"""Run the Alembic migrations programmatically (from the CLI, tests or app start-up), from any cwd."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import TypeVar

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import pool
from sqlalchemy.engine import URL
from sqlalchemy.ext.asyncio import create_async_engine

from adapters.db.urls import async_url

MIGRATIONS_DIR = Path(__file__).resolve().parents[2] / "migrations"
"""The repository's migrations/ directory, found relative to this package rather than the cwd."""


def alembic_config(url: str | URL) -> Config:
    """An Alembic Config for `url` without alembic.ini (env.py reads the URL from config.attributes)."""
    config = Config()
    # ConfigParser interpolates '%', so a path containing one must be escaped.
    config.set_main_option("script_location", str(MIGRATIONS_DIR).replace("%", "%%"))
    config.set_main_option("path_separator", "os")
    config.attributes["url"] = url.render_as_string(hide_password=False) if isinstance(url, URL) else url
    return config


T = TypeVar("T")


def _outside_any_loop(fn: Callable[[], T]) -> T:
    """Alembic's async env calls asyncio.run, which refuses to nest: when called from inside a running
    loop (a sync helper used by async code), run it on a worker thread and wait."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return fn()
    with ThreadPoolExecutor(max_workers=1) as executor:
        return executor.submit(fn).result()


def head_revision() -> str | None:
    """The newest revision in migrations/ (what `upgrade` goes to); None when there is none."""
    return ScriptDirectory.from_config(alembic_config("sqlite://")).get_current_head()


def current_revision(url: str | URL) -> str | None:
    """The revision the database at `url` is at; None when it has no schema yet (an empty database)."""

    async def read() -> str | None:
        # NullPool: one short look; nothing should outlive it.
        engine = create_async_engine(async_url(url), poolclass=pool.NullPool)
        try:
            async with engine.connect() as connection:
                return await connection.run_sync(
                    lambda sync: MigrationContext.configure(sync).get_current_revision()
                )
        finally:
            await engine.dispose()

    return _outside_any_loop(lambda: asyncio.run(read()))


def upgrade(url: str | URL, revision: str = "head") -> None:
    """Migrate the database up to `revision`. Blocks until done (prefer upgrade_async inside a loop)."""
    _outside_any_loop(lambda: command.upgrade(alembic_config(url), revision))


def downgrade(url: str | URL, revision: str = "base") -> None:
    _outside_any_loop(lambda: command.downgrade(alembic_config(url), revision))


async def upgrade_async(url: str | URL, revision: str = "head") -> None:
    """upgrade() from inside a running event loop: alembic's env calls asyncio.run, so it gets a thread."""
    await asyncio.to_thread(upgrade, url, revision)


async def downgrade_async(url: str | URL, revision: str = "base") -> None:
    await asyncio.to_thread(downgrade, url, revision)
