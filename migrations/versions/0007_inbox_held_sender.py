"""Inbox: a sender's messages held for the worker are found by one index probe, before each new message.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-07 00:00:00

A message that arrives while an earlier one of its sender waits for the worker (held past a process's bound
of work in flight) waits too, so the conversation's turns keep their order (bot/lifecycle.py). That check
runs for every message: a partial index keeps it to the few pending rows of one sender.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | Sequence[str] | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

PENDING = "status = 'pending'"


def upgrade() -> None:
    op.create_index(
        "ix_inbox_pending_sender",
        "inbox",
        ["tenant_id", "sender"],
        postgresql_where=sa.text(PENDING),
        sqlite_where=sa.text(PENDING),
    )


def downgrade() -> None:
    op.drop_index("ix_inbox_pending_sender", table_name="inbox")
