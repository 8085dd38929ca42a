"""Runs the dialogue tables (tests/dialogues/<lang>.yaml) against the agent on fakes, and checks that no reply
in any of them writes something its text does not state."""

from __future__ import annotations

import itertools
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import yaml

from adapters.cache import connect
from adapters.charts import ChartRenderer
from bot.conversation import Agent, Reply
from bot.conversation.lines import alert
from bot.conversation.reply import CategoryName, Line, Written, render_line
from bot.replies import replies
from domain import services
from domain.commands import AddAccount, AddUser, CreateTenant, GetBalance
from domain.events import BudgetThresholdCrossed, HouseholdNotice
from domain.messages import Attachment, InboundMessage
from domain.model import Budget, Channel, Language, Tenant, Transaction
from domain.money import Money
from tests.unit.fake_media import FakeMedia
from tests.unit.fakes import FakeDatabase, FixedClock

TABLES = Path(__file__).resolve().parents[2] / "dialogues"
NOW = datetime(2026, 12, 6, 15, 0, tzinfo=UTC)
SETUPS = {
    "en": ("USD", "en_US", "America/New_York"),
    "es": ("MXN", "es_MX", "America/Mexico_City"),
    "pt": ("BRL", "pt_BR", "America/Sao_Paulo"),
}
_ids = itertools.count(1)
CHARTS = ChartRenderer()
"""One drawing thread for every dialogue (each agent would otherwise start its own)."""


def _load() -> list[tuple[str, dict[str, Any]]]:
    cases = []
    for path in sorted(TABLES.glob("*.yaml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        assert data["language"] == path.stem
        cases += [(path.stem, dialogue) for dialogue in data["dialogues"]]
    return cases


DIALOGUES = _load()


@dataclass
class Turn:
    text: str
    reply: Reply
    rendered: str | None
    before: dict[uuid.UUID, Transaction]
    after: dict[uuid.UUID, Transaction]
    budgets_before: dict[uuid.UUID, Budget]
    budgets_after: dict[uuid.UUID, Budget]


class Conversation:
    """A fresh tenant and user in `lang`, talking to the real agent over fakes with a pinned clock."""

    def __init__(self, lang: str) -> None:
        self.lang = lang
        self.db = FakeDatabase()
        self.clock = FixedClock(NOW)
        self.media = FakeMedia(charts=CHARTS)
        self.agent = Agent(
            unit_of_work=self.db.uow, state=connect(None).state, clock=self.clock, media=self.media
        )
        self.tenant: Tenant
        self.phone = "+1555" + str(next(_ids)).zfill(7)

    async def setup(self, accounts: list[str] | None = None) -> Conversation:
        """`accounts`: "name kind [opening balance]" for each account besides the default ("Main", cash)."""
        currency, locale, tz = SETUPS[self.lang]
        async with self.db.directory() as directory:
            cmd = CreateTenant(slug="casa", name="Casa", currency=currency, locale=locale, timezone=tz)
            self.tenant = await services.create_tenant(cmd, directory, self.clock)
        async with self.db.uow(self.tenant.id) as uow:
            self.member = await services.add_user(
                AddUser(phone=self.phone, language=Language(self.lang)), self.tenant, uow, self.clock
            )
        for spec in accounts or ():
            words = spec.split()
            opening = words.pop() if words[-1][0].isdigit() else "0"
            kind = words.pop()
            async with self.db.uow(self.tenant.id) as uow:
                cmd = AddAccount(
                    user_id=self.member.id, name=" ".join(words), kind=kind, opening_balance=opening
                )
                await services.add_account(cmd, uow, self.clock)
        return self

    async def enrol(self, phone: str, language: str) -> None:
        """Another person of the tenant (a housemate), who may speak another language."""
        async with self.db.uow(self.tenant.id) as uow:
            await services.add_user(
                AddUser(phone=phone, language=Language(language)), self.tenant, uow, self.clock
            )

    def pushed_since(self, start: int) -> list[str]:
        """ "<phone> <reply key>" of each push the events since `start` would send (what the alert worker
        sends: household notices, and budget alerts no chat reply told)."""
        # The dialogue's own user is "me" (their number differs from run to run).
        phones = {u.id: "me" if u.phone == self.phone else u.phone for u in self.db.store.users.values()}
        found = []
        for event in self.db.outbox[start:]:
            if isinstance(event, HouseholdNotice):
                found.append(f"{phones[event.user_id]} household_push_{event.what}")
            elif isinstance(event, BudgetThresholdCrossed) and event.source != "chat":
                found.append(f"{phones[event.user_id]} {alert(event).key}")
        return found

    async def say(
        self, text: str, channel: str = "whatsapp", sender: str | None = None, photo: Any = None
    ) -> Turn:
        """`photo`: a photo sent with the text, as the rows of text the OCR reads on it, or what came of it
        ("audio", "unreadable", "too_big"...)."""
        before, budgets_before = dict(self.db.store.transactions), dict(self.db.store.budgets)
        media: tuple[Attachment, ...] = ()
        if photo is not None:
            ref = f"photo-{next(_ids)}"
            self.media.photos.photos[ref] = photo if isinstance(photo, str) else tuple(photo)
            media = (Attachment(ref, "image/jpeg"),)
        message = InboundMessage(
            channel=Channel(channel),
            provider="twilio",
            sender=sender or self.phone,
            recipient="+15550000000",
            text=text,
            provider_message_id=f"SM{next(_ids)}",
            received_at=self.clock.now(),
            media_count=len(media),
            media=media,
        )
        reply = await self.agent.process(self.tenant, message)
        return Turn(
            text,
            reply,
            reply.render(),
            before,
            dict(self.db.store.transactions),
            budgets_before,
            dict(self.db.store.budgets),
        )

    def ledger(self) -> list[str]:
        names = {a.id: a.name for a in self.db.store.accounts.values()}
        return sorted(_entry(t, names) for t in self.db.store.transactions.values() if not t.is_deleted)

    def account_of(self) -> dict[str, list[str]]:
        """Account name -> its live transactions as ledger entries (every account of the user)."""
        names = {a.id: a.name for a in self.db.store.accounts.values() if a.user_id == self.member.id}
        found: dict[str, list[str]] = {name: [] for name in names.values()}
        for txn in self.db.store.transactions.values():
            if not txn.is_deleted:
                found[names[txn.account_id]].append(_entry(txn, names))
        return {name: sorted(entries) for name, entries in found.items()}

    async def balances(self) -> dict[str, str]:
        """Account name -> "amount CODE" of its balance in the account's currency."""
        async with self.db.uow(self.tenant.id) as uow:
            result = await services.get_balance(GetBalance(user_id=self.member.id), uow)
        return {
            row.account.name: f"{row.balances[row.account.currency].amount} {row.account.currency}"
            for row in result.accounts
        }

    def budgets(self) -> list[str]:
        """Every budget: "category recurrence amount currency" ("-" for all spending)."""
        return sorted(
            f"{b.category or '-'} {b.recurrence.value} {b.amount.amount} {b.amount.currency}"
            for b in self.db.store.budgets.values()
        )

    def bills(self) -> list[str]:
        """The active recurring rules marked as bills, by merchant, else the user's words, else category."""
        return sorted(
            str(r.merchant or r.note or r.category)
            for r in self.db.store.recurring.values()
            if r.active and r.bill
        )

    def user(self) -> dict[str, Any]:
        """The user's stored settings."""
        (user,) = [u for u in self.db.store.users.values() if u.phone == self.phone]
        fields = (
            "currency",
            "timezone",
            "week_start",
            "language",
            "quiet_hours",
            "budget_alerts",
            "digest_weekday",
            "digest_hour",
        )
        return {name: (None if getattr(user, name) is None else str(getattr(user, name))) for name in fields}


def _entry(txn: Transaction, names: dict[uuid.UUID, str] | None = None) -> str:
    money = f"{txn.amount.amount} {txn.amount.currency}"
    if txn.is_transfer:
        # A transfer leg is neither an expense nor an income: shown with its direction and account.
        side = "out" if txn.kind.value == "expense" else "in"
        return f"transfer {side} {money} {(names or {}).get(txn.account_id, '?')}"
    return f"{txn.kind.value} {money} {txn.merchant or '-'} {txn.category or '-'}"


async def _run(lang: str, dialogue: dict[str, Any]) -> list[Turn]:
    conversation = await Conversation(lang).setup(dialogue.get("accounts", []))
    for person in dialogue.get("people", []):
        await conversation.enrol(person["phone"], person.get("language", lang))
    turns = []
    for number, spec in enumerate(dialogue["turns"], start=1):
        pushes = len(conversation.db.outbox)
        said = str(spec.get("say", ""))
        channel, sender, photo = spec.get("channel", "whatsapp"), spec.get("from"), spec.get("photo")
        turn = await conversation.say(said, channel, sender, photo)
        shown = said if "photo" not in spec else f"{said} + photo"
        where = f"{lang}: {dialogue['name']}, turn {number} ({shown!r}) answered {turn.rendered!r}"
        assert list(turn.reply.keys) == spec["reply"], where
        if "asked" in spec:
            assert turn.reply.asked == spec["asked"], where
        if "picture" in spec:
            # A chart: the reply carries a PNG (its lines are the caption), or none (SMS, no data).
            picture = turn.reply.picture
            assert (picture is not None) == spec["picture"], where
            assert picture is None or picture.png.startswith(b"\x89PNG"), where
        if "pending" in spec:
            pending = turn.reply.pending.form if turn.reply.pending else None
            assert pending == spec["pending"], where
        for shown in spec.get("contains", ()):
            assert turn.rendered is not None and shown in turn.rendered, where
        if "ledger" in spec:
            assert conversation.ledger() == sorted(spec["ledger"]), where
        if "balances" in spec:
            assert await conversation.balances() == spec["balances"], where
        for name, entries in (spec.get("accounts") or {}).items():
            assert conversation.account_of().get(name) == sorted(entries), where
        if "budgets" in spec:
            assert conversation.budgets() == sorted(spec["budgets"]), where
        if "bills" in spec:
            assert conversation.bills() == sorted(spec["bills"]), where
        for name, value in (spec.get("user") or {}).items():
            assert conversation.user()[name] == value, where
        if "pushed" in spec:
            assert conversation.pushed_since(pushes) == spec["pushed"], where
        turns.append(turn)
    return turns


@pytest.mark.parametrize(
    ("lang", "dialogue"), DIALOGUES, ids=[f"{lang}: {d['name']}" for lang, d in DIALOGUES]
)
async def test_dialogue(lang: str, dialogue: dict[str, Any]) -> None:
    await _run(lang, dialogue)


def test_every_language_tells_the_conversations_of_the_issue() -> None:
    """Every conversation of issue 9 has a dialogue in each language: the same names in each file."""
    names = {lang: {d["name"] for l2, d in DIALOGUES if l2 == lang} for lang in SETUPS}
    assert names["es"] == names["en"] == names["pt"]


# --- no reply writes what it does not say ---


def _changed(turn: Turn) -> set[uuid.UUID]:
    return {tid for tid, txn in turn.after.items() if turn.before.get(tid) != txn}


def _statements(written: Written, lang: str, locale: str) -> list[str]:
    """What a reply must show of one write: the amount, the day, the merchant or category, and the kind."""
    r = replies()
    shown = [r.money(written.amount, lang, locale)]
    if written.day is not None:
        shown.append(r.format_value("day", written.day, lang, locale).rstrip("."))
    if written.label:
        is_category = written.label in r.keys(lang) or f"category_{written.label}" in r.keys(lang)
        shown.append(r.category(written.label, lang) if is_category else written.label)
    if written.kind == "recorded":
        shown.append(r.render("word_income" if written.income else "word_expense", lang, locale))
    return shown


@pytest.mark.parametrize(
    ("lang", "dialogue"), DIALOGUES, ids=[f"{lang}: {d['name']}" for lang, d in DIALOGUES]
)
async def test_no_reply_writes_what_it_does_not_say(lang: str, dialogue: dict[str, Any]) -> None:
    for turn in await _run(lang, dialogue):
        said = {w.transaction_id for w in turn.reply.written if w.transaction_id is not None}
        assert said == _changed(turn), f"{turn.text!r}: the reply's writes are not the ledger's changes"
        budgets_changed = sum(turn.budgets_before.get(b) != v for b, v in turn.budgets_after.items())
        assert budgets_changed == sum(w.kind == "budget_set" for w in turn.reply.written), turn.text
        budgets_deleted = len(set(turn.budgets_before) - set(turn.budgets_after))
        assert budgets_deleted == sum(w.kind == "budget_deleted" for w in turn.reply.written), turn.text
        text = (turn.rendered or "").casefold()
        for written in turn.reply.written:
            # In the language the reply was written in: a housemate may speak another than the dialogue's.
            for part in _statements(written, turn.reply.lang, turn.reply.locale):
                assert part.casefold() in text, f"{turn.text!r}: {turn.rendered!r} does not say {part!r}"


def test_category_names_render_in_the_readers_language() -> None:
    line = Line("summary_line", {"category": CategoryName("groceries"), "amount": Money.of("3", "BRL")})
    assert render_line(line, "pt", "pt_BR") == "• mercado: R$ 3,00"
    assert render_line(line, "en", "en_US") == "• groceries: R$3.00"
