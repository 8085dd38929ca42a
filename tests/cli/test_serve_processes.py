"""`centavo serve --processes N`: N servers on one port under a supervisor that restarts a dead one and stops
them all on SIGTERM."""

from __future__ import annotations

import os
import signal
import time
import urllib.request
from pathlib import Path

import pytest

from bot.cli import main
from tests.cli.test_serve import env, free_port, server_log, serving, wait_healthy

__all__ = ["env"]


def children(pid: int) -> set[int]:
    """The live child processes of `pid` (from /proc: Linux, as SO_REUSEPORT)."""
    found = set()
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid and fields[0] != "Z":
            found.add(int(entry.name))
    return found


def wait_for(condition, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("timed out")
        time.sleep(0.2)


def test_two_servers_share_the_port_and_a_dead_one_is_replaced(env: dict[str, str]) -> None:
    port = free_port()
    with serving(env, "--port", str(port), "--processes", "2") as supervisor:
        wait_healthy(port, supervisor)
        wait_for(lambda: len(children(supervisor.pid)) == 2)
        first = children(supervisor.pid)
        os.kill(min(first), signal.SIGKILL)
        wait_for(lambda: len(children(supervisor.pid)) == 2 and children(supervisor.pid) != first)
        assert max(first) in children(supervisor.pid)  # the other one went on serving
        for _ in range(10):
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=5) as response:
                assert response.status == 200
        servers = children(supervisor.pid)
        supervisor.send_signal(signal.SIGTERM)
        assert supervisor.wait(timeout=30) == 0, server_log(supervisor)[-3000:]
        assert not any(Path(f"/proc/{pid}").exists() for pid in servers)  # stopped and reaped
        assert "exited (-9): starting another" in server_log(supervisor)


@pytest.mark.parametrize("count", ["0", "65"])
def test_a_process_count_out_of_range_is_refused(
    count: str, env: dict[str, str], capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DATABASE_URL", env["DATABASE_URL"])
    assert main(["serve", "--port", str(free_port()), "--processes", count]) != 0
    assert "processes" in capsys.readouterr().err
