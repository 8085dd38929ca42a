"""A lost store: a quick 503 with Retry-After, 500s counted, a worker loop that never ends."""

from __future__ import annotations

import asyncio
import logging
import time

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient
from sqlalchemy import exc as sa

from bot.keys import METRICS, SETTINGS, Metrics
from bot.outage import WEBHOOK_OUTAGE, Backoff, Outage, is_unavailable, service_errors
from bot.settings import Settings
from bot.worker import loop


class Lost(Exception):
    """What a driver raises for a closed connection."""


def _db_error(kind: type[sa.DBAPIError]) -> sa.DBAPIError:
    return kind("SELECT 1", {}, Lost("connection is closed"))


@pytest.mark.parametrize(
    "error",
    [
        TimeoutError(),
        ConnectionRefusedError(),
        _db_error(sa.OperationalError),
        _db_error(sa.InterfaceError),
        sa.TimeoutError("QueuePool limit reached"),
    ],
)
def test_a_store_that_is_gone_or_hung_is_unavailable(error: BaseException) -> None:
    assert is_unavailable(error)


@pytest.mark.parametrize("error", [ValueError("bug"), _db_error(sa.ProgrammingError), KeyError("x")])
def test_a_bug_or_a_bad_statement_is_not(error: BaseException) -> None:
    assert not is_unavailable(error)


def test_a_wrapped_connection_error_is_unavailable() -> None:
    try:
        try:
            raise ConnectionResetError()
        except ConnectionResetError as inner:
            raise RuntimeError("while storing") from inner
    except RuntimeError as outer:
        assert is_unavailable(outer)


def test_backoff_grows_to_its_cap_and_resets() -> None:
    backoff = Backoff(first=0.5, cap=3)
    assert [backoff.delay() for _ in range(5)] == [0.5, 1, 2, 3, 3]
    backoff.reset()
    assert backoff.delay() == 0.5


def _app(deadline: float) -> web.Application:
    app = web.Application(middlewares=[service_errors])
    app[SETTINGS] = Settings(webhook_deadline_s=deadline)
    app[METRICS] = Metrics.create()
    app[WEBHOOK_OUTAGE] = Outage("test store")

    async def hangs(request: web.Request) -> web.Response:
        await asyncio.sleep(30)
        return web.Response(text="late")

    async def down(request: web.Request) -> web.Response:
        raise _db_error(sa.OperationalError)

    async def bug(request: web.Request) -> web.Response:
        raise ValueError("a bug")

    async def missing(request: web.Request) -> web.Response:
        raise web.HTTPNotFound(text="no tenant owns this number")

    async def fine(request: web.Request) -> web.Response:
        return web.Response(text="ok")

    app.router.add_post("/webhooks/hangs", hangs)
    app.router.add_post("/webhooks/down", down)
    app.router.add_post("/webhooks/missing", missing)
    app.router.add_post("/webhooks/fine", fine)
    app.router.add_get("/bug", bug)
    return app


def _errors(app: web.Application, kind: str) -> float:
    value = app[METRICS].registry.get_sample_value("errors_total", {"kind": kind})
    return value or 0.0


async def test_a_hung_store_answers_503_at_the_deadline(aiohttp_client) -> None:
    client: TestClient = await aiohttp_client(_app(deadline=0.3))
    started = time.monotonic()
    response = await client.post("/webhooks/hangs")
    assert response.status == 503
    assert time.monotonic() - started < 1.5
    assert response.headers["Retry-After"].isdigit()
    assert _errors(client.app, "unavailable") == 1


async def test_a_lost_database_answers_503_logged_once_per_outage(aiohttp_client, caplog) -> None:
    client: TestClient = await aiohttp_client(_app(deadline=2))
    with caplog.at_level(logging.WARNING, logger="bot.outage"):
        for _ in range(3):
            response = await client.post("/webhooks/down")
            assert response.status == 503
        assert (await client.post("/webhooks/fine")).status == 200
    messages = [r.getMessage() for r in caplog.records]
    assert sum("unavailable" in m for m in messages) == 1
    assert sum("available again" in m for m in messages) == 1
    assert not any(r.exc_info for r in caplog.records), "an outage is no traceback"


async def test_an_unhandled_error_is_a_counted_500_logged_once(aiohttp_client, caplog) -> None:
    client: TestClient = await aiohttp_client(_app(deadline=2))
    with caplog.at_level(logging.ERROR):
        response = await client.get("/bug")
    assert response.status == 500
    assert "a bug" not in await response.text()
    assert _errors(client.app, "http_500") == 1
    assert len([r for r in caplog.records if r.exc_info]) == 1


async def test_http_refusals_pass_through(aiohttp_client) -> None:
    client: TestClient = await aiohttp_client(_app(deadline=2))
    assert (await client.post("/webhooks/missing")).status == 404
    assert _errors(client.app, "http_500") == 0


class Flaky:
    """A worker whose passes fail while its store is down, then succeed."""

    def __init__(self, failures: list[BaseException]) -> None:
        self.failures = failures
        self.passes = 0
        self.eight = asyncio.Event()

    async def run_once(self) -> int:
        self.passes += 1
        if self.passes >= 8:
            self.eight.set()
        if self.failures:
            raise self.failures.pop(0)
        return 0


async def test_the_worker_outlives_an_outage_and_a_bug_and_logs_the_outage_once(caplog) -> None:
    down = [_db_error(sa.InterfaceError), ConnectionRefusedError(), _db_error(sa.OperationalError)]
    flaky = Flaky([*down, ValueError("a bug in one pass")])
    with caplog.at_level(logging.WARNING, logger="bot.worker"):
        backoff = Backoff(first=0.001, cap=0.005)
        task = asyncio.create_task(loop(flaky, idle_s=0.001, backoff=backoff))  # type: ignore[arg-type]
        await asyncio.wait_for(flaky.eight.wait(), 5)
        assert not task.done(), "the worker's loop ended"
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
    assert flaky.passes >= 8
    messages = [r.getMessage() for r in caplog.records]
    assert sum("unavailable" in m for m in messages) == 1
    assert sum("available again" in m for m in messages) == 1
    assert sum("worker pass failed" in m for m in messages) == 1
