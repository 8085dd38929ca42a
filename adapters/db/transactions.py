"""Tenant-bound repository for transactions: filters, newest-first listings and per-currency sums."""

from __future__ import annotations

import builtins
import uuid
from collections.abc import Sequence
from typing import Any, get_args

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from adapters.db.sql import TENANT, TenantBound, add_or_skip, rowcount
from adapters.db.tables import transactions as t
from domain.errors import Conflict, NotFound
from domain.model import LOANS, Source, Transaction, TransactionKind
from domain.money import Money
from domain.ports import GroupKey, TransactionFilter, TransactionPosition, TransactionQuery
from domain.results import Aggregate

_GROUP_KEYS: frozenset[str] = frozenset(get_args(GroupKey))
_CHUNK = 5000
"""Rows per executemany in add_many: bounded memory per statement, few round trips."""


def merchant_key(merchant: str | None) -> str | None:
    """What merchant matching compares: casefolded, so "UBER", "Uber" and "uber" are one merchant."""
    return None if merchant is None else merchant.casefold()


def text_key(text: str) -> str:
    """What a note search compares: lower() as the database applies it (not casefold: PostgreSQL's lower()
    keeps "ß", so folding it to "ss" here would never match)."""
    return text.lower()


# Run for every chat write (TenantBound._run): built once.
_BY_SOURCE = sa.select(t).where(
    t.c.tenant_id == TENANT,
    t.c.source == sa.bindparam("source"),
    t.c.source_ref == sa.bindparam("source_ref"),
)


class SqlTransactionRepository(TenantBound):
    """domain.ports.TransactionRepository. (`builtins.list` below: in this class `list` is the method.)"""

    async def add(self, transaction: Transaction) -> None:
        self._check_tenant("transaction", transaction.tenant_id)
        if transaction.created_at is None:
            transaction.created_at = self._db.now()
        values = {
            "id": transaction.id,
            "tenant_id": self.tenant_id,
            "created_at": transaction.created_at,
            **_fields(transaction),
        }
        if await add_or_skip(self._db, t, values) == 0:
            if transaction.source_ref is not None:
                raise Conflict(
                    "source_ref", f"{transaction.source}:{transaction.source_ref} is already recorded"
                )
            raise Conflict("id", f"transaction {transaction.id} exists")

    async def add_many(self, transactions: Sequence[Transaction]) -> None:
        """One executemany (asyncpg pipelines it): a 10,000-line statement is one round trip per chunk."""
        rows = []
        for transaction in transactions:
            self._check_tenant("transaction", transaction.tenant_id)
            if transaction.created_at is None:
                transaction.created_at = self._db.now()
            rows.append(
                {
                    "id": transaction.id,
                    "tenant_id": self.tenant_id,
                    "created_at": transaction.created_at,
                    **_fields(transaction),
                }
            )
        for start in range(0, len(rows), _CHUNK):
            try:
                await self._db.execute(sa.insert(t), rows[start : start + _CHUNK])
            except IntegrityError as exc:
                # The caller refuses the whole batch: its unit of work rolls back what went in before.
                raise Conflict("source_ref", "a transaction of this batch is already recorded") from exc

    async def get(self, transaction_id: uuid.UUID) -> Transaction | None:
        return await self._first(sa.select(t).where(self._mine(t), t.c.id == transaction_id))

    async def get_by_source(self, source: str, source_ref: str) -> Transaction | None:
        row = (await self._run(_BY_SOURCE, source=str(source), source_ref=source_ref)).mappings().first()
        return None if row is None else transaction_from_row(row)

    async def update(self, transaction: Transaction) -> None:
        self._check_tenant("transaction", transaction.tenant_id)
        statement = sa.update(t).where(self._mine(t), t.c.id == transaction.id).values(**_fields(transaction))
        if rowcount(await self._db.execute(statement)) == 0:
            raise NotFound("transaction", transaction.id)

    async def latest(self, user_id: uuid.UUID, *, deleted: bool = False) -> Transaction | None:
        query = sa.select(t).where(self._mine(t), t.c.user_id == user_id)
        if deleted:
            query = query.where(t.c.deleted_at.is_not(None)).order_by(t.c.deleted_at.desc(), t.c.seq.desc())
        else:
            query = query.where(t.c.deleted_at.is_(None)).order_by(t.c.created_at.desc(), t.c.seq.desc())
        return await self._first(query.limit(1))

    async def list(self, flt: TransactionFilter, limit: int | None = None) -> list[Transaction]:
        # seq breaks ties between rows created in the same instant (a pinned clock in tests, bulk imports).
        query = (
            sa.select(t)
            .where(*self._conditions(flt))
            .order_by(t.c.occurred_on.desc(), t.c.created_at.desc(), t.c.seq.desc())
        )
        if limit is not None:
            query = query.limit(limit)
        return [transaction_from_row(row) for row in (await self._db.execute(query)).mappings()]

    async def aggregate(self, flt: TransactionFilter, by: tuple[GroupKey, ...]) -> builtins.list[Aggregate]:
        unknown = [key for key in by if key not in _GROUP_KEYS]
        if unknown:
            raise ValueError(f"cannot group transactions by {unknown}")
        keys: builtins.list[str] = list(by) if "currency" in by else [*by, "currency"]
        group_by: builtins.list[sa.ColumnElement[Any]] = []
        shown: builtins.list[sa.ColumnElement[Any]] = []
        for i, key in enumerate(keys):
            if key == "merchant":
                # Group case-insensitively; show one of the spellings that were stored.
                group_by.append(t.c.merchant_key)
                shown.append(sa.func.min(t.c.merchant).label(f"k{i}"))
            else:
                group_by.append(t.c[key])
                shown.append(t.c[key].label(f"k{i}"))
        total = sa.func.sum(t.c.amount_minor)
        query = (
            sa.select(*shown, total.label("total"), sa.func.count().label("n"))
            .where(*self._conditions(flt))
            .group_by(*group_by)
            .order_by(total.desc(), *(column.asc().nulls_last() for column in group_by))
        )
        currency_at = keys.index("currency")
        result: builtins.list[Aggregate] = []
        for row in await self._db.execute(query):
            values = [_group_value(key, row[i]) for i, key in enumerate(keys)]
            # SUM(bigint) is numeric on PostgreSQL (a Decimal) and an int on SQLite; both are whole numbers.
            money = Money.from_minor(int(row.total), str(values[currency_at]))
            result.append(Aggregate(key=tuple(values), total=money, count=int(row.n)))
        return result

    def _conditions(self, flt: TransactionFilter) -> builtins.list[sa.ColumnElement[bool]]:
        # A household's spending (a shared budget's scope) is every member's; otherwise one user's own.
        whose = (
            t.c.user_id == flt.user_id if flt.household_id is None else t.c.household_id == flt.household_id
        )
        conditions = [self._mine(t), whose]
        if flt.kind is not None:
            conditions.append(t.c.kind == str(flt.kind))
        if flt.period is not None:
            conditions.append(t.c.occurred_on.between(flt.period.start, flt.period.end))
        if flt.category is not None:
            conditions.append(t.c.category == flt.category)
        if flt.merchant is not None:
            conditions.append(t.c.merchant_key == merchant_key(flt.merchant))
        if flt.account_id is not None:
            conditions.append(t.c.account_id == flt.account_id)
        if flt.currency is not None:
            conditions.append(t.c.currency == flt.currency.upper())
        if not flt.include_deleted:
            conditions.append(t.c.deleted_at.is_(None))
        if not flt.include_transfers:
            conditions.append(t.c.transfer_id.is_(None))
        if not flt.include_loans and flt.category is None:
            conditions.append(sa.or_(t.c.category.is_(None), t.c.category != LOANS))
        return conditions

    async def page(
        self, query: TransactionQuery, after: TransactionPosition | None, limit: int
    ) -> builtins.list[Transaction]:
        # Keyset paging on (occurred_on, seq), newest first: both are set once per row (seq by the store), so
        # a row inserted while an operator pages lands either before the position (not shown, it is new) or
        # after it (shown once); an OFFSET would shift and repeat rows instead. ix_transactions_tenant_day_seq
        # serves this order backwards.
        statement = sa.select(t).where(*self._query_conditions(query))
        if after is not None:
            statement = statement.where(sa.tuple_(t.c.occurred_on, t.c.seq) < (after.occurred_on, after.seq))
        statement = statement.order_by(t.c.occurred_on.desc(), t.c.seq.desc()).limit(limit)
        return [transaction_from_row(row) for row in (await self._db.execute(statement)).mappings()]

    def _query_conditions(self, query: TransactionQuery) -> builtins.list[sa.ColumnElement[bool]]:
        conditions = [self._mine(t)]
        equal: builtins.list[tuple[sa.Column[Any], object]] = [
            (t.c.user_id, query.user_id),
            (t.c.account_id, query.account_id),
            (t.c.category, query.category),
            (t.c.kind, None if query.kind is None else str(query.kind)),
            (t.c.merchant_key, merchant_key(query.merchant)),
            (t.c.transfer_id, query.transfer_id),
        ]
        conditions.extend(column == value for column, value in equal if value is not None)
        if query.from_day is not None:
            conditions.append(t.c.occurred_on >= query.from_day)
        if query.to_day is not None:
            conditions.append(t.c.occurred_on <= query.to_day)
        if query.text:
            needle = text_key(query.text)
            conditions.append(
                sa.or_(
                    self._fold(t.c.note).contains(needle, autoescape=True),
                    t.c.merchant_key.contains(merchant_key(query.text), autoescape=True),
                )
            )
        if query.deleted == "exclude":
            conditions.append(t.c.deleted_at.is_(None))
        elif query.deleted == "only":
            conditions.append(t.c.deleted_at.is_not(None))
        return conditions

    def _fold(self, column: sa.ColumnElement[Any]) -> sa.ColumnElement[Any]:
        """Lower-cased text on both dialects: PostgreSQL's lower() knows Unicode (UTF-8 databases), SQLite's
        only ASCII, so SQLite connections get a Python lower() (adapters.db.sql.register_sqlite_functions)."""
        if self._db.dialect == "sqlite":
            return sa.func.centavo_lower(column)
        return sa.func.lower(column)

    async def _first(self, query: sa.Select[Any]) -> Transaction | None:
        row = (await self._db.execute(query)).mappings().first()
        return None if row is None else transaction_from_row(row)


def _fields(transaction: Transaction) -> dict[str, Any]:
    """Every column an update may change (all but id, tenant and created_at)."""
    return {
        "user_id": transaction.user_id,
        "account_id": transaction.account_id,
        "kind": str(transaction.kind),
        "amount_minor": transaction.amount.to_minor(),
        "currency": transaction.amount.currency,
        "occurred_on": transaction.occurred_on,
        "merchant": transaction.merchant,
        "merchant_key": merchant_key(transaction.merchant),
        "category": transaction.category,
        "note": transaction.note,
        "source": str(transaction.source),
        "source_ref": transaction.source_ref,
        "deleted_at": transaction.deleted_at,
        "transfer_id": transaction.transfer_id,
        "household_id": transaction.household_id,
    }


def _group_value(key: str, value: object) -> object:
    return TransactionKind(value) if key == "kind" else value


def transaction_from_row(row: Any) -> Transaction:
    return Transaction(
        id=row["id"],
        tenant_id=row["tenant_id"],
        user_id=row["user_id"],
        account_id=row["account_id"],
        kind=TransactionKind(row["kind"]),
        amount=Money.from_minor(row["amount_minor"], row["currency"]),
        occurred_on=row["occurred_on"],
        merchant=row["merchant"],
        category=row["category"],
        note=row["note"],
        source=Source(row["source"]),
        source_ref=row["source_ref"],
        created_at=row["created_at"],
        deleted_at=row["deleted_at"],
        transfer_id=row["transfer_id"],
        seq=row["seq"],
        household_id=row["household_id"],
    )
