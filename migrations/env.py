"""Alembic environment: an async engine built with the application's URL rules, for PostgreSQL or SQLite."""

from __future__ import annotations

import asyncio
import os
from logging.config import fileConfig
from typing import Any

from alembic import context
from sqlalchemy import pool
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import create_async_engine

from adapters.db.tables import metadata
from adapters.db.urls import async_url

DEFAULT_URL = "sqlite:///./centavo.db"

config = context.config
if config.config_file_name is not None:
    # Only when run as `alembic ...` with alembic.ini; programmatic runs keep the caller's logging.
    fileConfig(config.config_file_name, disable_existing_loggers=False)


def database_url() -> str:
    """The programmatic URL (adapters.db.migrate), else -x url=..., else the environment, else SQLite."""
    return (
        config.attributes.get("url")
        or context.get_x_argument(as_dictionary=True).get("url")
        or os.environ.get("MIGRATION_DATABASE_URL")
        or os.environ.get("DATABASE_URL")
        or DEFAULT_URL
    )


def _configure(**options: Any) -> None:
    url = async_url(database_url())
    context.configure(
        target_metadata=metadata,
        # SQLite cannot ALTER most things in place; batch mode recreates the table instead.
        render_as_batch=url.get_backend_name() == "sqlite",
        compare_type=True,
        **options,
    )


def run_offline() -> None:
    _configure(url=async_url(database_url()), literal_binds=True, dialect_opts={"paramstyle": "named"})
    with context.begin_transaction():
        context.run_migrations()


def _run_sync(connection: Connection) -> None:
    _configure(connection=connection)
    with context.begin_transaction():
        context.run_migrations()


async def run_online() -> None:
    # NullPool: a migration is one short burst; nothing should outlive it.
    engine = create_async_engine(async_url(database_url()), poolclass=pool.NullPool)
    try:
        async with engine.connect() as connection:
            await connection.run_sync(_run_sync)
    finally:
        await engine.dispose()


if context.is_offline_mode():
    run_offline()
else:
    asyncio.run(run_online())
