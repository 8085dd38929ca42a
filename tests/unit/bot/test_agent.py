"""The agent on fakes: enrolment, control words, languages, refusals (conversations: tests/dialogues/)."""

from __future__ import annotations

import itertools
from dataclasses import replace
from datetime import UTC, datetime
from decimal import Decimal

import pytest

from adapters.cache import connect
from bot.conversation import Agent
from bot.replies import replies
from domain import services
from domain.commands import AddAccount, AddUser, CreateTenant, GetBalance
from domain.messages import InboundMessage
from domain.model import Channel, EnrolmentPolicy, Tenant, Transaction, User
from tests.unit.fakes import FakeDatabase, FixedClock

NOW = datetime(2024, 3, 15, 12, 0, tzinfo=UTC)
PHONE = "+5511987654321"
SETUPS = {
    "en": ("USD", "en_US", "America/New_York"),
    "es": ("MXN", "es_MX", "America/Mexico_City"),
    "pt": ("BRL", "pt_BR", "America/Sao_Paulo"),
}
_ids = itertools.count(1)


class Chat:
    def __init__(self, lang: str, policy: EnrolmentPolicy = EnrolmentPolicy.OPEN) -> None:
        self.lang = lang
        self.policy = policy
        self.db = FakeDatabase()
        self.clock = FixedClock(NOW)
        self.cache = connect(None)
        self.agent = Agent(unit_of_work=self.db.uow, state=self.cache.state, clock=self.clock)
        self.tenant: Tenant
        self.user: User | None = None

    async def setup(self, *, enrol: bool = True) -> Chat:
        currency, locale, tz = SETUPS[self.lang]
        async with self.db.directory() as directory:
            self.tenant = await services.create_tenant(
                CreateTenant(
                    slug="casa",
                    name="Casa",
                    currency=currency,
                    locale=locale,
                    timezone=tz,
                    policy=self.policy,
                ),
                directory,
                self.clock,
            )
        if enrol:
            async with self.db.uow(self.tenant.id) as uow:
                self.user = await services.add_user(AddUser(phone=PHONE), self.tenant, uow, self.clock)
        return self

    async def say(
        self, text: str, *, message_id: str | None = None, channel: Channel = Channel.WHATSAPP
    ) -> str:
        message = InboundMessage(
            channel=channel,
            provider="twilio",
            sender=PHONE,
            recipient="+15550000000",
            text=text,
            provider_message_id=message_id or f"SM{next(_ids)}",
            received_at=self.clock.now(),
        )
        reply = await self.agent.handle(self.tenant, message)
        assert reply is not None
        return reply

    def live(self) -> list[Transaction]:
        return [t for t in self.db.store.transactions.values() if not t.is_deleted]

    def stored_user(self) -> User:
        (user,) = self.db.store.users.values()
        return user


async def chat(lang: str, **kwargs: object) -> Chat:
    return await Chat(lang, **kwargs).setup()  # type: ignore[arg-type]


EXPENSES = {
    "en": ("spent 45.90 at uber", "$45.90", "Uber"),
    "es": ("gasté 45,90 en uber", "$45.90", "Uber"),
    "pt": ("gastei 45,90 no uber", "R$ 45,90", "Uber"),
}


@pytest.mark.parametrize("lang", sorted(EXPENSES))
async def test_expense_recorded_with_confirmation(lang: str) -> None:
    c = await chat(lang)
    text, shown, merchant = EXPENSES[lang]
    reply = await c.say(text)
    assert shown in reply and merchant in reply
    assert reply.startswith("✅")
    (txn,) = c.live()
    assert txn.amount.amount == Decimal("45.90")
    assert txn.source_ref is not None


async def test_same_message_id_records_once() -> None:
    c = await chat("pt")
    first = await c.say("gastei 45,90 no mercado", message_id="SMdup")
    second = await c.say("gastei 45,90 no mercado", message_id="SMdup")
    assert len(c.live()) == 1
    assert "R$ 45,90" in first and "R$ 45,90" in second


async def test_income_recorded() -> None:
    c = await chat("en")
    reply = await c.say("got paid 2500")
    assert "$2,500.00" in reply
    assert c.live()[0].kind == "income"


@pytest.mark.parametrize(("lang", "yes"), [("en", "yes"), ("es", "sí"), ("pt", "sim")])
async def test_undo_confirmed(lang: str, yes: str) -> None:
    c = await chat(lang)
    await c.say(EXPENSES[lang][0])
    question = await c.say("undo" if lang == "en" else "deshacer" if lang == "es" else "desfazer")
    assert EXPENSES[lang][1] in question
    assert len(c.live()) == 1
    await c.say(yes)
    assert c.live() == []


@pytest.mark.parametrize(("lang", "no"), [("en", "no"), ("pt", "não"), ("es", "no")])
async def test_undo_denied_keeps_it(lang: str, no: str) -> None:
    c = await chat(lang)
    await c.say(EXPENSES[lang][0])
    await c.say("undo" if lang == "en" else "deshacer" if lang == "es" else "desfazer")
    reply = await c.say(no)
    assert len(c.live()) == 1
    assert reply


async def test_nothing_to_undo() -> None:
    c = await chat("en")
    assert "nothing" in (await c.say("undo")).lower()


async def test_balance_and_summary_amounts() -> None:
    c = await chat("pt")
    await c.say("recebi 1000 de salário")
    await c.say("gastei 45,90 no mercado")
    await c.say("gastei 4,10 no mercado")
    assert c.user is not None
    async with c.db.uow(c.tenant.id) as uow:
        balance = await services.get_balance(GetBalance(user_id=c.user.id), uow)
    assert balance.totals["BRL"].amount == Decimal("950.00")
    assert "R$ 950,00" in await c.say("saldo")
    summary = await c.say("quanto gastei este mês?")
    assert "R$ 50,00" in summary


async def test_budget_set_and_status() -> None:
    c = await chat("en")
    assert "$300.00" in await c.say("budget 300 for groceries")
    reply = await c.say("spent 50 on groceries")
    assert "$250.00" in reply
    assert "$50.00" in await c.say("how are my budgets")


async def test_a_budget_set_in_chat_warns_at_the_tenants_thresholds() -> None:
    c = await chat("en")
    c.db.store.tenants[c.tenant.id].settings = {"alert_thresholds": [50, 90]}
    c.tenant = c.db.store.tenants[c.tenant.id]
    await c.say("budget 300 for groceries")
    (budget,) = c.db.store.budgets.values()
    assert budget.thresholds == (50, 90)


async def test_edit_last_confirmed() -> None:
    c = await chat("en")
    await c.say("spent 40 at uber")
    question = await c.say("change it to 45")
    assert "$40.00" in question and "$45.00" in question
    await c.say("yes")
    assert c.live()[0].amount.amount == Decimal("45")


async def test_open_policy_enrols_and_records_first_message() -> None:
    c = await Chat("pt").setup(enrol=False)
    reply = await c.say("gastei 30 na farmácia")
    assert "Centavo" in reply
    (txn,) = c.live()
    assert txn.amount.amount == Decimal("30")
    assert c.stored_user().language == "pt"


async def test_open_policy_detects_language() -> None:
    c = await Chat("pt").setup(enrol=False)
    await c.say("hello, how much did I spend this week?")
    assert c.stored_user().language == "en"


async def test_closed_policy_refuses() -> None:
    c = await Chat("en", policy=EnrolmentPolicy.CLOSED).setup(enrol=False)
    reply = await c.say("spent 30 at the pharmacy")
    assert "isn't registered" in reply
    assert not c.db.store.users and not c.db.store.transactions


async def test_stop_and_start() -> None:
    c = await chat("en")
    assert "START" in await c.say("STOP")
    assert c.stored_user().opted_out == {"whatsapp": True}
    message = InboundMessage(
        channel=Channel.WHATSAPP,
        provider="twilio",
        sender=PHONE,
        recipient="x",
        text="balance",
        provider_message_id="SMq",
        received_at=NOW,
    )
    # The first message after STOP says how to come back and records nothing; later ones get no reply.
    assert "START" in (await c.agent.handle(c.tenant, message) or "")
    assert await c.agent.handle(c.tenant, replace(message, provider_message_id="SMr")) is None
    assert not c.live()
    assert "Welcome back" in await c.say("START")
    assert c.stored_user().opted_out == {"whatsapp": False}


@pytest.mark.parametrize(("lang", "word"), [("en", "HELP"), ("es", "AYUDA"), ("pt", "AJUDA")])
async def test_help_mid_flow_keeps_the_flow_and_works_when_opted_out(lang: str, word: str) -> None:
    c = await chat(lang)
    help_text = await c.say(word)
    assert "•" in help_text
    ask = await c.say({"en": "spent at uber", "es": "compré en el oxxo", "pt": "gastei no uber"}[lang])
    assert await c.say(word) == help_text
    # The flow waited through the help: the amount fills it (an unsure reading confirms before writing).
    answer = await c.say("23")
    if not c.live():
        answer = await c.say({"en": "yes", "es": "si", "pt": "sim"}[lang])
    assert "23" in answer
    assert [t.amount.amount for t in c.live()] == [Decimal("23.00")]
    assert ask != help_text

    await c.say({"en": "STOP", "es": "BAJA", "pt": "SAIR"}[lang])
    assert await c.say(word) == help_text


async def test_parar_in_portuguese() -> None:
    c = await chat("pt")
    await c.say("PARAR", channel=Channel.SMS)
    assert c.stored_user().opted_out == {"sms": True}


@pytest.mark.parametrize(
    ("lang", "text", "expected"),
    [
        ("en", "help", "Here's what I can do"),
        ("es", "ayuda", "•"),
        ("pt", "ajuda", "•"),
        ("en", "asdf qwer zxcv", "Sorry"),
        ("pt", "oi", "!"),
    ],
)
async def test_help_unknown_greeting(lang: str, text: str, expected: str) -> None:
    c = await chat(lang)
    assert expected in await c.say(text)


async def test_unknown_in_users_language() -> None:

    for lang in ("en", "es", "pt"):
        c = await chat(lang)
        assert await c.say("asdf qwer zxcv") == replies().render("unknown", lang, SETUPS[lang][1])


@pytest.mark.parametrize(
    ("start", "text", "lang"),
    [("pt", "speak english", "en"), ("en", "fala português", "pt"), ("en", "en español por favor", "es")],
)
async def test_language_change(start: str, text: str, lang: str) -> None:
    c = await chat(start)
    await c.say(text)
    assert c.stored_user().language == lang


@pytest.mark.parametrize(
    ("lang", "text", "expected"),
    [
        ("en", "spent 10.50 yen on sushi", "JPY amounts have at most 0 decimal places"),
        ("es", "gasté 10,50 yenes en sushi", "Los montos en JPY tienen como mucho 0 decimales"),
        ("pt", "gastei 10,50 ienes no sushi", "Valores em JPY têm no máximo 0 casas decimais"),
        ("en", "coffee 0.001", "USD amounts have at most 2 decimal places"),
        ("en", "spent 20 on lunch on 1999-05-03", "That date is too far back"),
        ("pt", "gastei 20 no almoço em 03/05/1999", "Essa data é antiga demais"),
    ],
)
async def test_refused_input_is_told_what_was_wrong(lang: str, text: str, expected: str) -> None:
    c = await chat(lang)
    reply = await c.say(text)
    assert reply.startswith(expected)
    assert not c.live()


async def test_an_edit_that_changes_nothing_says_so() -> None:
    c = await chat("en")
    await c.say("spent 45 at uber")
    assert "Change" in await c.say("change it to 45")
    assert await c.say("yes") == "That's already how it is, so nothing changed."
    assert [t.amount.amount for t in c.live()] == [Decimal("45.00")]


async def test_sms_reply_is_gsm7() -> None:
    c = await chat("en")
    reply = await c.say("spent 45.90 at uber", channel=Channel.SMS)
    assert "✅" not in reply


async def test_three_messages_in_a_row_in_another_language_switch_the_replies() -> None:
    c = await chat("pt")
    await c.say("how much did i spend this month")
    await c.say("uber 12")  # neutral, so read in the user's language: the streak starts again
    await c.say("how much did i spend this week")
    await c.say("what is my balance")
    assert str(c.stored_user().language) == "pt"  # only two in a row since the neutral message
    await c.say("show my expenses this week")
    reply = await c.say("how much did i spend on uber this month")
    assert str(c.stored_user().language) == "en"
    assert "Spent" in reply or "spent" in reply or "$" in reply


async def test_one_message_in_another_language_does_not_switch() -> None:
    c = await chat("es")
    await c.say("how much did i spend this month")
    await c.say("cuánto gasté esta semana")
    await c.say("what is my balance")
    assert str(c.stored_user().language) == "es"


async def test_a_write_names_the_account_only_when_there_are_several() -> None:
    c = await chat("en")
    assert "Account" not in await c.say("spent 25 at Starbucks")
    async with c.db.uow(c.tenant.id) as uow:
        await services.add_account(AddAccount(user_id=c.stored_user().id, name="Savings"), uow, c.clock)
    reply = await c.say("spent 26 at Starbucks")
    default = next(a for a in c.db.store.accounts.values() if a.is_default)
    assert f"Account: {default.name}" in reply


async def test_several_amounts_that_are_not_items_are_all_shown_before_one_is_recorded(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from bot.conversation import policy

    monkeypatch.setattr(policy, "split_items", lambda ctx: None)  # as if the parts did not read apart
    c = await chat("en")
    question = await c.say("uber 18, lunch 11.99")
    assert "$18.00" in question and "$11.99" in question and "yes / no" in question
    assert not c.live()
