"""The chat reads the tenant's own merchants: a message naming one records its name and category."""

from __future__ import annotations

import uuid
from datetime import timedelta

from bot.conversation.merchants import TenantMerchants
from domain.merchants import CreateMerchant, UpdateMerchant, create_merchant, update_merchant
from domain.model import Merchant
from tests.unit.bot.test_dialogues import Conversation
from tests.unit.fakes import FakeDatabase, FixedClock


async def _merchant(conversation: Conversation, cmd: CreateMerchant) -> Merchant:
    async with conversation.db.uow(conversation.tenant.id) as uow:
        return await create_merchant(cmd, uow, conversation.clock)


async def test_a_tenant_merchant_changes_the_recorded_merchant_and_category() -> None:
    plain = await Conversation("en").setup()
    await plain.say("spent 30 at padaria do ze")
    assert not any("Padaria do Zé" in entry or "dining" in entry for entry in plain.ledger())

    conversation = await Conversation("en").setup()
    await _merchant(conversation, CreateMerchant("Padaria do Zé", ("zezinho",), "dining"))
    turn = await conversation.say("spent 30 at padaria do ze")
    assert list(turn.reply.keys) == ["expense_recorded"]
    assert turn.rendered is not None and "Padaria do Zé" in turn.rendered
    assert conversation.ledger() == ["expense 30.00 USD Padaria do Zé dining"]
    await conversation.say("zezinho 12")
    assert conversation.ledger() == [
        "expense 12.00 USD Padaria do Zé dining",
        "expense 30.00 USD Padaria do Zé dining",
    ]


async def test_it_answers_what_was_it_for_and_each_of_several_items() -> None:
    conversation = await Conversation("pt").setup()
    await _merchant(conversation, CreateMerchant("Oficina do Beto", ("beto",), "transport"))
    asked = await conversation.say("gastei 80")
    assert list(asked.reply.keys) == ["ask_category"]
    await conversation.say("beto")
    assert conversation.ledger() == ["expense 80.00 BRL Oficina do Beto transport"]
    await conversation.say("beto 20, uber 15")
    await conversation.say("sim")
    assert "expense 20.00 BRL Oficina do Beto transport" in conversation.ledger()


async def test_the_shipped_merchant_gives_way_to_the_tenants() -> None:
    conversation = await Conversation("en").setup()
    await _merchant(conversation, CreateMerchant("Uber", (), "travel"))
    await conversation.say("uber 20")
    assert conversation.ledger() == ["expense 20.00 USD Uber travel"]


async def test_a_change_reaches_the_chat_within_a_minute() -> None:
    conversation = await Conversation("en").setup()
    merchant = await _merchant(conversation, CreateMerchant("Joe's Garage", (), "transport"))
    await conversation.say("spent 10 at joes garage")
    async with conversation.db.uow(conversation.tenant.id) as uow:
        await update_merchant(UpdateMerchant(merchant.id, category="shopping"), uow, conversation.clock)
    await conversation.say("spent 11 at joes garage")  # the list read a moment ago is still used
    conversation.clock.advance(seconds=61)
    await conversation.say("spent 12 at joes garage")
    assert conversation.ledger() == [
        "expense 10.00 USD Joe's Garage transport",
        "expense 11.00 USD Joe's Garage transport",
        "expense 12.00 USD Joe's Garage shopping",
    ]


async def test_the_list_is_read_once_a_minute_per_tenant() -> None:
    db = FakeDatabase()
    clock = FixedClock()
    reads: list[object] = []
    real = db.uow

    def counting(tenant_id):  # type: ignore[no-untyped-def]
        reads.append(tenant_id)
        return real(tenant_id)

    cache = TenantMerchants(counting, clock, ttl=timedelta(seconds=60))
    a, b = uuid.uuid4(), uuid.uuid4()
    assert await cache.overlay(a) is None  # no merchants: nothing to match
    await cache.overlay(a)
    await cache.overlay(b)
    assert reads == [a, b]
    clock.advance(seconds=60)
    await cache.overlay(a)
    assert reads == [a, b, a]
    cache.forget(a)
    await cache.overlay(a)
    assert reads == [a, b, a, a]
