"""`centavo migrate` says what it did: created the schema, upgraded it from one revision, or nothing."""

from __future__ import annotations

from pathlib import Path

import pytest
from alembic.script import ScriptDirectory

from adapters.db.migrate import alembic_config, current_revision, downgrade, head_revision
from bot.cli import main


@pytest.fixture
def url(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    url = f"sqlite:///{tmp_path / 'centavo.db'}"
    monkeypatch.setenv("DATABASE_URL", url)
    monkeypatch.delenv("MIGRATION_DATABASE_URL", raising=False)
    return url


def revisions() -> tuple[str, str]:
    """(head, the revision before it), read from migrations/: other branches add revisions."""
    scripts = ScriptDirectory.from_config(alembic_config("sqlite://"))
    head = scripts.get_current_head()
    assert head is not None and head == head_revision()
    previous = scripts.get_revision(head).down_revision
    assert isinstance(previous, str), "the newest migration should follow exactly one other"
    return head, previous


def test_empty_then_current(url: str, capsys: pytest.CaptureFixture[str]) -> None:
    head, _ = revisions()
    assert current_revision(url) is None
    assert main(["migrate"]) == 0
    assert capsys.readouterr().out == f"created the schema at revision {head}\n"
    assert current_revision(url) == head
    assert main(["migrate"]) == 0
    assert capsys.readouterr().out == f"already at the latest revision {head}\n"


def test_an_older_schema_is_upgraded(url: str, capsys: pytest.CaptureFixture[str]) -> None:
    head, previous = revisions()
    assert main(["migrate"]) == 0
    downgrade(url, previous)
    capsys.readouterr()
    assert main(["migrate"]) == 0
    assert capsys.readouterr().out == f"upgraded from {previous} to {head}\n"
