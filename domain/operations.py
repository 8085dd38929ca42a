"""Operators' use cases (the admin API): any transaction of the tenant by id, its history, and listings."""

from __future__ import annotations

import uuid
from dataclasses import replace

from domain import validation as v
from domain.commands import DeleteTransaction, RestoreTransactionById, UpdateTransaction
from domain.errors import Conflict, NotFound, ValidationError
from domain.ledger import edited, store_change
from domain.lookup import require_user
from domain.model import AuditRecord, Source, Transaction, TransactionPosition, User
from domain.periods import local_today
from domain.ports import Clock, DeletedRows, TransactionQuery, UnitOfWork
from domain.results import ChangeResult, TransactionPage

MAX_PAGE_SIZE = 1000
"""Largest page of an operator's listing (the CSV export reads the whole listing in pages this big)."""
MAX_SEARCH_TEXT = 200


async def update_transaction(
    cmd: UpdateTransaction, uow: UnitOfWork, clock: Clock, *, source: Source | str = Source.ADMIN_API
) -> ChangeResult:
    """Change any live transaction of the tenant; None keeps a field, "" clears merchant, category or note.

    Audited as "edit" and assessed against the owner's budgets like a chat edit (crossings are raised with
    `source`). A change that changes nothing writes nothing and returns before == after (`changed` False).
    On a transfer leg, amount, day and note apply to both legs; kind, currency and an account that would
    break the pair are refused.
    """
    source = v.source(source)
    before, user = await _load_locked(uow, cmd.transaction_id)
    if before.is_deleted:
        raise Conflict("transaction_id", "this transaction is deleted: restore it before changing it")
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
        note=cmd.note,
        occurred_on=cmd.occurred_on,
        account_id=cmd.account_id,
        kind=cmd.kind,
    )
    if after == before:
        return ChangeResult(before=before, after=before)
    return await store_change(uow, user, clock, "edit", before, after, clock.now(), source)


async def delete_transaction(
    cmd: DeleteTransaction, uow: UnitOfWork, clock: Clock, *, source: Source | str = Source.ADMIN_API
) -> ChangeResult:
    """Soft-delete any live transaction of the tenant (both legs of a transfer), audited as "delete"."""
    source = v.source(source)
    before, user = await _load_locked(uow, cmd.transaction_id)
    if before.is_deleted:
        raise Conflict("transaction_id", "this transaction is already deleted")
    now = clock.now()
    return await store_change(
        uow, user, clock, "delete", before, replace(before, deleted_at=now), now, source
    )


async def restore_transaction_by_id(
    cmd: RestoreTransactionById, uow: UnitOfWork, clock: Clock, *, source: Source | str = Source.ADMIN_API
) -> ChangeResult:
    """Bring back any deleted transaction of the tenant (both legs of a transfer), audited as "restore";
    restoring can cross a budget threshold."""
    source = v.source(source)
    before, user = await _load_locked(uow, cmd.transaction_id)
    if not before.is_deleted:
        raise Conflict("transaction_id", "this transaction is not deleted")
    now = clock.now()
    after = replace(before, deleted_at=None)
    return await store_change(uow, user, clock, "restore", before, after, now, source)


async def get_transaction(transaction_id: uuid.UUID, uow: UnitOfWork) -> Transaction:
    """Any transaction of the tenant, deleted or not; NotFound otherwise (another tenant's id included)."""
    found = await uow.transactions.get(transaction_id)
    if found is None:
        raise NotFound("transaction", transaction_id)
    return found


async def transaction_history(transaction_id: uuid.UUID, uow: UnitOfWork) -> list[AuditRecord]:
    """The audit trail of one transaction of the tenant, oldest first."""
    await get_transaction(transaction_id, uow)
    return sorted(await uow.audit.list_for(transaction_id), key=lambda record: record.at)


async def search_transactions(
    query: TransactionQuery, uow: UnitOfWork, *, after: TransactionPosition | None = None, limit: int = 50
) -> TransactionPage:
    """One page of the tenant's transactions matching `query`, newest first (by day, then as stored).

    Pages follow each other by position, not offset: listing while transactions are written neither skips
    a row that existed when the listing started nor shows one twice.
    """
    limit = v.bounded_int(limit, "limit", 1, MAX_PAGE_SIZE)
    if query.from_day is not None and query.to_day is not None and query.to_day < query.from_day:
        raise ValidationError("to_day", "must not be before from_day")
    checked = replace(
        query,
        kind=None if query.kind is None else v.transaction_kind(query.kind),
        category=v.category(query.category),
        merchant=v.optional_text(query.merchant, "merchant", v.MAX_MERCHANT),
        text=v.optional_text(query.text, "text", MAX_SEARCH_TEXT),
        deleted=_deleted(query.deleted),
    )
    rows = await uow.transactions.page(checked, after, limit + 1)
    items = tuple(rows[:limit])
    following = TransactionPosition.of(items[-1]) if len(rows) > limit else None
    return TransactionPage(items=items, next=following)


_DELETED: dict[object, DeletedRows] = {"exclude": "exclude", "include": "include", "only": "only"}


def _deleted(value: object) -> DeletedRows:
    if value not in _DELETED:
        raise ValidationError("deleted", "must be one of: exclude, include, only")
    return _DELETED[value]


async def _load_locked(uow: UnitOfWork, transaction_id: uuid.UUID) -> tuple[Transaction, User]:
    """The transaction and its owner, the owner locked like every writer does (concurrent writers for one
    user serialize); read again after the lock, since a change may have committed while this one waited."""
    found = await get_transaction(transaction_id, uow)
    await uow.users.lock(found.user_id)
    user = await require_user(uow, found.user_id)
    return await get_transaction(transaction_id, uow), user


__all__ = [
    "MAX_PAGE_SIZE",
    "delete_transaction",
    "get_transaction",
    "restore_transaction_by_id",
    "search_transactions",
    "transaction_history",
    "update_transaction",
]
