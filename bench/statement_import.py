"""Statement import throughput: a 10,000-line CSV POSTed to the real app over HTTP, in rows per second.

Runs on the embedded SQLite store, and on PostgreSQL when BENCH_POSTGRES_URL is set (a migrated database,
as the app role). `import_rows_per_second` is the reusable part: bench/export.py may call it on its own app.
"""

from __future__ import annotations

import asyncio
import os
import sys
import tempfile
import time
import uuid
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from aiohttp.test_utils import TestClient, TestServer

from adapters.db import upgrade
from bot.app import create_app
from bot.bootstrap import Bootstrap
from bot.settings import Settings

LINES = int(os.environ.get("BENCH_IMPORT_LINES", "10000"))
PLATFORM_KEY = "bench-platform-" + "k" * 32
WORDS = ["PAG*PADARIA", "UBER *TRIP", "MERCADO", "POSTO", "FARMACIA", "IFOOD", "NETFLIX.COM", "PIX", "LOJA"]


def statement(lines: int = LINES) -> bytes:
    """A Brazilian bank's export: ';'-separated, day-first dates over the last year, decimal commas."""
    today = datetime.now(UTC).date()
    rows = ["Data;Histórico;Valor"]
    for n in range(lines):
        day = today - timedelta(days=1 + n % 365)
        sign = "" if n % 25 == 0 else "-"
        description = f"{WORDS[n % len(WORDS)]} {n % 400:03d} SAO PAULO"
        rows.append(f"{day:%d/%m/%Y};{description};{sign}{n % 900 + 1},{n % 100:02d}")
    return ("\n".join(rows) + "\n").encode("cp1252")


async def import_rows_per_second(
    client: TestClient, headers: dict[str, str], account_id: str, data: bytes | None = None
) -> tuple[int, float]:
    """POST one statement into the account; (rows recorded, rows per second, the request end to end)."""
    body = statement() if data is None else data
    started = time.perf_counter()
    response = await client.post(
        f"/api/v1/accounts/{account_id}/imports", data=body, headers={**headers, "Content-Type": "text/csv"}
    )
    elapsed = time.perf_counter() - started
    answer: dict[str, Any] = await response.json()
    if response.status != 201:
        raise RuntimeError(f"import answered {response.status}: {answer}")
    recorded = int(answer["statement"]["recorded"])
    return recorded, recorded / elapsed


async def tenant_account(client: TestClient) -> tuple[dict[str, str], str]:
    """A new tenant (made with the platform key) and one user: the admin key's headers, the user's account."""
    platform = {"Authorization": f"Bearer {PLATFORM_KEY}"}
    body = {
        "slug": f"b-{uuid.uuid4().hex[:10]}",
        "name": "Bench",
        "currency": "BRL",
        "locale": "pt_BR",
        "timezone": "America/Sao_Paulo",
    }
    created = await (await client.post("/api/v1/tenants", json=body, headers=platform)).json()
    admin = {"Authorization": f"Bearer {created['admin_key']['key']}"}
    user = await (await client.post("/api/v1/users", json={"phone": "+5511900000001"}, headers=admin)).json()
    accounts = await (await client.get(f"/api/v1/users/{user['id']}/accounts", headers=admin)).json()
    return admin, str(accounts["items"][0]["id"])


async def run(label: str, database_url: str) -> float:
    settings = replace(
        Settings(),
        database_url=database_url,
        migration_database_url=database_url,
        platform_key=PLATFORM_KEY,
        api_rate_burst=10_000,
        api_rate_per_second=10_000.0,
    )
    client = TestClient(TestServer(create_app(Bootstrap(settings, agent=False))))
    await client.start_server()
    try:
        headers, account_id = await tenant_account(client)
        data = statement()
        recorded, rate = await import_rows_per_second(client, headers, account_id, data)
        started = time.perf_counter()
        again = await client.post(
            f"/api/v1/accounts/{account_id}/imports",
            data=data,
            headers={**headers, "Content-Type": "text/csv"},
        )
        replay_ms = (time.perf_counter() - started) * 1000
        replayed = (await again.json())["replayed"]
        print(
            f"{label}: statement import of {LINES} lines ({len(data) / 1e6:.1f} MB) recorded {recorded} "
            f"at {rate:,.0f} rows/s over HTTP; the same file again replayed={replayed} in {replay_ms:.0f} ms"
        )
        return rate
    finally:
        await client.close()


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{tmp}/bench.db"
        upgrade(url)
        asyncio.run(run("sqlite", url))
    pg = os.environ.get("BENCH_POSTGRES_URL")
    if pg:
        asyncio.run(run("postgresql", pg))
    else:
        print("postgresql: skipped (set BENCH_POSTGRES_URL to a migrated database, as the app role)")


if __name__ == "__main__":
    main()
