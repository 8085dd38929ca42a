"""The real stack's logs: no bound values from database errors, no verify token in access lines."""

from __future__ import annotations

import io
import json
import logging
import traceback
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlencode

import pytest
import sqlalchemy as sa
from aiohttp.test_utils import TestServer

from adapters.clock import SystemClock
from adapters.db import Database
from bot import logs
from bot.app import create_app
from bot.bootstrap import Bootstrap
from bot.lifecycle import Lifecycle
from bot.settings import Settings
from domain.messages import InboundMessage
from domain.model import Tenant
from tests.e2e.conftest import META_VERIFY_TOKEN, Routed, StubAgent, store_unanswered
from tests.e2e.test_app import signed
from tests.e2e.test_conversation import form

SENDER = "+5511987654321"  # store_unanswered's sender
TEXT = "gastei 10 no mercado"  # ...and its text


@pytest.fixture
def log_lines() -> Iterator[tuple[io.StringIO, list[logging.Logger]]]:
    """The production JSON handler on the loggers under test, writing into a buffer."""
    stream = io.StringIO()
    handler = logs.handler("json", stream)
    loggers = [logging.getLogger(name) for name in ("bot.lifecycle", "aiohttp.access", "bot.routes")]
    saved = [(logger.level, logger.propagate) for logger in loggers]
    for logger in loggers:
        logger.addHandler(handler)
        logger.setLevel(logging.INFO)
        logger.propagate = False
    yield stream, loggers
    for logger, (level, propagate) in zip(loggers, saved, strict=True):
        logger.removeHandler(handler)
        logger.setLevel(level)
        logger.propagate = propagate


def parsed(stream: io.StringIO) -> list[dict[str, Any]]:
    return [json.loads(line) for line in stream.getvalue().splitlines()]


class AgentWritingTheRow:
    """An agent whose database write fails on a CHECK constraint with the sender and the text as values,
    the shape of PostgreSQL's "Failing row contains (...)" errors."""

    def __init__(self, db: Database) -> None:
        self.db = db
        self.raised: list[BaseException] = []

    async def handle(self, tenant: Tenant, message: InboundMessage) -> str | None:
        async with self.db.engine.begin() as conn:
            await conn.execute(
                sa.text(
                    "CREATE TEMP TABLE probe (sender text, body text CHECK (length(body) < 5)) ON COMMIT DROP"
                )
            )
            try:
                await conn.execute(
                    sa.text("INSERT INTO probe VALUES (:sender, :body)"),
                    {"sender": message.sender, "body": message.text},
                )
            except Exception as exc:
                self.raised.append(exc)
                raise
        return None


async def test_a_database_error_in_the_worker_logs_neither_the_phone_nor_the_text(
    db: Database, routed: Routed, log_lines: tuple[io.StringIO, list[logging.Logger]]
) -> None:
    stream, _ = log_lines
    row = await store_unanswered(db, routed, died=False)
    agent = AgentWritingTheRow(db)
    lifecycle = Lifecycle(unit_of_work=db.unit_of_work, agent=agent, clock=SystemClock(), channels={})
    await lifecycle.work(routed.tenant)
    (error,) = agent.raised
    # The error did carry both (PostgreSQL's DETAIL), so the test would catch a leak...
    raw = "".join(traceback.format_exception(error))
    assert SENDER in raw and TEXT in raw
    # ...and SQLAlchemy's own message does not repeat the bound values (hide_parameters).
    assert "parameters hidden" in str(error) and TEXT not in str(error) and SENDER not in str(error)
    (line,) = [line for line in parsed(stream) if line["logger"] == "bot.lifecycle"]
    assert line["level"] == "ERROR" and line["message"].startswith("agent failed")
    assert line["tenant_id"] == str(routed.tenant.id) and line["message_id"] == str(row.id)
    assert "CheckViolationError" in line["exc"] and "probe_body_check" in line["exc"]
    out = stream.getvalue()
    assert TEXT not in out and "mercado" not in out
    assert SENDER not in out and "987654321" not in out


async def test_the_access_log_is_json_without_the_verify_token(
    aiohttp_client, settings: Settings, log_lines: tuple[io.StringIO, list[logging.Logger]]
) -> None:
    stream, _ = log_lines
    app = create_app(Bootstrap(settings, agent=False))
    server = TestServer(app)
    await server.start_server(access_log_class=logs.AccessLogger)  # as `centavo serve` passes it to run_app
    client = await aiohttp_client(server)
    params = {"hub.mode": "subscribe", "hub.verify_token": META_VERIFY_TOKEN, "hub.challenge": "1158201444"}
    response = await client.get("/webhooks/meta", params=params)
    assert response.status == 200
    forged = await client.get("/webhooks/meta", params={**params, "hub.verify_token": "guessed-token"})
    assert forged.status == 403
    await client.close()
    out = stream.getvalue()
    assert META_VERIFY_TOKEN not in out and "guessed-token" not in out
    ok, refused = [line for line in parsed(stream) if line["logger"] == "aiohttp.access"]
    assert ok["method"] == "GET" and ok["path"] == "/webhooks/meta" and ok["route"] == "/webhooks/meta"
    assert ok["status"] == 200 and ok["size"] > len("1158201444") and ok["ms"] >= 0
    # The challenge stays, though it looks enough like a phone number to be masked.
    assert ok["query"] == "hub.mode=subscribe&hub.verify_token=[redacted]&hub.challenge=11****1444"
    assert ok["message"] == "GET /webhooks/meta 200"
    assert refused["status"] == 403


async def test_each_message_has_one_line_with_its_tenant_ids_outcome_and_time_but_no_text(
    aiohttp_client, settings: Settings, routed: Routed, log_lines: tuple[io.StringIO, list[logging.Logger]]
) -> None:
    stream, _ = log_lines
    client = await aiohttp_client(create_app(Bootstrap(settings, agent_factory=lambda *a: StubAgent())))
    params = form(routed, TEXT, sender=SENDER)
    for _ in range(2):  # the second delivery is a duplicate
        response = await client.post("/webhooks/twilio", data=urlencode(params), headers=signed(params))
        assert response.status == 200
    first, again = [line for line in parsed(stream) if line["logger"] == "bot.routes"]
    assert (first["outcome"], again["outcome"]) == ("answered", "duplicate")
    assert first["tenant_id"] == str(routed.tenant.id) and first["provider"] == "twilio"
    assert first["provider_message_id"] == params["MessageSid"] and first["ms"] >= 0
    assert first["message_id"] == again["message_id"] and len(first["message_id"]) == 36
    out = stream.getvalue()
    assert TEXT not in out and SENDER not in out and "987654321" not in out
