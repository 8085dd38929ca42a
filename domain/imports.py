"""Importing a bank statement into an account: every line checked first, then all recorded or none.

Decisions (an operator uploading a file expects these):
- All or none. A file with a bad line records nothing, and the answer names every bad line. Recording the
  good lines would make the corrected file, re-uploaded, record them twice: it is another file (another hash).
- Idempotent per file: the same bytes for the same account answer the first import and record nothing; the
  same bytes for another account are refused (a statement is one account's: both would count every line).
- Overlapping statements (January-February, then February-March) do not record February twice: a line equal
  to one an earlier import recorded in the account (day, direction, amount, description) is skipped, counting
  repeats (two identical coffees in the file and one stored: one more is recorded).
- Budgets: only the current period of each budget is assessed, once, after the whole file: history never
  alerts about a period that is over, and a threshold is crossed (and pushed) once, however many lines
  cross it.
"""

from __future__ import annotations

import re
import uuid
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from domain import validation as v
from domain.budgets import assess_added, raise_crossings
from domain.errors import Conflict, DomainError, NotFound, ValidationError
from domain.events import BudgetThresholdCrossed, StatementImported
from domain.lookup import require_user
from domain.model import Account, Period, Source, StatementImport, Transaction, TransactionKind, new_id
from domain.periods import local_today
from domain.ports import Clock, UnitOfWork

MAX_LINES = 50_000
"""Lines in one statement file: a year of a busy business account, and still one transaction to commit."""
_FILE_HASH = re.compile(r"[0-9a-f]{64}")


@dataclass(frozen=True, slots=True)
class StatementLine:
    """One line of a statement, read by the parser (bot/admin/statements.py)."""

    line_no: int
    """The line's number in the file (1 = the first line), for the operator to find it."""
    occurred_on: date
    description: str
    amount: Decimal
    """Signed: negative is an expense, positive an income (the parser applies the file's convention)."""
    merchant: str | None = None
    category: str | None = None


@dataclass(frozen=True, slots=True)
class LineProblem:
    """Why one line cannot be recorded."""

    line_no: int
    field: str
    message: str
    reason: str = "invalid"


@dataclass(frozen=True, slots=True)
class ImportStatement:
    account_id: uuid.UUID
    file_hash: str
    """sha256 of the uploaded bytes (hex)."""
    lines: Sequence[StatementLine]
    unreadable: Sequence[LineProblem] = ()
    """Lines the parser could not read: the import is refused, naming them with any the checks here find."""


class StatementRefused(ValidationError):
    """Some lines cannot be recorded, so none was: `problems` names each of them."""

    def __init__(self, problems: Sequence[LineProblem]) -> None:
        super().__init__("lines", f"{len(problems)} line(s) cannot be recorded", reason="lines_refused")
        self.problems = tuple(problems)


@dataclass(frozen=True, slots=True)
class ImportResult:
    statement: StatementImport
    replayed: bool
    """True when this file had been imported into the account before: nothing new was recorded, and
    `statement` is that first import."""
    skipped_lines: tuple[int, ...] = ()
    """Lines an overlapping earlier import had recorded (empty on a replay)."""
    crossings: tuple[BudgetThresholdCrossed, ...] = field(default=())


async def find_import(account_id: uuid.UUID, file_hash: str, uow: UnitOfWork) -> ImportResult | None:
    """The earlier import of this file into this account, as a replay; None when there is none. Callers
    check this before parsing, so the same file answers the same whatever mapping options come with it.

    A file already imported into another account is a Conflict: a statement is one account's, and the
    same lines in two accounts would count every expense twice."""
    stored = await uow.imports.get_by_hash(file_hash)
    if stored is not None and stored.account_id != account_id:
        raise Conflict("account_id", f"this file was imported into another account ({stored.account_id})")
    return None if stored is None else ImportResult(stored, replayed=True)


async def import_statement(cmd: ImportStatement, uow: UnitOfWork, clock: Clock) -> ImportResult:
    """Record the statement's lines in the account with source=import, or refuse them all (see above)."""
    if not isinstance(cmd.file_hash, str) or not _FILE_HASH.fullmatch(cmd.file_hash):
        raise ValidationError("file_hash", "must be a sha256 in lower-case hex")
    account = await uow.accounts.get(cmd.account_id)
    if account is None:
        raise NotFound("account", cmd.account_id)
    await uow.users.lock(account.user_id)
    user = await require_user(uow, account.user_id)
    replay = await find_import(account.id, cmd.file_hash, uow)
    if replay is not None:
        return replay
    if not cmd.lines and not cmd.unreadable:
        raise ValidationError("lines", "the statement has no lines", reason="empty")
    if len(cmd.lines) > MAX_LINES:
        raise ValidationError("lines", f"a statement has at most {MAX_LINES} lines", reason="too_many")

    now = clock.now()
    today = local_today(clock, user.timezone)
    prefix = cmd.file_hash[:32]
    txns: list[tuple[int, Transaction]] = []
    problems: list[LineProblem] = list(cmd.unreadable)
    seen: set[int] = {problem.line_no for problem in cmd.unreadable}
    for line in cmd.lines:
        try:
            if line.line_no in seen or line.line_no < 1:
                raise ValidationError("line_no", "line numbers are positive and unique")
            seen.add(line.line_no)
            txn = _transaction(line, account, today)
        except DomainError as exc:
            where = getattr(exc, "field", "line")
            reason = getattr(exc, "reason", "invalid")
            problems.append(LineProblem(line.line_no, where, getattr(exc, "message", str(exc)), reason))
            continue
        txn.source_ref = f"{prefix}:{line.line_no}"
        txn.created_at = now
        txns.append((line.line_no, txn))
    if problems:
        raise StatementRefused(sorted(problems, key=lambda problem: problem.line_no))

    new, skipped = await _unrecorded(uow, account, txns)
    record = StatementImport(
        id=new_id(),
        tenant_id=account.tenant_id,
        account_id=account.id,
        user_id=user.id,
        file_hash=cmd.file_hash,
        lines=len(txns),
        recorded=len(new),
        created_at=now,
    )
    if not await uow.imports.add_if_absent(record):
        # The same file imported concurrently: the first one won and is the answer.
        replay = await find_import(account.id, cmd.file_hash, uow)
        if replay is None:  # pragma: no cover - the row that refused ours is there once it committed
            raise RuntimeError("an import of this file was refused but cannot be read")
        return replay
    effects = await assess_added(uow, user, today, new)  # measured before the lines are written
    await uow.transactions.add_many(new)
    crossings = await raise_crossings(uow, user, effects, now, Source.IMPORT)
    uow.emit(
        StatementImported(
            tenant_id=account.tenant_id,
            user_id=user.id,
            account_id=account.id,
            import_id=record.id,
            recorded=len(new),
        )
    )
    await uow.commit()
    return ImportResult(record, replayed=False, skipped_lines=tuple(skipped), crossings=crossings)


def _transaction(line: StatementLine, account: Account, today: date) -> Transaction:
    """The line as a new transaction of the account, or a ValidationError naming the field."""
    if isinstance(line.amount, float) or not isinstance(line.amount, Decimal | int):
        raise ValidationError("amount", "must be a decimal number")
    if line.amount == 0:
        raise ValidationError("amount", "zero is neither an expense nor an income", reason="not_positive")
    kind = TransactionKind.EXPENSE if line.amount < 0 else TransactionKind.INCOME
    return Transaction(
        id=new_id(),
        tenant_id=account.tenant_id,
        user_id=account.user_id,
        account_id=account.id,
        kind=kind,
        amount=v.positive_money(abs(line.amount), account.currency),
        occurred_on=v.occurred_on(line.occurred_on, today),
        merchant=v.optional_text(line.merchant, "merchant", v.MAX_MERCHANT),
        category=v.category(line.category),
        note=v.optional_text(line.description, "description", v.MAX_NOTE),
        source=Source.IMPORT,
    )


def _line_key(txn: Transaction) -> tuple[object, ...]:
    return (txn.occurred_on, txn.kind, txn.amount.quantized(), (txn.note or "").casefold())


async def _unrecorded(
    uow: UnitOfWork, account: Account, txns: list[tuple[int, Transaction]]
) -> tuple[list[Transaction], list[int]]:
    """(transactions to record, line numbers skipped) against what earlier imports recorded."""
    if not txns:
        return [], []
    days = [txn.occurred_on for _, txn in txns]
    stored = await uow.imports.recorded_lines(account.id, Period(min(days), max(days)))
    left = Counter(_line_key(txn) for txn in stored)
    new: list[Transaction] = []
    skipped: list[int] = []
    for line_no, txn in txns:
        key = _line_key(txn)
        if left[key] > 0:
            left[key] -= 1
            skipped.append(line_no)
        else:
            new.append(txn)
    return new, skipped


__all__ = [
    "MAX_LINES",
    "ImportResult",
    "ImportStatement",
    "LineProblem",
    "StatementLine",
    "StatementRefused",
    "find_import",
    "import_statement",
]
