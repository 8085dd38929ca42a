"""Mirrors locales/<lang>/statements.yaml: every header name finds its column, every balance phrase is a line
that is not recorded, in a statement parsed as the import reads it."""

from __future__ import annotations

from typing import Any

import pytest

from bot.admin.statements import ROLES, is_balance_line, parse_statement
from nlu.data import load_lang
from nlu.types import LANGUAGES


def _data(lang: str) -> dict[str, Any]:
    data: dict[str, Any] = load_lang(lang, "statements")
    return data


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_file_has_every_role_and_only_lowercase_plain_names(lang: str) -> None:
    data = _data(lang)
    assert set(data) == {"language", "headers", "balance_lines"} and data["language"] == lang
    assert set(data["headers"]) == set(ROLES)
    for names in [*data["headers"].values(), data["balance_lines"]]:
        assert names and all(isinstance(n, str) and n == n.strip().lower() for n in names)


HEADERS = [
    (lang, role, name)
    for lang in LANGUAGES
    for role, names in _data(lang)["headers"].items()
    for name in names
]


@pytest.mark.parametrize(("lang", "role", "name"), HEADERS, ids=[f"{lang}-{r}-{n}" for lang, r, n in HEADERS])
def test_each_header_name_finds_its_column(lang: str, role: str, name: str) -> None:
    # The other columns keep Portuguese names: a header row may mix languages.
    if role in ("debit", "credit"):
        header = {"date": "Data", "description": "Histórico", "debit": "Saída", "credit": "Entrada"}
        cells = {"date": "15/03/2024", "description": "PADARIA", "debit": "", "credit": "", role: "10,00"}
    else:
        header = {"date": "Data", "description": "Histórico", "amount": "Valor"}
        cells = {"date": "15/03/2024", "description": "PADARIA", "amount": "-10,00"}
    header[role] = name.upper()
    text = ";".join(header.values()) + "\n" + ";".join(cells[c] for c in header) + "\n"
    parsed = parse_statement(text.encode(), lang=lang)
    assert parsed.problems == ()
    assert parsed.columns[role] == name.upper()
    [read] = parsed.lines
    assert (read.description, abs(read.amount)) == ("PADARIA", 10)


BALANCES = [(lang, phrase) for lang in LANGUAGES for phrase in _data(lang)["balance_lines"]]


@pytest.mark.parametrize(("lang", "phrase"), BALANCES, ids=[f"{lang}-{p}" for lang, p in BALANCES])
def test_each_balance_phrase_is_a_line_that_is_not_recorded(lang: str, phrase: str) -> None:
    assert is_balance_line(phrase.upper()) and is_balance_line(f"{phrase.title()} 05/03")
    text = f"Data;Histórico;Valor\n01/03/2024;{phrase.upper()};1.234,56\n02/03/2024;PADARIA;-10,00\n"
    parsed = parse_statement(text.encode(), lang=lang)
    assert parsed.balance_lines == (2,)
    assert [line.description for line in parsed.lines] == ["PADARIA"]


@pytest.mark.parametrize("description", ["PAG SALDO CARTAO", "Balance transfer fee", "SALDO DEVEDOR JUROS"])
def test_money_that_mentions_a_balance_is_still_money(description: str) -> None:
    assert not is_balance_line(description)
