"""Admin API CSV export of 10,000 and 100,000 transactions through the real app over HTTP: rows per second and
peak RSS (flat memory), on a SQLite file, and on PostgreSQL when BENCH_POSTGRES_URL is set; the statement
import's rows per second once its endpoint exists."""

from __future__ import annotations

import asyncio
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import aiohttp
import sqlalchemy as sa
from aiohttp import web

from adapters.clock import SystemClock
from adapters.db import Database, tables, upgrade
from bot.admin.dispatch import CSV_PAGE
from bot.app import create_app
from bot.bootstrap import Bootstrap
from bot.settings import Settings
from domain import services
from domain.access import IssuedKey, Role, create_key
from domain.commands import AddUser, CreateTenant
from domain.model import Account, Tenant, User

SIZES = (10_000, 100_000)
SEED_CHUNK = 5_000
"""Rows per INSERT batch: big enough to be fast, small enough to keep the seeding process small too."""
SAMPLE_EVERY = 10_000
IMPORT_LINES = 10_000
IMPORT_PATH = "/accounts/{account_id}/imports"
MERCHANTS = ["Mercado Extra", "Uber", "Padaria São João", "Farmácia", "Posto Shell", "iFood", "Netflix"]
CATEGORIES = ["groceries", "transport", "dining", "health", "transport", "dining", "subscriptions"]


def rss_now_mb() -> float:
    """Resident set size right now (Linux /proc); the peak when /proc is not there."""
    try:
        with open("/proc/self/statm") as statm:
            pages = int(statm.read().split()[1])
        return pages * os.sysconf("SC_PAGE_SIZE") / 2**20
    except OSError:
        return peak_rss_mb()


def peak_rss_mb() -> float:
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / 2**20 if sys.platform == "darwin" else peak / 1024  # bytes on macOS, KiB on Linux


# -- seeding (parent process) ------------------------------------------------------------------------------


async def tenant_with_user(
    db: Database, clock: SystemClock, slug: str, role: Role, secret: str
) -> tuple[IssuedKey, Tenant, User, Account]:
    """A new tenant with an API key of `role` and one user; (key, tenant, user, the user's account)."""
    async with db.directory() as directory:
        tenant = await services.create_tenant(
            CreateTenant(
                slug=f"{slug}-{uuid.uuid4().hex[:8]}",
                name=slug.title(),
                currency="BRL",
                locale="pt_BR",
                timezone="America/Sao_Paulo",
            ),
            directory,
            clock,
        )
        issued = await create_key(tenant.id, "bench", role, secret, directory, clock)
    async with db.unit_of_work(tenant.id) as uow:
        user = await services.add_user(AddUser(phone="+5511900000001"), tenant, uow, clock)
        [account] = await uow.accounts.list_for(user.id)
    return issued, tenant, user, account


async def seed(url: str, rows: int, secret: str) -> tuple[str, float]:
    """A tenant with one user holding `rows` transactions, inserted in bulk; (admin key, rows per second)."""
    db = Database(url)
    clock = SystemClock()
    try:
        issued, tenant, user, account = await tenant_with_user(db, clock, "bench", Role.VIEWER, secret)
        start = time.perf_counter()
        today = date(2026, 11, 30)
        created = datetime(2026, 12, 1, tzinfo=UTC)
        for offset in range(0, rows, SEED_CHUNK):
            batch = []
            for i in range(offset, min(offset + SEED_CHUNK, rows)):
                merchant = MERCHANTS[i % len(MERCHANTS)]
                batch.append(
                    {
                        "id": uuid.uuid4(),
                        "tenant_id": tenant.id,
                        "user_id": user.id,
                        "account_id": account.id,
                        "kind": "income" if i % 50 == 0 else "expense",
                        "amount_minor": 100 + (i * 7919) % 50_000,
                        "currency": "BRL",
                        "occurred_on": today - timedelta(days=i % 700),
                        "merchant": merchant,
                        "merchant_key": merchant.casefold(),
                        "category": CATEGORIES[i % len(CATEGORIES)],
                        "note": f"row {i}, with a comma" if i % 3 == 0 else None,
                        "source": "import",
                        "source_ref": None,
                        "created_at": created,
                        "deleted_at": None,
                        "transfer_id": None,
                    }
                )
            async with db.unit_of_work(tenant.id) as uow:
                await uow.execute(sa.insert(tables.transactions), batch)
                await uow.commit()
        return issued.plaintext, rows / (time.perf_counter() - start)
    finally:
        await db.dispose()


# -- one export (child process) ----------------------------------------------------------------------------


def app_settings(url: str, secret: str) -> Settings:
    # Redis unset: the in-process fakeredis; the rate limit out of the way of one long request.
    return replace(
        Settings(),
        database_url=url,
        redis_url=None,
        api_key_secret=secret,
        api_rate_burst=1_000_000,
        api_rate_per_second=1_000_000.0,
        log_level="WARNING",
    )


async def serve(url: str, secret: str) -> tuple[web.AppRunner, str]:
    runner = web.AppRunner(create_app(Bootstrap(app_settings(url, secret), agent=False)), access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    host, port = runner.addresses[0][:2]
    return runner, f"http://{host}:{port}"


async def export(url: str, key: str, secret: str) -> dict[str, Any]:
    """GET /api/v1/transactions?format=csv, read as it streams (counted, never kept)."""
    runner, base = await serve(url, secret)
    try:
        before = rss_now_mb()
        highest = before
        samples: list[tuple[int, float]] = []
        lines = 0
        size = 0
        async with aiohttp.ClientSession() as session:
            start = time.perf_counter()
            async with session.get(
                f"{base}/api/v1/transactions?format=csv", headers={"Authorization": f"Bearer {key}"}
            ) as response:
                if response.status != 200:
                    raise SystemExit(f"export answered {response.status}: {await response.text()}")
                first_byte = time.perf_counter() - start
                next_sample = SAMPLE_EVERY
                async for chunk in response.content.iter_chunked(64 * 1024):
                    size += len(chunk)
                    lines += chunk.count(b"\n")
                    now = rss_now_mb()
                    highest = max(highest, now)
                    if lines - 1 >= next_sample:
                        samples.append((next_sample, round(now, 1)))
                        next_sample += SAMPLE_EVERY
            elapsed = time.perf_counter() - start
        # The seeded notes hold no line breaks, so every line but the header is one row.
        return {
            "rows": lines - 1,
            "seconds": elapsed,
            "first_byte_ms": first_byte * 1000,
            "mb": size / 2**20,
            "rss_before_mb": before,
            "rss_during_mb": highest,
            "rss_peak_mb": peak_rss_mb(),
            "samples": samples,
        }
    finally:
        await runner.cleanup()


# -- statement import (child process): the hook for POST /api/v1/accounts/{account_id}/imports -------------


def statement(lines: int) -> bytes:
    """A bank statement as the import takes it: a header row naming date, description and amount."""
    rows = ["date,description,amount"]
    day = date(2026, 11, 30)
    for i in range(lines):
        amount = f"-{(i * 7919) % 50_000 / 100:.2f}" if i % 20 else f"{1000 + i % 900}.00"
        rows.append(f"{day - timedelta(days=i % 300)},{MERCHANTS[i % len(MERCHANTS)]} {i},{amount}")
    return ("\n".join(rows) + "\n").encode()


async def import_statement(url: str, secret: str) -> dict[str, Any]:
    """The statement import's timing: a generated 10,000-line statement posted to the real endpoint."""
    db = Database(url)
    clock = SystemClock()
    try:
        issued, _, _, account = await tenant_with_user(db, clock, "import", Role.ADMIN, secret)
    finally:
        await db.dispose()
    body = statement(IMPORT_LINES)
    runner, base = await serve(url, secret)
    try:
        async with aiohttp.ClientSession() as session:
            start = time.perf_counter()
            async with session.post(
                f"{base}/api/v1{IMPORT_PATH.format(account_id=account.id)}",
                data=body,
                headers={"Authorization": f"Bearer {issued.plaintext}", "Content-Type": "text/csv"},
            ) as response:
                answer = await response.text()
                elapsed = time.perf_counter() - start
        if response.status >= 300:
            return {"skipped": f"the import answered {response.status}: {answer[:300]}"}
        return {"lines": IMPORT_LINES, "seconds": elapsed, "answer": answer[:200]}
    finally:
        await runner.cleanup()


# -- the parent: seed, then one fresh process per measurement -----------------------------------------------


def child(*args: str) -> dict[str, Any]:
    """Run this file in a fresh interpreter (its peak RSS is this one measurement's) and read its JSON."""
    done = subprocess.run(
        [sys.executable, __file__, *args], capture_output=True, text=True, check=False, timeout=1800
    )
    if done.returncode != 0:
        raise SystemExit(f"bench child {args[0]} failed:\n{done.stderr[-3000:]}")
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def run(label: str, url: str) -> None:
    secret = "bench-" + uuid.uuid4().hex
    keys = {}
    for size in SIZES:
        keys[size], per_second = asyncio.run(seed(url, size, secret))
        print(f"{label}: seeded {size:,} transactions by bulk insert, {per_second:,.0f} rows/s")
    results = {size: child("export", url, keys[size], secret) for size in SIZES}
    for size, r in results.items():
        if r["rows"] != size:
            raise SystemExit(f"{label}: the export of {size:,} gave {r['rows']:,} rows")
        print(
            f"{label}: CSV export of {size:,} rows over HTTP: {r['seconds']:.2f} s, "
            f"{r['rows'] / r['seconds']:,.0f} rows/s, {r['mb']:.1f} MiB of CSV, first byte "
            f"{r['first_byte_ms']:.0f} ms; RSS {r['rss_before_mb']:.1f} MiB before the request, at most "
            f"{r['rss_during_mb']:.1f} MiB while streaming ({r['rss_during_mb'] - r['rss_before_mb']:+.1f}); "
            f"process peak (ru_maxrss, start-up included) {r['rss_peak_mb']:.1f} MiB"
        )
    small, large = results[SIZES[0]], results[SIZES[-1]]
    trail = ", ".join(f"{rows // 1000}k {mb:.0f}" for rows, mb in large["samples"])
    print(f"{label}: RSS (MiB) while the {SIZES[-1]:,}-row export streams: {trail}")
    print(
        f"{label}: peak RSS at {SIZES[0]:,} rows {small['rss_during_mb']:.1f} MiB, at {SIZES[-1]:,} rows "
        f"{large['rss_during_mb']:.1f} MiB: {large['rss_during_mb'] - small['rss_during_mb']:+.1f} MiB for "
        f"10x the rows (flat: the export holds one page of {CSV_PAGE:,} rows at a time)"
    )
    imported = child("import", url, secret)
    if "skipped" in imported:
        print(f"{label}: statement import of {IMPORT_LINES:,} lines: skipped ({imported['skipped']})")
    else:
        lines, seconds = imported["lines"], imported["seconds"]
        print(
            f"{label}: statement import of {lines:,} lines over HTTP: {seconds:.2f} s, "
            f"{lines / seconds:,.0f} rows/s"
        )


def main() -> None:
    if len(sys.argv) > 1:
        mode, args = sys.argv[1], sys.argv[2:]
        if mode == "export":
            print(json.dumps(asyncio.run(export(*args))))
        elif mode == "import":
            print(json.dumps(asyncio.run(import_statement(*args))))
        else:
            raise SystemExit(f"unknown mode {mode}")
        return
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{tmp}/bench.db"
        upgrade(url)
        run("sqlite", url)
    pg = os.environ.get("BENCH_POSTGRES_URL")
    if pg:
        run("postgresql", pg)
    else:
        print("postgresql: skipped (set BENCH_POSTGRES_URL to a migrated database, as the app role)")


if __name__ == "__main__":
    main()
