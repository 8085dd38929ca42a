"""Audit log: a user's latest change is found by one index probe ("undo" right after a change by reference).

Revision ID: 0009
Revises: 0007
Create Date: 2026-12-07 02:10:00

"undo" first asks whether the user's latest change was a delete or an edit of an earlier transaction, which
it then takes back (domain/references.latest_change): the newest audit record of one user. Without an index
that reads every audit record of the tenant.
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0009"
down_revision: str | Sequence[str] | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index("ix_audit_log_user_at", "audit_log", ["tenant_id", "user_id", "at"])


def downgrade() -> None:
    op.drop_index("ix_audit_log_user_at", table_name="audit_log")
