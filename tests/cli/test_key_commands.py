"""`centavo tenant create` prints the first admin key; `centavo key create|list|revoke` manage keys."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from adapters.db import Database
from bot.cli import main
from bot.settings import Settings
from domain.access import hash_key, looks_like_key


@pytest.fixture
def database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "centavo.db"
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{path}")
    monkeypatch.delenv("MIGRATION_DATABASE_URL", raising=False)
    monkeypatch.delenv("CENTAVO_API_KEY_SECRET", raising=False)
    assert main(["migrate"]) == 0
    return path


def stored_keys(path: Path) -> list[tuple[str, str, object]]:
    async def read() -> list[tuple[str, str, object]]:
        db = Database(f"sqlite:///{path}")
        try:
            async with db.directory() as directory:
                (tenant,) = await directory.tenants.list()
                keys = await directory.keys.list_for(tenant.id)
            async with db.unit_of_work(tenant.id) as uow:
                trail = await uow.operator_audit.page()
            TRAILS.append([(r.actor, r.action, r.entity) for r in reversed(trail)])
            return [(k.key_hash, str(k.role), k.revoked_at) for k in keys]
        finally:
            await db.dispose()

    return asyncio.run(read())


TRAILS: list[list[tuple[str, str, str]]] = []
"""The audit trail each stored_keys() call saw, oldest record first."""

CREATE = ["tenant", "create", "--slug", "casa", "--name", "Casa", "--currency", "BRL", "--locale", "pt_BR"]


def test_a_new_tenant_gets_an_admin_key_shown_once_and_stored_hashed(
    database: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main([*CREATE, "--tz", "America/Sao_Paulo"]) == 0
    out = capsys.readouterr().out.splitlines()
    key = out[2]
    assert looks_like_key(key) and "admin API key" in out[1] and "shown once" in out[3]
    [(key_hash, role, revoked)] = stored_keys(database)
    assert key_hash == hash_key(key, Settings().api_key_secret) and key not in key_hash
    assert (role, revoked) == ("admin", None)
    assert TRAILS[-1] == [("cli", "create", "key")]


def test_keys_are_created_listed_and_revoked(database: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main([*CREATE, "--tz", "America/Sao_Paulo"]) == 0
    assert main(["key", "create", "--tenant", "casa", "--name", "support team"]) == 0
    viewer = capsys.readouterr().out.splitlines()[-2]
    assert main(["key", "list", "--tenant", "casa"]) == 0
    listing = capsys.readouterr().out
    assert viewer not in listing
    rows = [line.split("\t") for line in listing.strip().splitlines()[1:]]
    assert sorted((r[2], r[3], r[5]) for r in rows) == [
        ("admin", "first admin key", "-"),
        ("viewer", "support team", "-"),
    ]
    prefix = next(r[1] for r in rows if r[2] == "viewer")
    assert main(["key", "revoke", "--tenant", "casa", prefix]) == 0
    assert [revoked is not None for _, role, revoked in stored_keys(database) if role == "viewer"] == [True]
    assert TRAILS[-1] == [("cli", "create", "key"), ("cli", "create", "key"), ("cli", "revoke", "key")]
    assert main(["key", "revoke", "--tenant", "casa", prefix]) == 2  # already revoked
    assert "not found" in capsys.readouterr().err
    assert main(["key", "create", "--tenant", "nowhere", "--name", "x"]) == 2
