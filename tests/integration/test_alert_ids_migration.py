"""Migration 0005 gives the alerts already in the outbox a public id, on PostgreSQL and SQLite."""

from __future__ import annotations

import json
import uuid
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import create_async_engine

from adapters.db import Database, async_url, upgrade
from domain.history import AlertFilter

pytestmark = pytest.mark.integration

ALERT = {
    "tenant_id": "",
    "user_id": str(uuid.uuid4()),
    "budget_id": str(uuid.uuid4()),
    "category": "groceries",
    "threshold": 80,
    "period_start": "2025-03-01",
    "period_end": "2025-03-31",
    "spent": {"amount": "85.00", "currency": "BRL"},
    "budget": {"amount": "100.00", "currency": "BRL"},
}


async def seed_at_0004(owner_url: str) -> uuid.UUID:
    """A tenant with one alert, handled by the old dispatcher, and one event that is not an alert."""
    tenant = uuid.uuid4()
    tid = tenant.hex if owner_url.startswith("sqlite") else str(tenant)
    engine = create_async_engine(async_url(owner_url))
    try:
        async with engine.begin() as conn:
            await conn.execute(
                sa.text(
                    "INSERT INTO tenants"
                    " (id, slug, name, language, locale, currency, timezone, policy, settings) VALUES"
                    " (:id, :slug, 'Casa', 'pt', 'pt_BR', 'BRL', 'America/Sao_Paulo', 'open', '{}')"
                ),
                {"id": tid, "slug": f"t-{tenant.hex[:12]}"},
            )
            for event_type, payload in (
                ("BudgetThresholdCrossed", {**ALERT, "tenant_id": str(tenant)}),
                ("TransactionRecorded", {"tenant_id": str(tenant)}),
            ):
                await conn.execute(
                    sa.text(
                        "INSERT INTO outbox (tenant_id, event_type, payload, processed_at, attempts)"
                        " VALUES (:t, :type, :payload, CURRENT_TIMESTAMP, 1)"
                    ),
                    {"t": tid, "type": event_type, "payload": json.dumps(payload)},
                )
    finally:
        await engine.dispose()
    return tenant


async def check(app_url: str, tenant: uuid.UUID) -> None:
    db = Database(app_url)
    try:
        async with db.unit_of_work(tenant) as uow:
            [alert] = (await uow.alert_history.list(AlertFilter(), 10)).items
            assert isinstance(alert.id, uuid.UUID)
            assert await uow.alert_history.get(alert.id) == alert
            # Settled before outcomes were stored, with no push linked: the old dispatcher skipped it.
            assert (alert.state, alert.reason, alert.threshold) == ("skipped", None, 80)
            rows = await uow.execute(sa.text("SELECT event_type, event_id FROM outbox"))
            ids = {row[0]: row[1] for row in rows}
        assert ids["TransactionRecorded"] is None
    finally:
        await db.dispose()


async def test_postgresql(pg_blank_database) -> None:
    upgrade(pg_blank_database.owner_url, "0004")
    tenant = await seed_at_0004(pg_blank_database.owner_url)
    upgrade(pg_blank_database.owner_url)
    await check(pg_blank_database.app_url, tenant)


async def test_sqlite(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'centavo.db'}"
    upgrade(url, "0004")
    tenant = await seed_at_0004(url)
    upgrade(url)
    await check(url, tenant)
