"""Messaging: channel endpoints (tenant routing), the inbox, outbound messages; on PostgreSQL, RLS and grants.

Revision ID: 0002
Revises: 0001
Create Date: 2025-01-02 00:00:00
"""

from __future__ import annotations

import os
import re
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | Sequence[str] | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Frozen copies of the column types (a migration must not change when adapters/db/tables.py does).
ID = sa.Uuid(as_uuid=True)
TS = sa.DateTime(timezone=True)
NOW = sa.func.current_timestamp()

TENANT_TABLES = ("inbox", "outbound_messages")
ALL_TABLES = ("channel_endpoints", *TENANT_TABLES)
TENANT_IS_SET = "tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid"
OPEN = "status IN ('pending', 'processing')"


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
        "channel_endpoints",
        sa.Column("id", ID, nullable=False),
        sa.Column("tenant_id", ID, nullable=False),
        sa.Column("provider", sa.String(16), nullable=False),
        sa.Column("address", sa.String(64), nullable=False),
        sa.Column("created_at", TS, nullable=False, server_default=NOW),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_channel_endpoints")),
        _tenant_fk("channel_endpoints"),
        sa.UniqueConstraint("provider", "address", name=op.f("uq_channel_endpoints_provider_address")),
        sa.CheckConstraint("provider IN ('twilio', 'meta')", name=op.f("ck_channel_endpoints_provider")),
    )
    op.create_index("ix_channel_endpoints_tenant", "channel_endpoints", ["tenant_id"])
    op.create_table(
        "inbox",
        sa.Column("id", ID, nullable=False),
        sa.Column("tenant_id", ID, nullable=False),
        sa.Column("channel", sa.String(16), nullable=False),
        sa.Column("provider_message_id", sa.String(128), nullable=False),
        sa.Column("sender", sa.String(32), nullable=False),
        sa.Column("recipient", sa.String(64), nullable=False),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("received_at", TS, nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("attempts", sa.Integer, nullable=False, server_default=sa.text("0")),
        sa.Column("claimed_at", TS, nullable=True),
        sa.Column("reply_text", sa.Text, nullable=True),
        sa.Column("processed_at", TS, nullable=True),
        sa.Column("error", sa.Text, nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_inbox")),
        _tenant_fk("inbox"),
        sa.UniqueConstraint(
            "tenant_id",
            "channel",
            "provider_message_id",
            name=op.f("uq_inbox_tenant_id_channel_provider_message_id"),
        ),
        sa.UniqueConstraint("tenant_id", "id", name=op.f("uq_inbox_tenant_id_id")),
        sa.CheckConstraint(
            "status IN ('pending', 'processing', 'done', 'failed')", name=op.f("ck_inbox_status")
        ),
    )
    op.create_index(
        "ix_inbox_open",
        "inbox",
        ["tenant_id", "received_at"],
        postgresql_where=sa.text(OPEN),
        sqlite_where=sa.text(OPEN),
    )
    op.create_table(
        "outbound_messages",
        sa.Column("id", ID, nullable=False),
        sa.Column("tenant_id", ID, nullable=False),
        sa.Column("inbox_id", ID, nullable=True),
        sa.Column("channel", sa.String(16), nullable=False),
        sa.Column("recipient", sa.String(32), nullable=False),
        sa.Column("body", sa.Text, nullable=False),
        sa.Column("provider", sa.String(16), nullable=False),
        sa.Column("provider_message_id", sa.String(128), nullable=True),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("error", sa.Text, nullable=True),
        sa.Column("created_at", TS, nullable=False, server_default=NOW),
        sa.Column("updated_at", TS, nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_outbound_messages")),
        _tenant_fk("outbound_messages"),
        sa.ForeignKeyConstraint(
            ["tenant_id", "inbox_id"],
            ["inbox.tenant_id", "inbox.id"],
            name=op.f("fk_outbound_messages_tenant_id_inbox_id_inbox"),
        ),
        sa.CheckConstraint(
            "status IN ('queued', 'sent', 'delivered', 'read', 'failed', 'undelivered')",
            name=op.f("ck_outbound_messages_status"),
        ),
    )
    op.create_index(
        "ix_outbound_messages_provider_message", "outbound_messages", ["provider", "provider_message_id"]
    )
    if op.get_context().dialect.name == "postgresql":
        _secure_postgresql()


def _secure_postgresql() -> None:
    """The same Row-Level Security as 0001 on the tenant tables; the app role may use all three tables."""
    role = app_role()
    for table in TENANT_TABLES:
        op.execute(f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY")
        # FORCE: the policy applies to the table owner too (superusers still bypass; migrations run as one).
        op.execute(f"ALTER TABLE {table} FORCE ROW LEVEL SECURITY")
        op.execute(
            f"CREATE POLICY tenant_isolation ON {table} USING ({TENANT_IS_SET}) WITH CHECK ({TENANT_IS_SET})"
        )
    op.execute(f"GRANT SELECT, INSERT, UPDATE, DELETE ON {', '.join(ALL_TABLES)} TO {role}")


def downgrade() -> None:
    if op.get_context().dialect.name == "postgresql":
        op.execute(f"REVOKE ALL ON {', '.join(ALL_TABLES)} FROM {app_role()}")
        for table in TENANT_TABLES:
            op.execute(f"DROP POLICY IF EXISTS tenant_isolation ON {table}")
    op.drop_index("ix_outbound_messages_provider_message", table_name="outbound_messages")
    op.drop_table("outbound_messages")
    op.drop_index("ix_inbox_open", table_name="inbox")
    op.drop_table("inbox")
    op.drop_index("ix_channel_endpoints_tenant", table_name="channel_endpoints")
    op.drop_table("channel_endpoints")
