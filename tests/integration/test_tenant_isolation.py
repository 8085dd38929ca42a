"""Row-Level Security on PostgreSQL: as the app role, one tenant can neither see nor touch another's rows."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime

import asyncpg
import pytest
import sqlalchemy as sa
from sqlalchemy import text

from adapters.db import Database, InboxMessage, OutboundRecord, tables
from adapters.db.tables import TENANT_TABLES
from domain.events import TransactionRecorded
from domain.model import (
    Account,
    AccountKind,
    AuditRecord,
    Budget,
    BudgetCrossing,
    Goal,
    Household,
    Language,
    Member,
    MemberRole,
    MemberStatus,
    Recurrence,
    RecurringRule,
    Share,
    ShareKind,
    Tenant,
    Transaction,
    TransactionKind,
    User,
)
from domain.money import Money

pytestmark = pytest.mark.integration

AT = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)
PHONE = "+5511900000000"
"""Both tenants enrol the same phone number: uniqueness is per tenant. (Each also has a housemate, whose
number differs: the checks below look for PHONE's user, which must be the unit of work's tenant's.)"""


@dataclass(frozen=True)
class TenantRows:
    tenant_id: uuid.UUID
    user_id: uuid.UUID
    account_id: uuid.UUID
    transaction_id: uuid.UUID
    budget_id: uuid.UUID
    row_ids: dict[str, object]
    """Table -> the id of this tenant's row in it."""


async def _seed_one(db: Database, slug: str) -> TenantRows:
    tenant_id = uuid.uuid4()
    async with db.directory() as directory:
        await directory.tenants.add(Tenant(tenant_id, slug, slug, Language.EN, "en_US", "USD", "UTC"))
        await directory.commit()
    user = User(uuid.uuid4(), tenant_id, PHONE, "Pat", Language.EN, "en_US", "USD", "UTC")
    account = Account(
        uuid.uuid4(), tenant_id, user.id, "Cash", AccountKind.CASH, "USD", Money.zero("USD"), True
    )
    tx = Transaction(
        uuid.uuid4(),
        tenant_id,
        user.id,
        account.id,
        TransactionKind.EXPENSE,
        Money.of("9.99", "USD"),
        date(2025, 3, 1),
        "Cafe",
        "dining",
        source_ref="msg-1",
    )
    budget = Budget(uuid.uuid4(), tenant_id, user.id, None, Money.of("500", "USD"), Recurrence.MONTHLY)
    crossing = BudgetCrossing(uuid.uuid4(), tenant_id, budget.id, date(2025, 3, 1), 80, AT)
    audit = AuditRecord(uuid.uuid4(), tenant_id, user.id, tx.id, "edit", {"a": 1}, {"a": 2}, AT)
    rule = RecurringRule(
        uuid.uuid4(),
        tenant_id,
        user.id,
        TransactionKind.EXPENSE,
        Money.of("39.90", "USD"),
        Recurrence.MONTHLY,
        7,
        date(2025, 4, 7),
        "Netflix",
        "subscriptions",
    )
    savings = Account(
        uuid.uuid4(), tenant_id, user.id, "Trip", AccountKind.SAVINGS, "USD", Money.zero("USD"), False
    )
    goal = Goal(uuid.uuid4(), tenant_id, user.id, "Trip", Money.of("1000", "USD"), savings.id)
    async with db.unit_of_work(tenant_id) as uow:
        await uow.users.add(user)
        await uow.accounts.add(account)
        await uow.transactions.add(tx)
        await uow.budgets.add(budget)
        assert await uow.crossings.add_if_absent(crossing)
        await uow.audit.add(audit)
        await uow.recurring.add(rule)
        await uow.accounts.add(savings)
        await uow.goals.add(goal)
        await uow.cards.link(user.id, "1234", account.id)
        await uow.notice_trust.trust(user.id, "br/itau/card_purchase")
        uow.emit(TransactionRecorded(tenant_id, user.id, tx.id))
        await uow.commit()
        [message] = await uow.outbox.pending()
        inbound = InboxMessage(uuid.uuid4(), tenant_id, "sms", "SM1", PHONE, "+15550000000", "hi", AT)
        await uow.inbox.add_if_absent(inbound)
        outbound = OutboundRecord(uuid.uuid4(), tenant_id, "sms", PHONE, "hello", "twilio", inbound.id)
        await uow.outbound.add(outbound)
        # The admin API's tables (0005), written as plain rows: isolation is the database's job here.
        admin_ids = {name: uuid.uuid4() for name in ("admin_audit", "merchants", "imports")}
        await uow.execute(
            sa.insert(tables.admin_audit).values(
                id=admin_ids["admin_audit"],
                tenant_id=tenant_id,
                actor="k",
                action="create",
                entity="user",
                entity_id=str(user.id),
                before=None,
                after={"a": 1},
                at=AT,
            )
        )
        await uow.execute(
            sa.insert(tables.merchants).values(
                id=admin_ids["merchants"], tenant_id=tenant_id, name="Cafe", name_key="cafe", aliases=[]
            )
        )
        await uow.execute(
            sa.insert(tables.imports).values(
                id=admin_ids["imports"],
                tenant_id=tenant_id,
                account_id=account.id,
                user_id=user.id,
                file_hash="0" * 64,
                lines=1,
                recorded=1,
            )
        )
        # Households (0013): a household of Pat's, Pat as its owner, a share and a card link.
        home = Household(uuid.uuid4(), tenant_id, "Home", user.id)
        await uow.households.add(home)
        member = Member(uuid.uuid4(), tenant_id, home.id, user.id, MemberRole.OWNER, MemberStatus.ACTIVE)
        await uow.households.add_member(member)
        mate = User(uuid.uuid4(), tenant_id, "+15550002222", "Sam", Language.EN, "en_US", "USD", "UTC")
        await uow.users.add(mate)
        share = Share(
            uuid.uuid4(), tenant_id, home.id, user.id, mate.id, Money.of("5", "USD"), ShareKind.SHARE, tx.id
        )
        assert await uow.households.add_share(share)
        notice_ids = {}
        for name, table in (("card_links", tables.card_links), ("notice_trust", tables.notice_trust)):
            query = sa.select(table.c.id).where(table.c.tenant_id == tenant_id)
            notice_ids[name] = (await uow.execute(query)).scalar_one()
        await uow.commit()
    row_ids: dict[str, object] = {
        "households": home.id,
        "household_members": member.id,
        "household_shares": share.id,
        "users": user.id,
        "accounts": account.id,
        "transactions": tx.id,
        "budgets": budget.id,
        "budget_crossings": crossing.id,
        "audit_log": audit.id,
        "outbox": message.id,
        "inbox": inbound.id,
        "outbound_messages": outbound.id,
        "recurring_rules": rule.id,
        "goals": goal.id,
        **admin_ids,
        **notice_ids,
    }
    return TenantRows(tenant_id, user.id, account.id, tx.id, budget.id, row_ids)


@pytest.fixture(scope="module")
def seeded(pg_database) -> dict[str, TenantRows]:
    """Tenants A and B with one row in every tenant table, written through the app role's units of work."""

    async def seed() -> dict[str, TenantRows]:
        db = Database(pg_database.app_url)
        try:
            return {name: await _seed_one(db, f"{name.lower()}-{uuid.uuid4().hex[:8]}") for name in "AB"}
        finally:
            await db.dispose()

    return asyncio.run(seed())


@asynccontextmanager
async def connect(url: str, tenant: uuid.UUID | str | None) -> AsyncIterator[asyncpg.Connection]:
    """A raw connection inside one transaction, with app.tenant_id set (transaction-locally) when given."""
    conn = await asyncpg.connect(url)
    try:
        async with conn.transaction():
            if tenant is not None:
                await conn.execute("SELECT set_config('app.tenant_id', $1, true)", str(tenant))
            yield conn
    finally:
        await conn.close()


def insert_for(table: str, b: TenantRows) -> str:
    """An INSERT of a valid row for tenant B (its references all point at B's own rows)."""
    t, u, new = f"'{b.tenant_id}'", f"'{b.user_id}'", "gen_random_uuid()"
    columns_values = {
        "users": (
            "id, tenant_id, phone, name, language, locale, currency, timezone, opted_out, last_inbound_at",
            f"{new}, {t}, '+15550001111', 'x', 'en', 'en_US', 'USD', 'UTC', '{{}}', '{{}}'",
        ),
        "accounts": (
            "id, tenant_id, user_id, name, kind, currency, opening_balance_minor, is_default",
            f"{new}, {t}, {u}, 'x', 'cash', 'USD', 0, false",
        ),
        "transactions": (
            "id, tenant_id, user_id, account_id, kind, amount_minor, currency, occurred_on, source",
            f"{new}, {t}, {u}, '{b.account_id}', 'expense', 1, 'USD', '2025-03-02', 'chat'",
        ),
        "budgets": (
            "id, tenant_id, user_id, scope, amount_minor, currency, recurrence, thresholds",
            f"{new}, {t}, {u}, 'dining', 1, 'USD', 'weekly', '[80]'",
        ),
        "budget_crossings": (
            "id, tenant_id, budget_id, period_start, threshold, at",
            f"{new}, {t}, '{b.budget_id}', '2025-04-01', 50, now()",
        ),
        "audit_log": (
            "id, tenant_id, user_id, transaction_id, action, before, after, at",
            f"{new}, {t}, {u}, '{b.transaction_id}', 'edit', '{{}}', '{{}}', now()",
        ),
        "outbox": ("tenant_id, event_type, payload", f"{t}, 'Forged', '{{}}'"),
        "inbox": (
            "id, tenant_id, channel, provider_message_id, sender, recipient, text, received_at, status",
            f"{new}, {t}, 'sms', 'SM-forged', '+1', '+2', 'x', now(), 'pending'",
        ),
        "outbound_messages": (
            "id, tenant_id, channel, recipient, body, provider, status",
            f"{new}, {t}, 'sms', '+1', 'x', 'twilio', 'queued'",
        ),
        "admin_audit": (
            "id, tenant_id, actor, action, entity, at",
            f"{new}, {t}, 'k', 'create', 'user', now()",
        ),
        "merchants": ("id, tenant_id, name, name_key, aliases", f"{new}, {t}, 'x', 'x-forged', '[]'"),
        "imports": (
            "id, tenant_id, account_id, user_id, file_hash, lines, recorded",
            f"{new}, {t}, '{b.account_id}', {u}, 'forged', 0, 0",
        ),
        "goals": (
            "id, tenant_id, user_id, name, target_minor, currency, account_id",
            f"{new}, {t}, {u}, 'forged', 100, 'USD', '{b.account_id}'",
        ),
        "recurring_rules": (
            "id, tenant_id, user_id, kind, amount_minor, currency, cadence, anchor, next_due",
            f"{new}, {t}, {u}, 'expense', 100, 'USD', 'weekly', 0, '2025-04-07'",
        ),
        "card_links": (
            "id, tenant_id, user_id, last_digits, account_id",
            f"{new}, {t}, {u}, '9999', '{b.account_id}'",
        ),
        "notice_trust": ("id, tenant_id, user_id, source", f"{new}, {t}, {u}, 'forged'"),
    }
    h = f"'{b.row_ids['households']}'"
    columns_values |= {
        "households": ("id, tenant_id, name", f"{new}, {t}, 'forged'"),
        "household_members": (
            "id, tenant_id, household_id, user_id, role, status",
            f"{new}, {t}, {h}, {u}, 'member', 'declined'",
        ),
        "household_shares": (
            "id, tenant_id, household_id, creditor_id, debtor_id, amount_minor, currency, kind",
            f"{new}, {t}, {h}, {u}, (SELECT id FROM users WHERE tenant_id = {t} AND id <> {u} LIMIT 1), "
            "1, 'USD', 'settlement'",
        ),
    }
    columns, values = columns_values[table]
    return f"INSERT INTO {table} ({columns}) VALUES ({values})"


async def test_app_role_owns_nothing_and_cannot_bypass_rls(pg_database, seeded) -> None:
    async with connect(pg_database.app_url, None) as conn:
        role = await conn.fetchrow(
            "SELECT rolname, rolsuper, rolbypassrls FROM pg_roles WHERE rolname = current_user"
        )
        owned = await conn.fetch("SELECT tablename FROM pg_tables WHERE tableowner = current_user")
    assert role is not None and role["rolname"] == pg_database.app_role
    assert role["rolsuper"] is False and role["rolbypassrls"] is False
    assert owned == []


@pytest.mark.parametrize("table", TENANT_TABLES)
async def test_other_tenants_rows_are_invisible(pg_database, seeded, table: str) -> None:
    a, b = seeded["A"], seeded["B"]
    async with connect(pg_database.app_url, a.tenant_id) as conn:
        assert await conn.fetchval(f"SELECT count(*) FROM {table} WHERE id = $1", b.row_ids[table]) == 0
        assert await conn.fetchval(f"SELECT count(*) FROM {table} WHERE tenant_id = $1", b.tenant_id) == 0
        assert await conn.fetchval(f"SELECT count(*) FROM {table} WHERE tenant_id <> $1", a.tenant_id) == 0
        assert await conn.fetchval(f"SELECT count(*) FROM {table} WHERE id = $1", a.row_ids[table]) == 1
    # Control: the same query under B's setting does find B's row, so the zero above is RLS at work.
    async with connect(pg_database.app_url, b.tenant_id) as conn:
        assert await conn.fetchval(f"SELECT count(*) FROM {table} WHERE id = $1", b.row_ids[table]) == 1


@pytest.mark.parametrize("table", TENANT_TABLES)
async def test_forged_update_and_delete_affect_no_rows(pg_database, seeded, table: str) -> None:
    a, b = seeded["A"], seeded["B"]
    forged = b.row_ids[table]
    async with connect(pg_database.app_url, a.tenant_id) as conn:
        assert (
            await conn.execute(f"UPDATE {table} SET tenant_id = $2 WHERE id = $1", forged, a.tenant_id)
            == "UPDATE 0"
        )
        assert await conn.execute(f"DELETE FROM {table} WHERE id = $1", forged) == "DELETE 0"
    async with connect(pg_database.owner_url, None) as conn:  # the superuser sees past RLS: B's row is intact
        assert await conn.fetchval(f"SELECT tenant_id FROM {table} WHERE id = $1", forged) == b.tenant_id


@pytest.mark.parametrize("table", TENANT_TABLES)
async def test_insert_with_another_tenants_id_is_refused(pg_database, seeded, table: str) -> None:
    a, b = seeded["A"], seeded["B"]
    with pytest.raises(asyncpg.InsufficientPrivilegeError, match="row-level security"):
        async with connect(pg_database.app_url, a.tenant_id) as conn:
            await conn.execute(insert_for(table, b))
    # Control: the same row is accepted under its own tenant's setting (then rolled back).
    conn = await asyncpg.connect(pg_database.app_url)
    try:
        transaction = conn.transaction()
        await transaction.start()
        await conn.execute("SELECT set_config('app.tenant_id', $1, true)", str(b.tenant_id))
        assert await conn.execute(insert_for(table, b)) == "INSERT 0 1"
        await transaction.rollback()
    finally:
        await conn.close()


@pytest.mark.parametrize("table", TENANT_TABLES)
@pytest.mark.parametrize("setting", [None, ""], ids=["unset", "empty"])
async def test_without_a_tenant_setting_nothing_is_visible_or_writable(
    pg_database, seeded, table: str, setting: str | None
) -> None:
    async with connect(pg_database.app_url, setting) as conn:
        assert await conn.fetchval(f"SELECT count(*) FROM {table}") == 0
    with pytest.raises(asyncpg.InsufficientPrivilegeError, match="row-level security"):
        async with connect(pg_database.app_url, setting) as conn:
            await conn.execute(insert_for(table, seeded["B"]))


async def test_the_tenant_directory_is_readable_without_a_setting(pg_database, seeded) -> None:
    async with connect(pg_database.app_url, None) as conn:
        ids = {row["id"] for row in await conn.fetch("SELECT id FROM tenants")}
    assert {seeded["A"].tenant_id, seeded["B"].tenant_id} <= ids


async def test_a_row_cannot_reference_another_tenants_rows(pg_database, seeded) -> None:
    """Composite foreign keys: even with its own tenant_id, A's row cannot point at B's user or account."""
    a, b = seeded["A"], seeded["B"]
    with pytest.raises(asyncpg.ForeignKeyViolationError):
        async with connect(pg_database.app_url, a.tenant_id) as conn:
            await conn.execute(
                "INSERT INTO transactions (id, tenant_id, user_id, account_id, kind, amount_minor, currency,"
                " occurred_on, source)"
                " VALUES (gen_random_uuid(), $1, $2, $3, 'expense', 1, 'USD', '2025-03-02', 'chat')",
                a.tenant_id,
                b.user_id,
                b.account_id,
            )


@pytest.mark.parametrize("as_owner", [False, True], ids=["app-role", "superuser-no-rls"])
async def test_a_unit_of_work_cannot_load_another_tenants_rows(pg_database, seeded, as_owner: bool) -> None:
    """The repositories' own tenant filter, checked also as the superuser (which bypasses RLS) so it is
    shown to hold by itself: RLS is the second lock, not the only one."""
    a, b = seeded["A"], seeded["B"]
    db = Database(pg_database.owner_url if as_owner else pg_database.app_url)
    try:
        async with db.unit_of_work(a.tenant_id) as uow:
            assert await uow.users.get(b.user_id) is None
            mine = await uow.users.get_by_phone(PHONE)
            assert mine is not None and mine.id == a.user_id
            assert [user.id for user in await uow.users.list() if user.phone == PHONE] == [a.user_id]
            assert await uow.accounts.get(b.account_id) is None
            assert await uow.transactions.get(b.transaction_id) is None
            found = await uow.transactions.get_by_source("chat", "msg-1")
            assert found is not None and found.id == a.transaction_id
            assert await uow.budgets.get(b.budget_id) is None
            assert await uow.audit.list_for(b.transaction_id) == []
            assert [m.payload["tenant_id"] for m in await uow.outbox.pending()] == [str(a.tenant_id)]
    finally:
        await db.dispose()


async def test_the_tenant_setting_rides_on_begin_and_is_used_once(pg_database, seeded) -> None:
    """The setting is sent with BEGIN (adapters/db/tenant_begin.py), not as a statement of its own; a unit of
    work that began but ran nothing leaves no binding behind for the next tenant or the directory."""
    a, b = seeded["A"], seeded["B"]
    db = Database(pg_database.app_url, pool_size=1, max_overflow=0)
    sent: list[str] = []
    try:
        original = asyncpg.Connection.execute  # below TenantBeginConnection: what is sent

        async def spy(self, query, *args, **kwargs):  # type: ignore[no-untyped-def]
            sent.append(query)
            return await original(self, query, *args, **kwargs)

        asyncpg.Connection.execute = spy  # type: ignore[method-assign]
        try:
            async with db.unit_of_work(a.tenant_id) as uow:
                assert [user.id for user in await uow.users.list() if user.phone == PHONE] == [a.user_id]
                await uow.commit()
            # (A checkout may ping first, inside a BEGIN of its own: that one carries nothing.)
            setting = f"set_config('app.tenant_id', '{a.tenant_id}', true)"
            assert [q.startswith("BEGIN") for q in sent if setting in q] == [True]
            # Began (no statement, so no BEGIN sent) and left: the binding must not reach B's transaction.
            async with db.unit_of_work(a.tenant_id) as uow:
                await uow._active.begin()
            async with db.unit_of_work(b.tenant_id) as uow:
                assert [user.id for user in await uow.users.list() if user.phone == PHONE] == [b.user_id]
            async with db.unit_of_work(a.tenant_id) as uow:
                await uow._active.begin()
            async with db.directory() as directory:
                assert await directory.tenants.get(a.tenant_id) is not None
                rows = await directory.execute(text("SELECT current_setting('app.tenant_id', true)"))
                assert rows.scalar() in (None, "")
                assert (await directory.execute(text("SELECT count(*) FROM users"))).scalar_one() == 0
        finally:
            asyncpg.Connection.execute = original  # type: ignore[method-assign]
    finally:
        await db.dispose()


async def test_new_connections_checked_for_their_role_still_carry_the_tenant(pg_database, seeded) -> None:
    """The role check on every new connection (Database.check_role) runs a query, which begins a
    transaction; a unit of work drawing that connection must still be bound to its tenant (a load run
    found reads and inserts without the setting when that transaction was left open)."""
    a, b = seeded["A"], seeded["B"]
    db = Database(pg_database.app_url, pool_size=1, max_overflow=0)
    try:
        await db.check_role()
        for tenant, user in ((a.tenant_id, a.user_id), (b.tenant_id, b.user_id)):
            await db.engine.dispose()  # the next unit of work opens (and role-checks) a new connection
            async with db.unit_of_work(tenant) as uow:
                assert [found.id for found in await uow.users.list() if found.phone == PHONE] == [user]
                setting = await uow.execute(text("SELECT current_setting('app.tenant_id', true)"))
                assert setting.scalar() == str(tenant)
    finally:
        await db.dispose()


async def test_the_tenant_setting_ends_with_the_transaction(pg_database, seeded) -> None:
    """With a pool of one connection, the connection A's unit of work used carries no tenant afterwards."""
    a = seeded["A"]
    db = Database(pg_database.app_url, pool_size=1, max_overflow=0)
    try:
        async with db.unit_of_work(a.tenant_id) as uow:
            pid = (await uow.execute(text("SELECT pg_backend_pid()"))).scalar_one()
            assert len([u for u in await uow.users.list() if u.phone == PHONE]) == 1
            await uow.commit()
            # A new transaction in the same unit of work is bound to the tenant again.
            assert len([u for u in await uow.users.list() if u.phone == PHONE]) == 1
        async with db.engine.connect() as conn:
            assert (await conn.execute(text("SELECT pg_backend_pid()"))).scalar_one() == pid
            assert (await conn.execute(text("SELECT current_setting('app.tenant_id', true)"))).scalar() in (
                None,
                "",
            )
            for table in TENANT_TABLES:
                assert (await conn.execute(text(f"SELECT count(*) FROM {table}"))).scalar_one() == 0, table
    finally:
        await db.dispose()
