"""What one message costs the service: CPU milliseconds, PostgreSQL and Redis round trips, by kind.

    python bench/message_cost.py [--messages 300]

It builds the real app in-process (bootstrap, PostgreSQL at BENCH_POSTGRES_ADMIN_URL on a database of its own,
Redis database BENCH_REDIS_DB, default 10), sends signed Twilio webhooks one at a time from the same loop and
counts, per message, the process CPU time and the writes to PostgreSQL's and Redis's sockets (each write is
one round trip: a request and its wait). Sequential on purpose: it measures cost, not concurrency, so its
figures are steady on a noisy machine where bench/load.py's are not. Skipped (exit 0) when PostgreSQL or
Redis is unreachable.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import secrets
import statistics
import sys
import time
import uuid
from collections import Counter
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from load import MIX, REDIS_URL, TOKEN, admin, reachable, seed, urls

PORTS = {5432: "postgres", 6379: "redis"}


class SocketCounter:
    """Counts writes on asyncio socket transports by the peer's port (every database round trip starts with
    one write: pipelined commands are one)."""

    def __init__(self) -> None:
        self.counts: Counter[str] = Counter()
        from asyncio import selector_events

        self._cls: Any = selector_events._SelectorSocketTransport
        self._original = self._cls.write

    def __enter__(self) -> SocketCounter:
        counts, original = self.counts, self._original

        def write(transport: Any, data: Any) -> None:
            peer = transport.get_extra_info("peername")
            if peer is not None:
                counts[PORTS.get(peer[1], "other")] += 1
            original(transport, data)

        self._cls.write = write
        return self

    def __exit__(self, *exc: object) -> None:
        self._cls.write = self._original


async def measure(app_url: str, messages: int) -> None:
    from aiohttp.test_utils import TestClient, TestServer
    from twilio.request_validator import RequestValidator

    import nlu
    from bot.app import create_app
    from bot.bootstrap import Bootstrap
    from bot.settings import Settings

    # Load the NLU first (serve does it before its port opens): a cold first message is not a steady cost.
    for lang, texts in MIX.items():
        for _, text in texts:
            nlu.parse(text, lang=lang)
    tenants = await seed(app_url, 3, 60)
    settings = Settings.from_env(
        {
            "DATABASE_URL": app_url,
            "REDIS_URL": REDIS_URL,
            "TWILIO_AUTH_TOKEN": TOKEN,
            "PUBLIC_BASE_URL": "http://127.0.0.1",
            "LOG_LEVEL": "WARNING",
        }
    )
    server = TestServer(create_app(Bootstrap(settings)))
    async with TestClient(server) as client:
        url = f"http://127.0.0.1:{server.port}/webhooks/twilio"
        settings_url = "http://127.0.0.1/webhooks/twilio"
        validator = RequestValidator(TOKEN)
        per_kind: dict[str, list[tuple[float, int, int]]] = {}
        sent = 0
        while sent < messages:
            for lang, number, phones in tenants:
                for kind, text in MIX[lang]:
                    phone = phones[sent % len(phones)]
                    sid = "SM" + uuid.uuid4().hex
                    form = {
                        "MessageSid": sid,
                        "AccountSid": "AC" + "0" * 32,
                        "From": "whatsapp:" + phone,
                        "To": "whatsapp:" + number,
                        "Body": text,
                        "NumMedia": "0",
                    }
                    headers = {
                        "X-Twilio-Signature": validator.compute_signature(settings_url, form),
                        "Content-Type": "application/x-www-form-urlencoded",
                    }
                    body = urlencode(form)
                    with SocketCounter() as counter:
                        cpu = time.process_time()
                        async with client.session.post(url, data=body, headers=headers) as response:
                            await response.read()
                            if response.status != 200:
                                raise SystemExit(f"message_cost: {response.status} for {text!r}")
                        cpu = time.process_time() - cpu
                    if sent >= len(tenants) * 6:  # the first round warms caches and the NLU
                        per_kind.setdefault(kind, []).append(
                            (cpu * 1000, counter.counts["postgres"], counter.counts["redis"])
                        )
                    sent += 1
    everything = [item for items in per_kind.values() for item in items]
    print(f"message_cost: {len(everything)} messages, one at a time, in-process (CPU of the whole process)")
    for kind, items in [*sorted(per_kind.items()), ("all", everything)]:
        print(
            f"message_cost: {kind:9} CPU {statistics.mean(i[0] for i in items):5.2f} ms, "
            f"PostgreSQL round trips {statistics.mean(i[1] for i in items):5.1f}, "
            f"Redis {statistics.mean(i[2] for i in items):4.1f}"
        )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=int(os.environ.get("BENCH_COST_MESSAGES", 300)))
    args = parser.parse_args()
    why = reachable()
    if why:
        print(f"message_cost: skipped: {why}")
        return 0
    import redis

    from adapters.db import upgrade

    name = f"centavo_cost_{secrets.token_hex(4)}"
    asyncio.run(admin(f"CREATE DATABASE {name}"))
    try:
        owner_url, app_url = urls(name)
        upgrade(owner_url)
        redis.Redis.from_url(REDIS_URL).flushdb()
        asyncio.run(measure(app_url, args.messages))
    finally:
        asyncio.run(admin(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
