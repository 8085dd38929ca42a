"""docker-compose.yml cannot run here (no Docker engine), so its structure is checked against the CLI."""

from __future__ import annotations

import argparse
from pathlib import Path

import yaml

from bot.cli import build_parser

ROOT = Path(__file__).resolve().parents[2]
# Commands compose names that the CLI gains with the conversation issue; drop them here when they land.
PLANNED_COMMANDS: set[str] = set()


def _compose() -> dict:
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


def _cli_commands() -> set[str]:
    parser = build_parser()
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            return set(action.choices)
    raise AssertionError("the CLI has no subcommands")


def test_services_and_images() -> None:
    services = _compose()["services"]
    assert {"postgres", "redis", "migrate", "app", "worker"} <= set(services)
    assert services["postgres"]["image"].startswith("postgres:16")
    assert services["redis"]["image"].startswith("redis:7")
    for name in ("app", "worker", "migrate"):
        assert services[name]["build"] == "."
    assert (ROOT / "Dockerfile").is_file()


def test_every_long_running_service_has_a_health_check() -> None:
    services = _compose()["services"]
    for name in ("postgres", "redis", "app", "worker"):
        check = services[name]["healthcheck"]["test"]
        assert check[0] in {"CMD", "CMD-SHELL"}, name


def test_app_and_worker_start_after_migrations_and_healthy_redis() -> None:
    services = _compose()["services"]
    for name in ("app", "worker"):
        depends = services[name]["depends_on"]
        assert depends["migrate"]["condition"] == "service_completed_successfully"
        assert depends["redis"]["condition"] == "service_healthy"
    assert services["migrate"]["depends_on"]["postgres"]["condition"] == "service_healthy"


def test_app_connects_as_the_role_without_bypassrls_and_migrations_as_owner() -> None:
    services = _compose()["services"]
    assert "centavo_app:" in services["app"]["environment"]["DATABASE_URL"]
    assert "centavo_app:" in services["worker"]["environment"]["DATABASE_URL"]
    assert "centavo_owner:" in services["migrate"]["environment"]["MIGRATION_DATABASE_URL"]


def test_service_commands_are_centavo_commands() -> None:
    known = _cli_commands()
    for name, service in _compose()["services"].items():
        command = service.get("command")
        if not command or command[0] != "centavo":
            continue
        assert command[1] in known | PLANNED_COMMANDS, f"{name}: 'centavo {command[1]}' is not a CLI command"
    # A planned command that has landed must leave the planned list, so the check above covers it for real.
    assert not PLANNED_COMMANDS & known, "remove landed commands from PLANNED_COMMANDS"


def test_app_and_worker_come_back_by_themselves() -> None:
    # A crash or a kill must not leave replies and alerts stopped until someone notices; the one-shot
    # migration must not loop.
    services = _compose()["services"]
    for name in ("app", "worker"):
        assert services[name]["restart"] in {"unless-stopped", "always", "on-failure"}, name
    assert services["migrate"]["restart"] == "no"
