"""Holiday names read as dates (nlu/holidays.py) and their hook in nlu/dates.py."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nlu import holidays
from nlu.dates import When, find_when
from nlu.normalize import normalize
from nlu.types import LANGUAGES, DateRange

TODAY = date(2026, 12, 7)  # a Monday, after Black Friday and before Christmas


def when(text: str, lang: str, country: str | None, today: date = TODAY) -> When:
    return find_when(normalize(text), lang, today, 0, country)


def spans(text: str, lang: str, country: str | None, today: date = TODAY) -> list[str]:
    norm = normalize(text)
    return [norm.text[s:e] for s, e in when(text, lang, country, today).spans]


def unresolved(text: str, lang: str, country: str | None) -> list[str]:
    norm = normalize(text)
    return [norm.text[s:e] for s, e in when(text, lang, country).unresolved]


@pytest.mark.parametrize("year", range(1990, 2060))
def test_easter_matches_the_library(year: int) -> None:
    import holidays as calendars

    library = calendars.country_holidays("PT", years=year, categories=("public", "optional"))
    assert holidays.easter(year) in library.get_named("Easter Sunday", lookup="exact")


@pytest.mark.parametrize(
    ("key", "country", "expected"),
    [
        ("thanksgiving", "US", date(2026, 11, 26)),
        ("thanksgiving", "CA", date(2026, 10, 12)),
        ("thanksgiving", None, None),
        ("black_friday", "BR", date(2026, 11, 27)),
        ("mothers_day", "BR", date(2026, 5, 10)),
        ("mothers_day", "PT", date(2026, 5, 3)),
        ("mothers_day", "MX", date(2026, 5, 10)),
        ("mothers_day", "AR", date(2026, 10, 18)),
        ("mothers_day", "GB", date(2026, 3, 15)),
        ("mothers_day", None, None),
        ("mothers_day", "AO", None),  # no known rule: unresolved, not the commonest date
        ("fathers_day", "BR", date(2026, 8, 9)),
        ("fathers_day", "ES", date(2026, 3, 19)),
        ("sweethearts", "BR", date(2026, 6, 12)),
        ("sweethearts", "PT", date(2026, 2, 14)),
        ("sweethearts", None, None),
        ("independence_day", "BR", date(2026, 9, 7)),
        ("independence_day", "MX", date(2026, 9, 16)),
        ("independence_day", "AR", date(2026, 7, 9)),
        ("independence_day", "GB", None),
        ("independence_day", None, None),
        ("labor_day", "US", date(2026, 9, 7)),
        ("labor_day", "ES", date(2026, 5, 1)),
        ("christmas", None, date(2026, 12, 25)),
        ("christmas", "XX", date(2026, 12, 25)),  # a code the library lacks: the rule
        ("tiradentes", "BR", date(2026, 4, 21)),
        ("corpus_christi", "BR", date(2026, 6, 4)),
        ("carnival", "BR", DateRange(date(2026, 2, 14), date(2026, 2, 17))),
        ("holy_week", None, DateRange(date(2026, 3, 29), date(2026, 4, 5))),
        ("buen_fin", "MX", DateRange(date(2026, 11, 13), date(2026, 11, 16))),
        ("new_year", None, DateRange(date(2025, 12, 31), date(2026, 1, 1))),
        ("fiestas_patrias", "CL", DateRange(date(2026, 9, 18), date(2026, 9, 19))),
        ("fiestas_patrias", "ES", None),
        ("pascua", "MX", date(2026, 4, 5)),
        ("pascua", "CL", None),  # Christmas too, in Chile
        ("christmas_season", None, DateRange(date(2026, 12, 24), date(2027, 1, 6))),
        ("revolution_day_mx", "MX", date(2026, 11, 16)),  # the library's Monday off
        ("victoria_day", "CA", date(2026, 5, 18)),
        ("victoria_day", "US", None),
    ],
)
def test_occurrence_per_country(key: str, country: str | None, expected: object) -> None:
    assert holidays.occurrence(key, 2026, country) == expected


def test_every_named_holiday_has_a_rule_entry() -> None:
    rules = holidays._rules()
    for lang in LANGUAGES:
        lexicon = holidays._lexicon(lang)
        assert lexicon is not None
        assert set(lexicon.keys.values()) <= set(rules), lang


@pytest.mark.parametrize(
    ("text", "lang", "country", "expected"),
    [
        ("gastei 80 no natal", "pt", "BR", date(2025, 12, 25)),
        ("gastei 80 no natal", "pt", None, date(2025, 12, 25)),
        ("spent 300 on black friday", "en", "US", date(2026, 11, 27)),  # not last Friday
        ("gasté 80 en navidad", "es", "MX", date(2025, 12, 25)),
        ("spent 80 on christmas eve", "en", "US", date(2025, 12, 24)),
        ("spent 80 on chrismas", "en", "US", date(2025, 12, 25)),
        ("gaste 80 en navida", "es", "MX", date(2025, 12, 25)),
        ("gastei 80 no reveion", "pt", "BR", date(2025, 12, 31)),
        ("gastei 80 no dia das maes", "pt", "BR", date(2026, 5, 10)),
        ("gastei 80 no próximo natal", "pt", "BR", date(2026, 12, 25)),
        ("spent 80 on next christmas", "en", "US", date(2026, 12, 25)),
        ("gasté 80 esta navidad", "es", "MX", date(2026, 12, 25)),
        ("gastei 80 no natal de 2024", "pt", "BR", date(2024, 12, 25)),
        ("spent 80 on christmas 2023", "en", "US", date(2023, 12, 25)),
        ("gastei 80 no natal do ano passado", "pt", "BR", date(2025, 12, 25)),
        ("gasté 80 la navidad pasada", "es", "MX", date(2025, 12, 25)),
        ("spent 80 on new year’s eve", "en", "US", date(2025, 12, 31)),
        ("spent 80 on x-mas eve", "en", "US", date(2025, 12, 24)),
        ("gastei 80 na sexta-feira santa", "pt", "BR", date(2026, 4, 3)),
    ],
)
def test_holiday_days(text: str, lang: str, country: str | None, expected: date) -> None:
    found = when(text, lang, country)
    assert found.day == expected
    assert found.unresolved == ()


def test_a_holiday_on_today_is_today_and_next_is_a_year_later() -> None:
    christmas = date(2026, 12, 25)
    assert when("spent 5 on christmas", "en", "US", christmas).day == christmas
    assert when("spent 5 on next christmas", "en", "US", christmas).day == date(2027, 12, 25)
    assert when("spent 5 last christmas", "en", "US", christmas).day == date(2025, 12, 25)


def test_multi_day_holidays_are_periods() -> None:
    carnival = when("gastei 200 no carnaval", "pt", "BR")
    assert carnival.day is None
    assert carnival.period == DateRange(date(2026, 2, 14), date(2026, 2, 17))
    assert carnival.unresolved == ()  # the pipeline asks for the day of an expense said of a period


@pytest.mark.parametrize(
    ("text", "lang", "country", "words"),
    [
        ("gastei 50 no dia das mães", "pt", None, "no dia das maes"),
        ("gastei 50 no dia dos namorados", "pt", None, "no dia dos namorados"),
        ("spent 50 on thanksgiving", "en", None, "on thanksgiving"),
        ("gasté 50 el día de la madre", "es", None, "el dia de la madre"),
        ("spent 50 on independence day", "en", "GB", "on independence day"),
        ("spent 300 over thanksgiving weekend", "en", "US", "over thanksgiving weekend"),
        ("gastei 300 no fim de semana de páscoa", "pt", "BR", "no fim de semana de pascoa"),
    ],
)
def test_unknowable_holidays_are_unresolved(text: str, lang: str, country: str | None, words: str) -> None:
    found = when(text, lang, country)
    assert found.day is None and found.period is None
    assert unresolved(text, lang, country) == [words]
    assert words in spans(text, lang, country)  # taken: no other rule reads "weekend" or "dia" alone


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("voo pra natal 800", "pt"),
        ("hotel em natal 450", "pt"),
        ("comprei presente de natal 100", "pt"),
        ("spent 50 on christmas gifts", "en"),
        ("spent 30 on halloween candy", "en"),
        ("bought christmas lights 35", "en"),
        ("compré el árbol de navidad en 800", "es"),
        ("le pagué 50 a reyes", "es"),
        ("comprei fiado 50", "pt"),
        ("ahorré 1000 para la navidad", "es"),  # a goal, not a day
        ("cuánto me falta para el navidad", "es"),
        ("guardei 100 pro natal", "pt"),
        ("saving 100 for christmas", "en"),
    ],
)
def test_names_that_are_not_times(text: str, lang: str) -> None:
    found = when(text, lang, "BR" if lang == "pt" else None)
    assert found.day is None and found.period is None and found.unresolved == ()


@pytest.mark.parametrize(
    ("text", "lang", "country", "expected"),
    [
        ("spent 50 the day after christmas", "en", "US", date(2025, 12, 26)),
        ("spent 50 the day before thanksgiving", "en", "US", date(2026, 11, 25)),
        ("gasté 50 el día después de navidad", "es", "MX", date(2025, 12, 26)),
        ("gastei 50 no dia seguinte ao natal", "pt", "BR", date(2025, 12, 26)),
        ("gastei 50 um dia antes do natal", "pt", "BR", date(2025, 12, 24)),
    ],
)
def test_the_day_before_or_after_a_holiday(text: str, lang: str, country: str, expected: date) -> None:
    assert when(text, lang, country).day == expected


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("gastei 100 antes do natal", "pt"),  # some day before it: which?
        ("gasté 300 después de navidad", "es"),
        ("spent 80 before christmas", "en"),
        ("spent 20 black friday", "en"),  # no cue, but its "friday" is not last Friday
        ("bought a tv 400 black friday deal", "en"),
    ],
)
def test_a_time_around_a_holiday_or_a_weekday_name_without_a_cue_is_unresolved(text: str, lang: str) -> None:
    found = when(text, lang, {"pt": "BR", "es": "MX", "en": "US"}[lang])
    assert found.day is None and found.unresolved != ()


def test_ranges_and_since() -> None:
    between = when("quanto gastei entre o natal e o ano novo", "pt", "BR")
    assert between.period == DateRange(date(2025, 12, 25), date(2026, 1, 1))
    since = when("how much have i spent since thanksgiving", "en", "US")
    assert since.period == DateRange(date(2026, 11, 26), TODAY)
    assert when("spent 40 and christmas", "en", "US").day is None


def test_an_ongoing_period_is_the_current_one() -> None:
    assert when("gastei 5 no ano novo", "pt", "BR", date(2026, 12, 31)).period == DateRange(
        date(2026, 12, 31), date(2027, 1, 1)
    )


def test_a_year_that_is_the_amount_stays_the_amount() -> None:
    assert when("gastei no natal 2000", "pt", "BR").day == date(2025, 12, 25)
    assert spans("gastei no natal 2000", "pt", "BR") == ["no natal"]
    assert spans("spent on christmas 2024 dollars", "en", "US") == ["on christmas"]


def test_messages_without_holiday_words_do_not_reach_the_regex() -> None:
    assert holidays.find_holidays("gastei 80 no mercado ontem", "pt", TODAY, "BR") == []
    assert holidays.find_holidays("", "en", TODAY, None) == []


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=80), st.sampled_from(LANGUAGES), st.sampled_from([None, "BR", "US", "PT", "ZZ"]))
def test_never_raises(text: str, lang: str, country: str | None) -> None:
    for start, end, cls, value in holidays.find_holidays(normalize(text).text, lang, TODAY, country):
        assert 0 <= start < end and cls in ("day", "period", "unresolved")
        assert (value is None) == (cls == "unresolved")
