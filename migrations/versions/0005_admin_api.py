"""Admin API: API keys, the operators' audit log, tenant merchants, statement imports, transfer pairs, the
alert a push delivered and what the dispatcher did with each alert; on PostgreSQL, RLS and grants.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-06 00:00:00

api_keys is part of the directory, like tenants: a request's key is looked up before its tenant is known,
so it has no RLS (the key's hash is the lookup, and every query that follows is tenant-bound).
Adding nullable columns is a plain ALTER TABLE on both dialects, so no table is rebuilt.
"""

from __future__ import annotations

import os
import re
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | Sequence[str] | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Frozen copies of the column types (a migration must not change when adapters/db/tables.py does).
ID = sa.Uuid(as_uuid=True)
TS = sa.DateTime(timezone=True)
NOW = sa.func.current_timestamp()
JSON = sa.JSON().with_variant(sa.dialects.postgresql.JSONB(), "postgresql")

TENANT_TABLES = ("admin_audit", "merchants", "imports")
ALL_TABLES = ("api_keys", *TENANT_TABLES)
TENANT_IS_SET = "tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid"


def app_role() -> str:
    """The login role the application uses (created by 0001); a bare identifier: it is spliced into DDL."""
    role = os.environ.get("CENTAVO_APP_ROLE", "centavo_app")
    if not re.fullmatch(r"[a-z_][a-z0-9_]{0,62}", role):
        raise ValueError(f"CENTAVO_APP_ROLE must be a lower-case SQL identifier, not {role!r}")
    return role


def _tenant_fk(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(["tenant_id"], ["tenants.id"], name=op.f(f"fk_{table}_tenant_id_tenants"))


def upgrade() -> None:
    op.create_table(
        "api_keys",
        sa.Column("id", ID, nullable=False),
        sa.Column("tenant_id", ID, nullable=False),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("prefix", sa.String(16), nullable=False),
        sa.Column("key_hash", sa.String(64), nullable=False),
        sa.Column("role", sa.String(16), nullable=False),
        sa.Column("created_at", TS, nullable=False, server_default=NOW),
        sa.Column("revoked_at", TS, nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_api_keys")),
        _tenant_fk("api_keys"),
        sa.UniqueConstraint("key_hash", name=op.f("uq_api_keys_key_hash")),
        sa.UniqueConstraint("prefix", name=op.f("uq_api_keys_prefix")),
        sa.CheckConstraint("role IN ('admin', 'viewer')", name=op.f("ck_api_keys_role")),
    )
    op.create_index("ix_api_keys_tenant", "api_keys", ["tenant_id"])
    op.create_table(
        "admin_audit",
        sa.Column("seq", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("id", ID, nullable=False),
        sa.Column("tenant_id", ID, nullable=False),
        sa.Column("actor", sa.String(64), nullable=False),
        sa.Column("action", sa.String(32), nullable=False),
        sa.Column("entity", sa.String(32), nullable=False),
        sa.Column("entity_id", sa.String(64), nullable=True),
        sa.Column("before", JSON, nullable=True),
        sa.Column("after", JSON, nullable=True),
        sa.Column("at", TS, nullable=False),
        sa.PrimaryKeyConstraint("seq", name=op.f("pk_admin_audit")),
        _tenant_fk("admin_audit"),
        sa.UniqueConstraint("id", name=op.f("uq_admin_audit_id")),
    )
    op.create_index("ix_admin_audit_tenant_seq", "admin_audit", ["tenant_id", "seq"])
    op.create_index("ix_admin_audit_entity", "admin_audit", ["tenant_id", "entity", "entity_id"])
    op.create_table(
        "merchants",
        sa.Column("id", ID, nullable=False),
        sa.Column("tenant_id", ID, nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("name_key", sa.String(200), nullable=False),
        sa.Column("aliases", JSON, nullable=False),
        sa.Column("category", sa.String(64), nullable=True),
        sa.Column("created_at", TS, nullable=False, server_default=NOW),
        sa.Column("updated_at", TS, nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_merchants")),
        _tenant_fk("merchants"),
        sa.UniqueConstraint("tenant_id", "name_key", name=op.f("uq_merchants_tenant_id_name_key")),
    )
    op.create_table(
        "imports",
        sa.Column("id", ID, nullable=False),
        sa.Column("tenant_id", ID, nullable=False),
        sa.Column("account_id", ID, nullable=False),
        sa.Column("user_id", ID, nullable=False),
        sa.Column("file_hash", sa.String(64), nullable=False),
        sa.Column("lines", sa.Integer, nullable=False),
        sa.Column("recorded", sa.Integer, nullable=False),
        sa.Column("created_at", TS, nullable=False, server_default=NOW),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_imports")),
        _tenant_fk("imports"),
        sa.ForeignKeyConstraint(
            ["tenant_id", "account_id"],
            ["accounts.tenant_id", "accounts.id"],
            name=op.f("fk_imports_tenant_id_account_id_accounts"),
        ),
        sa.UniqueConstraint(
            "tenant_id", "account_id", "file_hash", name=op.f("uq_imports_tenant_id_account_id_file_hash")
        ),
    )
    op.add_column("transactions", sa.Column("transfer_id", ID, nullable=True))
    op.create_index("ix_transactions_transfer", "transactions", ["tenant_id", "transfer_id"])
    # The admin listing's keyset: newest day first, then newest row; tenant-wide (no user filter).
    op.create_index("ix_transactions_tenant_day_seq", "transactions", ["tenant_id", "occurred_on", "seq"])
    op.add_column("outbound_messages", sa.Column("outbox_id", sa.BigInteger, nullable=True))
    op.create_index("ix_outbound_messages_outbox", "outbound_messages", ["tenant_id", "outbox_id"])
    # A user's conversation log reads their outbound messages by time (the inbox has its own index).
    op.create_index(
        "ix_outbound_messages_recipient_created",
        "outbound_messages",
        ["tenant_id", "recipient", "created_at"],
    )
    # The alert history: what the dispatcher did with each event, and a keyset over one tenant's alerts.
    op.add_column("outbox", sa.Column("outcome", sa.String(32), nullable=True))
    op.create_index("ix_outbox_tenant_type_id", "outbox", ["tenant_id", "event_type", "id"])
    # An alert's public id (UUID, like every id of the API); alerts already stored get one here (on SQLite
    # the uuid column is 32 hex characters). Other old events need none and keep NULL.
    op.add_column("outbox", sa.Column("event_id", ID, nullable=True))
    random_id = (
        "gen_random_uuid()" if op.get_context().dialect.name == "postgresql" else "lower(hex(randomblob(16)))"
    )
    op.execute(
        f"UPDATE outbox SET event_id = {random_id} "
        "WHERE event_id IS NULL AND event_type = 'BudgetThresholdCrossed'"
    )
    op.create_index("uq_outbox_tenant_event", "outbox", ["tenant_id", "event_id"], unique=True)
    if op.get_context().dialect.name == "postgresql":
        _secure_postgresql()


def _secure_postgresql() -> None:
    """The same Row-Level Security as 0001 on the tenant tables; the app role may use all four tables."""
    role = app_role()
    for table in TENANT_TABLES:
        op.execute(f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY")
        op.execute(f"ALTER TABLE {table} FORCE ROW LEVEL SECURITY")
        op.execute(
            f"CREATE POLICY tenant_isolation ON {table} USING ({TENANT_IS_SET}) WITH CHECK ({TENANT_IS_SET})"
        )
    op.execute(f"GRANT SELECT, INSERT, UPDATE, DELETE ON {', '.join(ALL_TABLES)} TO {role}")
    op.execute(f"GRANT USAGE, SELECT ON SEQUENCE admin_audit_seq_seq TO {role}")


def downgrade() -> None:
    if op.get_context().dialect.name == "postgresql":
        op.execute(f"REVOKE ALL ON {', '.join(ALL_TABLES)} FROM {app_role()}")
        for table in TENANT_TABLES:
            op.execute(f"DROP POLICY IF EXISTS tenant_isolation ON {table}")
    op.drop_index("uq_outbox_tenant_event", table_name="outbox")
    op.drop_index("ix_outbox_tenant_type_id", table_name="outbox")
    with op.batch_alter_table("outbox") as batch:
        batch.drop_column("event_id")
        batch.drop_column("outcome")
    op.drop_index("ix_outbound_messages_recipient_created", table_name="outbound_messages")
    op.drop_index("ix_outbound_messages_outbox", table_name="outbound_messages")
    with op.batch_alter_table("outbound_messages") as batch:
        batch.drop_column("outbox_id")
    op.drop_index("ix_transactions_tenant_day_seq", table_name="transactions")
    op.drop_index("ix_transactions_transfer", table_name="transactions")
    with op.batch_alter_table("transactions") as batch:
        batch.drop_column("transfer_id")
    op.drop_table("imports")
    op.drop_table("merchants")
    op.drop_index("ix_admin_audit_entity", table_name="admin_audit")
    op.drop_index("ix_admin_audit_tenant_seq", table_name="admin_audit")
    op.drop_table("admin_audit")
    op.drop_index("ix_api_keys_tenant", table_name="api_keys")
    op.drop_table("api_keys")
