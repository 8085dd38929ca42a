"""Households in a message: phone numbers, people, shares and the shared flag (nlu/households.py)."""

from __future__ import annotations

from datetime import datetime

import pytest

from nlu import INTENTS, parse
from nlu.households import (
    find_people,
    find_phones,
    find_shares,
    normalize_phone,
    read_household,
    shared_spans,
    unsaid,
)
from nlu.normalize import normalize

NOW = datetime.fromisoformat("2026-11-18T15:00:00-03:00")


@pytest.mark.parametrize(
    ("written", "number"),
    [
        ("+55 11 91234-5678", "+5511912345678"),
        ("+52 55 1234 5678", "+525512345678"),
        ("+1 (415) 555-0134", "+14155550134"),
        ("+44 7700 900123", "+447700900123"),
        # Without "+" the digits: the chat reads them in the user's own country (a Brazilian "(11) 98765-4321"
        # is no +1 number).
        ("5511912345678", "5511912345678"),
        ("(11) 98765-4321", "11987654321"),
        ("415-555-0199", "4155550199"),
        ("91234-5678", "912345678"),
        ("1234", None),  # too short for a phone
    ],
)
def test_phone_numbers_are_normalised(written: str, number: str | None) -> None:
    assert normalize_phone(written) == number


@pytest.mark.parametrize(
    ("text", "lang", "numbers"),
    [
        ("add my wife +55 11 91234-5678", "en", ["+5511912345678"]),
        ("agrega a mi roomie +52 55 1234 5678 porfa", "es", ["+525512345678"]),
        ("add tom (11) 1234-5678", "en", ["1112345678"]),
        ("convida a ana 11 91234.5678", "pt", ["11912345678"]),
        ("add henry, his number is 14155550111", "en", ["14155550111"]),
        # A bare run of digits is no phone: an amount, however long, unless a word says it is a number.
        ("add jo 5511912345678", "en", []),
        # No word inviting anyone: no phone, whatever its look.
        ("spent 99999999999 at the mall", "en", []),
        ("paid 415-555-0199 to the plumber", "en", []),
        ("gastei 11 91234-5678 no mercado", "pt", []),
        # Amounts and dates are no phones.
        ("add 1 500 000 to the car fund", "en", []),
        ("invite tom, paid 45.90 on 2026-11-18", "en", []),
        ("invite tom, uber 23 45 12", "en", []),
        ("adiciona 1.234.567,89", "pt", []),
        ("invite tom 18-11-2026 mercado 50", "en", []),
        ("invite tom 18.11.2026", "en", []),
    ],
)
def test_phones_are_found_where_no_amount_or_date_can_be(text: str, lang: str, numbers: list[str]) -> None:
    assert [p.number for p in find_phones(normalize(text), lang)] == numbers


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("spent 99999999999 at the mall", "en"),
        ("gaste 99999999999 en la plaza", "es"),
        ("gastei 99999999999 no shopping", "pt"),
    ],
)
def test_a_long_amount_is_no_phone(text: str, lang: str) -> None:
    # The chat then refuses the amount as too large, naming it (bot/conversation/policy.py).
    result = parse(text, now=NOW, lang=lang, tz="America/Sao_Paulo")
    assert (result.intent, result.phone, result.person) == ("add_expense", None, None)


def test_a_phone_is_neither_amount_nor_date() -> None:
    result = parse("add my wife +55 11 91234-5678", now=NOW, lang="en", tz="America/Sao_Paulo")
    assert (result.intent, result.phone, result.person) == ("household_invite", "+5511912345678", "wife")
    assert result.amount is None and result.date is None and result.mentions == ()


@pytest.mark.parametrize(
    ("text", "lang", "shares"),
    [
        ("dividimos el alquiler en 3", "es", 3),
        ("split 1200 rent three ways", "en", 3),
        ("split 90 in three with tom", "en", 3),
        ("rachamos a conta de 240 em 4", "pt", 4),
        ("pagué 300 de la luz, a medias con Sofi", "es", 2),
        ("split 80 half with ana", "en", 2),
        ("paguei 120 meio a meio", "pt", 2),
        ("split 60 uber with ana", "en", None),
        ("gastei 30 em 3 parcelas", "pt", None),  # no word splits it: no shares
    ],
)
def test_shares_are_read_when_a_split_says_them(text: str, lang: str, shares: int | None) -> None:
    assert find_shares(normalize(text), lang)[0] == shares


@pytest.mark.parametrize(
    ("text", "lang", "people"),
    [
        ("split the 60 uber with ana and joe", "en", ("Ana", "Joe")),
        ("split dinner with my roomie and tom", "en", ("roomie", "Tom")),
        ("rachei a pizza de 80 com o Pedro", "pt", ("Pedro",)),
        ("dividi 90 com minha esposa e a Ana", "pt", ("esposa", "Ana")),
        ("dividir 60 del uber con ana y pedro", "es", ("Ana", "Pedro")),
        ("dividimos el alquiler en 3", "es", ()),
    ],
)
def test_people_split_with_are_named_as_written(text: str, lang: str, people: tuple[str, ...]) -> None:
    assert find_people(normalize(text), lang)[0] == people


def test_split_numbers_are_not_the_amount() -> None:
    result = parse("dividimos el alquiler en 3", now=NOW, lang="es", tz="America/Mexico_City")
    assert (result.intent, result.amount, result.shares, result.category) == (
        "split_expense",
        None,
        3,
        "housing",
    )


@pytest.mark.parametrize(
    ("text", "lang", "shared"),
    [
        ("mercado da casa 50", "pt", True),
        ("orçamento do mercado da casa 1500", "pt", True),
        ("presupuesto compartido de 800 para comida", "es", True),
        ("groceries budget for the house 1500", "en", True),
        ("gastei 30 na casa do pão", "pt", False),
        ("vinho da casa 45", "pt", False),
        ("350 en la casa de cambio", "es", False),
        ("household supplies 20", "en", False),
        ("aluguel 1500", "pt", False),
    ],
)
def test_only_household_phrases_make_a_thing_shared(text: str, lang: str, shared: bool) -> None:
    assert bool(shared_spans(normalize(text), lang)) is shared


def test_a_shared_budget_keeps_its_amount_category_and_recurrence() -> None:
    result = parse("orçamento do mercado da casa 1500 por mês", now=NOW, lang="pt", tz="America/Sao_Paulo")
    assert (result.intent, result.amount, result.category, result.recurrence, result.shared) == (
        "set_budget",
        1500,
        "groceries",
        "monthly",
        True,
    )


@pytest.mark.parametrize(
    ("text", "lang", "intent"),
    [
        ("acertei com o daniel 70", "pt", "debt"),  # an amount and a loan word: paying a loan back
        ("acertei com a Ana", "pt", "settle_up"),
        ("lent rob 40", "en", "debt"),
        ("how much do i owe on my credit card", "en", "balance"),  # an account's balance, not a person's
        ("cuánto debo en mi tarjeta", "es", "balance"),
        ("show the shared budget", "en", "budget_status"),  # a budget, not who is in the household
        ("who's in the shared budget", "en", "household_members"),
        ("sim", "pt", "affirm"),
        ("yes", "en", "affirm"),
        ("sí", "es", "affirm"),
    ],
)
def test_household_readings_leave_loans_and_answers_alone(text: str, lang: str, intent: str) -> None:
    assert parse(text, now=NOW, lang=lang, tz="America/Sao_Paulo").intent == intent


def test_the_result_line_has_the_household_keys() -> None:
    line = parse("uber 20", now=NOW, lang="en", tz="America/Sao_Paulo").to_json()
    assert (line["phone"], line["people"], line["shares"], line["shared"]) == (None, [], None, False)


HOUSEHOLD_READINGS = frozenset(INTENTS[INTENTS.index("household_invite") :])


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("gasto", "es"),
        ("pague el uber", "es"),
        ("pix 40 joao", "pt"),
        ("groceries", "en"),
        ("2", "en"),
        ("put 150 in savings today", "en"),
        ("spent 60 last weekend", "en"),
        ("gastei 99999999999 no shopping", "pt"),
    ],
)
def test_household_readings_need_their_words(text: str, lang: str) -> None:
    # Neither chosen nor offered as the other reading of a "did you mean X or Y?".
    result = parse(text, now=NOW, lang=lang, tz="America/Sao_Paulo")
    readings = {result.intent, *(intent for intent, _ in result.alternatives)}
    assert not readings & HOUSEHOLD_READINGS


@pytest.mark.parametrize(
    ("text", "lang", "grounded"),
    [
        ("pagamos 90 de pizza entre 3", "es", "split_expense"),
        ("half of 80 groceries with liam", "en", "split_expense"),
        ("setle up with grace", "en", "settle_up"),  # a typo of a listed word
        ("put my husband in the household", "en", "household_invite"),
        ("invite tom", "en", "household_invite"),
        ("who did i invite", "en", "household_members"),
    ],
)
def test_a_household_word_keeps_its_reading(text: str, lang: str, grounded: str) -> None:
    norm = normalize(text)
    assert grounded not in unsaid(norm, lang, read_household(norm, lang))


@pytest.mark.parametrize(
    ("text", "lang", "ungrounded"),
    [
        ("put 150 in savings today", "en", "household_invite"),  # "put" invites only with a household word
        ("invite someone", "en", "household_invite"),  # nobody to invite
        ("cuál es mi saldo", "es", "settle_up"),  # a known word is no typo of "saldé"
        ("quanto de divida eu tenho", "pt", "split_expense"),  # nor "divida" of "dividi"
    ],
)
def test_words_that_only_look_alike_give_no_household_reading(text: str, lang: str, ungrounded: str) -> None:
    norm = normalize(text)
    assert ungrounded in unsaid(norm, lang, read_household(norm, lang))
