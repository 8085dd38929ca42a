"""`centavo serve` and `centavo worker` refuse to start as a PostgreSQL superuser (Row-Level Security would
not apply), with a message saying which role to use; the owner-side commands still run as the owner."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.integration

CENTAVO = str(Path(sys.executable).with_name("centavo"))


def centavo(database_url: str, *args: str) -> subprocess.CompletedProcess[str]:
    env = {
        **{k: v for k, v in os.environ.items() if k not in {"PORT", "REDIS_URL", "MIGRATION_DATABASE_URL"}},
        "DATABASE_URL": database_url,
    }
    return subprocess.run([CENTAVO, *args], env=env, capture_output=True, text=True, timeout=120)


@pytest.mark.parametrize(
    "command", [("serve", "--host", "127.0.0.1", "--port", "1"), ("worker",), ("worker", "--once")]
)
def test_serve_and_worker_refuse_a_superuser(pg_database, command: tuple[str, ...]) -> None:
    refused = centavo(pg_database.owner_url, *command)
    assert refused.returncode == 2, refused.stderr
    assert refused.stderr.startswith(
        "error: refusing to start: the database role 'postgres' is a superuser and has BYPASSRLS: "
        "Row-Level Security would not keep tenants apart."
    ), refused.stderr
    assert "CENTAVO_APP_ROLE" in refused.stderr
    assert "Traceback" not in refused.stderr


def test_the_owner_side_commands_still_run_as_the_owner(pg_database) -> None:
    for command in (("migrate",), ("tenant", "list")):
        done = centavo(pg_database.owner_url, *command)
        assert done.returncode == 0, done.stderr


def test_the_worker_runs_as_the_app_role(pg_database) -> None:
    done = centavo(pg_database.app_url, "worker", "--once")
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("done: 0")


def test_several_servers_that_cannot_start_stop_the_supervisor(pg_database) -> None:
    # Each server is refused at start-up: the supervisor must give up, not restart them every second.
    refused = centavo(
        pg_database.owner_url, "serve", "--host", "127.0.0.1", "--port", "1", "--processes", "2"
    )
    assert refused.returncode != 0
    assert "could not start" in refused.stderr and "is a superuser" in refused.stderr
    assert "starting another" not in refused.stderr
