"""Changing one of a user's own earlier transactions (chosen by reference), and taking that change back."""

from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import date
from decimal import Decimal

from domain.errors import Conflict, NotFound
from domain.ledger import edited, store_change
from domain.lookup import require_user
from domain.model import AuditRecord, Source, Transaction, User
from domain.periods import local_today
from domain.ports import Clock, UnitOfWork
from domain.results import ChangeResult

REVERTIBLE = frozenset({"delete", "edit"})
"""Audit actions an undo takes back when they are the user's latest change (see latest_change)."""


async def _own(uow: UnitOfWork, user_id: uuid.UUID, transaction_id: uuid.UUID) -> tuple[Transaction, User]:
    """The user's live transaction, read after locking the user; another user's is reported as missing."""
    await uow.users.lock(user_id)
    user = await require_user(uow, user_id)
    txn = await uow.transactions.get(transaction_id)
    if txn is None or txn.user_id != user.id:
        raise NotFound("transaction", transaction_id)
    if txn.is_deleted:
        raise Conflict("transaction_id", "this transaction is deleted")
    return txn, user


async def delete_own(
    uow: UnitOfWork, clock: Clock, user_id: uuid.UUID, transaction_id: uuid.UUID
) -> ChangeResult:
    """Soft-delete one of the user's transactions (audited as "delete"; both legs of a transfer)."""
    before, user = await _own(uow, user_id, transaction_id)
    now = clock.now()
    return await store_change(
        uow, user, clock, "delete", before, replace(before, deleted_at=now), now, Source.CHAT
    )


async def edit_own(
    uow: UnitOfWork,
    clock: Clock,
    user_id: uuid.UUID,
    transaction_id: uuid.UUID,
    *,
    amount: Decimal | None = None,
    currency: str | None = None,
    category: str | None = None,
) -> ChangeResult:
    """Change the amount (and currency) or category of one of the user's transactions, audited as "edit"."""
    before, user = await _own(uow, user_id, transaction_id)
    today = local_today(clock, user.timezone)
    after = await edited(uow, user, before, today, amount=amount, currency=currency, category=category)
    if after == before:
        return ChangeResult(before=before, after=before)
    return await store_change(uow, user, clock, "edit", before, after, clock.now(), Source.CHAT)


async def latest_change(uow: UnitOfWork, user_id: uuid.UUID) -> AuditRecord | None:
    """The user's latest delete or edit of an earlier transaction, if nothing was recorded since: what
    "undo" then takes back. An edit of the latest transaction is not one (undo deletes it, as before)."""
    record = await uow.audit.latest_for_user(user_id)
    if record is None or record.action not in REVERTIBLE:
        return None
    latest = await uow.transactions.latest(user_id)
    if latest is not None:
        if latest.created_at is not None and latest.created_at > record.at:
            return None
        if record.action == "edit" and latest.id == record.transaction_id:
            return None
    return record


async def revert(uow: UnitOfWork, clock: Clock, user_id: uuid.UUID, record: AuditRecord) -> ChangeResult:
    """Take back a change latest_change found: a delete is restored ("restore"), an edit is set back to the
    amount, currency and category it had ("revert")."""
    await uow.users.lock(user_id)
    user = await require_user(uow, user_id)
    before = await uow.transactions.get(record.transaction_id)
    if before is None or before.user_id != user.id:
        raise NotFound("transaction", record.transaction_id)
    now = clock.now()
    if record.action == "delete":
        if not before.is_deleted:
            raise Conflict("transaction_id", "this transaction is not deleted")
        return await store_change(
            uow, user, clock, "restore", before, replace(before, deleted_at=None), now, Source.CHAT
        )
    if before.is_deleted:
        raise Conflict("transaction_id", "this transaction is deleted")
    old = record.before
    after = await edited(
        uow,
        user,
        before,
        local_today(clock, user.timezone),
        amount=Decimal(str(old["amount"])),
        currency=str(old["currency"]),
        category="" if old.get("category") is None else str(old["category"]),
        occurred_on=date.fromisoformat(str(old["occurred_on"])),
    )
    return await store_change(uow, user, clock, "revert", before, after, now, Source.CHAT)


__all__ = ["REVERTIBLE", "delete_own", "edit_own", "latest_change", "revert"]
