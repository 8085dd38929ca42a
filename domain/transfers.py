"""Transfers between one user's accounts: two legs sharing a transfer_id, kept in step when one changes."""

from __future__ import annotations

import uuid
from dataclasses import replace

from domain import validation as v
from domain.commands import RecordTransfer
from domain.errors import Conflict, ValidationError
from domain.events import TransactionRecorded
from domain.lookup import require_user
from domain.model import Account, Transaction, TransactionKind, User, new_id
from domain.periods import local_today
from domain.ports import Clock, TransactionQuery, UnitOfWork
from domain.results import TransferResult

OUT_SUFFIX = ":out"
IN_SUFFIX = ":in"
"""A transfer's (source, source_ref) is stored on its legs as source_ref + suffix: the unique constraint on
(source, source_ref) then keeps each leg, and so the transfer, recorded once."""


async def record_transfer(cmd: RecordTransfer, uow: UnitOfWork, clock: Clock) -> TransferResult:
    """Move money between two accounts of one user, in their (shared) currency; commit once.

    A transfer is neither spending nor earning: budgets and spending summaries leave its legs out, balances
    count them. Replaying a (source, source_ref) already stored returns that transfer with created=False.
    """
    await uow.users.lock(cmd.user_id)
    user = await require_user(uow, cmd.user_id)
    source = v.source(cmd.source)
    source_ref = v.optional_text(cmd.source_ref, "source_ref", v.MAX_SOURCE_REF - len(OUT_SUFFIX))
    if source_ref is not None:
        stored = await uow.transactions.get_by_source(source.value, source_ref + OUT_SUFFIX)
        if stored is not None:
            if stored.user_id != user.id or not stored.is_transfer:
                raise Conflict("source_ref", "this source id was already used for something else")
            outgoing, incoming = await legs(uow, stored)
            return TransferResult(outgoing, incoming, created=False)

    if cmd.from_account_id == cmd.to_account_id:
        raise ValidationError("to_account_id", "must be another account than from_account_id")
    origin = await _own_account(uow, user, cmd.from_account_id, "from_account_id")
    target = await _own_account(uow, user, cmd.to_account_id, "to_account_id")
    if origin.currency != target.currency:
        raise ValidationError(
            "to_account_id",
            f"holds {target.currency} and from_account_id holds {origin.currency}: a transfer moves one "
            "currency between accounts that hold it",
            reason="currency_mismatch",
        )
    code = origin.currency
    if cmd.currency is not None and v.currency(cmd.currency) != code:
        raise ValidationError("currency", f"both accounts hold {code}", reason="currency_mismatch")
    amount = v.positive_money(cmd.amount, code)
    today = local_today(clock, user.timezone)
    occurred_on = today if cmd.occurred_on is None else v.occurred_on(cmd.occurred_on, today)
    note = v.optional_text(cmd.note, "note", v.MAX_NOTE)
    now = clock.now()
    transfer_id = new_id()

    def leg(kind: TransactionKind, account: Account, suffix: str) -> Transaction:
        return Transaction(
            id=new_id(),
            tenant_id=user.tenant_id,
            user_id=user.id,
            account_id=account.id,
            kind=kind,
            amount=amount,
            occurred_on=occurred_on,
            note=note,
            source=source,
            source_ref=None if source_ref is None else source_ref + suffix,
            created_at=now,
            transfer_id=transfer_id,
        )

    outgoing = leg(TransactionKind.EXPENSE, origin, OUT_SUFFIX)
    incoming = leg(TransactionKind.INCOME, target, IN_SUFFIX)
    for txn in (outgoing, incoming):
        await uow.transactions.add(txn)
        uow.emit(TransactionRecorded(tenant_id=user.tenant_id, user_id=user.id, transaction_id=txn.id))
    await uow.commit()
    return TransferResult(outgoing, incoming, created=True)


async def _own_account(uow: UnitOfWork, user: User, account_id: uuid.UUID, field: str) -> Account:
    account = await uow.accounts.get(account_id)
    # Another user's account is reported exactly like a missing one.
    if account is None or account.user_id != user.id:
        raise ValidationError(field, "no such account for this user")
    return account


async def legs(uow: UnitOfWork, leg: Transaction) -> tuple[Transaction, Transaction]:
    """(outgoing, incoming) of the transfer `leg` belongs to, deleted or not."""
    if leg.transfer_id is None:
        raise ValueError(f"transaction {leg.id} is not part of a transfer")
    query = TransactionQuery(transfer_id=leg.transfer_id, deleted="include")
    found = await uow.transactions.page(query, None, 3)
    outgoing = [t for t in found if t.kind == TransactionKind.EXPENSE]
    incoming = [t for t in found if t.kind == TransactionKind.INCOME]
    if len(found) != 2 or len(outgoing) != 1 or len(incoming) != 1:
        raise Conflict("transfer_id", f"transfer {leg.transfer_id} does not have one leg each way")
    return outgoing[0], incoming[0]


async def pair_change(
    uow: UnitOfWork, before: Transaction, after: Transaction
) -> tuple[Transaction, Transaction]:
    """The other leg before and after the change of `before` into `after`: amount, day, note and deletion
    apply to both legs. Refuses a change that would break the pair (ValidationError naming the field)."""
    if after.kind != before.kind:
        raise ValidationError(
            "kind",
            "a transfer leg's direction cannot change: delete the transfer and record what happened",
            reason="transfer",
        )
    if after.amount.currency != before.amount.currency:
        raise ValidationError(
            "currency",
            f"a transfer moves its accounts' currency ({before.amount.currency})",
            reason="transfer",
        )
    outgoing, incoming = await legs(uow, before)
    other = incoming if before.id == outgoing.id else outgoing
    if after.account_id != before.account_id:
        if after.account_id == other.account_id:
            raise ValidationError(
                "account_id", "the transfer's other leg is in that account: a transfer needs two accounts"
            )
        account = await uow.accounts.get(after.account_id)
        if account is None or account.user_id != before.user_id:
            raise ValidationError("account_id", "no such account for this user")
        if account.currency != before.amount.currency:
            raise ValidationError(
                "account_id",
                f"holds {account.currency}; this transfer moves {before.amount.currency}",
                reason="transfer",
            )
    other_after = replace(
        other,
        amount=after.amount,
        occurred_on=after.occurred_on,
        # The legs may carry notes of their own; only a change of note is carried over.
        note=after.note if after.note != before.note else other.note,
        deleted_at=after.deleted_at,
    )
    return other, other_after


__all__ = ["IN_SUFFIX", "OUT_SUFFIX", "legs", "pair_change", "record_transfer"]
