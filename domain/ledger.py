"""Writing the ledger: recording transactions idempotently, undoing, restoring and editing them with audit."""

from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import date, datetime

from domain import low_balance
from domain import validation as v
from domain.budgets import assess, raise_crossings, statuses
from domain.commands import AmountInput, EditLast, RecordTransaction, RestoreTransaction, UndoLast
from domain.errors import Conflict, NotFound, ValidationError
from domain.events import TransactionRecorded
from domain.lookup import require_user, user_account
from domain.model import Account, AuditRecord, Source, Transaction, TransactionKind, User, new_id
from domain.periods import local_today
from domain.ports import Clock, UnitOfWork
from domain.results import ChangeResult, RecordResult
from domain.transfers import pair_change


async def record_transaction(cmd: RecordTransaction, uow: UnitOfWork, clock: Clock) -> RecordResult:
    """Validate and store one expense or income, then raise any budget threshold it crosses.

    Replaying a (source, source_ref) already stored returns that transaction with created=False and writes
    nothing. Every check runs before the first write, so a refused command leaves the store untouched.
    """
    result = await _record(cmd, uow, clock)
    if result.created:
        await uow.commit()
    return result


async def record_transactions(
    cmds: list[RecordTransaction], uow: UnitOfWork, clock: Clock
) -> list[RecordResult]:
    """Several transactions of one message, all or none: one commit after every one was validated and added
    (a refused one rolls the others back when the unit of work ends uncommitted)."""
    results = [await _record(cmd, uow, clock) for cmd in cmds]
    await uow.commit()
    return results


async def record_occurrence(cmd: RecordTransaction, uow: UnitOfWork, clock: Clock) -> RecordResult:
    """record_transaction without the commit, for a use case that writes more in the same transaction (a
    recurring rule records its occurrence and moves its next due day together)."""
    return await _record(cmd, uow, clock)


async def _record(cmd: RecordTransaction, uow: UnitOfWork, clock: Clock) -> RecordResult:
    """record_transaction without the commit."""
    # Lock first: concurrent messages from one user must see each other's spending when crossing thresholds.
    user = await uow.users.lock(cmd.user_id)
    if user is None:
        raise NotFound("user", cmd.user_id)
    kind = v.transaction_kind(cmd.kind)
    source = v.source(cmd.source)
    source_ref = v.optional_text(cmd.source_ref, "source_ref", v.MAX_SOURCE_REF)
    today = local_today(clock, user.timezone)

    if source_ref is not None:
        stored = await uow.transactions.get_by_source(source.value, source_ref)
        if stored is not None:
            if stored.user_id != user.id:
                raise Conflict("source_ref", "this source id was already used for another user")
            # Same version as old and new: no change, so no crossing, just the budgets it counts against.
            effects = await assess(uow, user, today, stored, stored)
            return RecordResult(stored, created=False, budgets=statuses(effects))

    code = v.currency(user.currency if cmd.currency is None else cmd.currency)
    amount = v.positive_money(cmd.amount, code)
    category = v.category(cmd.category)
    merchant = v.optional_text(cmd.merchant, "merchant", v.MAX_MERCHANT)
    note = v.optional_text(cmd.note, "note", v.MAX_NOTE)
    occurred_on = today if cmd.occurred_on is None else v.occurred_on(cmd.occurred_on, today)
    account = await user_account(uow, user, cmd.account_id)
    household_id = await _household_of(uow, user, account, category, shared=cmd.shared)
    if household_id is not None:
        # Members write to the household's budgets concurrently: the household's row serialises them, so
        # each sees the others' spending and a threshold is crossed (and alerted) once.
        await uow.households.lock(household_id)
    now = clock.now()

    txn = Transaction(
        id=new_id(),
        tenant_id=user.tenant_id,
        user_id=user.id,
        account_id=account.id,
        kind=kind,
        amount=amount,
        occurred_on=occurred_on,
        merchant=merchant,
        category=category,
        note=note,
        source=source,
        source_ref=source_ref,
        created_at=now,
        household_id=household_id,
    )
    effects = await assess(uow, user, today, None, txn)
    await uow.transactions.add(txn)
    uow.emit(TransactionRecorded(tenant_id=user.tenant_id, user_id=user.id, transaction_id=txn.id))
    crossings = await raise_crossings(uow, user, effects, now, source)
    low = await low_balance.check(uow, user, account, source)
    return RecordResult(txn, created=True, budgets=statuses(effects), crossings=crossings, low_balance=low)


async def _household_of(
    uow: UnitOfWork, user: User, account: Account, category: str | None, *, shared: bool
) -> uuid.UUID | None:
    """The household whose spending this is: on its shared account, said to be the house's, or of a
    category the household budgets for. None: personal (only the user sees it)."""
    if account.household_id is not None:
        return account.household_id
    mine = await uow.households.membership(user.id)
    if mine is None:
        return None
    if shared:
        return mine.household_id
    # An all-spending shared budget does not make every expense the household's: only its categories do.
    budgeted = {b.category for b in await uow.budgets.shared_by(mine.household_id)}
    return mine.household_id if category is not None and category in budgeted else None


async def record_expense(cmd: RecordTransaction, uow: UnitOfWork, clock: Clock) -> RecordResult:
    """record_transaction with the kind forced to expense."""
    return await record_transaction(replace(cmd, kind=TransactionKind.EXPENSE), uow, clock)


async def record_income(cmd: RecordTransaction, uow: UnitOfWork, clock: Clock) -> RecordResult:
    """record_transaction with the kind forced to income."""
    return await record_transaction(replace(cmd, kind=TransactionKind.INCOME), uow, clock)


async def undo_last(
    cmd: UndoLast, uow: UnitOfWork, clock: Clock, *, source: Source | str = Source.CHAT
) -> ChangeResult:
    """Soft-delete the user's most recently recorded live transaction (`source`: who asked, see
    store_change)."""
    source = v.source(source)
    await uow.users.lock(cmd.user_id)
    user = await require_user(uow, cmd.user_id)
    before = await uow.transactions.latest(user.id)
    if before is None:
        raise NotFound("transaction", "nothing to undo")
    now = clock.now()
    return await store_change(uow, user, clock, "undo", before, replace(before, deleted_at=now), now, source)


async def restore_transaction(
    cmd: RestoreTransaction, uow: UnitOfWork, clock: Clock, *, source: Source | str = Source.CHAT
) -> ChangeResult:
    """Bring back an undone transaction of this user; restoring can cross a budget threshold."""
    source = v.source(source)
    await uow.users.lock(cmd.user_id)
    user = await require_user(uow, cmd.user_id)
    before = await uow.transactions.get(cmd.transaction_id)
    # Another user's transaction is reported exactly like a missing one: ids in commands are not trusted.
    if before is None or before.user_id != user.id:
        raise NotFound("transaction", cmd.transaction_id)
    if not before.is_deleted:
        raise Conflict("transaction_id", "this transaction was not undone")
    now = clock.now()
    return await store_change(
        uow, user, clock, "restore", before, replace(before, deleted_at=None), now, source
    )


async def edit_last(
    cmd: EditLast, uow: UnitOfWork, clock: Clock, *, source: Source | str = Source.CHAT
) -> ChangeResult:
    """Change the latest live transaction; a field left None keeps its value, "" clears merchant/category."""
    source = v.source(source)
    await uow.users.lock(cmd.user_id)
    user = await require_user(uow, cmd.user_id)
    before = await uow.transactions.latest(user.id)
    if before is None:
        raise NotFound("transaction", "nothing to edit")
    today = local_today(clock, user.timezone)
    after = await edited(
        uow,
        user,
        before,
        today,
        amount=cmd.amount,
        currency=cmd.currency,
        merchant=cmd.merchant,
        category=cmd.category,
        occurred_on=cmd.occurred_on,
        account_id=cmd.account_id,
    )
    if _editable(after) == _editable(before):
        raise ValidationError("edit", "nothing would change")
    return await store_change(uow, user, clock, "edit", before, after, clock.now(), source)


async def edited(
    uow: UnitOfWork,
    user: User,
    before: Transaction,
    today: date,
    *,
    amount: AmountInput = None,
    currency: str | None = None,
    merchant: str | None = None,
    category: str | None = None,
    note: str | None = None,
    occurred_on: date | None = None,
    account_id: uuid.UUID | None = None,
    kind: TransactionKind | str | None = None,
) -> Transaction:
    """`before` with the named fields validated and changed (the chat's edit and the operators' update):
    None keeps a field, "" clears merchant, category or note."""
    code = before.amount.currency if currency is None else v.currency(currency)
    if amount is not None:
        money = v.positive_money(amount, code)
    else:
        # A new currency alone re-checks the old amount's precision, and the problem is then the currency.
        money = v.positive_money(before.amount.amount, code, field="currency")
    after = replace(
        before,
        amount=money,
        kind=before.kind if kind is None else v.transaction_kind(kind),
        category=before.category if category is None else v.category(category),
        occurred_on=before.occurred_on if occurred_on is None else v.occurred_on(occurred_on, today),
    )
    if merchant is not None:
        after.merchant = v.optional_text(merchant, "merchant", v.MAX_MERCHANT)
    if note is not None:
        after.note = v.optional_text(note, "note", v.MAX_NOTE)
    if account_id is not None:
        after.account_id = (await user_account(uow, user, account_id)).id
    return after


def _editable(txn: Transaction) -> tuple[object, ...]:
    return (txn.amount, txn.merchant, txn.category, txn.occurred_on, txn.account_id)


async def store_change(
    uow: UnitOfWork,
    user: User,
    clock: Clock,
    action: str,
    before: Transaction,
    after: Transaction,
    now: datetime,
    source: Source,
) -> ChangeResult:
    """Store a new version of a transaction with its audit record and any threshold it crosses; commit.

    A transfer leg takes the other leg along (amount, day, note, deletion; domain.transfers.pair_change
    refuses what would break the pair), each with its own audit record; neither counts against a budget.
    `source` is where the change came from, not the transaction's own source: a chat edit of an imported
    expense is answered in the chat, so the user sees its alerts there and needs no push.
    """
    changes = [(before, after)]
    if before.is_transfer:
        changes.append(await pair_change(uow, before, after))
    effects = await assess(uow, user, local_today(clock, user.timezone), before, after)
    for old, new in changes:
        if new == old:
            continue  # the other leg of a change that only concerned this one (its merchant, say)
        await uow.transactions.update(new)
        await uow.audit.add(
            AuditRecord(
                id=new_id(),
                tenant_id=user.tenant_id,
                user_id=user.id,
                transaction_id=old.id,
                action=action,
                before=snapshot(old),
                after=snapshot(new),
                at=now,
            )
        )
    crossings = await raise_crossings(uow, user, effects, now, source)
    # An undo, restore or edit moves balances too: each account it touched is checked against its warning.
    lows = []
    for account_id in dict.fromkeys(t.account_id for pair in changes for t in pair):
        account = await uow.accounts.get(account_id)
        if account is not None:
            lows.append(await low_balance.check(uow, user, account, source))
    await uow.commit()
    paired = changes[1] if len(changes) > 1 else None
    return ChangeResult(
        before=before,
        after=after,
        budgets=statuses(effects),
        crossings=crossings,
        paired=paired,
        low_balance=next((low for low in lows if low is not None), None),
    )


def snapshot(txn: Transaction) -> dict[str, object]:
    """A transaction as plain JSON values (strings for ids, amounts and dates) for the audit trail."""

    def moment(value: datetime | None) -> str | None:
        return None if value is None else value.isoformat()

    return {
        "id": str(txn.id),
        "user_id": str(txn.user_id),
        "account_id": str(txn.account_id),
        "kind": str(txn.kind),
        "amount": str(txn.amount.quantized().amount),
        "currency": txn.amount.currency,
        "occurred_on": txn.occurred_on.isoformat(),
        "merchant": txn.merchant,
        "category": txn.category,
        "note": txn.note,
        "source": str(txn.source),
        "source_ref": txn.source_ref,
        "created_at": moment(txn.created_at),
        "deleted_at": moment(txn.deleted_at),
        "transfer_id": None if txn.transfer_id is None else str(txn.transfer_id),
    }


__all__ = [
    "edit_last",
    "record_expense",
    "record_income",
    "record_transaction",
    "restore_transaction",
    "snapshot",
    "store_change",
    "undo_last",
]
