"""Run the Alembic migrations programmatically (from the CLI, tests or app start-up), from any cwd."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy.engine import URL

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


def _outside_any_loop(fn: Callable[[], None]) -> None:
    """Alembic's async env calls asyncio.run, which refuses to nest: when called from inside a running
    loop (a sync helper used by async code), run it on a worker thread and wait."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        fn()
        return
    with ThreadPoolExecutor(max_workers=1) as pool:
        pool.submit(fn).result()


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
