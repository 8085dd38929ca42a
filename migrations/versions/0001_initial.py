"""Initial schema: tenant directory, ledger tables, outbox; on PostgreSQL, RLS and the app role.

Revision ID: 0001
Revises:
Create Date: 2025-01-01 00:00:00
"""

from __future__ import annotations

import os
import re
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0001"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Frozen copies of the column types (a migration must not change when adapters/db/tables.py does).
ID = sa.Uuid(as_uuid=True)
JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")
SEQ = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
TS = sa.DateTime(timezone=True)
NOW = sa.func.current_timestamp()

TENANT_TABLES = ("users", "accounts", "transactions", "budgets", "budget_crossings", "audit_log", "outbox")
ALL_TABLES = ("tenants", *TENANT_TABLES)
TENANT_IS_SET = "tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid"


def app_role() -> str:
    """The login role the application uses; a bare identifier because it is spliced into DDL."""
    role = os.environ.get("CENTAVO_APP_ROLE", "centavo_app")
    if not re.fullmatch(r"[a-z_][a-z0-9_]{0,62}", role):
        raise ValueError(f"CENTAVO_APP_ROLE must be a lower-case SQL identifier, not {role!r}")
    return role


def _tenant_fk(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(["tenant_id"], ["tenants.id"], name=op.f(f"fk_{table}_tenant_id_tenants"))


def _user_fk(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        ["tenant_id", "user_id"],
        ["users.tenant_id", "users.id"],
        name=op.f(f"fk_{table}_tenant_id_user_id_users"),
    )


def upgrade() -> None:
    op.create_table(
        "tenants",
        sa.Column("id", ID, nullable=False),
        sa.Column("slug", sa.String(64), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("language", sa.String(8), nullable=False),
        sa.Column("locale", sa.String(32), nullable=False),
        sa.Column("currency", sa.CHAR(3), nullable=False),
        sa.Column("timezone", sa.String(64), nullable=False),
        sa.Column("policy", sa.String(16), nullable=False),
        sa.Column("settings", JSON, nullable=False),
        sa.Column("created_at", TS, nullable=False, server_default=NOW),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_tenants")),
        sa.UniqueConstraint("slug", name=op.f("uq_tenants_slug")),
    )
    op.create_table(
        "users",
        sa.Column("id", ID, nullable=False),
        sa.Column("tenant_id", ID, nullable=False),
        sa.Column("phone", sa.String(32), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("language", sa.String(8), nullable=False),
        sa.Column("locale", sa.String(32), nullable=False),
        sa.Column("currency", sa.CHAR(3), nullable=False),
        sa.Column("timezone", sa.String(64), nullable=False),
        sa.Column("opted_out", JSON, nullable=False),
        sa.Column("last_inbound_at", JSON, nullable=False),
        sa.Column("created_at", TS, nullable=False, server_default=NOW),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_users")),
        _tenant_fk("users"),
        sa.UniqueConstraint("tenant_id", "phone", name=op.f("uq_users_tenant_id_phone")),
        sa.UniqueConstraint("tenant_id", "id", name=op.f("uq_users_tenant_id_id")),
    )
    op.create_table(
        "accounts",
        sa.Column("id", ID, nullable=False),
        sa.Column("tenant_id", ID, nullable=False),
        sa.Column("user_id", ID, nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("currency", sa.CHAR(3), nullable=False),
        sa.Column("opening_balance_minor", sa.BigInteger, nullable=False),
        sa.Column("is_default", sa.Boolean, nullable=False),
        sa.Column("created_at", TS, nullable=False, server_default=NOW),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_accounts")),
        _tenant_fk("accounts"),
        _user_fk("accounts"),
        sa.UniqueConstraint("tenant_id", "id", name=op.f("uq_accounts_tenant_id_id")),
    )
    op.create_index(
        "uq_accounts_default",
        "accounts",
        ["tenant_id", "user_id"],
        unique=True,
        postgresql_where=sa.text("is_default"),
        sqlite_where=sa.text("is_default"),
    )
    op.create_table(
        "transactions",
        sa.Column("seq", SEQ, nullable=False, autoincrement=True),
        sa.Column("id", ID, nullable=False),
        sa.Column("tenant_id", ID, nullable=False),
        sa.Column("user_id", ID, nullable=False),
        sa.Column("account_id", ID, nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("amount_minor", sa.BigInteger, nullable=False),
        sa.Column("currency", sa.CHAR(3), nullable=False),
        sa.Column("occurred_on", sa.Date, nullable=False),
        sa.Column("merchant", sa.String(200), nullable=True),
        sa.Column("merchant_key", sa.String(200), nullable=True),
        sa.Column("category", sa.String(64), nullable=True),
        sa.Column("note", sa.Text, nullable=True),
        sa.Column("source", sa.String(16), nullable=False),
        sa.Column("source_ref", sa.String(200), nullable=True),
        sa.Column("created_at", TS, nullable=False, server_default=NOW),
        sa.Column("deleted_at", TS, nullable=True),
        sa.PrimaryKeyConstraint("seq", name=op.f("pk_transactions")),
        _tenant_fk("transactions"),
        _user_fk("transactions"),
        sa.ForeignKeyConstraint(
            ["tenant_id", "account_id"],
            ["accounts.tenant_id", "accounts.id"],
            name=op.f("fk_transactions_tenant_id_account_id_accounts"),
        ),
        sa.UniqueConstraint("id", name=op.f("uq_transactions_id")),
        sa.UniqueConstraint("tenant_id", "id", name=op.f("uq_transactions_tenant_id_id")),
        sa.UniqueConstraint(
            "tenant_id", "source", "source_ref", name=op.f("uq_transactions_tenant_id_source_source_ref")
        ),
        sa.CheckConstraint("amount_minor > 0", name=op.f("ck_transactions_amount_positive")),
        sa.CheckConstraint("kind IN ('expense', 'income')", name=op.f("ck_transactions_kind")),
    )
    op.create_index("ix_transactions_user_day", "transactions", ["tenant_id", "user_id", "occurred_on"])
    op.create_index(
        "ix_transactions_user_category_day",
        "transactions",
        ["tenant_id", "user_id", "category", "occurred_on"],
    )
    op.create_index("ix_transactions_user_merchant", "transactions", ["tenant_id", "user_id", "merchant_key"])
    op.create_table(
        "budgets",
        sa.Column("id", ID, nullable=False),
        sa.Column("tenant_id", ID, nullable=False),
        sa.Column("user_id", ID, nullable=False),
        sa.Column("category", sa.String(64), nullable=True),
        sa.Column("scope", sa.String(64), nullable=False),
        sa.Column("amount_minor", sa.BigInteger, nullable=False),
        sa.Column("currency", sa.CHAR(3), nullable=False),
        sa.Column("recurrence", sa.String(16), nullable=False),
        sa.Column("thresholds", JSON, nullable=False),
        sa.Column("created_at", TS, nullable=False, server_default=NOW),
        sa.Column("updated_at", TS, nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_budgets")),
        _tenant_fk("budgets"),
        _user_fk("budgets"),
        sa.UniqueConstraint("tenant_id", "id", name=op.f("uq_budgets_tenant_id_id")),
        sa.UniqueConstraint(
            "tenant_id",
            "user_id",
            "scope",
            "recurrence",
            name=op.f("uq_budgets_tenant_id_user_id_scope_recurrence"),
        ),
        sa.CheckConstraint("amount_minor > 0", name=op.f("ck_budgets_amount_positive")),
    )
    op.create_table(
        "budget_crossings",
        sa.Column("id", ID, nullable=False),
        sa.Column("tenant_id", ID, nullable=False),
        sa.Column("budget_id", ID, nullable=False),
        sa.Column("period_start", sa.Date, nullable=False),
        sa.Column("threshold", sa.Integer, nullable=False),
        sa.Column("at", TS, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_budget_crossings")),
        _tenant_fk("budget_crossings"),
        sa.ForeignKeyConstraint(
            ["tenant_id", "budget_id"],
            ["budgets.tenant_id", "budgets.id"],
            ondelete="CASCADE",
            name=op.f("fk_budget_crossings_tenant_id_budget_id_budgets"),
        ),
        sa.UniqueConstraint(
            "budget_id",
            "period_start",
            "threshold",
            name=op.f("uq_budget_crossings_budget_id_period_start_threshold"),
        ),
    )
    op.create_table(
        "audit_log",
        sa.Column("id", ID, nullable=False),
        sa.Column("tenant_id", ID, nullable=False),
        sa.Column("user_id", ID, nullable=False),
        sa.Column("transaction_id", ID, nullable=False),
        sa.Column("action", sa.String(16), nullable=False),
        sa.Column("before", JSON, nullable=False),
        sa.Column("after", JSON, nullable=False),
        sa.Column("at", TS, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_log")),
        _tenant_fk("audit_log"),
        _user_fk("audit_log"),
        sa.ForeignKeyConstraint(
            ["tenant_id", "transaction_id"],
            ["transactions.tenant_id", "transactions.id"],
            name=op.f("fk_audit_log_tenant_id_transaction_id_transactions"),
        ),
    )
    op.create_index("ix_audit_log_transaction", "audit_log", ["tenant_id", "transaction_id"])
    op.create_table(
        "outbox",
        sa.Column("id", SEQ, nullable=False, autoincrement=True),
        sa.Column("tenant_id", ID, nullable=False),
        sa.Column("event_type", sa.String(64), nullable=False),
        sa.Column("payload", JSON, nullable=False),
        sa.Column("created_at", TS, nullable=False, server_default=NOW),
        sa.Column("processed_at", TS, nullable=True),
        sa.Column("attempts", sa.Integer, nullable=False, server_default=sa.text("0")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_outbox")),
        _tenant_fk("outbox"),
    )
    op.create_index(
        "ix_outbox_pending",
        "outbox",
        ["tenant_id", "id"],
        postgresql_where=sa.text("processed_at IS NULL"),
        sqlite_where=sa.text("processed_at IS NULL"),
    )
    if op.get_context().dialect.name == "postgresql":
        _secure_postgresql()


def _secure_postgresql() -> None:
    """Row-Level Security on every tenant table, and a login role that owns nothing and cannot bypass it."""
    role = app_role()
    for table in TENANT_TABLES:
        op.execute(f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY")
        # FORCE: the policy applies to the table owner too (superusers still bypass; migrations run as one).
        op.execute(f"ALTER TABLE {table} FORCE ROW LEVEL SECURITY")
        # No app.tenant_id (or an empty one) -> NULL -> no row matches: forgetting the setting shows nothing.
        op.execute(
            f"CREATE POLICY tenant_isolation ON {table} USING ({TENANT_IS_SET}) WITH CHECK ({TENANT_IS_SET})"
        )
    # Roles are cluster-wide and shared by every database (and by concurrent test runs): create it only if
    # missing, and treat losing a creation race as success.
    op.execute(
        f"""
        DO $$
        BEGIN
            IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '{role}') THEN
                CREATE ROLE {role} LOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE;
            END IF;
        EXCEPTION WHEN duplicate_object OR unique_violation THEN
            NULL;
        END
        $$
        """
    )
    password = os.environ.get("CENTAVO_APP_PASSWORD")
    if password:
        # For deployments with password auth (docker-compose); trust/peer setups leave it unset.
        quoted = password.replace("'", "''")
        op.execute(f"ALTER ROLE {role} PASSWORD '{quoted}'")
    op.execute(f"GRANT USAGE ON SCHEMA public TO {role}")
    op.execute(f"GRANT SELECT, INSERT, UPDATE, DELETE ON {', '.join(ALL_TABLES)} TO {role}")
    op.execute(f"GRANT USAGE, SELECT ON SEQUENCE transactions_seq_seq, outbox_id_seq TO {role}")


def downgrade() -> None:
    if op.get_context().dialect.name == "postgresql":
        # The role may serve other databases in the cluster: take back what this revision granted, keep it.
        role = app_role()
        op.execute(f"REVOKE ALL ON SEQUENCE transactions_seq_seq, outbox_id_seq FROM {role}")
        op.execute(f"REVOKE ALL ON {', '.join(ALL_TABLES)} FROM {role}")
        op.execute(f"REVOKE USAGE ON SCHEMA public FROM {role}")
        for table in TENANT_TABLES:
            op.execute(f"DROP POLICY IF EXISTS tenant_isolation ON {table}")
    op.drop_index("ix_outbox_pending", table_name="outbox")
    op.drop_table("outbox")
    op.drop_index("ix_audit_log_transaction", table_name="audit_log")
    op.drop_table("audit_log")
    op.drop_table("budget_crossings")
    op.drop_table("budgets")
    op.drop_index("ix_transactions_user_merchant", table_name="transactions")
    op.drop_index("ix_transactions_user_category_day", table_name="transactions")
    op.drop_index("ix_transactions_user_day", table_name="transactions")
    op.drop_table("transactions")
    op.drop_index("uq_accounts_default", table_name="accounts")
    op.drop_table("accounts")
    op.drop_table("users")
    op.drop_table("tenants")
