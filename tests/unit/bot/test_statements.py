"""The statement parser: files banks export in en/es/pt, mapping by header or by parameters, hostile input."""

from __future__ import annotations

import codecs
import time
from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import nlu
from bot.admin.statement_cells import parse_amount
from bot.admin.statements import MAX_LINE_CHARS, ParsedStatement, StatementOptions, file_hash, parse_statement
from domain.errors import ValidationError
from domain.imports import MAX_LINES

D = date


def rows(parsed: ParsedStatement) -> list[tuple[int, date, str, str]]:
    return [(x.line_no, x.occurred_on, x.description, str(x.amount)) for x in parsed.lines]


FILES = [
    (
        "en, comma, ISO dates, quoted thousands",
        b'date,description,amount\n2024-03-15,Coffee,-4.50\n2024-03-16,Payroll,"1,234.56"\n',
        {},
        [(2, D(2024, 3, 15), "Coffee", "-4.50"), (3, D(2024, 3, 16), "Payroll", "1234.56")],
    ),
    (
        "pt, semicolon, Windows-1252, decimal commas, R$ and parentheses",
        "Data;Histórico;Valor (R$)\n15/03/2024;PADARIA;-45,90\n16/03/2024;SALÁRIO;R$ 1.234,56\n"
        "17/03/2024;ESTORNO;(12,50)\n".encode("cp1252"),
        {"decimal_hint": ","},
        [
            (2, D(2024, 3, 15), "PADARIA", "-45.90"),
            (3, D(2024, 3, 16), "SALÁRIO", "1234.56"),
            (4, D(2024, 3, 17), "ESTORNO", "-12.50"),
        ],
    ),
    (
        "es, UTF-8 with BOM, euro sign after the number",
        codecs.BOM_UTF8 + "Fecha;Concepto;Importe\n03/04/2024;MERCADONA;-63,20 €\n".encode(),
        {},
        [(2, D(2024, 4, 3), "MERCADONA", "-63.20")],
    ),
    (
        "tab separated memo column, month-first when the locale writes so",
        b"Date\tMemo\tAmount\n03/04/2024\tSTARBUCKS\t-4.50\n",
        {"day_first": False},
        [(2, D(2024, 3, 4), "STARBUCKS", "-4.50")],
    ),
    (
        "a later date settles day-first over the locale's month-first",
        b"Date,Description,Amount\n03/04/2024,A,-1.00\n13/04/2024,B,-2.00\n",
        {"day_first": False},
        [(2, D(2024, 4, 3), "A", "-1.00"), (3, D(2024, 4, 13), "B", "-2.00")],
    ),
    (
        "UTF-16 with BOM (Excel's Unicode text)",
        "Data\tDescrição\tValor\n2024-03-15\tFARMÁCIA\t-10,00\n".encode("utf-16"),
        {},
        [(2, D(2024, 3, 15), "FARMÁCIA", "-10.00")],
    ),
    (
        "debit and credit columns, with a balance column beside them",
        b"Date,Description,Debit,Credit,Balance\n2024-03-15,Rent,1500.00,,100.00\n2024-03-16,Salary,,2000.00,2100.00\n",
        {},
        [(2, D(2024, 3, 15), "Rent", "-1500.00"), (3, D(2024, 3, 16), "Salary", "2000.00")],
    ),
    (
        "pt debit/credit names, zero in the unused column",
        "Data;Lançamento;Débito;Crédito\n15/03/2024;LUZ;89,90;0,00\n".encode(),
        {},
        [(2, D(2024, 3, 15), "LUZ", "-89.90")],
    ),
    (
        "account and period lines above the header are skipped",
        b"Conta: 12345-6\nPeriodo: 01/03/2024 a 31/03/2024\n\nData;Descricao;Valor\n15/03/2024;PIX;-5,00\n",
        {},
        [(5, D(2024, 3, 15), "PIX", "-5.00")],
    ),
    (
        "blank lines, CRLF, trailing delimiters and a time after the date",
        b"date;description;amount\r\n\r\n2024-03-15 10:22:00;A;-1,00;\r\n2024-03-16T08:00:00Z;B;2,00\r\n",
        {},
        [(3, D(2024, 3, 15), "A", "-1.00"), (4, D(2024, 3, 16), "B", "2.00")],
    ),
    (
        "D/C marks and a trailing minus",
        b"Data;Historico;Valor\n15/03/2024;A;45,90 D\n15/03/2024;B;10,00 C\n15/03/2024;C;7,00-\n",
        {},
        [
            (2, D(2024, 3, 15), "A", "-45.90"),
            (3, D(2024, 3, 15), "B", "10.00"),
            (4, D(2024, 3, 15), "C", "-7.00"),
        ],
    ),
    (
        "two-digit years, empty rows, a Unicode minus",
        "Data;Histórico;Valor\n15/03/24;A;\u221245,90\n;;\n16/03/24;B;1,00\n".encode(),
        {},
        [(2, D(2024, 3, 15), "A", "-45.90"), (4, D(2024, 3, 16), "B", "1.00")],
    ),
    (
        "month names",
        b"Date,Description,Amount\n15 Mar 2024,A,-1.00\n",
        {},
        [(2, D(2024, 3, 15), "A", "-1.00")],
    ),
    (
        "whitespace inside a description is collapsed",
        b'Date,Description,Amount\n2024-03-15,"  UBER   *TRIP  ",-1.00\n',
        {},
        [(2, D(2024, 3, 15), "UBER *TRIP", "-1.00")],
    ),
]


@pytest.mark.parametrize(("name", "data", "hints", "expected"), FILES, ids=[f[0] for f in FILES])
def test_files_banks_export_are_read(
    name: str, data: bytes, hints: dict[str, object], expected: list
) -> None:
    parsed = parse_statement(data, **hints)  # type: ignore[arg-type]
    assert parsed.problems == ()
    assert rows(parsed) == expected
    assert parsed.file_hash == file_hash(data) and len(parsed.file_hash) == 64


def test_the_encoding_delimiter_format_and_columns_are_reported() -> None:
    data = "Data;Lançamento;Valor\n15/03/2024;A;-1,00\n".encode("cp1252")
    parsed = parse_statement(data)
    assert (parsed.encoding, parsed.delimiter, parsed.date_format, parsed.decimal) == (
        "cp1252",
        ";",
        "%d/%m/%Y",
        ",",
    )
    assert parsed.header_line == 1
    assert parsed.columns == {"date": "Data", "description": "Lançamento", "amount": "Valor"}


@pytest.mark.parametrize(
    ("data", "options", "expected"),
    [
        # No header: positions, a format and the decimal mark given.
        (
            b"15.03.2024|-1.234,50|CAFE\n",
            StatementOptions(
                date_column=0,
                amount_column=1,
                description_column=2,
                date_format="%d.%m.%Y",
                decimal=",",
                delimiter="|",
            ),
            [(1, D(2024, 3, 15), "CAFE", "-1234.50")],
        ),
        # Names the header has, in another case and without accents.
        (
            "Fecha valor;Descripción;Importe EUR\n2024-03-15;A;-3,00\n".encode(),
            StatementOptions(
                date_column="FECHA VALOR", description_column="descripcion", amount_column="importe eur"
            ),
            [(2, D(2024, 3, 15), "A", "-3.00")],
        ),
        # Positions with a header of names nobody listed: the header line is recognised as not data.
        (
            b"Dt;Hist;Vl\n15/03/2024;A;-3,00\n",
            StatementOptions(date_column=0, description_column=1, amount_column=2),
            [(2, D(2024, 3, 15), "A", "-3.00")],
        ),
        # A credit-card statement: purchases positive, payments negative.
        (
            b"date,description,amount\n2024-03-15,Shop,25.00\n2024-03-16,Payment,-100.00\n",
            StatementOptions(flip=True),
            [(2, D(2024, 3, 15), "Shop", "-25.00"), (3, D(2024, 3, 16), "Payment", "100.00")],
        ),
        # A tab given as the two characters \t (a query parameter).
        (
            b"a\tb\tc\n2024-03-15\tX\t1\n",
            StatementOptions(
                date_column=0, description_column=1, amount_column=2, delimiter="\\t", header=True
            ),
            [(2, D(2024, 3, 15), "X", "1")],
        ),
    ],
)
def test_columns_by_parameters(data: bytes, options: StatementOptions, expected: list) -> None:
    parsed = parse_statement(data, options)
    assert parsed.problems == ()
    assert rows(parsed) == expected


@pytest.mark.parametrize(
    ("text", "decimal", "amount"),
    [
        ("-45,90", ",", "-45.90"),
        ("1.234,56", ",", "1234.56"),
        ("1 234,56", ",", "1234.56"),
        ("(45.90)", ".", "-45.90"),
        ("R$ 45,90", ",", "45.90"),
        ("-R$ 45,90", ",", "-45.90"),
        ("R$ -45,90", ",", "-45.90"),
        ("US$ 1,234.50", ".", "1234.50"),
        ("$-4.50", ".", "-4.50"),
        ("+10", ".", "10"),
        ("45.90-", ".", "-45.90"),
        ("45,90 D", ",", "-45.90"),
        ("45,90C", ",", "45.90"),
        ("1,234,567.89", ".", "1234567.89"),
        ("45 EUR", ".", "45"),
    ],
)
def test_amounts(text: str, decimal: str, amount: str) -> None:
    assert parse_amount(text, decimal) == Decimal(amount)


@pytest.mark.parametrize(
    "text", ["", "abc", "1.2.3,4,5", "12,34,56", "--5", "nan", "inf", "1e5", "٣", "9" * 41]
)
def test_not_amounts(text: str) -> None:
    with pytest.raises(ValueError):
        parse_amount(text, ",")


@pytest.mark.parametrize(
    ("data", "reasons"),
    [
        (b"date,description,amount\n2024-03-15,A,-1\n2024-03-16,B\n", {3: "columns"}),
        (b"date,description,amount\n2024-03-15,A,-1,extra\n", {2: "columns"}),
        (b"date,description,amount\n2024-03-15,A\x00B,-1\n", {2: "binary"}),
        (b'date,description,amount\n2024-03-15,"A,-1\n', {2: "quoting"}),
        (b"date,description,amount\nyesterday,A,-1\n2024-03-15,B,12 dollars\n", {2: "invalid", 3: "invalid"}),
        (
            b"date,description,debit,credit\n2024-03-15,A,1,2\n2024-03-15,B,,\n",
            {2: "invalid", 3: "not_positive"},
        ),
        (b"date,description,amount\n2024-03-15," + b"x" * 501 + b",-1\n", {2: "too_long"}),
    ],
)
def test_every_bad_line_is_named_with_its_reason(data: bytes, reasons: dict[int, str]) -> None:
    parsed = parse_statement(data)
    assert {p.line_no: p.reason for p in parsed.problems} == reasons
    assert all(p.message for p in parsed.problems)
    assert not {x.line_no for x in parsed.lines} & set(reasons)


def test_a_fifty_megabyte_line_is_refused_unread_and_fast() -> None:
    huge = b"2024-03-16,B," + b"9" * (50 * 1024 * 1024) + b"\n"
    data = b"date,description,amount\n2024-03-15,A,-1\n" + huge + b"2024-03-17,C,-3\n"
    started = time.perf_counter()
    parsed = parse_statement(data)
    assert time.perf_counter() - started < 5
    assert [(p.line_no, p.reason) for p in parsed.problems] == [(3, "too_long")]
    assert len(parsed.problems[0].message) < 100  # the line is not echoed back
    assert [x.line_no for x in parsed.lines] == [2, 4]


def test_a_line_just_under_the_limit_is_read() -> None:
    description = "x" * 400
    line = f"2024-03-15,{description},-1" + " " * (MAX_LINE_CHARS - 420)
    parsed = parse_statement(f"date,description,amount\n{line}\n".encode())
    assert len(line) <= MAX_LINE_CHARS and parsed.problems == ()


@pytest.mark.parametrize(
    ("data", "options", "field"),
    [
        (b"", None, "body"),
        (b"  \n\n \r\n", None, "body"),
        (b"date,description,amount\n", None, "body"),  # only a header
        (b"date,description,amount\n\n\n", None, "body"),
        (b"foo,bar,baz\n1,2,3\n", None, "date_column"),  # no header known, no parameters
        (
            b"date,description,amount\n2024-03-15,A,-1\n",
            StatementOptions(amount_column="valor"),
            "amount_column",
        ),
        (b"2024-03-15,A,-1\n", StatementOptions(date_column="date"), "date_column"),  # a name with no header
        (b"date,amount\n2024-03-15,-1\n", None, "description_column"),
        (b"date,description\n2024-03-15,A\n", None, "amount_column"),
        (b"date,description,amount\n2024-03-15,A,-1\n", StatementOptions(date_format="dd/mm"), "date_format"),
        (b"date,description,amount\n2024-03-15,A,-1\n", StatementOptions(delimiter="ab"), "delimiter"),
        (b"date,description,amount\n2024-03-15,A,-1\n", StatementOptions(date_column=-1), "date_column"),
        (
            b"date,description,amount\n2024-03-15,A,-1\n",
            StatementOptions(date_column=0, description_column=0),
            "amount_column",
        ),
    ],
)
def test_a_file_that_cannot_be_read_at_all_names_why(
    data: bytes, options: StatementOptions | None, field: str
) -> None:
    with pytest.raises(ValidationError) as refused:
        parse_statement(data, options)
    assert refused.value.field == field


def test_too_many_lines_are_refused_before_reading_them() -> None:
    data = b"date,description,amount\n" + b"2024-03-15,A,-1\n" * (MAX_LINES + 20)
    with pytest.raises(ValidationError) as refused:
        parse_statement(data)
    assert refused.value.reason == "too_many"


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=400))
def test_any_bytes_give_lines_problems_or_a_validation_error(data: bytes) -> None:
    try:
        parsed = parse_statement(b"date;description;amount\n" + data)
    except ValidationError:
        return
    assert all(p.line_no >= 2 for p in parsed.problems)


@settings(max_examples=100, deadline=None)
@given(st.text(max_size=200))
def test_any_text_with_a_header_never_crashes(text: str) -> None:
    try:
        parse_statement(("Data,Descrição,Valor\n" + text).encode("utf-8", "surrogatepass"))
    except ValidationError:
        pass


def test_each_line_is_categorised_with_the_tenants_merchants_first() -> None:
    data = (
        "Data;Histórico;Valor\n15/03/2024;PAG*PADARIA DO ZE;-45,90\n15/03/2024;UBER *TRIP;-12,00\n"
        "16/03/2024;COMPRA SUPERMERCADO;-80,00\n17/03/2024;SALARIO;3000,00\n18/03/2024;XPTO 123;-1,00\n"
    ).encode()
    mine = [nlu.TenantMerchant("Padaria do Zé", (), "dining")]
    parsed = parse_statement(data, lang="pt", merchants=mine)
    assert [(x.merchant, x.category) for x in parsed.lines] == [
        ("Padaria do Zé", "dining"),
        ("Uber", "transport"),
        (None, "groceries"),
        (None, "salary"),
        (None, None),
    ]


def test_ten_thousand_lines_are_read_whole() -> None:
    # Its speed is a figure of bench/statement_import.py: a timed assertion here failed on a busy machine.
    data = b"date,description,amount\n" + b"".join(
        f"2024-03-{1 + n % 28:02d},SHOP {n % 500} CENTRO,-{n % 97 + 1}.{n % 100:02d}\n".encode()
        for n in range(10_000)
    )
    parsed = parse_statement(data)
    assert len(parsed.lines) == 10_000 and parsed.problems == ()
    assert parsed.lines[-1].amount == Decimal("-9.99")
