"""The Redis cache adapter on a real Redis database and on in-process fakeredis: same behaviour."""

from __future__ import annotations

import asyncio
import logging
import time
import uuid
from collections.abc import AsyncIterator

import pytest
from redis.exceptions import ConnectionError as RedisConnectionError

from adapters.cache import Cache, RedisHealth, connect

pytestmark = pytest.mark.integration

NOW = 1_700_000_000.0


@pytest.fixture(params=["redis", "fakeredis"])
async def cache(request: pytest.FixtureRequest) -> AsyncIterator[Cache]:
    """A Cache on this run's own Redis database number, or on a private fakeredis server."""
    url = request.getfixturevalue("redis_url") if request.param == "redis" else None
    cache = connect(url)
    assert cache.embedded is (url is None)
    try:
        yield cache
    finally:
        await cache.close()


def tenant() -> uuid.UUID:
    return uuid.uuid4()


async def test_burst_of_twenty_then_one_polite_refusal(cache: Cache) -> None:
    t = tenant()
    decisions = [await cache.rate_limiter.check(t, "+15550001", NOW) for _ in range(25)]
    assert [d.allowed for d in decisions] == [True] * 20 + [False] * 5
    assert [d.first_refusal for d in decisions] == [False] * 20 + [True] + [False] * 4


async def test_refill_about_one_a_second_and_new_streak_gets_a_new_reply(cache: Cache) -> None:
    t = tenant()
    for _ in range(20):
        assert (await cache.rate_limiter.check(t, "+15550001", NOW)).allowed
    assert (await cache.rate_limiter.check(t, "+15550001", NOW + 0.5)).first_refusal
    # One second later, one token: allowed, and the streak is over.
    assert (await cache.rate_limiter.check(t, "+15550001", NOW + 1.0)).allowed
    again = await cache.rate_limiter.check(t, "+15550001", NOW + 1.1)
    assert not again.allowed and again.first_refusal
    # Five seconds on, five tokens.
    later = [await cache.rate_limiter.check(t, "+15550001", NOW + 6.1) for _ in range(6)]
    assert [d.allowed for d in later] == [True] * 5 + [False]
    # After a long quiet spell the bucket is full again, never more.
    full = [await cache.rate_limiter.check(t, "+15550001", NOW + 3600) for _ in range(21)]
    assert [d.allowed for d in full] == [True] * 20 + [False]


async def test_reservations_queue_one_token_apart_and_keep_the_key_alive(cache: Cache) -> None:
    t, phone = tenant(), "+15550001"
    for _ in range(20):
        assert (await cache.rate_limiter.check(t, phone, NOW)).allowed
    refused = await cache.rate_limiter.check(t, phone, NOW)
    assert not refused.allowed and refused.wait == 0  # without reserve nothing is taken
    waits = [(await cache.rate_limiter.check(t, phone, NOW, reserve=True)).wait for _ in range(40)]
    assert waits == [float(k) for k in range(1, 41)]
    # The debt outlives the plain TTL: the key stays until the bucket could be full again.
    assert await cache.client.ttl(f"centavo:{t}:rl:{phone}") > cache.rate_limiter.key_ttl
    # Ten seconds on, the reserved tokens are still owed: a new message queues behind them.
    later = await cache.rate_limiter.check(t, phone, NOW + 10, reserve=True)
    assert not later.allowed and later.wait == 31.0
    assert (await cache.rate_limiter.check(t, phone, NOW + 42)).allowed


async def test_bucket_key_is_namespaced_by_tenant_and_expires(cache: Cache) -> None:
    t = tenant()
    await cache.rate_limiter.check(t, "+15550001", NOW)
    ttl = await cache.client.ttl(f"centavo:{t}:rl:+15550001")
    assert 0 < ttl <= cache.rate_limiter.key_ttl


async def test_fifty_concurrent_checks_admit_exactly_twenty(cache: Cache) -> None:
    t = tenant()
    decisions = await asyncio.gather(*(cache.rate_limiter.check(t, "+15550001", NOW) for _ in range(50)))
    assert sum(d.allowed for d in decisions) == 20
    assert sum(d.first_refusal for d in decisions) == 1


async def test_senders_and_tenants_are_independent(cache: Cache) -> None:
    a, b = tenant(), tenant()
    for _ in range(20):
        await cache.rate_limiter.check(a, "+15550001", NOW)
    assert not (await cache.rate_limiter.check(a, "+15550001", NOW)).allowed
    assert (await cache.rate_limiter.check(a, "+15550002", NOW)).allowed
    assert (await cache.rate_limiter.check(b, "+15550001", NOW)).allowed


async def test_conversation_state_set_get_clear_with_ttl(cache: Cache) -> None:
    t, user = tenant(), uuid.uuid4()
    assert await cache.state.get(t, user) is None
    state = {"awaiting": "category", "amount": "12.50", "currency": "USD", "lang": "es"}
    await cache.state.set(t, user, state)
    assert await cache.state.get(t, user) == state
    assert await cache.state.get(tenant(), user) is None
    ttl = await cache.client.ttl(f"centavo:{t}:state:{user}")
    assert 590 <= ttl <= 600
    await cache.state.set(t, user, {"awaiting": "confirm"}, ttl=30)
    assert 0 < await cache.client.ttl(f"centavo:{t}:state:{user}") <= 30
    await cache.state.clear(t, user)
    assert await cache.state.get(t, user) is None


async def test_dedupe_hint(cache: Cache) -> None:
    t = tenant()
    assert await cache.dedupe.seen_before(t, "whatsapp", "SM123") is False
    assert await cache.dedupe.seen_before(t, "whatsapp", "SM123") is True
    assert await cache.dedupe.seen_before(t, "sms", "SM123") is False
    assert await cache.dedupe.seen_before(tenant(), "whatsapp", "SM123") is False
    assert 0 < await cache.client.ttl(f"centavo:{t}:dedupe:whatsapp:SM123") <= cache.dedupe.ttl


async def test_unreachable_redis_degrades_quickly_and_logs_once(caplog: pytest.LogCaptureFixture) -> None:
    cache = connect("redis://127.0.0.1:1/0")
    t, user = tenant(), uuid.uuid4()
    caplog.set_level(logging.INFO, logger="adapters.cache")
    started = time.monotonic()
    try:
        for i in range(30):
            decision = await cache.rate_limiter.check(t, "+15550001", NOW)
            assert decision.allowed and not decision.first_refusal
            assert await cache.state.get(t, user) is None
            await cache.state.set(t, user, {"awaiting": "category"})
            await cache.state.clear(t, user)
            assert await cache.dedupe.seen_before(t, "whatsapp", f"SM{i}") is False
        assert await cache.ping() is False
    finally:
        await cache.close()
    assert time.monotonic() - started < 2
    assert cache.health.available is False
    records = [r for r in caplog.records if r.name == "adapters.cache"]
    assert [r.levelno for r in records] == [logging.WARNING]
    assert records[0].tenant_id == str(t)


async def test_health_logs_outage_once_and_recovery_once(caplog: pytest.LogCaptureFixture) -> None:
    """Without a back-off every call probes; the log still has one line per transition."""
    health = RedisHealth(retry_interval=0)
    up = False

    async def call() -> str:
        if not up:
            raise RedisConnectionError("refused")
        return "ok"

    caplog.set_level(logging.INFO, logger="adapters.cache")
    assert [await health.run("op", call, "default", tenant_id="t1") for _ in range(5)] == ["default"] * 5
    up = True
    assert [await health.run("op", call, "default", tenant_id="t1") for _ in range(5)] == ["ok"] * 5
    records = [r for r in caplog.records if r.name == "adapters.cache"]
    assert [r.levelno for r in records] == [logging.WARNING, logging.INFO]


async def test_back_off_skips_redis_until_the_interval_passes() -> None:
    clock = [0.0]
    health = RedisHealth(retry_interval=5.0, monotonic=lambda: clock[0])
    calls = 0

    async def call() -> str:
        nonlocal calls
        calls += 1
        raise RedisConnectionError("refused")

    for _ in range(10):
        assert await health.run("op", call, "default") == "default"
    assert calls == 1
    clock[0] = 5.0
    await health.run("op", call, "default")
    assert calls == 2
