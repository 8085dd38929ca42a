"""A lean aiohttp + asyncpg + redis.asyncio Twilio webhook doing one message's steps, bench/load.py's ceiling.

    python bench/support/raw_handler.py --port P --database-url URL --redis-url URL --token T [--processes N]

Per message, as `centavo serve` does it, with nothing else: the Twilio signature (RequestValidator), the
MessageSid stored once (INSERT ... ON CONFLICT DO NOTHING into raw_inbox; a duplicate gets its stored reply),
a per-sender rate limit in Redis (INCR and EXPIRE in one pipelined round trip), a small NLU (a regex for the
amount, keyword tables for the kind and the category in English, Spanish and Portuguese), one transaction
(one statement) that writes the raw_ledger row (expenses, incomes, budgets; a question sums the sender's week
instead) and marks the inbox row done, and a TwiML reply. No ORM: an asyncpg pool, whose connections
prepare and cache each statement. It creates its two tables if they are missing. With --processes N it forks
N servers on one port (SO_REUSEPORT). GET /readyz answers 200 once every process is serving.
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing
import re
import signal
import sys
import time
from typing import Any
from urllib.parse import parse_qsl
from xml.sax.saxutils import escape

import asyncpg
import redis.asyncio as aioredis
from aiohttp import web
from twilio.request_validator import RequestValidator

PATH = "/webhooks/twilio"
MAX_BODY = 64 * 1024
RATE_WINDOW = 60  # seconds; a fixed window per sender
RATE_LIMIT = 30  # messages per window, about centavo's bucket (a burst of 20, then one a second)

SCHEMA = """
CREATE TABLE IF NOT EXISTS raw_inbox (
    sid text PRIMARY KEY,
    sender text NOT NULL,
    recipient text NOT NULL,
    body text NOT NULL,
    status text NOT NULL DEFAULT 'received',
    reply text,
    received_at timestamptz NOT NULL DEFAULT now()
);
CREATE TABLE IF NOT EXISTS raw_ledger (
    id bigserial PRIMARY KEY,
    sid text NOT NULL,
    sender text NOT NULL,
    kind text NOT NULL,
    amount_minor bigint NOT NULL,
    category text NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
);
-- A question sums the sender's week: without this it would scan the table.
CREATE INDEX IF NOT EXISTS raw_ledger_sender ON raw_ledger (sender, created_at);
"""
INSERT_INBOX = (
    "INSERT INTO raw_inbox (sid, sender, recipient, body) VALUES ($1, $2, $3, $4) "
    "ON CONFLICT (sid) DO NOTHING RETURNING 1"
)
STORED_REPLY = "SELECT reply FROM raw_inbox WHERE sid = $1"
# The ledger row and the inbox row settled in one statement: one transaction in one round trip (BEGIN,
# INSERT, UPDATE, COMMIT would be four).
RECORD = (
    "WITH entry AS (INSERT INTO raw_ledger (sid, sender, kind, amount_minor, category) "
    "VALUES ($1, $2, $3, $4, $5)) "
    "UPDATE raw_inbox SET status = 'done', reply = $6 WHERE sid = $1"
)
WEEK_SPENT = (
    "SELECT coalesce(sum(amount_minor), 0) FROM raw_ledger "
    "WHERE sender = $1 AND kind = 'expense' AND created_at > now() - interval '7 days'"
)
SETTLE = "UPDATE raw_inbox SET status = $2, reply = $3 WHERE sid = $1"

# The NLU: an amount (12.50, 45,90, 1500) and keyword tables; the first table that matches decides.
AMOUNT = re.compile(r"(?<![\w.,])(\d{1,9})(?:[.,](\d{1,2}))?(?![\d])")
KINDS = [
    ("question", re.compile(r"how much|cu[aá]nto|quanto|\?")),
    ("budget", re.compile(r"budget|presupuesto|or[cç]amento")),
    ("income", re.compile(r"got paid|salary|income|recib[ií]|sueldo|salario|recebi|sal[aá]rio")),
    ("expense", re.compile(r"spent|paid|gast[eé]|pagu[eé]|gastei|paguei")),
]
CATEGORIES = [
    ("coffee", re.compile(r"starbucks|coffee|caf[eé]")),
    ("transport", re.compile(r"uber|taxi|bus|metro|[oô]nibus")),
    ("groceries", re.compile(r"grocer|supermercado|mercado|comida|food")),
    ("salary", re.compile(r"salary|sueldo|sal[aá]rio")),
]
REPLIES = {
    "expense": "Recorded an expense of {amount} ({category}).",
    "income": "Recorded an income of {amount}.",
    "budget": "Budget of {amount} set for {category}.",
    "question": "You spent {amount} in the last 7 days.",
    "none": "Noted.",
}


def understand(text: str) -> tuple[str, int, str]:
    """(kind, amount in minor units, category); kind "none" when nothing is to be recorded."""
    lowered = text.lower()
    kind = next((name for name, pattern in KINDS if pattern.search(lowered)), "none")
    found = AMOUNT.search(lowered)
    amount = int(found.group(1)) * 100 + int((found.group(2) or "0").ljust(2, "0")) if found else 0
    if kind in ("expense", "income", "budget") and not amount:
        kind = "none"
    category = next((name for name, pattern in CATEGORIES if pattern.search(lowered)), "other")
    return kind, amount, category


def twiml(text: str | None) -> web.Response:
    inner = f"<Message>{escape(text)}</Message>" if text else ""
    return web.Response(
        text=f'<?xml version="1.0" encoding="UTF-8"?><Response>{inner}</Response>',
        content_type="application/xml",
    )


def make_app(args: argparse.Namespace, serving: Any) -> web.Application:
    validator = RequestValidator(args.token)
    public = args.public_base_url or f"http://127.0.0.1:{args.port}"
    pool_key = web.AppKey("pool", asyncpg.Pool)
    redis_key = web.AppKey("redis", aioredis.Redis)

    async def resources(app: web.Application) -> Any:
        app[pool_key] = await asyncpg.create_pool(
            args.database_url, min_size=args.pool_size, max_size=args.pool_size
        )
        app[redis_key] = aioredis.Redis.from_url(args.redis_url)
        with serving.get_lock():
            serving.value += 1
        yield
        await app[redis_key].aclose()
        await app[pool_key].close()

    async def webhook(request: web.Request) -> web.Response:
        if request.content_type != "application/x-www-form-urlencoded":
            raise web.HTTPUnsupportedMediaType()
        if (request.content_length or 0) > MAX_BODY:
            raise web.HTTPRequestEntityTooLarge(max_size=MAX_BODY, actual_size=request.content_length or 0)
        body = await request.read()
        try:
            params = dict(parse_qsl(body.decode(), keep_blank_values=True, strict_parsing=True))
        except (UnicodeDecodeError, ValueError) as exc:
            raise web.HTTPBadRequest() from exc
        signature = request.headers.get("X-Twilio-Signature", "")
        if not validator.validate(public + request.path_qs, params, signature):
            raise web.HTTPForbidden()
        try:
            sid, sender, recipient = params["MessageSid"], params["From"], params["To"]
        except KeyError as exc:
            raise web.HTTPBadRequest() from exc
        text = params.get("Body", "")
        pool, cache = request.app[pool_key], request.app[redis_key]
        async with pool.acquire() as conn:
            if await conn.fetchval(INSERT_INBOX, sid, sender, recipient, text) is None:
                return twiml(await conn.fetchval(STORED_REPLY, sid))  # a retry: its first answer
            window = f"rl:{sender}:{int(time.time()) // RATE_WINDOW}"
            async with cache.pipeline(transaction=False) as pipe:
                pipe.incr(window)
                pipe.expire(window, RATE_WINDOW)
                count, _ = await pipe.execute()
            if count > RATE_LIMIT:
                await conn.execute(SETTLE, sid, "limited", None)
                return twiml(None)
            kind, amount, category = understand(text)
            if kind == "question":
                amount = await conn.fetchval(WEEK_SPENT, sender)
            reply = REPLIES[kind].format(amount=f"{amount / 100:.2f}", category=category)
            if kind in ("question", "none"):
                await conn.execute(SETTLE, sid, "done", reply)
            else:
                await conn.execute(RECORD, sid, sender, kind, amount, category, reply)
        return twiml(reply)

    async def readyz(request: web.Request) -> web.Response:
        ready = serving.value >= args.processes
        return web.Response(status=200 if ready else 503, text="ok" if ready else "starting")

    app = web.Application(client_max_size=MAX_BODY)
    app.cleanup_ctx.append(resources)
    app.router.add_post(PATH, webhook)
    app.router.add_get("/readyz", readyz)
    return app


def serve(args: argparse.Namespace, serving: Any) -> None:
    web.run_app(
        make_app(args, serving),
        host=args.host,
        port=args.port,
        reuse_port=args.processes > 1,
        access_log=None,
        print=None,
    )


async def create_tables(url: str) -> None:
    conn = await asyncpg.connect(url)
    try:
        await conn.execute(SCHEMA)
    finally:
        await conn.close()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--database-url", required=True, help="postgresql://... (asyncpg's form)")
    parser.add_argument("--redis-url", required=True)
    parser.add_argument("--token", required=True, help="the Twilio auth token signatures are checked with")
    parser.add_argument("--public-base-url", help="the URL Twilio signs; default http://127.0.0.1:PORT")
    parser.add_argument("--processes", type=int, default=1)
    parser.add_argument(
        "--pool-size", type=int, default=20, help="PostgreSQL connections per process (centavo: 10 + 10)"
    )
    args = parser.parse_args()
    args.database_url = args.database_url.replace("postgresql+asyncpg://", "postgresql://")
    asyncio.run(create_tables(args.database_url))
    # Forked before any event loop runs here, so each child builds its own loop, pool and Redis client.
    context = multiprocessing.get_context("fork")
    serving = context.Value("i", 0)
    if args.processes == 1:
        serve(args, serving)
        return 0
    children = [context.Process(target=serve, args=(args, serving)) for _ in range(args.processes)]
    for child in children:
        child.start()

    def stop(signum: int, frame: object) -> None:
        for child in children:
            if child.is_alive():
                child.terminate()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    for child in children:
        child.join()
    return 0


if __name__ == "__main__":
    sys.exit(main())
