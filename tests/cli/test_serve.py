"""`centavo serve` listens on --port, else $PORT, else 8080; PUBLIC_BASE_URL defaults to that port, so the
request `centavo signed-request` prints under the same PORT is accepted as it is (issue 9)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from bot.cli import main

CENTAVO = str(Path(sys.executable).with_name("centavo"))
TOKEN = "serve-test-token"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    """A migrated SQLite file with the demo tenant, and the environment of a `make run` without PORT."""
    env = {
        **{k: v for k, v in os.environ.items() if k not in {"PORT", "PUBLIC_BASE_URL", "REDIS_URL"}},
        "DATABASE_URL": f"sqlite:///{tmp_path / 'centavo.db'}",
        "TWILIO_AUTH_TOKEN": TOKEN,
    }
    env.pop("MIGRATION_DATABASE_URL", None)
    for command in (["migrate"], ["demo"]):
        subprocess.run([CENTAVO, *command], env=env, check=True, capture_output=True, timeout=120)
    return env


@contextmanager
def serving(env: dict[str, str], *args: str) -> Iterator[subprocess.Popen[bytes]]:
    # stderr goes to a file, not a pipe: nobody reads a pipe while the server runs, and once its 64 KB buffer
    # is full of log lines the server blocks on its next log write and stops answering.
    with tempfile.TemporaryFile() as log:
        process = subprocess.Popen(
            [CENTAVO, "serve", "--host", "127.0.0.1", *args],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=log,
        )
        process.log = log  # type: ignore[attr-defined]
        try:
            yield process
        finally:
            process.terminate()
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def server_log(process: subprocess.Popen[bytes]) -> str:
    log = process.log  # type: ignore[attr-defined]
    log.seek(0)
    return str(log.read().decode(errors="replace"))


def wait_healthy(port: int, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"serve exited: {server_log(process)[-4000:]}")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    raise AssertionError(f"nothing answered on port {port}")


def test_port_from_the_environment_and_the_printed_request_follows_it(env: dict[str, str]) -> None:
    port = free_port()
    env = {**env, "PORT": str(port)}
    with serving(env) as process:
        wait_healthy(port, process)
        printed = subprocess.run(
            [CENTAVO, "signed-request"], env=env, capture_output=True, text=True, timeout=60
        )
        assert printed.returncode == 0, printed.stderr
        assert f"http://localhost:{port}/webhooks/twilio" in printed.stdout
        # stdout is the command itself: a shell runs it as it is.
        answer = subprocess.run(["sh"], input=printed.stdout, capture_output=True, text=True, timeout=60)
    assert answer.returncode == 0, answer.stderr
    assert "$25.00 at Starbucks" in answer.stdout


def test_the_port_option_wins_over_the_environment(env: dict[str, str]) -> None:
    port = free_port()
    with serving({**env, "PORT": "1"}, "--port", str(port)) as process:
        wait_healthy(port, process)


@pytest.mark.parametrize(("args", "port", "field"), [([], "http", "PORT"), (["--port", "70000"], "", "port")])
def test_a_bad_port_is_refused_naming_it(
    args: list[str],
    port: str,
    field: str,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("PORT", port)
    assert main(["serve", *args]) == 2
    assert capsys.readouterr().err.startswith(f"error: {field}: ")
