"""Recurring rules: an expense or income repeated weekly or monthly, recorded by the worker when due.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-07 00:00:00

A tenant table like the others: Row-Level Security on PostgreSQL, read and written by the app role. The
worker claims due rules through a partial index on the active ones.
"""

from __future__ import annotations

import os
import re
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | Sequence[str] | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Frozen copies of the column types (a migration must not change when adapters/db/tables.py does).
ID = sa.Uuid(as_uuid=True)
TS = sa.DateTime(timezone=True)
NOW = sa.func.current_timestamp()
TENANT_IS_SET = "tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid"
ACTIVE = "cancelled_at IS NULL"


def app_role() -> str:
    """The login role the application uses (created by 0001); a bare identifier: it is spliced into DDL."""
    role = os.environ.get("CENTAVO_APP_ROLE", "centavo_app")
    if not re.fullmatch(r"[a-z_][a-z0-9_]{0,62}", role):
        raise ValueError(f"CENTAVO_APP_ROLE must be a lower-case SQL identifier, not {role!r}")
    return role


def upgrade() -> None:
    op.create_table(
        "recurring_rules",
        sa.Column("id", ID, nullable=False),
        sa.Column("tenant_id", ID, nullable=False),
        sa.Column("user_id", ID, nullable=False),
        sa.Column("account_id", ID, nullable=True),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("amount_minor", sa.BigInteger(), nullable=False),
        sa.Column("currency", sa.CHAR(3), nullable=False),
        sa.Column("cadence", sa.String(16), nullable=False),
        sa.Column("anchor", sa.SmallInteger(), nullable=False),
        sa.Column("next_due", sa.Date(), nullable=False),
        sa.Column("merchant", sa.String(200), nullable=True),
        sa.Column("category", sa.String(64), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("created_at", TS, nullable=False, server_default=NOW),
        sa.Column("cancelled_at", TS, nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_recurring_rules")),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenants.id"], name=op.f("fk_recurring_rules_tenant_id_tenants")
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id", "user_id"],
            ["users.tenant_id", "users.id"],
            name=op.f("fk_recurring_rules_tenant_id_user_id_users"),
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id", "account_id"],
            ["accounts.tenant_id", "accounts.id"],
            name=op.f("fk_recurring_rules_tenant_id_account_id_accounts"),
        ),
        sa.UniqueConstraint("tenant_id", "id", name=op.f("uq_recurring_rules_tenant_id_id")),
        sa.CheckConstraint("amount_minor > 0", name=op.f("ck_recurring_rules_amount_positive")),
        sa.CheckConstraint("cadence IN ('weekly', 'monthly')", name=op.f("ck_recurring_rules_cadence_known")),
        sa.CheckConstraint(
            "(cadence = 'weekly' AND anchor BETWEEN 0 AND 6) "
            "OR (cadence = 'monthly' AND anchor BETWEEN 1 AND 31)",
            name=op.f("ck_recurring_rules_anchor_in_range"),
        ),
    )
    op.create_index(
        "ix_recurring_rules_due",
        "recurring_rules",
        ["tenant_id", "next_due"],
        postgresql_where=sa.text(ACTIVE),
    )
    if op.get_context().dialect.name == "postgresql":
        op.execute("ALTER TABLE recurring_rules ENABLE ROW LEVEL SECURITY")
        op.execute("ALTER TABLE recurring_rules FORCE ROW LEVEL SECURITY")
        op.execute(
            f"CREATE POLICY tenant_isolation ON recurring_rules USING ({TENANT_IS_SET}) "
            f"WITH CHECK ({TENANT_IS_SET})"
        )
        op.execute(f"GRANT SELECT, INSERT, UPDATE, DELETE ON recurring_rules TO {app_role()}")


def downgrade() -> None:
    op.drop_index("ix_recurring_rules_due", table_name="recurring_rules")
    op.drop_table("recurring_rules")
