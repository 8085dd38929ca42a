"""Database: the async engine for one URL, with the pool and SQLite settings the app relies on."""

from __future__ import annotations

import time
import uuid
from typing import Any

from sqlalchemy import event, exc, text
from sqlalchemy.engine import URL
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from adapters.clock import SystemClock
from adapters.db.routing import RouteCache
from adapters.db.sql import register_sqlite_functions
from adapters.db.tenant_begin import TenantBeginConnection
from adapters.db.unit_of_work import AuditedUnitOfWork, SqlDirectoryUnitOfWork, SqlUnitOfWork
from adapters.db.urls import Dialect, async_url, dialect_of, is_memory_sqlite
from domain.model import Tenant
from domain.ports import Clock

SQLITE_BUSY_TIMEOUT_S = 30
CONNECT_TIMEOUT_S = 5.0
"""PostgreSQL: give up opening a connection after this (a hung or unreachable server)."""
COMMAND_TIMEOUT_S = 15.0
"""PostgreSQL: give up waiting for one statement's answer after this (the client side: it holds even when
the server is hung and cannot run its own statement_timeout)."""
IDLE_PING_S = 30.0
"""PostgreSQL: a pooled connection idle longer than this is pinged before it is handed out (a firewall or
a server-side idle timeout may have cut it without a word)."""
ROLE_POWERS = "SELECT current_user, rolsuper, rolbypassrls FROM pg_roles WHERE rolname = current_user"
"""PostgreSQL: who this connection is, and whether Row-Level Security holds it back."""


class UnsafeDatabaseRole(RuntimeError):
    """The application connected (PostgreSQL) as a role Row-Level Security does not hold back."""


def refuse_unsafe_role(user: str, superuser: bool, bypassrls: bool) -> None:
    """Raise UnsafeDatabaseRole, naming the role and what to do, when it is a superuser or has BYPASSRLS."""
    powers = [power for power, has in (("is a superuser", superuser), ("has BYPASSRLS", bypassrls)) if has]
    if powers:
        raise UnsafeDatabaseRole(
            f"the database role {user!r} {' and '.join(powers)}: Row-Level Security would not keep tenants "
            "apart. Set DATABASE_URL to connect as the login role the migrations create (CENTAVO_APP_ROLE, "
            "default centavo_app); the tables' owner belongs in MIGRATION_DATABASE_URL only."
        )


class Database:
    """One engine (and connection pool) per process; hands out units of work.

    The pool defaults (10 + 10 overflow, 10 s checkout timeout) keep well under PostgreSQL's default
    100 connections even with a few processes, while bursts of hundreds of concurrent units of work
    queue for a connection instead of failing. A connection the server closed (a restart) is replaced on
    checkout instead of failing the unit of work that drew it (_replace_stale_connections)."""

    def __init__(
        self,
        url: str | URL,
        *,
        clock: Clock | None = None,
        pool_size: int = 10,
        max_overflow: int = 10,
        pool_timeout: float = 10.0,
        echo: bool = False,
    ) -> None:
        self._dialect: Dialect = dialect_of(url)
        self._checks_role = False
        # An in-memory SQLite database lives in one connection, shared by the whole process.
        self._connections = 1 if is_memory_sqlite(url) else pool_size + max_overflow
        self.clock: Clock = clock or SystemClock()
        # hide_parameters: a failed statement's error (and so any traceback logged) never carries its bound
        # values, which are phone numbers, message texts and amounts.
        options: dict[str, Any] = {"echo": echo, "hide_parameters": True}
        if self._dialect == "postgresql":
            options.update(pool_size=pool_size, max_overflow=max_overflow, pool_timeout=pool_timeout)
            # JIT compilation costs more than it saves on short OLTP queries.
            options["connect_args"] = {
                "server_settings": {"application_name": "centavo", "jit": "off"},
                "timeout": CONNECT_TIMEOUT_S,
                "command_timeout": COMMAND_TIMEOUT_S,
                "connection_class": TenantBeginConnection,
            }
        elif not is_memory_sqlite(url):
            options.update(pool_size=pool_size, max_overflow=max_overflow, pool_timeout=pool_timeout)
            options["connect_args"] = {"timeout": SQLITE_BUSY_TIMEOUT_S}
        self.engine: AsyncEngine = create_async_engine(async_url(url), **options)
        if self._dialect == "sqlite":
            _configure_sqlite(self.engine, wal=not is_memory_sqlite(url))
        else:
            _replace_stale_connections(self.engine)
        self._routes = RouteCache(self._find_route)

    @property
    def dialect(self) -> Dialect:
        """ "postgresql" or "sqlite"."""
        return self._dialect

    @property
    def connections(self) -> int:
        """The most connections the pool opens at once (pool_size + max_overflow): units of work run
        concurrently past this number wait for one (pool_timeout) and then fail."""
        return self._connections

    def unit_of_work(self, tenant_id: uuid.UUID, member_id: uuid.UUID | None = None) -> SqlUnitOfWork:
        """A unit of work for the tenant; with `member_id`, on PostgreSQL it reads as that household member
        (other members' personal rows are hidden by Row-Level Security, migration 0013)."""
        return SqlUnitOfWork(self.engine, self._dialect, tenant_id, self.clock, member_id)

    def audited_unit_of_work(self, tenant_id: uuid.UUID) -> AuditedUnitOfWork:
        """A unit of work whose writes commit only with the admin API's audit records (AuditedUnitOfWork)."""
        return AuditedUnitOfWork(self.engine, self._dialect, tenant_id, self.clock)

    def directory(self) -> SqlDirectoryUnitOfWork:
        # A directory write may reroute an address or change a tenant: routes found before are forgotten.
        return SqlDirectoryUnitOfWork(
            self.engine, self._dialect, self.clock, on_commit=self._routes.forget_all
        )

    async def route(self, provider: str, address: str) -> Tenant | None:
        """The tenant that owns an inbound address, or None; kept a few seconds (adapters/db/routing.py)."""
        return await self._routes.tenant_for(provider, address)

    async def _find_route(self, provider: str, address: str) -> Tenant | None:
        async with self.directory() as directory:
            tenant_id = await directory.endpoints.find(provider, address)
            return None if tenant_id is None else await directory.tenants.get(tenant_id)

    async def ping(self) -> None:
        """Raise unless the database answers."""
        async with self.engine.connect() as conn:
            await conn.execute(text("SELECT 1"))

    async def check_role(self) -> None:
        """PostgreSQL: raise UnsafeDatabaseRole when the role this engine logs in as is a superuser or has
        BYPASSRLS. From the first call on, every new pooled connection is checked too, so a process that
        started while the database was unreachable is refused as soon as it answers. SQLite has no roles."""
        if self._dialect != "postgresql":
            return
        if not self._checks_role:
            self._checks_role = True
            event.listen(self.engine.sync_engine, "connect", _check_new_connection)
        async with self.engine.connect() as conn:
            user, superuser, bypassrls = (await conn.execute(text(ROLE_POWERS))).one()
        refuse_unsafe_role(user, superuser, bypassrls)

    async def dispose(self) -> None:
        await self.engine.dispose()

    def __repr__(self) -> str:
        return f"Database({self.engine.url.render_as_string(hide_password=True)!r})"


def _replace_stale_connections(engine: AsyncEngine) -> None:
    """On checkout, a connection the driver already knows is closed is replaced for free, and one idle past
    IDLE_PING_S is pinged first. This stands in for SQLAlchemy's pool_pre_ping, which pings every checkout:
    two round trips (BEGIN, ROLLBACK) per unit of work, about a third of a message's database traffic.

    A database restart closes every pooled socket; asyncpg sees each close as it happens (the event loop
    reads the EOF), so the first unit of work afterwards draws a fresh connection instead of a dead one."""

    @event.listens_for(engine.sync_engine, "checkin")
    def _on_checkin(_dbapi_connection: Any, record: Any) -> None:
        record.info["checked_in"] = time.monotonic()

    @event.listens_for(engine.sync_engine, "checkout")
    def _on_checkout(dbapi_connection: Any, record: Any, _proxy: Any) -> None:
        # The SQLAlchemy adapter keeps asyncpg's connection in `_connection` (no public accessor).
        if dbapi_connection._connection.is_closed():
            # The pool discards it and draws (or opens) another, up to three times.
            raise exc.DisconnectionError("the server closed this pooled connection")
        if time.monotonic() - record.info.get("checked_in", time.monotonic()) > IDLE_PING_S:
            try:
                dbapi_connection.ping()
            except Exception as error:
                raise exc.DisconnectionError("a pooled connection did not answer its ping") from error


def _check_new_connection(dbapi_connection: Any, _record: Any) -> None:
    # The asyncio adapter's cursor runs synchronously here (SQLAlchemy's documented pattern for events).
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute(ROLE_POWERS)
        powers = cursor.fetchone()
    finally:
        cursor.close()
        # The query began a transaction: end it, so the pool hands the connection out with none open (a
        # unit of work's tenant setting rides on the BEGIN it expects to send, adapters/db/tenant_begin.py).
        dbapi_connection.rollback()
    try:
        refuse_unsafe_role(*powers)
    except UnsafeDatabaseRole:
        # The pool never gets this connection: close it here rather than leave it to the garbage collector.
        dbapi_connection.close()
        raise


def _configure_sqlite(engine: AsyncEngine, *, wal: bool) -> None:
    """SQLAlchemy's documented recipe for real SQLite transactions, with BEGIN IMMEDIATE: every
    transaction takes the write lock up front, so concurrent writers wait (busy timeout) and then run
    one after another, instead of deadlocking on a read-to-write upgrade with "database is locked"."""

    @event.listens_for(engine.sync_engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Stop the driver from issuing its own BEGIN (and committing before DDL): SQLAlchemy does it below.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        try:
            cursor.execute(f"PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_S * 1000}")
            cursor.execute("PRAGMA foreign_keys = ON")
            if wal:
                # Readers no longer block the writer (and vice versa); the setting sticks to the file.
                cursor.execute("PRAGMA journal_mode = WAL")
        finally:
            cursor.close()
        register_sqlite_functions(dbapi_connection)

    @event.listens_for(engine.sync_engine, "begin")
    def _on_begin(conn: Any) -> None:
        conn.exec_driver_sql("BEGIN IMMEDIATE")
