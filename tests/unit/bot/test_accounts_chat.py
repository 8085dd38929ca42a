"""Accounts in chat: which account a phrase names (never a guess between two), and money in several
currencies shown each in its own currency (never as a category, never summed)."""

from __future__ import annotations

import uuid

import pytest

from bot.conversation.accounts import choice, match
from domain import services
from domain.commands import AddAccount
from domain.model import Account, AccountKind
from domain.money import Money
from tests.unit.bot.test_dialogues import Conversation


def _account(name: str, kind: str) -> Account:
    return Account(
        uuid.uuid4(), uuid.uuid4(), uuid.uuid4(), name, AccountKind(kind), "BRL", Money.zero("BRL")
    )


ACCOUNTS = [
    _account("Main", "cash"),
    _account("Nubank", "checking"),
    _account("Cartão Nubank", "credit_card"),
    _account("Cartão do Inter", "credit_card"),
    _account("Poupança", "savings"),
]


@pytest.mark.parametrize(
    ("phrase", "expected"),
    [
        ("nubank", "Nubank"),  # exact wins over a name that contains it
        ("NUBANCK", "Nubank"),  # case and a typo
        ("poupanca", "Poupança"),  # no accents
        ("poupnaça", "Poupança"),  # two letters swapped
        ("cartao do inter", "Cartão do Inter"),
        ("inter", "Cartão do Inter"),
        ("dinheiro", "Main"),  # a kind word: the only cash account
        ("conta corrente", "Nubank"),  # the only checking account
    ],
)
def test_a_phrase_names_one_account_despite_accents_typos_and_case(phrase: str, expected: str) -> None:
    named = match(phrase, ACCOUNTS, "pt")
    assert named.account is not None and named.account.name == expected


def test_two_accounts_that_fit_are_offered_never_guessed() -> None:
    named = match("cartão", ACCOUNTS, "pt")
    assert named.account is None
    assert [a.name for a in named.candidates] == ["Cartão Nubank", "Cartão do Inter"]
    assert choice("2", named.candidates, "pt") is named.candidates[1]
    assert choice("o do inter", named.candidates, "pt") is named.candidates[1]
    assert choice("7", named.candidates, "pt") is None


def test_a_name_that_fits_no_account_is_offered_as_new_with_its_kind() -> None:
    named = match("amex", ACCOUNTS, "pt")  # a card, but a name: it never picks another card
    assert (named.account, named.candidates, named.new_name, named.kind) == (
        None,
        (),
        "Amex",
        AccountKind.CREDIT_CARD,
    )


async def test_a_summary_shows_another_currency_under_its_own_total_never_as_a_category_or_a_sum() -> None:
    conversation = await Conversation("en").setup()
    await conversation.say("spent 573.38 on groceries")
    await conversation.say("spent 899 euros on the hotel")
    turn = await conversation.say("how much did I spend this month")
    text = turn.rendered or ""
    assert "• EUR" not in text and "+" not in text  # no currency as a category line, no sum across
    lines = text.splitlines()
    assert lines[0].endswith("$573.38")
    assert lines[1:] == ["• groceries: $573.38", "Also spent in EUR: €899.00", "• travel: €899.00"]

    balance = (await conversation.say("balance")).rendered or ""
    assert "+" not in balance
    assert balance.splitlines() == ["Your balance: -$573.38", "Also: -€899.00"]


async def test_a_transfer_between_currencies_is_refused_and_names_both() -> None:
    conversation = await Conversation("en").setup(["Checking checking 1000"])
    async with conversation.db.uow(conversation.tenant.id) as uow:
        cmd = AddAccount(user_id=conversation.member.id, name="Euros", kind="savings", currency="EUR")
        await services.add_account(cmd, uow, conversation.clock)
    turn = await conversation.say("transfer 100 from checking to euros")
    assert list(turn.reply.keys) == ["transfer_currency_mismatch"]
    assert "Checking" in (turn.rendered or "") and "EUR" in (turn.rendered or "")
    assert conversation.ledger() == []
