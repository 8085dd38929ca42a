"""The `centavo` command line against a real SQLite file: migrate, tenants, users, and refusals."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.cli import main
from bot.demo import DEMO_PHONE


@pytest.fixture
def database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "centavo.db"
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{path}")
    monkeypatch.delenv("MIGRATION_DATABASE_URL", raising=False)
    assert main(["migrate"]) == 0
    return path


def _tenant(*extra: str) -> list[str]:
    return [
        "tenant",
        "create",
        "--slug",
        "casa",
        "--name",
        "Casa Silva",
        "--currency",
        "BRL",
        "--locale",
        "pt_BR",
        "--tz",
        "America/Sao_Paulo",
        *extra,
    ]


def test_create_tenant_add_and_list_users(database: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(_tenant()) == 0
    assert main(["user", "add", "--tenant", "casa", "--phone", "+55 (11) 98765-4321", "--name", "Ana"]) == 0
    capsys.readouterr()

    assert main(["user", "list", "--tenant", "casa"]) == 0
    rows = capsys.readouterr().out.strip().splitlines()
    assert rows[1].split("\t") == ["casa", "+5511987654321", "Ana", "pt", "pt_BR", "BRL", "America/Sao_Paulo"]

    assert main(["tenant", "list"]) == 0
    assert "casa\tCasa Silva\tpt\tpt_BR\tBRL\tAmerica/Sao_Paulo\topen" in capsys.readouterr().out


def test_user_keeps_its_own_language_and_currency(database: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(_tenant()) == 0
    assert (
        main(
            [
                "user",
                "add",
                "--tenant",
                "casa",
                "--phone",
                "+14155550100",
                "--lang",
                "en",
                "--currency",
                "usd",
                "--locale",
                "en_US",
                "--tz",
                "America/New_York",
            ]
        )
        == 0
    )
    capsys.readouterr()
    assert main(["user", "list"]) == 0
    assert "casa\t+14155550100\t\ten\ten_US\tUSD\tAmerica/New_York" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("args", "field"),
    [
        (["user", "add", "--tenant", "casa", "--phone", "11987654321"], "phone"),
        (["user", "add", "--tenant", "casa", "--phone", "12345"], "phone"),
        (["user", "add", "--tenant", "casa", "--phone", "+55abc"], "phone"),
        (["user", "add", "--tenant", "casa", "--phone", "+5511987654321", "--currency", "XYZ"], "currency"),
    ],
)
def test_bad_user_input_is_refused_naming_the_field(
    database: Path, capsys: pytest.CaptureFixture[str], args: list[str], field: str
) -> None:
    assert main(_tenant()) == 0
    capsys.readouterr()
    assert main(args) == 2
    assert f"error: {field}:" in capsys.readouterr().err
    assert main(["user", "list", "--tenant", "casa"]) == 0
    assert capsys.readouterr().out.strip().splitlines()[1:] == []


@pytest.mark.parametrize(
    ("override", "field"),
    [("--currency=ZZZ", "currency"), ("--tz=Mars/Olympus", "timezone"), ("--locale=xx_YY", "locale")],
)
def test_bad_tenant_input_is_refused(
    database: Path, capsys: pytest.CaptureFixture[str], override: str, field: str
) -> None:
    name, value = override.split("=")
    args = _tenant()
    args[args.index(name) + 1] = value
    assert main(args) == 2
    assert f"error: {field}:" in capsys.readouterr().err
    assert main(["tenant", "list"]) == 0
    assert capsys.readouterr().out.strip().splitlines()[1:] == []


def test_duplicates_are_refused(database: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(_tenant()) == 0
    assert main(_tenant()) == 2
    assert "error: slug:" in capsys.readouterr().err
    assert main(["user", "add", "--tenant", "casa", "--phone", "+5511987654321"]) == 0
    assert main(["user", "add", "--tenant", "casa", "--phone", "+55 11 98765 4321"]) == 2
    assert "error: phone:" in capsys.readouterr().err


def test_unknown_tenant(database: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["user", "add", "--tenant", "nope", "--phone", "+5511987654321"]) == 2
    assert "tenant not found: nope" in capsys.readouterr().err


def test_demo_is_idempotent(database: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["demo"]) == 0
    assert main(["demo"]) == 0
    out = capsys.readouterr().out
    assert out.count(f"demo\t{DEMO_PHONE}") == 2
    assert out.count("created the demo tenant") == 1
