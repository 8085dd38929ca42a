"""`centavo demo` and `centavo signed-request` print a curl command the real app accepts and answers."""

from __future__ import annotations

import asyncio
import os
import shlex
import subprocess
import sys
from pathlib import Path

import pytest
from aiohttp.test_utils import TestClient

from bot.app import create_app
from bot.bootstrap import Bootstrap
from bot.cli import main
from bot.conversation import agent_factory
from bot.demo import DEMO_NUMBER
from bot.settings import Settings

TOKEN = "local-test-token"
CENTAVO = str(Path(sys.executable).with_name("centavo"))


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Settings:
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'centavo.db'}")
    monkeypatch.setenv("TWILIO_AUTH_TOKEN", TOKEN)
    monkeypatch.delenv("PUBLIC_BASE_URL", raising=False)
    monkeypatch.delenv("PORT", raising=False)
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
    """The one curl line of `centavo demo`'s output, which must be copyable as it is: flush left."""
    (line,) = [line for line in out.splitlines() if line.startswith("curl ")]
    return line


async def post_printed(
    client: TestClient, command: str, base: str = "http://localhost:8080"
) -> tuple[int, str]:
    url, headers, body = curl_parts(command)
    assert url == f"{base}/webhooks/twilio"  # PUBLIC_BASE_URL's default follows PORT
    response = await client.post("/webhooks/twilio", data=body.encode(), headers=headers)
    return response.status, await response.text()


async def test_the_request_demo_prints_is_answered(
    env: Settings, aiohttp_client, capsys: pytest.CaptureFixture[str]
) -> None:
    assert await cli(["demo"]) == 0
    out = capsys.readouterr().out
    assert f"routed the demo number {DEMO_NUMBER}" in out
    client = await aiohttp_client(create_app(Bootstrap(env, agent_factory=agent_factory)))
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
    out = capsys.readouterr().out
    # stdout is the command and nothing else, so `centavo signed-request | sh` runs it.
    assert out.startswith("curl ") and out.count("\n") == 1
    command = out.strip()
    client = await aiohttp_client(create_app(Bootstrap(env, agent_factory=agent_factory)))
    status, twiml = await post_printed(client, command)
    assert status == 200 and "$30.00" in twiml

    tampered = command.replace("30", "3000")
    assert (await post_printed(client, tampered))[0] == 403


def test_signed_request_without_a_token_explains(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("TWILIO_AUTH_TOKEN", raising=False)
    assert main(["signed-request"]) == 2
    captured = capsys.readouterr()
    assert "Set TWILIO_AUTH_TOKEN" in captured.err and captured.out == ""


@pytest.mark.parametrize(
    ("args", "field"),
    [(["--phone", "12345"], "phone"), (["--phone", "+55abc"], "phone"), (["--to", "999"], "to")],
)
def test_signed_request_refuses_a_malformed_number(
    env: Settings, capsys: pytest.CaptureFixture[str], args: list[str], field: str
) -> None:
    assert main(["signed-request", *args]) == 2
    captured = capsys.readouterr()
    assert captured.err.startswith(f"error: {field}: ") and captured.out == ""


async def test_the_printed_requests_follow_port(
    env: Settings, aiohttp_client, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """`make run PORT=8099` serves on 8099; with PUBLIC_BASE_URL unset, what `demo` and `signed-request`
    print is signed for http://localhost:8099, and a server under the same PORT accepts it."""
    monkeypatch.setenv("PORT", "8099")
    assert await cli(["demo"]) == 0
    demo_command = printed_curl(capsys.readouterr().out)
    assert await cli(["signed-request", "--text", "gastei 30 na farmácia"]) == 0
    command = capsys.readouterr().out.strip()
    served = main_settings()
    assert served.public_base_url == "http://localhost:8099"
    client = await aiohttp_client(create_app(Bootstrap(served, agent_factory=agent_factory)))
    for printed in (demo_command, command):
        assert (await post_printed(client, printed, "http://localhost:8099"))[0] == 200
    # A server that kept the old default (8080) refuses them: the signature covers the URL.
    other = await aiohttp_client(create_app(Bootstrap(env, agent_factory=agent_factory)))
    _, headers, body = curl_parts(command)
    assert (await other.post("/webhooks/twilio", data=body.encode(), headers=headers)).status == 403


def main_settings() -> Settings:
    """The settings `centavo serve` runs with under this environment."""
    from bot.cli import _settings

    return _settings(int(os.environ.get("PORT", "8080")))


def test_demo_prints_commands_a_shell_can_take_as_they_are(env: Settings) -> None:
    done = subprocess.run([CENTAVO, "demo"], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    block = done.stdout.split("\n\n", 1)[1]  # what follows the listing
    commands = [line for line in block.splitlines() if line and not line.startswith("#")]
    assert commands and all(not line.startswith(" ") for line in commands)
    assert (
        subprocess.run(["bash", "-n"], input=block, text=True, capture_output=True, timeout=30).returncode
        == 0
    )
    # "Another message": the suggested signed-request line, run without its `| sh`, prints a curl command.
    (another,) = [line for line in commands if "signed-request" in line]
    words = shlex.split(another.removesuffix(" | sh"))
    assignments = dict(word.split("=", 1) for word in words if "=" in word and not word.startswith("-"))
    argv = [CENTAVO if w.endswith("bin/centavo") else w for w in words if w not in _pairs(assignments)]
    printed = subprocess.run(
        argv, capture_output=True, text=True, timeout=60, env={**os.environ, **assignments}
    )
    assert printed.returncode == 0, printed.stderr
    assert printed.stdout.startswith("curl -sS http://localhost:8080/webhooks/twilio ")


def _pairs(assignments: dict[str, str]) -> set[str]:
    return {f"{name}={value}" for name, value in assignments.items()}
