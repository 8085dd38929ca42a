"""Years, compound relative dates and unresolved dates (issue 13), in en, es and pt, read by find_when."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nlu import periods
from nlu.dates import When, find_when
from nlu.normalize import normalize
from nlu.types import DateRange

MON = date(2026, 12, 7)  # a Monday


def when(text: str, lang: str, today: date = MON) -> When:
    return find_when(normalize(text), lang, today)


def unresolved_texts(text: str, lang: str, today: date = MON) -> list[str]:
    norm = normalize(text)
    found = find_when(norm, lang, today)
    assert set(found.unresolved) <= set(found.spans)  # the words are taken: they are no amount
    return [norm.text[start:end] for start, end in found.unresolved]


DAYS = [
    # explicit years: honoured, even long ago
    ("pt", "gastei 50 no mercado 5 de maio 2013", "2013-05-05"),
    ("pt", "paguei 45 dia 5 de maio de 2013", "2013-05-05"),
    ("es", "el 3 de enero de 2024 pagué 45", "2024-01-03"),
    ("es", "cena 80 el 5 de mayo, 2013", "2013-05-05"),
    ("en", "april 14th, 2015 costco 45", "2015-04-14"),
    ("en", "the 3rd of march 2024 gas 40", "2024-03-03"),
    ("en", "14/04/2015 parking 30", "2015-04-14"),  # only day-first is a date
    ("es", "04/14/2015 zapatos 120", "2015-04-14"),  # only month-first is a date
    ("en", "2015-04-14 walmart 80", "2015-04-14"),
    # two-digit years: the latest such year, next year at most
    ("es", "gasté 30 el 31/10/74", "1974-10-31"),
    ("pt", "gastei 20 em 3 de janeiro de 24", "2024-01-03"),
    ("es", "taxi 25 el 3 de enero del 24", "2024-01-03"),
    ("en", "target 25 on jan 3 '24", "2024-01-03"),
    ("en", "paid 15 on 12/31/99", "1999-12-31"),
    # spelled-out days next to a month; month-first in Spanish
    ("es", "gasté 20 el uno de marzo", "2026-03-01"),
    ("pt", "gastei 20 cinco de maio", "2026-05-05"),
    ("pt", "gastei 30 vinte e cinco de dezembro", "2025-12-25"),  # not after today
    ("es", "gasté 30 veinticinco de diciembre", "2025-12-25"),
    ("en", "coffee 5 on may fifth", "2026-05-05"),
    ("en", "haircut 35 on the fifth of november", "2026-11-05"),
    ("es", "gasté 20 marzo 3", "2026-03-03"),  # the 20 before the month is the amount
    ("en", "spent 20 march 3", "2026-03-03"),
    ("es", "gasté 15 el 15 marzo 2 cafés", "2026-03-15"),  # "2 cafés" counts coffees: no day
    # compound relative days
    ("en", "pay the plumber 150 the day after tomorrow", "2026-12-09"),
    ("es", "pago 50 pasado mañana", "2026-12-09"),
    ("pt", "pago 50 depois de amanhã", "2026-12-09"),
    ("en", "dentist 80 wednesday of next week", "2026-12-16"),
    ("en", "dentist 80 next week wednesday", "2026-12-16"),
    ("es", "dentista 80 el miércoles de la semana que viene", "2026-12-16"),
    ("pt", "dentista 80 na quarta da semana que vem", "2026-12-16"),
    ("en", "chipotle 30 2 thursdays ago", "2026-11-26"),
    ("es", "cine 25 hace dos jueves", "2026-11-26"),
    ("pt", "cinema 30 há duas quintas", "2026-11-26"),
    ("en", "spent 20 first monday of last month", "2026-11-02"),
    ("en", "spent 20 the last friday of november", "2026-11-27"),
    ("en", "spent 40 first monday of december", "2026-12-07"),
    ("en", "spent 40 second monday of december", "2025-12-08"),  # this year's is ahead
    ("es", "gasté 20 el primer lunes del mes pasado", "2026-11-02"),
    ("es", "gasté 40 el último viernes del mes pasado", "2026-11-27"),
    ("pt", "gastei 40 na primeira segunda do mês passado", "2026-11-02"),
    ("pt", "gastei 40 na segunda segunda-feira do mês passado", "2026-11-09"),
    ("en", "rent 1200 on the last day of last month", "2026-11-30"),
    ("es", "renta 900 el último día del mes pasado", "2026-11-30"),
    ("pt", "aluguel 900 o último dia do mês passado", "2026-11-30"),
    ("en", "dinner 55 the 20th of last month", "2026-11-20"),
    ("en", "spent 20 friday before last", "2026-11-27"),
    ("es", "gasté 20 el viernes antepasado", "2026-11-27"),
    ("pt", "gastei 20 sexta retrasada", "2026-11-27"),
    ("en", "spent 25 a fortnight ago", "2026-11-23"),
    ("es", "gasté 20 hace una quincena", "2026-11-23"),
    ("pt", "gastei 20 faz uma quinzena", "2026-11-23"),
    ("es", "gasté 20 hace dos semanas", "2026-11-23"),
    # explicitly ahead: honoured as said
    ("en", "pay 50 to the vet in a week", "2026-12-14"),
    ("en", "pay 40 two days from now", "2026-12-09"),
    ("es", "pago 30 dentro de una semana", "2026-12-14"),
    ("es", "pago 45 en 3 días", "2026-12-10"),
    ("pt", "pago 150 daqui a uma semana", "2026-12-14"),
    ("pt", "pago 45 em 3 dias", "2026-12-10"),
    ("en", "pay 70 next tuesday", "2026-12-08"),
    ("es", "pago 200 el martes que viene", "2026-12-08"),
    ("pt", "pago 200 terça que vem", "2026-12-08"),
    ("en", "pay 30 next friday the 11th", "2026-12-11"),
    ("pt", "pago 30 na próxima sexta dia 11", "2026-12-11"),
    ("en", "pay 300 on the 20th of next month", "2027-01-20"),
    ("es", "pago 300 el 20 del mes que viene", "2027-01-20"),
    ("pt", "dia 20 do mês que vem pago 300", "2027-01-20"),
    # a weekday that agrees with its day
    ("en", "spent 35 saturday 5th", "2026-12-05"),
    ("en", "spent 40 Thu Nov 19", "2026-11-19"),
    ("en", "friday dec 4, 2020 dinner 40", "2020-12-04"),
    ("es", "gasté 30 en uber el martes 1", "2026-12-01"),
    ("es", "gasté 70 el viernes 4 de diciembre", "2026-12-04"),
    ("pt", "gastei 20 sexta dia 4", "2026-12-04"),
    ("pt", "paguei 30 de luz na sexta 4", "2026-12-04"),
    ("en", "spent 20 thursday 11/19", "2026-11-19"),  # a weekday before a written date that agrees
    ("pt", "gastei 20 sexta, 04/12", "2026-12-04"),
    # the contract's "dia 5" / "on the 5th" / "3/11" are unchanged
    ("pt", "gastei 20 dia 5", "2026-12-05"),
    ("es", "gasté 20 el día 5", "2026-12-05"),
    ("en", "spent 20 on the 5th", "2026-12-05"),
    ("en", "spent 20 on 3/11", "2026-03-11"),
    ("es", "gasté 20 el 3/11", "2026-11-03"),
]


@pytest.mark.parametrize(("lang", "text", "expected"), DAYS)
def test_days(lang: str, text: str, expected: str) -> None:
    found = when(text, lang)
    assert found.day == date.fromisoformat(expected)
    assert found.unresolved == ()


UNRESOLVED = [
    # a weekday that contradicts the day: one of the two is wrong
    ("en", "spent 40 at target Tuesday 19th", "tuesday 19th"),
    ("en", "spent 30 tue 19th", "tue 19th"),
    ("en", "spent 50 friday december 5th", "friday december 5th"),
    ("en", "pay 30 next friday 12th", "next friday 12th"),
    ("es", "gasté 40 el martes 19", "el martes 19"),
    ("es", "gasté 70 el jueves 4 de diciembre", "jueves 4 de diciembre"),
    ("pt", "gastei 40 na terça 19", "na terca 19"),
    ("pt", "gastei 20 sexta dia 5", "sexta dia 5"),
    ("en", "spent 20 tuesday 11/19", "tuesday 11/19"),
    ("pt", "gastei 20 quinta 04/12", "quinta 04/12"),
    ("en", "spent 20 friday 2015-04-14", "friday 2015-04-14"),  # a Tuesday
    # a two-digit year that is next year's: next year, or a century ago?
    ("pt", "boleto 30 em 01/01/27", "01/01/27"),
    ("es", "gasté 30 el 3 de enero del 27", "3 de enero del 27"),
    # no such day
    ("pt", "gastei 25 no posto 31 de fevereiro", "31 de fevereiro"),
    ("es", "pagué 45 de luz el 30 de febrero", "30 de febrero"),
    ("en", "spent 45 on the 30th of february", "the 30th of february"),
    ("pt", "gastei 30 em 30 de fevereiro de 2024", "30 de fevereiro de 2024"),
    ("en", "spent 20 on the 31st of last month", "the 31st of last month"),  # November has 30
    ("pt", "gastei 20 dia 31 do mês passado", "dia 31 do mes passado"),
    ("pt", "gastei 20 dia 31", "dia 31"),  # December's is ahead and November has none: which month?
    ("en", "spent 20 on the 31st", "on the 31st"),
    # vague days
    ("en", "spent 25 at starbucks the other day", "the other day"),
    ("en", "spent 60 a few days ago", "a few days ago"),
    ("en", "20 at starbucks a couple days ago", "a couple days ago"),
    ("en", "spent 35 a while ago", "a while ago"),
    ("en", "spent 20 a couple weeks ago", "a couple weeks ago"),
    ("es", "gasté 20 hace un par de días", "hace un par de dias"),
    ("pt", "gastei 20 há umas semanas", "ha umas semanas"),
    ("en", "spent 80 early last month", "early last month"),
    ("en", "spent 90 end of last month", "end of last month"),
    ("en", "paid 50 mid november", "mid november"),
    ("es", "gasté 25 el otro día", "el otro dia"),
    ("es", "gasté 60 hace unos días", "hace unos dias"),
    ("es", "gasté 80 a principios del mes pasado", "a principios del mes pasado"),
    ("es", "gasté 50 a mediados de noviembre", "a mediados de noviembre"),
    ("pt", "gastei 25 no café outro dia", "outro dia"),
    ("pt", "gastei 60 uns dias atrás", "uns dias atras"),
    ("pt", "gastei 35 há uns dias", "ha uns dias"),
    ("pt", "gastei 80 no começo do mês passado", "no comeco do mes passado"),
    ("pt", "gastei 70 em meados de novembro", "em meados de novembro"),
]


@pytest.mark.parametrize(("lang", "text", "expected"), UNRESOLVED)
def test_unresolved(lang: str, text: str, expected: str) -> None:
    assert when(text, lang).day is None
    assert unresolved_texts(text, lang) == [expected]


def test_a_vague_time_keeps_the_period_it_lies_in() -> None:
    """ "early last month" names no day, but a summary may still read last month."""
    assert when("how much early last month", "en").period == DateRange(date(2026, 11, 1), date(2026, 11, 30))
    assert when("the other day", "en").period is None


PERIODS = [
    ("es", "gasté 20 la segunda semana de marzo", "2026-03-08", "2026-03-14"),
    ("en", "the first week of november", "2026-11-01", "2026-11-07"),
    ("pt", "a última semana de novembro", "2026-11-24", "2026-11-30"),
    ("en", "spent 30 the week before last", "2026-11-23", "2026-11-29"),
    ("es", "gasté 70 la semana antepasada", "2026-11-23", "2026-11-29"),
    ("pt", "gastei 70 na semana retrasada", "2026-11-23", "2026-11-29"),
    ("pt", "gastos do mês retrasado", "2026-10-01", "2026-10-31"),
    ("en", "spent 80 this past weekend", "2026-12-05", "2026-12-06"),
    ("en", "spent 20 in 2025", "2025-01-01", "2025-12-31"),
]


@pytest.mark.parametrize(("lang", "text", "start", "end"), PERIODS)
def test_periods(lang: str, text: str, start: str, end: str) -> None:
    found = when(text, lang)
    assert found.day is None
    assert found.period == DateRange(date.fromisoformat(start), date.fromisoformat(end))


NO_DAY = [
    ("en", "spent 90 at the bar in 2 days of vacation"),  # how long, not when
    ("es", "gasté 500 en 2 meses de gimnasio"),
    ("pt", "gastei 500 em 2 meses de academia"),
    ("es", "2 cervezas 20"),
    ("pt", "comprei 2 camisas de 50"),
    ("pt", "paguei a segunda parcela 300"),
]


@pytest.mark.parametrize(("lang", "text"), NO_DAY)
def test_no_day(lang: str, text: str) -> None:
    found = when(text, lang)
    assert found.day is None
    assert found.unresolved == ()


def test_a_year_after_a_date_is_claimed() -> None:
    """The year is in the date's span, so it can never be read as the amount."""
    norm = normalize("gastei 50 no mercado 5 de maio 2013")
    spans = find_when(norm, "pt", MON).spans
    assert [norm.text[s:e] for s, e in spans] == ["5 de maio 2013"]


@pytest.mark.parametrize(
    ("yy", "today", "year"),
    [(74, MON, 1974), (24, MON, 2024), (26, MON, 2026), (27, MON, None), (28, MON, 1928), (0, MON, 2000)],
)
def test_two_digit_year(yy: int, today: date, year: int | None) -> None:
    assert periods.two_digit_year(yy, today) == year


def test_nth_in_month() -> None:
    assert periods.nth_in_month(2026, 11, 1, 1) == date(2026, 11, 2)
    assert periods.nth_in_month(2026, 11, -1, 5) == date(2026, 11, 27)
    assert periods.nth_in_month(2026, 11, -1, None) == date(2026, 11, 30)
    assert periods.nth_in_month(2026, 2, 5, 1) is None  # no fifth monday
    assert periods.nth_week(2026, 2, -1) == DateRange(date(2026, 2, 22), date(2026, 2, 28))


_YEARLESS = {
    "en": ["on the {d}th", "{m}/{d}", "{month} {d}", "{weekday}", "{weekday} the {d}th", "{d} days ago"],
    "es": ["dia {d}", "el {d}/{m}", "{d} de {month}", "el {weekday}", "hace {d} dias", "{month} {d}"],
    "pt": [
        "dia {d}",
        "em {d}/{m}",
        "{d} de {month}",
        "na {weekday}",
        "ha {d} dias",
        "{d} de {month} passado",
    ],
}
_MONTHS = {
    "en": ["january", "june", "december"],
    "es": ["enero", "junio", "diciembre"],
    "pt": ["janeiro", "junho", "dezembro"],
}
_WEEKDAYS = {
    "en": ["monday", "friday", "sunday"],
    "es": ["lunes", "viernes", "domingo"],
    "pt": ["segunda", "sexta", "domingo"],
}
_AHEAD = {
    "en": ["tomorrow", "the day after tomorrow", "next friday", "in a week", "{d} days from now"],
    "es": ["manana", "pasado manana", "el viernes que viene", "dentro de una semana", "en {d} dias"],
    "pt": ["amanha", "depois de amanha", "sexta que vem", "daqui a uma semana", "em {d} dias"],
}


@settings(max_examples=300, deadline=None)
@given(
    st.sampled_from(["en", "es", "pt"]),
    st.dates(min_value=date(2001, 1, 1), max_value=date(2090, 12, 31)),
    st.integers(min_value=0, max_value=5),
    st.integers(min_value=1, max_value=28),
    st.integers(min_value=1, max_value=12),
    st.integers(min_value=0, max_value=2),
)
def test_a_date_without_its_year_is_never_ahead(
    lang: str, today: date, which: int, d: int, m: int, pick: int
) -> None:
    """The issue's rule: a date with its year left out resolves to a day not after today; an explicitly
    future phrase resolves after today."""
    slots = {"d": d, "m": m, "month": _MONTHS[lang][pick], "weekday": _WEEKDAYS[lang][pick]}
    past = when("20 " + _YEARLESS[lang][which].format(**slots), lang, today)
    assert past.day is None or past.day <= today
    ahead = when("pago 20 " + _AHEAD[lang][which % len(_AHEAD[lang])].format(**slots), lang, today)
    assert ahead.day is not None and today < ahead.day <= today + timedelta(days=28)
