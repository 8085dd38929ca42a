"""Tenant-bound repositories for users and their accounts."""

from __future__ import annotations

import builtins
import uuid
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from adapters.db.sql import TENANT, TenantBound, add_or_skip, rowcount
from adapters.db.tables import accounts, household_members, users
from domain.errors import Conflict, NotFound
from domain.model import Account, AccountKind, Language, User
from domain.money import Money

# The queries every message runs, built once (TenantBound._run).
_BY_PHONE = sa.select(users).where(users.c.tenant_id == TENANT, users.c.phone == sa.bindparam("phone"))
_LOCKED = (
    sa.select(users)
    .where(users.c.tenant_id == TENANT, users.c.id == sa.bindparam("user_id"))
    .with_for_update()
)
# The user's own accounts and their household's shared ones (migration 0013), own default first.
_HOUSEHOLDS_OF = sa.select(household_members.c.household_id).where(
    household_members.c.tenant_id == TENANT,
    household_members.c.user_id == sa.bindparam("user_id"),
    household_members.c.status == "active",
)
_ACCOUNTS_OF = (
    sa.select(accounts)
    .where(
        accounts.c.tenant_id == TENANT,
        sa.or_(accounts.c.user_id == sa.bindparam("user_id"), accounts.c.household_id.in_(_HOUSEHOLDS_OF)),
    )
    .order_by(
        (accounts.c.user_id == sa.bindparam("user_id")).desc(),
        accounts.c.is_default.desc(),
        accounts.c.created_at,
        accounts.c.name,
    )
)
_DEFAULT_OF = sa.select(accounts).where(
    accounts.c.tenant_id == TENANT,
    accounts.c.user_id == sa.bindparam("user_id"),
    accounts.c.is_default.is_(True),
)


class SqlUserRepository(TenantBound):
    """domain.ports.UserRepository."""

    async def add(self, user: User) -> None:
        self._check_tenant("user", user.tenant_id)
        if user.created_at is None:
            user.created_at = self._db.now()
        values = {
            "id": user.id,
            "tenant_id": self.tenant_id,
            "created_at": user.created_at,
            **_user_fields(user),
        }
        if await add_or_skip(self._db, users, values) == 0:
            raise Conflict("phone", f"{user.phone} is already enrolled (or id {user.id} is taken)")

    async def get(self, user_id: uuid.UUID) -> User | None:
        return await self._one(users.c.id == user_id)

    async def get_by_phone(self, phone: str) -> User | None:
        row = (await self._run(_BY_PHONE, phone=phone)).mappings().first()
        return None if row is None else user_from_row(row)

    async def list(self) -> list[User]:
        query = sa.select(users).where(self._mine(users)).order_by(users.c.created_at, users.c.phone)
        return [user_from_row(row) for row in (await self._db.execute(query)).mappings()]

    async def with_digest(self) -> builtins.list[User]:
        # By id: concurrent workers storing the same digests take the outbox's unique keys in one order.
        query = (
            sa.select(users)
            .where(self._mine(users), users.c.digest_weekday.is_not(None))
            .order_by(users.c.id)
        )
        return [user_from_row(row) for row in (await self._db.execute(query)).mappings()]

    async def update(self, user: User) -> None:
        self._check_tenant("user", user.tenant_id)
        statement = (
            sa.update(users).where(self._mine(users), users.c.id == user.id).values(**_user_fields(user))
        )
        try:
            result = await self._db.execute(statement)
        except IntegrityError as exc:
            raise Conflict("phone", f"{user.phone} is already enrolled") from exc
        if rowcount(result) == 0:
            raise NotFound("user", user.id)

    async def lock(self, user_id: uuid.UUID) -> User | None:
        if self._db.dialect == "postgresql":
            row = (await self._run(_LOCKED, user_id=user_id)).mappings().first()
            return None if row is None else user_from_row(row)
        # SQLite: every transaction is BEGIN IMMEDIATE, which already holds the database's write lock until
        # the unit of work ends; beginning now is what makes the lock cover what follows.
        await self._db.begin()
        return await self.get(user_id)

    async def _one(self, condition: sa.ColumnElement[bool]) -> User | None:
        query = sa.select(users).where(self._mine(users), condition)
        row = (await self._db.execute(query)).mappings().first()
        return None if row is None else user_from_row(row)


def _user_fields(user: User) -> dict[str, Any]:
    return {
        "phone": user.phone,
        "name": user.name,
        "language": str(user.language),
        "locale": user.locale,
        "currency": user.currency,
        "timezone": user.timezone,
        "opted_out": {str(channel): bool(flag) for channel, flag in user.opted_out.items()},
        "last_inbound_at": {str(ch): _iso(at) for ch, at in user.last_inbound_at.items()},
        "week_start": user.week_start,
        "quiet_hours": user.quiet_hours,
        "budget_alerts": user.budget_alerts,
        "digest_weekday": user.digest_weekday,
        "digest_hour": user.digest_hour,
    }


def _iso(moment: datetime) -> str:
    if moment.tzinfo is None:
        raise ValueError(f"naive datetime {moment!r}: timestamps must be timezone-aware")
    return moment.astimezone(UTC).isoformat()


def user_from_row(row: Any) -> User:
    return User(
        id=row["id"],
        tenant_id=row["tenant_id"],
        phone=row["phone"],
        name=row["name"],
        language=Language(row["language"]),
        locale=row["locale"],
        currency=row["currency"],
        timezone=row["timezone"],
        opted_out={k: bool(v) for k, v in (row["opted_out"] or {}).items()},
        last_inbound_at={k: datetime.fromisoformat(v) for k, v in (row["last_inbound_at"] or {}).items()},
        created_at=row["created_at"],
        week_start=row["week_start"],
        quiet_hours=row["quiet_hours"],
        budget_alerts=bool(row["budget_alerts"]),
        digest_weekday=row["digest_weekday"],
        digest_hour=int(row["digest_hour"]),
    )


class SqlAccountRepository(TenantBound):
    """domain.ports.AccountRepository."""

    async def add(self, account: Account) -> None:
        self._check_tenant("account", account.tenant_id)
        if account.opening_balance.currency != account.currency:
            raise ValueError(
                f"opening balance in {account.opening_balance.currency} for a {account.currency} account"
            )
        if account.created_at is None:
            account.created_at = self._db.now()
        values = {
            "id": account.id,
            "tenant_id": self.tenant_id,
            "user_id": account.user_id,
            "name": account.name,
            "kind": str(account.kind),
            "currency": account.currency,
            "opening_balance_minor": account.opening_balance.to_minor(),
            "is_default": account.is_default,
            "created_at": account.created_at,
            "household_id": account.household_id,
            "low_balance_minor": None if account.low_balance is None else account.low_balance.to_minor(),
            "low_balance_warned": account.low_balance_warned,
        }
        if await add_or_skip(self._db, accounts, values) == 0:
            raise Conflict("is_default", "the user already has a default account (or the id is taken)")

    async def get(self, account_id: uuid.UUID) -> Account | None:
        query = sa.select(accounts).where(self._mine(accounts), accounts.c.id == account_id)
        row = (await self._db.execute(query)).mappings().first()
        return None if row is None else account_from_row(row)

    async def list_for(self, user_id: uuid.UUID) -> list[Account]:
        return [account_from_row(row) for row in (await self._run(_ACCOUNTS_OF, user_id=user_id)).mappings()]

    async def update(self, account: Account) -> None:
        self._check_tenant("account", account.tenant_id)
        query = (
            sa.update(accounts)
            .where(self._mine(accounts), accounts.c.id == account.id)
            .values(
                name=account.name,
                kind=str(account.kind),
                low_balance_minor=None if account.low_balance is None else account.low_balance.to_minor(),
                low_balance_warned=account.low_balance_warned,
            )
        )
        await self._db.execute(query)

    async def default_for(self, user_id: uuid.UUID) -> Account | None:
        row = (await self._run(_DEFAULT_OF, user_id=user_id)).mappings().first()
        return None if row is None else account_from_row(row)


def account_from_row(row: Any) -> Account:
    return Account(
        id=row["id"],
        tenant_id=row["tenant_id"],
        user_id=row["user_id"],
        name=row["name"],
        kind=AccountKind(row["kind"]),
        currency=row["currency"],
        opening_balance=Money.from_minor(row["opening_balance_minor"], row["currency"]),
        is_default=bool(row["is_default"]),
        created_at=row["created_at"],
        household_id=row["household_id"],
        low_balance=(
            None
            if row["low_balance_minor"] is None
            else Money.from_minor(row["low_balance_minor"], row["currency"])
        ),
        low_balance_warned=bool(row["low_balance_warned"]),
    )
