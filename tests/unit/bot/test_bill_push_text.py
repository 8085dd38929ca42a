"""A bill reminder's push text in en, es and pt, its amount formatted by Babel for the user's locale."""

from __future__ import annotations

import uuid
from datetime import date

import pytest

from bot.alerts import push_text
from domain.events import BillDue
from domain.money import Money


def _due(amount: str, currency: str, name: str, account: str | None) -> BillDue:
    return BillDue(
        tenant_id=uuid.uuid4(),
        user_id=uuid.uuid4(),
        rule_id=uuid.uuid4(),
        due=date(2026, 12, 7),
        amount=Money.of(amount, currency),
        name=name,
        account=account,
    )


@pytest.mark.parametrize(
    ("lang", "locale", "event", "expected"),
    [
        (
            "pt",
            "pt_BR",
            _due("1800", "BRL", "aluguel", "conta corrente"),
            "Amanhã: aluguel R$ 1.800,00, conta corrente",
        ),
        ("en", "en_US", _due("1800", "USD", "rent", "checking"), "Tomorrow: rent $1,800.00, checking"),
        (
            "es",
            "es_MX",
            _due("1800", "MXN", "alquiler", "cuenta corriente"),
            "Mañana: alquiler $1,800.00, cuenta corriente",
        ),
        ("es", "es_AR", _due("180000", "ARS", "alquiler", None), "Mañana: alquiler $180.000,00"),
        # A rule named by its category alone: the category in the reader's language.
        ("pt", "pt_BR", _due("99.9", "BRL", "utilities", None), "Amanhã: contas da casa R$ 99,90"),
        ("en", "en_US", _due("15.49", "USD", "Netflix", "Main"), "Tomorrow: Netflix $15.49, Main"),
    ],
)
def test_the_reminder_reads_in_the_users_language_and_locale(
    lang: str, locale: str, event: BillDue, expected: str
) -> None:
    assert push_text(event, lang, locale) == expected
