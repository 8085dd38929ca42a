"""Accounts, transfers and loans in a message (nlu/accounts.py, locales/<lang>/accounts.yaml)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

import nlu

NOW = datetime(2026, 11, 18, 15, 0, tzinfo=UTC)


def _parse(text: str, lang: str) -> nlu.Parse:
    return nlu.parse(text, now=NOW, lang=lang, currency={"en": "USD", "es": "MXN", "pt": "BRL"}[lang])


@pytest.mark.parametrize(
    ("text", "lang", "account", "merchant"),
    [
        ("uber 20 no nubank", "pt", "nubank", "Uber"),
        ("almoço 30 no cartão do inter", "pt", "cartão do inter", None),
        ("tacos 80 con la tarjeta", "es", "tarjeta", None),
        ("lunch 20 on my amex", "en", "amex", None),
        ("paguei a conta de luz 120", "pt", None, None),  # a bill is not an account
        ("bought a wallet 30", "en", None, None),  # nor a wallet bought
        ("vitaminas en farmacias del ahorro 310", "es", None, "Farmacias del Ahorro"),
    ],
)
def test_the_account_that_paid_is_read_and_is_not_a_merchant(
    text: str, lang: str, account: str | None, merchant: str | None
) -> None:
    parse = _parse(text, lang)
    assert parse.account == account
    assert parse.merchant == merchant


@pytest.mark.parametrize(
    ("text", "lang", "origin", "target"),
    [
        ("transfer 100 from checking to savings", "en", "checking", "savings"),
        ("transfer 60 to cash from checking", "en", "checking", "cash"),
        ("passei 200 pra poupança", "pt", None, "poupança"),
        ("saqué 50 del cajero", "es", None, "efectivo"),
        ("paguei a fatura do nubank 780", "pt", None, "nubank"),
        (
            "pagué la tarjeta de crédito 2200 desde la cuenta de cheques",
            "es",
            "cuenta de cheques",
            "tarjeta de crédito",
        ),
    ],
)
def test_a_transfer_has_its_source_and_destination(
    text: str, lang: str, origin: str | None, target: str
) -> None:
    parse = _parse(text, lang)
    assert (parse.intent, parse.account, parse.to_account) == ("transfer", origin, target)
    assert parse.category is None and parse.merchant is None


@pytest.mark.parametrize(
    ("text", "lang", "person", "direction"),
    [
        ("paid back sarah 30", "en", "Sarah", "out"),
        ("lent mike 20", "en", "Mike", "out"),
        ("le presté 500 a juan", "es", "Juan", "out"),
        ("o joão me devolveu 50", "pt", "João", "in"),
    ],
)
def test_a_loan_has_its_person_and_direction(text: str, lang: str, person: str, direction: str) -> None:
    parse = _parse(text, lang)
    assert (parse.intent, parse.person, parse.direction, parse.category) == (
        "debt",
        person,
        direction,
        "loans",
    )
    result = parse.to_json()
    assert (result["person"], result["direction"], result["merchant"]) == (person, direction, None)


def test_without_a_word_for_its_direction_a_message_is_not_read_as_a_loan() -> None:
    assert _parse("gave 20 to mike", "en").intent != "debt"
    assert _parse("transferi 100 pro joão", "pt").intent != "transfer"  # no account of the user's named


def test_the_result_line_carries_the_new_fields_and_keeps_the_old_ones() -> None:
    result = _parse("transfer 100 from checking to savings", "en").to_json()
    assert {"account", "to_account", "person", "direction"} <= set(result)
    assert (result["account"], result["to_account"], result["amount"]) == ("checking", "savings", "100")


def test_the_users_own_names_are_found_with_a_typo_and_their_role() -> None:
    assert nlu.accounts_named("passei 200 pra viajem", "pt", ["Viagem", "Main"]) == [("Viagem", "to")]
    assert nlu.accounts_named("got 100 into my savigns", "en", ["Savings"]) == [("Savings", "to")]
    assert nlu.accounts_named("coffee 4", "en", ["Main"]) == []


@pytest.mark.parametrize(
    ("text", "lang", "kind"),
    [
        ("cartão do inter", "pt", "credit_card"),
        ("efectivo", "es", "cash"),
        ("savings", "en", "savings"),
        ("nubank", "pt", None),
    ],
)
def test_the_kind_of_an_account_comes_from_its_words(text: str, lang: str, kind: str | None) -> None:
    assert nlu.account_kind(text, lang) == kind
