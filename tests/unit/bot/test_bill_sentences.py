"""The bill sentences of locales/<lang>/bills.yaml: which mark or unmark a bill and the words naming it, and
what is no such sentence; finding the payment named among a user's rules."""

from __future__ import annotations

import uuid
from datetime import date

import pytest

from bot.conversation.handlers.bills import find, read
from domain.model import Recurrence, RecurringRule, TransactionKind
from domain.money import Money

CASES = [
    # (message, marks (True) or unmarks (False), the words naming the payment)
    ("remind me of the rent the day before", True, "rent"),
    ("Remind me about my Netflix a day before it's due", True, "netflix"),
    ("remind me about the phone bill", True, "phone"),
    ("rent is a bill", True, "rent"),
    ("mark the gym as a bill", True, "gym"),
    ("stop reminding me of rent", False, "rent"),
    ("don't remind me about netflix anymore", False, "netflix"),
    ("rent is not a bill", False, "rent"),
    ("avísame un día antes del alquiler", True, "alquiler"),
    ("recuérdame pagar la luz", True, "luz"),
    ("el alquiler es una cuenta", True, "alquiler"),
    ("ya no me avises del alquiler", False, "alquiler"),
    ("deja de recordarme de netflix", False, "netflix"),
    ("me lembra do aluguel um dia antes", True, "aluguel"),
    ("me avisa na véspera da luz", True, "luz"),
    ("aluguel é conta", True, "aluguel"),
    ("o condomínio é uma conta", True, "condominio"),
    ("para de me lembrar do aluguel", False, "aluguel"),
    ("não me lembra mais da netflix", False, "netflix"),
    ("aluguel não é mais conta", False, "aluguel"),
]


@pytest.mark.parametrize(("text", "on", "name"), CASES, ids=[c[0] for c in CASES])
def test_each_sentence_marks_or_unmarks_what_it_names(text: str, on: bool, name: str) -> None:
    assert read(text) == (on, name)


@pytest.mark.parametrize(
    "text",
    [
        "rent 1800 every month",
        "stop netflix",
        "paguei o aluguel",
        "remind me",
        "gastei 20 no mercado",
        "don't message me after 9pm",
        "avísame si la cuenta baja de 100 mil",
    ],
)
def test_other_messages_are_no_bill_sentence(text: str) -> None:
    assert read(text) is None


def _rule(
    note: str | None, category: str | None, merchant: str | None = None, bill: bool = False
) -> RecurringRule:
    return RecurringRule(
        id=uuid.uuid4(),
        tenant_id=uuid.uuid4(),
        user_id=uuid.uuid4(),
        kind=TransactionKind.EXPENSE,
        amount=Money.of("100", "BRL"),
        cadence=Recurrence.MONTHLY,
        anchor=5,
        next_due=date(2026, 12, 5),
        merchant=merchant,
        category=category,
        note=note,
        bill=bill,
    )


def test_a_payment_is_found_by_its_words_merchant_or_category_with_typos_and_accents() -> None:
    rent = _rule("aluguel", "housing")
    netflix = _rule(None, "subscriptions", merchant="Netflix")
    power = _rule("luz", "utilities")
    web = _rule("internet", "utilities", bill=True)
    rules = [rent, netflix, power, web]
    assert find("aluguél", rules, "pt", True) == [rent]
    assert find("netflx", rules, "pt", True) == [netflix]
    assert find("moradia", rules, "pt", True) == [rent]  # its category, in the user's language
    assert find("contas da casa", rules, "pt", True) == [power, web]  # several: the chat asks which
    assert find("contas da casa", rules, "pt", False) == [web]  # only a bill has reminders to stop
    assert find("uber", rules, "pt", True) == []
