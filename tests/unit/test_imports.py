"""import_statement: all or none, idempotent per file, overlapping files, budgets alerted for now only."""

from __future__ import annotations

import hashlib
import uuid
from datetime import date
from decimal import Decimal

import pytest

from domain.commands import AddAccount
from domain.errors import Conflict, NotFound, ValidationError
from domain.events import BudgetThresholdCrossed, StatementImported, TransactionRecorded
from domain.imports import (
    ImportResult,
    ImportStatement,
    LineProblem,
    StatementLine,
    StatementRefused,
    find_import,
    import_statement,
)
from domain.model import Account, Source, Transaction, TransactionKind
from domain.money import Money
from domain.services import add_account
from tests.unit.world import World

TODAY = date(2024, 3, 15)  # the world's day in São Paulo


def digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def line(
    no: int, amount: str, description: str = "PADARIA", day: date = TODAY, **kw: object
) -> StatementLine:
    return StatementLine(no, day, description, Decimal(amount), **kw)  # type: ignore[arg-type]


async def account_of(world: World) -> Account:
    async with world.uow() as uow:
        account = await uow.accounts.default_for(world.user.id)
    assert account is not None
    return account


async def run(world: World, lines: list[StatementLine], file: str = "file-1", **kw: object) -> ImportResult:
    account = kw.pop("account", None) or await account_of(world)
    cmd = ImportStatement(account.id, digest(file), lines, **kw)  # type: ignore[arg-type, union-attr]
    result: ImportResult = await world.run(import_statement, cmd)
    return result


def ledger(world: World) -> list[Transaction]:
    return list(world.db.store.transactions.values())


async def test_lines_are_recorded_as_imported_transactions() -> None:
    world = await World.create()
    lines = [
        line(2, "-45.90", "PAG*PADARIA DO ZE", merchant="Padaria do Zé", category="dining"),
        line(3, "5000", "SALARIO ACME", day=date(2024, 3, 1), category="salary"),
    ]
    result = await run(world, lines)
    assert not result.replayed
    assert (result.statement.lines, result.statement.recorded, result.statement.skipped) == (2, 2, 0)
    expense, income = ledger(world)
    assert expense.kind == TransactionKind.EXPENSE and expense.amount == Money.of("45.90", "BRL")
    assert (expense.merchant, expense.category, expense.note) == (
        "Padaria do Zé",
        "dining",
        "PAG*PADARIA DO ZE",
    )
    assert expense.source == Source.IMPORT and expense.source_ref == f"{digest('file-1')[:32]}:2"
    assert expense.occurred_on == TODAY
    assert income.kind == TransactionKind.INCOME and income.amount == Money.of("5000", "BRL")
    assert income.occurred_on == date(2024, 3, 1) and income.source_ref.endswith(":3")  # type: ignore[union-attr]
    # One event for the file, not one per line.
    assert [type(e) for e in world.events()] == [StatementImported]
    assert not any(isinstance(e, TransactionRecorded) for e in world.events())
    assert world.db.commits == 3  # tenant, user, this import: one commit


async def test_the_same_file_again_answers_the_first_import_and_records_nothing() -> None:
    world = await World.create()
    first = await run(world, [line(2, "-10"), line(3, "-20")])
    snapshot = world.snapshot()
    again = await run(world, [line(2, "-10"), line(3, "-20")])
    assert again.replayed and again.statement == first.statement
    assert world.snapshot() == snapshot
    # Whatever lines come with it: the file (its hash) is what was imported.
    assert (await run(world, [line(2, "-99")])).statement == first.statement
    async with world.uow() as uow:
        found = await find_import(first.statement.account_id, digest("file-1"), uow)
        assert found is not None and found.replayed and found.statement == first.statement
        assert await find_import(first.statement.account_id, digest("other"), uow) is None


async def test_the_same_file_into_another_account_is_refused() -> None:
    world = await World.create()
    savings = await world.run(add_account, AddAccount(user_id=world.user.id, name="Poupança"))
    await run(world, [line(2, "-10")])
    snapshot = world.snapshot()
    with pytest.raises(Conflict) as refused:
        await run(world, [line(2, "-10")], account=savings)
    assert refused.value.field == "account_id"
    assert world.snapshot() == snapshot
    other = await run(world, [line(2, "-10")], file="another file", account=savings)
    assert other.statement.account_id == savings.id and other.statement.recorded == 1


async def test_every_bad_line_is_named_and_nothing_is_recorded() -> None:
    world = await World.create()
    snapshot = world.snapshot()
    lines = [
        line(2, "-10"),
        line(3, "0"),
        line(4, "-1.234"),  # BRL has two decimals
        line(5, "-10", day=date(2024, 3, 20)),  # in the future
        line(6, "-10", day=date(1999, 12, 31)),
        line(7, "-10", "x" * 501),
        line(8, "-10", category="food"),
        line(9, "-10", merchant="m" * 121),
        line(10, "-2000000000000"),
    ]
    unreadable = [LineProblem(11, "date", "'32/13/2024' is not a date")]
    with pytest.raises(StatementRefused) as refused:
        await run(world, lines, unreadable=unreadable)
    problems = {p.line_no: p.field for p in refused.value.problems}
    assert problems == {
        3: "amount",
        4: "amount",
        5: "occurred_on",
        6: "occurred_on",
        7: "description",
        8: "category",
        9: "merchant",
        10: "amount",
        11: "date",
    }
    assert [p.line_no for p in refused.value.problems] == sorted(problems)
    assert refused.value.field == "lines"
    assert world.snapshot() == snapshot and not world.db.store.imports


async def test_lines_the_parser_could_not_read_refuse_the_file_alone() -> None:
    world = await World.create()
    with pytest.raises(StatementRefused) as refused:
        await run(world, [], unreadable=[LineProblem(2, "line", "contains a NUL character", "binary")])
    assert [(p.line_no, p.reason) for p in refused.value.problems] == [(2, "binary")]


@pytest.mark.parametrize(
    ("lines", "file_hash", "field"),
    [
        ([], digest("x"), "lines"),
        ([line(2, "-1")], "not-a-hash", "file_hash"),
        ([line(2, "-1")], digest("x").upper(), "file_hash"),
        ([line(2, "-1"), line(2, "-2")], digest("x"), "lines"),  # a line number twice
        ([line(0, "-1")], digest("x"), "lines"),
    ],
)
async def test_a_malformed_command_is_refused(lines: list[StatementLine], file_hash: str, field: str) -> None:
    world = await World.create()
    account = await account_of(world)
    with pytest.raises(ValidationError) as refused:
        await world.run(import_statement, ImportStatement(account.id, file_hash, lines))
    assert refused.value.field == field
    assert not ledger(world)


async def test_a_float_amount_is_refused() -> None:
    world = await World.create()
    bad = StatementLine(2, TODAY, "x", 1.5)  # type: ignore[arg-type]
    with pytest.raises(StatementRefused) as refused:
        await run(world, [bad])
    assert refused.value.problems[0].field == "amount"


async def test_an_unknown_or_another_tenants_account_is_not_found() -> None:
    world = await World.create()
    with pytest.raises(NotFound):
        await world.run(import_statement, ImportStatement(uuid.uuid4(), digest("x"), [line(2, "-1")]))
    other = await World.create(slug="outra")
    theirs = await account_of(other)
    other.db = world.db
    with pytest.raises(NotFound):
        await world.run(import_statement, ImportStatement(theirs.id, digest("x"), [line(2, "-1")]))


async def test_an_overlapping_statement_records_only_what_is_new() -> None:
    world = await World.create()
    feb = [line(2, "-4.50", "CAFE", day=date(2024, 2, 28)), line(3, "-4.50", "CAFE", day=date(2024, 2, 28))]
    await run(world, [*feb, line(4, "-30", "UBER", day=date(2024, 3, 1))], file="jan-mar1")
    overlapping = [
        line(2, "-4.50", "CAFE", day=date(2024, 2, 28)),  # recorded before
        line(3, "-4.50", "Cafe", day=date(2024, 2, 28)),  # the second one recorded before (case aside)
        line(4, "-4.50", "CAFE", day=date(2024, 2, 28)),  # a third coffee that day: new
        line(5, "-30", "UBER", day=date(2024, 3, 1)),  # recorded before
        line(6, "-31", "UBER", day=date(2024, 3, 1)),  # another amount: new
        line(7, "30", "UBER", day=date(2024, 3, 1)),  # a refund, not the expense: new
    ]
    result = await run(world, overlapping, file="feb-mar")
    assert (result.statement.lines, result.statement.recorded, result.statement.skipped) == (6, 3, 3)
    assert result.skipped_lines == (2, 3, 5)
    assert len(ledger(world)) == 6


async def test_an_undone_imported_line_is_not_brought_back_by_an_overlapping_statement() -> None:
    world = await World.create()
    await run(world, [line(2, "-10", "X")], file="a")
    txn = ledger(world)[0]
    async with world.uow() as uow:
        txn.deleted_at = world.clock.now()
        await uow.transactions.update(txn)
        await uow.commit()
    result = await run(world, [line(2, "-10", "X")], file="b")
    assert result.statement.recorded == 0 and result.skipped_lines == (2,)


async def test_history_never_alerts_and_this_period_alerts_once_per_threshold() -> None:
    world = await World.create()
    await world.budget("100", "groceries")
    past = [line(n, "-60", "MERCADO", day=date(2024, 2, 10), category="groceries") for n in range(2, 12)]
    result = await run(world, past, file="february")
    assert result.crossings == () and not world.alerts()

    now = [line(n, "-30", "MERCADO", category="groceries") for n in range(2, 6)]  # 30, 60, 90, 120
    result = await run(world, now, file="march")
    assert [c.threshold for c in result.crossings] == [80, 100]
    alerts = world.alerts()
    assert [(a.threshold, a.source, a.spent) for a in alerts] == [
        (80, "import", Money.of("120", "BRL")),
        (100, "import", Money.of("120", "BRL")),
    ]
    assert all(isinstance(a, BudgetThresholdCrossed) for a in alerts)


async def test_a_crossing_already_alerted_this_period_is_not_alerted_again() -> None:
    world = await World.create()
    await world.budget("100", "groceries")
    await world.expense("85", "groceries")  # 80% crossed in the chat
    assert [a.threshold for a in world.alerts()] == [80]
    await run(world, [line(2, "-20", "MERCADO", category="groceries")])
    assert [a.threshold for a in world.alerts()] == [80, 100]


async def test_income_lines_do_not_count_against_budgets() -> None:
    world = await World.create()
    await world.budget("100", None)
    result = await run(world, [line(2, "500", "PIX RECEBIDO")])
    assert result.crossings == ()
