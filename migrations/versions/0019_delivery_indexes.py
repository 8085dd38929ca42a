"""Indexes for delivery tracking: a TwiML reply's first status callback finds its row by the inbox id, and
the worker's SMS fallback pass looks for WhatsApp pushes that failed for good.

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-07 10:45:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0019"
down_revision: str | Sequence[str] | None = "0018"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

FAILED_PUSHES = "outbox_id IS NOT NULL AND channel = 'whatsapp' AND status IN ('failed', 'undelivered')"


def upgrade() -> None:
    op.create_index("ix_outbound_messages_inbox", "outbound_messages", ["tenant_id", "inbox_id"])
    op.create_index(
        "ix_outbound_messages_failed_pushes",
        "outbound_messages",
        ["tenant_id", "updated_at"],
        postgresql_where=sa.text(FAILED_PUSHES),
        sqlite_where=sa.text(FAILED_PUSHES),
    )


def downgrade() -> None:
    op.drop_index("ix_outbound_messages_failed_pushes", table_name="outbound_messages")
    op.drop_index("ix_outbound_messages_inbox", table_name="outbound_messages")
