"""Bank statement imports: POST a CSV into an account (every line or none, once per file); list them."""

from __future__ import annotations

import asyncio
import uuid
from datetime import datetime
from typing import Annotated, Literal

from babel import Locale
from babel.numbers import get_decimal_symbol
from pydantic import Field

import nlu
from bot.admin.api import Call, Listed, Resource
from bot.admin.problems import FieldError, Problem, field_problem, not_found
from bot.admin.schemas import SAFE_TEXT, ListQuery, Out, Strict
from bot.admin.statements import ParsedStatement, StatementOptions, file_hash, parse_statement
from domain.errors import ValidationError
from domain.imports import ImportResult, ImportStatement, StatementRefused, find_import, import_statement
from domain.model import StatementImport, User

api = Resource("imports")

MAX_FILE_BYTES = 16 * 1024 * 1024
"""A statement of 50,000 lines is a few megabytes; more is not a statement."""
MAX_REPORTED = 1000
"""Refused lines named in one answer (the detail says how many there were)."""

Column = Annotated[str, Field(min_length=1, max_length=100, pattern=SAFE_TEXT)]


class ImportQuery(Strict):
    """How to read the file; whatever is left out is found from its header row and the owner's locale."""

    date_column: Column | None = None
    """The column's header name, or its 0-based position ("0")."""
    description_column: Column | None = None
    amount_column: Column | None = None
    """One signed amount column; or debit_column and credit_column."""
    debit_column: Column | None = None
    credit_column: Column | None = None
    date_format: str | None = Field(default=None, max_length=40, pattern=r"^[^\x00-\x1f]*%[^\x00-\x1f]*$")
    """A strptime format such as %d/%m/%Y; left out, the format that reads every line."""
    decimal: Literal[",", "."] | None = None
    delimiter: Literal[",", ";", "tab", "|"] | None = None
    header: bool | None = None
    """true: the first line names the columns; false: none does (give positions); left out: found."""
    flip: bool = False
    """Expenses are positive in this file (credit-card statements): negate every amount."""


class StatementOut(Out):
    id: uuid.UUID
    account_id: uuid.UUID
    user_id: uuid.UUID
    file_hash: str
    lines: int
    recorded: int
    skipped: int
    """Lines an overlapping statement imported before, not recorded again."""
    created_at: datetime | None

    @classmethod
    def of(cls, record: StatementImport) -> StatementOut:
        return cls(
            id=record.id,
            account_id=record.account_id,
            user_id=record.user_id,
            file_hash=record.file_hash,
            lines=record.lines,
            recorded=record.recorded,
            skipped=record.skipped,
            created_at=record.created_at,
        )


class ReadOut(Out):
    """How the file was read."""

    encoding: str
    delimiter: str
    date_format: str
    decimal: str
    header_line: int | None
    columns: dict[str, str]
    """Role (date, description, amount, debit, credit) -> the column read for it ("#2": by position)."""
    balance_lines: list[int]
    """Lines that state a balance ("SALDO ANTERIOR", "Opening balance"): not transactions, not recorded."""


class ImportOut(Out):
    statement: StatementOut
    replayed: bool
    """true: this file had been imported into this account; nothing new was recorded."""
    skipped_lines: list[int]
    """Lines an earlier import recorded (an overlapping statement)."""
    read: ReadOut | None
    """null on a replay (the file is not read again)."""


@api.post(
    "/accounts/{account_id}/imports",
    response=ImportOut,
    body_media="text/csv",
    max_body=MAX_FILE_BYTES,
    query=ImportQuery,
    summary="Import a bank statement (CSV) into an account: every line or, when one is bad, none",
    conflicts=True,
)
async def import_statement_route(call: Call) -> ImportOut:
    data: bytes = call.body
    digest = file_hash(data)
    account_id = call.id("account_id")
    async with call.reading() as uow:
        account = await uow.accounts.get(account_id)
        if account is None:
            raise not_found("account")
        replay = await find_import(account.id, digest, uow)  # the same file answers alike, options aside
        if replay is not None:
            return _out(replay, None)
        owner = await uow.users.get(account.user_id)
        mine = [nlu.TenantMerchant(m.name, m.aliases, m.category) for m in await uow.merchants.list()]
    if owner is None:  # pragma: no cover - an account always has its user (a foreign key)
        raise not_found("account")
    parsed = await asyncio.to_thread(_parse, data, call.query, owner, mine)
    cmd = ImportStatement(account.id, digest, parsed.lines, parsed.problems)
    try:
        async with call.writing() as uow:
            result = await import_statement(cmd, uow, call.clock)
            out = _out(result, parsed)
            if not result.replayed:
                call.audit("create", "import", result.statement.id, None, out.statement)
    except StatementRefused as refused:
        raise _refusal(refused) from None
    return out


class ImportsQuery(ListQuery):
    account_id: uuid.UUID | None = None


@api.listing("/imports", item=StatementOut, query=ImportsQuery, summary="Imported statements, newest first")
async def list_imports(call: Call) -> Listed:
    account_id = call.query.account_id
    after = None
    if call.after:
        try:
            at, last = call.after
            after = (datetime.fromisoformat(str(at)), uuid.UUID(str(last)))
            if after[0].tzinfo is None:
                raise ValueError("a naive moment")
        except (TypeError, ValueError):  # a cursor made by hand
            raise field_problem(422, "query.cursor", "not a cursor this API made") from None
    async with call.reading() as uow:
        rows = await uow.imports.list(account_id=account_id, limit=call.limit + 1, after=after)
    page = rows[: call.limit]
    next_key = None
    if len(rows) > call.limit:
        last = page[-1]
        next_key = [last.created_at.isoformat() if last.created_at else "", str(last.id)]
    return Listed([StatementOut.of(row) for row in page], next_key)


@api.get("/imports/{import_id}", response=StatementOut, summary="One imported statement")
async def get_import(call: Call) -> StatementOut:
    async with call.reading() as uow:
        record = await uow.imports.get(call.id("import_id"))
    if record is None:
        raise not_found("import")
    return StatementOut.of(record)


def _parse(
    data: bytes, query: ImportQuery, owner: User, merchants: list[nlu.TenantMerchant]
) -> ParsedStatement:
    """The file read in the owner's language and locale (day-first dates, decimal mark); off the loop."""
    locale = Locale.parse(owner.locale)
    pattern = locale.date_formats["short"].pattern
    day_first = pattern.find("d") < pattern.find("M") or "M" not in pattern
    options = StatementOptions(
        **{f"{role}_column": _column(getattr(query, f"{role}_column")) for role in _ROLES},
        date_format=query.date_format,
        decimal=query.decimal,
        delimiter="\t" if query.delimiter == "tab" else query.delimiter,
        header=query.header,
        flip=query.flip,
    )
    try:
        return parse_statement(
            data,
            options,
            lang=str(owner.language),
            day_first=day_first,
            decimal_hint=get_decimal_symbol(locale),
            merchants=merchants,
        )
    except ValidationError as exc:
        where = "body" if exc.field == "body" else f"query.{exc.field}"
        raise field_problem(422, where, exc.message) from None


_ROLES = ("date", "description", "amount", "debit", "credit")


def _column(value: str | None) -> str | int | None:
    """A column parameter: digits are a 0-based position, anything else a header name."""
    if value is None:
        return None
    return int(value) if value.isdigit() and len(value) <= 3 else value


def _out(result: ImportResult, parsed: ParsedStatement | None) -> ImportOut:
    read = None
    if parsed is not None:
        read = ReadOut(
            encoding=parsed.encoding,
            delimiter=parsed.delimiter,
            date_format=parsed.date_format,
            decimal=parsed.decimal,
            header_line=parsed.header_line,
            columns=parsed.columns,
            balance_lines=list(parsed.balance_lines),
        )
    return ImportOut(
        statement=StatementOut.of(result.statement),
        replayed=result.replayed,
        skipped_lines=list(result.skipped_lines),
        read=read,
    )


def _refusal(refused: StatementRefused) -> Problem:
    """Every refused line as an error of its own ("body.line.14.amount"), so the file can be fixed at once."""
    problems = refused.problems
    errors = [
        FieldError(field=f"body.line.{p.line_no}.{p.field}", message=p.message)
        for p in problems[:MAX_REPORTED]
    ]
    shown = "" if len(problems) <= MAX_REPORTED else f" (the first {MAX_REPORTED} are listed)"
    detail = (
        f"{len(problems)} line(s) cannot be recorded{shown}, so none was: fix them and send the file again"
    )
    return Problem(422, detail, kind="validation", errors=errors)
