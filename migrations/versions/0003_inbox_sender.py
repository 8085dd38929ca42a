"""Inbox: an index on (tenant, sender, received_at) to find where a user last wrote from (alert pushes).

Revision ID: 0003
Revises: 0002
Create Date: 2025-01-03 00:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0003"
down_revision: str | Sequence[str] | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index("ix_inbox_sender_received", "inbox", ["tenant_id", "sender", "received_at"])


def downgrade() -> None:
    op.drop_index("ix_inbox_sender_received", table_name="inbox")
