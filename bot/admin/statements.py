"""Bank statement CSV files -> the lines domain.imports records: columns found by a header row (en/es/pt) or
named by parameters, every bad line named with its number and reason, each line categorised by the NLU.

What is read: UTF-8 (with or without BOM), UTF-16 with BOM, else Windows-1252/Latin-1; ',' ';' or tab
sniffed; one record per physical line (blank lines ignored; lines above the header, such as an account
number or a period, ignored); dates in the format that reads every line (ISO, day- or month-first as the
locale writes them, month names) unless date_format says; amounts such as "-45,90", "1.234,56", "(45.90)",
"R$ 45,90", "45.90-", "45,90 D"; one signed amount column, or debit and credit columns. Negative is an
expense unless `flip` (credit-card statements list purchases as positive numbers).
"""

from __future__ import annotations

import csv
import hashlib
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Literal

import nlu
from bot.admin import statement_cells as cells_of
from domain.errors import ValidationError
from domain.imports import MAX_LINES, LineProblem, StatementLine
from domain.validation import MAX_MERCHANT, MAX_NOTE
from nlu.data import load_lang
from nlu.types import LANGUAGES

ColumnRef = str | int
"""A column by its header name (any case, accents ignored) or its 0-based position."""
MAX_LINE_CHARS = 8192
"""Longer lines are refused unread: no statement line is near this, and a hostile one costs nothing."""
HEADER_SEARCH = 10
"""Lines at the top searched for the header row (banks put the account and period above it)."""
ROLES = ("date", "description", "amount", "debit", "credit")


@dataclass(frozen=True, slots=True)
class StatementOptions:
    """How to read the file; everything left None is found from the file (and the locale)."""

    date_column: ColumnRef | None = None
    description_column: ColumnRef | None = None
    amount_column: ColumnRef | None = None
    debit_column: ColumnRef | None = None
    credit_column: ColumnRef | None = None
    date_format: str | None = None
    """A strptime format such as "%d/%m/%Y"."""
    decimal: Literal[",", "."] | None = None
    delimiter: str | None = None
    header: bool | None = None
    """True: the first line is the header; False: there is none (columns by position); None: found."""
    flip: bool = False
    """Expenses are written as positive numbers and payments as negative ones."""


@dataclass(frozen=True, slots=True)
class ParsedStatement:
    """The file read: its lines ready for import_statement, and every line that cannot be."""

    file_hash: str
    lines: tuple[StatementLine, ...]
    problems: tuple[LineProblem, ...]
    encoding: str
    delimiter: str
    date_format: str
    decimal: str
    header_line: int | None
    columns: dict[str, str] = field(default_factory=dict)
    """Role -> the column read for it ("Data" or "#0")."""
    balance_lines: tuple[int, ...] = ()
    """Lines that state a balance ("SALDO ANTERIOR"): not money moving, so not recorded."""


def file_hash(data: bytes) -> str:
    """What makes an import idempotent: the sha256 of the bytes as uploaded."""
    return hashlib.sha256(data).hexdigest()


def header_key(text: str) -> str:
    """A header cell compared: lower case, no accents, "(R$)" and punctuation gone ("Valor (R$)": "valor")."""
    bare = unicodedata.normalize("NFKD", re.sub(r"\(.*?\)", " ", text))
    bare = "".join(ch for ch in bare if not unicodedata.combining(ch)).casefold()
    return " ".join(re.sub(r"[^\w]+|_", " ", bare).split())


def _statement_words(part: str) -> list[tuple[str, object]]:
    """(language, entry) from every locales/<lang>/statements.yaml."""
    return [(lang, load_lang(lang, "statements")[part]) for lang in LANGUAGES]


HEADER_NAMES: dict[str, frozenset[str]] = {
    role: frozenset(header_key(name) for _, headers in _statement_words("headers") for name in headers[role])  # type: ignore[index]
    for role in ROLES
}
"""Role -> the header names of every language (locales/<lang>/statements.yaml), compared as header_key."""
BALANCE_LINES: frozenset[str] = frozenset(
    header_key(phrase)
    for _, phrases in _statement_words("balance_lines")
    for phrase in phrases  # type: ignore[attr-defined]
)
"""Descriptions of lines that state a balance instead of moving money ("SALDO ANTERIOR")."""


def is_balance_line(description: str) -> bool:
    """ "SALDO ANTERIOR", "Saldo do dia 05/03": the whole description is a balance phrase, or one followed
    only by numbers (a date, the balance itself)."""
    key = header_key(description)
    if key in BALANCE_LINES:
        return True
    return any(
        key.startswith(phrase + " ") and key[len(phrase) + 1 :].replace(" ", "").isdigit()
        for phrase in BALANCE_LINES
    )


def parse_statement(
    data: bytes,
    options: StatementOptions | None = None,
    *,
    lang: str = "en",
    day_first: bool = True,
    decimal_hint: str = ".",
    merchants: nlu.Merchants = None,
) -> ParsedStatement:
    """Read a statement file. ValidationError (naming the parameter) when the file as a whole cannot be read:
    empty, only a header, too many lines, columns not found; bad lines are returned in `problems`."""
    opts = options or StatementOptions()
    if not data.strip():
        raise ValidationError("body", "the file is empty", reason="empty")
    text, encoding = cells_of.decode(data)
    numbered = [(n, line) for n, line in enumerate(cells_of.split_lines(text), start=1) if line.strip()]
    if not numbered:
        raise ValidationError("body", "the file has no lines", reason="empty")
    if len(numbered) > MAX_LINES + HEADER_SEARCH:
        raise ValidationError("body", f"a statement has at most {MAX_LINES} lines", reason="too_many")
    readable = [line for _, line in numbered[:20] if len(line) <= MAX_LINE_CHARS and "\0" not in line]
    delimiter = _delimiter(opts.delimiter) or cells_of.sniff_delimiter(readable)

    header_at, header = _find_header(numbered, delimiter, opts)
    columns = _columns(header, opts)
    rows = _rows(numbered[header_at + 1 if header_at is not None else 0 :], delimiter, header, columns)
    if opts.header is None and header is None and rows.first_is_header():
        rows.drop_first()
    if not rows.numbered and not rows.problems:
        raise ValidationError("body", "the file has a header but no lines", reason="empty")

    date_format = opts.date_format or cells_of.date_formats(rows.dates, day_first)[0]
    _check_date_format(date_format)
    decimal = opts.decimal or cells_of.guess_decimal(rows.amounts, decimal_hint)
    lines: list[StatementLine] = []
    problems = list(rows.problems)
    payees = _Payees(lang, merchants)
    balances: list[int] = []
    for line_no, row in rows.numbered:
        if is_balance_line(row[columns["description"]]):
            balances.append(line_no)
            continue
        try:
            day, amount, description = _read(row, columns, date_format, decimal, opts.flip)
        except _Bad as bad:
            problems.append(LineProblem(line_no, bad.field, bad.message, bad.reason))
            continue
        merchant, category = payees.of(description, amount)
        lines.append(StatementLine(line_no, day, description, amount, merchant, category))
    return ParsedStatement(
        file_hash=file_hash(data),
        lines=tuple(lines),
        problems=tuple(sorted(problems, key=lambda p: p.line_no)),
        encoding=encoding,
        delimiter=delimiter,
        date_format=date_format,
        decimal=decimal,
        header_line=None if header_at is None else numbered[header_at][0],
        columns={role: _label(header, index) for role, index in columns.items()},
        balance_lines=tuple(balances),
    )


class _Bad(Exception):
    def __init__(self, field: str, message: str, reason: str = "invalid") -> None:
        super().__init__(message)
        self.field, self.message, self.reason = field, message, reason


def _delimiter(value: str | None) -> str | None:
    if value is None:
        return None
    if value in ("\\t", "tab", "TAB"):
        return "\t"
    if len(value) != 1 or value.isalnum() or value in "\"'\r\n ":
        raise ValidationError("delimiter", "one character such as ',' ';' or a tab", reason="invalid")
    return value


def _check_date_format(fmt: str) -> None:
    try:
        date(2024, 3, 15).strftime(fmt)
    except ValueError:
        raise ValidationError("date_format", f"{fmt!r} is not a date format such as %d/%m/%Y") from None
    if "%" not in fmt or len(fmt) > 40:
        raise ValidationError("date_format", f"{fmt!r} is not a date format such as %d/%m/%Y")


def _split(line: str, delimiter: str) -> list[str] | None:
    try:
        return cells_of.cells(line, delimiter)
    except csv.Error:
        return None


def _find_header(
    numbered: list[tuple[int, str]], delimiter: str, opts: StatementOptions
) -> tuple[int | None, list[str] | None]:
    """(position in `numbered`, cells) of the header row, or (None, None) when the file has none."""
    if opts.header is False:
        return None, None
    named = {header_key(ref) for ref in _refs(opts) if isinstance(ref, str)}
    for at, (_, line) in enumerate(numbered[: 1 if opts.header else HEADER_SEARCH]):
        if len(line) > MAX_LINE_CHARS:
            continue
        row = _split(line, delimiter)
        if row is None:
            continue
        keys = {header_key(cell) for cell in row}
        roles = {role for role, names in HEADER_NAMES.items() if keys & names}
        if opts.header or (named and named <= keys) or len(roles) >= 2:
            return at, row
    return None, None


def _refs(opts: StatementOptions) -> list[ColumnRef]:
    return [ref for role in ROLES if (ref := getattr(opts, f"{role}_column")) is not None]


def _columns(header: list[str] | None, opts: StatementOptions) -> dict[str, int]:
    """Role -> 0-based column: the parameters first, then the header's recognised names."""
    keys = [header_key(cell) for cell in header or ()]
    columns: dict[str, int] = {}
    for role in ROLES:
        ref = getattr(opts, f"{role}_column")
        if isinstance(ref, bool):
            raise ValidationError(f"{role}_column", "a column name or a 0-based position")
        if isinstance(ref, int):
            if not 0 <= ref < 1000:
                raise ValidationError(f"{role}_column", "a 0-based position is 0 or more")
            columns[role] = ref
        elif isinstance(ref, str):
            if header is None:
                raise ValidationError(f"{role}_column", "no header row names the columns: give a position")
            if header_key(ref) not in keys:
                found = ", ".join(repr(cell[:40]) for cell in header[:20])
                raise ValidationError(f"{role}_column", f"no column {ref[:40]!r}; the header has {found}")
            columns[role] = keys.index(header_key(ref))
        elif header is not None:
            at = next((i for i, key in enumerate(keys) if key in HEADER_NAMES[role]), None)
            if at is not None and at not in columns.values():
                columns[role] = at
    if "amount" in columns and opts.amount_column is None and {"debit", "credit"} <= set(columns):
        del columns["amount"]  # "Valor" beside "Débito" and "Crédito" is a balance, not the amount
    for role in ("date", "description"):
        if role not in columns:
            raise ValidationError(f"{role}_column", "which column holds it? name it or give its position")
    if "amount" not in columns and not ({"debit", "credit"} & set(columns)):
        raise ValidationError(
            "amount_column", "which column holds the amount? (or debit_column, credit_column)"
        )
    if len(set(columns.values())) != len(columns):
        raise ValidationError("amount_column", "two roles name the same column")
    if "amount" in columns:
        columns.pop("debit", None)
        columns.pop("credit", None)
    return columns


def _label(header: list[str] | None, index: int) -> str:
    return header[index] if header is not None and index < len(header) else f"#{index}"


@dataclass
class _Rows:
    """The data lines split into cells, with the lines that could not be split."""

    numbered: list[tuple[int, list[str]]]
    problems: list[LineProblem]
    date_at: int
    money_at: list[int]
    """The amount column, or the debit and credit columns."""

    @property
    def dates(self) -> list[str]:
        return [row[self.date_at] for _, row in self.numbered[:2000]]

    @property
    def amounts(self) -> list[str]:
        return [row[i] for _, row in self.numbered[:2000] for i in self.money_at if row[i].strip()]

    def first_is_header(self) -> bool:
        """A first line whose date and amount cells hold neither is a header of names nobody listed."""
        if not self.numbered:
            return False
        _, row = self.numbered[0]
        if cells_of.is_date(row[self.date_at]):
            return False
        for i in self.money_at:
            for decimal in (",", "."):
                try:
                    cells_of.parse_amount(row[i], decimal)
                    return False
                except ValueError:
                    pass
        return True

    def drop_first(self) -> None:
        self.numbered.pop(0)


def _rows(
    numbered: list[tuple[int, str]], delimiter: str, header: list[str] | None, columns: dict[str, int]
) -> _Rows:
    width = max(columns.values()) + 1
    expected = len(header) if header is not None else None
    rows: list[tuple[int, list[str]]] = []
    problems: list[LineProblem] = []
    for line_no, line in numbered:
        if len(line) > MAX_LINE_CHARS:
            problems.append(
                LineProblem(line_no, "line", f"longer than {MAX_LINE_CHARS} characters", "too_long")
            )
            continue
        if "\0" in line:
            problems.append(LineProblem(line_no, "line", "contains a NUL character", "binary"))
            continue
        row = _split(line, delimiter)
        if row is None:
            problems.append(LineProblem(line_no, "line", "its quotes are not closed or misplaced", "quoting"))
            continue
        if not any(cell.strip() for cell in row):
            continue  # ";;;": an empty row, like a blank line
        while expected is not None and len(row) > expected and not row[-1].strip():
            row.pop()  # a trailing delimiter the header does not have
        if (expected is not None and len(row) != expected) or len(row) < width:
            wanted = expected if expected is not None else width
            message = f"has {len(row)} columns, {'the header has' if expected else 'needs at least'} {wanted}"
            problems.append(LineProblem(line_no, "line", message, "columns"))
            continue
        rows.append((line_no, row))
    money = [columns[role] for role in ("amount", "debit", "credit") if role in columns]
    return _Rows(rows, problems, columns["date"], money)


def _read(
    row: list[str], columns: dict[str, int], date_format: str, decimal: str, flip: bool
) -> tuple[date, Decimal, str]:
    raw_day = row[columns["date"]].strip()
    try:
        day = cells_of.parse_date(raw_day, date_format)
    except ValueError:
        raise _Bad("date", f"{raw_day[:40]!r} is not a date in the format {date_format}") from None
    amount = _amount(row, columns, decimal)
    if flip:
        amount = -amount
    description = " ".join(row[columns["description"]].split())
    if len(description) > MAX_NOTE:
        raise _Bad("description", f"longer than {MAX_NOTE} characters", "too_long")
    return day, amount, description


def _amount(row: list[str], columns: dict[str, int], decimal: str) -> Decimal:
    if "amount" in columns:
        return _number(row[columns["amount"]], "amount", decimal)
    debit = row[columns["debit"]] if "debit" in columns else ""
    credit = row[columns["credit"]] if "credit" in columns else ""
    out = abs(_number(debit, "debit", decimal)) if debit.strip() else Decimal(0)
    into = abs(_number(credit, "credit", decimal)) if credit.strip() else Decimal(0)
    if out and into:
        raise _Bad("amount", "both a debit and a credit on one line")
    if not (out or into):
        raise _Bad("amount", "neither a debit nor a credit", "not_positive")
    return into - out


def _number(text: str, field: str, decimal: str) -> Decimal:
    try:
        return cells_of.parse_amount(text, decimal)
    except ValueError as exc:
        raise _Bad(field, str(exc)[:80]) from None


class _Payees:
    """merchant and category of a description by the NLU (the tenant's merchants first), once per text."""

    def __init__(self, lang: str, merchants: nlu.Merchants) -> None:
        self._lang = lang
        self._overlay = nlu.merchant_overlay(merchants)
        self._seen: dict[tuple[str, bool], tuple[str | None, str | None]] = {}

    def of(self, description: str, amount: Decimal) -> tuple[str | None, str | None]:
        key = (description, amount > 0)
        found = self._seen.get(key)
        if found is None:
            intent = "add_income" if amount > 0 else "add_expense"
            merchant, category = nlu.read_payee(
                description, self._lang, merchants=self._overlay, intent=intent
            )
            found = self._seen[key] = (None if merchant is None else merchant[:MAX_MERCHANT], category)
        return found
