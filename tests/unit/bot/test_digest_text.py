"""The weekly digest's text: every part, in en, es and pt, with Babel's amounts and days for each locale."""

from __future__ import annotations

import uuid
from datetime import date
from decimal import Decimal

import pytest

from bot.digest_text import digest_text
from bot.replies import WHATSAPP_LIMIT, fit
from domain.budgets import build_status
from domain.digest import BillAhead, Digest, at_risk
from domain.goals import status_of
from domain.model import Budget, Goal, Period, Recurrence
from domain.money import Money
from domain.periods import month_of
from domain.results import CategoryTotal, SpendingSummary

TODAY = date(2026, 12, 6)  # a Sunday: the digest of Monday 30 November to Sunday 6 December
WEEK = Period(date(2026, 11, 30), TODAY)
ID = uuid.UUID(int=1)


def _digest(code: str) -> Digest:
    def m(amount: str) -> Money:
        return Money.of(amount, code)

    summary = SpendingSummary(
        period=WEEK,
        previous_period=Period(date(2026, 11, 23), date(2026, 11, 29)),
        currency=code,
        total=m("1234.56"),
        count=9,
        by_category=(
            CategoryTotal("groceries", m("800"), 3),
            CategoryTotal("dining", m("300.5"), 4),
            CategoryTotal(None, m("100"), 1),
            CategoryTotal("transport", m("34.06"), 1),
        ),
        top_merchants=(),
        previous_total=m("1000"),
        change=Decimal("0.2346"),
    )
    month = month_of(TODAY)
    dining = Budget(ID, ID, ID, "dining", m("400"), Recurrence.MONTHLY)
    groceries = Budget(ID, ID, ID, "groceries", m("2000"), Recurrence.MONTHLY)
    statuses = (
        build_status(dining, month, TODAY, {code: m("350")}),  # 87.5% used: 50 left over 25 days
        build_status(groceries, month, TODAY, {code: m("2100")}),  # over by 100
    )
    trip = Goal(ID, ID, ID, "Viagem", m("5000"), ID)
    car = Goal(ID, ID, ID, "Car", m("1000"), ID)
    goals = (status_of(trip, m("1250"), TODAY, TODAY), status_of(car, m("1000"), TODAY, TODAY))
    bills = (
        BillAhead(date(2026, 12, 8), m("1800"), "Aluguel", None),
        BillAhead(date(2026, 12, 10), m("99.9"), None, "utilities"),
    )
    return Digest(WEEK, summary, summary.by_category[:3], statuses, goals, bills)


# Babel (CLDR 47) writes es_AR as "$1.234,56": es_MX's symbol with the other separators.
EXPECTED = {
    ("pt", "pt_BR"): """📊 Sua semana, de 30 nov. a 6 dez.
Você gastou R$ 1.234,56, 23% a mais que na semana anterior (R$ 1.000,00).
Principais categorias:
• mercado: R$ 800,00
• restaurante: R$ 300,50
• outros: R$ 100,00
⚠️ Orçamentos em risco:
• restaurante: R$ 350,00 de R$ 400,00, sobram R$ 1,92 por dia até 31 dez.
• mercado: R$ 2.100,00 de R$ 2.000,00, R$ 100,00 acima (até 31 dez.)
🎯 Metas:
• Viagem: R$ 1.250,00 de R$ 5.000,00 (25%)
• Car: R$ 1.000,00 alcançados! 🎉
🧾 Contas que vencem na próxima semana:
• 8 dez.: Aluguel, R$ 1.800,00
• 10 dez.: contas da casa, R$ 99,90""",
    ("es", "es_MX"): """📊 Tu semana, del 30 nov al 6 dic
Gastaste $1,234.56, 23% más que la semana anterior ($1,000.00).
Categorías principales:
• súper: $800.00
• comida: $300.50
• otros: $100.00
⚠️ Presupuestos en riesgo:
• comida: $350.00 de $400.00, quedan $1.92 por día hasta el 31 dic
• súper: $2,100.00 de $2,000.00, $100.00 por encima (hasta el 31 dic)
🎯 Metas:
• Viagem: $1,250.00 de $5,000.00 (25%)
• Car: ¡$1,000.00 alcanzados! 🎉
🧾 Pagos que vencen la próxima semana:
• 8 dic: Aluguel, $1,800.00
• 10 dic: servicios, $99.90""",
    ("es", "es_AR"): """📊 Tu semana, del 30 nov al 6 dic
Gastaste $1.234,56, 23% más que la semana anterior ($1.000,00).
Categorías principales:
• súper: $800,00
• comida: $300,50
• otros: $100,00
⚠️ Presupuestos en riesgo:
• comida: $350,00 de $400,00, quedan $1,92 por día hasta el 31 dic
• súper: $2.100,00 de $2.000,00, $100,00 por encima (hasta el 31 dic)
🎯 Metas:
• Viagem: $1.250,00 de $5.000,00 (25%)
• Car: ¡$1.000,00 alcanzados! 🎉
🧾 Pagos que vencen la próxima semana:
• 8 dic: Aluguel, $1.800,00
• 10 dic: servicios, $99,90""",
    ("en", "en_US"): """📊 Your week, 30 Nov to 6 Dec
You spent $1,234.56, 23% more than the week before ($1,000.00).
Top categories:
• groceries: $800.00
• dining: $300.50
• other: $100.00
⚠️ Budgets at risk:
• dining: $350.00 of $400.00, $1.92 a day left until 31 Dec
• groceries: $2,100.00 of $2,000.00, $100.00 over (until 31 Dec)
🎯 Goals:
• Viagem: $1,250.00 of $5,000.00 (25%)
• Car: $1,000.00 reached 🎉
🧾 Bills due in the coming week:
• 8 Dec: Aluguel, $1,800.00
• 10 Dec: utilities, $99.90""",
}


@pytest.mark.parametrize(("lang", "locale"), list(EXPECTED))
def test_the_digest_reads_right_in_each_locale(lang: str, locale: str) -> None:
    code = {"pt_BR": "BRL", "es_MX": "MXN", "es_AR": "ARS", "en_US": "USD"}[locale]
    assert digest_text(_digest(code), lang, locale) == EXPECTED[(lang, locale)]


def test_budgets_at_risk_are_the_ones_past_80_percent_or_heading_over() -> None:
    month = month_of(TODAY)
    budget = Budget(ID, ID, ID, "dining", Money.of("400", "BRL"), Recurrence.MONTHLY)
    assert at_risk(build_status(budget, month, TODAY, {"BRL": Money.of("320", "BRL")}))  # 80%
    assert not at_risk(build_status(budget, month, TODAY, {"BRL": Money.of("60", "BRL")}))  # 15%, on pace
    # 50% used on the 6th: the pace so far ends the month far over.
    assert at_risk(build_status(budget, month, TODAY, {"BRL": Money.of("200", "BRL")}))


def test_a_quiet_week_says_so_and_leaves_out_the_empty_parts() -> None:
    code = "USD"
    summary = SpendingSummary(
        WEEK,
        Period(date(2026, 11, 23), date(2026, 11, 29)),
        code,
        Money.zero(code),
        0,
        (),
        (),
        Money.of("52.5", code),
        None,
    )
    text = digest_text(Digest(WEEK, summary, (), (), (), ()), "en", "en_US")
    assert text == "📊 Your week, 30 Nov to 6 Dec\nNo spending recorded this week (the week before: $52.50)."


def test_a_long_digest_fits_one_whatsapp_message() -> None:
    digest = _digest("BRL")
    many = tuple(
        BillAhead(date(2026, 12, 8), Money.of("10", "BRL"), f"Conta {n:03}", None) for n in range(200)
    )
    long = Digest(digest.week, digest.spending, digest.top, digest.at_risk, digest.goals, many)
    text = digest_text(long, "pt", "pt_BR")
    assert len(text) > WHATSAPP_LIMIT
    assert len(fit(text, "whatsapp")) < WHATSAPP_LIMIT
