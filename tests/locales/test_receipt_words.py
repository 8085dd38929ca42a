"""Mirrors locales/<lang>/receipts.yaml: every total label finds the total (spaced or glued as OCR reads it),
every not-total label is never the total, every header word is passed over for the merchant's name, every
company suffix comes off it."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from nlu import read_receipt
from nlu.data import load, load_lang
from nlu.normalize import fold
from nlu.types import LANGUAGES

TODAY = date(2026, 11, 20)
KEYS = {"language", "totals", "not_totals", "merchant_skip", "company_suffixes"}


def _data(lang: str) -> dict[str, Any]:
    data: dict[str, Any] = load_lang(lang, "receipts")
    return data


def _entries(key: str) -> list[tuple[str, str]]:
    return [(lang, str(phrase)) for lang in LANGUAGES for phrase in _data(lang)[key]]


def _read(rows: list[str], lang: str) -> Any:
    return read_receipt(rows, currency="USD", today=TODAY, lang=lang)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_file_has_its_keys_and_folded_lowercase_phrases(lang: str) -> None:
    data = _data(lang)
    assert set(data) == KEYS and data["language"] == lang
    for key in KEYS - {"language"}:
        phrases = [str(p) for p in data[key]]
        assert phrases and all(p == fold(p) == p.strip() for p in phrases), key
        assert len(set(phrases)) == len(phrases), f"{lang}/{key} repeats a phrase"


TOTALS = _entries("totals")


@pytest.mark.parametrize(("lang", "phrase"), TOTALS, ids=[f"{lang}-{p}" for lang, p in TOTALS])
def test_each_total_label_finds_the_total(lang: str, phrase: str) -> None:
    label = phrase.upper()
    assert _read(["LOJA", f"{label} 12,34", "OBRIGADO"], lang).total == Decimal("12.34")
    assert _read(["LOJA", f"{label.replace(' ', '')} 12,34"], lang).total == Decimal("12.34")
    assert _read(["LOJA", label, "12,34", "CASH 20,00"], lang).total == Decimal("12.34")


NOT_TOTALS = _entries("not_totals")


@pytest.mark.parametrize(("lang", "phrase"), NOT_TOTALS, ids=[f"{lang}-{p}" for lang, p in NOT_TOTALS])
def test_each_not_total_label_is_never_the_total(lang: str, phrase: str) -> None:
    label = phrase.upper()
    for row in (f"{label} 99,99", f"TOTAL {label} 99,99", f"{label.replace(' ', '')} 99,99"):
        assert _read(["LOJA", row, "TOTAL 12,34"], lang).total == Decimal("12.34"), row
        assert _read(["LOJA", "TOTAL 12,34", row], lang).total == Decimal("12.34"), row


SKIPS = _entries("merchant_skip")


@pytest.mark.parametrize(("lang", "word"), SKIPS, ids=[f"{lang}-{w}" for lang, w in SKIPS])
def test_each_header_word_is_passed_over_for_the_name(lang: str, word: str) -> None:
    rows = [f"{word.upper()} CENTRO", "PADARIA FLOR DE LIS", "TOTAL 10,00"]
    assert _read(rows, lang).merchant == "Padaria Flor De Lis"


SUFFIXES = _entries("company_suffixes")


@pytest.mark.parametrize(("lang", "suffix"), SUFFIXES, ids=[f"{lang}-{s}" for lang, s in SUFFIXES])
def test_each_company_suffix_comes_off_the_name(lang: str, suffix: str) -> None:
    rows = [f"PADARIA FLOR DE LIS {suffix.upper()}", "TOTAL 10,00"]
    assert _read(rows, lang).merchant == "Padaria Flor De Lis"


COUNTRIES = sorted(load("receipt_countries.yaml")["tax_ids"].items())


@pytest.mark.parametrize(("tax_id", "currency"), COUNTRIES, ids=[t for t, _ in COUNTRIES])
def test_each_tax_id_names_its_currency(tax_id: str, currency: str) -> None:
    """locales/receipt_countries.yaml: a receipt with that id and no sign read is in that currency."""
    rows = ["LOJA EXEMPLO", f"{tax_id.upper()} 12.345.678/0001-90", "TOTAL 45,90"]
    assert tax_id == fold(tax_id) and currency == currency.upper() and len(currency) == 3
    assert read_receipt(rows, currency="JPY", today=TODAY).currency == currency
