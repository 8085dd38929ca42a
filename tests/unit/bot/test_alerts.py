"""Budget alerts without I/O: the reply to a crossing chat message, the alert texts, the push rules."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta

import pytest

from adapters.db import LastInbound, OutboxMessage
from adapters.db.outbox import event_payload
from bot.alerts import AlertTemplates, Route, Skip, alert_text, choose_route
from bot.settings import Settings
from domain.events import BudgetThresholdCrossed
from domain.model import Language, User
from domain.money import Money
from tests.unit.bot.test_agent import chat

NOW = datetime(2024, 3, 15, 12, 0, tzinfo=UTC)
TWILIO = "+14155550100"
META = "106540352242922"
ENDPOINTS = {TWILIO: "twilio", META: "meta"}


# The reply carries the alert when the crossing came from the chat


async def test_a_chat_expense_crossing_80_percent_gets_the_alert_in_its_reply() -> None:
    c = await chat("pt")
    await c.say("orçamento de 1500 para mercado")

    reply = await c.say("gastei 1234,56 no mercado")

    assert reply.endswith("⚠️ Você já usou 80% do orçamento de mercado: R$ 1.234,56 de R$ 1.500,00.")
    [crossing] = [e for e in c.db.outbox if isinstance(e, BudgetThresholdCrossed)]
    assert crossing.source == "chat"  # the alert worker will not push it again


async def test_going_over_gets_the_over_line_and_an_expense_below_gets_none() -> None:
    c = await chat("en")
    await c.say("budget 100 for groceries")
    assert "⚠️" not in await c.say("spent 50 on groceries")

    reply = await c.say("spent 70 on groceries")

    assert "🚨 You've gone over your groceries budget: $120.00 of $100.00 ($20.00 over)." in reply
    assert "⚠️ 80% of your groceries budget used: $120.00 of $100.00." in reply


async def test_an_edit_that_crosses_gets_the_alert_in_its_confirmation() -> None:
    c = await chat("en")
    await c.say("budget 100 for groceries")
    await c.say("spent 40 on groceries")
    await c.say("change it to 85")

    reply = await c.say("yes")

    assert "⚠️ 80% of your groceries budget used: $85.00 of $100.00." in reply


# Texts


def crossing(
    threshold: int, spent: str, budget: str, currency: str, category: str | None
) -> BudgetThresholdCrossed:
    return BudgetThresholdCrossed(
        tenant_id=uuid.uuid4(),
        user_id=uuid.uuid4(),
        budget_id=uuid.uuid4(),
        category=category,
        threshold=threshold,
        period_start=date(2024, 3, 1),
        period_end=date(2024, 3, 31),
        spent=Money.of(spent, currency),
        budget=Money.of(budget, currency),
    )


@pytest.mark.parametrize(
    ("event", "lang", "locale", "expected"),
    [
        (
            crossing(80, "1234.56", "1500", "BRL", "groceries"),
            "pt",
            "pt_BR",
            "⚠️ Você já usou 80% do orçamento de mercado: R$ 1.234,56 de R$ 1.500,00.",
        ),
        (
            crossing(80, "850", "1000", "MXN", "dining"),
            "es",
            "es_MX",
            "⚠️ Usaste 80% de tu presupuesto de comida: $850.00 de $1,000.00.",
        ),
        (
            crossing(100, "1050.5", "1000", "USD", None),
            "en",
            "en_US",
            "🚨 You've gone over your total budget: $1,050.50 of $1,000.00 ($50.50 over).",
        ),
        # Exactly on the budget is not "over": the 100% crossing says so in the threshold text.
        (
            crossing(100, "1000", "1000", "USD", "groceries"),
            "en",
            "en_US",
            "⚠️ 100% of your groceries budget used: $1,000.00 of $1,000.00.",
        ),
    ],
)
def test_alert_text_in_the_users_language_and_locale(
    event: BudgetThresholdCrossed, lang: str, locale: str, expected: str
) -> None:
    assert alert_text(event, lang, locale) == expected


def test_an_event_stored_before_source_existed_reads_back_and_is_pushed() -> None:
    event = crossing(80, "850", "1000", "BRL", "groceries")
    payload = event_payload(event)
    del payload["source"]
    message = OutboxMessage(1, "BudgetThresholdCrossed", payload, NOW, 0)
    assert message.event() == event
    assert OutboxMessage(2, "SomethingNew", {}, NOW, 0).event() is None


# Channel rules


def user(**opted_out: bool) -> User:
    return User(
        id=uuid.uuid4(),
        tenant_id=uuid.uuid4(),
        phone="+5511987654321",
        name="Ana",
        language=Language.PT,
        locale="pt_BR",
        currency="BRL",
        timezone="America/Sao_Paulo",
        opted_out=dict(opted_out),
    )


def wrote(channel: str, ago: timedelta, to: str = TWILIO) -> LastInbound:
    return LastInbound(channel, to, NOW - ago)


@pytest.mark.parametrize(
    ("last", "endpoints", "opted_out", "expected"),
    [
        # WhatsApp within 24 hours: free-form, through the provider of the address they wrote to.
        (wrote("whatsapp", timedelta(hours=23)), ENDPOINTS, {}, Route("whatsapp", "twilio", TWILIO)),
        (wrote("whatsapp", timedelta(minutes=1), META), ENDPOINTS, {}, Route("whatsapp", "meta", META)),
        # Past the window: SMS from the tenant's Twilio number, or nothing without one.
        (wrote("whatsapp", timedelta(hours=24), META), ENDPOINTS, {}, Route("sms", "twilio", TWILIO)),
        (wrote("whatsapp", timedelta(days=2), META), {META: "meta"}, {}, Skip("window_closed")),
        # The number they wrote to is no longer the tenant's: SMS rather than sending from someone else's.
        (
            wrote("whatsapp", timedelta(hours=1), "+19995550000"),
            ENDPOINTS,
            {},
            Route("sms", "twilio", TWILIO),
        ),
        # SMS: from the number they texted.
        (wrote("sms", timedelta(days=30)), ENDPOINTS, {}, Route("sms", "twilio", TWILIO)),
        # Never wrote: SMS when the tenant has a Twilio number.
        (None, ENDPOINTS, {}, Route("sms", "twilio", TWILIO)),
        (None, {META: "meta"}, {}, Skip("no_channel")),
        (None, {}, {}, Skip("no_channel")),
        # Opted out of the channel they last used: nothing, and no chasing onto another channel.
        (wrote("whatsapp", timedelta(hours=1)), ENDPOINTS, {"whatsapp": True}, Skip("opted_out")),
        (wrote("whatsapp", timedelta(days=3)), ENDPOINTS, {"whatsapp": True}, Skip("opted_out")),
        (wrote("sms", timedelta(hours=1)), ENDPOINTS, {"sms": True}, Skip("opted_out")),
        # Opted out of the fallback channel: nothing on it.
        (wrote("whatsapp", timedelta(days=3)), ENDPOINTS, {"sms": True}, Skip("opted_out")),
        (None, ENDPOINTS, {"sms": True}, Skip("opted_out")),
        # Opted out of another channel only: this one is still fine.
        (
            wrote("whatsapp", timedelta(hours=1)),
            ENDPOINTS,
            {"sms": True},
            Route("whatsapp", "twilio", TWILIO),
        ),
    ],
)
def test_push_channel(
    last: LastInbound | None, endpoints: dict[str, str], opted_out: dict[str, bool], expected: Route | Skip
) -> None:
    assert choose_route(user(**opted_out), last, endpoints, NOW) == expected


TEMPLATES = AlertTemplates(twilio={"pt": "HX" + "1" * 32}, meta="centavo_budget_alert")


@pytest.mark.parametrize(
    ("last", "templates", "expected"),
    [
        # Outside the window with an approved template for that provider and language: WhatsApp, templated.
        (wrote("whatsapp", timedelta(days=2)), TEMPLATES, Route("whatsapp", "twilio", TWILIO, template=True)),
        (
            wrote("whatsapp", timedelta(days=2), META),
            TEMPLATES,
            Route("whatsapp", "meta", META, template=True),
        ),
        # Inside the window the template is not needed.
        (wrote("whatsapp", timedelta(hours=2)), TEMPLATES, Route("whatsapp", "twilio", TWILIO)),
        # No template in the user's language (pt here, Spanish only configured): the SMS fallback.
        (
            wrote("whatsapp", timedelta(days=2)),
            AlertTemplates(twilio={"es": "HX2"}),
            Route("sms", "twilio", TWILIO),
        ),
        (wrote("whatsapp", timedelta(days=2)), AlertTemplates(), Route("sms", "twilio", TWILIO)),
    ],
)
def test_push_channel_with_templates(
    last: LastInbound, templates: AlertTemplates, expected: Route | Skip
) -> None:
    assert choose_route(user(), last, ENDPOINTS, NOW, templates) == expected


def test_templates_from_settings() -> None:
    settings = Settings(twilio_alert_content_sids=" en=HXa , pt=HXb,", meta_alert_template="budget_alert")
    templates = AlertTemplates.from_settings(settings)
    assert templates == AlertTemplates(twilio={"en": "HXa", "pt": "HXb"}, meta="budget_alert")
    assert AlertTemplates.from_settings(Settings()) == AlertTemplates()


@pytest.mark.parametrize("raw", ["fr=HX1", "pt", "pt=", "HX1"])
def test_a_malformed_template_setting_fails_naming_it(raw: str) -> None:
    with pytest.raises(ValueError, match="TWILIO_ALERT_CONTENT_SIDS"):
        AlertTemplates.from_settings(Settings(twilio_alert_content_sids=raw))
