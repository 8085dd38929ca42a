"""Transactions and transfers: list with filters (cursor-paged, stable while rows are written), read, record,
change, delete and restore, and each transaction's history."""

from __future__ import annotations

import hashlib
import uuid
from datetime import date, datetime
from typing import Any, Literal

from pydantic import Field

from bot.admin.api import Call, Listed, Resource
from bot.admin.problems import field_problem
from bot.admin.schemas import Amount, AmountText, Category, Currency, ListQuery, Merchant, Note, Out, Strict
from domain import services
from domain.commands import (
    DeleteTransaction,
    RecordTransaction,
    RecordTransfer,
    RestoreTransactionById,
    UpdateTransaction,
)
from domain.model import AuditRecord, Source, Transaction, TransactionKind, TransactionPosition
from domain.ports import TransactionQuery as Query
from domain.results import ChangeResult

api = Resource("transactions")

Kind = Literal["expense", "income"]
MAX_SOURCE_REF = 150
"""Longer Idempotency-Keys are stored as their digest: the ledger's source_ref column is bounded."""


class TransactionOut(Out):
    id: uuid.UUID
    user_id: uuid.UUID
    account_id: uuid.UUID
    kind: Kind
    amount: AmountText
    """Always positive; `kind` gives the direction."""
    currency: str
    occurred_on: date
    """The local day it happened, in the user's time zone."""
    merchant: str | None
    category: str | None
    note: str | None
    source: Literal["chat", "admin_api", "import", "recurring"]
    transfer_id: uuid.UUID | None
    """Shared by the two legs of a transfer between accounts (neither spending nor earning)."""
    household_id: uuid.UUID | None = None
    """Household spending (on a shared account, or counted by a shared budget); null: personal."""
    created_at: datetime | None
    deleted_at: datetime | None

    @classmethod
    def of(cls, txn: Transaction) -> TransactionOut:
        return cls(
            id=txn.id,
            user_id=txn.user_id,
            account_id=txn.account_id,
            kind=txn.kind.value,
            amount=str(txn.amount.quantized().amount),
            currency=txn.amount.currency,
            occurred_on=txn.occurred_on,
            merchant=txn.merchant,
            category=txn.category,
            note=txn.note,
            source=txn.source.value,
            transfer_id=txn.transfer_id,
            household_id=txn.household_id,
            created_at=txn.created_at,
            deleted_at=txn.deleted_at,
        )


class TransactionListQuery(ListQuery):
    user_id: uuid.UUID | None = None
    account_id: uuid.UUID | None = None
    from_: date | None = Field(default=None, alias="from")
    """First day included (the transaction's local day)."""
    to: date | None = None
    """Last day included."""
    category: Category | None = None
    merchant: Merchant | None = None
    """The merchant's name, ignoring case."""
    kind: Kind | None = None
    text: str | None = Field(default=None, min_length=1, max_length=200, pattern=r"^[^\x00-\x1f]*$")
    """Text in the note or the merchant, ignoring case."""
    deleted: Literal["exclude", "include", "only"] = "exclude"
    transfer_id: uuid.UUID | None = None


class TransactionIn(Strict):
    user_id: uuid.UUID
    account_id: uuid.UUID | None = None
    """Defaults to the user's default account."""
    kind: Kind
    amount: Amount
    currency: Currency | None = None
    """Defaults to the user's currency."""
    occurred_on: date | None = None
    """Defaults to today in the user's time zone."""
    merchant: Merchant | None = None
    category: Category | None = None
    note: Note | None = None


class TransactionPatch(Strict):
    """Fields left out keep their value; merchant, category and note are cleared with null or ""."""

    amount: Amount | None = None
    currency: Currency | None = None
    kind: Kind | None = None
    occurred_on: date | None = None
    account_id: uuid.UUID | None = None
    merchant: Merchant | None = None
    category: Category | None = None
    note: Note | None = None


class TransferIn(Strict):
    user_id: uuid.UUID
    from_account_id: uuid.UUID
    to_account_id: uuid.UUID
    amount: Amount
    currency: Currency | None = None
    """The accounts' currency (both must hold the same one)."""
    occurred_on: date | None = None
    note: Note | None = None


class TransferOut(Out):
    transfer_id: uuid.UUID
    outgoing: TransactionOut
    """The expense out of from_account_id."""
    incoming: TransactionOut
    """The income into to_account_id."""


class HistoryOut(Out):
    id: uuid.UUID
    action: str
    """"edit", "delete", "restore" (operators and chat) or "undo" (chat)."""
    at: datetime
    before: dict[str, Any]
    after: dict[str, Any]

    @classmethod
    def of(cls, record: AuditRecord) -> HistoryOut:
        return cls(id=record.id, action=record.action, at=record.at, before=record.before, after=record.after)


def _position(call: Call) -> TransactionPosition | None:
    """The decoded cursor as a listing position; a cursor is only fingerprinted, so its key is checked."""
    if call.after is None:
        return None
    try:
        day, seq = call.after
        # seq is a bigint: a forged one outside it would reach the database as an overflow, not a 422.
        if (
            isinstance(seq, bool)
            or not isinstance(seq, int)
            or not 0 <= seq < 2**63
            or not isinstance(day, str)
        ):
            raise ValueError
        return TransactionPosition(date.fromisoformat(day), seq)
    except (TypeError, ValueError):
        raise field_problem(422, "query.cursor", "not a cursor this API made") from None


@api.listing("/transactions", item=TransactionOut, query=TransactionListQuery, summary="List transactions")
async def list_transactions(call: Call) -> Listed:
    """Newest first (by day, then as recorded), across the tenant's users unless user_id is given. Pages
    continue from the last row of the one before, so listing while transactions are written neither skips
    nor repeats a row."""
    query: TransactionListQuery = call.query
    if query.from_ is not None and query.to is not None and query.to < query.from_:
        raise field_problem(422, "query.to", "must not be before `from`")
    wanted = Query(
        user_id=query.user_id,
        account_id=query.account_id,
        from_day=query.from_,
        to_day=query.to,
        category=query.category,
        merchant=query.merchant,
        kind=None if query.kind is None else TransactionKind(query.kind),
        text=query.text,
        deleted=query.deleted,
        transfer_id=query.transfer_id,
    )
    async with call.reading() as uow:
        page = await services.search_transactions(wanted, uow, after=_position(call), limit=call.limit)
    following = None if page.next is None else [page.next.occurred_on.isoformat(), page.next.seq]
    return Listed([TransactionOut.of(t) for t in page.items], following)


@api.get("/transactions/{transaction_id}", response=TransactionOut, summary="One transaction")
async def get_transaction(call: Call) -> TransactionOut:
    async with call.reading() as uow:
        return TransactionOut.of(await services.get_transaction(call.id("transaction_id"), uow))


def source_ref(call: Call) -> str | None:
    """The Idempotency-Key as the ledger's source_ref, in the calling key's namespace (like the replay
    store): two keys that happen to send the same Idempotency-Key record two transactions."""
    if call.idempotency_key is None:
        return None
    ref = f"{call.principal.actor}:{call.idempotency_key}"
    if len(ref) > MAX_SOURCE_REF:
        ref = f"{call.principal.actor}:sha256:{hashlib.sha256(call.idempotency_key.encode()).hexdigest()}"
    return ref


@api.post(
    "/transactions",
    body=TransactionIn,
    response=TransactionOut,
    summary="Record a transaction",
    conflicts=True,
)
async def create_transaction(call: Call) -> TransactionOut:
    """Recorded with source admin_api; the Idempotency-Key also keys the ledger, so a retry never doubles
    it. Budget thresholds it crosses alert the user like a chat entry would."""
    body: TransactionIn = call.body
    cmd = RecordTransaction(
        user_id=body.user_id,
        kind=body.kind,
        amount=body.amount,
        currency=body.currency,
        occurred_on=body.occurred_on,
        merchant=body.merchant,
        category=body.category,
        note=body.note,
        account_id=body.account_id,
        source=Source.ADMIN_API,
        source_ref=source_ref(call),
    )
    async with call.writing() as uow:
        result = await services.record_transaction(cmd, uow, call.clock)
        out = TransactionOut.of(result.transaction)
        if result.created:
            call.audit("create", "transaction", out.id, None, out)
    return out


def _clearable(body: TransactionPatch, name: str) -> str | None:
    """None to keep, "" to clear (null or "" sent), else the new text."""
    if name not in body.model_fields_set:
        return None
    value: str | None = getattr(body, name)
    return "" if value is None else value


@api.patch(
    "/transactions/{transaction_id}",
    body=TransactionPatch,
    response=TransactionOut,
    summary="Change a transaction",
    conflicts=True,
)
async def update_transaction_route(call: Call) -> TransactionOut:
    """On a transfer leg, amount, day and note change both legs; its kind and currency are fixed, and its
    account can only become another of the user's accounts in that currency."""
    body: TransactionPatch = call.body
    cmd = UpdateTransaction(
        transaction_id=call.id("transaction_id"),
        amount=body.amount,
        currency=body.currency,
        kind=body.kind,
        occurred_on=body.occurred_on,
        account_id=body.account_id,
        merchant=_clearable(body, "merchant"),
        category=_clearable(body, "category"),
        note=_clearable(body, "note"),
    )
    async with call.writing() as uow:
        result = await services.update_transaction(cmd, uow, call.clock)
        _audit(call, "update", result)
    return TransactionOut.of(result.after)


@api.delete(
    "/transactions/{transaction_id}",
    response=TransactionOut,
    summary="Delete a transaction (it can be restored)",
    conflicts=True,
)
async def delete_transaction_route(call: Call) -> TransactionOut:
    """Both legs of a transfer go together."""
    async with call.writing() as uow:
        result = await services.delete_transaction(
            DeleteTransaction(call.id("transaction_id")), uow, call.clock
        )
        _audit(call, "delete", result)
    return TransactionOut.of(result.after)


@api.post(
    "/transactions/{transaction_id}/restore",
    response=TransactionOut,
    status=200,
    summary="Restore a deleted transaction",
    conflicts=True,
)
async def restore_transaction_route(call: Call) -> TransactionOut:
    """Both legs of a transfer come back together; a restored expense can cross a budget threshold."""
    cmd = RestoreTransactionById(call.id("transaction_id"))
    async with call.writing() as uow:
        result = await services.restore_transaction_by_id(cmd, uow, call.clock)
        _audit(call, "restore", result)
    return TransactionOut.of(result.after)


def _audit(call: Call, action: str, result: ChangeResult) -> None:
    """One record per transaction that changed (both legs of a transfer); none when nothing changed."""
    if not result.changed:
        return
    changes = [(result.before, result.after)]
    if result.paired is not None:
        changes.append(result.paired)
    for before, after in changes:
        call.audit(action, "transaction", after.id, TransactionOut.of(before), TransactionOut.of(after))


@api.listing(
    "/transactions/{transaction_id}/history",
    item=HistoryOut,
    query=ListQuery,
    summary="A transaction's changes (edits, deletions, restores), oldest first",
)
async def transaction_history(call: Call) -> Listed:
    async with call.reading() as uow:
        records = await services.transaction_history(call.id("transaction_id"), uow)
    # A transaction has a handful of changes: read them all, continue after the cursor's (at, id).
    keyed = [((r.at.isoformat(), str(r.id)), r) for r in records]
    after = tuple(str(part) for part in call.after) if call.after else None
    rest = [(key, r) for key, r in keyed if after is None or key > after]
    page = rest[: call.limit]
    following = list(page[-1][0]) if len(rest) > call.limit else None
    return Listed([HistoryOut.of(r) for _, r in page], following)


@api.post("/transfers", body=TransferIn, response=TransferOut, summary="Move money between two accounts")
async def create_transfer(call: Call) -> TransferOut:
    """Two legs sharing a transfer_id: an expense out of from_account_id and an income into to_account_id,
    both the user's and in the same currency. Balances count them; spending and budgets do not."""
    body: TransferIn = call.body
    cmd = RecordTransfer(
        user_id=body.user_id,
        from_account_id=body.from_account_id,
        to_account_id=body.to_account_id,
        amount=body.amount,
        currency=body.currency,
        occurred_on=body.occurred_on,
        note=body.note,
        source=Source.ADMIN_API,
        source_ref=source_ref(call),
    )
    async with call.writing() as uow:
        result = await services.record_transfer(cmd, uow, call.clock)
        assert result.outgoing.transfer_id is not None
        out = TransferOut(
            transfer_id=result.outgoing.transfer_id,
            outgoing=TransactionOut.of(result.outgoing),
            incoming=TransactionOut.of(result.incoming),
        )
        if result.created:
            call.audit("create", "transfer", out.transfer_id, None, out)
    return out


__all__ = ["TransactionOut", "api"]
