"""Settings and currency questions by chat beyond the dialogue tables: a plugged-in rate source is used,
and a setting change read with little confidence asks before changing anything."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from adapters.cache import connect
from bot.conversation import Agent
from bot.conversation.handlers import default_handlers
from tests.unit.bot.test_dialogues import Conversation


class EuroRates:
    async def rate(self, base: str, quote: str, on: date) -> Decimal | None:
        return Decimal("1.05") if (base, quote) == ("EUR", "USD") else None


async def test_a_configured_rate_source_answers_with_its_rate() -> None:
    conversation = await Conversation("en").setup()
    conversation.agent = Agent(
        unit_of_work=conversation.db.uow,
        state=connect(None).state,
        clock=conversation.clock,
        handlers=default_handlers(rates=EuroRates()),
    )
    turn = await conversation.say("899 euros in dollars")
    assert list(turn.reply.keys) == ["converted"]
    assert turn.rendered is not None and "$943.95" in turn.rendered and "€899.00" in turn.rendered
    missing = await conversation.say("how much is 20 pounds in dollars")
    assert list(missing.reply.keys) == ["no_exchange_rate"]
    assert conversation.ledger() == []


async def test_the_same_setting_again_changes_nothing_and_says_so() -> None:
    conversation = await Conversation("pt").setup()
    turn = await conversation.say("muda minha moeda pra real")
    assert list(turn.reply.keys) == ["setting_unchanged"]
    assert conversation.user()["currency"] == "BRL"


async def test_a_setting_with_no_value_is_asked_about_without_changing_anything() -> None:
    conversation = await Conversation("es").setup()
    turn = await conversation.say("quiero cambiar la zona horaria")
    assert list(turn.reply.keys) == ["setting_unknown_timezone", "ask_setting_timezone"]
    assert conversation.user()["timezone"] == "America/Mexico_City"
    answered = await conversation.say("Lima")
    assert list(answered.reply.keys) == ["setting_changed_timezone"]
    assert conversation.user()["timezone"] == "America/Lima"
