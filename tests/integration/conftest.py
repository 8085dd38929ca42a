"""Integration fixtures: a migrated SQLite file per test, a Database on either dialect, seeded tenants."""

from __future__ import annotations

import shutil
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from adapters.db import Database, upgrade
from domain.model import Account, AccountKind, Language, Tenant, Transaction, TransactionKind, User
from domain.money import Money


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Migrated once per run; tests get copies, which is much faster than migrating each time."""
    path = tmp_path_factory.mktemp("sqlite") / "template.db"
    upgrade(f"sqlite:///{path}")
    return path


@pytest.fixture
def sqlite_url(sqlite_template: Path, tmp_path: Path) -> str:
    """sqlite:///<tmp>/centavo.db, migrated to head."""
    path = tmp_path / "centavo.db"
    shutil.copyfile(sqlite_template, path)
    return f"sqlite:///{path}"


@pytest.fixture(params=["postgresql", "sqlite"])
def database_url(request: pytest.FixtureRequest) -> str:
    """The app's URL on each dialect: PostgreSQL as the RLS-bound app role, or a migrated SQLite file.
    Resolved lazily, so the SQLite half still runs (and the PostgreSQL half skips) on a bare machine."""
    if request.param == "postgresql":
        return str(request.getfixturevalue("pg_database").app_url)
    return str(request.getfixturevalue("sqlite_url"))


@pytest.fixture
async def database(database_url: str) -> AsyncIterator[Database]:
    """A Database on database_url, disposed afterwards."""
    db = Database(database_url)
    try:
        yield db
    finally:
        await db.dispose()


@dataclass(frozen=True)
class Seeded:
    """A tenant with one user and the user's default BRL account."""

    tenant: Tenant
    user: User
    account: Account

    def expense(self, amount: str, day: date, currency: str = "BRL", **fields: Any) -> Transaction:
        """A new (unsaved) expense of this user's; pass kind=TransactionKind.INCOME for an income."""
        return Transaction(
            id=uuid.uuid4(),
            tenant_id=self.tenant.id,
            user_id=self.user.id,
            account_id=self.account.id,
            kind=fields.pop("kind", TransactionKind.EXPENSE),
            amount=Money.of(amount, currency),
            occurred_on=day,
            **fields,
        )


MakeTenant = Callable[..., Awaitable[Seeded]]


@pytest.fixture
def make_tenant() -> MakeTenant:
    """make_tenant(db, phone="+5511987654321") -> Seeded, committed."""

    async def make(db: Database, phone: str = "+5511987654321") -> Seeded:
        tenant = Tenant(
            id=uuid.uuid4(),
            slug=f"t-{uuid.uuid4().hex[:12]}",
            name="Casa",
            language=Language.PT,
            locale="pt_BR",
            currency="BRL",
            timezone="America/Sao_Paulo",
        )
        async with db.directory() as directory:
            await directory.tenants.add(tenant)
            await directory.commit()
        user = User(
            id=uuid.uuid4(),
            tenant_id=tenant.id,
            phone=phone,
            name="Ana",
            language=Language.PT,
            locale="pt_BR",
            currency="BRL",
            timezone="America/Sao_Paulo",
        )
        account = Account(
            id=uuid.uuid4(),
            tenant_id=tenant.id,
            user_id=user.id,
            name="Conta",
            kind=AccountKind.CHECKING,
            currency="BRL",
            opening_balance=Money.of("100.00", "BRL"),
            is_default=True,
        )
        async with db.unit_of_work(tenant.id) as uow:
            await uow.users.add(user)
            await uow.accounts.add(account)
            await uow.commit()
        return Seeded(tenant, user, account)

    return make
