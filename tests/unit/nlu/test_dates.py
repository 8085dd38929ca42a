"""Dates, periods, recurrence and counts (NLU_CONTRACT.md, Dates and Periods), in en, es and pt."""

from __future__ import annotations

from datetime import date

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from nlu import dates
from nlu.data import locales_dir
from nlu.dates import When, find_when
from nlu.normalize import fold, normalize
from nlu.types import LANGUAGES, DateRange

WED = date(2026, 11, 18)  # a Wednesday; most cases resolve against it
FRI = date(2026, 11, 20)


def when(text: str, lang: str, today: date = WED) -> When:
    return find_when(normalize(text), lang, today)


def d(text: str) -> date:
    return date.fromisoformat(text)


def span_texts(text: str, lang: str, today: date = WED) -> list[str]:
    norm = normalize(text)
    return [norm.text[start:end] for start, end in find_when(norm, lang, today).spans]


DAYS = [
    # relative days
    ("en", "spent 20 today", WED, "2026-11-18"),
    ("es", "gasté 20 hoy", WED, "2026-11-18"),
    ("pt", "gastei 20 hoje", WED, "2026-11-18"),
    ("pt", "hj 20 padaria", WED, "2026-11-18"),
    ("en", "spent 20 yesterday", WED, "2026-11-17"),
    ("es", "gasté 20 ayer", WED, "2026-11-17"),
    ("pt", "gastei 20 ontem", WED, "2026-11-17"),
    ("en", "the day before yesterday 30", WED, "2026-11-16"),
    ("es", "taxi 120 anteayer", WED, "2026-11-16"),
    ("es", "tacos 150 antier", WED, "2026-11-16"),
    ("pt", "anteontem 45", WED, "2026-11-16"),
    ("pt", "antes de ontem 45", WED, "2026-11-16"),
    ("en", "dinner tonight 40", WED, "2026-11-18"),
    ("en", "coffee this morning 5", WED, "2026-11-18"),
    ("es", "café esta mañana 50", WED, "2026-11-18"),
    ("pt", "padaria hoje de manhã 12", WED, "2026-11-18"),
    ("en", "bar last night 60", WED, "2026-11-17"),
    ("es", "anoche 300 en el bar", WED, "2026-11-17"),
    ("pt", "uber ontem à noite 27", WED, "2026-11-17"),
    ("es", "ayer por la mañana 20", WED, "2026-11-17"),
    ("en", "pay rent tomorrow", WED, "2026-11-19"),
    ("es", "mañana pago la luz", WED, "2026-11-19"),
    ("pt", "amanhã pago o aluguel", WED, "2026-11-19"),
    # typos
    ("en", "yesterdy starbucks 5", WED, "2026-11-17"),
    ("en", "yday lunch 12", WED, "2026-11-17"),
    ("en", "ystd uber 9", WED, "2026-11-17"),
    ("en", "yestreday uber 9", WED, "2026-11-17"),
    ("es", "ayr 20 taxi", WED, "2026-11-17"),
    ("pt", "otem uber 15", WED, "2026-11-17"),
    ("pt", "onte uber 15", WED, "2026-11-17"),
    # bare weekday = on or before today; "last"/"pasado"/"passada" = strictly before
    ("en", "uber 20 on friday", WED, "2026-11-13"),
    ("en", "friday 20", WED, "2026-11-13"),
    ("es", "el viernes gasté 400", WED, "2026-11-13"),
    ("pt", "almocei por 38 na sexta", WED, "2026-11-13"),
    ("pt", "sexta-feira 50 no bar", WED, "2026-11-13"),
    ("pt", "segunda 30 farmacia", WED, "2026-11-16"),
    ("es", "el lunes pagué la renta", WED, "2026-11-16"),
    ("es", "sábado 200", WED, "2026-11-14"),
    ("pt", "domingo 80", WED, "2026-11-15"),
    ("en", "on wednesday 10", WED, "2026-11-18"),
    ("es", "el miércoles 10", WED, "2026-11-18"),
    ("pt", "na quarta 10", WED, "2026-11-18"),
    ("en", "last wednesday 10", WED, "2026-11-11"),
    ("es", "el miercoles pasado 10", WED, "2026-11-11"),
    ("pt", "quarta passada 10", WED, "2026-11-11"),
    ("en", "last friday 20", WED, "2026-11-13"),
    ("en", "this past friday 20", WED, "2026-11-13"),
    ("es", "el viernes pasado 20", WED, "2026-11-13"),
    ("es", "el pasado viernes 20", WED, "2026-11-13"),
    ("pt", "sexta passada 20", WED, "2026-11-13"),
    ("pt", "na última sexta 20", WED, "2026-11-13"),
    ("en", "on friday 20", FRI, "2026-11-20"),
    ("en", "last friday 20", FRI, "2026-11-13"),
    ("es", "el viernes 20", FRI, "2026-11-20"),
    ("es", "el viernes pasado 20", FRI, "2026-11-13"),
    ("pt", "na sexta 20", FRI, "2026-11-20"),
    ("pt", "sexta passada 20", FRI, "2026-11-13"),
    ("en", "next friday", WED, "2026-11-20"),
    ("en", "monday last week 15", WED, "2026-11-09"),
    ("es", "el lunes de la semana pasada 15", WED, "2026-11-09"),
    ("pt", "segunda da semana passada 15", WED, "2026-11-09"),
    ("en", "3 days ago 15", WED, "2026-11-15"),
    ("en", "a week ago 15", WED, "2026-11-11"),
    ("es", "hace 3 dias 15", WED, "2026-11-15"),
    ("pt", "faz 2 semanas 15", WED, "2026-11-04"),
    ("es", "hace una semana 15", WED, "2026-11-11"),
    ("pt", "há um mês 15", WED, "2026-10-18"),
    # day of the month: this month when not after today, else the month before
    ("es", "dia 5 super 300", WED, "2026-11-05"),
    ("es", "el día 5 pagué el internet, 499", WED, "2026-11-05"),
    ("pt", "paguei 120 dia 5", WED, "2026-11-05"),
    ("pt", "o dia 5 paguei 120", WED, "2026-11-05"),
    ("en", "train 12.75 on the 5th", WED, "2026-11-05"),
    ("en", "the 5th 30", WED, "2026-11-05"),
    ("pt", "mercado dia 25 310", WED, "2026-10-25"),
    ("es", "dia 25 cena 80", WED, "2026-10-25"),
    ("en", "dinner on the 25th 80", WED, "2026-10-25"),
    ("pt", "dia 18 uber 20", WED, "2026-11-18"),
    ("pt", "dia 31 uber 20", WED, "2026-10-31"),
    ("es", "el día 5 de este mes 20", WED, "2026-11-05"),
    ("pt", "dia 25 deste mes 20", WED, "2026-11-25"),  # said outright: this month even if ahead
    ("en", "the 5th of last month 20", WED, "2026-10-05"),
    ("pt", "dia 5 do mes passado 20", WED, "2026-10-05"),
    ("es", "gasté 20 el 5", WED, "2026-11-05"),
    ("es", "fue el 5", WED, "2026-11-05"),
    # numeric dates: day-first in es/pt, month-first in en; a missing year = latest not after today
    ("es", "almuerzo 12 el 3/11", WED, "2026-11-03"),
    ("pt", "3/11 farmacia 58", WED, "2026-11-03"),
    ("en", "walmart 76.20 on 11/3", WED, "2026-11-03"),
    ("en", "lunch 3/11", WED, "2026-03-11"),
    ("es", "03/11/2026 super 50", WED, "2026-11-03"),
    ("pt", "3/11/25 farmacia 58", WED, "2025-11-03"),
    ("en", "11/3/2025 lunch", WED, "2025-11-03"),
    ("es", "3-11 cena 80", WED, "2026-11-03"),
    ("pt", "2026-11-03 mercado 80", WED, "2026-11-03"),
    ("en", "2026-11-03 lunch 8", WED, "2026-11-03"),
    ("pt", "03.11.2026 mercado 80", WED, "2026-11-03"),
    ("es", "25/12 regalos 300", WED, "2025-12-25"),
    ("en", "12/25 gifts 300", WED, "2025-12-25"),
    ("pt", "29/02 lanche 10", WED, "2024-02-29"),  # the latest 29 February not after today
    # written dates
    ("pt", "3 de novembro mercado 80", WED, "2026-11-03"),
    ("es", "5 de octubre cena 80", WED, "2026-10-05"),
    ("es", "el 3 de noviembre pasado 80", WED, "2026-11-03"),
    ("es", "el 3 de noviembre pasado 80", date(2026, 11, 3), "2025-11-03"),
    ("es", "el 3 de noviembre 80", date(2026, 11, 3), "2026-11-03"),
    ("es", "25 de diciembre regalos", WED, "2025-12-25"),
    ("en", "November 3 lunch 8", WED, "2026-11-03"),
    ("en", "3 November lunch 8", WED, "2026-11-03"),
    ("en", "nov 3 lunch 8", WED, "2026-11-03"),
    ("en", "3 nov lunch 8", WED, "2026-11-03"),
    ("en", "November 3rd, 2025 lunch 8", WED, "2025-11-03"),
    ("en", "the 3rd of november lunch 8", WED, "2026-11-03"),
    ("pt", "5 out mercado 20", WED, "2026-10-05"),
    ("pt", "3 de nov de 2024 mercado", WED, "2024-11-03"),
    ("en", "lunch 03nov2025 8", WED, "2025-11-03"),  # dateparser's odd formats
    ("en", "lunch nov/3 8", WED, "2026-11-03"),
    # leap day and year boundaries
    ("pt", "29 de fevereiro 10", date(2028, 3, 1), "2028-02-29"),
    ("en", "yesterday 10", date(2028, 3, 1), "2028-02-29"),
    ("es", "ayer 10", date(2027, 1, 1), "2026-12-31"),
    ("en", "dec 31 party 90", date(2027, 1, 1), "2026-12-31"),
    # "not today, yesterday": the other date wins
    ("es", "no era hoy, era ayer", WED, "2026-11-17"),
    ("pt", "nao foi hoje, foi ontem", WED, "2026-11-17"),
    ("en", "not today, yesterday", WED, "2026-11-17"),
    ("es", "fue el 5, no hoy", WED, "2026-11-05"),
]


@pytest.mark.parametrize(("lang", "text", "today", "expected"), DAYS)
def test_single_days(lang: str, text: str, today: date, expected: str) -> None:
    found = when(text, lang, today)
    assert found.day == d(expected)
    assert found.period == DateRange(d(expected), d(expected))  # "how much yesterday" works as a period


NO_DAY = [
    ("pt", "paguei a segunda parcela 300"),  # ordinal, not Monday
    ("es", "pagué el 15 de luz"),  # "el 15" with no other number is the amount
    ("es", "el 5"),
    ("es", "gasté el 20% del sueldo"),
    ("en", "spent 20 on the 5 dollars"),
    ("es", "3.11 café"),  # dot-separated is money
    ("pt", "45,90 mercado"),
    ("pt", "29/02/2026 lanche"),  # no such day
    ("es", "31/04 cena"),
    ("en", "open 24/7 store 12"),
    ("es", "todos los lunes 20"),  # a habit
    ("pt", "toda sexta 20"),
    ("en", "every friday 20"),
    ("en", "I may spend 20"),  # "may" needs a day, a year or "in"
    ("pt", "o marco pagou 20"),
    ("es", "gasté 50 en el mar"),
    ("pt", "saúde mental 200"),
    ("en", "bought a sundae 5"),
    ("pt", "gosto de sushi 80"),
    ("en", "the last one was 100"),
    ("en", "paid for the 3rd time 20"),  # an ordinal of something else
    ("pt", "dia 3 vez 20"),
    ("en", "budget of 2000 a month"),  # a number that looks like a year is money without "in"
    ("en", "spent 2025 dollars in 2025 dollars"),
]


@pytest.mark.parametrize(("lang", "text"), NO_DAY)
def test_no_day_where_none_is_meant(lang: str, text: str) -> None:
    found = when(text, lang)
    assert found.day is None
    assert found.period is None


PERIODS = [
    ("en", "how much this month", WED, "2026-11-01", "2026-11-30"),
    ("es", "cuanto gaste este mes", WED, "2026-11-01", "2026-11-30"),
    ("pt", "quanto gastei este mês", WED, "2026-11-01", "2026-11-30"),
    ("pt", "quanto gastei esse mes", WED, "2026-11-01", "2026-11-30"),
    ("pt", "quanto gastei no mes", WED, "2026-11-01", "2026-11-30"),
    ("pt", "despesas deste mês", WED, "2026-11-01", "2026-11-30"),
    ("en", "so far this month", WED, "2026-11-01", "2026-11-30"),
    ("es", "en lo que va del mes", WED, "2026-11-01", "2026-11-30"),
    ("en", "total last month", WED, "2026-10-01", "2026-10-31"),
    ("es", "cuanto gaste el mes pasado", WED, "2026-10-01", "2026-10-31"),
    ("pt", "gastos do mês passado", WED, "2026-10-01", "2026-10-31"),
    ("pt", "o mes anterior", WED, "2026-10-01", "2026-10-31"),
    ("es", "mes pasado", WED, "2026-10-01", "2026-10-31"),
    ("pt", "mes pasado", WED, "2026-10-01", "2026-10-31"),
    ("en", "spending this week", WED, "2026-11-16", "2026-11-22"),
    ("es", "esta semana", WED, "2026-11-16", "2026-11-22"),
    ("pt", "essa semana", WED, "2026-11-16", "2026-11-22"),
    ("en", "last week", WED, "2026-11-09", "2026-11-15"),
    ("es", "la semana pasada", WED, "2026-11-09", "2026-11-15"),
    ("es", "smana pasada", WED, "2026-11-09", "2026-11-15"),
    ("pt", "semana passada", WED, "2026-11-09", "2026-11-15"),
    ("pt", "semana pasada", WED, "2026-11-09", "2026-11-15"),
    ("en", "last 7 days", WED, "2026-11-12", "2026-11-18"),
    ("en", "past 7 days", WED, "2026-11-12", "2026-11-18"),
    ("es", "últimos 7 días", WED, "2026-11-12", "2026-11-18"),
    ("pt", "ultimos 7 dias", WED, "2026-11-12", "2026-11-18"),
    ("pt", "nos últimos 30 dias", WED, "2026-10-20", "2026-11-18"),
    ("en", "last two weeks", WED, "2026-11-05", "2026-11-18"),  # rolling, like days
    ("es", "ultimos 3 meses", WED, "2026-08-19", "2026-11-18"),
    ("en", "in october", WED, "2026-10-01", "2026-10-31"),
    ("en", "october", WED, "2026-10-01", "2026-10-31"),
    ("es", "en octubre", WED, "2026-10-01", "2026-10-31"),
    ("pt", "em outubro", WED, "2026-10-01", "2026-10-31"),
    ("en", "december", WED, "2025-12-01", "2025-12-31"),  # not begun yet this year
    ("es", "noviembre", WED, "2026-11-01", "2026-11-30"),
    ("en", "in may", WED, "2026-05-01", "2026-05-31"),
    ("pt", "em março", WED, "2026-03-01", "2026-03-31"),
    ("en", "october 2025", WED, "2025-10-01", "2025-10-31"),
    ("es", "octubre de 2025", WED, "2025-10-01", "2025-10-31"),
    ("pt", "outubro de 2025", WED, "2025-10-01", "2025-10-31"),
    ("pt", "gastos 10/2025", WED, "2025-10-01", "2025-10-31"),
    ("en", "in 2025", WED, "2025-01-01", "2025-12-31"),
    ("en", "this year", WED, "2026-01-01", "2026-12-31"),
    ("es", "este año", WED, "2026-01-01", "2026-12-31"),
    ("pt", "este ano", WED, "2026-01-01", "2026-12-31"),
    ("en", "last year", WED, "2025-01-01", "2025-12-31"),
    ("es", "el año pasado", WED, "2025-01-01", "2025-12-31"),
    ("pt", "ano passado", WED, "2025-01-01", "2025-12-31"),
    ("en", "since monday", WED, "2026-11-16", "2026-11-18"),
    ("es", "desde el lunes", WED, "2026-11-16", "2026-11-18"),
    ("pt", "desde segunda", WED, "2026-11-16", "2026-11-18"),
    ("pt", "desde o dia 1", WED, "2026-11-01", "2026-11-18"),
    ("es", "desde octubre", WED, "2026-10-01", "2026-11-18"),
    ("en", "between the 1st and the 10th", WED, "2026-11-01", "2026-11-10"),
    ("es", "entre el 1 y el 15", WED, "2026-11-01", "2026-11-15"),
    ("es", "del 1 al 10 de noviembre", WED, "2026-11-01", "2026-11-10"),
    ("pt", "do dia 1 ao dia 10", WED, "2026-11-01", "2026-11-10"),
    ("en", "between 11/1 and 11/10", WED, "2026-11-01", "2026-11-10"),
    ("es", "desde el lunes hasta el miercoles", WED, "2026-11-16", "2026-11-18"),
    ("en", "this weekend", WED, "2026-11-14", "2026-11-15"),  # past-leaning: the last one begun
    ("es", "el fin de semana", WED, "2026-11-14", "2026-11-15"),
    ("pt", "no fim de semana", WED, "2026-11-14", "2026-11-15"),
    ("en", "this weekend", date(2026, 11, 22), "2026-11-21", "2026-11-22"),
    ("en", "last weekend", date(2026, 11, 22), "2026-11-14", "2026-11-15"),
    ("es", "el fin de semana pasado", WED, "2026-11-14", "2026-11-15"),
    ("pt", "fim de semana passado", WED, "2026-11-14", "2026-11-15"),
    # year boundaries and leap years
    ("en", "last month", date(2027, 1, 6), "2026-12-01", "2026-12-31"),
    ("es", "el mes pasado", date(2027, 1, 6), "2026-12-01", "2026-12-31"),
    ("en", "last week", date(2027, 1, 6), "2026-12-28", "2027-01-03"),
    ("pt", "semana passada", date(2026, 1, 1), "2025-12-22", "2025-12-28"),
    ("es", "esta semana", date(2026, 1, 1), "2025-12-29", "2026-01-04"),
    ("en", "in december", date(2027, 1, 6), "2026-12-01", "2026-12-31"),
    ("pt", "em janeiro", date(2027, 1, 6), "2027-01-01", "2027-01-31"),
    ("en", "last year", date(2027, 1, 6), "2026-01-01", "2026-12-31"),
    ("en", "last month", date(2028, 3, 31), "2028-02-01", "2028-02-29"),
    ("pt", "fevereiro", date(2028, 3, 31), "2028-02-01", "2028-02-29"),
]


@pytest.mark.parametrize(("lang", "text", "today", "start", "end"), PERIODS)
def test_periods(lang: str, text: str, today: date, start: str, end: str) -> None:
    found = when(text, lang, today)
    assert found.period == DateRange(d(start), d(end))
    assert found.day is None


RECURRENCE = [
    ("en", "budget 300 for food per month", "monthly"),
    ("en", "cap eating out at 200 a month", "monthly"),
    ("en", "budget 2k monthly", "monthly"),
    ("en", "budget for amazon 75/mo", "monthly"),
    ("en", "i'd like to budget 150 for clothes each month", "monthly"),
    ("en", "limit 50 per week on alcohol", "weekly"),
    ("en", "i only want to spend 50 a week on lunch", "weekly"),
    ("en", "weekly budget 250", "weekly"),
    ("en", "every week 40 for snacks", "weekly"),
    ("es", "presupuesto de 300 para comida al mes", "monthly"),
    ("es", "500 por mes para ropa", "monthly"),
    ("es", "tope mensual 2000", "monthly"),
    ("es", "cada mes 100 en cafe", "monthly"),
    ("es", "200 por semana en salidas", "weekly"),
    ("es", "100 a la semana", "weekly"),
    ("es", "limite semanal 300", "weekly"),
    ("es", "cada semana 50", "weekly"),
    ("pt", "orçamento 500 por mês", "monthly"),
    ("pt", "300 mensal pra roupa", "monthly"),
    ("pt", "200 pro mes de lazer", "monthly"),
    ("pt", "todo mes 100 de cafe", "monthly"),
    ("pt", "150 ao mês", "monthly"),
    ("pt", "100 por semana de bar", "weekly"),
    ("pt", "limite semanal 300", "weekly"),
    ("pt", "toda semana 50 no mercado", "weekly"),
    ("pt", "gastos semanais 400", "weekly"),
]


@pytest.mark.parametrize(("lang", "text", "expected"), RECURRENCE)
def test_recurrence(lang: str, text: str, expected: str) -> None:
    found = when(text, lang)
    assert found.recurrence == expected
    assert found.period is None  # "al mes" is a recurrence, not this month


COUNTS = [
    ("en", "last 5 transactions", 5),
    ("en", "show my last 20 expenses", 20),
    ("en", "show my last twenty transactions", 20),
    ("en", "my 3 most recent purchases", 3),
    ("en", "show me 10 transactions", 10),
    ("es", "mis ultimos 10 gastos", 10),
    ("es", "los 3 ultimos movimientos", 3),
    ("es", "pásame mis diez gastos más recientes", 10),
    ("es", "ultimos 5", 5),
    ("pt", "as 3 ultimas compras", 3),
    ("pt", "minhas últimas 10 movimentações", 10),
    ("pt", "lista os 10 ultimos gastos", 10),
]


@pytest.mark.parametrize(("lang", "text", "expected"), COUNTS)
def test_counts(lang: str, text: str, expected: int) -> None:
    found = when(text, lang)
    assert found.count == expected
    assert found.period is None


def test_count_and_period_together() -> None:
    found = when("ultimos 10 gastos do mes passado", "pt")
    assert found.count == 10
    assert found.period == DateRange(d("2026-10-01"), d("2026-10-31"))


@pytest.mark.parametrize(
    ("lang", "text"),
    [
        ("en", "the last one was 100"),  # "last one" is the last transaction, not a count of 1
        ("pt", "gastei 50 em 3 compras"),  # a number beside a noun is no request for a listing
        ("en", "last 7 days"),  # a period, not a count
    ],
)
def test_no_count(lang: str, text: str) -> None:
    assert when(text, lang).count is None


SPANS = [
    ("pt", "gastei 45,90 no mercado ontem", ["ontem"]),
    ("es", "uber 23 el viernes pasado", ["el viernes pasado"]),
    ("pt", "paguei 120 no dia 5", ["no dia 5"]),
    ("es", "gasté 20 el 5", ["el 5"]),
    ("en", "lunch 12 on 11/3", ["on 11/3"]),
    ("pt", "quanto gastei nos últimos 30 dias", ["nos ultimos 30 dias"]),
    ("es", "presupuesto 300 al mes para comida", ["al mes"]),
    ("en", "show my last 5 transactions", ["my last 5 transactions"]),
    ("pt", "as 3 ultimas compras do mes passado", ["as 3 ultimas compras", "do mes passado"]),
    ("es", "ayer en la tarde 300 en el bar", ["ayer", "en la tarde"]),
    ("en", "since monday", ["since monday"]),
    ("es", "cuanto gaste entre el 1 y el 15", ["entre el 1 y el 15"]),
    ("en", "yesterdy starbucks 5", ["yesterdy"]),  # a corrected typo keeps its own span
    ("es", "la smana pasada gaste 200", ["la smana pasada"]),
    ("en", "yesterdy vs this month", ["yesterdy", "this month"]),  # offsets after a longer correction
    ("es", "ultimso 7 dias y al mes", ["ultimso 7 dias", "al mes"]),
    ("en", "uber 20 🚕 yesterday", ["yesterday"]),
]


@pytest.mark.parametrize(("lang", "text", "expected"), SPANS)
def test_spans_cover_the_phrases(lang: str, text: str, expected: list[str]) -> None:
    assert span_texts(text, lang) == expected


def test_spans_are_sorted_and_inside_the_text() -> None:
    norm = normalize("Ontem à noite, R$ 50 no bar; últimos 7 dias: quanto?")
    found = find_when(norm, "pt", WED)
    assert list(found.spans) == sorted(found.spans)
    assert all(0 <= start < end <= len(norm.text) for start, end in found.spans)


NO_DATE = [
    ("en", "spent 20 on coffee"),
    ("en", "uber 23"),
    ("en", "what's my balance"),
    ("es", "pagué 45,90 en el super"),
    ("es", "me pagaron 3.000 de sueldo"),
    ("pt", "gastei 45,90 no mercado"),
    ("pt", "recebi 3.000 de salário"),
    ("pt", "comprei um tênis por 250 na loja"),
    ("es", "gasté 1.200 pesos"),
    ("en", "paid 1,200 rent"),
]


@pytest.mark.parametrize(("lang", "text"), NO_DATE)
def test_messages_without_dates_give_nothing(lang: str, text: str) -> None:
    assert when(text, lang) == When(day=None, period=None, spans=(), recurrence=None, count=None)


def test_plain_messages_never_reach_dateparser(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*_: object) -> None:
        raise AssertionError("dateparser on the hot path")

    monkeypatch.setattr(dates, "_dateparser", refuse)
    for lang, text in [*NO_DATE, ("pt", "gastei 20 ontem"), ("es", "3/11 super 50"), ("en", "nov 3 lunch")]:
        when(text, lang)


@pytest.mark.parametrize(
    "text",
    [
        "",
        " ",
        "\x00\x01\x02",
        "🙂" * 50,
        "مرحبا 5 أمس",
        "שלום 3/11",
        "9" * 5000,
        "dia " * 2500,
        "el 5 " * 2000,
        "29/02/0000",
        "0/0",
        "99/99/9999",
        "ultimos 999999999999 dias",
        "hace 99999 anos",
        "between the 31st and the 1st",
        "del 31 al 1 de febrero",
        "\u202eayer\u202c",
        "ａｙｅｒ",
    ],
)
@pytest.mark.parametrize("lang", [*LANGUAGES, "xx"])
def test_odd_input_never_raises(text: str, lang: str) -> None:
    for today in (WED, date(1, 1, 1), date(9999, 12, 31)):
        assert isinstance(find_when(normalize(text), lang, today), When)


@settings(max_examples=300, deadline=None)
@given(text=st.text(max_size=200), lang=st.sampled_from(LANGUAGES), today=st.dates())
def test_any_text_never_raises(text: str, lang: str, today: date) -> None:
    norm = normalize(text)
    found = find_when(norm, lang, today)
    assert all(0 <= start < end <= len(norm.text) for start, end in found.spans)


@settings(max_examples=300, deadline=None)
@given(
    words=st.lists(
        st.sampled_from(
            "ayer el 5 dia 3/11 de noviembre entre y al desde hasta last friday semana pasada ultimos 7 dias "
            "2025 29/02 31 o ontem - hace ago mes passado between and the 5th nov sexta hoje fds weekly a "
            "month compras 10 yesterdy smana $ % 2026-02-30".split()
        ),
        max_size=12,
    ),
    lang=st.sampled_from(LANGUAGES),
    today=st.dates(min_value=date(2000, 1, 1), max_value=date(2100, 1, 1)),
)
def test_date_like_word_salad_resolves_without_errors(words: list[str], lang: str, today: date) -> None:
    norm = normalize(" ".join(words))
    # The rules themselves, without the safety net of find_when: a bug must show here.
    found = dates._find(norm.text, lang, today)
    if found.period is not None:
        assert found.period.start <= found.period.end


@pytest.mark.parametrize("lang", LANGUAGES)
def test_dates_yaml_is_folded_text_with_the_same_keys(lang: str) -> None:
    data = yaml.safe_load((locales_dir() / lang / "dates.yaml").read_text(encoding="utf-8"))
    english = yaml.safe_load((locales_dir() / "en" / "dates.yaml").read_text(encoding="utf-8"))
    assert data["language"] == lang
    assert set(data) == set(english)
    assert set(data["periods"]) == set(english["periods"])
    assert set(data["templates"]) == set(english["templates"])
    strings: list[object] = []
    stack: list[object] = [v for k, v in data.items() if k not in ("language", "date_order")]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            stack += list(item.values())
            strings += [k for k in item if not isinstance(k, int)]
        elif isinstance(item, list):
            stack += item
        elif not isinstance(item, int):
            strings.append(item)
    # YAML reads a bare on/no/off as a boolean: such words must be quoted.
    assert all(isinstance(s, str) for s in strings), [s for s in strings if not isinstance(s, str)]
    assert [s for s in strings if isinstance(s, str) and fold(s) != s and "{" not in s] == []
