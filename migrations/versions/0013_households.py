"""Households: members who share accounts and budgets and split expenses; card digits; trusted notice formats.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-07 07:20:00

A household is a group of users of one tenant. Accounts, budgets and transactions gain a nullable household_id
(NULL: personal). Splits and settlements are rows of household_shares ("debtor owes creditor amount").

Privacy between members is enforced by the database as well as by the repositories: on PostgreSQL every
transaction may carry `app.user_id` (the member a chat message is answered for) next to `app.tenant_id`, and
restrictive policies then hide other members' personal rows. Without `app.user_id` (workers, the admin API,
enrolment) the tenant policy alone applies, as before.
"""

from __future__ import annotations

import os
import re
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013"
down_revision: str | Sequence[str] | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ID = sa.Uuid(as_uuid=True)
TS = sa.DateTime(timezone=True)
NOW = sa.func.current_timestamp()
TENANT_IS_SET = "tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid"
ME = "nullif(current_setting('app.user_id', true), '')::uuid"
MY_HOUSEHOLDS = "(SELECT centavo_member_households())"

NEW_TABLES = ("households", "household_members", "household_shares", "card_links", "notice_trust")

# Table -> who of the members may read, change or delete a row (restrictive: ANDed with tenant_isolation).
MEMBER_RULES: dict[str, str] = {
    "accounts": f"user_id = {ME} OR household_id IN {MY_HOUSEHOLDS}",
    "budgets": f"user_id = {ME} OR household_id IN {MY_HOUSEHOLDS}",
    "transactions": (
        f"user_id = {ME} OR household_id IN {MY_HOUSEHOLDS} OR id IN "
        f"(SELECT transaction_id FROM household_shares WHERE creditor_id = {ME} OR debtor_id = {ME})"
    ),
    "household_shares": f"creditor_id = {ME} OR debtor_id = {ME}",
    "household_members": f"user_id = {ME} OR household_id IN {MY_HOUSEHOLDS}",
    "households": (
        f"id IN {MY_HOUSEHOLDS} OR created_by = {ME} OR id IN "
        f"(SELECT household_id FROM household_members WHERE user_id = {ME})"
    ),
    "goals": f"user_id = {ME}",
    "recurring_rules": f"user_id = {ME}",
    "imports": f"user_id = {ME}",
    "card_links": f"user_id = {ME}",
    "notice_trust": f"user_id = {ME}",
}


def app_role() -> str:
    """The login role the application uses (created by 0001); a bare identifier: it is spliced into DDL."""
    role = os.environ.get("CENTAVO_APP_ROLE", "centavo_app")
    if not re.fullmatch(r"[a-z_][a-z0-9_]{0,62}", role):
        raise ValueError(f"CENTAVO_APP_ROLE must be a lower-case SQL identifier, not {role!r}")
    return role


def _fk(table: str, columns: list[str], parent: str, parent_columns: list[str]) -> sa.ForeignKeyConstraint:
    name = f"fk_{table}_{'_'.join(columns)}_{parent}"
    return sa.ForeignKeyConstraint(columns, [f"{parent}.{c}" for c in parent_columns], name=op.f(name))


def upgrade() -> None:
    op.create_table(
        "households",
        sa.Column("id", ID, nullable=False),
        sa.Column("tenant_id", ID, nullable=False),
        sa.Column("name", sa.String(60), nullable=False),
        sa.Column("created_by", ID, nullable=True),
        sa.Column("created_at", TS, nullable=False, server_default=NOW),
        sa.Column("closed_at", TS, nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_households")),
        _fk("households", ["tenant_id"], "tenants", ["id"]),
        _fk("households", ["tenant_id", "created_by"], "users", ["tenant_id", "id"]),
        sa.UniqueConstraint("tenant_id", "id", name=op.f("uq_households_tenant_id_id")),
    )
    op.create_table(
        "household_members",
        sa.Column("id", ID, nullable=False),
        sa.Column("tenant_id", ID, nullable=False),
        sa.Column("household_id", ID, nullable=False),
        sa.Column("user_id", ID, nullable=False),
        sa.Column("role", sa.String(16), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("label", sa.String(60), nullable=True),
        sa.Column("invited_by", ID, nullable=True),
        sa.Column("created_at", TS, nullable=False, server_default=NOW),
        sa.Column("updated_at", TS, nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_household_members")),
        _fk("household_members", ["tenant_id"], "tenants", ["id"]),
        _fk("household_members", ["tenant_id", "household_id"], "households", ["tenant_id", "id"]),
        _fk("household_members", ["tenant_id", "user_id"], "users", ["tenant_id", "id"]),
        sa.CheckConstraint("role IN ('owner', 'member')", name=op.f("ck_household_members_role")),
        sa.CheckConstraint(
            "status IN ('invited', 'active', 'declined', 'left', 'removed')",
            name=op.f("ck_household_members_status"),
        ),
    )
    # One household per person at a time, and one open invitation or membership per household and person.
    op.create_index(
        "uq_household_members_active_user",
        "household_members",
        ["tenant_id", "user_id"],
        unique=True,
        postgresql_where=sa.text("status = 'active'"),
        sqlite_where=sa.text("status = 'active'"),
    )
    op.create_index(
        "uq_household_members_open",
        "household_members",
        ["tenant_id", "household_id", "user_id"],
        unique=True,
        postgresql_where=sa.text("status IN ('invited', 'active')"),
        sqlite_where=sa.text("status IN ('invited', 'active')"),
    )
    op.create_table(
        "household_shares",
        sa.Column("id", ID, nullable=False),
        sa.Column("tenant_id", ID, nullable=False),
        sa.Column("household_id", ID, nullable=False),
        sa.Column("transaction_id", ID, nullable=True),
        sa.Column("creditor_id", ID, nullable=False),
        sa.Column("debtor_id", ID, nullable=False),
        sa.Column("amount_minor", sa.BigInteger(), nullable=False),
        sa.Column("currency", sa.CHAR(3), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("source_ref", sa.String(200), nullable=True),
        sa.Column("created_at", TS, nullable=False, server_default=NOW),
        sa.Column("deleted_at", TS, nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_household_shares")),
        _fk("household_shares", ["tenant_id"], "tenants", ["id"]),
        _fk("household_shares", ["tenant_id", "household_id"], "households", ["tenant_id", "id"]),
        _fk("household_shares", ["tenant_id", "transaction_id"], "transactions", ["tenant_id", "id"]),
        _fk("household_shares", ["tenant_id", "creditor_id"], "users", ["tenant_id", "id"]),
        _fk("household_shares", ["tenant_id", "debtor_id"], "users", ["tenant_id", "id"]),
        sa.CheckConstraint("amount_minor > 0", name=op.f("ck_household_shares_amount_positive")),
        sa.CheckConstraint("creditor_id <> debtor_id", name=op.f("ck_household_shares_two_people")),
        sa.CheckConstraint("kind IN ('share', 'settlement')", name=op.f("ck_household_shares_kind")),
        # A settlement message recorded twice (a retried webhook) is one settlement.
        sa.UniqueConstraint(
            "tenant_id",
            "source_ref",
            "debtor_id",
            name=op.f("uq_household_shares_tenant_id_source_ref_debtor_id"),
        ),
    )
    op.create_index("ix_household_shares_household", "household_shares", ["tenant_id", "household_id"])
    op.create_index("ix_household_shares_transaction", "household_shares", ["tenant_id", "transaction_id"])
    op.create_table(
        "card_links",
        sa.Column("id", ID, nullable=False),
        sa.Column("tenant_id", ID, nullable=False),
        sa.Column("user_id", ID, nullable=False),
        sa.Column("last_digits", sa.String(8), nullable=False),
        sa.Column("account_id", ID, nullable=False),
        sa.Column("created_at", TS, nullable=False, server_default=NOW),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_card_links")),
        _fk("card_links", ["tenant_id"], "tenants", ["id"]),
        _fk("card_links", ["tenant_id", "user_id"], "users", ["tenant_id", "id"]),
        _fk("card_links", ["tenant_id", "account_id"], "accounts", ["tenant_id", "id"]),
        sa.UniqueConstraint(
            "tenant_id", "user_id", "last_digits", name=op.f("uq_card_links_tenant_id_user_id_last_digits")
        ),
    )
    op.create_table(
        "notice_trust",
        sa.Column("id", ID, nullable=False),
        sa.Column("tenant_id", ID, nullable=False),
        sa.Column("user_id", ID, nullable=False),
        sa.Column("source", sa.String(64), nullable=False),
        sa.Column("created_at", TS, nullable=False, server_default=NOW),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notice_trust")),
        _fk("notice_trust", ["tenant_id"], "tenants", ["id"]),
        _fk("notice_trust", ["tenant_id", "user_id"], "users", ["tenant_id", "id"]),
        sa.UniqueConstraint(
            "tenant_id", "user_id", "source", name=op.f("uq_notice_trust_tenant_id_user_id_source")
        ),
    )
    for table in ("accounts", "budgets", "transactions"):
        with op.batch_alter_table(table) as batch:
            batch.add_column(sa.Column("household_id", ID, nullable=True))
            batch.create_foreign_key(
                op.f(f"fk_{table}_tenant_id_household_id_households"),
                "households",
                ["tenant_id", "household_id"],
                ["tenant_id", "id"],
            )
            if table == "budgets":
                # A shared budget belongs to the household: one per scope and recurrence for the household,
                # next to each member's personal ones.
                batch.drop_constraint("uq_budgets_tenant_id_user_id_scope_recurrence", type_="unique")
    op.create_index(
        "uq_budgets_personal",
        "budgets",
        ["tenant_id", "user_id", "scope", "recurrence"],
        unique=True,
        postgresql_where=sa.text("household_id IS NULL"),
        sqlite_where=sa.text("household_id IS NULL"),
    )
    op.create_index(
        "uq_budgets_shared",
        "budgets",
        ["tenant_id", "household_id", "scope", "recurrence"],
        unique=True,
        postgresql_where=sa.text("household_id IS NOT NULL"),
        sqlite_where=sa.text("household_id IS NOT NULL"),
    )
    op.create_index(
        "ix_transactions_household_day", "transactions", ["tenant_id", "household_id", "occurred_on"]
    )
    op.create_index("ix_accounts_household", "accounts", ["tenant_id", "household_id"])
    if op.get_context().dialect.name == "postgresql":
        _secure()


def _secure() -> None:
    role = app_role()
    for table in NEW_TABLES:
        op.execute(f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY")
        op.execute(f"ALTER TABLE {table} FORCE ROW LEVEL SECURITY")
        op.execute(
            f"CREATE POLICY tenant_isolation ON {table} USING ({TENANT_IS_SET}) WITH CHECK ({TENANT_IS_SET})"
        )
        op.execute(f"GRANT SELECT, INSERT, UPDATE, DELETE ON {table} TO {role}")
    # The households of the member the transaction is for. SECURITY DEFINER (owned by the migrating role,
    # which owns the tables) so the member policies of household_members can use it without recursing.
    op.execute(
        f"""
        CREATE FUNCTION centavo_member_households() RETURNS SETOF uuid
        LANGUAGE sql STABLE SECURITY DEFINER
        SET search_path = pg_catalog, public, pg_temp
        AS $body$
            SELECT household_id FROM household_members
            WHERE {TENANT_IS_SET} AND user_id = {ME} AND status = 'active'
        $body$
        """
    )
    op.execute("REVOKE ALL ON FUNCTION centavo_member_households() FROM PUBLIC")
    op.execute(f"GRANT EXECUTE ON FUNCTION centavo_member_households() TO {role}")
    # Inserts are left to the tenant policy: a member's write may create rows for another member (an
    # invitation, a debtor's share); what a member may read, change and delete is theirs and their house's.
    for table, rule in MEMBER_RULES.items():
        for command in ("SELECT", "UPDATE", "DELETE"):
            op.execute(
                f"CREATE POLICY member_privacy_{command.lower()} ON {table} AS RESTRICTIVE FOR {command} "
                f"USING ({ME} IS NULL OR {rule})"
            )


def downgrade() -> None:
    if op.get_context().dialect.name == "postgresql":
        for table in MEMBER_RULES:
            for command in ("select", "update", "delete"):
                op.execute(f"DROP POLICY IF EXISTS member_privacy_{command} ON {table}")
        op.execute("DROP FUNCTION IF EXISTS centavo_member_households()")
    op.drop_index("ix_accounts_household", "accounts")
    op.drop_index("ix_transactions_household_day", "transactions")
    op.drop_index("uq_budgets_shared", "budgets")
    op.drop_index("uq_budgets_personal", "budgets")
    for table in ("transactions", "budgets", "accounts"):
        with op.batch_alter_table(table) as batch:
            batch.drop_constraint(op.f(f"fk_{table}_tenant_id_household_id_households"), type_="foreignkey")
            batch.drop_column("household_id")
            if table == "budgets":
                batch.create_unique_constraint(
                    "uq_budgets_tenant_id_user_id_scope_recurrence",
                    ["tenant_id", "user_id", "scope", "recurrence"],
                )
    for table in reversed(NEW_TABLES):
        op.drop_table(table)
