"""`centavo chat` drives the same agent as the webhooks: typed lines in, replies out, rows stored."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.chat import chat
from bot.cli import DEMO_PHONE, main
from bot.settings import Settings


async def typed(*lines: str) -> AsyncIterator[str]:
    for line in lines:
        yield line


@pytest.fixture
def demo_url(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """A migrated SQLite file with the demo tenant and user, set up through the CLI (outside any loop)."""
    url = f"sqlite:///{tmp_path / 'chat.db'}"
    monkeypatch.setenv("DATABASE_URL", url)
    assert main(["migrate"]) == 0 and main(["demo"]) == 0
    return url


async def test_chat_records_answers_and_undoes(demo_url: str) -> None:
    url = demo_url
    said: list[str] = []
    await chat(
        Settings(database_url=url),
        tenant_slug="demo",
        phone=DEMO_PHONE,
        lang="pt",
        lines=typed("gastei 45,90 no mercado ontem", "", "quanto gastei esse mes?", "desfaz", "sim"),
        say=said.append,
    )
    assert len(said) == 4
    assert "45.90" in said[0] and "anotado" in said[0]
    assert "45.90" in said[1]
    assert "sim / não" in said[2]
    assert "apaguei" in said[3].lower()
