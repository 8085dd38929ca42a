"""Database.check_role: the app refuses a PostgreSQL role that Row-Level Security does not hold back."""

from __future__ import annotations

import pytest

from adapters.db import Database, UnsafeDatabaseRole
from adapters.db.engine import refuse_unsafe_role

pytestmark = pytest.mark.integration


async def test_check_role_accepts_the_app_role_and_refuses_a_superuser(pg_database) -> None:
    app = Database(pg_database.app_url)
    try:
        await app.check_role()
        async with app.directory() as directory:  # checked connections still work
            await directory.tenants.list()
    finally:
        await app.dispose()
    owner = Database(pg_database.owner_url)
    try:
        with pytest.raises(UnsafeDatabaseRole, match="'postgres' is a superuser") as refused:
            await owner.check_role()
        assert "CENTAVO_APP_ROLE" in str(refused.value)
        # Every connection opened from then on is checked too (the case of a start while it was unreachable).
        await owner.engine.dispose()
        with pytest.raises(UnsafeDatabaseRole):
            async with owner.directory() as directory:
                await directory.tenants.list()
    finally:
        await owner.dispose()


async def test_check_role_has_nothing_to_check_on_sqlite(sqlite_url: str) -> None:
    db = Database(sqlite_url)
    try:
        await db.check_role()
    finally:
        await db.dispose()


def test_bypassrls_alone_is_refused_and_names_the_role() -> None:
    refuse_unsafe_role("centavo_app", False, False)
    with pytest.raises(UnsafeDatabaseRole, match="'ops' has BYPASSRLS: Row-Level Security"):
        refuse_unsafe_role("ops", False, True)
