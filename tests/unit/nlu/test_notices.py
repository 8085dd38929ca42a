"""read_notice against the examples of tests/notices/ (one per format of locales/notices/ at least), ordinary
chat messages that are no notice, and hostile input."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import yaml

from nlu.data import locales_dir
from nlu.notices import Notice, _tables, read_notice
from tests.locales.tables import load_cases

EXAMPLES = Path(__file__).resolve().parents[2] / "notices"
COUNTRIES = ("ar", "br", "co", "es", "gb", "mx", "pt", "us")


def _load(name: str) -> dict[str, Any]:
    return yaml.safe_load((EXAMPLES / f"{name}.yaml").read_text(encoding="utf-8"))


def _cases() -> list[tuple[str, dict[str, Any], datetime]]:
    out = []
    for name in (*COUNTRIES, "generic"):
        data = _load(name)
        for case in data["cases"]:
            out.append(
                (case.get("source", "generic"), case, datetime.fromisoformat(case.get("now", data["now"])))
            )
    return out


CASES = _cases()


def _expected(source: str, expect: dict[str, Any]) -> Notice:
    day = expect["day"]
    return Notice(
        source=source,
        kind=expect["kind"],
        amount=Decimal(expect["amount"]),
        currency=expect["currency"],
        merchant=expect["merchant"],
        card=expect["card"],
        day=date.fromisoformat(day) if isinstance(day, str) else day,
    )


@pytest.mark.parametrize(("source", "case", "now"), CASES, ids=[c[1]["text"][:60] for c in CASES])
def test_every_example_is_read_by_its_format(source: str, case: dict[str, Any], now: datetime) -> None:
    notice = read_notice(case["text"], now)
    assert notice == _expected(source, case["expect"])
    assert notice.amount == Decimal(case["expect"]["amount"])  # Decimal equality, and never a float
    assert isinstance(notice.amount, Decimal)


@pytest.mark.parametrize(("source", "case", "now"), CASES, ids=[c[1]["text"][:60] for c in CASES])
def test_the_users_own_country_reads_its_examples_alike(
    source: str, case: dict[str, Any], now: datetime
) -> None:
    if source != "generic":
        assert read_notice(case["text"], now, source.split("/")[0]) == _expected(source, case["expect"])


def test_every_format_has_an_example_and_sources_are_unique() -> None:
    sources = [fmt.source for fmt in _tables().formats]
    assert len(sources) == len(set(sources)), "two formats share a source"
    examples = {source for source, _, _ in CASES}
    assert set(sources) - examples == set(), "formats without an example"
    assert examples - set(sources) - {"generic"} == set(), "examples naming no format"


def test_every_country_file_has_examples_of_its_own() -> None:
    for country in COUNTRIES:
        data = _load(country)
        assert data["country"] == country
        assert all(case["source"].startswith(f"{country}/") for case in data["cases"])


NEGATIVES = _load("negatives")


@pytest.mark.parametrize("text", NEGATIVES["texts"])
def test_a_chat_message_is_no_notice(text: str) -> None:
    assert read_notice(str(text), datetime.fromisoformat(NEGATIVES["now"])) is None


NOW = datetime.fromisoformat("2026-12-07T10:00:00-03:00")


@pytest.mark.parametrize(
    "text",
    [
        "",
        "\x00" * 50,
        "Compra aprovada\x00 no cartão final 1234 R$ 45,90 em \x00LOJA em 05/12",
        "1" * 10_000,
        "Compra aprovada no cartão final 1234 R$ " + "9" * 5000 + " em LOJA",
        "Pix enviado: R$ 150,00 para " + "A" * 10_000,
        ("compra pix card " * 700),
        "0123456789" * 3,
        "Compra aprovada no cartão final 1234 R$ 0,00 em LOJA X em 05/12",
        "Compra aprovada no cartão final 1234 R$ 45,90 em LOJA X em 31/02",
        "Compra aprovada no cartão final 1234 R$ 45,90 em LOJA X em 99/99",
        "Compra aprovada no cartão final 1234 R$ 45,90 em LOJA X em 05/12/2031",
        "Pix enviado: R$ 1.2.3,4,5 para Ana",
        "\ud800 compra R$ 10,00 card 1234",
    ],
)
def test_hostile_input_gives_none_or_a_notice(text: str) -> None:
    result = read_notice(text, NOW)
    assert result is None or isinstance(result, Notice)
    if result is not None:
        assert result.amount > 0
        assert result.day is None or result.day <= NOW.date()


def test_a_zero_amount_is_no_notice() -> None:
    assert read_notice("Compra aprovada no cartão final 1234 R$ 0,00 em LOJA X em 05/12", NOW) is None


def test_an_impossible_or_future_day_is_unsaid() -> None:
    for day in ("31/02", "99/99", "05/12/2031"):
        notice = read_notice(f"Compra aprovada no cartão final 1234 R$ 45,90 em LOJA X em {day}", NOW)
        assert notice is not None and notice.day is None, day


def test_29_february_is_the_latest_leap_day() -> None:
    notice = read_notice("Compra aprovada no cartão final 1234 R$ 45,90 em LOJA X em 29/02", NOW)
    assert notice is not None and notice.day == date(2024, 2, 29)


def test_a_day_later_this_year_is_last_year() -> None:
    notice = read_notice("Pix recebido: R$ 10,00 de Ana em 08/12", NOW)
    assert notice is not None and notice.day == date(2025, 12, 8)
    notice = read_notice("Pix recebido: R$ 10,00 de Ana em 07/12", NOW)
    assert notice is not None and notice.day == date(2026, 12, 7)


def test_the_users_country_reads_a_shared_phrasing() -> None:
    text = "Recibiste $500.00 de Juan Pérez"
    notice = read_notice(text, NOW, "ar")
    assert notice is not None and (notice.source, notice.currency) == ("ar/mercadopago/received", "ARS")
    assert read_notice(text, NOW) == notice  # the first country file that reads it
    assert read_notice(text, NOW, "zz") == notice  # an unknown country changes nothing
    mexican = read_notice(
        text, NOW, "mx"
    )  # no Mexican format says it so: the Argentine one, with pesos of Mexico
    assert mexican is not None and mexican.currency == "MXN" and mexican.amount == Decimal("500.00")
    brazilian = read_notice(text, NOW, "br")  # Brazil's files say no "$": the format's country's
    assert brazilian is not None and brazilian.currency == "ARS"
    british = read_notice(text, NOW, "gb")  # gb.yaml reads "$" as US dollars
    assert british is not None and british.currency == "USD"


def test_the_generic_dollar_is_the_users_only_when_the_country_is_known() -> None:
    text = "Alerta: compra aprobada $ 250,00 con tarjeta final 9911"
    assert read_notice(text, NOW) is None
    notice = read_notice(text, NOW, "co")
    assert notice is not None and (notice.source, notice.currency, notice.card) == ("generic", "COP", "9911")
    assert notice.amount == Decimal("250.00")


def test_no_chat_message_of_the_intent_tables_is_a_notice() -> None:
    """Every sentence of tests/locales/<lang>/ and of the intent examples: thousands of chat messages."""
    texts = [case.text for case in load_cases()]
    for lang in ("en", "es", "pt"):
        intents = yaml.safe_load((locales_dir() / lang / "intents.yaml").read_text(encoding="utf-8"))[
            "intents"
        ]
        texts += [str(example) for examples in intents.values() for example in examples]
    assert len(texts) > 5000
    assert [t for t in texts if read_notice(t, NOW) is not None] == []
