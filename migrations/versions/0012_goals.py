"""Savings goals: a target, an optional date, and an account of the goal's own that transfers fill.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-07 00:00:00

A tenant table like the others: Row-Level Security on PostgreSQL, read and written by the app role.
"""

from __future__ import annotations

import os
import re
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: str | Sequence[str] | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Frozen copies of the column types (a migration must not change when adapters/db/tables.py does).
ID = sa.Uuid(as_uuid=True)
TS = sa.DateTime(timezone=True)
NOW = sa.func.current_timestamp()
TENANT_IS_SET = "tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid"


def app_role() -> str:
    """The login role the application uses (created by 0001); a bare identifier: it is spliced into DDL."""
    role = os.environ.get("CENTAVO_APP_ROLE", "centavo_app")
    if not re.fullmatch(r"[a-z_][a-z0-9_]{0,62}", role):
        raise ValueError(f"CENTAVO_APP_ROLE must be a lower-case SQL identifier, not {role!r}")
    return role


def upgrade() -> None:
    op.create_table(
        "goals",
        sa.Column("id", ID, nullable=False),
        sa.Column("tenant_id", ID, nullable=False),
        sa.Column("user_id", ID, nullable=False),
        sa.Column("name", sa.String(60), nullable=False),
        sa.Column("target_minor", sa.BigInteger(), nullable=False),
        sa.Column("currency", sa.CHAR(3), nullable=False),
        sa.Column("target_date", sa.Date(), nullable=True),
        sa.Column("account_id", ID, nullable=False),
        sa.Column("created_at", TS, nullable=False, server_default=NOW),
        sa.Column("closed_at", TS, nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_goals")),
        sa.ForeignKeyConstraint(["tenant_id"], ["tenants.id"], name=op.f("fk_goals_tenant_id_tenants")),
        sa.ForeignKeyConstraint(
            ["tenant_id", "user_id"],
            ["users.tenant_id", "users.id"],
            name=op.f("fk_goals_tenant_id_user_id_users"),
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id", "account_id"],
            ["accounts.tenant_id", "accounts.id"],
            name=op.f("fk_goals_tenant_id_account_id_accounts"),
        ),
        sa.UniqueConstraint("tenant_id", "id", name=op.f("uq_goals_tenant_id_id")),
        sa.UniqueConstraint("tenant_id", "account_id", name=op.f("uq_goals_tenant_id_account_id")),
        sa.CheckConstraint("target_minor > 0", name=op.f("ck_goals_target_positive")),
    )
    if op.get_context().dialect.name == "postgresql":
        op.execute("ALTER TABLE goals ENABLE ROW LEVEL SECURITY")
        op.execute("ALTER TABLE goals FORCE ROW LEVEL SECURITY")
        op.execute(
            f"CREATE POLICY tenant_isolation ON goals USING ({TENANT_IS_SET}) WITH CHECK ({TENANT_IS_SET})"
        )
        op.execute(f"GRANT SELECT, INSERT, UPDATE, DELETE ON goals TO {app_role()}")


def downgrade() -> None:
    op.drop_table("goals")
