"""`centavo demo` and `centavo signed-request` print a curl command the real app accepts and answers."""

from __future__ import annotations

import asyncio
import shlex
from pathlib import Path

import pytest
from aiohttp.test_utils import TestClient

from bot.app import create_app
from bot.cli import DEMO_NUMBER, main
from bot.conversation import agent_factory
from bot.settings import Settings

TOKEN = "local-test-token"


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Settings:
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'centavo.db'}")
    monkeypatch.setenv("TWILIO_AUTH_TOKEN", TOKEN)
    monkeypatch.delenv("PUBLIC_BASE_URL", raising=False)
    monkeypatch.delenv("REDIS_URL", raising=False)
    assert main(["migrate"]) == 0
    return Settings.from_env()


async def cli(argv: list[str]) -> int:
    """The CLI runs its own event loop: outside the test's."""
    return await asyncio.to_thread(main, argv)


def curl_parts(command: str) -> tuple[str, dict[str, str], str]:
    """(url, headers, body) of the printed curl command."""
    words = shlex.split(command)
    assert words[:2] == ["curl", "-sS"]
    url, rest = words[2], words[3:]
    headers: dict[str, str] = {}
    body = ""
    for flag, value in zip(rest[::2], rest[1::2], strict=True):
        if flag == "-H":
            name, _, text = value.partition(": ")
            headers[name] = text
        else:
            assert flag == "--data"
            body = value
    return url, headers, body


def printed_curl(out: str) -> str:
    (line,) = [line.strip() for line in out.splitlines() if line.strip().startswith("curl ")]
    return line


async def post_printed(client: TestClient, command: str) -> tuple[int, str]:
    url, headers, body = curl_parts(command)
    assert url == "http://localhost:8080/webhooks/twilio"  # PUBLIC_BASE_URL's default
    response = await client.post("/webhooks/twilio", data=body.encode(), headers=headers)
    return response.status, await response.text()


async def test_the_request_demo_prints_is_answered(
    env: Settings, aiohttp_client, capsys: pytest.CaptureFixture[str]
) -> None:
    assert await cli(["demo"]) == 0
    out = capsys.readouterr().out
    assert f"routed the demo number {DEMO_NUMBER}" in out
    client = await aiohttp_client(create_app(env, agent_factory=agent_factory))
    status, twiml = await post_printed(client, printed_curl(out))
    assert status == 200
    assert "Expense recorded: $25.00 at Starbucks (dining)" in twiml


async def test_signed_request_takes_any_text_and_a_tampered_one_is_refused(
    env: Settings, aiohttp_client, capsys: pytest.CaptureFixture[str]
) -> None:
    assert await cli(["demo"]) == 0
    assert await cli(["demo"]) == 0  # routing the demo number again is a no-op
    assert capsys.readouterr().out.count("routed the demo number") == 1
    assert await cli(["signed-request", "--text", "gastei 30 na farmácia"]) == 0
    command = printed_curl(capsys.readouterr().out)
    client = await aiohttp_client(create_app(env, agent_factory=agent_factory))
    status, twiml = await post_printed(client, command)
    assert status == 200 and "$30.00" in twiml

    tampered = command.replace("30", "3000")
    assert (await post_printed(client, tampered))[0] == 403


def test_signed_request_without_a_token_explains(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("TWILIO_AUTH_TOKEN", raising=False)
    assert main(["signed-request"]) == 2
    assert "Set TWILIO_AUTH_TOKEN" in capsys.readouterr().out
