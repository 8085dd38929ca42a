"""Dates and amounts are never invented (hypothesis): a year left out is never ahead of the user's today, a
year or a future phrase said is honoured, and every value the result gives is stated in the message."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from nlu import parse

ZONES = ("America/New_York", "America/Los_Angeles", "America/Mexico_City", "Europe/Madrid",
         "America/Sao_Paulo", "Europe/Lisbon", "Pacific/Auckland", "Pacific/Honolulu")  # fmt: skip
LANG_SETUP = {"en": ("USD", "spent 20 at target {when}"), "es": ("MXN", "gasté 20 en el oxxo {when}"),
              "pt": ("BRL", "gastei 20 no mercado {when}")}  # fmt: skip
WEEKDAYS = {
    "en": ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"],
    "es": ["lunes", "martes", "miercoles", "jueves", "viernes", "sabado", "domingo"],
    "pt": ["segunda", "terça", "quarta", "quinta", "sexta", "sábado", "domingo"],
}
MONTHS = {
    "en": ["january", "february", "march", "april", "may", "june", "july", "august", "september",
           "october", "november", "december"],
    "es": ["enero", "febrero", "marzo", "abril", "mayo", "junio", "julio", "agosto", "septiembre",
           "octubre", "noviembre", "diciembre"],
    "pt": ["janeiro", "fevereiro", "março", "abril", "maio", "junho", "julho", "agosto", "setembro",
           "outubro", "novembro", "dezembro"],
}  # fmt: skip
HOLIDAYS = {
    "en": ["on christmas", "on christmas eve", "on new year's eve", "on halloween", "on thanksgiving",
           "on black friday", "on valentine's day", "on easter"],
    "es": ["en navidad", "en nochebuena", "en nochevieja", "el dia de muertos", "en año nuevo",
           "el dia de reyes"],
    "pt": ["no natal", "na véspera de natal", "no réveillon", "no dia dos namorados", "na páscoa",
           "no dia das mães", "no ano novo"],
}  # fmt: skip
# Moments across years, both sides of midnight in the user's zone.
MOMENTS = st.datetimes(min_value=datetime(2021, 1, 1), max_value=datetime(2030, 12, 31))


def yearless(lang: str, day: int, month: int, weekday: int) -> st.SearchStrategy[str]:
    """Date phrases with the year left out, in `lang`."""
    wd, mon = WEEKDAYS[lang][weekday], MONTHS[lang][month - 1]
    numeric = f"{month}/{day}" if lang == "en" else f"{day}/{month}"
    phrases = {
        "en": [f"on {wd}", f"last {wd}", f"on the {day}th", f"on {numeric}", f"{mon} {day}", f"{day} {mon}"],
        "es": [f"el {wd}", f"el {wd} pasado", f"el dia {day}", f"el {numeric}", f"el {day} de {mon}"],
        "pt": [f"na {wd}", f"{wd} passada", f"dia {day}", f"em {numeric}", f"{day} de {mon}"],
    }[lang]
    return st.sampled_from([*phrases, *HOLIDAYS[lang]])


@st.composite
def yearless_messages(draw: st.DrawFn) -> tuple[str, str, str, datetime]:
    lang = draw(st.sampled_from(sorted(LANG_SETUP)))
    phrase = draw(yearless(lang, draw(st.integers(1, 28)), draw(st.integers(1, 12)), draw(st.integers(0, 6))))
    return lang, LANG_SETUP[lang][1].format(when=phrase), draw(st.sampled_from(ZONES)), draw(MOMENTS)


def _read(text: str, lang: str, zone: str, moment: datetime):  # type: ignore[no-untyped-def]
    now = moment.replace(tzinfo=ZoneInfo("UTC"))
    result = parse(text, now=now, lang=lang, currency=LANG_SETUP[lang][0], tz=zone)
    return result, now.astimezone(ZoneInfo(zone)).date()


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(yearless_messages())
def test_a_date_with_its_year_left_out_is_never_after_today(case: tuple[str, str, str, datetime]) -> None:
    lang, text, zone, moment = case
    result, today = _read(text, lang, zone, moment)
    assert result.date is None or result.date <= today, (text, today, result.date)
    # A date phrase is resolved or said to be unresolved: never silently dropped into "today".
    assert result.date is not None or any(u.field == "date" for u in result.unresolved), (text, today)
    assert result.amount == Decimal(20), (text, result.amount)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    lang=st.sampled_from(sorted(LANG_SETUP)),
    day=st.dates(min_value=date(2001, 1, 1), max_value=date(2035, 12, 31)),
    zone=st.sampled_from(ZONES),
    moment=MOMENTS,
)
def test_a_year_said_is_honoured(lang: str, day: date, zone: str, moment: datetime) -> None:
    mon = MONTHS[lang][day.month - 1]
    phrase = {"en": f"on {mon} {day.day}, {day.year}", "es": f"el {day.day} de {mon} de {day.year}",
              "pt": f"em {day.day} de {mon} de {day.year}"}[lang]  # fmt: skip
    result, _ = _read(LANG_SETUP[lang][1].format(when=phrase), lang, zone, moment)
    assert result.date == day, (phrase, result.date)
    assert result.amount == Decimal(20), (phrase, result.amount)


FUTURE = {
    "en": [("tomorrow", 1), ("the day after tomorrow", 2), ("in a week", 7), ("in 3 days", 3)],
    "es": [("mañana", 1), ("pasado mañana", 2), ("dentro de una semana", 7), ("en 3 dias", 3)],
    "pt": [("amanhã", 1), ("depois de amanhã", 2), ("daqui a uma semana", 7), ("em 3 dias", 3)],
}


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(lang=st.sampled_from(sorted(LANG_SETUP)), index=st.integers(0, 3), zone=st.sampled_from(ZONES),
       moment=MOMENTS)  # fmt: skip
def test_an_explicitly_future_phrase_is_honoured_as_said(
    lang: str, index: int, zone: str, moment: datetime
) -> None:
    phrase, ahead = FUTURE[lang][index]
    result, today = _read(LANG_SETUP[lang][1].format(when=phrase), lang, zone, moment)
    assert result.date == today + timedelta(days=ahead), (phrase, today, result.date)


# Words that name neither an amount nor a day, in the three languages: any sentence of them gives neither.
PLAIN_WORDS = (
    "spent at the store coffee uber lunch mercado gastei paguei no na almoço café comida gasté en "
    "el la tienda with my card cartão tarjeta for de do pra para groceries super farmacia"
).split()


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(words=st.lists(st.sampled_from(PLAIN_WORDS), min_size=1, max_size=8),
       lang=st.sampled_from(sorted(LANG_SETUP)), moment=MOMENTS)  # fmt: skip
def test_no_value_is_invented(words: list[str], lang: str, moment: datetime) -> None:
    result, _ = _read(" ".join(words), lang, "America/Sao_Paulo", moment)
    assert result.amount is None and result.date is None and not result.amounts


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    cents=st.integers(1, 10_000_000),
    lang=st.sampled_from(sorted(LANG_SETUP)),
    style=st.sampled_from(["plain", "symbol", "word"]),
    moment=MOMENTS,
)
def test_an_amount_given_is_the_amount_stated(cents: int, lang: str, style: str, moment: datetime) -> None:
    amount = Decimal(cents).scaleb(-2)
    whole, frac = divmod(cents, 100)
    grouped = f"{whole:,}".replace(",", "." if lang != "en" else ",")
    mark = "," if lang != "en" else "."
    written = grouped if frac == 0 else f"{grouped}{mark}{frac:02d}"
    said = {"plain": written, "symbol": {"en": "$", "es": "$", "pt": "R$ "}[lang] + written,
            "word": written + {"en": " dollars", "es": " pesos", "pt": " reais"}[lang]}[style]  # fmt: skip
    text = {"en": f"paid {said} at the store", "es": f"pagué {said} en la tienda",
            "pt": f"paguei {said} na loja"}[lang]  # fmt: skip
    result, _ = _read(text, lang, "America/Sao_Paulo", moment)
    assert result.amount == amount, (text, result.amount)
    assert result.date is None, (text, result.date)
