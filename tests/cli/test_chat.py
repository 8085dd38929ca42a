"""`centavo chat` drives the same agent as the webhooks: typed lines in, replies out, rows stored."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from adapters.db import Database
from bot.bootstrap import Bootstrap
from bot.chat import SWITCH_PHRASES, chat
from bot.cli import main
from bot.conversation.control import language_request
from bot.demo import DEMO_NEW_PHONE, DEMO_PHONE
from bot.settings import Settings
from domain.model import Language, Tenant, User

CENTAVO = str(Path(sys.executable).with_name("centavo"))


async def typed(*lines: str) -> AsyncIterator[str]:
    for line in lines:
        yield line


@pytest.fixture
def demo_url(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """A migrated SQLite file with the demo tenant and user, set up through the CLI (outside any loop)."""
    url = f"sqlite:///{tmp_path / 'chat.db'}"
    monkeypatch.setenv("DATABASE_URL", url)
    monkeypatch.delenv("MIGRATION_DATABASE_URL", raising=False)
    monkeypatch.delenv("REDIS_URL", raising=False)
    assert main(["migrate"]) == 0 and main(["demo"]) == 0
    return url


async def chat_as(url: str, phone: str, lang: str | None, *lines: str) -> tuple[list[str], list[str]]:
    """(replies, notes) of one chat over the composition root's parts, as `centavo chat` runs it."""
    said: list[str] = []
    notes: list[str] = []
    async with Bootstrap(Settings(database_url=url), channels=False).open() as parts:
        await chat(
            parts,
            tenant_slug="demo",
            phone=phone,
            lang=lang,
            lines=typed(*lines),
            say=said.append,
            note=notes.append,
        )
    return said, notes


async def user_of(url: str, phone: str) -> User | None:
    db = Database(url)
    try:
        async with db.directory() as directory:
            tenant = await directory.tenants.get_by_slug("demo")
        assert isinstance(tenant, Tenant)
        async with db.unit_of_work(tenant.id) as uow:
            return await uow.users.get_by_phone(phone)
    finally:
        await db.dispose()


async def test_a_new_user_starts_in_the_language_asked_and_records_answers_and_undoes(demo_url: str) -> None:
    said, notes = await chat_as(
        demo_url,
        DEMO_NEW_PHONE,
        "pt",
        "gastei 45,90 no mercado ontem",
        "",
        "quanto gastei esse mes?",
        "desfaz",
        "sim",
    )
    assert notes == []
    assert len(said) == 4
    assert "45.90" in said[0] and "anotado" in said[0]
    assert "45.90" in said[1]
    assert "sim / não" in said[2]
    assert "apaguei" in said[3].lower()
    user = await user_of(demo_url, DEMO_NEW_PHONE)
    assert user is not None and user.language == Language.PT


async def test_lang_leaves_an_existing_users_language_alone_and_says_so(demo_url: str) -> None:
    said, notes = await chat_as(demo_url, DEMO_PHONE, "pt", "spent 25 at Starbucks")
    assert notes == [
        f"{DEMO_PHONE} already speaks en; --lang applies to new users. Send 'speak portuguese' to switch."
    ]
    assert "$25.00 at Starbucks" in said[0]
    user = await user_of(demo_url, DEMO_PHONE)
    assert user is not None and user.language == Language.EN
    # The same language as the user's: nothing to say.
    assert (await chat_as(demo_url, DEMO_PHONE, "en"))[1] == []


def test_the_switch_phrases_the_notice_suggests_do_switch() -> None:
    for lang, phrase in SWITCH_PHRASES.items():
        assert language_request(phrase) == lang


def test_the_notice_is_the_first_line_of_the_terminal_chat(demo_url: str) -> None:
    done = subprocess.run(
        [CENTAVO, "chat", "--lang", "es"],
        input="spent 25 at Starbucks\n",
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    first, *rest = done.stdout.splitlines()
    assert first == (
        f"{DEMO_PHONE} already speaks en; --lang applies to new users. Send 'speak spanish' to switch."
    )
    assert "$25.00 at Starbucks" in "\n".join(rest)


@pytest.mark.parametrize("phone", ["12345", "+12", "+55abc", "5511987654321"])
def test_a_malformed_phone_is_refused_before_anything_runs(
    demo_url: str, phone: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("sys.stdin", _Untouchable())
    assert main(["chat", "--phone", phone]) == 2
    captured = capsys.readouterr()
    assert captured.err.startswith("error: phone: ") and "Traceback" not in captured.err
    assert captured.out == ""


def test_a_malformed_phone_as_a_process_exits_2_and_writes_nothing(
    demo_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["user", "list"]) == 0
    before = capsys.readouterr().out
    done = subprocess.run(
        [CENTAVO, "chat", "--phone", "12345", "--lang", "pt"],
        input="gastei 10 no mercado\n",
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2
    assert done.stderr.startswith("error: phone: ") and "Traceback" not in done.stderr
    assert main(["user", "list"]) == 0
    assert capsys.readouterr().out == before


class _Untouchable:
    """stdin that fails the test when read: a refused command must not start reading messages."""

    def readline(self) -> str:
        raise AssertionError("read a message despite the malformed phone")

    read = readline
