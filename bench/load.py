"""Load: signed Twilio webhooks at a chosen rate against `centavo serve` and `centavo worker` on PostgreSQL
and Redis, sent from a separate process, then the database verified (issue 11).

    python bench/load.py [--rate 100] [--concurrency 16] [--seconds 10] [--tenants 3] [--users 600]
                         [--duplicates 0.05] [--processes 1] [--raw/--no-raw] [--only-raw]
                         [--kill-one-after S]

It creates a database of its own on the PostgreSQL at BENCH_POSTGRES_ADMIN_URL (default: the shared one's
postgres user), uses Redis database BENCH_REDIS_DB (default 10, flushed first), starts the server and the
worker, and sends a mix in English, Spanish and Portuguese (expenses, incomes, questions, budgets, an expense
with its follow-up answer) from many users of several tenants, every MessageSid distinct except a share of
deliberate duplicates. It prints achieved messages per second, p50/p95/p99 latency and errors, then checks
that
every message was stored once, that no duplicate recorded anything, how many expenses were recorded, and that
every balance equals the sum of its transactions. Skipped (exit 0) when PostgreSQL or Redis is unreachable.

Then (unless --no-raw) the same plan, with new MessageSids, at the same rate and concurrency goes to
bench/support/raw_handler.py (a lean aiohttp + asyncpg + redis.asyncio webhook doing one message's steps) on a
fresh database, is checked minimally, and the ratio of the two achieved rates is printed with both p99s. Both
runs are open loop: while each keeps up, the rates match and the p99s tell them apart. --only-raw skips
centavo. --processes N runs `centavo serve --processes N` and the raw handler in N processes on one port.
--kill-one-after S SIGKILLs one of the servers S seconds in; the checks then say what came of its messages.
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing
import os
import random
import resource
import secrets
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.request
import uuid
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import IO
from urllib.parse import urlencode

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

ADMIN_URL = os.environ.get("BENCH_POSTGRES_ADMIN_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
REDIS_URL = "redis://127.0.0.1:6379/" + os.environ.get("BENCH_REDIS_DB", "10")
APP_ROLE = os.environ.get("CENTAVO_APP_ROLE", "centavo_app")
TOKEN = "load-bench-token"
CENTAVO = str(Path(sys.executable).with_name("centavo"))

# (kind, text) per language. "expense" and "income" record one transaction each; "ask" records nothing but
# is answered with a question; its answer and a "yes" (sent by the same user a second apart) record one: the
# assistant may confirm before writing (en, es) or write at once (pt), so the sequence is what is counted.
MIX: dict[str, list[tuple[str, str]]] = {
    "en": [
        ("expense", "spent 12.50 at starbucks"),
        ("expense", "paid 30 for uber yesterday"),
        ("income", "got paid 1500 salary"),
        ("question", "how much did I spend this week?"),
        ("budget", "budget 300 for groceries"),
        ("ask", "spent 25"),
    ],
    "es": [
        ("expense", "gasté 30 en uber"),
        ("expense", "pagué 45,90 en el supermercado"),
        ("income", "recibí 2000 de sueldo"),
        ("question", "¿cuánto gasté esta semana?"),
        ("budget", "presupuesto de 300 para comida"),
        ("ask", "gasté 25"),
    ],
    "pt": [
        ("expense", "gastei 45,90 no mercado"),
        ("expense", "paguei 20 de uber ontem"),
        ("income", "recebi 3000 de salário"),
        ("question", "quanto gastei essa semana?"),
        ("budget", "orçamento de 500 para mercado"),
        ("ask", "gastei 25"),
    ],
}
ANSWERS = {"en": ("coffee", "yes"), "es": ("café", "sí"), "pt": ("café", "sim")}
TENANTS = [
    ("en", "USD", "en_US", "America/New_York"),
    ("es", "MXN", "es_MX", "America/Mexico_City"),
    ("pt", "BRL", "pt_BR", "America/Sao_Paulo"),
]


@dataclass(frozen=True)
class Message:
    at: float
    """Seconds after the start when it is due."""
    form: dict[str, str]
    kind: str
    duplicate: bool = False
    group: str = ""
    """Messages that make one write together (a question, its answer, the confirmation)."""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def reachable() -> str | None:
    """Why the bench cannot run, or None."""
    import asyncpg
    import redis

    async def pg() -> None:
        conn = await asyncpg.connect(ADMIN_URL, timeout=3)
        await conn.close()

    try:
        asyncio.run(pg())
    except Exception as exc:
        return f"PostgreSQL at {ADMIN_URL} is not reachable ({type(exc).__name__})"
    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2).ping()
    except Exception as exc:
        return f"Redis at {REDIS_URL} is not reachable ({type(exc).__name__})"
    return None


async def admin(*statements: str) -> None:
    import asyncpg

    conn = await asyncpg.connect(ADMIN_URL)
    try:
        for statement in statements:
            await conn.execute(statement)
    finally:
        await conn.close()


def urls(name: str) -> tuple[str, str]:
    """(owner URL, app-role URL) of database `name` on the admin URL's server."""
    from sqlalchemy.engine import make_url

    base = make_url(ADMIN_URL).set(database=name)
    return base.render_as_string(hide_password=False), base.set(
        username=APP_ROLE, password=None
    ).render_as_string(hide_password=False)


def population(tenants: int, users: int) -> list[tuple[str, str, list[str]]]:
    """Each tenant's language, Twilio number and users' phones: [(language, number, phones)]."""
    return [
        (
            TENANTS[n % len(TENANTS)][0],
            f"+1555{n:07d}",
            [f"+55119{n:02d}{u:06d}" for u in range(users // tenants)],
        )
        for n in range(tenants)
    ]


async def seed(app_url: str, tenants: int, users: int) -> list[tuple[str, str, list[str]]]:
    """Tenants with a Twilio number each and their users (as population() names them)."""
    from adapters.clock import SystemClock
    from adapters.db import ChannelEndpoint, Database
    from domain import services
    from domain.commands import AddUser, CreateTenant

    db, clock = Database(app_url), SystemClock()
    made = []
    try:
        for n, (lang, number, phones) in enumerate(population(tenants, users)):
            _, currency, locale, zone = TENANTS[n % len(TENANTS)]
            async with db.directory() as directory:
                tenant = await services.create_tenant(
                    CreateTenant(
                        slug=f"load-{n}", name=f"Load {n}", currency=currency, locale=locale, timezone=zone
                    ),
                    directory,
                    clock,
                )
                await directory.endpoints.add(ChannelEndpoint(uuid.uuid4(), tenant.id, "twilio", number))
                await directory.commit()
            for phone in phones:
                async with db.unit_of_work(tenant.id) as uow:
                    await services.add_user(AddUser(phone=phone, language=lang), tenant, uow, clock)
            made.append((lang, number, phones))
    finally:
        await db.dispose()
    return made


def plan(
    tenants: list[tuple[str, str, list[str]]], rate: float, seconds: float, duplicates: float
) -> list[Message]:
    """Messages spread evenly over the run; each user writes at most about once every two seconds (under the
    per-sender rate limit), a follow-up one second after its question, a share re-sent as duplicates."""
    rng = random.Random(7)
    senders = [(lang, number, phone) for lang, number, phones in tenants for phone in phones]
    total = int(rate * seconds)
    messages: list[Message] = []
    rng.shuffle(senders)
    free_at: dict[str, float] = {}
    for i in range(total):
        at = i / rate
        # Round robin over the shuffled users: each writes every len(senders)/rate seconds, so the plan keeps
        # the target rate (a random pick would keep hitting users still busy with a question).
        lang, number, phone = senders[i % len(senders)]
        at = max(at, free_at.get(phone, 0.0))
        kind, text = rng.choice(MIX[lang])
        first = Message(at, form(text, phone, number), kind)
        messages.append(replace(first, group=first.form["MessageSid"]))
        free_at[phone] = at + 2.0
        if kind == "ask":
            for step, reply in enumerate(ANSWERS[lang], start=1):
                messages.append(
                    Message(at + step, form(reply, phone, number), "answer", group=messages[-1].group)
                )
            free_at[phone] = at + 4.0
    for original in rng.sample(messages, int(len(messages) * duplicates)):
        messages.append(Message(original.at + rng.uniform(0.05, 1.0), original.form, original.kind, True))
    return sorted(messages, key=lambda m: m.at)


def form(text: str, phone: str, number: str) -> dict[str, str]:
    sid = "SM" + uuid.uuid4().hex
    return {
        "MessageSid": sid,
        "SmsMessageSid": sid,
        "AccountSid": "AC" + "0" * 32,
        "From": "whatsapp:" + phone,
        "To": "whatsapp:" + number,
        "Body": text,
        "NumMedia": "0",
    }


RETRIES = 4
"""Attempts at a message answered 503 or cut off, as a provider that retries would make."""
RETRY_AFTER_S = 1.0
"""Between them (the service says 5 s; shorter keeps the run short)."""


def generate(base: str, messages: list[Message], concurrency: int, out: multiprocessing.Queue) -> None:
    """The load generator, in a process of its own: open loop (each message at its time), at most
    `concurrency` in flight; puts [(latency_s, status)] on `out`, with the run's wall time marked -1, the
    process's CPU seconds -2, and per message retried after a 503 its retries, -3 when one got a 200 at
    last, -4 when none did."""
    import aiohttp
    from twilio.request_validator import RequestValidator

    url = base + "/webhooks/twilio"
    validator = RequestValidator(TOKEN)
    signed = [(urlencode(m.form), validator.compute_signature(url, m.form), m.at) for m in messages]

    async def run() -> list[tuple[float, int]]:
        results: list[tuple[float, int]] = []
        gate = asyncio.Semaphore(concurrency)
        timeout = aiohttp.ClientTimeout(total=30)
        async with aiohttp.ClientSession(
            timeout=timeout, connector=aiohttp.TCPConnector(limit=concurrency)
        ) as s:
            start = time.perf_counter()

            async def send(body: str, signature: str) -> tuple[float, int]:
                async with gate:
                    sent = time.perf_counter()
                    try:
                        headers = {
                            "X-Twilio-Signature": signature,
                            "Content-Type": "application/x-www-form-urlencoded",
                        }
                        async with s.post(url, data=body, headers=headers) as response:
                            await response.read()
                            return time.perf_counter() - sent, response.status
                    except Exception:
                        return time.perf_counter() - sent, 0

            async def one(body: str, signature: str, due: float) -> None:
                delay = start + due - time.perf_counter()
                if delay > 0:
                    await asyncio.sleep(delay)
                first = await send(body, signature)
                results.append(first)  # the figures are the first attempt's
                # As a provider that retries (Meta; Twilio for a failed connection, and for a 503 with
                # connection overrides): sent again, so "stored once" checks nothing is lost or doubled.
                status, attempts = first[1], 1
                while status in (0, 503) and attempts < RETRIES:
                    await asyncio.sleep(RETRY_AFTER_S)
                    status, attempts = (await send(body, signature))[1], attempts + 1
                if attempts > 1:
                    results.append((attempts - 1, -3 if status == 200 else -4))

            await asyncio.gather(*(one(*item) for item in signed))
            results.append((time.perf_counter() - start, -1))  # the run's wall time, marked
        return results

    before = resource.getrusage(resource.RUSAGE_SELF)
    results = asyncio.run(run())
    after = resource.getrusage(resource.RUSAGE_SELF)
    # The generator shares the machine's cores with the servers: its CPU says whether it was the bottleneck.
    cpu = after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime
    out.put([*results, (cpu, -2)])


def _log_file(folder: Path | None, name: str) -> int | IO[bytes]:
    """Where a service's log goes: a file in `folder` (--logs), else nowhere."""
    if folder is None:
        return subprocess.DEVNULL
    folder.mkdir(parents=True, exist_ok=True)
    return (folder / f"{name}.log").open("ab")


def wait_healthy(port: int, process: subprocess.Popen[bytes], what: str = "centavo serve") -> float:
    started = time.monotonic()
    while time.monotonic() - started < 60:
        if process.poll() is not None:
            raise SystemExit(f"{what} exited during start-up")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/readyz", timeout=1) as response:
                if response.status == 200:
                    return time.monotonic() - started
        except OSError:
            time.sleep(0.1)
    raise SystemExit(f"{what} did not become ready in 60 s")


def cpu_seconds(pid: int) -> float:
    """User + system CPU seconds of a process and its descendants so far, those that exited included (Linux
    /proc; 0 elsewhere)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        # utime, stime, cutime, cstime: exited children count too (PostgreSQL's backends come and go).
        own = sum(int(field) for field in fields[11:15]) / os.sysconf("SC_CLK_TCK")
        children = [
            int(child)
            for task in Path(f"/proc/{pid}/task").iterdir()
            for child in (task / "children").read_text().split()
        ]
    except (OSError, ValueError, IndexError):
        return 0.0
    return own + sum(cpu_seconds(child) for child in children)


def shared_servers() -> dict[str, int]:
    """The local PostgreSQL's postmaster and redis-server, by name (their CPU includes other users' work)."""
    names: dict[int, tuple[str, int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            head, tail = stat.read_text().rsplit(")", 1)
            names[int(stat.parent.name)] = (head.split("(", 1)[1], int(tail.split()[1]))
        except (OSError, ValueError, IndexError):
            continue
    found = {}
    for pid, (name, parent) in names.items():
        if name in ("postgres", "redis-server") and names.get(parent, ("", 0))[0] != name:
            found[f"{name} (all of it)"] = pid
    return found


async def verify(
    owner_url: str, app_url: str, messages: list[Message], quiesce: Callable[[], None]
) -> list[str]:
    """The database after the run: PASS/FAIL lines. `quiesce` stops the service once the backlog drained
    (or the wait ran out), so the checks read a ledger nobody is writing to."""
    import asyncpg

    from adapters.db import Database
    from domain.commands import GetBalance
    from domain.reports import get_balance

    conn = await asyncpg.connect(owner_url.replace("postgresql+asyncpg", "postgresql"))
    try:
        waited = time.monotonic()
        # The worker answers what was deferred or held (past the process limit, or past the deadline):
        # wait for it, at most two minutes.
        while time.monotonic() - waited < 120:
            open_rows = await conn.fetchval(
                "SELECT count(*) FROM inbox WHERE status IN ('pending', 'processing')"
            )
            if open_rows == 0:
                break
            await asyncio.sleep(0.5)
        drained = time.monotonic() - waited
        quiesce()
        done = await conn.fetchval("SELECT count(*) FROM inbox WHERE status = 'done'")
        # Replies sent through the API have a provider id at once; TwiML replies (recorded since issue 15)
        # get one only from a status callback, which the bench's fake never sends.
        later = await conn.fetchval(
            "SELECT count(DISTINCT inbox_id) FROM outbound_messages"
            " WHERE inbox_id IS NOT NULL AND provider_message_id IS NOT NULL"
        )
        sids = {m.form["MessageSid"] for m in messages}
        stored = await conn.fetchval("SELECT count(*) FROM inbox")
        failed = await conn.fetchval("SELECT count(*) FROM inbox WHERE status IN ('failed', 'dropped')")
        doubled = await conn.fetchval(
            "SELECT count(*) FROM (SELECT source_ref FROM transactions WHERE source = 'chat' "
            "GROUP BY source_ref HAVING count(*) > 1) d"
        )
        groups: dict[str, set[str]] = {}
        for m in messages:
            if m.kind in ("expense", "income", "ask", "answer") and not m.duplicate:
                groups.setdefault(m.group, set()).add(m.form["MessageSid"])
        refs = {
            row["source_ref"]
            for row in await conn.fetch("SELECT source_ref FROM transactions WHERE source = 'chat'")
        }
        recorded = sum(1 for sids_of in groups.values() if sids_of & refs)
        expense_sids = list(groups)
        users = await conn.fetch("SELECT id, tenant_id FROM users")
        sums = {
            (row["user_id"], row["currency"]): int(row["total"])
            for row in await conn.fetch(
                "SELECT user_id, currency, "
                "sum(CASE WHEN kind = 'income' THEN amount_minor ELSE -amount_minor END) AS total "
                "FROM transactions WHERE deleted_at IS NULL GROUP BY user_id, currency"
            )
        }
    finally:
        await conn.close()
    db = Database(app_url)
    mismatched = 0
    try:
        for user in users:
            async with db.unit_of_work(user["tenant_id"]) as uow:
                balance = await get_balance(GetBalance(user["id"]), uow)
            # Default accounts open at zero, so a balance is exactly its transactions' signed sum.
            computed = {code: money.to_minor() for code, money in balance.totals.items() if money.to_minor()}
            summed = {code: total for (uid, code), total in sums.items() if uid == user["id"] and total}
            if computed != summed:
                mismatched += 1
    finally:
        await db.dispose()
    verdict = [
        f"NOTE answered: {done - later} in the webhook's response, {later} later through the API (held "
        f"past the process limit, past the deadline, or deferred); open rows {open_rows}, "
        f"{drained:.1f} s after the last webhook",
        f"{'PASS' if stored == len(sids) else 'FAIL'} every message stored once: {stored} inbox rows for "
        f"{len(sids)} distinct MessageSids ({len(messages) - len(sids)} deliberate duplicates sent)",
        f"{'PASS' if doubled == 0 else 'FAIL'} no message recorded twice: {doubled} source ids with two "
        "transactions",
        f"{'PASS' if recorded == len(expense_sids) else 'NOTE'} expenses, incomes and answered questions "
        f"recorded: {recorded} of {len(expense_sids)}",
        f"{'PASS' if failed == 0 else 'FAIL'} none given up or dropped: {failed}",
        f"{'PASS' if mismatched == 0 else 'FAIL'} balances equal the sum of their transactions: "
        f"{len(users) - mismatched} of {len(users)} users",
    ]
    return verdict


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


@dataclass(frozen=True)
class Figures:
    rate: float
    """Answers per second of wall time, errors included (as printed)."""
    p99_ms: float


def drive(
    port: int, messages: list[Message], args: argparse.Namespace, label: str, servers: dict[str, int]
) -> Figures:
    """Send the plan from a generator process and print what came back, prefixed with `label`; `servers`
    names the processes (with their descendants) whose CPU the run is charged with."""
    servers = {**servers, **shared_servers()}
    cpu_before = {name: cpu_seconds(pid) for name, pid in servers.items()}
    out: multiprocessing.Queue = multiprocessing.get_context("spawn").Queue()
    generator = multiprocessing.get_context("spawn").Process(
        target=generate, args=(f"http://127.0.0.1:{port}", messages, args.concurrency, out)
    )
    generator.start()
    results = out.get()
    generator.join()
    cpu = {name: cpu_seconds(pid) - cpu_before[name] for name, pid in servers.items()}
    wall = next(latency for latency, status in results if status == -1)
    cpu["generator"] = next(seconds for seconds, status in results if status == -2)
    answered = [(latency, status) for latency, status in results if status >= 0]
    latencies = [latency for latency, status in answered if status == 200]
    errors = len(answered) - len(latencies)
    retried = [(int(count), status == -3) for count, status in results if status in (-3, -4)]
    print(
        f"{label}{len(answered)} webhooks in {wall:.1f} s at a target of {args.rate:g}/s with "
        f"{args.concurrency} in flight ({args.tenants} tenants, {args.users} users, "
        f"{args.duplicates:.0%} duplicates, {args.processes} server process"
        f"{'es' if args.processes > 1 else ''}): "
        f"{len(answered) / wall:.0f} messages/s achieved; the plan spans {messages[-1].at:.1f} s "
        f"(follow-ups and duplicates trail the last new message)"
    )
    p99 = float("nan")
    if latencies:
        ms = {p: percentile(latencies, p) * 1000 for p in (50, 95, 99)}
        p99 = ms[99]
        print(
            f"{label}latency p50 {ms[50]:.0f} ms, p95 {ms[95]:.0f} ms, p99 {ms[99]:.0f} ms, "
            f"mean {statistics.mean(latencies) * 1000:.0f} ms; errors (non-200 or no answer): {errors} "
            f"{dict(Counter(status for _, status in answered if status != 200)) or ''}"
        )
    if retried:
        print(
            f"{label}retried after a 503 or a cut connection (as a provider that retries): "
            f"{len(retried)} messages, "
            f"{sum(n for n, _ in retried)} retries, {sum(ok for _, ok in retried)} taken at last"
        )
    # Everything shares the machine: a generator near 100% of a core is the ceiling, not the server. CPU per
    # message is the figure that noise from other work on the machine disturbs least.
    print(
        f"{label}CPU during the run (of one core, over {wall:.1f} s; per message): "
        + ", ".join(
            f"{name} {seconds:.1f} s ({seconds / wall:.0%}; {seconds / len(answered) * 1000:.1f} ms)"
            for name, seconds in cpu.items()
        )
    )
    return Figures(len(answered) / wall, p99)


def kill_one_server(supervisor: int) -> None:
    """SIGKILL one of `centavo serve --processes N`'s servers mid-run (its supervisor starts another): what
    it held in flight must come back through the provider's retry or the worker, nothing lost or doubled."""
    for task in Path(f"/proc/{supervisor}/task").iterdir():
        children = (task / "children").read_text().split()
        if children:
            os.kill(int(children[0]), signal.SIGKILL)
            print(f"load: killed server process {children[0]} (SIGKILL) mid-run")
            return


def stop(processes: list[subprocess.Popen[bytes]]) -> None:
    for process in processes:
        process.terminate()
    for process in processes:
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()


def run_centavo(args: argparse.Namespace) -> Figures:
    """`centavo serve` and `centavo worker` on a fresh database: the figures, then the database checked."""
    import redis

    name = f"centavo_load_{secrets.token_hex(4)}"
    asyncio.run(admin(f"CREATE DATABASE {name}"))
    owner_url, app_url = urls(name)
    processes: list[subprocess.Popen[bytes]] = []
    try:
        from adapters.db import upgrade

        upgrade(owner_url)
        tenants = asyncio.run(seed(app_url, args.tenants, args.users))
        redis.Redis.from_url(REDIS_URL).flushdb()
        port = free_port()
        env = {
            **os.environ,
            "DATABASE_URL": app_url,
            "REDIS_URL": REDIS_URL,
            "TWILIO_AUTH_TOKEN": TOKEN,
            "PUBLIC_BASE_URL": f"http://127.0.0.1:{port}",
            "LOG_LEVEL": "WARNING",
        }
        env.pop("TWILIO_ACCOUNT_SID", None)  # replies as TwiML, deferred ones through the console channel
        # Only with more than one: `centavo serve --processes` may not exist yet on this branch.
        several = ["--processes", str(args.processes)] if args.processes > 1 else []
        started = time.monotonic()
        serve = subprocess.Popen(
            [CENTAVO, "serve", "--host", "127.0.0.1", "--port", str(port), *several],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=_log_file(args.logs, "serve"),
        )
        processes.append(serve)
        cold = wait_healthy(port, serve)
        worker = subprocess.Popen(
            [CENTAVO, "worker"], env=env, stdout=subprocess.DEVNULL, stderr=_log_file(args.logs, "worker")
        )
        processes.append(worker)
        messages = plan(tenants, args.rate, args.seconds, args.duplicates)
        if args.kill_one_after is not None:
            threading.Timer(args.kill_one_after, kill_one_server, (serve.pid,)).start()
        figures = drive(
            port, messages, args, "load: ", {"centavo serve": serve.pid, "centavo worker": worker.pid}
        )
        print(
            f"load: centavo serve ready {cold:.2f} s after it was started (cold start; "
            f"{time.monotonic() - started:.0f} s from start to the end of the run)"
        )
        for line in asyncio.run(verify(owner_url, app_url, messages, lambda: stop(processes))):
            print("load: " + line)
    finally:
        stop(processes)
        asyncio.run(admin(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
    return figures


async def verify_raw(url: str, messages: list[Message]) -> list[str]:
    """The raw handler's tables after its run: PASS/FAIL lines."""
    import asyncpg
    from support.raw_handler import understand

    sids = {m.form["MessageSid"] for m in messages}
    recordable = sum(
        1
        for m in messages
        if not m.duplicate and understand(m.form["Body"])[0] in ("expense", "income", "budget")
    )
    conn = await asyncpg.connect(url)
    try:
        stored = await conn.fetchval("SELECT count(*) FROM raw_inbox")
        done = await conn.fetchval("SELECT count(*) FROM raw_inbox WHERE status = 'done'")
        rows = await conn.fetchval("SELECT count(*) FROM raw_ledger")
        doubled = await conn.fetchval(
            "SELECT count(*) FROM (SELECT sid FROM raw_ledger GROUP BY sid HAVING count(*) > 1) d"
        )
    finally:
        await conn.close()
    return [
        f"{'PASS' if stored == len(sids) else 'FAIL'} every message stored once: {stored} raw_inbox rows for "
        f"{len(sids)} distinct MessageSids ({len(messages) - len(sids)} deliberate duplicates sent)",
        f"{'PASS' if doubled == 0 and rows == recordable else 'FAIL'} duplicates wrote nothing: "
        f"{rows} ledger rows for {recordable} distinct messages with an amount to record, "
        f"{doubled} sids written twice",
        f"{'PASS' if done == stored else 'FAIL'} every stored message settled done: {done} of {stored}",
    ]


def run_raw(args: argparse.Namespace) -> Figures:
    """bench/support/raw_handler.py on a fresh database, the same plan with new MessageSids: figures, then a
    check."""
    import redis

    name = f"centavo_rawload_{secrets.token_hex(4)}"
    asyncio.run(admin(f"CREATE DATABASE {name}"))
    # The owner: the raw handler creates its tables, and has no row-level security to pay for.
    owner_url, _ = urls(name)
    processes: list[subprocess.Popen[bytes]] = []
    try:
        redis.Redis.from_url(REDIS_URL).flushdb()
        port = free_port()
        started = time.monotonic()
        handler = subprocess.Popen(
            [
                sys.executable,
                str(Path(__file__).with_name("support") / "raw_handler.py"),
                *("--port", str(port), "--database-url", owner_url, "--redis-url", REDIS_URL),
                *("--token", TOKEN, "--processes", str(args.processes)),
            ],
            stdout=subprocess.DEVNULL,
        )
        processes.append(handler)
        cold = wait_healthy(port, handler, "the raw handler")
        messages = plan(population(args.tenants, args.users), args.rate, args.seconds, args.duplicates)
        figures = drive(port, messages, args, "load: raw: ", {"raw handler": handler.pid})
        print(
            f"load: raw: raw handler ready {cold:.2f} s after it was started "
            f"({time.monotonic() - started:.0f} s from start to the end of the run)"
        )
        for line in asyncio.run(verify_raw(owner_url, messages)):
            print("load: raw: " + line)
    finally:
        stop(processes)
        asyncio.run(admin(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
    return figures


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rate", type=float, default=float(os.environ.get("BENCH_LOAD_RATE", 100)))
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--seconds", type=float, default=float(os.environ.get("BENCH_LOAD_SECONDS", 10)))
    parser.add_argument("--tenants", type=int, default=3)
    parser.add_argument("--users", type=int, help="default: enough that each writes every few seconds")
    parser.add_argument("--duplicates", type=float, default=0.05)
    parser.add_argument("--processes", type=int, default=1, help="server processes on the one port")
    parser.add_argument(
        "--raw",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="then the raw handler, for the ratio",
    )
    parser.add_argument("--only-raw", action="store_true", help="the raw handler alone (no centavo)")
    parser.add_argument("--logs", type=Path, help="keep serve's and the worker's logs in this folder")
    parser.add_argument(
        "--kill-one-after",
        type=float,
        metavar="S",
        help="SIGKILL one server process S seconds into the run (with --processes 2 or more)",
    )
    args = parser.parse_args()
    # Each user writes at most every two seconds (a question takes four): fewer users would hold the offered
    # rate below the target.
    args.users = args.users or max(600, int(args.rate * 6))
    why = reachable()
    if why:
        print(f"load: skipped: {why}")
        return 0
    centavo = None if args.only_raw else run_centavo(args)
    raw = run_raw(args) if args.raw or args.only_raw else None
    if centavo and raw:
        print(
            f"load: ratio centavo/raw: {centavo.rate / raw.rate:.2f} of the raw handler's rate "
            f"(p99 {centavo.p99_ms:.0f} ms vs {raw.p99_ms:.0f} ms)"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
