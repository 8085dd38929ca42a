"""The composition root builds what a command asks for, hands the injected clock and agent factory
through, and closes what it opened in reverse order, also when building a later part fails."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

import bot.bootstrap
from adapters.cache import Cache, connect
from adapters.channels import ConsoleChannel
from adapters.db import Database
from bot.bootstrap import Bootstrap
from bot.keys import Metrics
from bot.settings import Settings
from domain.ports import Clock
from tests.e2e.conftest import StubAgent


class FixedClock:
    def now(self) -> datetime:
        return datetime(2026, 11, 18, 15, tzinfo=UTC)


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(database_url=f"sqlite:///{tmp_path / 'centavo.db'}")


@pytest.fixture
def closed(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The order parts are closed in, recorded by wrapping the database, the cache and the channels."""
    order: list[str] = []

    class RecordedDatabase(Database):
        async def dispose(self) -> None:
            order.append("database")
            await super().dispose()

    def recorded_connect(url: str | None) -> Cache:
        cache = connect(url)
        close = cache.close

        async def recorded_close() -> None:
            order.append("cache")
            await close()

        cache.close = recorded_close  # type: ignore[method-assign]
        return cache

    class RecordedChannel(ConsoleChannel):
        def __init__(self, name: str) -> None:
            super().__init__()
            self.name = name

        async def close(self) -> None:
            order.append(self.name)
            await super().close()

    monkeypatch.setattr(bot.bootstrap, "Database", RecordedDatabase)
    monkeypatch.setattr(bot.bootstrap, "connect", recorded_connect)
    monkeypatch.setattr(bot.bootstrap, "twilio_channel", lambda settings: RecordedChannel("twilio"))
    monkeypatch.setattr(bot.bootstrap, "meta_channel", lambda settings: RecordedChannel("meta"))
    return order


async def test_everything_with_the_injected_clock_and_agent(settings: Settings, closed: list[str]) -> None:
    agent = StubAgent()
    given: list[tuple[Any, ...]] = []

    def factory(db: Database, cache: Cache, clock: Clock, metrics: Metrics | None = None) -> StubAgent:
        given.append((db, cache, clock, metrics))
        return agent

    clock = FixedClock()
    async with Bootstrap(settings, clock=clock, agent_factory=factory).open() as parts:
        assert parts.agent is agent and parts.need_agent() is agent
        assert given == [(parts.db, parts.cache, clock, parts.metrics)]
        assert parts.clock is clock and parts.db.clock is clock
        assert set(parts.channels) == {"twilio", "meta"}
        await parts.db.ping()  # open: it answers
        assert closed == []
    assert closed == ["meta", "twilio", "cache", "database"]


async def test_the_database_commands_get_only_the_database(settings: Settings, closed: list[str]) -> None:
    async with Bootstrap.database_only(settings).open() as parts:
        assert parts.cache is None and parts.agent is None and dict(parts.channels) == {}
        with pytest.raises(RuntimeError, match="without a cache"):
            parts.need_cache()
        with pytest.raises(RuntimeError, match="without an agent"):
            parts.need_agent()
    assert closed == ["database"]


async def test_the_chat_gets_no_channels(settings: Settings, closed: list[str]) -> None:
    async with Bootstrap(settings, channels=False, agent_factory=lambda *a: StubAgent()).open() as parts:
        assert parts.cache is not None and parts.agent is not None and dict(parts.channels) == {}
    assert closed == ["cache", "database"]


async def test_a_failing_agent_factory_still_closes_what_was_opened(
    settings: Settings, closed: list[str]
) -> None:
    def broken(*args: Any) -> StubAgent:
        raise RuntimeError("agent construction failed")

    with pytest.raises(RuntimeError, match="agent construction failed"):
        async with Bootstrap(settings, agent_factory=broken).open():
            pass
    assert closed == ["meta", "twilio", "cache", "database"]


def test_an_agent_needs_the_cache(settings: Settings) -> None:
    with pytest.raises(ValueError, match="cache"):
        Bootstrap(settings, cache=False)


async def test_the_default_agent_is_the_conversation_agent(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    from bot.conversation import Agent

    async with Bootstrap(settings, channels=False).open() as parts:
        assert isinstance(parts.agent, Agent)
    stub = StubAgent()
    monkeypatch.setattr(bot.bootstrap, "default_agent_factory", lambda: lambda *args, **kwargs: stub)
    async with Bootstrap(settings, channels=False).open() as parts:
        assert parts.agent is stub
